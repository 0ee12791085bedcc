import type { IsoDate } from "./calendar.ts";
import { isRedTestReason } from "./cadence.ts";
import { placeWeek } from "./capacity.ts";
import type { Members, RegionCycle } from "./cycle-slots.ts";
import type { DeferredEntry } from "./deferrals.ts";
import type { PlanFrame, RegionFrame } from "./plan-frame.ts";
import type { DeferredTest, Pickup, PlanInput, PlannedTest, RegionQuality } from "./plan-types.ts";
import { planSitePickups } from "./pickups.ts";
import { measureRegionQuality } from "./quality.ts";
import type { Shift, StaffMember } from "./roster.ts";
import { meanDaysPerSite } from "./site-days.ts";
import type { RegionDemand } from "./test-demand.ts";
import { createPlanningOrder } from "./test-priority.ts";

/** Offset of the test week's Sunday from its Monday: a limit on or before it is already broken. */
const SUNDAY = 6;

/** What one region's week came to, for its quality figures. */
type RegionTally = {
  /** Tests per test day of the week. */
  readonly weekLoads: Int32Array;
  readonly shiftTotals: Record<Shift, number>;
  hasRedLoad: boolean;
  deferred: number;
  gapViolations: number;
};

/** The week's tests and deferrals as regions are placed, in region order. */
export type WeekTally = {
  readonly tests: PlannedTest[];
  readonly deferred: DeferredEntry[];
  /** Tests per site and weekday, at `site × 7 + weekday − 1` (for pickups). */
  readonly samples: Int32Array;
  readonly regions: readonly RegionTally[];
};

/** An empty tally; `late` (new slots past their deadline, per region) counts as gap violations. */
export function createWeekTally(frame: PlanFrame, late: Int32Array): WeekTally {
  return {
    tests: [],
    deferred: [],
    samples: new Int32Array(frame.sites.ids.length * 7),
    regions: frame.regions.map((region, index) => ({
      weekLoads: new Int32Array(region.testDays),
      shiftTotals: { day: 0, evening: 0, night: 0 },
      hasRedLoad: false,
      deferred: 0,
      gapViolations: late[index] ?? 0,
    })),
  };
}

/** Counts a deferral in its region; one whose 6-week limit is already past is a gap violation. */
function recordDeferral(tally: WeekTally, regionIndex: number, entry: DeferredEntry): void {
  tally.deferred.push(entry);
  const region = tally.regions[regionIndex];
  if (region === undefined) return;
  region.deferred += 1;
  if (entry.violation) region.gapViolations += 1;
}

/**
 * Places one region's tests of the week within its lab capacity (see `placeWeek`) in planning
 * order (see `createPlanningOrder`). Placed tests go into the rota; a fixed test moved off its
 * cycle day counts as a gap violation; the rest is deferred in planning order with its 6-week
 * limit (a carried-over test's own when that is the earlier one, see `collectDemand`).
 */
export function placeRegionWeek(
  tally: WeekTally,
  frame: PlanFrame,
  regionIndex: number,
  owed: RegionDemand,
  members: Members,
  statusByCode: PlanInput["statusByCode"],
): void {
  const { calendar, sites } = frame;
  const region = frame.regions[regionIndex] as RegionFrame;
  const regionTally = tally.regions[regionIndex] as RegionTally;
  const count = owed.member.length;
  const site = Int32Array.from(owed.member, (member) => members.site[member] ?? 0);
  const shift = Uint8Array.from(owed.member, (member) => members.shift[member] ?? 0);
  const compare = createPlanningOrder(
    count,
    (item) => ({
      carriedOver: owed.carried[item] !== undefined,
      reason: owed.reason[item] ?? "cycle",
      status: statusByCode.get(sites.municipality[site[item] ?? 0] ?? 0),
      siteKind: sites.kind[site[item] ?? 0] ?? "home-care",
    }),
    { latest: owed.latest, site, member: owed.member },
  );
  const fixedDay = Int32Array.from(owed.fixedDay);
  // Make-up tests go as early in the week as capacity allows: the person is already late.
  const early = Uint8Array.from(owed.early, (makeUp) => (makeUp ? 1 : 0));
  const placement = placeWeek(
    { count, fixedDay, site, shift, compare, early },
    region.testDays,
    region.settings.labCapacityPerDay,
  );
  regionTally.gapViolations += placement.movedCount;
  const deferredItems: number[] = [];
  for (let item = 0; item < count; item++) {
    const member = members.list[owed.member[item] ?? 0] as StaffMember;
    const siteIndex = site[item] ?? 0;
    const reason = owed.reason[item] ?? "cycle";
    const testDay = placement.day[item] ?? -1;
    if (testDay < 0) {
      deferredItems.push(item);
      continue;
    }
    const weekday = region.weekdays[testDay] ?? 1;
    tally.tests.push({
      employeeId: member.employeeId,
      siteId: member.siteId,
      municipalityCode: sites.municipality[siteIndex] ?? 0,
      regionCode: region.settings.code,
      date: calendar.dateAt(weekday - 1),
      weekday,
      shift: member.shift,
      reason,
    });
    tally.samples[siteIndex * 7 + weekday - 1] = (tally.samples[siteIndex * 7 + weekday - 1] ?? 0) + 1;
    regionTally.weekLoads[testDay] = (regionTally.weekLoads[testDay] ?? 0) + 1;
    regionTally.shiftTotals[member.shift] += 1;
    if (isRedTestReason(reason)) regionTally.hasRedLoad = true;
  }
  deferredItems.sort(compare);
  for (const item of deferredItems) {
    const member = members.list[owed.member[item] ?? 0] as StaffMember;
    const siteIndex = site[item] ?? 0;
    const carried = owed.carried[item];
    const latest = owed.latest[item] ?? 0;
    const test: DeferredTest = {
      employeeId: member.employeeId,
      siteId: member.siteId,
      municipalityCode: sites.municipality[siteIndex] ?? 0,
      reason: owed.reason[item] ?? "cycle",
      dueWeek: carried?.dueWeek ?? frame.testWeek,
      latestDate: calendar.dateAt(latest),
    };
    const siteKind = sites.kind[siteIndex] ?? "home-care";
    recordDeferral(tally, regionIndex, {
      test,
      regionCode: region.settings.code,
      siteKind,
      violation: latest <= SUNDAY,
    });
  }
}

/**
 * Carries again the carried-over tests of staff who start after the test week's last test day
 * (counted in their site's region; one whose 6-week limit is already past is a gap violation).
 */
export function carryAgain(tally: WeekTally, frame: PlanFrame, carriedAgain: readonly DeferredTest[]): void {
  const { calendar, sites } = frame;
  for (const test of carriedAgain) {
    const site = sites.indexById.get(test.siteId);
    const regionIndex = site === undefined ? -1 : (sites.region[site] ?? -1);
    recordDeferral(tally, regionIndex, {
      test,
      regionCode: frame.regions[regionIndex]?.settings.code ?? 0,
      siteKind: site === undefined ? "home-care" : (sites.kind[site] ?? "home-care"),
      violation: calendar.offsetOf(test.latestDate) <= SUNDAY,
    });
  }
}

/** Pickups per region: sites in input order, one per test date (see `planSitePickups`). */
export function planPickups(frame: PlanFrame, samples: Int32Array): Pickup[][] {
  const { calendar, sites } = frame;
  const byRegion: Pickup[][] = frame.regions.map(() => []);
  const dateAfter = (date: IsoDate, days: number): IsoDate => calendar.dateAt(calendar.offsetOf(date) + days);
  for (let site = 0; site < sites.ids.length; site++) {
    const sessions: { date: IsoDate; samples: number }[] = [];
    for (let weekday = 1; weekday <= 7; weekday++) {
      const count = samples[site * 7 + weekday - 1] ?? 0;
      if (count > 0) sessions.push({ date: calendar.dateAt(weekday - 1), samples: count });
    }
    // Only sites of a planned region have tests.
    if (sessions.length === 0) continue;
    const regionIndex = sites.region[site] ?? 0;
    const region = frame.regions[regionIndex] as RegionFrame;
    const week = {
      regionCode: region.settings.code,
      municipalityCode: sites.municipality[site] ?? 0,
      siteId: sites.ids[site] ?? "",
      sessions,
    };
    (byRegion[regionIndex] as Pickup[]).push(...planSitePickups(week, region.settings, dateAfter));
  }
  return byRegion;
}

/** The quality figures of every region (see `measureRegionQuality`). */
export function measurePlanQuality(
  frame: PlanFrame,
  cycles: readonly RegionCycle[],
  tally: WeekTally,
  pickupsByRegion: readonly (readonly Pickup[])[],
): RegionQuality[] {
  return frame.regions.map((region, index) => {
    const cycle = cycles[index] as RegionCycle;
    const regionTally = tally.regions[index] as RegionTally;
    return measureRegionQuality({
      regionCode: region.settings.code,
      cycleLoads: cycle.loads,
      weekLoads: regionTally.weekLoads,
      hasRedLoad: regionTally.hasRedLoad,
      shiftTotals: regionTally.shiftTotals,
      pickups: pickupsByRegion[index]?.length ?? 0,
      deferred: regionTally.deferred,
      gapViolations: regionTally.gapViolations,
      cyclePickupsPerSite: meanDaysPerSite(cycle.siteDays),
    });
  });
}
