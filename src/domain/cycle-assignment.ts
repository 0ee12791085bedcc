import { bundleBySite, packBundles } from "./group-packing.ts";
import { addSiteDay, type SiteDays } from "./site-days.ts";

/** A staff member who needs a slot by a deadline (a new starter or someone whose slot moved). */
export type DeadlineMember = {
  readonly member: number;
  /** Last cycle day (in occurrence order from the test week) the slot may be on; -1 when none is early enough. */
  readonly lastDay: number;
};

/**
 * One region's green cycle. Days are the region's test days of the 6-week cycle in the order they
 * next occur from the test week: day 0 is the first test day of the test week, day `days − 1` the
 * last test day five weeks later.
 */
export type CycleRegionInput = {
  readonly days: number;
  /** Slots already held per day (kept from earlier runs); the new slots are added. */
  readonly loads: Int32Array;
  /** Days each site already has slots on (kept slots); the days of new slots are added. */
  readonly siteDays: SiteDays;
  readonly deadlines: readonly DeadlineMember[];
  /** New members without a deadline, in roster order. */
  readonly free: readonly number[];
  readonly siteOf: Int32Array;
  readonly shiftOf: Uint8Array;
  /** Output: the day of each new member's slot. */
  readonly dayOf: Int32Array;
  /**
   * Shift bits (day 1, evening 2, night 4) that may be tested on each day (the max-wait rule of
   * the pickups); every shift on every day when absent.
   */
  readonly shiftsOn?: Uint8Array | undefined;
};

/**
 * The even share of each day: ⌈total ÷ days⌉ on `total mod days` days spread evenly over the cycle
 * (so every week of the cycle carries the same load ±1), ⌊total ÷ days⌋ on the others.
 */
export function evenDayQuotas(total: number, days: number): Int32Array {
  const base = Math.floor(total / days);
  const extra = total % days;
  return Int32Array.from(
    { length: days },
    (_, day) => base + Math.floor(((day + 1) * extra) / days) - Math.floor((day * extra) / days),
  );
}

/**
 * The day for a member with a deadline: its site's session day if one is early enough, allowed
 * and has room, else the roomiest allowed day by the deadline; -1 when no allowed day is early
 * enough.
 */
function chooseDeadlineDay(
  lastDay: number,
  room: Int32Array,
  siteDays: readonly number[] | undefined,
  allowed: (day: number) => boolean,
): number {
  let best = -1;
  for (const day of siteDays ?? []) {
    if (
      day <= lastDay &&
      allowed(day) &&
      (room[day] ?? 0) > 0 &&
      (best < 0 || (room[day] ?? 0) > (room[best] ?? 0))
    )
      best = day;
  }
  if (best >= 0) return best;
  for (let day = 0; day <= lastDay; day++) {
    if (allowed(day) && (best < 0 || (room[day] ?? 0) > (room[best] ?? 0))) best = day;
  }
  return best;
}

/** The first day `allowed` takes, 0 when none does. */
function firstAllowedDay(days: number, allowed: (day: number) => boolean): number {
  for (let day = 0; day < days; day++) if (allowed(day)) return day;
  return 0;
}

/**
 * Gives every new member of a region a day of the 6-week cycle; kept slots never move (stability).
 * The region's daily load is held at its even share (see {@link evenDayQuotas}) over all test days
 * of the cycle:
 * 1. members with a deadline (a new starter's first test within 6 weeks of the start date, a moved
 *    member's next test within 6 weeks of the last one), earliest deadline first, take their site's
 *    session day when it is early enough and has room, else the early-enough day with the most
 *    room; when no day is early enough they take the first day and count as late;
 *    only days on which their shift may be tested (`shiftsOn`) count;
 * 2. the others are packed by site and shift ({@link packBundles}): first onto their site's
 *    existing session days, then largest site first, best fit, split only where a site fits no day.
 * Returns the number of members whose deadline cannot be met.
 */
export function assignCycleDays(input: CycleRegionInput): { late: number } {
  const { days, loads, siteDays, siteOf, shiftOf, dayOf } = input;
  const total = loads.reduce((sum, n) => sum + n, 0) + input.deadlines.length + input.free.length;
  const quotas = evenDayQuotas(total, days);
  const room = quotas.map((quota, day) => quota - (loads[day] ?? 0));

  let late = 0;
  const byDeadline = [...input.deadlines].sort((a, b) => a.lastDay - b.lastDay || a.member - b.member);
  const shiftsOn = input.shiftsOn;
  for (const { member, lastDay } of byDeadline) {
    const site = siteOf[member] ?? 0;
    const bit = 1 << (shiftOf[member] ?? 0);
    // A shift allowed on no day at all is allowed on every day (the plan reports it).
    const restricted = shiftsOn !== undefined && shiftsOn.some((mask) => (mask & bit) !== 0);
    const allowed = (day: number): boolean => !restricted || ((shiftsOn[day] ?? 0) & bit) !== 0;
    const chosen =
      lastDay < 0 ? -1 : chooseDeadlineDay(Math.min(lastDay, days - 1), room, siteDays.get(site), allowed);
    if (chosen < 0) late += 1;
    const day = chosen < 0 ? firstAllowedDay(days, allowed) : chosen;
    dayOf[member] = day;
    room[day] = (room[day] ?? 0) - 1;
    loads[day] = (loads[day] ?? 0) + 1;
    addSiteDay(siteDays, site, day);
  }

  packBundles(bundleBySite(input.free, siteOf, shiftOf, siteDays, shiftsOn), room, dayOf);
  for (const member of input.free) {
    const day = dayOf[member] ?? 0;
    loads[day] = (loads[day] ?? 0) + 1;
    addSiteDay(siteDays, siteOf[member] ?? 0, day);
  }
  return { late };
}
