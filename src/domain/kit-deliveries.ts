import type { IsoDate } from "./calendar.ts";
import {
  compareRuns,
  compareSessions,
  formatRunKey,
  listPickupRuns,
  type PickupDaySettings,
  type PickupRun,
  runEndsAt,
  sessionStartsAt,
  type TestSession,
} from "./pickup-days.ts";
import type { Shift } from "./roster.ts";
import { compareSiteIds } from "./routing.ts";

/** A region's kit settings (config, round 2: `regions[].kits`). */
export type KitSettings = {
  /** Spare kits on top of the planned tests, in whole percent, rounded up (spoilt swabs, late additions). */
  readonly bufferPercent: number;
};

export const DEFAULT_KIT_SETTINGS: KitSettings = { bufferPercent: 10 };

/**
 * Kits to send for `tests` planned tests: tests plus `bufferPercent` %, rounded up to a whole kit
 * (10 tests at 10 % → 11; 11 tests → 13). Integer arithmetic, so 10 × 110 % is exactly 11.
 */
export function computeKitCount(tests: number, bufferPercent: number): number {
  if (!Number.isInteger(tests) || tests < 0)
    throw new RangeError(`computeKitCount: ${tests} tests, expected a whole number ≥ 0`);
  if (!Number.isInteger(bufferPercent) || bufferPercent < 0) {
    throw new RangeError(`computeKitCount: buffer ${bufferPercent} %, expected a whole percentage ≥ 0`);
  }
  return Math.ceil((tests * (100 + bufferPercent)) / 100);
}

/** A call at a site on a run (a pickup visit, or a delivery-only stop added for kits). */
export type SiteRunVisit = { readonly siteId: string; readonly run: PickupRun };

/** Which visit brings the kits of which session. */
export type KitAllocation = {
  readonly siteId: string;
  /** The session the kits are for. */
  readonly date: IsoDate;
  readonly shift: Shift;
  readonly tests: number;
  readonly kits: number;
  /** The run whose visit brings them; it ends (vans back at the lab) before the session starts. */
  readonly run: PickupRun;
  /** True when the visit was added only to bring kits (no samples to collect then). */
  readonly deliveryOnly: boolean;
};

/** A session no run can supply in time (no run between `deliveryFrom` and its start): reported. */
export type UnservedKits = {
  readonly siteId: string;
  readonly date: IsoDate;
  readonly shift: Shift;
  readonly tests: number;
  readonly kits: number;
};

export type KitPlan = {
  /** One per session with tests, in session order. */
  readonly allocations: readonly KitAllocation[];
  /** Delivery-only visits added, in run order then site id; each needs a stop on its run's routes. */
  readonly deliveryVisits: readonly SiteRunVisit[];
  readonly unserved: readonly UnservedKits[];
};

export type KitDeliveryInput = {
  readonly sessions: readonly TestSession[];
  /** The visits already planned (pickups), in any order; earlier plans' visits may be included. */
  readonly visits: readonly SiteRunVisit[];
  readonly pickupDays: PickupDaySettings;
  readonly kits: KitSettings;
  /**
   * First date a delivery-only stop may be put on: the day after the plan is published (the
   * Wednesday run publishes next week's rota, so by default Thursday and Friday runs of the
   * publishing week can still bring kits for Monday).
   */
  readonly deliveryFrom: IsoDate;
};

type TimedVisit = { readonly visit: SiteRunVisit; readonly endsAt: number; readonly deliveryOnly: boolean };

/**
 * Plans kits so that every session has them on site before it starts.
 *
 * Rules:
 * - A session's kits (tests + buffer, `computeKitCount`) come with the site's latest visit whose
 *   run ends (vans back at the lab by the latest arrival) no later than the session's start, and
 *   that is on or after `deliveryFrom` (an earlier one is under way before publication).
 * - When the site has no such visit — a site's first session of the week, a red week 1 where all
 *   staff are tested at once — a delivery-only stop is added on the latest run that ends before
 *   the session and is on or after `deliveryFrom` (for a Monday session that is the previous
 *   pickup day: by default Friday's same-evening run). Later sessions of the site may use it too.
 * - A session no run can reach in time is reported in `unserved`, never skipped.
 * Deterministic: sessions and runs in chronological order, ties by site id.
 */
export function planKitDeliveries(input: KitDeliveryInput): KitPlan {
  const { pickupDays, kits } = input;
  const sessions = input.sessions.filter((session) => session.tests > 0).sort(compareSessions);
  const lastDate = sessions.reduce((last, s) => (s.date > last ? s.date : last), input.deliveryFrom);
  const runs = listPickupRuns(pickupDays, input.deliveryFrom, lastDate).map((run) => ({
    run,
    endsAt: runEndsAt(pickupDays, run),
  }));
  const bySite = new Map<string, TimedVisit[]>();
  // Instants are looked up once per run and per date and shift (the zone arithmetic is the cost):
  // the runs' ends, just computed, seed the cache that the visits read.
  const endOf = new Map(runs.map(({ run, endsAt }) => [formatRunKey(run), endsAt]));
  const endsAt = (run: PickupRun): number => {
    const key = formatRunKey(run);
    const known = endOf.get(key) ?? runEndsAt(pickupDays, run);
    endOf.set(key, known);
    return known;
  };
  const startOf = new Map<string, number>();
  // A visit before `deliveryFrom` is under way before the plan is published: it cannot take kits.
  const usable = input.visits.filter((visit) => visit.run.date >= input.deliveryFrom);
  for (const visit of usable.sort((a, b) => compareRuns(a.run, b.run))) {
    const timed = { visit, endsAt: endsAt(visit.run), deliveryOnly: false };
    const list = bySite.get(visit.siteId);
    if (list === undefined) bySite.set(visit.siteId, [timed]);
    else list.push(timed);
  }

  const allocations: KitAllocation[] = [];
  const deliveryVisits: SiteRunVisit[] = [];
  const unserved: UnservedKits[] = [];
  for (const session of sessions) {
    const slot = `${session.date} ${session.shift}`;
    const startsAt = startOf.get(slot) ?? sessionStartsAt(pickupDays, session.date, session.shift);
    startOf.set(slot, startsAt);
    const count = computeKitCount(session.tests, kits.bufferPercent);
    const known = bySite.get(session.siteId);
    let chosen = known?.filter((timed) => timed.endsAt <= startsAt).at(-1);
    if (chosen === undefined) {
      const run = runs.filter((candidate) => candidate.endsAt <= startsAt).at(-1);
      if (run === undefined) {
        unserved.push({ ...session, kits: count });
        continue;
      }
      chosen = { visit: { siteId: session.siteId, run: run.run }, endsAt: run.endsAt, deliveryOnly: true };
      deliveryVisits.push(chosen.visit);
      if (known === undefined) bySite.set(session.siteId, [chosen]);
      else {
        known.push(chosen);
        known.sort((a, b) => a.endsAt - b.endsAt);
      }
    }
    allocations.push({
      siteId: session.siteId,
      date: session.date,
      shift: session.shift,
      tests: session.tests,
      kits: count,
      run: chosen.visit.run,
      deliveryOnly: chosen.deliveryOnly,
    });
  }
  deliveryVisits.sort((a, b) => compareRuns(a.run, b.run) || compareSiteIds(a.siteId, b.siteId));
  return { allocations, deliveryVisits, unserved };
}
