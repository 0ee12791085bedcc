import type { IsoDate } from "../domain/calendar.ts";
import type { Pickup } from "../domain/plan-types.ts";
import type { Site } from "../domain/roster.ts";
import { renderCsv } from "./csv-file.ts";
import { compareText } from "./compare-text.ts";

/**
 * Column contract of `pickups.csv` (add columns at the end, never rename): `date` is the pickup
 * date; `test_date`, added after the original columns, is the day the samples were taken.
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
] as const;

/** One pickup for regional logistics: counts only, never staff names or ids. */
export type PickupRow = {
  /** Pickup date. */
  readonly date: IsoDate;
  readonly pickupTime: string;
  readonly siteId: string;
  readonly siteName: string;
  readonly address: string;
  readonly municipalityCode: number;
  readonly samples: number;
  readonly kitsToDeliver: number;
  /** The day the samples were taken. */
  readonly testDate: IsoDate;
};

/** The pickup rows of each region (keyed by region code), with site name and address joined. */
export function buildPickupRows(
  pickups: readonly Pickup[],
  sites: readonly Site[],
): Map<number, PickupRow[]> {
  const siteById = new Map(sites.map((site) => [site.id, site]));
  const byRegion = new Map<number, PickupRow[]>();
  for (const pickup of pickups) {
    const site = siteById.get(pickup.siteId);
    if (site === undefined) throw new Error(`pickups: site ${pickup.siteId} is not in the sites file`);
    const rows = byRegion.get(pickup.regionCode) ?? [];
    rows.push({
      date: pickup.pickupDate,
      pickupTime: pickup.pickupTime,
      siteId: site.id,
      siteName: site.name,
      address: site.address,
      municipalityCode: pickup.municipalityCode,
      samples: pickup.samples,
      kitsToDeliver: pickup.kitsToDeliver,
      testDate: pickup.testDate,
    });
    byRegion.set(pickup.regionCode, rows);
  }
  return byRegion;
}

/** Rows in the order a driver works through them: pickup date, time, site, test date. */
function sortPickupRows(rows: readonly PickupRow[]): PickupRow[] {
  return [...rows].sort(
    (a, b) =>
      compareText(a.date, b.date) ||
      compareText(a.pickupTime, b.pickupTime) ||
      compareText(a.siteId, b.siteId) ||
      compareText(a.testDate, b.testDate),
  );
}

/** `pickups.csv` of one region (columns {@link PICKUP_COLUMNS}). */
export function renderPickupsCsv(rows: readonly PickupRow[]): Uint8Array {
  return renderCsv(
    PICKUP_COLUMNS,
    sortPickupRows(rows).map((row) => [
      row.date,
      row.pickupTime,
      row.siteId,
      row.siteName,
      row.address,
      row.municipalityCode,
      row.samples,
      row.kitsToDeliver,
      row.testDate,
    ]),
  );
}

/**
 * `pickups.json` of one region: `{ region_code, pickups: [...] }` with the CSV's column names as
 * keys in the same order, 2-space indent and a trailing newline.
 */
export function renderPickupsJson(regionCode: number, rows: readonly PickupRow[]): Uint8Array {
  const document = {
    region_code: regionCode,
    pickups: sortPickupRows(rows).map((row) => ({
      date: row.date,
      pickup_time: row.pickupTime,
      site_id: row.siteId,
      site_name: row.siteName,
      address: row.address,
      municipality_code: row.municipalityCode,
      samples: row.samples,
      kits_to_deliver: row.kitsToDeliver,
      test_date: row.testDate,
    })),
  };
  return new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`);
}
