import { describe, expect, it } from "vitest";
import { reportAttendance, type AttendanceReport } from "../../src/domain/attendance-report.ts";
import {
  reviewAttendance,
  type AttendanceOutcome,
  type RecordedTest,
  type ReportedOutcome,
} from "../../src/domain/attendance.ts";
import {
  addWeeks,
  dateInWeek,
  formatIsoWeek,
  type IsoWeek,
  type Weekday,
} from "../../src/domain/calendar.ts";
import type { CycleSlot, PlanInput, RegionPlanSettings, WeekPlan } from "../../src/domain/plan-types.ts";
import { planWeek } from "../../src/domain/planner.ts";
import type { Site, StaffMember } from "../../src/domain/roster.ts";

/*
 * Ten weekly runs (classification weeks 2020-W36…W45, test weeks W37…W46) of one small
 * municipality whose coordinator returns attendance from test week W37 on. Six staff members,
 * each with a fixed cycle slot (cycle weeks count from 2020-W01: W37 is cycle week 0); their
 * previous cycle tests (W31…W36) were planned before attendance was returned (untracked: they
 * count as taken). What comes back is scripted; every expectation below is worked out by hand
 * from the rule: a missed test (absent, or not reported by the run of the following week) is made
 * up in the first test week the next run plans, on its first test day (Monday), when waiting for
 * the next cycle slot would break the 6 weeks counted from the last taken test.
 */
const ANCHOR: IsoWeek = { year: 2020, week: 1 };
const REGION: RegionPlanSettings = {
  code: 1084,
  testWeekdays: [1, 2, 3, 4, 5],
  labCapacityPerDay: 100,
  pickupTime: "08:00",
  pickupDayOffset: 1,
};
const SITE: Site = { id: "S101-1", municipalityCode: 101, kind: "nursing-home", name: "S", address: "x" };
const SLOTS: Record<string, [cycleWeek: number, weekday: Weekday]> = {
  A: [0, 1],
  B: [1, 2],
  C: [2, 3],
  D: [3, 4],
  E: [4, 5],
  F: [5, 1],
};
const STAFF: StaffMember[] = Object.keys(SLOTS).map((id) => ({
  employeeId: id,
  siteId: SITE.id,
  shift: "day",
}));

/** What the coordinator returns per test week: outcome by employee id (missing: row left blank). */
const RETURNS: Record<number, Record<string, AttendanceOutcome>> = {
  37: { A: "absent" },
  38: { B: "declined" },
  39: { A: "taken" }, // C's row left blank: not reported
  40: { D: "taken" },
  41: { C: "absent", E: "absent" },
  42: { F: "taken" },
  43: { A: "taken", C: "taken", E: "taken" },
  // 44: no return at all
  45: { C: "taken" },
};

type RunResult = { plan: WeekPlan; report: AttendanceReport };

function week(n: number): IsoWeek {
  return { year: 2020, week: n };
}

/** The untracked cycle tests of W31…W36 (the cycle before attendance), as earlier runs planned them. */
function earlierCycle(): RecordedTest[] {
  return Object.entries(SLOTS).map(([id, [cycleWeek, weekday]]) => {
    const testWeek = week(31 + cycleWeek);
    return {
      employeeId: id,
      siteId: SITE.id,
      municipalityCode: 101,
      regionCode: REGION.code,
      date: dateInWeek(testWeek, weekday),
      weekday,
      shift: "day",
      reason: "cycle",
      testWeek,
    };
  });
}

function replay(): Map<number, RunResult> {
  const planned: RecordedTest[] = earlierCycle();
  const results = new Map<number, RunResult>();
  let previousSlots: ReadonlyMap<string, CycleSlot> = new Map(
    Object.entries(SLOTS).map(([id, [cycleWeek, weekday]]) => [
      id,
      { cycleWeek, weekday, shift: "day", siteId: SITE.id },
    ]),
  );
  let carriedOver: PlanInput["carriedOver"] = [];
  for (let run = 36; run <= 45; run++) {
    const runWeek = week(run);
    // Returns of test weeks up to the run week are in the store by its run (W37 returned after W37).
    const returned = Object.keys(RETURNS)
      .map(Number)
      .filter((t) => t <= run - 1);
    const outcomes: ReportedOutcome[] = returned.flatMap((t) =>
      Object.entries(RETURNS[t] ?? {}).map(([id, outcome]) => {
        const test = planned.find((p) => p.employeeId === id && p.testWeek.week === t);
        if (test === undefined) throw new Error(`no test of ${id} in week ${t}`);
        return { municipalityCode: 101, employeeId: id, date: test.date, shift: "day", outcome };
      }),
    );
    const review = reviewAttendance({
      runWeek,
      graceWeeks: 1,
      history: {
        trackedFrom: returned.length > 0 ? new Map([[101, week(37)]]) : new Map(),
        returns: returned.map((t) => ({ municipalityCode: 101, testWeek: week(t) })),
        outcomes,
        planned: planned.filter((p) => p.testWeek.week >= run - 11 && p.testWeek.week <= run),
      },
    });
    const plan = planWeek({
      testWeek: addWeeks(runWeek, 1),
      cycleAnchor: ANCHOR,
      regions: [REGION],
      municipalities: [{ code: 101, name: "M", regionCode: REGION.code, population: 1, aliases: [] }],
      sites: [SITE],
      staff: STAFF,
      redOrders: [],
      statusByCode: new Map([[101, { status: "green", incidence: 5 }]]),
      previousSlots,
      carriedOver,
      missed: review.missed,
    });
    const report = reportAttendance({ review, plan, staff: STAFF, sites: [SITE] });
    results.set(run, { plan, report });
    planned.push(...plan.tests.map((t) => ({ ...t, testWeek: plan.testWeek })));
    previousSlots = plan.slots;
    carriedOver = plan.deferred;
  }
  return results;
}

const results = replay();

function testsOf(run: number): string[] {
  const plan = results.get(run)?.plan;
  return (plan?.tests ?? []).map((t) => `${t.employeeId} ${t.date} ${t.reason}`).sort();
}

describe("ten weeks of attendance, one municipality, six staff", () => {
  it.each([
    { run: 36, tests: ["A 2020-09-07 cycle"] },
    { run: 37, tests: ["B 2020-09-15 cycle"] },
    // A was absent on 07-09: made up on Monday of W39, the first test week the next run plans.
    { run: 38, tests: ["A 2020-09-21 make-up", "C 2020-09-23 cycle"] },
    // B declined on 15-09: not offered again before the cycle slot (W44).
    { run: 39, tests: ["D 2020-10-01 cycle"] },
    // C's row of W39 came back blank: not reported by the run of W40, so made up in W41.
    { run: 40, tests: ["C 2020-10-05 make-up", "E 2020-10-09 cycle"] },
    { run: 41, tests: ["F 2020-10-12 cycle"] },
    // C missed the make-up too, E the cycle test: both made up on Monday of W43, beside A's cycle.
    { run: 42, tests: ["A 2020-10-19 cycle", "C 2020-10-19 make-up", "E 2020-10-19 make-up"] },
    { run: 43, tests: ["B 2020-10-27 cycle"] },
    { run: 44, tests: ["C 2020-11-04 cycle"] },
    // Nothing came back for W44: B's cycle test is not reported, made up on Monday of W46.
    { run: 45, tests: ["B 2020-11-09 make-up", "D 2020-11-12 cycle"] },
  ])("run of 2020-W$run plans $tests", ({ run, tests }) => {
    expect(testsOf(run)).toEqual(tests);
  });

  it.each([
    // asOf = Sunday of the settled week (run week − 1).
    { run: 38, asOf: "2020-09-13", assessed: 1, over: 1, declined: 0, missed: 1, maxDays: 6 },
    { run: 39, asOf: "2020-09-20", assessed: 2, over: 2, declined: 1, missed: 1, maxDays: 13 },
    { run: 40, asOf: "2020-09-27", assessed: 3, over: 2, declined: 1, missed: 1, maxDays: 4 },
    { run: 41, asOf: "2020-10-04", assessed: 4, over: 2, declined: 1, missed: 1, maxDays: 11 },
    { run: 42, asOf: "2020-10-11", assessed: 5, over: 3, declined: 1, missed: 2, maxDays: 18 },
    { run: 43, asOf: "2020-10-18", assessed: 6, over: 3, declined: 1, missed: 2, maxDays: 25 },
    { run: 44, asOf: "2020-10-25", assessed: 6, over: 1, declined: 1, missed: 0, maxDays: 0 },
    { run: 45, asOf: "2020-11-01", assessed: 6, over: 1, declined: 0, missed: 1, maxDays: 47 },
  ])(
    "run of 2020-W$run: staff over 6 weeks on $asOf",
    ({ run, asOf, assessed, over, declined, missed, maxDays }) => {
      const report = results.get(run)?.report as AttendanceReport;
      expect(report.asOf).toBe(asOf);
      expect(report.gap).toMatchObject({
        assessed,
        over6Weeks: over,
        declined,
        missed,
        notOffered: 0,
        maxDaysOverLimit: maxDays,
      });
    },
  );

  it.each([
    { run: 38, missed: 1, makeUp: 1, longest: 56 },
    { run: 39, missed: 0, makeUp: 0, longest: null },
    { run: 40, missed: 1, makeUp: 1, longest: 54 },
    { run: 41, missed: 0, makeUp: 0, longest: null },
    { run: 42, missed: 2, makeUp: 2, longest: 68 },
    { run: 43, missed: 0, makeUp: 0, longest: null },
    { run: 44, missed: 0, makeUp: 0, longest: null },
    { run: 45, missed: 1, makeUp: 1, longest: 97 },
  ])("run of 2020-W$run: $missed missed, $makeUp made up", ({ run, missed, makeUp, longest }) => {
    const owed = results.get(run)?.report.owed;
    expect(owed).toMatchObject({ missed, makeUp, covered: 0, deferred: 0, waitingForSlot: 0, gone: 0 });
    expect(owed?.longestDaysSinceTakenAtTest).toBe(longest);
  });

  it.each([
    { run: 38, week: 37, planned: 1, taken: 0, declined: 0, absent: 1, notReported: 0, returned: true },
    { run: 39, week: 38, planned: 1, taken: 0, declined: 1, absent: 0, notReported: 0, returned: true },
    { run: 40, week: 39, planned: 2, taken: 1, declined: 0, absent: 0, notReported: 1, returned: true },
    { run: 42, week: 41, planned: 2, taken: 0, declined: 0, absent: 2, notReported: 0, returned: true },
    { run: 44, week: 43, planned: 3, taken: 3, declined: 0, absent: 0, notReported: 0, returned: true },
    { run: 45, week: 44, planned: 1, taken: 0, declined: 0, absent: 0, notReported: 1, returned: false },
  ])("run of 2020-W$run: uptake of W$week", ({ run, week: testWeek, returned, ...counts }) => {
    const report = results.get(run)?.report as AttendanceReport;
    expect(formatIsoWeek(report.settledWeek)).toBe(`2020-W${testWeek}`);
    expect(report.uptake.total).toEqual(counts);
    expect(report.uptake.municipalities).toEqual([
      { municipalityCode: 101, returned, ...counts, sites: [{ siteId: SITE.id, ...counts }] },
    ]);
  });
});
