import {
  assignNewSlots,
  collectMembers,
  collectMembersAgain,
  slotsByEmployee,
  type PlannedRoster,
} from "./cycle-slots.ts";
import { reportDeferrals } from "./deferrals.ts";
import { createPlanFrame } from "./plan-frame.ts";
import type { CycleSlot, PlanInput, WeekPlan } from "./plan-types.ts";
import { carryAgain, createWeekTally, measurePlanQuality, placeRegionWeek } from "./region-week.ts";
import { staffKeyOf, type StaffMember } from "./roster.ts";
import { collectDemand, indexCarriedOver, indexRedOrders } from "./test-demand.ts";
import { planWeekPickups } from "./week-pickups.ts";

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
 * - Test days and pickups: a test weekday and shift whose samples would wait longer than the
 *   region's `pickups.maxWaitHours` for a pickup run is not chosen (see `listAllowedTestWeekdays`);
 *   a shift that no test weekday allows is tested on every test day and reported. The pickups of
 *   every region (runs, kits, routes) are planned from the tests (see `planWeekPickups`).
 */
export function planWeek(input: PlanInput): WeekPlan {
  return planWeekAndRoster(input).plan;
}

/** `input.sameRosterAs` when it was planned over the very roster and gave the very previous slots. */
function reusableRoster(input: PlanInput): PlannedRoster | undefined {
  const earlier = input.sameRosterAs;
  if (earlier === undefined) return undefined;
  const same =
    earlier.input.staff === input.staff &&
    earlier.input.sites === input.sites &&
    earlier.input.municipalities === input.municipalities &&
    earlier.input.regions === input.regions &&
    earlier.slots === input.previousSlots;
  return same ? earlier : undefined;
}

/**
 * {@link planWeek}, also giving the plan's members for the plan of the following week over the
 * same roster (`PlanInput.sameRosterAs`, the look-ahead): the roster is read once for both.
 * No members when the plan skipped a roster row (unknown site, a repeated identity): the next
 * plan then reads the roster itself.
 */
export function planWeekAndRoster(input: PlanInput): { plan: WeekPlan; roster: PlannedRoster | undefined } {
  const earlier = reusableRoster(input);
  const frame = createPlanFrame(input, earlier?.frame);
  // The earlier plan's members fit only while its site table does (the same regions test).
  const { members, cycles, counts } =
    earlier !== undefined && frame.sites === earlier.frame.sites
      ? collectMembersAgain(earlier.members, frame)
      : collectMembers(input, frame);
  const late = assignNewSlots(frame, cycles, members);
  const slots = input.withSlots === false ? new Map<string, CycleSlot>() : slotsByEmployee(members);
  if (slots === undefined) {
    return { plan: planWithoutRepeatedIds(input, members, counts.skipped), roster: undefined };
  }

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
  const pickupsByRegion = planWeekPickups({
    testWeek: input.testWeek,
    regions: frame.regions.map((region) => region.settings),
    sites: input.sites,
    tests: tally.tests,
    earlierTests: input.earlierTests,
    shiftsWithoutTestDay: new Map(
      frame.regions.map((region) => [region.settings.code, region.shiftsWithoutTestDay]),
    ),
    withRoutes: input.withRoutes,
  });

  // Carried-over tests no longer owed: of staff gone from the plan, or gone by the first test day.
  let carriedOverDropped = notOwed + carriedById.size;
  for (const key of members.key) if (carriedById.has(key)) carriedOverDropped -= 1;
  const roster: PlannedRoster | undefined =
    counts.skipped === 0
      ? {
          input: {
            staff: input.staff,
            sites: input.sites,
            municipalities: input.municipalities,
            regions: input.regions,
          },
          slots: input.withSlots === false ? undefined : slots,
          frame,
          members,
        }
      : undefined;
  const plan: WeekPlan = {
    testWeek: input.testWeek,
    tests: tally.tests,
    pickups: pickupsByRegion,
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
  return { plan, roster };
}

/**
 * One identity (municipality and employee id, see `staffKey`) on two roster rows is one person
 * with one slot: only the first plannable row counts, the others are reported as skipped. The
 * same employee id in two municipalities is two people (each HR system numbers its own staff).
 * Rare, so it is handled by planning again without them rather than checked row by row.
 */
function planWithoutRepeatedIds(
  input: PlanInput,
  plannable: { readonly list: readonly StaffMember[]; readonly key: readonly string[] },
  skipped: number,
): WeekPlan {
  const seen = new Set<string>();
  const staff: StaffMember[] = [];
  const staffKeys: string[] = [];
  plannable.list.forEach((member, index) => {
    const key = plannable.key[index] ?? staffKeyOf(member);
    if (seen.has(key)) return;
    seen.add(key);
    staff.push(member);
    staffKeys.push(key);
  });
  const plan = planWeek({ ...input, staff, staffKeys });
  const repeated = plannable.list.length - staff.length;
  return {
    ...plan,
    changes: { ...plan.changes, skippedRows: plan.changes.skippedRows + skipped + repeated },
  };
}
