import { describe, expect, it } from "vitest";
import type { Classification } from "../../../src/domain/classify.ts";
import type { PlannedTest, RegionQuality } from "../../../src/domain/plan-types.ts";
import {
  countTestsByRegion,
  summarizeRegionLoads,
  summarizeRegionWeek,
} from "../../../src/outputs/report/week-report-data.ts";

const TEST_WEEK = { year: 2020, week: 41 };

function test(regionCode: number, date: string, shift: PlannedTest["shift"]): PlannedTest {
  return {
    employeeId: "E1",
    siteId: "S1",
    municipalityCode: 101,
    regionCode,
    date,
    weekday: 1,
    shift,
    reason: "cycle",
  };
}

function quality(regionCode: number): RegionQuality {
  return {
    regionCode,
    cyclePeakRatio: 1,
    redWeekPeakRatio: 1,
    largestUnsplittableSession: 1,
    testWeekDailySpread: { min: 0, max: 3 },
    shiftTotals: { day: 2, evening: 1, night: 1 },
    pickupsInTestWeek: 1,
    deferred: 0,
    gapViolations: 0,
    testWeekTotal: 4,
    cycleTotal: 24,
    cycleTestDays: 18,
    cyclePickupsPerSite: 1,
  };
}

describe("summarizeRegionLoads", () => {
  it("counts tests per test day and shift, every test weekday listed, days without tests at zero", () => {
    const loads = summarizeRegionLoads({
      testWeek: TEST_WEEK,
      regions: [
        {
          code: 1084,
          testWeekdays: [3, 1, 5],
          labCapacityPerDay: 5000,
        },
        { code: 1085, testWeekdays: [1], labCapacityPerDay: 2000 },
      ],
      // 2020-W41: Monday 5 October, Wednesday 7 October, Friday 9 October.
      tests: [
        test(1084, "2020-10-05", "day"),
        test(1084, "2020-10-05", "day"),
        test(1084, "2020-10-05", "night"),
        test(1084, "2020-10-09", "evening"),
        test(1085, "2020-10-05", "day"),
      ],
      quality: [quality(1084)],
      deferrals: [
        {
          municipalityCode: 101,
          regionCode: 1084,
          siteKind: "home-care",
          reason: "red-retest",
          count: 3,
          gapViolations: 0,
        },
        {
          municipalityCode: 253,
          regionCode: 1085,
          siteKind: "home-care",
          reason: "cycle",
          count: 1,
          gapViolations: 1,
        },
      ],
    });
    // Region 1085 has no quality figures (no plan): left out.
    expect(loads).toHaveLength(1);
    expect(loads[0]?.days).toEqual([
      { date: "2020-10-05", weekday: 1, byShift: { day: 2, evening: 0, night: 1 } },
      { date: "2020-10-07", weekday: 3, byShift: { day: 0, evening: 0, night: 0 } },
      { date: "2020-10-09", weekday: 5, byShift: { day: 0, evening: 1, night: 0 } },
    ]);
    expect(loads[0]?.labCapacityPerDay).toBe(5000);
    expect(loads[0]?.deferrals.map((d) => d.municipalityCode)).toEqual([101]);
  });
});

describe("summarizeRegionWeek", () => {
  it("counts red municipalities per region and takes the tests planned", () => {
    const c = (code: number, regionCode: number, status: "red" | "green") =>
      ({ code, regionCode, status }) as Classification;
    const points = summarizeRegionWeek(
      { year: 2020, week: 40 },
      [1084, 1085],
      [c(101, 1084, "red"), c(147, 1084, "red"), c(151, 1084, "green"), c(253, 1085, "green")],
      countTestsByRegion([{ regionCode: 1084 }, { regionCode: 1084 }, { regionCode: 1085 }]),
    );
    expect(points).toEqual([
      { week: { year: 2020, week: 40 }, regionCode: 1084, redMunicipalities: 2, testsPlanned: 2 },
      { week: { year: 2020, week: 40 }, regionCode: 1085, redMunicipalities: 0, testsPlanned: 1 },
    ]);
  });
});
