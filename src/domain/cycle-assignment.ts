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

/** The day for a member with a deadline: its site's session day if one is early enough and has room, else the roomiest. */
function chooseDeadlineDay(
  lastDay: number,
  room: Int32Array,
  siteDays: readonly number[] | undefined,
): number {
  let best = -1;
  for (const day of siteDays ?? []) {
    if (day <= lastDay && (room[day] ?? 0) > 0 && (best < 0 || (room[day] ?? 0) > (room[best] ?? 0)))
      best = day;
  }
  if (best >= 0) return best;
  best = 0;
  for (let day = 1; day <= lastDay; day++) if ((room[day] ?? 0) > (room[best] ?? 0)) best = day;
  return best;
}

/**
 * Gives every new member of a region a day of the 6-week cycle; kept slots never move (stability).
 * The region's daily load is held at its even share (see {@link evenDayQuotas}) over all test days
 * of the cycle:
 * 1. members with a deadline (a new starter's first test within 6 weeks of the start date, a moved
 *    member's next test within 6 weeks of the last one), earliest deadline first, take their site's
 *    session day when it is early enough and has room, else the early-enough day with the most
 *    room; when no day is early enough they take the first day and count as late;
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
  for (const { member, lastDay } of byDeadline) {
    if (lastDay < 0) late += 1;
    const site = siteOf[member] ?? 0;
    const day = chooseDeadlineDay(lastDay, room, siteDays.get(site));
    dayOf[member] = day;
    room[day] = (room[day] ?? 0) - 1;
    loads[day] = (loads[day] ?? 0) + 1;
    addSiteDay(siteDays, site, day);
  }

  packBundles(bundleBySite(input.free, siteOf, shiftOf, siteDays), room, dayOf);
  for (const member of input.free) {
    const day = dayOf[member] ?? 0;
    loads[day] = (loads[day] ?? 0) + 1;
    addSiteDay(siteDays, siteOf[member] ?? 0, day);
  }
  return { late };
}
