import { describe, expect, it } from "vitest";
import { measureRegionQuality, peakRatio } from "../../src/domain/quality.ts";

describe("peakRatio", () => {
  it.each([
    { name: "perfectly even", loads: [4, 4, 4], unsplittable: 1, expected: 1 },
    { name: "peak over the rounded-up share", loads: [5, 4, 3], unsplittable: 1, expected: 5 / 4 },
    {
      name: "a remainder day does not count against evenness",
      loads: [4, 4, 3],
      unsplittable: 1,
      expected: 1,
    },
    { name: "raised to an unsplittable session", loads: [6, 0, 0], unsplittable: 6, expected: 1 },
    { name: "no load is even", loads: [0, 0], unsplittable: 0, expected: 1 },
  ])("$name", ({ loads, unsplittable, expected }) => {
    expect(peakRatio(loads, unsplittable)).toBeCloseTo(expected, 12);
  });
});

describe("measureRegionQuality", () => {
  it("reports the red-week ratio only for weeks with red load, the spread and totals", () => {
    const input = {
      regionCode: 1081,
      cycleLoads: [3, 3, 2, 3],
      weekLoads: [5, 2],
      shiftTotals: { day: 4, evening: 2, night: 1 },
      pickups: 3,
      deferred: 0,
      gapViolations: 0,
      cyclePickupsPerSite: 1.5,
    };
    const green = measureRegionQuality({ ...input, hasRedLoad: false });
    const red = measureRegionQuality({ ...input, hasRedLoad: true });
    expect(green.redWeekPeakRatio).toBe(1);
    expect(red.redWeekPeakRatio).toBeCloseTo(5 / 4, 12);
    expect(green).toMatchObject({
      cyclePeakRatio: 1,
      testWeekDailySpread: { min: 2, max: 5 },
      testWeekTotal: 7,
      cycleTotal: 11,
      cycleTestDays: 4,
      largestUnsplittableSession: 1,
    });
  });
});

describe("measureRegionQuality by hand", () => {
  const base = {
    regionCode: 1084,
    hasRedLoad: true,
    shiftTotals: { day: 0, evening: 0, night: 0 },
    pickups: 0,
    deferred: 0,
    gapViolations: 0,
    cyclePickupsPerSite: 0,
  };

  it.each([
    // Nothing at all: no unsplittable unit, every ratio 1, spread 0 … 0.
    {
      name: "no slots and no tests",
      cycleLoads: [0, 0],
      weekLoads: [0],
      unit: 0,
      cycle: 1,
      red: 1,
      spread: [0, 0],
    },
    // Slots but no tests this week: the unit is one test.
    {
      name: "slots only",
      cycleLoads: [3, 1],
      weekLoads: [0, 0],
      unit: 1,
      cycle: 3 / 2,
      red: 1,
      spread: [0, 0],
    },
    // Tests this week but no slots (red tests only): the unit is one test.
    {
      name: "tests only",
      cycleLoads: [0, 0],
      weekLoads: [3, 1],
      unit: 1,
      cycle: 1,
      red: 3 / 2,
      spread: [1, 3],
    },
    // No test day in the week at all.
    { name: "no test days", cycleLoads: [], weekLoads: [], unit: 0, cycle: 1, red: 1, spread: [0, 0] },
  ])("$name", ({ cycleLoads, weekLoads, unit, cycle, red, spread }) => {
    const quality = measureRegionQuality({ ...base, cycleLoads, weekLoads });
    expect(quality.largestUnsplittableSession).toBe(unit);
    expect(quality.cyclePeakRatio).toBe(cycle);
    expect(quality.redWeekPeakRatio).toBe(red);
    expect(quality.testWeekDailySpread).toEqual({ min: spread[0], max: spread[1] });
  });
});
