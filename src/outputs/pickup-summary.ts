import { formatRunKey } from "../domain/pickup-days.ts";
import { formatClockMinutes } from "../domain/route-clock.ts";
import type { RegionPickups } from "../domain/week-pickups.ts";

/** One run's routes in the summary. */
type RunFigures = {
  readonly run: string;
  readonly routes: number;
  readonly stops: number;
  readonly delivery_only_stops: number;
  readonly km: number;
  /** When the last van is back at the lab, `HH:MM`. */
  readonly last_return: string;
  readonly latest_arrival: string;
};

/** What `summary.json` says about one region's pickups: counts, site ids, times; never staff data. */
export type PickupSummary = {
  readonly region_code: number;
  /** `planned`, or why there are none. */
  readonly routes: string;
  readonly stops: number;
  readonly delivery_only_stops: number;
  readonly samples: number;
  readonly kits: number;
  readonly runs: readonly RunFigures[];
  readonly late_routes: readonly {
    readonly run: string;
    readonly route: number;
    readonly minutes_late: number;
    readonly stops: number;
  }[];
  readonly after_closing: readonly {
    readonly run: string;
    readonly route: number;
    readonly site_id: string;
    readonly minutes: number;
  }[];
  readonly wait_violations: readonly {
    readonly site_id: string;
    readonly test_date: string;
    readonly shift: string;
    readonly samples: number;
    readonly run: string;
    readonly wait_hours: number;
  }[];
  readonly unserved_kits: readonly {
    readonly site_id: string;
    readonly date: string;
    readonly shift: string;
    readonly kits: number;
  }[];
  readonly shifts_without_test_day: readonly string[];
};

const NO_ROUTES = "none: the region has no regions[].routes in the config (pickups and kits only)";

function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The pickups part of `summary.json`, per region: the stops, samples and kits of the plan, each
 * run's routes, and every problem (late routes, sites reached after closing, waits over the
 * maximum, kits no run brings in time, shifts with no test day within the maximum wait).
 */
export function summarisePickups(pickups: readonly RegionPickups[]): PickupSummary[] {
  return pickups.map(({ regionCode, plan, routed, shiftsWithoutTestDay }) => ({
    region_code: regionCode,
    routes: routed ? "planned" : NO_ROUTES,
    stops: plan.stops.length,
    delivery_only_stops: plan.stops.filter((stop) => stop.collects.length === 0).length,
    samples: plan.stops.reduce((sum, stop) => sum + stop.collects.reduce((n, c) => n + c.samples, 0), 0),
    kits: plan.stops.reduce((sum, stop) => sum + stop.kits.reduce((n, k) => n + k.kits, 0), 0),
    runs: plan.runs.map((run) => ({
      run: formatRunKey(run.run),
      routes: run.routes.length,
      stops: run.stops.length,
      delivery_only_stops: run.stops.filter((stop) => stop.collects.length === 0).length,
      km: Math.round(run.routes.reduce((sum, route) => sum + route.distanceKm, 0)),
      last_return: formatClockMinutes(Math.max(...run.routes.map((route) => route.returnAt))),
      latest_arrival: run.run.latestArrival,
    })),
    late_routes: plan.runs.flatMap((run) =>
      run.violations.flatMap((violation) =>
        violation.kind === "late-at-lab"
          ? [
              {
                run: formatRunKey(run.run),
                route: violation.route,
                minutes_late: Math.ceil(violation.minutes),
                stops: violation.siteIds.length,
              },
            ]
          : [],
      ),
    ),
    after_closing: plan.runs.flatMap((run) =>
      run.violations.flatMap((violation) =>
        violation.kind === "after-closing"
          ? [
              {
                run: formatRunKey(run.run),
                route: violation.route,
                site_id: violation.siteId,
                minutes: Math.ceil(violation.minutes),
              },
            ]
          : [],
      ),
    ),
    wait_violations: plan.waitViolations.map((violation) => ({
      site_id: violation.siteId,
      test_date: violation.date,
      shift: violation.shift,
      samples: violation.samples,
      run: formatRunKey(violation.run),
      wait_hours: roundTenth(violation.waitHours),
    })),
    unserved_kits: plan.unservedKits.map((unserved) => ({
      site_id: unserved.siteId,
      date: unserved.date,
      shift: unserved.shift,
      kits: unserved.kits,
    })),
    shifts_without_test_day: [...shiftsWithoutTestDay],
  }));
}
