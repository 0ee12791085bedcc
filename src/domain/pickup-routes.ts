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
  readonly routing: RegionRouteSettings;
  /** First date a delivery-only stop may be planned (the day after publication). */
  readonly deliveryFrom: IsoDate;
  /**
   * Pickup visits an earlier plan already put on runs from `deliveryFrom` on (e.g. last week's
   * Friday evening): they join the same routes and may bring kits, their samples stay as planned.
   */
  readonly earlierVisits?: readonly PickupVisit[] | undefined;
};

/** One stop of a route: where, when, what to collect and what to bring. Counts only, no names. */
export type PlannedStop = {
  readonly siteId: string;
  readonly run: PickupRun;
  /** Name of the depot the route starts from. */
  readonly depot: string;
  /** Route number within the run (numbered on across depots). */
  readonly route: number;
  readonly routeCount: number;
  /** 1-based position on the route. */
  readonly order: number;
  /** Estimated arrival, minutes after local midnight. */
  readonly eta: number;
  /** Sessions whose samples are collected here (empty for a delivery-only stop). */
  readonly collects: PickupVisit["collects"];
  /** Kits brought here, per session they are for. */
  readonly kits: readonly { readonly date: IsoDate; readonly shift: Shift; readonly kits: number }[];
  /** True for a visit an earlier plan scheduled (its samples are that plan's). */
  readonly fromEarlierPlan: boolean;
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
  /** Runs with at least one stop, chronologically. */
  readonly runs: readonly RunRoutes[];
  readonly allocations: readonly KitAllocation[];
  readonly waitViolations: readonly WaitViolation[];
  readonly unservedKits: readonly UnservedKits[];
};

type StopDraft = {
  siteId: string;
  run: PickupRun;
  collects: PickupVisit["collects"][number][];
  kits: PlannedStop["kits"][number][];
  fromEarlierPlan: boolean;
};

/**
 * Plans a region's pickups of one test week end to end: which run collects each session's samples
 * (`planPickupDays`), which visit brings each session's kits, adding delivery-only stops where no
 * visit comes first (`planKitDeliveries`), and the routes of every run (`planRoutes`), with an ETA
 * per stop. Every problem is in the result: waits over the maximum, kits no run can bring in time,
 * late routes. Throws when a stop's site has no coordinates (the caller places every site first).
 */
export function planRegionPickupRoutes(input: RegionPickupInput): RegionPickupPlan {
  if (input.routing.depots.length === 0)
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
  for (const visit of earlier) draftFor(visit.siteId, visit.run, true).collects.push(...visit.collects);
  for (const visit of pickups.visits)
    draftFor(visit.siteId, visit.run, false).collects.push(...visit.collects);
  for (const allocation of kitPlan.allocations) {
    draftFor(allocation.siteId, allocation.run, false).kits.push({
      date: allocation.date,
      shift: allocation.shift,
      kits: allocation.kits,
    });
  }

  const byRun = new Map<string, StopDraft[]>();
  for (const draft of drafts.values()) {
    const key = formatRunKey(draft.run);
    byRun.set(key, [...(byRun.get(key) ?? []), draft]);
  }
  const runs = [...byRun.values()]
    .map((stops) => routeRun(input, stops))
    .sort((a, b) => compareRuns(a.run, b.run));
  return {
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

function routeRun(input: RegionPickupInput, drafts: readonly StopDraft[]): RunRoutes {
  const run = (drafts[0] as StopDraft).run;
  const bySite = new Map(drafts.map((draft) => [draft.siteId, draft]));
  const { depots, ...road } = input.routing;
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
