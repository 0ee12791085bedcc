import { describe, expect, it } from "vitest";
import { DEFAULT_PICKUP_DAY_SETTINGS } from "../../src/domain/pickup-days.ts";
import type {
  CycleSlot,
  DeferredTest,
  PlanInput,
  RedTestOrder,
  RegionPlanSettings,
} from "../../src/domain/plan-types.ts";
import { planWeek } from "../../src/domain/planner.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { staffKey, type Shift, type Site, type StaffMember } from "../../src/domain/roster.ts";

/*
 * Small plans worked out by hand. The test week is 2020-W41: Monday 2020-10-05 … Sunday
 * 2020-10-11, 40 weeks after the anchor 2020-W01, so week 4 of the 6-week cycle: a slot in cycle
 * week 4 falls in the test week, cycle week 5 the week after, cycle week 0 two weeks on.
 */
const W41 = { year: 2020, week: 41 };
const MUNICIPALITIES: Municipality[] = [
  { code: 101, name: "København", regionCode: 1084, population: 1, aliases: [] },
  { code: 147, name: "Frederiksberg", regionCode: 1084, population: 1, aliases: [] },
  { code: 851, name: "Aalborg", regionCode: 1081, population: 1, aliases: [] },
];
const SITES: Site[] = [
  { id: "NH1", municipalityCode: 101, kind: "nursing-home", name: "NH1", address: "a" },
  { id: "HC1", municipalityCode: 101, kind: "home-care", name: "HC1", address: "b" },
  { id: "NH2", municipalityCode: 147, kind: "nursing-home", name: "NH2", address: "c" },
  { id: "S851", municipalityCode: 851, kind: "home-care", name: "S851", address: "d" },
];

function region(
  code: number,
  testWeekdays: RegionPlanSettings["testWeekdays"],
  capacity = 100,
): RegionPlanSettings {
  return { code, testWeekdays, labCapacityPerDay: capacity };
}

/** The municipality of a listed site (101 for a site not listed): the roster file the member is from. */
function municipalityOf(siteId: string): number {
  return SITES.find((site) => site.id === siteId)?.municipalityCode ?? 101;
}

function member(
  employeeId: string,
  siteId: string,
  shift: Shift = "day",
  dates: Partial<StaffMember> = {},
): StaffMember {
  return { municipalityCode: municipalityOf(siteId), employeeId, siteId, shift, ...dates };
}

/** Slots by identity (`staffKey`): each employee of the municipality of their slot's site. */
function slotsOf(entries: readonly (readonly [string, CycleSlot])[]): Map<string, CycleSlot> {
  return new Map(entries.map(([id, slot]) => [staffKey(municipalityOf(slot.siteId), id), slot]));
}

function slot(
  cycleWeek: number,
  weekday: CycleSlot["weekday"],
  siteId = "NH1",
  shift: Shift = "day",
): CycleSlot {
  return { cycleWeek, weekday, shift, siteId };
}

function plan(overrides: Partial<PlanInput>) {
  return planWeek({
    testWeek: W41,
    cycleAnchor: { year: 2020, week: 1 },
    regions: [region(1084, [1, 2, 3, 4, 5])],
    municipalities: MUNICIPALITIES,
    sites: SITES,
    staff: [],
    redOrders: [],
    statusByCode: new Map(),
    previousSlots: new Map(),
    carriedOver: [],
    ...overrides,
  });
}

const RED_101: RedTestOrder = { municipalityCode: 101, reason: "red-week-1", limitToSites: null };

describe("planWeek: a worked week with pickups and quality figures", () => {
  /*
   * Region 1084 tests on Monday and Wednesday (default pickup runs: mornings Monday–Friday
   * 07:30–12:00, Friday evening 15:30–19:00), region 1081 on Tuesday and Sunday (its morning runs
   * leave at 09:00, back by 13:00). Kept slots: A, B, H, I on Monday and C on Wednesday of the test week;
   * E next week; F two weeks on; G (Frederiksberg, red: week-1 tests) next week; J (Aalborg)
   * Tuesday, K and L Sunday.
   */
  const staff = [
    member("A", "NH1"),
    member("B", "NH1"),
    member("H", "NH1", "evening"),
    member("I", "HC1", "evening"),
    member("C", "NH1", "night"),
    member("E", "NH1"),
    member("F", "HC1"),
    member("G", "NH2", "night"),
    member("J", "S851"),
    member("K", "S851"),
    member("L", "S851"),
  ];
  const previousSlots = slotsOf([
    ["A", slot(4, 1)],
    ["B", slot(4, 1)],
    ["H", slot(4, 1, "NH1", "evening")],
    ["I", slot(4, 1, "HC1", "evening")],
    ["C", slot(4, 3, "NH1", "night")],
    ["E", slot(5, 1)],
    ["F", slot(0, 3, "HC1")],
    ["G", slot(5, 3, "NH2", "night")],
    ["J", slot(4, 2, "S851")],
    ["K", slot(4, 7, "S851")],
    ["L", slot(4, 7, "S851")],
  ]);
  const result = plan({
    regions: [
      region(1084, [1, 3]),
      {
        ...region(1081, [2, 7]),
        pickups: {
          ...DEFAULT_PICKUP_DAY_SETTINGS,
          morningRun: { departure: "09:00", latestArrival: "13:00" },
        },
      },
    ],
    staff,
    previousSlots,
    redOrders: [{ municipalityCode: 147, reason: "red-week-1", limitToSites: null }],
  });

  it("tests the cycle slots of the week on their days and spreads the red test onto the lower day", () => {
    // Monday carries A, B, H, I (4), Wednesday C (1); G's red test is flexible: filling the week
    // evenly from the bottom puts it on Wednesday (level 2: Monday 4, Wednesday 1 + 1).
    const test = (id: string, siteId: string, code: number, date: string, weekday: number, shift: Shift) => ({
      employeeId: id,
      siteId,
      municipalityCode: code,
      regionCode: code === 851 ? 1081 : 1084,
      date,
      weekday,
      shift,
      reason: id === "G" ? "red-week-1" : "cycle",
    });
    expect(result.tests).toEqual([
      test("A", "NH1", 101, "2020-10-05", 1, "day"),
      test("B", "NH1", 101, "2020-10-05", 1, "day"),
      test("H", "NH1", 101, "2020-10-05", 1, "evening"),
      test("I", "HC1", 101, "2020-10-05", 1, "evening"),
      test("C", "NH1", 101, "2020-10-07", 3, "night"),
      test("G", "NH2", 147, "2020-10-07", 3, "night"),
      test("J", "S851", 851, "2020-10-06", 2, "day"),
      test("K", "S851", 851, "2020-10-11", 7, "day"),
      test("L", "S851", 851, "2020-10-11", 7, "day"),
    ]);
    expect(result.slots).toEqual(previousSlots);
    expect(result.changes).toEqual({
      kept: 11,
      added: 0,
      removed: 0,
      moved: 0,
      carriedOverDropped: 0,
      skippedRows: 0,
    });
  });

  it("collects each site's samples on the first run after the shift, and brings kits before each session", () => {
    /*
     * Shifts end at 15:00 (day), 23:00 (evening) and 07:00 the next morning (night); a session's
     * samples go on the first run leaving after that, and its kits (tests + 10 %, rounded up) on
     * the site's latest visit back at the lab before the session starts, else on a delivery-only
     * stop on the latest run that is, from Thursday 2020-10-01 (the day after publication).
     * Stops in run order, then by site id: `site run | collected date shift samples | kits`.
     */
    const stops = (regionIndex: number) =>
      (result.pickups[regionIndex]?.plan.stops ?? []).map((stop) =>
        [
          `${stop.siteId} ${stop.run.date} ${stop.run.kind}`,
          stop.collects.map((c) => `${c.date} ${c.shift} ${c.samples}`).join(", "),
          stop.kits.map((k) => `${k.date} ${k.shift} ${k.kits}`).join(", "),
        ].join(" | "),
      );
    expect(result.pickups.map((p) => [p.regionCode, p.routed, p.deliveryFrom])).toEqual([
      [1084, false, "2020-10-01"],
      [1081, false, "2020-10-01"],
    ]);
    expect(stops(0)).toEqual([
      // NH1's Monday day session (2 → 3 kits) and evening session (1 → 2): no visit of NH1 ends
      // before Monday 07:00, so Friday evening's run brings both.
      "NH1 2020-10-02 evening |  | 2020-10-05 day 3, 2020-10-05 evening 2",
      // HC1's Monday evening session (15:00): Monday morning's run is back by 12:00.
      "HC1 2020-10-05 morning |  | 2020-10-05 evening 2",
      // Monday's day (ready 15:00) and evening (23:00) samples go on Tuesday morning's run.
      "HC1 2020-10-06 morning | 2020-10-05 evening 1 | ",
      // NH1's Tuesday pickup also brings the kits for its Wednesday night session.
      "NH1 2020-10-06 morning | 2020-10-05 day 2, 2020-10-05 evening 1 | 2020-10-07 night 2",
      // NH2's Wednesday night session (23:00): Wednesday morning's run.
      "NH2 2020-10-07 morning |  | 2020-10-07 night 2",
      // Wednesday night's samples are ready Thursday 07:00: Thursday morning's run (07:30).
      "NH1 2020-10-08 morning | 2020-10-07 night 1 | ",
      "NH2 2020-10-08 morning | 2020-10-07 night 1 | ",
    ]);
    expect(stops(1)).toEqual([
      // S851's Tuesday session (07:00): Monday morning's run (back 13:00) brings its 2 kits.
      "S851 2020-10-05 morning |  | 2020-10-06 day 2",
      // Tuesday's sample (ready 15:00) goes Wednesday at 09:00, with the kits for Sunday's 2 tests.
      "S851 2020-10-07 morning | 2020-10-06 day 1 | 2020-10-11 day 3",
      // Sunday's samples wait for Monday's run (no weekend pickups): 15:00 → 13:00, 22 hours.
      "S851 2020-10-12 morning | 2020-10-11 day 2 | ",
    ]);
    // Every wait is within the 24 hours (longest: 21 h for 1084, 22 h for 1081) and every kit comes.
    for (const pickups of result.pickups) {
      expect(pickups.plan.waitViolations).toEqual([]);
      expect(pickups.plan.unservedKits).toEqual([]);
      expect(pickups.shiftsWithoutTestDay).toEqual([]);
    }
    const waits = result.pickups.map((p) =>
      Math.max(...p.plan.stops.flatMap((s) => s.collects.map((c) => c.waitHours))),
    );
    expect(waits).toEqual([21, 22]);
  });

  it("reports the quality figures of each region", () => {
    expect(result.quality).toEqual([
      {
        regionCode: 1084,
        // Cycle days (Mon, Wed × 6 weeks): A, B, H, I on day 0; C on 1; E on 2 (next Monday);
        // G on 3 (next Wednesday); F on 5 (Wednesday two weeks on): 8 slots, peak 4 ÷ ⌈8 ÷ 12⌉ = 4.
        cyclePeakRatio: 4,
        // Red load in the week: Monday 4, Wednesday 2: 4 ÷ ⌈6 ÷ 2⌉ = 4 ÷ 3.
        redWeekPeakRatio: 4 / 3,
        largestUnsplittableSession: 1,
        testWeekDailySpread: { min: 2, max: 4 },
        shiftTotals: { day: 2, evening: 2, night: 2 },
        pickupsInTestWeek: 4,
        deferred: 0,
        gapViolations: 0,
        testWeekTotal: 6,
        cycleTotal: 8,
        cycleTestDays: 12,
        // NH1 on days 0, 1, 2; HC1 on 0 and 5; NH2 on 3: 6 ÷ 3 sites.
        cyclePickupsPerSite: 2,
      },
      {
        regionCode: 1081,
        // J on cycle day 0 (Tuesday), K and L on day 1 (Sunday): peak 2 ÷ ⌈3 ÷ 12⌉ = 2.
        cyclePeakRatio: 2,
        redWeekPeakRatio: 1,
        largestUnsplittableSession: 1,
        testWeekDailySpread: { min: 1, max: 2 },
        shiftTotals: { day: 3, evening: 0, night: 0 },
        pickupsInTestWeek: 2,
        deferred: 0,
        gapViolations: 0,
        testWeekTotal: 3,
        cycleTotal: 3,
        cycleTestDays: 12,
        // S851 on days 0 and 1.
        cyclePickupsPerSite: 2,
      },
    ]);
  });
});

describe("planWeek: what each staff member owes", () => {
  // With no lab capacity everything owed is deferred, with its reason and 6-week limit.
  const cases: {
    name: string;
    staff: StaffMember[];
    previous?: CycleSlot;
    redOrders?: RedTestOrder[];
    carried?: DeferredTest;
    weekdays?: RegionPlanSettings["testWeekdays"];
    deferred: { reason: string; dueWeek: number; latestDate: string }[];
    violations: number;
    dropped?: number;
  }[] = [
    {
      name: "a cycle slot on Wednesday of the test week: limit that Wednesday, already broken",
      staff: [member("E", "NH1")],
      previous: slot(4, 3),
      deferred: [{ reason: "cycle", dueWeek: 41, latestDate: "2020-10-07" }],
      violations: 1,
    },
    {
      name: "a red test, slot next Tuesday: limit next Tuesday",
      staff: [member("E", "NH1")],
      previous: slot(5, 2),
      redOrders: [RED_101],
      deferred: [{ reason: "red-week-1", dueWeek: 41, latestDate: "2020-10-13" }],
      violations: 0,
    },
    {
      name: "a red test, slot Monday of the test week before the start date: limit 6 weeks on",
      staff: [member("E", "NH1", "day", { startDate: "2020-10-07" })],
      previous: slot(4, 1),
      redOrders: [RED_101],
      deferred: [{ reason: "red-week-1", dueWeek: 41, latestDate: "2020-11-16" }],
      violations: 0,
    },
    {
      name: "a red order for other sites only: nothing owed",
      staff: [member("E", "NH1")],
      previous: slot(5, 2),
      redOrders: [{ municipalityCode: 101, reason: "red-retest", limitToSites: ["HC1"] }],
      deferred: [],
      violations: 0,
    },
    {
      name: "carried over, limit already past: its own limit, reason and due week",
      staff: [member("E", "NH1")],
      previous: slot(1, 3),
      carried: {
        employeeId: "E",
        siteId: "NH1",
        municipalityCode: 101,
        reason: "new-starter",
        dueWeek: { year: 2020, week: 39 },
        latestDate: "2020-10-02",
      },
      deferred: [{ reason: "new-starter", dueWeek: 39, latestDate: "2020-10-02" }],
      violations: 1,
    },
    {
      name: "carried over with a later limit than this week's cycle test: the earlier one",
      staff: [member("E", "NH1")],
      previous: slot(4, 4),
      carried: {
        employeeId: "E",
        siteId: "NH1",
        municipalityCode: 101,
        reason: "red-retest",
        dueWeek: { year: 2020, week: 40 },
        latestDate: "2020-10-30",
      },
      deferred: [{ reason: "red-retest", dueWeek: 40, latestDate: "2020-10-08" }],
      violations: 1,
    },
    {
      name: "carried over for someone starting Saturday: carried again as it was",
      staff: [member("E", "NH1", "day", { startDate: "2020-10-10" })],
      carried: {
        employeeId: "E",
        siteId: "NH1",
        municipalityCode: 101,
        reason: "new-starter",
        dueWeek: { year: 2020, week: 40 },
        latestDate: "2020-10-09",
      },
      deferred: [{ reason: "new-starter", dueWeek: 40, latestDate: "2020-10-09" }],
      violations: 1,
      dropped: 0,
    },
    {
      name: "carried over for someone gone by the first test day (Wednesday): no longer owed",
      staff: [member("E", "NH1", "day", { endDate: "2020-10-06" })],
      previous: slot(5, 3),
      weekdays: [3, 4],
      carried: {
        employeeId: "E",
        siteId: "NH1",
        municipalityCode: 101,
        reason: "cycle",
        dueWeek: { year: 2020, week: 40 },
        latestDate: "2020-10-09",
      },
      deferred: [],
      violations: 0,
      dropped: 1,
    },
    {
      name: "carried over for a leaver (end date before the Monday): dropped with the slot",
      staff: [member("E", "NH1", "day", { endDate: "2020-10-02" })],
      previous: slot(4, 3),
      carried: {
        employeeId: "E",
        siteId: "NH1",
        municipalityCode: 101,
        reason: "cycle",
        dueWeek: { year: 2020, week: 40 },
        latestDate: "2020-10-09",
      },
      deferred: [],
      violations: 0,
      dropped: 1,
    },
  ];

  it.each(cases)(
    "$name",
    ({ staff, previous, redOrders, carried, weekdays, deferred, violations, dropped }) => {
      const result = plan({
        regions: [region(1084, weekdays ?? [1, 2, 3, 4, 5], 0)],
        staff,
        previousSlots: previous === undefined ? new Map() : slotsOf([["E", previous]]),
        redOrders: redOrders ?? [],
        carriedOver: carried === undefined ? [] : [carried],
      });
      expect(result.tests).toEqual([]);
      expect(
        result.deferred.map((d) => ({ reason: d.reason, dueWeek: d.dueWeek.week, latestDate: d.latestDate })),
      ).toEqual(deferred);
      expect(result.deferred.map((d) => [d.employeeId, d.siteId, d.municipalityCode])).toEqual(
        deferred.map(() => ["E", "NH1", 101]),
      );
      expect(result.quality[0]?.deferred).toBe(deferred.length);
      expect(result.quality[0]?.gapViolations).toBe(violations);
      expect(result.deferrals.map((r) => [r.count, r.gapViolations])).toEqual(
        deferred.length === 0 ? [] : [[1, violations]],
      );
      expect(result.changes.carriedOverDropped).toBe(dropped ?? 0);
    },
  );

  it("carries a test again unchanged", () => {
    const carried: DeferredTest = {
      employeeId: "E",
      siteId: "NH1",
      municipalityCode: 101,
      reason: "new-starter",
      dueWeek: { year: 2020, week: 40 },
      latestDate: "2020-10-19",
    };
    const result = plan({
      staff: [member("E", "NH1", "day", { startDate: "2020-10-10" })],
      carriedOver: [carried],
    });
    expect(result.deferred).toEqual([carried]);
    expect(result.quality[0]?.gapViolations).toBe(0);
    expect(result.deferrals).toEqual([
      {
        municipalityCode: 101,
        regionCode: 1084,
        siteKind: "nursing-home",
        reason: "new-starter",
        count: 1,
        gapViolations: 0,
      },
    ]);
  });
});

describe("planWeek: which day a red test goes on", () => {
  // C1 and C2 have cycle slots on Monday and Tuesday of the test week; R's slot is next week.
  // Municipality 101 is red (week-1 tests): C1 and C2 are tested on their slot days.
  it.each([
    // Employed all week: flexible, onto the lowest day (Monday and Tuesday carry one each):
    // the week filled evenly from the bottom leaves room on Wednesday to Friday, the first is
    // Wednesday.
    { name: "employed all week: the first of the lowest days", dates: {}, date: "2020-10-07" },
    { name: "starting Wednesday: on Wednesday", dates: { startDate: "2020-10-07" }, date: "2020-10-07" },
    { name: "starting Thursday: on Thursday", dates: { startDate: "2020-10-08" }, date: "2020-10-08" },
    {
      name: "leaving Tuesday: on Monday, the first day employed",
      dates: { endDate: "2020-10-06" },
      date: "2020-10-05",
    },
  ])("$name", ({ dates, date }) => {
    const result = plan({
      staff: [member("C1", "NH1"), member("C2", "NH1"), member("R", "NH1", "day", dates)],
      previousSlots: slotsOf([
        ["C1", slot(4, 1)],
        ["C2", slot(4, 2)],
        ["R", slot(5, 2)],
      ]),
      redOrders: [RED_101],
    });
    expect(result.tests.map((t) => [t.employeeId, t.date, t.reason])).toEqual([
      ["C1", "2020-10-05", "red-week-1"],
      ["C2", "2020-10-06", "red-week-1"],
      ["R", date, "red-week-1"],
    ]);
    expect(result.quality[0]?.gapViolations).toBe(0);
  });
});

describe("planWeek: flexible red tests of one site", () => {
  it("split over the week's lowest days in proportion to the site's shifts", () => {
    // Monday/Wednesday testing, nothing fixed: level 2, two a day, one of each shift per day.
    const staff = [
      member("D0", "NH1"),
      member("D1", "NH1"),
      member("N0", "NH1", "night"),
      member("N1", "NH1", "night"),
    ];
    const result = plan({
      regions: [region(1084, [1, 3])],
      staff,
      previousSlots: slotsOf(staff.map((m) => [m.employeeId, slot(5, 1, "NH1", m.shift)])),
      redOrders: [RED_101],
    });
    expect(result.tests.map((t) => [t.employeeId, t.date])).toEqual([
      ["D0", "2020-10-05"],
      ["D1", "2020-10-07"],
      ["N0", "2020-10-05"],
      ["N1", "2020-10-07"],
    ]);
  });
});

describe("planWeek: slots", () => {
  /*
   * One staff member whose stored slot cannot be kept gets a new one. Alone in the region
   * (Monday to Friday), a slot without a deadline goes to the cycle's even share: the 30 cycle
   * days hold one slot, on the last day (Friday five weeks on: cycle week 3). A moved member's
   * deadline is the old slot's next occurrence.
   */
  it.each([
    { name: "cycle week 6 does not exist", previous: slot(6, 3), next: slot(3, 5), late: 0 },
    { name: "cycle week -1 does not exist", previous: slot(-1, 3), next: slot(3, 5), late: 0 },
    { name: "cycle week 1.5 does not exist", previous: slot(1.5, 3), next: slot(3, 5), late: 0 },
    {
      name: "weekday 0 does not exist",
      previous: slot(4, 0 as CycleSlot["weekday"]),
      next: slot(3, 5),
      late: 0,
    },
    {
      name: "weekday 8 does not exist",
      previous: slot(4, 8 as CycleSlot["weekday"]),
      next: slot(3, 5),
      late: 0,
    },
    {
      name: "weekday 2.5 does not exist",
      previous: slot(4, 2.5 as CycleSlot["weekday"]),
      next: slot(3, 5),
      late: 0,
    },
    {
      // Next Tuesday (cycle week 5) was the old slot's next test: any day up to then; all are
      // equally empty, the first is Monday of the test week.
      name: "a shift change keeps the old slot's deadline",
      previous: slot(5, 2, "NH1", "evening"),
      next: slot(4, 1),
      late: 0,
    },
    {
      name: "a site change keeps the old slot's deadline",
      previous: slot(5, 2, "HC1"),
      next: slot(4, 1),
      late: 0,
    },
    {
      // Saturday is no test day of the region: a new slot, by the old one's next occurrence.
      name: "a weekday the region no longer tests keeps the old slot's deadline",
      previous: slot(5, 6),
      next: slot(4, 1),
      late: 0,
    },
  ])("$name", ({ previous, next, late }) => {
    const result = plan({ staff: [member("E", "NH1")], previousSlots: slotsOf([["E", previous]]) });
    expect(result.slots.get(staffKey(101, "E"))).toEqual(next);
    expect(result.changes).toMatchObject({ kept: 0, added: 0, moved: 1, removed: 0 });
    expect(result.quality[0]?.gapViolations).toBe(late);
  });

  it("splits a site's new slots over days in proportion to its shifts", () => {
    /*
     * Monday testing only: 6 cycle days, one per week. 4 new slots are spread evenly: one each
     * on days 1, 2, 4, 5 (⌊(d + 1) × 4 ÷ 6⌋ − ⌊d × 4 ÷ 6⌋). NH1 (2 day, 2 night) fits no day
     * whole, so each day takes one, alternating shifts by largest remainder: day, night, day,
     * night. Day d is cycle week (4 + d) mod 6.
     */
    const result = plan({
      regions: [region(1084, [1])],
      staff: [
        member("D0", "NH1"),
        member("D1", "NH1"),
        member("N0", "NH1", "night"),
        member("N1", "NH1", "night"),
      ],
    });
    expect([...result.slots]).toEqual([
      ["101:D0", slot(5, 1)],
      ["101:D1", slot(2, 1)],
      ["101:N0", slot(0, 1, "NH1", "night")],
      ["101:N1", slot(3, 1, "NH1", "night")],
    ]);
  });

  it("skips rows whose site, municipality or region is not configured and counts removed slots", () => {
    const result = plan({
      regions: [region(1084, [1, 2, 3, 4, 5])],
      sites: [...SITES, { id: "X", municipalityCode: 999, kind: "home-care", name: "X", address: "x" }],
      staff: [
        member("E", "NH1"),
        member("unknown-site", "nowhere"),
        member("unknown-municipality", "X", "day", { municipalityCode: 999 }),
        member("unplanned-region", "S851"),
      ],
      previousSlots: slotsOf([
        ["E", slot(4, 3)],
        ["gone", slot(4, 3)],
      ]),
    });
    expect([...result.slots.keys()]).toEqual(["101:E"]);
    expect(result.changes).toEqual({
      kept: 1,
      added: 0,
      removed: 1,
      moved: 0,
      carriedOverDropped: 0,
      skippedRows: 3,
    });
  });
});

describe("planWeek: deferral report across regions", () => {
  it("orders the report by priority, not by region: a red municipality's line first", () => {
    // No capacity anywhere; Aalborg's region (1081) is planned first, but København is red.
    const result = plan({
      regions: [region(1081, [1, 2, 3, 4, 5], 0), region(1084, [1, 2, 3, 4, 5], 0)],
      staff: [member("E1", "S851"), member("E2", "NH1")],
      previousSlots: slotsOf([
        ["E1", slot(4, 2, "S851")],
        ["E2", slot(4, 3)],
      ]),
      statusByCode: new Map([
        [851, { status: "green", incidence: 10 }],
        [101, { status: "red", incidence: 50 }],
      ]),
    });
    expect(result.deferred.map((d) => d.employeeId)).toEqual(["E1", "E2"]);
    expect(result.deferrals.map((r) => [r.municipalityCode, r.regionCode, r.siteKind, r.count])).toEqual([
      [101, 1084, "nursing-home", 1],
      [851, 1081, "home-care", 1],
    ]);
  });

  it("carries again a test of a site no longer listed, outside every region's count", () => {
    const carried: DeferredTest = {
      employeeId: "E",
      siteId: "GONE",
      municipalityCode: 147,
      reason: "cycle",
      dueWeek: { year: 2020, week: 40 },
      latestDate: "2020-10-05",
    };
    // E of Frederiksberg (147), now at NH2, starts after the week's last test day.
    const result = plan({
      staff: [member("E", "NH2", "day", { startDate: "2020-10-10" })],
      carriedOver: [carried],
    });
    expect(result.deferred).toEqual([carried]);
    expect(result.quality[0]).toMatchObject({ deferred: 0, gapViolations: 0 });
    // Its limit (Monday) is past: a gap violation in the report, without a region or site kind.
    expect(result.deferrals).toEqual([
      {
        municipalityCode: 147,
        regionCode: 0,
        siteKind: "home-care",
        reason: "cycle",
        count: 1,
        gapViolations: 1,
      },
    ]);
  });

  it("does not give a carried test to the same employee id of another municipality", () => {
    // E of Frederiksberg (147) owes a test; E of København (101) is someone else.
    const carried: DeferredTest = {
      employeeId: "E",
      siteId: "NH2",
      municipalityCode: 147,
      reason: "cycle",
      dueWeek: { year: 2020, week: 40 },
      latestDate: "2020-10-05",
    };
    const result = plan({
      staff: [member("E", "NH1", "day", { startDate: "2020-10-10" })],
      carriedOver: [carried],
    });
    expect(result.deferred).toEqual([]);
    expect(result.changes.carriedOverDropped).toBe(1);
  });

  it("without slots (withSlots false: the look-ahead) plans the same tests, returns no slots, counts drops alike", () => {
    // E of Frederiksberg (147) owes a test and is gone: dropped. F of København (101) owes one
    // and is still there: carried into this week, not dropped.
    const owed = (employeeId: string, siteId: string, municipalityCode: number): DeferredTest => ({
      employeeId,
      siteId,
      municipalityCode,
      reason: "cycle",
      dueWeek: { year: 2020, week: 40 },
      latestDate: "2020-10-05",
    });
    const result = plan({
      staff: [member("F", "NH1", "day")],
      carriedOver: [owed("E", "NH2", 147), owed("F", "NH1", 101)],
      withSlots: false,
    });
    expect(result.slots.size).toBe(0);
    expect(result.changes.carriedOverDropped).toBe(1);
    expect(result.tests.map((t) => [t.municipalityCode, t.employeeId, t.reason])).toEqual([
      [101, "F", "cycle"],
    ]);
  });
});
