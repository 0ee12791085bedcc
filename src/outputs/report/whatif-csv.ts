import { renderCsv } from "../csv-file.ts";
import { formatWeek, weekOfDate } from "./format.ts";
import { summarizeWhatIfRegion } from "./whatif-summary.ts";
import type { WhatIfData } from "./whatif-types.ts";

/** Column contract of the what-if CSV (add columns at the end, never rename). */
export const WHATIF_COLUMNS = [
  "region_code",
  "region",
  "week",
  "date",
  "capacity_per_day",
  "demanded",
  "carried_in",
  "planned",
  "deferred",
] as const;

/**
 * The what-if replay per region and test day, as Danish Excel opens it (UTF-8 with BOM, `;`):
 * regions in the order given, days in date order; `demanded = planned + deferred` on every row.
 */
export function renderWhatIfCsv(data: WhatIfData): Uint8Array {
  const rows = data.regions.flatMap((region) => {
    summarizeWhatIfRegion(region);
    return region.days.map((day) => [
      region.code,
      region.name,
      formatWeek(weekOfDate(day.date)),
      day.date,
      region.capacityPerDay,
      day.demanded,
      day.carriedIn,
      day.planned,
      day.deferred,
    ]);
  });
  return renderCsv(WHATIF_COLUMNS, rows);
}
