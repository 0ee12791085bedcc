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

/** Daily cases from `first` to LAST: zero except the given dates. */
function dailyCases(first: string, cases: Record<number, Record<string, number>>): DailyCasesDataset {
  const days = daysBetween(first, LAST) + 1;
  const series = (code: number) =>
    Array.from({ length: days }, (_, day) => {
      const entry = Object.entries(cases[code] ?? {}).find(([date]) => daysBetween(first, date) === day);
      return entry?.[1] ?? 0;
    });
  return {
    kind: "daily",
    origin: "synthetic",
    firstDate: first,
    lastDate: LAST,
    casesByCode: new Map(TOWNS.map((t) => [t.code, series(t.code)])),
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

  it("puts week-1 tests of flows started in W only into the look-ahead, not those of older flows", () => {
    // W = 2020-W40. 147 turns red in W (30 cases in W's window 09-22 … 09-28: 30.0 per 100,000);
    // 101's flow started in W−1 (W is its week 0, W+1 its week 1, W+2 nothing); 151's started in
    // W−2 (W+1 is its check, so any retest in W+2 depends on W+1's status and waits for that run).
    const towns: Municipality[] = [
      ...TOWNS,
      { code: 151, name: "C", regionCode: 1084, population: 100_000, aliases: [] },
    ];
    const days = daysBetween(FIRST, LAST) + 1;
    const b = new Array<number>(days).fill(0);
    b[daysBetween(FIRST, "2020-09-24")] = 30;
    const result = assembleWeek(
      input({
        municipalities: towns,
        dataset: {
          ...dataset(),
          casesByCode: new Map([
            [101, new Array<number>(days).fill(0)],
            [147, b],
            [151, new Array<number>(days).fill(0)],
          ]),
          populationByCode: new Map(towns.map((t) => [t.code, t.population])),
        },
        previousCadence: new Map([
          [101, { phase: "red-flow", flowStart: { year: 2020, week: 39 }, limitToSites: null }],
          [151, { phase: "red-flow", flowStart: { year: 2020, week: 38 }, limitToSites: null }],
        ]),
        sites: [
          { id: "S1", municipalityCode: 101, kind: "nursing-home", name: "S1", address: "x" },
          { id: "S2", municipalityCode: 147, kind: "nursing-home", name: "S2", address: "x" },
          { id: "S3", municipalityCode: 151, kind: "nursing-home", name: "S3", address: "x" },
        ],
        staff: [
          { employeeId: "E1", siteId: "S1", shift: "day" },
          { employeeId: "E2", siteId: "S2", shift: "day" },
          { employeeId: "E3", siteId: "S3", shift: "day" },
        ],
      }),
    );
    if (!result.ok) throw new Error(result.problem);
    const red = (tests: readonly { employeeId: string; reason: string }[]) =>
      tests.filter((t) => t.reason.startsWith("red")).map((t) => [t.employeeId, t.reason]);
    expect([...result.week.events]).toEqual([
      [101, "week-1-next"],
      [147, "flow-started"],
      [151, "in-flow"],
    ]);
    expect(red(result.week.plan.tests)).toEqual([["E1", "red-week-1"]]);
    expect(result.week.lookahead.testWeek).toEqual({ year: 2020, week: 42 });
    expect(red(result.week.lookahead.tests)).toEqual([["E2", "red-week-1"]]);
  });

  it("names the week the store's cadence comes from", () => {
    const result = assembleWeek(input({ previousCadence: new Map([[101, GREEN]]) }));
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.cadenceOrigin).toEqual({ kind: "store", week: PREVIOUS });
  });

  it("warms up over every earlier week the data covers, oldest first", () => {
    const result = assembleWeek(input({}));
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.cadenceOrigin).toEqual({
      kind: "warm-up",
      weeks: [34, 35, 36, 37, 38, 39].map((week) => ({ year: 2020, week })),
    });
  });

  it("starts the warm-up at the first week the data covers", () => {
    // Data from 2020-09-01: W37's window (09-01 … 09-07) is the first it covers.
    const result = assembleWeek(input({ dataset: dailyCases("2020-09-01", {}) }));
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.cadenceOrigin).toEqual({
      kind: "warm-up",
      weeks: [37, 38, 39].map((week) => ({ year: 2020, week })),
    });
  });

  it("does not warm up from pre-aggregated totals: they carry no history", () => {
    const result = assembleWeek(
      input({
        dataset: {
          kind: "window",
          origin: "totals.csv",
          lastUpdate: null,
          rowsByCode: new Map([
            [101, { cases7d: 30, population: 100_000, incidence: 30 }],
            [147, { cases7d: 0, population: 100_000, incidence: 0 }],
          ]),
        },
      }),
    );
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.cadenceOrigin).toEqual({ kind: "fresh" });
    expect(result.week.events.get(101)).toBe("flow-started");
    expect(result.week.redOrders).toEqual([]);
  });

  it("plans by the week's statuses: under pressure a red municipality's test goes first", () => {
    // A (101) has 30 cases in W's window: red. One Monday test fits the week; B's site is listed
    // first, so without the statuses B would go first.
    const result = assembleWeek(
      input({
        dataset: dailyCases(FIRST, { 101: { "2020-09-24": 30 } }),
        previousCadence: new Map([
          [101, GREEN],
          [147, GREEN],
        ]),
        regions: [
          { code: 1084, testWeekdays: [1], labCapacityPerDay: 1, pickupTime: "08:00", pickupDayOffset: 1 },
        ],
        sites: [
          { id: "S2", municipalityCode: 147, kind: "nursing-home", name: "S2", address: "x" },
          { id: "S1", municipalityCode: 101, kind: "nursing-home", name: "S1", address: "x" },
        ],
        staff: [
          { employeeId: "E2", siteId: "S2", shift: "day" },
          { employeeId: "E1", siteId: "S1", shift: "day" },
        ],
        // W+1 = 2020-W41 is week 4 of the cycle anchored at 2020-W01.
        previousSlots: new Map([
          ["E2", { cycleWeek: 4, weekday: 1, shift: "day", siteId: "S2" }],
          ["E1", { cycleWeek: 4, weekday: 1, shift: "day", siteId: "S1" }],
        ]),
      }),
    );
    if (!result.ok) throw new Error(result.problem);
    expect(result.week.classifications.map((c) => [c.code, c.status, c.incidence])).toEqual([
      [101, "red", 30],
      [147, "green", 0],
    ]);
    expect(result.week.plan.tests.map((t) => t.employeeId)).toEqual(["E1"]);
    expect(result.week.plan.deferred.map((d) => d.employeeId)).toEqual(["E2"]);
  });

  it("refuses a week the data does not cover (stale)", () => {
    const result = assembleWeek(input({ week: { year: 2020, week: 41 } }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(/2020-W41: stale data/);
  });
});
