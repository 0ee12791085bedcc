import { describe, expect, it } from "vitest";
import {
  owesMakeUp,
  reviewAttendance,
  type AttendanceHistory,
  type MissedTest,
  type RecordedTest,
} from "../../src/domain/attendance.ts";
import type { IsoWeek, Weekday } from "../../src/domain/calendar.ts";
import type { CycleSlot, PlanInput, RedTestOrder, TestReason } from "../../src/domain/plan-types.ts";
import { planWeek } from "../../src/domain/planner.ts";
import type { Site, StaffMember } from "../../src/domain/roster.ts";

const ANCHOR: IsoWeek = { year: 2020, week: 1 };
const W = (week: number): IsoWeek => ({ year: 2020, week });

function missed(partial: Partial<MissedTest>): MissedTest {
  return {
    municipalityCode: 101,
    employeeId: "A",
    date: "2020-10-05",
    testWeek: W(41),
    reason: "cycle",
    red: false,
    status: "absent",
    recent: true,
    lastTaken: "2020-08-24",
    limit: "2020-10-05",
    ...partial,
  };
}

describe("owesMakeUp", () => {
  it.each([
    {
      name: "a missed cycle test: the limit is long before the next slot",
      m: {},
      next: "2020-11-16",
      red: false,
      owes: true,
    },
    {
      name: "the next slot on the limit itself keeps 6 weeks (day 42)",
      m: { limit: "2020-11-16" },
      next: "2020-11-16",
      red: false,
      owes: false,
    },
    {
      name: "the limit one day before the next slot",
      m: { limit: "2020-11-15" },
      next: "2020-11-16",
      red: false,
      owes: true,
    },
    {
      name: "a missed red test, municipality still red, clock fine",
      m: { red: true, reason: "red-week-1", limit: "2020-11-30" },
      next: "2020-11-16",
      red: true,
      owes: true,
    },
    {
      name: "a missed red test learned of earlier, municipality red (again), clock fine",
      m: { red: true, reason: "red-week-1", limit: "2020-11-30", recent: false },
      next: "2020-11-16",
      red: true,
      owes: false,
    },
    {
      name: "a missed red test, municipality green again, clock fine",
      m: { red: true, reason: "red-week-1", limit: "2020-11-30" },
      next: "2020-11-16",
      red: false,
      owes: false,
    },
  ] as const)("$name", ({ m, next, red, owes }) => {
    expect(owesMakeUp(missed(m), next, red)).toBe(owes);
  });
});

function recorded(
  employeeId: string,
  week: number,
  date: string,
  reason: TestReason = "cycle",
): RecordedTest {
  return {
    employeeId,
    siteId: "S1",
    municipalityCode: 101,
    regionCode: 1084,
    date,
    weekday: 1,
    shift: "day",
    reason,
    testWeek: W(week),
  };
}

describe("reviewAttendance: what a run knows of each planned test", () => {
  // Returns from W40 on; W39 is before the first return (untracked).
  const history: AttendanceHistory = {
    trackedFrom: new Map([[101, W(40)]]),
    returns: [
      { municipalityCode: 101, testWeek: W(40) },
      { municipalityCode: 101, testWeek: W(41) },
    ],
    outcomes: [
      { municipalityCode: 101, employeeId: "T", date: "2020-09-28", shift: "day", outcome: "taken" },
      { municipalityCode: 101, employeeId: "D", date: "2020-10-05", shift: "day", outcome: "declined" },
    ],
    planned: [
      recorded("U", 39, "2020-09-21"),
      recorded("T", 40, "2020-09-28"),
      recorded("N", 41, "2020-10-05"), // row left blank in W41's return
      recorded("D", 41, "2020-10-05"),
      recorded("P", 42, "2020-10-12"), // the week before the run week: within a grace of 2
      recorded("Q", 43, "2020-10-19"), // the run week itself: in progress
    ],
  };

  it.each([
    {
      grace: 1,
      statuses: {
        U: "untracked",
        T: "taken",
        N: "not-reported",
        D: "declined",
        P: "not-reported",
        Q: "pending",
      },
    },
    {
      grace: 2,
      statuses: { U: "untracked", T: "taken", N: "not-reported", D: "declined", P: "pending", Q: "pending" },
    },
  ])("run of 2020-W43, grace $grace", ({ grace, statuses }) => {
    const review = reviewAttendance({ runWeek: W(43), graceWeeks: grace, history });
    expect(Object.fromEntries(review.tests.map((t) => [t.test.employeeId, t.status]))).toEqual(statuses);
    // Missed: the latest test absent or not reported; declined is no miss, pending not yet.
    expect([...review.missed.keys()].sort()).toEqual(grace === 1 ? ["101:N", "101:P"] : ["101:N"]);
    expect(review.missed.get("101:N")).toMatchObject({
      status: "not-reported",
      recent: grace === 2,
      lastTaken: null,
      limit: "2020-10-05",
    });
  });

  it("tests after the run week are not looked at (a rerun plans from the same facts)", () => {
    const review = reviewAttendance({ runWeek: W(41), graceWeeks: 1, history });
    expect(review.tests.map((t) => t.test.employeeId)).toEqual(["U", "T", "N", "D"]);
  });

  it("a later pending test covers an earlier miss; an untracked test counts as taken", () => {
    const review = reviewAttendance({
      runWeek: W(43),
      graceWeeks: 1,
      history: {
        ...history,
        outcomes: [
          { municipalityCode: 101, employeeId: "A", date: "2020-09-28", shift: "day", outcome: "absent" },
        ],
        planned: [
          recorded("A", 39, "2020-09-21"),
          recorded("A", 40, "2020-09-28"),
          recorded("A", 43, "2020-10-19", "make-up"),
        ],
      },
    });
    expect(review.missed.size).toBe(0);
    expect(review.staff.get("101:A")).toMatchObject({
      lastTaken: "2020-09-21",
      limit: "2020-11-02",
      latestSettled: { date: "2020-09-28", status: "absent" },
    });
  });
});

/*
 * A planning world for the rules below: region 1084 tests Monday–Friday; municipality 101 (green)
 * and 102, one nursing home each; cycle weeks count from 2020-W01 (test week 2020-W42 is cycle
 * week 5: its Monday is 12 October 2020).
 */
const REGION = {
  code: 1084,
  testWeekdays: [1, 2, 3, 4, 5] as Weekday[],
  pickupTime: "08:00",
  pickupDayOffset: 1,
};
const SITES: Site[] = [
  { id: "S1", municipalityCode: 101, kind: "nursing-home", name: "S1", address: "x" },
  { id: "S2", municipalityCode: 102, kind: "nursing-home", name: "S2", address: "x" },
];

type Person = { id: string; site?: string; slot: [cycleWeek: number, weekday: Weekday] };

function planInput(options: {
  people: Person[];
  capacity?: number;
  missed?: MissedTest[];
  status?: Record<number, "red" | "green">;
  redOrders?: RedTestOrder[];
  carriedOver?: PlanInput["carriedOver"];
  testWeek?: IsoWeek;
}): PlanInput {
  const staff: StaffMember[] = options.people.map((p) => ({
    employeeId: p.id,
    siteId: p.site ?? "S1",
    shift: "day",
  }));
  const previousSlots = new Map<string, CycleSlot>(
    options.people.map((p) => [
      p.id,
      { cycleWeek: p.slot[0], weekday: p.slot[1], shift: "day", siteId: p.site ?? "S1" },
    ]),
  );
  return {
    testWeek: options.testWeek ?? W(42),
    cycleAnchor: ANCHOR,
    regions: [{ ...REGION, labCapacityPerDay: options.capacity ?? 100 }],
    municipalities: [
      { code: 101, name: "M101", regionCode: 1084, population: 1, aliases: [] },
      { code: 102, name: "M102", regionCode: 1084, population: 1, aliases: [] },
    ],
    sites: SITES,
    staff,
    redOrders: options.redOrders ?? [],
    statusByCode: new Map([
      [101, { status: options.status?.[101] ?? "green", incidence: 10 }],
      [102, { status: options.status?.[102] ?? "green", incidence: 10 }],
    ]),
    previousSlots,
    carriedOver: options.carriedOver ?? [],
    missed: new Map((options.missed ?? []).map((m) => [`${m.municipalityCode}:${m.employeeId}`, m])),
  };
}

function tests(input: PlanInput): string[] {
  return planWeek(input)
    .tests.map((t) => `${t.employeeId} ${t.date} ${t.reason}`)
    .sort();
}

describe("make-up tests in the plan", () => {
  it("a missed red-week test is re-offered while the municipality is red, not once it is green", () => {
    // R's cycle slot is cycle week 2 (next: W45); the red week-1 test of W40 was missed, the last
    // taken test (W39's cycle test, 21-09) keeps the 6 weeks until 2 November.
    const redMiss = missed({
      employeeId: "R",
      date: "2020-09-28",
      testWeek: W(40),
      reason: "red-week-1",
      red: true,
      lastTaken: "2020-09-21",
      limit: "2020-11-02",
    });
    const people: Person[] = [{ id: "R", slot: [2, 1] }];
    expect(tests(planInput({ people, missed: [redMiss], status: { 101: "red" } }))).toEqual([
      "R 2020-10-12 make-up",
    ]);
    expect(tests(planInput({ people, missed: [redMiss], status: { 101: "green" } }))).toEqual([]);
  });

  it("a red test that takes a make-up's place still goes early: the owed person on Monday", () => {
    // Municipality 101 has red week-1 tests for everyone; a cycle test at S2 is fixed on Monday.
    // M missed a cycle test (owed): M's red test goes on Monday, the first day with room; the
    // others' are spread over the days with the lowest load (Tuesday to Friday).
    const people: Person[] = [
      { id: "C", site: "S2", slot: [5, 1] },
      ...["R1", "R2", "R3", "R4"].map((id): Person => ({ id, slot: [2, 1] })),
      { id: "M", slot: [0, 1] },
    ];
    const redOrders: RedTestOrder[] = [{ municipalityCode: 101, reason: "red-week-1", limitToSites: null }];
    const plan = planWeek(
      planInput({
        people,
        capacity: 3,
        missed: [missed({ employeeId: "M" })],
        redOrders,
        status: { 101: "red" },
      }),
    );
    expect(plan.tests.map((t) => `${t.employeeId} ${t.date} ${t.reason}`).sort()).toEqual([
      "C 2020-10-12 cycle",
      "M 2020-10-12 red-week-1",
      "R1 2020-10-13 red-week-1",
      "R2 2020-10-14 red-week-1",
      "R3 2020-10-15 red-week-1",
      "R4 2020-10-16 red-week-1",
    ]);
  });

  it("a declined test is not re-offered before the next cycle slot", () => {
    // D declined the cycle test of W41 (slot cycle week 4, Monday): nothing is missed, so the
    // plans of W42…W46 have no test for D, and W47 (cycle week 4 again) has the cycle test.
    const people: Person[] = [{ id: "D", slot: [4, 1] }];
    const planned = [42, 43, 44, 45, 46, 47].map((week) => [
      week,
      tests(planInput({ people, testWeek: W(week) })),
    ]);
    expect(planned).toEqual([
      [42, []],
      [43, []],
      [44, []],
      [45, []],
      [46, []],
      [47, ["D 2020-11-16 cycle"]],
    ]);
  });

  it("make-ups go on the earliest test day with room left after the fixed tests", () => {
    // Capacity 2 a day; Monday is full with two cycle tests (slots in cycle week 5, Monday), so the
    // three make-ups fill Tuesday, then Wednesday; the cycle test on Thursday stays there.
    const people: Person[] = [
      { id: "C1", slot: [5, 1] },
      { id: "C2", slot: [5, 1] },
      { id: "C3", slot: [5, 4] },
      { id: "M1", slot: [0, 1] },
      { id: "M2", slot: [0, 1] },
      { id: "M3", slot: [0, 1] },
    ];
    const owed = ["M1", "M2", "M3"].map((id) => missed({ employeeId: id, limit: "2020-10-05" }));
    expect(tests(planInput({ people, capacity: 2, missed: owed }))).toEqual([
      "C1 2020-10-12 cycle",
      "C2 2020-10-12 cycle",
      "C3 2020-10-15 cycle",
      "M1 2020-10-13 make-up",
      "M2 2020-10-13 make-up",
      "M3 2020-10-14 make-up",
    ]);
  });

  it("with capacity short, make-ups rank below red tests and above cycle tests: deferred in that order", () => {
    // One test a day, 5 a week. Demand: 2 red tests (municipality 102), 3 make-ups and 3 cycle
    // tests (municipality 101) = 8. The three cycle tests are deferred; with 4 a week (Friday
    // closed) the latest make-up by limit goes too: M3, whose limit is the latest.
    const people: Person[] = [
      { id: "R1", site: "S2", slot: [2, 1] },
      { id: "R2", site: "S2", slot: [2, 2] },
      { id: "M1", slot: [0, 1] },
      { id: "M2", slot: [0, 2] },
      { id: "M3", slot: [0, 3] },
      { id: "C1", slot: [5, 1] },
      { id: "C2", slot: [5, 2] },
      { id: "C3", slot: [5, 3] },
    ];
    const owed = [
      missed({ employeeId: "M1", limit: "2020-10-05" }),
      missed({ employeeId: "M2", limit: "2020-10-06" }),
      missed({ employeeId: "M3", limit: "2020-10-07" }),
    ];
    const redOrders: RedTestOrder[] = [{ municipalityCode: 102, reason: "red-week-1", limitToSites: null }];
    const input = planInput({ people, capacity: 1, missed: owed, redOrders, status: { 102: "red" } });
    const plan = planWeek(input);
    expect(plan.tests.map((t) => `${t.employeeId} ${t.reason}`).sort()).toEqual([
      "M1 make-up",
      "M2 make-up",
      "M3 make-up",
      "R1 red-week-1",
      "R2 red-week-1",
    ]);
    expect(plan.deferred.map((d) => d.employeeId).sort()).toEqual(["C1", "C2", "C3"]);

    const fourDays = {
      ...input,
      regions: [{ ...REGION, testWeekdays: [1, 2, 3, 4] as Weekday[], labCapacityPerDay: 1 }],
    };
    const short = planWeek(fourDays);
    expect(short.tests.map((t) => t.employeeId).sort()).toEqual(["M1", "M2", "R1", "R2"]);
    expect(short.deferred.map((d) => `${d.employeeId} ${d.reason} ${d.latestDate}`)).toEqual([
      "M3 make-up 2020-10-07",
      "C1 cycle 2020-10-12",
      "C2 cycle 2020-10-13",
      "C3 cycle 2020-10-14",
    ]);
    // Reported with numbers, make-ups before cycle tests; the make-up's limit is past (a violation).
    expect(short.deferrals.map((d) => [d.reason, d.count, d.gapViolations])).toEqual([
      ["make-up", 1, 1],
      ["cycle", 3, 3],
    ]);
    // Next week the deferred make-up is carried over and planned first.
    const next = planWeek({ ...fourDays, testWeek: W(43), carriedOver: short.deferred, missed: new Map() });
    expect(next.tests.map((t) => `${t.employeeId} ${t.reason}`)).toContain("M3 make-up");
  });
});
