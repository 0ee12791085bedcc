/**
 * The tests of one site to place on days: its shift groups (member indices, one group per shift)
 * and the days the site already has sessions on. Keeping a site on few days keeps pickups low.
 */
export type SiteBundle = {
  readonly groups: readonly (readonly number[])[];
  readonly preferredDays: readonly number[];
  /** 1 for each day the bundle may go on; every day when absent. */
  readonly allowed?: Uint8Array | undefined;
  /** The site: bundles of one site split by allowed days try each other's days first. */
  readonly site?: number | undefined;
};

/** Bits of the three shift codes (day 1, evening 2, night 4): a day on which every shift may be tested. */
export const ALL_SHIFTS = 0b111;

/**
 * The days each shift code may go on, from a mask of shift bits per day; undefined when every
 * shift may go on every day (nothing to restrict). A shift allowed on no day is allowed on all:
 * the planner reports it rather than leave its staff untested.
 */
function allowedDaysByShift(shiftsOn: Uint8Array | undefined): Uint8Array[] | undefined {
  if (shiftsOn === undefined || shiftsOn.every((mask) => mask === ALL_SHIFTS)) return undefined;
  return [0, 1, 2].map((shift) => {
    const days = Uint8Array.from(shiftsOn, (mask) => (mask >> shift) & 1);
    return days.includes(1) ? days : days.fill(1);
  });
}

/**
 * Bundles `items` by site (sites in order of first appearance), one group per shift (codes 0–2,
 * day, evening, night), items in the order given; each bundle prefers the days its site already
 * has sessions on (`siteDays`). With `shiftsOn` (shift bits per day: which shifts may be tested
 * that day), shifts allowed on different days go into separate bundles of the site, each with its
 * allowed days.
 */
export function bundleBySite(
  items: Iterable<number>,
  siteOf: ArrayLike<number>,
  shiftOf: ArrayLike<number>,
  siteDays: ReadonlyMap<number, readonly number[]>,
  shiftsOn?: Uint8Array,
): SiteBundle[] {
  const groupsBySite = new Map<number, number[][]>();
  for (const item of items) {
    const site = siteOf[item] ?? 0;
    let groups = groupsBySite.get(site);
    if (groups === undefined) {
      groups = [[], [], []];
      groupsBySite.set(site, groups);
    }
    (groups[shiftOf[item] ?? 0] as number[]).push(item);
  }
  const allowed = allowedDaysByShift(shiftsOn);
  if (allowed === undefined) {
    return [...groupsBySite].map(([site, groups]) => ({ groups, preferredDays: siteDays.get(site) ?? [] }));
  }
  // Shifts with the same allowed days stay together: one bundle per distinct set of days.
  const classes: { days: Uint8Array; shifts: number[] }[] = [];
  allowed.forEach((days, shift) => {
    const same = classes.find((c) => c.days.every((value, day) => value === days[day]));
    if (same === undefined) classes.push({ days, shifts: [shift] });
    else same.shifts.push(shift);
  });
  return [...groupsBySite].flatMap(([site, groups]) =>
    classes
      .map((c) => ({
        groups: groups.map((ids, shift) => (c.shifts.includes(shift) ? ids : [])),
        preferredDays: siteDays.get(site) ?? [],
        allowed: c.days,
        site,
      }))
      .filter((bundle) => bundle.groups.some((ids) => ids.length > 0)),
  );
}

type Cursor = { readonly ids: readonly number[]; next: number };

type OpenBundle = {
  readonly cursors: readonly Cursor[];
  remaining: number;
  readonly preferredDays: readonly number[];
  readonly allowed: Uint8Array | undefined;
  /** How many days the bundle may go on: the fewer, the earlier it is packed. */
  readonly choices: number;
  readonly site: number | undefined;
};

function isAllowed(bundle: OpenBundle, day: number): boolean {
  return bundle.allowed === undefined || bundle.allowed[day] === 1;
}

/**
 * Puts `limit` members of the bundle on `day` (all that are left when they fit). A site that must
 * be split is split in every shift in proportion (largest remainders), so both parts keep the
 * site's shift mix and each day stays balanced across shifts; pickups are per site and date, so
 * this costs no extra pickup.
 */
function placeInto(bundle: OpenBundle, day: number, limit: number, dayOf: Int32Array): number {
  const total = bundle.remaining;
  const count = Math.min(limit, total);
  const left = bundle.cursors.map((cursor) => cursor.ids.length - cursor.next);
  const take = left.map((n) => Math.floor((n * count) / total));
  let rest = count - take.reduce((sum, n) => sum + n, 0);
  const byRemainder = left
    .map((n, index) => ({ index, fraction: (n * count) / total - (take[index] ?? 0) }))
    // Equal remainders keep shift order (the sort is stable).
    .sort((a, b) => b.fraction - a.fraction);
  for (const { index } of byRemainder) {
    if (rest === 0) break;
    take[index] = (take[index] ?? 0) + 1;
    rest -= 1;
  }
  bundle.cursors.forEach((cursor, index) => {
    const end = cursor.next + (take[index] ?? 0);
    for (; cursor.next < end; cursor.next++) dayOf[cursor.ids[cursor.next] ?? 0] = day;
  });
  bundle.remaining -= count;
  return count;
}

/** The allowed day with the least room that still takes `size` (best fit); -1 when none does. */
function bestFit(room: Int32Array, size: number, bundle: OpenBundle): number {
  let best = -1;
  room.forEach((free, day) => {
    if (isAllowed(bundle, day) && free >= size && (best < 0 || free < (room[best] ?? 0))) best = day;
  });
  return best;
}

/** The allowed day with the most room (the first allowed day when none has room). */
function mostRoom(room: Int32Array, bundle: OpenBundle): number {
  let best = -1;
  room.forEach((free, day) => {
    if (isAllowed(bundle, day) && (best < 0 || free > (room[best] ?? 0))) best = day;
  });
  return Math.max(best, 0);
}

/** Fills the allowed days among `days` that have room, in order (a site's days, kept together). */
function fillDays(bundle: OpenBundle, days: Iterable<number>, room: Int32Array, dayOf: Int32Array): void {
  for (const day of days) {
    const free = room[day] ?? 0;
    if (bundle.remaining === 0) break;
    if (free > 0 && isAllowed(bundle, day))
      room[day] = free - placeInto(bundle, day, Math.min(free, bundle.remaining), dayOf);
  }
}

/** Marks what is left of a bundle as not placed (day −1). */
function leaveOut(bundle: OpenBundle, dayOf: Int32Array): number {
  const count = bundle.remaining;
  for (const cursor of bundle.cursors) {
    for (; cursor.next < cursor.ids.length; cursor.next++) dayOf[cursor.ids[cursor.next] ?? 0] = -1;
  }
  bundle.remaining = 0;
  return count;
}

/**
 * Places every member of `bundles` on a day, writing the day into `dayOf[member]` and taking the
 * room it uses from `room` (one entry per day). The rules keep loads at the room given and
 * pickups per site low:
 * 1. each site first fills the days it already has sessions on (its preferred days), in order;
 * 2. what is left, largest site first, goes whole to the day with the least room that still
 *    fits it (best fit); a site that fits nowhere fills the day with the most room and the rest
 *    continues the same way, so a large site is split only as far as needed (each shift in
 *    proportion, see `placeInto`).
 * A bundle with allowed days (see `bundleBySite`) goes only on those days; bundles with fewer
 * allowed days are packed first, and a site's bundles try the days its other bundles took before
 * any other day, so the site stays on few days.
 * Callers give at least as much room as members; should room run out, the rest goes to the allowed
 * day with the most room (its room turns negative), or with `leaveOut` is not placed (day −1); the
 * count of such members is returned.
 */
export function packBundles(
  bundles: readonly SiteBundle[],
  room: Int32Array,
  dayOf: Int32Array,
  options: { readonly leaveOut?: boolean } = {},
): number {
  if (room.length === 0)
    return bundles.reduce((sum, b) => sum + b.groups.reduce((n, g) => n + g.length, 0), 0);
  const open: OpenBundle[] = bundles.map((bundle) => {
    // An empty group is never given a member: its share and its remainder are 0.
    const cursors = bundle.groups.map((ids) => ({ ids, next: 0 }));
    const allowed = bundle.allowed;
    return {
      cursors,
      remaining: cursors.reduce((sum, c) => sum + c.ids.length, 0),
      preferredDays: bundle.preferredDays,
      allowed,
      choices: allowed === undefined ? room.length : allowed.reduce((sum, value) => sum + value, 0),
      site: bundle.site,
    };
  });
  open.forEach((bundle) => fillDays(bundle, bundle.preferredDays, room, dayOf));
  // Bundles placed in full are passed over below (nothing remains); equal ones keep the order
  // given (the sort is stable).
  open.sort((a, b) => a.choices - b.choices || b.remaining - a.remaining);
  // The days each site's bundles took (in order); bundles without a site share none.
  const siteDaysTaken = new Map<number | undefined, Set<number>>();
  let overflow = 0;
  for (const bundle of open) {
    const taken = siteDaysTaken.get(bundle.site);
    if (taken !== undefined) fillDays(bundle, taken, room, dayOf);
    while (bundle.remaining > 0) {
      const fit = bestFit(room, bundle.remaining, bundle);
      const day = fit >= 0 ? fit : mostRoom(room, bundle);
      const free = room[day] ?? 0;
      if (free <= 0 && options.leaveOut === true) {
        overflow += leaveOut(bundle, dayOf);
        break;
      }
      // A fitting day has room for all that remain.
      const limit = free <= 0 ? bundle.remaining : free;
      if (free <= 0) overflow += bundle.remaining;
      room[day] = free - placeInto(bundle, day, limit, dayOf);
      if (bundle.site !== undefined) {
        siteDaysTaken.set(bundle.site, (siteDaysTaken.get(bundle.site) ?? new Set<number>()).add(day));
      }
    }
  }
  return overflow;
}
