import { assignNewSlots, collectMembers, slotsByEmployee } from "./cycle-slots.ts";
import { reportDeferrals } from "./deferrals.ts";
import { createPlanFrame } from "./plan-frame.ts";
import type { PlanInput, WeekPlan } from "./plan-types.ts";
import {
  carryAgain,
  createWeekTally,
  measurePlanQuality,
  placeRegionWeek,
  planPickups,
} from "./region-week.ts";
import type { StaffMember } from "./roster.ts";
import { collectDemand, indexCarriedOver, indexRedOrders } from "./test-demand.ts";

export { CYCLE_WEEKS, GAP_DAYS, cycleWeekOf } from "./plan-frame.ts";

/**
 * Plans one test week for every region: the green cycle's share, red tests and carried-over
 * tests, within each region's lab capacity; returns the tests, pickups, the slots to keep, what
 * is deferred and the quality figures. Pure and deterministic (same input, same plan).
 *
 * Rules:
 * - Green cycle: every staff member has a fixed slot (week of the 6-week cycle, weekday, their own
 *   shift) and is tested on it every 6 weeks; week of cycle = weeksBetween(cycleAnchor, week) mod 6.
 *   Slots in `previousSlots` are kept while site and shift stay and the weekday is still a test
 *   day; leavers (end date before the test week, or gone from the roster) lose theirs; everyone
 *   else gets a new slot (see `assignCycleDays`) that keeps each region's daily load at its even
 *   share over the cycle's test days, sites together on as few days as possible. A new starter's
 *   first test falls within 42 days of the start date (reason `new-starter`); a moved member's
 *   next test within 42 days of the last one (see `collectMembers`).
 * - Red flow: all staff of a municipality in `redOrders` (only the named sites under a
 *   limit-to-sites order) are tested in the week, at most once: a red test replaces that week's
 *   cycle test on its slot day (the slot stays), the others are spread over the week's test days
 *   on top of the green load (water-filling, see `placeWeek`).
 * - Attendance: someone whose latest test was missed (absent, or not reported by the grace; see
 *   `reviewAttendance`) gets a make-up test this week when `owesMakeUp` says so, as early in the
 *   week as capacity allows, ranked just below red tests.
 * - Capacity: a region never plans more than `labCapacityPerDay` tests on a test day. Fixed tests
 *   of an over-full day move to other days of the same week; what does not fit the week is
 *   deferred (`deferred`, fed back as `carriedOver` and planned first next week) in priority order
 *   (see `createPlanningOrder`: carried over, red tests, red municipalities, higher incidence,
 *   nursing homes) and reported per municipality in the same order (`deferrals`). A deferred test
 *   whose 6-week limit falls in or before the test week, or a test moved off its cycle day,
 *   counts as a gap violation.
 * - Pickups: one per site and test date (see `planSitePickups`).
 */
export function planWeek(input: PlanInput): WeekPlan {
  const frame = createPlanFrame(input);
  const { members, cycles, counts } = collectMembers(input, frame);
  const late = assignNewSlots(frame, cycles, members);
  const slots = slotsByEmployee(members);
  if (slots === undefined) return planWithoutRepeatedIds(input, members.list, counts.skipped);

  const carriedById = indexCarriedOver(input.carriedOver);
  const redOrders = indexRedOrders(input.redOrders);
  const { demand, carriedAgain, notOwed } = collectDemand({
    frame,
    members,
    redOrders,
    carriedById,
    missed: input.missed,
    statusByCode: input.statusByCode,
  });
  const tally = createWeekTally(frame, late);
  demand.forEach((owed, regionIndex) =>
    placeRegionWeek(tally, frame, regionIndex, owed, members, input.statusByCode),
  );
  carryAgain(tally, frame, carriedAgain);
  const pickupsByRegion = planPickups(frame, tally.samples);

  // Carried-over tests no longer owed: of staff gone from the plan, or gone by the first test day.
  let carriedOverDropped = notOwed;
  for (const id of carriedById.keys()) if (!slots.has(id)) carriedOverDropped += 1;
  return {
    testWeek: input.testWeek,
    tests: tally.tests,
    pickups: pickupsByRegion.flat(),
    slots,
    deferred: tally.deferred.map((entry) => entry.test),
    deferrals: reportDeferrals(tally.deferred, input.statusByCode),
    quality: measurePlanQuality(frame, cycles, tally, pickupsByRegion),
    changes: {
      kept: counts.kept,
      added: counts.added,
      removed: input.previousSlots.size - counts.kept - counts.moved,
      moved: counts.moved,
      carriedOverDropped,
      skippedRows: counts.skipped,
    },
  };
}

/**
 * An employee id on two roster rows (e.g. someone working in two municipalities) is one person
 * with one slot: only the first plannable row counts, the others are reported as skipped. Rare,
 * so it is handled by planning again without them rather than checked row by row.
 */
function planWithoutRepeatedIds(
  input: PlanInput,
  plannable: readonly StaffMember[],
  skipped: number,
): WeekPlan {
  const seen = new Set<string>();
  const staff = plannable.filter((member) => !seen.has(member.employeeId) && seen.add(member.employeeId));
  const plan = planWeek({ ...input, staff });
  const repeated = plannable.length - staff.length;
  return {
    ...plan,
    changes: { ...plan.changes, skippedRows: plan.changes.skippedRows + skipped + repeated },
  };
}
