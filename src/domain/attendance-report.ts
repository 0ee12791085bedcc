import {
  returnKey,
  summarizeStaff,
  type AttendanceReview,
  type MissedTest,
  type SettledStatus,
  type TestStatus,
} from "./attendance.ts";
import { addDays, compareWeeks, dateInWeek, daysBetween, type IsoDate, type IsoWeek } from "./calendar.ts";
import { GAP_DAYS } from "./plan-frame.ts";
import type { WeekPlan } from "./plan-types.ts";
import { isEmployedOn, staffKey, type Site, type StaffMember } from "./roster.ts";

/** Tests of a week by what came back (counts only). */
export type UptakeCounts = {
  readonly planned: number;
  readonly taken: number;
  readonly declined: number;
  readonly absent: number;
  readonly notReported: number;
};

export type SiteUptake = UptakeCounts & { readonly siteId: string };

export type MunicipalityUptake = UptakeCounts & {
  readonly municipalityCode: number;
  /** The municipality returned attendance for the week (a file, even with blank rows). */
  readonly returned: boolean;
  readonly sites: readonly SiteUptake[];
};

/**
 * What became of the people whose latest test was missed, in the plan of this run:
 * `makeUp` a make-up test, `covered` a cycle or red test this week anyway, `deferred` their test
 * did not fit the lab capacity (carried to the next run), `waitingForSlot` no make-up is owed (a
 * missed red test after the municipality turned green, the next cycle test keeping the 6-week
 * rule), `gone` no longer on the roster or left before the planned week. Owed tests carried forward = makeUp + covered + deferred.
 */
export type OwedCounts = {
  readonly missed: number;
  readonly makeUp: number;
  readonly covered: number;
  readonly deferred: number;
  readonly waitingForSlot: number;
  readonly gone: number;
};

/**
 * Staff past the 6-week limit counted from their last taken test, on the `asOf` date: those whose
 * latest offer they declined (they chose) apart from those who missed it (absent, not reported)
 * and those whose latest test was taken but whose next one is not (yet) in a published rota.
 */
export type GapCounts = {
  /** Staff on the roster with a tracked test on record whose outcome is settled. */
  readonly assessed: number;
  readonly over6Weeks: number;
  readonly declined: number;
  readonly missed: number;
  readonly notOffered: number;
};

export type AttendanceReport = {
  readonly graceWeeks: number;
  /** The test week whose attendance was due by this run (run week − grace). */
  readonly settledWeek: IsoWeek;
  /** The gap figures' date: the Sunday of the settled week. */
  readonly asOf: IsoDate;
  /** Municipalities returning attendance (from their first return on). */
  readonly trackedMunicipalities: number;
  readonly uptake: { readonly total: UptakeCounts; readonly municipalities: readonly MunicipalityUptake[] };
  readonly owed: OwedCounts & {
    readonly municipalities: readonly (OwedCounts & { readonly municipalityCode: number })[];
    /**
     * The longest time from the last taken test to the test planned this week for someone who
     * missed one (days; null when none): the true gap of a missed test, 6 weeks plus the time it
     * takes to learn of the miss and re-plan. Counted from the 6-week limit (see
     * `StaffAttendance.limit`), so a last taken test beyond the look-back counts from 42 days
     * before the first test on record.
     */
    readonly longestDaysSinceTakenAtTest: number | null;
  };
  readonly gap: GapCounts & {
    /** The most days past the 6-week limit among those who did not decline (0 when none). */
    readonly maxDaysOverLimit: number;
    readonly municipalities: readonly (GapCounts & { readonly municipalityCode: number })[];
  };
};

export type AttendanceReportInput = {
  readonly review: AttendanceReview;
  /** The plan of this run (runWeek + 1), made with `review.missed`. */
  readonly plan: WeekPlan;
  readonly staff: readonly StaffMember[];
  readonly sites: readonly Site[];
};

type MutableUptake = {
  planned: number;
  taken: number;
  declined: number;
  absent: number;
  notReported: number;
};

function emptyUptake(): MutableUptake {
  return { planned: 0, taken: 0, declined: 0, absent: 0, notReported: 0 };
}

function countOutcome(counts: MutableUptake, status: TestStatus): void {
  counts.planned += 1;
  if (status === "taken") counts.taken += 1;
  else if (status === "declined") counts.declined += 1;
  else if (status === "absent") counts.absent += 1;
  else if (status === "not-reported") counts.notReported += 1;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Uptake of the settled week per tracked municipality and site (untracked tests are left out). */
function measureUptake(review: AttendanceReview): AttendanceReport["uptake"] {
  const total = emptyUptake();
  const byCode = new Map<number, { counts: MutableUptake; sites: Map<string, MutableUptake> }>();
  for (const [code, from] of review.trackedFrom) {
    if (compareWeeks(from, review.settledWeek) <= 0)
      byCode.set(code, { counts: emptyUptake(), sites: new Map() });
  }
  for (const { test, status } of review.tests) {
    if (compareWeeks(test.testWeek, review.settledWeek) !== 0 || status === "untracked") continue;
    const municipality = byCode.get(test.municipalityCode);
    if (municipality === undefined) continue;
    let site = municipality.sites.get(test.siteId);
    if (site === undefined) municipality.sites.set(test.siteId, (site = emptyUptake()));
    countOutcome(site, status);
    countOutcome(municipality.counts, status);
    countOutcome(total, status);
  }
  const municipalities = [...byCode.entries()]
    .sort(([a], [b]) => a - b)
    .map(([municipalityCode, { counts, sites }]) => ({
      municipalityCode,
      returned: review.returned.has(returnKey(municipalityCode, review.settledWeek)),
      ...counts,
      sites: [...sites.entries()]
        .sort(([a], [b]) => compareIds(a, b))
        .map(([siteId, siteCounts]) => ({ siteId, ...siteCounts })),
    }));
  return { total, municipalities };
}

type MutableOwed = {
  missed: number;
  makeUp: number;
  covered: number;
  deferred: number;
  waitingForSlot: number;
  gone: number;
};

/** What the plan did with each missed test (see {@link OwedCounts}). */
function followOwed(
  missed: ReadonlyMap<string, MissedTest>,
  plan: WeekPlan,
  onRoster: ReadonlySet<string>,
): AttendanceReport["owed"] {
  const planned = new Map(plan.tests.map((t) => [staffKey(t.municipalityCode, t.employeeId), t]));
  const deferred = new Set(plan.deferred.map((t) => staffKey(t.municipalityCode, t.employeeId)));
  const total: MutableOwed = { missed: 0, makeUp: 0, covered: 0, deferred: 0, waitingForSlot: 0, gone: 0 };
  const byCode = new Map<number, MutableOwed>();
  let longest: number | null = null;
  for (const [key, test] of missed) {
    let counts = byCode.get(test.municipalityCode);
    if (counts === undefined) {
      counts = { missed: 0, makeUp: 0, covered: 0, deferred: 0, waitingForSlot: 0, gone: 0 };
      byCode.set(test.municipalityCode, counts);
    }
    const next = planned.get(key);
    const what: keyof MutableOwed =
      next !== undefined
        ? next.reason === "make-up"
          ? "makeUp"
          : "covered"
        : deferred.has(key)
          ? "deferred"
          : onRoster.has(key)
            ? "waitingForSlot"
            : "gone";
    for (const c of [counts, total]) {
      c.missed += 1;
      c[what] += 1;
    }
    if (next !== undefined) {
      // Days since the last taken test: the limit is 42 days after it (see `StaffAttendance.limit`).
      const days = daysBetween(test.limit, next.date) + GAP_DAYS;
      longest = longest === null ? days : Math.max(longest, days);
    }
  }
  return {
    ...total,
    municipalities: [...byCode.entries()]
      .sort(([a], [b]) => a - b)
      .map(([municipalityCode, counts]) => ({ municipalityCode, ...counts })),
    longestDaysSinceTakenAtTest: longest,
  };
}

type MutableGap = {
  assessed: number;
  over6Weeks: number;
  declined: number;
  missed: number;
  notOffered: number;
};

function bucketOf(status: SettledStatus): "declined" | "missed" | "notOffered" {
  return status === "declined" ? "declined" : status === "taken" ? "notOffered" : "missed";
}

/**
 * Staff past the 6-week limit on `asOf` (the Sunday of the settled week), from their tests up to
 * that day: everyone on the roster and employed that day whose municipality returns attendance
 * and who has a settled, tracked test by then, counted by municipality.
 */
function measureGap(
  review: AttendanceReview,
  employed: ReadonlyMap<string, boolean>,
  asOf: IsoDate,
): AttendanceReport["gap"] {
  const total: MutableGap = { assessed: 0, over6Weeks: 0, declined: 0, missed: 0, notOffered: 0 };
  const byCode = new Map<number, MutableGap>();
  let maxDaysOverLimit = 0;
  const upToAsOf = summarizeStaff(review.tests.filter((entry) => entry.test.date <= asOf));
  for (const [key, { person }] of upToAsOf) {
    const settled = person.latestSettled;
    if (employed.get(key) !== true || settled === null) continue;
    let counts = byCode.get(person.municipalityCode);
    if (counts === undefined) {
      counts = { assessed: 0, over6Weeks: 0, declined: 0, missed: 0, notOffered: 0 };
      byCode.set(person.municipalityCode, counts);
    }
    const over = person.limit < asOf;
    const bucket = bucketOf(settled.status);
    for (const c of [counts, total]) {
      c.assessed += 1;
      if (over) {
        c.over6Weeks += 1;
        c[bucket] += 1;
      }
    }
    if (over && bucket !== "declined") {
      maxDaysOverLimit = Math.max(maxDaysOverLimit, daysBetween(person.limit, asOf));
    }
  }
  return {
    ...total,
    maxDaysOverLimit,
    municipalities: [...byCode.entries()]
      .sort(([a], [b]) => a - b)
      .map(([municipalityCode, counts]) => ({ municipalityCode, ...counts })),
  };
}

/**
 * The attendance figures of one run (pure, counts only): the uptake of the settled test week per
 * tracked municipality and site (taken, declined, absent, not reported), what the plan did with
 * every missed test (make-up, covered by a cycle or red test, deferred, waiting for the cycle slot,
 * gone), and the staff past the 6-week limit counted from their last taken test on the Sunday of
 * the settled week, those who declined apart. The gap figure replaces the planned-only one where
 * attendance exists: it counts what happened, not what was planned.
 */
export function reportAttendance(input: AttendanceReportInput): AttendanceReport {
  const { review, plan } = input;
  const asOf = addDays(dateInWeek(review.settledWeek, 1), 6);
  const municipalityOf = new Map(input.sites.map((site) => [site.id, site.municipalityCode]));
  const planMonday = dateInWeek(plan.testWeek, 1);
  const onRoster = new Set<string>();
  const employed = new Map<string, boolean>();
  for (const member of input.staff) {
    const code = municipalityOf.get(member.siteId);
    if (code === undefined) continue;
    const key = staffKey(code, member.employeeId);
    // Still working in the planned week: a leaver whose end date passed counts as gone.
    if (member.endDate === undefined || member.endDate >= planMonday) onRoster.add(key);
    employed.set(key, employed.get(key) === true || isEmployedOn(member, asOf));
  }
  let trackedMunicipalities = 0;
  for (const from of review.trackedFrom.values()) {
    if (compareWeeks(from, review.runWeek) <= 0) trackedMunicipalities += 1;
  }
  return {
    graceWeeks: review.graceWeeks,
    settledWeek: review.settledWeek,
    asOf,
    trackedMunicipalities,
    uptake: measureUptake(review),
    owed: followOwed(review.missed, plan, onRoster),
    gap: measureGap(review, employed, asOf),
  };
}
