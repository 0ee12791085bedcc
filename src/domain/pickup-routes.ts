import type { IsoDate } from "./calendar.ts";
import { type GeoPoint, measureGreatCircleKm } from "./geo.ts";
import {
  type KitAllocation,
  type KitSettings,
  planKitDeliveries,
  type UnservedKits,
} from "./kit-deliveries.ts";
import {
  compareRuns,
  formatRunKey,
  type PickupDaySettings,
  type PickupRun,
  type PickupVisit,
  planPickupDays,
  type TestSession,
  type WaitViolation,
} from "./pickup-days.ts";
import type { Shift } from "./roster.ts";
import {
  compareSiteIds,
  planRoutes,
  type Route,
  type RouteSettings,
  type RouteViolation,
} from "./routing.ts";

/** What routing needs to know about a site. */
export type SiteStopInfo = {
  readonly municipalityCode: number;
  readonly location: GeoPoint;
  /** Minutes on site, when it differs from the region's stop time. */
  readonly serviceMinutes?: number | undefined;
  /** Hours in which the site hands over samples (`HH:MM`). */
  readonly openingHours?: { readonly open: string; readonly close: string } | undefined;
};

/**
 * A lab the vans start from and return to. A site goes to the depot that lists its municipality
 * in `municipalityCodes`, else to the nearest depot (great-circle; the earlier one on a tie): with
 * a lab per area of the region each serves its surroundings, and Bornholm's samples go to the
 * hospital in Rønne, not by road to Copenhagen.
 */
export type Depot = {
  readonly name: string;
  readonly location: GeoPoint;
  readonly vehicles: number;
  readonly municipalityCodes?: readonly number[] | undefined;
};

/** A region's routing settings; each run supplies its own departure and latest arrival. */
export type RegionRouteSettings = Omit<
  RouteSettings,
  "departure" | "latestArrival" | "depot" | "vehicles"
> & {
  /** At least one (the region's lab; more where the region has several). */
  readonly depots: readonly Depot[];
};

export type RegionPickupInput = {
  /** The region's test sessions of the test week (see `collectTestSessions`). */
  readonly sessions: readonly TestSession[];
  /** Every site of the region with its coordinates (approximate ones included). */
  readonly sites: ReadonlyMap<string, SiteStopInfo>;
  readonly pickupDays: PickupDaySettings;
  readonly kits: KitSettings;
  /** The region's labs and road settings; without them the stops are planned but not routed. */
  readonly routing?: RegionRouteSettings | undefined;
  /** First date a delivery-only stop may be planned (the day after publication). */
  readonly deliveryFrom: IsoDate;
  /**
   * Stops an earlier plan already put on runs from `deliveryFrom` on (e.g. last week's Friday
   * evening): they join the same routes and may bring this plan's kits too; their samples and
   * kits stay as that plan planned them.
   */
  readonly earlierVisits?: readonly EarlierVisit[] | undefined;
};

/** Kits brought on a visit for one session. */
export type SessionKits = { readonly date: IsoDate; readonly shift: Shift; readonly kits: number };

/** A visit of an earlier plan: its samples, and the kits it brings for that plan's sessions. */
export type EarlierVisit = PickupVisit & { readonly kits?: readonly SessionKits[] | undefined };

/** A van's call at a site on one run: what it collects and what it brings. Counts only, no names. */
export type PickupStop = {
  readonly siteId: string;
  readonly run: PickupRun;
  /** Sessions whose samples are collected here (empty for a delivery-only stop). */
  readonly collects: PickupVisit["collects"];
  /** Kits brought here, per session they are for. */
  readonly kits: readonly SessionKits[];
  /** True for a visit an earlier plan scheduled (its samples are that plan's). */
  readonly fromEarlierPlan: boolean;
};

/** One stop of a route: where, when, what to collect and what to bring. Counts only, no names. */
export type PlannedStop = PickupStop & {
  /** Name of the depot the route starts from. */
  readonly depot: string;
  /** Route number within the run (numbered on across depots). */
  readonly route: number;
  readonly routeCount: number;
  /** 1-based position on the route. */
  readonly order: number;
  /** Estimated arrival, minutes after local midnight. */
  readonly eta: number;
};

/** A route and the depot it starts from. */
export type DepotRoute = Route & { readonly depot: Depot };

export type RunRoutes = {
  readonly run: PickupRun;
  /** Routes of all depots, numbered 1…n within the run, depot by depot in the order configured. */
  readonly routes: readonly DepotRoute[];
  /** Lateness of this run's routes (route numbers as in `routes`). */
  readonly violations: readonly RouteViolation[];
  /** Stops by route, then order. */
  readonly stops: readonly PlannedStop[];
};

export type RegionPickupPlan = {
  /** Every stop of every run (pickups, delivery-only, earlier plans'), by run, then site id. */
  readonly stops: readonly PickupStop[];
  /** The routes of the runs with at least one stop, chronologically; none without `routing`. */
  readonly runs: readonly RunRoutes[];
  readonly allocations: readonly KitAllocation[];
  readonly waitViolations: readonly WaitViolation[];
  readonly unservedKits: readonly UnservedKits[];
};

type StopDraft = {
  siteId: string;
  run: PickupRun;
  collects: PickupVisit["collects"][number][];
  kits: SessionKits[];
  fromEarlierPlan: boolean;
};

/**
 * Plans a region's pickups of one test week end to end: which run collects each session's samples
 * (`planPickupDays`), which visit brings each session's kits, adding delivery-only stops where no
 * visit comes first (`planKitDeliveries`), and, with `routing`, the routes of every run
 * (`planRoutes`), with an ETA per stop. Every problem is in the result: waits over the maximum,
 * kits no run can bring in time, late routes. Throws when a routed stop's site has no coordinates
 * (the caller places every site first).
 */
export function planRegionPickupRoutes(input: RegionPickupInput): RegionPickupPlan {
  if (input.routing !== undefined && input.routing.depots.length === 0)
    throw new RangeError("planRegionPickupRoutes: no depot, expected the region's lab");
  const pickups = planPickupDays(input.sessions, input.pickupDays);
  const earlier = input.earlierVisits ?? [];
  const kitPlan = planKitDeliveries({
    sessions: input.sessions,
    visits: [...earlier, ...pickups.visits],
    pickupDays: input.pickupDays,
    kits: input.kits,
    deliveryFrom: input.deliveryFrom,
  });

  const drafts = new Map<string, StopDraft>();
  const draftFor = (siteId: string, run: PickupRun, fromEarlierPlan: boolean): StopDraft => {
    const key = `${formatRunKey(run)}\u0000${siteId}`;
    const draft = drafts.get(key) ?? { siteId, run, collects: [], kits: [], fromEarlierPlan };
    drafts.set(key, draft);
    return draft;
  };
  for (const visit of earlier) {
    const draft = draftFor(visit.siteId, visit.run, true);
    draft.collects.push(...visit.collects);
    draft.kits.push(...(visit.kits ?? []));
  }
  for (const visit of pickups.visits)
    draftFor(visit.siteId, visit.run, false).collects.push(...visit.collects);
  for (const allocation of kitPlan.allocations) {
    draftFor(allocation.siteId, allocation.run, false).kits.push({
      date: allocation.date,
      shift: allocation.shift,
      kits: allocation.kits,
    });
  }

  const stops = [...drafts.values()].sort(
    (a, b) => compareRuns(a.run, b.run) || compareSiteIds(a.siteId, b.siteId),
  );
  const byRun = new Map<string, StopDraft[]>();
  for (const draft of stops) {
    const key = formatRunKey(draft.run);
    const list = byRun.get(key);
    if (list === undefined) byRun.set(key, [draft]);
    else list.push(draft);
  }
  const routing = input.routing;
  const runs = routing === undefined ? [] : [...byRun.values()].map((run) => routeRun(input, routing, run));
  return {
    stops,
    runs,
    allocations: kitPlan.allocations,
    waitViolations: pickups.violations,
    unservedKits: kitPlan.unserved,
  };
}

/** The depot serving a site: the one listing its municipality, else the nearest (see {@link Depot}). */
function depotFor(depots: readonly Depot[], site: SiteStopInfo): Depot {
  const listed = depots.find((depot) => depot.municipalityCodes?.includes(site.municipalityCode));
  if (listed !== undefined) return listed;
  let nearest = depots[0] as Depot;
  for (const depot of depots) {
    if (
      measureGreatCircleKm(depot.location, site.location) <
      measureGreatCircleKm(nearest.location, site.location)
    ) {
      nearest = depot;
    }
  }
  return nearest;
}

function routeRun(
  input: RegionPickupInput,
  routing: RegionRouteSettings,
  drafts: readonly StopDraft[],
): RunRoutes {
  const run = (drafts[0] as StopDraft).run;
  const bySite = new Map(drafts.map((draft) => [draft.siteId, draft]));
  const { depots, ...road } = routing;
  const routes: DepotRoute[] = [];
  const violations: RouteViolation[] = [];
  for (const depot of depots) {
    const stops = drafts.flatMap((draft) => {
      const site = input.sites.get(draft.siteId);
      if (site === undefined) {
        throw new RangeError(`planRegionPickupRoutes: site ${draft.siteId} has no coordinates`);
      }
      if (depotFor(depots, site) !== depot) return [];
      return [
        {
          siteId: draft.siteId,
          location: site.location,
          serviceMinutes: site.serviceMinutes,
          openingHours: site.openingHours,
        },
      ];
    });
    const plan = planRoutes(stops, {
      ...road,
      depot: depot.location,
      vehicles: depot.vehicles,
      departure: run.departure,
      latestArrival: run.latestArrival,
    });
    const offset = routes.length;
    routes.push(...plan.routes.map((route) => ({ ...route, number: route.number + offset, depot })));
    violations.push(
      ...plan.violations.map((violation) => ({ ...violation, route: violation.route + offset })),
    );
  }
  const stops = routes.flatMap((route) =>
    route.stops.map((stop): PlannedStop => {
      const draft = bySite.get(stop.siteId) as StopDraft;
      return {
        siteId: stop.siteId,
        run,
        depot: route.depot.name,
        route: route.number,
        routeCount: routes.length,
        order: stop.order,
        eta: stop.arrival,
        collects: draft.collects,
        kits: draft.kits,
        fromEarlierPlan: draft.fromEarlierPlan,
      };
    }),
  );
  return { run, routes, violations, stops };
}

/** Sorts stops the way a driver's sheet lists them: run, route, order (site id as a last resort). */
export function compareStops(a: PlannedStop, b: PlannedStop): number {
  return (
    compareRuns(a.run, b.run) || a.route - b.route || a.order - b.order || compareSiteIds(a.siteId, b.siteId)
  );
}
