import { describe, expect, it } from "vitest";
import { assembleWeek, type AssembleInput } from "../../src/domain/assemble-week.ts";
import { classificationWindow, daysBetween, type IsoWeek } from "../../src/domain/calendar.ts";
import { GREEN } from "../../src/domain/cadence.ts";
import type { DailyCasesDataset } from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";

const W: IsoWeek = { year: 2020, week: 40 };
const PREVIOUS: IsoWeek = { year: 2020, week: 39 };
const TOWNS: Municipality[] = [
  { code: 101, name: "A", regionCode: 1084, population: 100_000, aliases: [] },
  { code: 147, name: "B", regionCode: 1084, population: 100_000, aliases: [] },
];
const FIRST = "2020-07-01";
const LAST = "2020-09-29";

/** Daily cases: town A has 30 cases (30 per 100,000: red) in W−1's window only; B has none. */
function dataset(): DailyCasesDataset {
  const days = daysBetween(FIRST, LAST) + 1;
  const a = new Array<number>(days).fill(0);
  a[daysBetween(FIRST, classificationWindow(PREVIOUS).start)] = 30;
  return {
    kind: "daily",
    origin: "synthetic",
    firstDate: FIRST,
    lastDate: LAST,
    casesByCode: new Map([
      [101, a],
      [147, new Array<number>(days).fill(0)],
    ]),
    populationByCode: new Map(TOWNS.map((t) => [t.code, t.population])),
  };
}

function input(overrides: Partial<AssembleInput>): AssembleInput {
  return {
    week: W,
    dataset: dataset(),
    municipalities: TOWNS,
    thresholdPer100k: 20,
    windowOffsets: { startOffsetDays: -8, endOffsetDays: -2 },
    overrides: [],
    previousCadence: undefined,
    warmUpWeeks: 6,
    regions: [
      {
        code: 1084,
        testWeekdays: [1, 2, 3, 4, 5],
        labCapacityPerDay: 1000,
        pickupTime: "08:00",
        pickupDayOffset: 1,
      },
    ],
    cycleAnchor: { year: 2020, week: 1 },
    sites: [{ id: "S1", municipalityCode: 101, kind: "nursing-home", name: "S1", address: "x" }],
    staff: [{ employeeId: "E1", siteId: "S1", shift: "day" }],
    previousSlots: new Map(),
    carriedOver: [],
    ...overrides,
  };
}

describe("assembleWeek: where the cadence starts", () => {
  it("warms up from the data: a municipality red in W−1 gets its week-1 tests in W+1", () => {
    const result = assembleWeek(input({}));
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.cadenceOrigin.kind).toBe("warm-up");
    expect(result.week.classifications.map((c) => c.status)).toEqual(["green", "green"]);
    expect(result.week.redOrders).toEqual([
      { municipalityCode: 101, reason: "red-week-1", limitToSites: null },
    ]);
    expect(result.week.plan.tests.map((t) => t.reason)).toEqual(["red-week-1"]);
  });

  it("trusts the store's state after W−1 over the data", () => {
    const result = assembleWeek(input({ previousCadence: new Map([[101, GREEN]]) }));
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.cadenceOrigin.kind).toBe("store");
    expect(result.week.redOrders).toEqual([]);
  });

  it("without warm-up every municipality starts green", () => {
    const result = assembleWeek(input({ warmUpWeeks: 0 }));
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.cadenceOrigin.kind).toBe("fresh");
    expect(result.week.redOrders).toEqual([]);
  });

  it("puts the week-1 tests of a flow starting in W into the provisional look-ahead of W+2", () => {
    // Classify W−1 instead: A turns red there (the store says green before). W is its week 0 and
    // W+1 its week 1: those tests are certain already, so they are in W−1's look-ahead.
    const result = assembleWeek(input({ week: PREVIOUS, previousCadence: new Map([[101, GREEN]]) }));
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.events.get(101)).toBe("flow-started");
    expect(result.week.plan.tests.filter((t) => t.reason === "red-week-1")).toEqual([]);
    expect(result.week.lookahead.testWeek).toEqual({ year: 2020, week: 41 });
    expect(result.week.lookahead.tests.map((t) => [t.employeeId, t.reason])).toEqual([["E1", "red-week-1"]]);
  });

  it("refuses a week the data does not cover (stale)", () => {
    const result = assembleWeek(input({ week: { year: 2020, week: 41 } }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(/2020-W41: stale data/);
  });
});
