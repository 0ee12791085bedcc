import { describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import type {
  DeferredTest,
  PlannedTest,
  RegionPlanSettings,
  RegionQuality,
  WeekPlan,
} from "../../src/domain/plan-types.ts";
import { accountWeek, regionTestDays } from "../../src/whatif/day-accounting.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

/*
 * One test week by hand: test week 2020-W45 (Monday 2 November … Friday 6 November 2020), region
 * Hovedstaden testing Monday to Friday, region Nordjylland Tuesday and Thursday.
 */
const W45: IsoWeek = { year: 2020, week: 45 };
const REGIONS: RegionPlanSettings[] = [
  {
    code: 1084,
    testWeekdays: [1, 2, 3, 4, 5],
    labCapacityPerDay: 2,
  },
  { code: 1081, testWeekdays: [4, 2], labCapacityPerDay: 9 },
];
const REGION_OF = new Map([
  [101, 1084],
  [147, 1084],
  [825, 1081],
]);

function planned(employeeId: string, regionCode: number, date: string): PlannedTest {
  return {
    employeeId,
    siteId: "S",
    municipalityCode: regionCode === 1084 ? 101 : 825,
    regionCode,
    date,
    weekday: 1,
    shift: "day",
    reason: "cycle",
  };
}

function deferred(employeeId: string, municipalityCode: number, latestDate: string): DeferredTest {
  return { employeeId, siteId: "S", municipalityCode, reason: "cycle", dueWeek: W45, latestDate };
}

function quality(regionCode: number, testWeekTotal: number, deferredCount: number): RegionQuality {
  return {
    regionCode,
    cyclePeakRatio: 1,
    redWeekPeakRatio: 1,
    largestUnsplittableSession: 1,
    testWeekDailySpread: { min: 0, max: 0 },
    shiftTotals: { day: testWeekTotal, evening: 0, night: 0 },
    pickupsInTestWeek: 0,
    deferred: deferredCount,
    gapViolations: 0,
    testWeekTotal,
    cycleTotal: 0,
    cycleTestDays: 30,
    cyclePickupsPerSite: 0,
  };
}

function plan(tests: PlannedTest[], owed: DeferredTest[], qualities: RegionQuality[]): WeekPlan {
  return weekPlanOf(W45, { tests, deferred: owed, quality: qualities });
}

describe("regionTestDays", () => {
  it("lists the region's test weekdays of the week in date order, once each", () => {
    expect(regionTestDays(REGIONS[1] as RegionPlanSettings, W45)).toEqual(["2020-11-03", "2020-11-05"]);
    expect(regionTestDays({ ...(REGIONS[1] as RegionPlanSettings), testWeekdays: [2, 2] }, W45)).toEqual([
      "2020-11-03",
    ]);
  });
});

describe("accountWeek", () => {
  it("puts planned tests on their day and each deferred test on the day it belonged to", () => {
    const result = accountWeek({
      plan: plan(
        [
          // Hovedstaden at capacity 2 on Monday to Wednesday; E9 was carried over from last week.
          planned("E1", 1084, "2020-11-02"),
          planned("E2", 1084, "2020-11-02"),
          planned("E3", 1084, "2020-11-03"),
          planned("E9", 1084, "2020-11-03"),
          planned("E4", 1084, "2020-11-04"),
          planned("E5", 1084, "2020-11-04"),
          planned("N1", 1081, "2020-11-05"),
        ],
        [
          // Tied to its day: the 6-week limit (its cycle slot) is Monday or Wednesday of this week.
          deferred("D1", 101, "2020-11-02"),
          deferred("D2", 147, "2020-11-04"),
          // Flexible: limit after the week, or already passed (carried over again, D8).
          deferred("D3", 101, "2020-12-14"),
          deferred("D8", 147, "2020-10-30"),
          deferred("D4", 101, "2020-12-14"),
        ],
        [quality(1084, 6, 5), quality(1081, 1, 0)],
      ),
      regions: REGIONS,
      regionOf: REGION_OF,
      // By identity (`staffKey`): E9 of 101 and D8 of 147. D3 of 825 is someone else than D3 of 101.
      carriedOver: new Set(["101:E9", "147:D8", "825:D3"]),
    });
    // Monday 2+1, Tuesday 2, Wednesday 2+1; then the flexible ones in turn onto the least demanded
    // day (the earliest of equals): D3 → Thursday (0), D8 → Friday (0), D4 → Thursday (1 < 2).
    expect(result.get(1084)).toEqual([
      { date: "2020-11-02", demanded: 3, carriedIn: 0, planned: 2, deferred: 1 },
      { date: "2020-11-03", demanded: 2, carriedIn: 1, planned: 2, deferred: 0 },
      { date: "2020-11-04", demanded: 3, carriedIn: 0, planned: 2, deferred: 1 },
      { date: "2020-11-05", demanded: 2, carriedIn: 0, planned: 0, deferred: 2 },
      { date: "2020-11-06", demanded: 1, carriedIn: 1, planned: 0, deferred: 1 },
    ]);
    expect(result.get(1081)).toEqual([
      { date: "2020-11-03", demanded: 0, carriedIn: 0, planned: 0, deferred: 0 },
      { date: "2020-11-05", demanded: 1, carriedIn: 0, planned: 1, deferred: 0 },
    ]);
  });

  const broken = [
    {
      name: "planned count differs from the plan's own figure",
      tests: [planned("E1", 1084, "2020-11-02")],
      owed: [],
      qualities: [quality(1084, 2, 0)],
      message: /region 1084: counted demand 1 = planned 1 \+ deferred 0, expected planned 2 and deferred 0/,
    },
    {
      name: "deferred count differs from the plan's own figure",
      tests: [],
      owed: [deferred("D1", 101, "2020-11-02")],
      qualities: [quality(1084, 0, 0)],
      message: /expected planned 0 and deferred 0/,
    },
    {
      name: "a test on a day the region does not test",
      tests: [planned("N1", 1081, "2020-11-02")],
      owed: [],
      qualities: [quality(1081, 1, 0)],
      message: /a test planned on 2020-11-02, not a test day of region 1081/,
    },
    {
      name: "a deferred test of a municipality in no region",
      tests: [],
      owed: [deferred("D1", 999, "2020-11-02")],
      qualities: [],
      message: /a deferred test of municipality 999, in no region/,
    },
  ];
  it.each(broken)("refuses the week when $name", ({ tests, owed, qualities, message }) => {
    expect(() =>
      accountWeek({
        plan: plan(tests, owed, qualities),
        regions: REGIONS,
        regionOf: REGION_OF,
        carriedOver: new Set(),
      }),
    ).toThrow(message);
  });
});
