import { owesMakeUp, type MissedTest } from "./attendance.ts";
import type { RedTestReason } from "./cadence.ts";
import type { Members } from "./cycle-slots.ts";
import { allowsShift, CYCLE_WEEKS, GAP_DAYS, type PlanFrame, type RegionFrame } from "./plan-frame.ts";
import type { DeferredTest, PlanInput, RedTestOrder, TestReason } from "./plan-types.ts";
import { isEmployedOn, staffKeyOf, type StaffMember } from "./roster.ts";

/** A municipality's red tests of the week: all its sites (`sites` null) or only the named ones. */
export type RedOrder = { readonly reason: RedTestReason; readonly sites: ReadonlySet<string> | null };

/**
 * Red orders by municipality. Several orders for one municipality merge: the first order's
 * reason counts, all sites win over a limit, and limits add up.
 */
export function indexRedOrders(orders: readonly RedTestOrder[]): Map<number, RedOrder> {
  const byCode = new Map<number, RedOrder>();
  for (const order of orders) {
    const earlier = byCode.get(order.municipalityCode);
    const sites =
      order.limitToSites === null || (earlier !== undefined && earlier.sites === null)
        ? null
        : new Set([...(earlier?.sites ?? []), ...order.limitToSites]);
    byCode.set(order.municipalityCode, { reason: earlier?.reason ?? order.reason, sites });
  }
  return byCode;
}

/**
 * Carried-over tests by identity (`staffKey`): one owed test per person, the one with the
 * earliest latest date.
 */
export function indexCarriedOver(carried: readonly DeferredTest[]): Map<string, DeferredTest> {
  const byId = new Map<string, DeferredTest>();
  for (const test of carried) {
    const key = staffKeyOf(test);
    const earlier = byId.get(key);
    if (earlier === undefined || test.latestDate < earlier.latestDate) byId.set(key, test);
  }
  return byId;
}

/** One region's tests of the week, one entry per test (parallel arrays). */
export type RegionDemand = {
  /** Member index (see `Members`). */
  readonly member: number[];
  /** Test-day index the test must be on, or -1 when it may go on any test day of the week. */
  readonly fixedDay: number[];
  readonly reason: TestReason[];
  /** The 6-week limit: last day (offset from the test week's Monday) the test keeps the gap. */
  readonly latest: number[];
  /** The carried-over test this one settles, if any. */
  readonly carried: (DeferredTest | undefined)[];
  /**
   * The test makes up a missed one (whatever its reason: a red test may take its place): it goes
   * as early in the week as capacity allows when it may go on any test day.
   */
  readonly early: boolean[];
};

export type DemandContext = {
  readonly frame: PlanFrame;
  readonly members: Members;
  readonly redOrders: ReadonlyMap<number, RedOrder>;
  readonly carriedById: ReadonlyMap<string, DeferredTest>;
  /** Missed tests by staff key (attendance); none when absent. */
  readonly missed?: ReadonlyMap<string, MissedTest> | undefined;
  /** The classification week's statuses: a missed red test is made up while the municipality is red. */
  readonly statusByCode?: PlanInput["statusByCode"] | undefined;
};

export type Demand = {
  /** Tests owed per region (same order as the frame's regions). */
  readonly demand: RegionDemand[];
  /** Carried-over tests of staff who have not started yet: owed again next week. */
  readonly carriedAgain: DeferredTest[];
  /** Carried-over tests of staff gone before the week's first test day: no longer owed. */
  readonly notOwed: number;
};

/**
 * The first test day `member` is employed on (preferring days their shift may be tested on), and
 * whether they are employed on every test day.
 */
function employedTestDays(member: StaffMember, shift: number, region: RegionFrame, frame: PlanFrame) {
  let first = -1;
  let firstAllowed = -1;
  let all = true;
  region.weekdays.forEach((weekday, testDay) => {
    if (isEmployedOn(member, frame.calendar.dateAt(weekday - 1))) {
      if (first < 0) first = testDay;
      if (firstAllowed < 0 && allowsShift(region, testDay, shift)) firstAllowed = testDay;
    } else all = false;
  });
  return { first: firstAllowed >= 0 ? firstAllowed : first, all };
}

/**
 * What each region owes in the test week, at most one test per staff member:
 * - a cycle test on the member's slot day when the slot falls in the test week and the member is
 *   employed that day; reason `new-starter` when the slot day is at most 42 days after the start
 *   date (day 42 included);
 * - a red test (week 1 or retest) for every staff member of a municipality with a red order (only
 *   the named sites under a limit-to-sites order); it replaces a cycle test due the same week and
 *   then stays on the slot day, so the 6-week gap is kept; otherwise it may go on any test day;
 * - a test carried over from an earlier week, merged into the above when there is one;
 * - a make-up test (reason `make-up`) for someone whose latest test was missed, when `owesMakeUp`
 *   says so (the 6-week limit from the last taken test falls before the next cycle test, or a red
 *   test was missed while the municipality is still red); its limit is the 6-week limit counted
 *   from the last taken test, so it is usually already past. A cycle test in the week makes it up.
 * A red, carried-over or make-up test of someone employed on only some test days goes on the first of
 * them; of someone not yet started it is carried again (`carriedAgain`); of someone gone before
 * the first test day it is no longer owed (`notOwed`).
 */
export function collectDemand(context: DemandContext): Demand {
  const { frame, members } = context;
  const { calendar, sites } = frame;
  const demand: RegionDemand[] = frame.regions.map(() => ({
    member: [],
    fixedDay: [],
    reason: [],
    latest: [],
    carried: [],
    early: [],
  }));
  const carriedAgain: DeferredTest[] = [];
  let notOwed = 0;
  for (let index = 0; index < members.list.length; index++) {
    const member = members.list[index] as StaffMember;
    const site = members.site[index] ?? 0;
    const regionIndex = sites.region[site] ?? 0;
    const region = frame.regions[regionIndex] as RegionFrame;
    const day = members.day[index] ?? 0;
    const slotOffset = region.offsetOfDay[day] ?? 0;
    const order = context.redOrders.get(sites.municipality[site] ?? 0);
    const red =
      order !== undefined && (order.sites === null || order.sites.has(member.siteId)) ? order : undefined;
    const key = members.key[index] as string;
    const carried = context.carriedById.get(key);
    const carriedLatest =
      carried === undefined ? Number.POSITIVE_INFINITY : calendar.offsetOf(carried.latestDate);
    const missed = context.missed?.get(key);
    const missedLatest = missed === undefined ? Number.POSITIVE_INFINITY : calendar.offsetOf(missed.limit);

    let fixedDay: number;
    let latest = slotOffset;
    let reason: TestReason = "cycle";
    const cycleTest = day < region.testDays && isEmployedOn(member, calendar.dateAt(slotOffset));
    const makeUp = !cycleTest && owesMakeUpNow(context, missed, region, day, slotOffset);
    if (cycleTest) {
      fixedDay = day;
      const start = member.startDate;
      if (start !== undefined && start >= calendar.dateAt(slotOffset - GAP_DAYS)) reason = "new-starter";
    } else if (red !== undefined || carried !== undefined || makeUp) {
      // No cycle test this week: the 6-week limit is the slot's next occurrence.
      if (day < region.testDays) latest += CYCLE_WEEKS * 7;
      const { first, all } = employedTestDays(member, members.shift[index] ?? 0, region, frame);
      if (first < 0) {
        // Not yet started: the test stays owed. Already gone by the first test day: nothing owed.
        const lastTestDate = calendar.dateAt((region.weekdays[region.testDays - 1] ?? 7) - 1);
        if (carried !== undefined && member.startDate !== undefined && member.startDate > lastTestDate) {
          carriedAgain.push(carried);
        } else if (carried !== undefined) notOwed += 1;
        continue;
      }
      fixedDay = all ? -1 : first;
    } else continue;
    if (makeUp) reason = "make-up";
    if (carried !== undefined) reason = carried.reason;
    if (red !== undefined) reason = red.reason;
    const owed = demand[regionIndex] as RegionDemand;
    owed.member.push(index);
    owed.fixedDay.push(fixedDay);
    owed.reason.push(reason);
    owed.latest.push(Math.min(latest, carriedLatest, missedLatest));
    owed.carried.push(carried);
    owed.early.push(makeUp || reason === "make-up");
  }
  return { demand, carriedAgain, notOwed };
}

/**
 * Whether a member without a cycle test this week owes a make-up test (see `owesMakeUp`): the
 * next cycle test is the slot's next occurrence (6 weeks on when the slot falls in this week but
 * the member does not work that day).
 */
function owesMakeUpNow(
  context: DemandContext,
  missed: MissedTest | undefined,
  region: RegionFrame,
  day: number,
  slotOffset: number,
): boolean {
  if (missed === undefined) return false;
  const nextCycleTest = slotOffset + (day < region.testDays ? CYCLE_WEEKS * 7 : 0);
  const red = context.statusByCode?.get(missed.municipalityCode)?.status === "red";
  return owesMakeUp(missed, context.frame.calendar.dateAt(nextCycleTest), red);
}
