import { type GeoPoint, isValidGeoPoint } from "./geo.ts";
import { parseClockMinutes } from "./route-clock.ts";
import { groupAndOrderStops } from "./route-grouping.ts";
import { buildRoutingProblem, type RoutingProblem, travelMinutes } from "./route-order.ts";

/** A site to visit on a pickup run. */
export type RouteStopInput = {
  readonly siteId: string;
  readonly location: GeoPoint;
  /** Minutes on site; the region's stop time when absent. */
  readonly serviceMinutes?: number | undefined;
  /** Hours in which the site hands over samples (`HH:MM`); a van that is early waits. */
  readonly openingHours?: { readonly open: string; readonly close: string } | undefined;
};

/** A region's routing settings for one run (config, round 2: `regions[].routes`). */
export type RouteSettings = {
  /** The region's lab: every route starts and ends there. */
  readonly depot: GeoPoint;
  /** Vans available: at most this many routes. */
  readonly vehicles: number;
  /** Minutes per stop (parking, hand-over, kits), unless the stop says otherwise. */
  readonly stopMinutes: number;
  readonly speedKmh: number;
  readonly roadFactor: number;
  /** Local time the vans leave the lab, `HH:MM`. */
  readonly departure: string;
  /** Local time by which every van must be back at the lab with the samples, `HH:MM`. */
  readonly latestArrival: string;
};

/** One stop of a planned route; times are minutes after local midnight (format with `formatClockMinutes`). */
export type RoutedStop = {
  readonly siteId: string;
  /** 1-based position on the route. */
  readonly order: number;
  /** Road km and minutes from the previous stop (the lab for the first). */
  readonly legKm: number;
  readonly legMinutes: number;
  /** Estimated time of arrival. */
  readonly arrival: number;
  /** Minutes waited for the site to open (0 when it is open on arrival). */
  readonly waitMinutes: number;
  readonly serviceStart: number;
  readonly departure: number;
  /** Minutes after the site's closing time the van arrives (0 when in time). */
  readonly minutesAfterClose: number;
};

export type Route = {
  /** 1-based route number within the run; vehicle n drives route n. */
  readonly number: number;
  readonly departure: number;
  readonly stops: readonly RoutedStop[];
  /** Leg from the last stop back to the lab. */
  readonly returnLegKm: number;
  readonly returnLegMinutes: number;
  /** Arrival back at the lab. */
  readonly returnAt: number;
  readonly distanceKm: number;
  readonly durationMinutes: number;
  /** Minutes after the latest arrival the van is back (0 when in time). */
  readonly minutesLate: number;
};

/**
 * What the plan could not do in time; never silent. `late-at-lab`: the route returns after the
 * latest arrival, so the samples of all its stops arrive late by `minutes`. `after-closing`: the
 * van reaches the site `minutes` after its opening hours end.
 */
export type RouteViolation =
  | {
      readonly kind: "late-at-lab";
      readonly route: number;
      readonly minutes: number;
      readonly siteIds: readonly string[];
    }
  | {
      readonly kind: "after-closing";
      readonly route: number;
      readonly minutes: number;
      readonly siteId: string;
    };

export type RoutePlan = {
  readonly routes: readonly Route[];
  readonly violations: readonly RouteViolation[];
};

/** Orders site ids by UTF-16 code units, independent of locale, so plans are the same everywhere. */
export function compareSiteIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describeRoute(
  problem: RoutingProblem,
  order: readonly number[],
  siteIds: readonly string[],
  number: number,
  latest: number,
): Route {
  let clock = problem.departure;
  let previous = 0;
  let distanceKm = 0;
  const stops = order.map((node, index): RoutedStop => {
    const legKm = problem.km[previous * problem.size + node] ?? 0;
    const legMinutes = travelMinutes(problem, previous, node);
    const arrival = clock + legMinutes;
    const serviceStart = Math.max(arrival, problem.open[node] ?? -Infinity);
    const departure = serviceStart + (problem.service[node] ?? 0);
    distanceKm += legKm;
    clock = departure;
    previous = node;
    return {
      siteId: siteIds[node - 1] ?? "",
      order: index + 1,
      legKm,
      legMinutes,
      arrival,
      waitMinutes: serviceStart - arrival,
      serviceStart,
      departure,
      minutesAfterClose: Math.max(0, arrival - (problem.close[node] ?? Infinity)),
    };
  });
  const returnLegKm = problem.km[previous * problem.size] ?? 0;
  const returnLegMinutes = travelMinutes(problem, previous, 0);
  const returnAt = clock + returnLegMinutes;
  return {
    number,
    departure: problem.departure,
    stops,
    returnLegKm,
    returnLegMinutes,
    returnAt,
    distanceKm: distanceKm + returnLegKm,
    durationMinutes: returnAt - problem.departure,
    minutesLate: Math.max(0, returnAt - latest),
  };
}

function validateRouting(stops: readonly RouteStopInput[], settings: RouteSettings): void {
  if (!Number.isInteger(settings.vehicles) || settings.vehicles < 1) {
    throw new RangeError(`planRoutes: vehicles ${settings.vehicles}, expected a whole number ≥ 1`);
  }
  if (!isValidGeoPoint(settings.depot)) throw new RangeError("planRoutes: depot has no valid coordinates");
  if (parseClockMinutes(settings.latestArrival) <= parseClockMinutes(settings.departure)) {
    throw new RangeError(
      `planRoutes: latest arrival ${settings.latestArrival} is not after departure ${settings.departure}`,
    );
  }
  const seen = new Set<string>();
  for (const stop of stops) {
    if (seen.has(stop.siteId))
      throw new RangeError(`planRoutes: site ${stop.siteId} twice, expected one stop per site`);
    seen.add(stop.siteId);
    if (!isValidGeoPoint(stop.location))
      throw new RangeError(`planRoutes: site ${stop.siteId} has no valid coordinates`);
    const hours = stop.openingHours;
    if (hours !== undefined && parseClockMinutes(hours.open) >= parseClockMinutes(hours.close)) {
      throw new RangeError(
        `planRoutes: site ${stop.siteId} opens ${hours.open} and closes ${hours.close}, expected opening before closing`,
      );
    }
  }
}

/**
 * Plans the routes of one region's pickup run (one day, one departure).
 *
 * Rules:
 * - Every stop is on exactly one route; routes start and end at the lab (the depot).
 * - Distances are great-circle × road factor, driven at the average speed; each stop takes its
 *   service minutes; a van early for a site's opening hours waits.
 * - Grouping (cluster first): the stops are swept by bearing around the lab and cut into
 *   consecutive groups with the shortest longest route (over all start bearings); then stops move,
 *   swap or move on in chains between routes while that helps (see `groupAndOrderStops`). As few vans as meet the
 *   latest arrival are used (at most `vehicles`); when even all of them cannot, the plan with the
 *   least lateness is kept and the plan says so.
 * - Order (route second): nearest neighbour and farthest insertion, each improved by 2-opt and
 *   or-opt to a local optimum; the shorter wins (see `orderRoute`).
 * - Lateness is reported, never hidden: a route back after `latestArrival` gives a `late-at-lab`
 *   violation naming its stops and the minutes; a site reached after closing an `after-closing`.
 * - Deterministic: the same stops in any input order give the same plan; ties go to the lower
 *   site id. Routes are numbered by bearing from the lab, clockwise from north.
 */
export function planRoutes(stops: readonly RouteStopInput[], settings: RouteSettings): RoutePlan {
  validateRouting(stops, settings);
  const sorted = [...stops].sort((a, b) => compareSiteIds(a.siteId, b.siteId));
  const departure = parseClockMinutes(settings.departure);
  const latest = parseClockMinutes(settings.latestArrival);
  const problem = buildRoutingProblem(
    settings.depot,
    sorted.map((stop) => ({
      location: stop.location,
      serviceMinutes: stop.serviceMinutes ?? settings.stopMinutes,
      open: stop.openingHours === undefined ? undefined : parseClockMinutes(stop.openingHours.open),
      close: stop.openingHours === undefined ? undefined : parseClockMinutes(stop.openingHours.close),
    })),
    { roadFactor: settings.roadFactor, speedKmh: settings.speedKmh, departure },
  );
  const grouped = groupAndOrderStops(
    problem,
    settings.depot,
    sorted.map((stop) => stop.location),
    settings.vehicles,
    latest,
  );
  const orders = numberByBearing(settings.depot, sorted, grouped);
  const routes = orders.map((order, i) =>
    describeRoute(
      problem,
      order,
      sorted.map((stop) => stop.siteId),
      i + 1,
      latest,
    ),
  );
  return { routes, violations: listViolations(routes) };
}

/**
 * Routes in order of their mean bearing from the lab, clockwise from north (then first site id).
 * The bearing is taken on plain degree offsets: shrinking the east-west offsets by cos(latitude)
 * (> 0 everywhere) would move every angle but never change their order. `groupAndOrderStops`
 * returns no empty route, so every order has a mean.
 */
function numberByBearing(depot: GeoPoint, stops: readonly RouteStopInput[], orders: number[][]): number[][] {
  const keyed = orders.map((order) => {
    let x = 0;
    let y = 0;
    for (const node of order) {
      const location = (stops[node - 1] as RouteStopInput).location;
      x += location.longitude - depot.longitude;
      y += location.latitude - depot.latitude;
    }
    const bearing = (Math.atan2(x, y) + 2 * Math.PI) % (2 * Math.PI);
    return { order, bearing, first: Math.min(...order) };
  });
  keyed.sort((a, b) => a.bearing - b.bearing || a.first - b.first);
  return keyed.map((entry) => entry.order);
}

/** Lateness below this is float noise from summing legs, not a minute anyone could miss. */
const LATE_TOLERANCE = 1e-6;

function listViolations(routes: readonly Route[]): RouteViolation[] {
  const violations: RouteViolation[] = [];
  for (const route of routes) {
    for (const stop of route.stops) {
      if (stop.minutesAfterClose > LATE_TOLERANCE) {
        violations.push({
          kind: "after-closing",
          route: route.number,
          minutes: stop.minutesAfterClose,
          siteId: stop.siteId,
        });
      }
    }
    if (route.minutesLate > LATE_TOLERANCE) {
      violations.push({
        kind: "late-at-lab",
        route: route.number,
        minutes: route.minutesLate,
        siteIds: route.stops.map((stop) => stop.siteId),
      });
    }
  }
  return violations;
}
