/**
 * The days each site has test sessions on, by site index, each day once, in the order first
 * used. Days are indices of the caller's choosing (cycle days, or test days of one week). A site
 * kept on few days needs few pickups, so planning steps prefer the days a site already has.
 */
export type SiteDays = Map<number, number[]>;

/** Records a session of `site` on `day` (a day already recorded stays where it is). */
export function addSiteDay(siteDays: SiteDays, site: number, day: number): void {
  const days = siteDays.get(site);
  if (days === undefined) siteDays.set(site, [day]);
  else if (!days.includes(day)) days.push(day);
}

/** Mean number of session days per site (pickups per site over those days); 0 without sites. */
export function meanDaysPerSite(siteDays: ReadonlyMap<number, readonly number[]>): number {
  if (siteDays.size === 0) return 0;
  let total = 0;
  for (const days of siteDays.values()) total += days.length;
  return total / siteDays.size;
}
