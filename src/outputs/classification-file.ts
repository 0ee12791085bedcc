import type { Classification } from "../domain/classify.ts";
import { renderCsv } from "./csv-file.ts";

/** Column contract of `classification.csv` (add columns at the end, never rename). */
export const CLASSIFICATION_COLUMNS = [
  "municipality_code",
  "municipality",
  "region_code",
  "window_start",
  "window_end",
  "cases_7d",
  "population",
  "incidence_per_100k",
  "raw_status",
  "status",
  "override",
] as const;

/**
 * `classification.csv`: one row per municipality, sorted by code; incidence with 2 decimals and a
 * `.` decimal point; `cases_7d` empty when the source gave only an incidence; `override` is the id
 * of the STPS decision in force, empty when none.
 */
export function renderClassificationCsv(classifications: readonly Classification[]): Uint8Array {
  const rows = [...classifications]
    .sort((a, b) => a.code - b.code)
    .map((c) => [
      c.code,
      c.name,
      c.regionCode,
      c.window.start,
      c.window.end,
      c.cases7d ?? "",
      c.population,
      c.incidence.toFixed(2),
      c.rawStatus,
      c.status,
      c.overrideId ?? "",
    ]);
  return renderCsv(CLASSIFICATION_COLUMNS, rows);
}
