import { isRedTestReason } from "./cadence.ts";
import type { Status } from "./classify.ts";
import type { DeferralReport, TestReason } from "./plan-types.ts";
import type { SiteKind } from "./roster.ts";

/** What a test's priority depends on when its region's week does not fit the lab capacity. */
export type PriorityFacts = {
  /** The test was deferred by an earlier week and is owed since. */
  readonly carriedOver: boolean;
  readonly reason: TestReason;
  /** The municipality's effective status and incidence in the classification week (unknown: green, 0). */
  readonly status: { readonly status: Status; readonly incidence: number } | undefined;
  readonly siteKind: SiteKind;
};

/**
 * The priority rule, most important first. Each criterion ranks a test; the lower rank goes
 * first, and a criterion that ranks two tests alike leaves them to the next one.
 */
const PRIORITY_CRITERIA: readonly ((facts: PriorityFacts) => number)[] = [
  // Carried-over tests first: they are owed from earlier weeks.
  (facts) => (facts.carriedOver ? 0 : 1),
  // Red tests (week 1, retest) before green ones.
  (facts) => (isRedTestReason(facts.reason) ? 0 : 1),
  // Make-up tests (an earlier test was missed) just below red tests, before cycle and new starters:
  // the person is already past, or close to, the 6-week limit counted from the last taken test.
  (facts) => (facts.reason === "make-up" ? 0 : 1),
  // Tests in municipalities red in the classification week before those in green ones.
  (facts) => (facts.status?.status === "red" ? 0 : 1),
  // Higher incidence first.
  (facts) => -(facts.status?.incidence ?? 0),
  // Nursing homes before home care.
  (facts) => (facts.siteKind === "nursing-home" ? 0 : 1),
];

/** Reasons in report order, the last tie-break between deferral report lines. */
const REASON_ORDER: readonly TestReason[] = ["cycle", "new-starter", "red-week-1", "red-retest", "make-up"];

/** Tie-breaks of the planning order after the priority rule (see {@link createPlanningOrder}). */
export type PlanningTieBreaks = {
  /** The 6-week limit of each test (days from the test week's Monday): earliest first. */
  readonly latest: ArrayLike<number>;
  /** Site index, then member index (roster order). */
  readonly site: ArrayLike<number>;
  readonly member: ArrayLike<number>;
};

/**
 * The order in which a region's tests of the week get the lab capacity: the priority rule
 * (carried over, red test, make-up test, red municipality, higher incidence, nursing home), then the earliest
 * 6-week limit, then site and roster order. Returns a comparator over test indices `0 … count−1`;
 * the ranks are computed once per test, so sorting stays cheap at national scale.
 */
export function createPlanningOrder(
  count: number,
  factsOf: (test: number) => PriorityFacts,
  tieBreaks: PlanningTieBreaks,
): (a: number, b: number) => number {
  const ranks = PRIORITY_CRITERIA.map(() => new Float64Array(count));
  for (let test = 0; test < count; test++) {
    const facts = factsOf(test);
    PRIORITY_CRITERIA.forEach((criterion, index) => {
      (ranks[index] as Float64Array)[test] = criterion(facts);
    });
  }
  const { latest, site, member } = tieBreaks;
  return (a, b) => {
    for (const rank of ranks) {
      const difference = (rank[a] ?? 0) - (rank[b] ?? 0);
      if (difference) return difference;
    }
    return (
      (latest[a] ?? 0) - (latest[b] ?? 0) ||
      (site[a] ?? 0) - (site[b] ?? 0) ||
      (member[a] ?? 0) - (member[b] ?? 0)
    );
  };
}

/**
 * The order of deferral report lines: the same priority rule as planning, so the report reads
 * in the order the capacity went. A line sums the tests of one municipality, site kind and
 * reason, carried-over and new alike, so it ranks as not carried over; lines the rule ranks
 * alike follow municipality code, then reason (cycle, new starter, week 1, retest, make-up).
 */
export function compareDeferralReports(
  statusOf: (municipalityCode: number) => PriorityFacts["status"],
): (a: DeferralReport, b: DeferralReport) => number {
  const factsOf = (report: DeferralReport): PriorityFacts => ({
    carriedOver: false,
    reason: report.reason,
    status: statusOf(report.municipalityCode),
    siteKind: report.siteKind,
  });
  return (a, b) => {
    const factsA = factsOf(a);
    const factsB = factsOf(b);
    for (const criterion of PRIORITY_CRITERIA) {
      const difference = criterion(factsA) - criterion(factsB);
      if (difference) return difference;
    }
    return (
      a.municipalityCode - b.municipalityCode ||
      REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason)
    );
  };
}
