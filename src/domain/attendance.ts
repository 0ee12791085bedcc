import { addDays, addWeeks, compareWeeks, formatIsoWeek, type IsoDate, type IsoWeek } from "./calendar.ts";
import { isRedTestReason } from "./cadence.ts";
import { GAP_DAYS } from "./plan-frame.ts";
import type { PlannedTest, TestReason } from "./plan-types.ts";
import { staffKey, type Shift } from "./roster.ts";

/** What a coordinator records per planned test (the workbook's list, the site sheet's boxes). */
export const ATTENDANCE_OUTCOMES = ["taken", "declined", "absent"] as const;
export type AttendanceOutcome = (typeof ATTENDANCE_OUTCOMES)[number];

/**
 * What a run knows of one planned test:
 * - an outcome the coordinator returned (`taken`, `declined`, `absent`);
 * - `not-reported`: no outcome came back by the grace (the run of test week + grace weeks);
 * - `pending`: no outcome yet, the grace has not passed;
 * - `untracked`: the municipality had not returned attendance yet when the test was due (before
 *   its first return), so the planner's old assumption holds: planned counts as done.
 */
export type TestStatus = AttendanceOutcome | "not-reported" | "pending" | "untracked";

/** How long a run looks back for planned tests and their outcomes (two 6-week cycles). */
export const ATTENDANCE_LOOKBACK_WEEKS = 12;

/** The default grace: a test week's attendance is due by the run of the week after it. */
export const DEFAULT_GRACE_WEEKS = 1;

/** One outcome a coordinator returned: the test is identified by person, date and shift. */
export type ReportedOutcome = {
  readonly municipalityCode: number;
  readonly employeeId: string;
  readonly date: IsoDate;
  readonly shift: Shift;
  readonly outcome: AttendanceOutcome;
};

/** A final planned test with the test week it was published for. */
export type RecordedTest = PlannedTest & { readonly testWeek: IsoWeek };

/** What the store holds about attendance, for the test weeks a run looks back on. */
export type AttendanceHistory = {
  /**
   * The first test week each municipality returned attendance for: its tests are tracked from that
   * week on. A municipality that never returned any is not tracked at all.
   */
  readonly trackedFrom: ReadonlyMap<number, IsoWeek>;
  /** The municipality-weeks with a return on record. */
  readonly returns: readonly { readonly municipalityCode: number; readonly testWeek: IsoWeek }[];
  readonly outcomes: readonly ReportedOutcome[];
  /** The final planned tests of the tracked municipalities in the window, in any order. */
  readonly planned: readonly RecordedTest[];
};

/** A test a person missed (absent, or not reported by the grace) and nothing newer is planned. */
export type MissedTest = {
  readonly municipalityCode: number;
  readonly employeeId: string;
  readonly date: IsoDate;
  readonly testWeek: IsoWeek;
  readonly reason: TestReason;
  /** The missed test was a red-flow test (week 1 or retest). */
  readonly red: boolean;
  readonly status: "absent" | "not-reported";
  /**
   * This run is the first to act on the miss: the missed test's week is the settled week (or
   * later, an outcome returned before the grace ran out). A missed red test is re-offered only then.
   */
  readonly recent: boolean;
  /** The last taken test on record (untracked tests count as taken), null when none. */
  readonly lastTaken: IsoDate | null;
  /** The 6-week limit counted from the last taken test (see {@link StaffAttendance.limit}). */
  readonly limit: IsoDate;
};

/** One person's attendance as a run sees it. */
export type StaffAttendance = {
  readonly municipalityCode: number;
  readonly employeeId: string;
  readonly lastTaken: IsoDate | null;
  /**
   * The date by which the next test keeps the 6-week rule: 42 days after the last taken test; a
   * person with no taken test on record was due at the latest on their first test on record.
   */
  readonly limit: IsoDate;
  /** The latest tracked test whose outcome is known or past the grace, if any. */
  readonly latestSettled: { readonly date: IsoDate; readonly status: SettledStatus } | null;
};

export type SettledStatus = AttendanceOutcome | "not-reported";

export type AttendanceReview = {
  readonly runWeek: IsoWeek;
  readonly graceWeeks: number;
  /** The latest test week whose attendance was due by this run: runWeek − grace. */
  readonly settledWeek: IsoWeek;
  readonly trackedFrom: ReadonlyMap<number, IsoWeek>;
  /** Municipality-weeks with a return (key `code|YYYY-Www`). */
  readonly returned: ReadonlySet<string>;
  /** Every planned test of the window with what is known of it. */
  readonly tests: readonly TestEntry[];
  /** By staff key, people with at least one tracked planned test in the window. */
  readonly staff: ReadonlyMap<string, StaffAttendance>;
  /** By staff key: people whose latest planned test was missed (see {@link MissedTest}). */
  readonly missed: ReadonlyMap<string, MissedTest>;
};

export type ReviewInput = {
  /** The classification week of the run (it plans runWeek + 1). */
  readonly runWeek: IsoWeek;
  /** Weeks after a test week by whose run its attendance must be in (at least 1). */
  readonly graceWeeks: number;
  readonly history: AttendanceHistory;
};

const SHIFT_ORDER: Readonly<Record<Shift, number>> = { day: 0, evening: 1, night: 2 };

/** Key of a municipality-week, e.g. `350|2020-W41`. */
export function returnKey(municipalityCode: number, testWeek: IsoWeek): string {
  return `${municipalityCode}|${formatIsoWeek(testWeek)}`;
}

function outcomeKey(municipalityCode: number, employeeId: string, date: IsoDate, shift: Shift): string {
  return `${staffKey(municipalityCode, employeeId)}|${date}|${shift}`;
}

/**
 * What is known of each planned test at the run of `runWeek`: a returned outcome; else, once
 * the grace has passed (test week ≤ runWeek − grace), `not-reported`; before that `pending`.
 * Tests of a municipality before its first return are `untracked`.
 */
function settle(input: ReviewInput): AttendanceReview["tests"] {
  const { history } = input;
  const settledWeek = addWeeks(input.runWeek, -input.graceWeeks);
  const outcomes = new Map<string, AttendanceOutcome>();
  for (const o of history.outcomes) {
    outcomes.set(outcomeKey(o.municipalityCode, o.employeeId, o.date, o.shift), o.outcome);
  }
  return history.planned.map((test) => {
    const from = history.trackedFrom.get(test.municipalityCode);
    if (from === undefined || compareWeeks(test.testWeek, from) < 0) {
      return { test, status: "untracked" as const };
    }
    const reported = outcomes.get(outcomeKey(test.municipalityCode, test.employeeId, test.date, test.shift));
    if (reported !== undefined) return { test, status: reported };
    return { test, status: compareWeeks(test.testWeek, settledWeek) <= 0 ? "not-reported" : "pending" };
  });
}

function byDateThenShift(a: RecordedTest, b: RecordedTest): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : SHIFT_ORDER[a.shift] - SHIFT_ORDER[b.shift];
}

/** A planned test with what is known of it. */
export type TestEntry = { readonly test: RecordedTest; readonly status: TestStatus };

/**
 * Each person's attendance (by staff key, in key order) from their tests: the last taken test (an
 * untracked test counts as taken: the municipality was not returning attendance yet), the 6-week
 * limit counted from it, the latest settled test, and their latest test of all.
 */
export function summarizeStaff(
  tests: readonly TestEntry[],
): Map<string, { readonly person: StaffAttendance; readonly latest: TestEntry }> {
  const byKey = new Map<string, TestEntry[]>();
  for (const entry of tests) {
    const key = staffKey(entry.test.municipalityCode, entry.test.employeeId);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [entry]);
    else list.push(entry);
  }
  const result = new Map<string, { person: StaffAttendance; latest: TestEntry }>();
  for (const key of [...byKey.keys()].sort()) {
    const list = (byKey.get(key) ?? []).sort((a, b) => byDateThenShift(a.test, b.test));
    const first = list[0];
    const latest = list.at(-1);
    if (first === undefined || latest === undefined) continue;
    let lastTaken: IsoDate | null = null;
    let latestSettled: StaffAttendance["latestSettled"] = null;
    for (const { test, status } of list) {
      if (status === "taken" || status === "untracked") lastTaken = test.date;
      if (status !== "pending" && status !== "untracked") latestSettled = { date: test.date, status };
    }
    const person: StaffAttendance = {
      municipalityCode: first.test.municipalityCode,
      employeeId: first.test.employeeId,
      lastTaken,
      limit: lastTaken === null ? first.test.date : addDays(lastTaken, GAP_DAYS),
      latestSettled,
    };
    result.set(key, { person, latest });
  }
  return result;
}

/**
 * Reviews the attendance of the test weeks a run looks back on (pure). Per person (by staff key,
 * municipality and employee id) see {@link summarizeStaff}; a person whose latest planned test
 * was missed — absent, or not reported by the grace — is listed in `missed`. A person whose latest
 * test is still pending (e.g. a make-up test in the week in progress) is not missed again; a
 * declined test is no miss: the person chose, and is offered a test again at the next cycle slot
 * (or the next red-flow test), not before. Only tests of test weeks up to the run week count: a
 * rerun of the week plans from the same facts.
 */
export function reviewAttendance(input: ReviewInput): AttendanceReview {
  const graceWeeks = Math.max(1, input.graceWeeks);
  const tests = settle({ ...input, graceWeeks }).filter(
    (entry) => compareWeeks(entry.test.testWeek, input.runWeek) <= 0,
  );
  const settledWeek = addWeeks(input.runWeek, -graceWeeks);
  const staff = new Map<string, StaffAttendance>();
  const missed = new Map<string, MissedTest>();
  for (const [key, { person, latest }] of summarizeStaff(tests)) {
    staff.set(key, person);
    if (latest.status !== "absent" && latest.status !== "not-reported") continue;
    missed.set(key, {
      municipalityCode: person.municipalityCode,
      employeeId: person.employeeId,
      date: latest.test.date,
      testWeek: latest.test.testWeek,
      reason: latest.test.reason,
      red: isRedTestReason(latest.test.reason),
      status: latest.status,
      recent: compareWeeks(latest.test.testWeek, settledWeek) >= 0,
      lastTaken: person.lastTaken,
      limit: person.limit,
    });
  }
  return {
    runWeek: input.runWeek,
    graceWeeks,
    settledWeek,
    trackedFrom: input.history.trackedFrom,
    returned: new Set(input.history.returns.map((r) => returnKey(r.municipalityCode, r.testWeek))),
    tests,
    staff,
    missed,
  };
}

/**
 * Whether a missed test must be made up in the test week being planned (the make-up rule), given
 * the person's next cycle test (`nextCycleTest`, their slot's next occurrence after this week)
 * and whether the municipality is red in the run's classification:
 * - when waiting for the slot would break the 6-week rule counted from the last taken test
 *   (the limit falls before the next cycle test: day 42 itself still keeps it);
 * - a missed red-flow test while the municipality is still red, whatever the 6-week clock says:
 *   re-offered in the first test week planned after the miss is known (`recent`); a municipality
 *   green by then leaves the person to their cycle slot, also should it turn red again later (a
 *   new red flow tests everyone anyway).
 * A person whose cycle test falls in the test week is tested on it anyway (no make-up needed).
 */
export function owesMakeUp(missed: MissedTest, nextCycleTest: IsoDate, municipalityRed: boolean): boolean {
  return (missed.red && missed.recent && municipalityRed) || missed.limit < nextCycleTest;
}
