/**
 * The tests of one site to place on days: its shift groups (member indices, one group per shift)
 * and the days the site already has sessions on. Keeping a site on few days keeps pickups low.
 */
export type SiteBundle = {
  readonly groups: readonly (readonly number[])[];
  readonly preferredDays: readonly number[];
};

/**
 * Bundles `items` by site (sites in order of first appearance), one group per shift (codes 0–2,
 * day, evening, night), items in the order given; each bundle prefers the days its site already
 * has sessions on (`siteDays`).
 */
export function bundleBySite(
  items: Iterable<number>,
  siteOf: ArrayLike<number>,
  shiftOf: ArrayLike<number>,
  siteDays: ReadonlyMap<number, readonly number[]>,
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
  return [...groupsBySite].map(([site, groups]) => ({ groups, preferredDays: siteDays.get(site) ?? [] }));
}

type Cursor = { readonly ids: readonly number[]; next: number };

type OpenBundle = {
  readonly cursors: readonly Cursor[];
  remaining: number;
  readonly order: number;
  readonly preferredDays: readonly number[];
};

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
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
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

/** The day with the least room that still takes `size` (best fit); -1 when none does. */
function bestFit(room: Int32Array, size: number): number {
  let best = -1;
  room.forEach((free, day) => {
    if (free >= size && (best < 0 || free < (room[best] ?? 0))) best = day;
  });
  return best;
}

/** The day with the most room (the first of equal ones). */
function mostRoom(room: Int32Array): number {
  let best = 0;
  room.forEach((free, day) => {
    if (free > (room[best] ?? 0)) best = day;
  });
  return best;
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
 * Callers give at least as much room as members; should room run out, the rest goes to the day
 * with the most room (its room turns negative) and the count of such members is returned.
 */
export function packBundles(bundles: readonly SiteBundle[], room: Int32Array, dayOf: Int32Array): number {
  if (room.length === 0)
    return bundles.reduce((sum, b) => sum + b.groups.reduce((n, g) => n + g.length, 0), 0);
  const open: OpenBundle[] = bundles.map((bundle, order) => {
    const cursors = bundle.groups.map((ids) => ({ ids, next: 0 }));
    const remaining = cursors.reduce((sum, c) => sum + c.ids.length, 0);
    return { cursors, remaining, order, preferredDays: bundle.preferredDays };
  });
  for (const bundle of open) {
    for (const day of bundle.preferredDays) {
      const take = Math.min(room[day] ?? 0, bundle.remaining);
      if (take > 0) room[day] = (room[day] ?? 0) - placeInto(bundle, day, take, dayOf);
    }
  }
  let overflow = 0;
  for (const bundle of [...open].sort((a, b) => b.remaining - a.remaining || a.order - b.order)) {
    while (bundle.remaining > 0) {
      const fit = bestFit(room, bundle.remaining);
      const day = fit >= 0 ? fit : mostRoom(room);
      const free = room[day] ?? 0;
      // No room left on any day: the rest goes to the roomiest one, beyond its room, and counts.
      if (free <= 0) overflow += bundle.remaining;
      room[day] = free - placeInto(bundle, day, free > 0 ? free : bundle.remaining, dayOf);
    }
  }
  return overflow;
}
