import type { IsoDate } from "../domain/calendar.ts";
import type { PickupRunKind } from "../domain/pickup-days.ts";
import type { PickupStop, PlannedStop } from "../domain/pickup-routes.ts";
import { formatClockMinutes } from "../domain/route-clock.ts";
import type { Site } from "../domain/roster.ts";
import type { RegionPickups } from "../domain/week-pickups.ts";
import { compareText } from "./compare-text.ts";
import { renderCsv, type CsvValue } from "./csv-file.ts";

/**
 * Column contract of `pickups.csv` (add columns at the end, never rename). The first nine are the
 * original columns, with their meaning: `date` is the day of the visit, `pickup_time` the time the
 * run leaves the lab, `test_date` the day the samples were taken. The route columns follow; see
 * docs/pickup-routes.md for each.
 */
export const PICKUP_COLUMNS = [
  "date",
  "pickup_time",
  "site_id",
  "site_name",
  "address",
  "municipality_code",
  "samples",
  "kits_to_deliver",
  "test_date",
  "pickup_run",
  "depot",
  "route",
  "route_count",
  "stop_order",
  "eta",
  "samples_by_shift",
  "kits_for_sessions",
  "delivery_only",
  "earlier_plan",
  "contact_phone",
  "access_note",
  "pickup_hours",
  "latitude",
  "longitude",
  "location_approximate",
  "wait_hours",
] as const;

/** One row for regional logistics: counts only, never staff names or ids. */
export type PickupRow = {
  /** Day of the visit. */
  readonly date: IsoDate;
  /** The run's departure from the lab. */
  readonly pickupTime: string;
  readonly siteId: string;
  readonly siteName: string;
  readonly address: string;
  readonly municipalityCode: number;
  readonly samples: number;
  /** Kits brought on this visit: on the visit's first row only (0 on further rows). */
  readonly kitsToDeliver: number;
  /** The day the samples were taken; undefined on a delivery-only row. */
  readonly testDate: IsoDate | undefined;
  readonly run: PickupRunKind;
  /** Route columns: undefined when the region has no routes. */
  readonly depot: string | undefined;
  readonly route: number | undefined;
  readonly routeCount: number | undefined;
  readonly stopOrder: number | undefined;
  /** `HH:MM` */
  readonly eta: string | undefined;
  /** `day 12|evening 4`: this test date's samples per shift. */
  readonly samplesByShift: string;
  /** `2020-10-07 day 51|2020-10-07 evening 33`: the sessions the visit's kits are for (first row only). */
  readonly kitsForSessions: string;
  readonly deliveryOnly: boolean;
  /** The samples belong to the previous week's plan (a run both plans use). */
  readonly earlierPlan: boolean;
  readonly contactPhone: string | undefined;
  readonly accessNote: string | undefined;
  /** `07:00-22:00` */
  readonly pickupHours: string | undefined;
  readonly latitude: number | undefined;
  readonly longitude: number | undefined;
  readonly locationApproximate: boolean | undefined;
  /** The longest wait of this test date's samples, hours (an upper bound); undefined without samples. */
  readonly waitHours: number | undefined;
};

const RUN_ORDER: Readonly<Record<PickupRunKind, number>> = { morning: 0, evening: 1 };
const SHIFT_ORDER = { day: 0, evening: 1, night: 2 } as const;

function formatSessions(
  sessions: readonly {
    readonly date: IsoDate;
    readonly shift: keyof typeof SHIFT_ORDER;
    readonly count: number;
  }[],
): string {
  return [...sessions]
    .sort((a, b) => compareText(a.date, b.date) || SHIFT_ORDER[a.shift] - SHIFT_ORDER[b.shift])
    .map((session) => `${session.date} ${session.shift} ${session.count}`)
    .join("|");
}

/** Rows of one stop: one per test date collected, or one for a delivery-only stop. */
function rowsOfStop(stop: PickupStop, placed: PlannedStop | undefined, site: Site): PickupRow[] {
  const testDates = [...new Set(stop.collects.map((c) => c.date))].sort(compareText);
  const kits = stop.kits.reduce((sum, k) => sum + k.kits, 0);
  const kitsFor = formatSessions(stop.kits.map((k) => ({ date: k.date, shift: k.shift, count: k.kits })));
  const shared = {
    date: stop.run.date,
    pickupTime: stop.run.departure,
    siteId: site.id,
    siteName: site.name,
    address: site.address,
    municipalityCode: site.municipalityCode,
    run: stop.run.kind,
    depot: placed?.depot,
    route: placed?.route,
    routeCount: placed?.routeCount,
    stopOrder: placed?.order,
    eta: placed === undefined ? undefined : formatClockMinutes(placed.eta),
    deliveryOnly: stop.collects.length === 0,
    earlierPlan: stop.fromEarlierPlan,
    contactPhone: site.contactPhone,
    accessNote: site.accessNote,
    pickupHours:
      site.pickupHours === undefined ? undefined : `${site.pickupHours.open}-${site.pickupHours.close}`,
    latitude: site.location?.latitude,
    longitude: site.location?.longitude,
    locationApproximate: site.location?.approximate,
  };
  if (testDates.length === 0) {
    return [
      {
        ...shared,
        samples: 0,
        kitsToDeliver: kits,
        testDate: undefined,
        samplesByShift: "",
        kitsForSessions: kitsFor,
        waitHours: undefined,
      },
    ];
  }
  return testDates.map((date, index) => {
    const collected = stop.collects.filter((c) => c.date === date);
    return {
      ...shared,
      samples: collected.reduce((sum, c) => sum + c.samples, 0),
      kitsToDeliver: index === 0 ? kits : 0,
      testDate: date,
      samplesByShift: [...collected]
        .sort((a, b) => SHIFT_ORDER[a.shift] - SHIFT_ORDER[b.shift])
        .map((c) => `${c.shift} ${c.samples}`)
        .join("|"),
      kitsForSessions: index === 0 ? kitsFor : "",
      waitHours: Math.max(...collected.map((c) => c.waitHours)),
    };
  });
}

/**
 * The rows of one region's pickups, with site name, address and the driver's details joined:
 * one row per stop and test date collected, one row for a delivery-only stop; route columns from
 * the stop's place on its route when the region has routes. Sorted as a driver works through
 * them (see {@link comparePickupRows}).
 */
export function buildPickupRows(
  pickups: RegionPickups,
  sites: readonly Site[] | ReadonlyMap<string, Site>,
): PickupRow[] {
  // A caller with many regions passes the sites by id once, not a national list per region.
  const siteById: ReadonlyMap<string, Site> = Array.isArray(sites)
    ? new Map((sites as readonly Site[]).map((site) => [site.id, site]))
    : (sites as ReadonlyMap<string, Site>);
  const placed = new Map<string, PlannedStop>();
  for (const run of pickups.plan.runs) {
    for (const stop of run.stops) placed.set(`${stop.run.date} ${stop.run.kind} ${stop.siteId}`, stop);
  }
  const rows = pickups.plan.stops.flatMap((stop) => {
    const site = siteById.get(stop.siteId);
    if (site === undefined) throw new Error(`pickups: site ${stop.siteId} is not in the sites file`);
    return rowsOfStop(stop, placed.get(`${stop.run.date} ${stop.run.kind} ${stop.siteId}`), site);
  });
  return rows.sort(comparePickupRows);
}

/** Date, run (morning first), route, stop order, then site id and test date (locale-free). */
export function comparePickupRows(a: PickupRow, b: PickupRow): number {
  return (
    compareText(a.date, b.date) ||
    RUN_ORDER[a.run] - RUN_ORDER[b.run] ||
    (a.route ?? 0) - (b.route ?? 0) ||
    (a.stopOrder ?? 0) - (b.stopOrder ?? 0) ||
    compareText(a.siteId, b.siteId) ||
    compareText(a.testDate ?? "", b.testDate ?? "")
  );
}

function yesNo(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : value ? "yes" : "no";
}

/** `value` rounded to `decimals` (coordinates to 5, about a metre; hours to 1), as a number. */
function roundTo(value: number | undefined, decimals: number): number | undefined {
  if (value === undefined) return undefined;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** A row's values in column order; undefined where the file has nothing (empty cell, JSON null). */
function valuesOf(row: PickupRow): (CsvValue | undefined)[] {
  return [
    row.date,
    row.pickupTime,
    row.siteId,
    row.siteName,
    row.address,
    row.municipalityCode,
    row.samples,
    row.kitsToDeliver,
    row.testDate,
    row.run,
    row.depot,
    row.route,
    row.routeCount,
    row.stopOrder,
    row.eta,
    row.samplesByShift,
    row.kitsForSessions,
    yesNo(row.deliveryOnly),
    yesNo(row.earlierPlan),
    row.contactPhone,
    row.accessNote,
    row.pickupHours,
    roundTo(row.latitude, 5),
    roundTo(row.longitude, 5),
    yesNo(row.locationApproximate),
    roundTo(row.waitHours, 1),
  ];
}

/** `pickups.csv` of one region (columns {@link PICKUP_COLUMNS}), rows in the order given. */
export function renderPickupsCsv(rows: readonly PickupRow[]): Uint8Array {
  return renderCsv(
    PICKUP_COLUMNS,
    rows.map((row) => valuesOf(row).map((value) => value ?? "")),
  );
}

/**
 * `pickups.json` of one region: `{ region_code, pickups: [...] }` with the CSV's column names as
 * keys in the same order (counts and numbers as numbers, text as text, absent values `null`),
 * 2-space indent and a trailing newline.
 */
export function renderPickupsJson(regionCode: number, rows: readonly PickupRow[]): Uint8Array {
  const document = {
    region_code: regionCode,
    pickups: rows.map((row) => {
      const values = valuesOf(row);
      return Object.fromEntries(PICKUP_COLUMNS.map((column, index) => [column, values[index] ?? null]));
    }),
  };
  return new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`);
}
