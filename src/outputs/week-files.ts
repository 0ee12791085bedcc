import type { AssembledWeek } from "../domain/assemble-week.ts";
import { formatIsoWeek } from "../domain/calendar.ts";
import type { Municipality } from "../domain/reference.ts";
import type { Site, StaffMember } from "../domain/roster.ts";
import { renderClassificationCsv } from "./classification-file.ts";
import { buildPickupRows, renderPickupsCsv, renderPickupsJson } from "./pickup-files.ts";
import { buildRotaRows, renderRotaCsv, renderRotaXlsx } from "./rota-files.ts";
import { renderSummaryJson } from "./summary-file.ts";

export type WeekFilesInput = {
  readonly assembled: AssembledWeek;
  readonly municipalities: readonly Municipality[];
  readonly regionCodes: readonly number[];
  readonly sites: readonly Site[];
  readonly staff: readonly StaffMember[];
  /** The run's scheduled time: written into the files instead of the clock (byte-identical reruns). */
  readonly generatedAt: Date;
  /** `summary.json` content (counts and metrics only). */
  readonly summary: unknown;
};

/**
 * Every file of a week's folder except `manifest.json` (added on publish): classification,
 * one rota per municipality (CSV + XLSX, header-only when nobody is tested), the provisional
 * rota of the week after under `lookahead/`, one pickup schedule per region (CSV + JSON) and the
 * summary.
 */
export async function renderWeekFiles(input: WeekFilesInput): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const { assembled } = input;
  files.set("classification.csv", renderClassificationCsv(assembled.classifications));
  const rotaByMunicipality = buildRotaRows(assembled.plan.tests, input.staff, input.sites);
  const sheetName = `Rota ${formatIsoWeek(assembled.testWeek)}`;
  for (const municipality of input.municipalities) {
    const rows = rotaByMunicipality.get(municipality.code) ?? [];
    const folder = `municipalities/${municipality.code}`;
    files.set(`${folder}/rota.csv`, renderRotaCsv(rows));
    files.set(`${folder}/rota.xlsx`, await renderRotaXlsx(rows, { sheetName, createdAt: input.generatedAt }));
  }
  // Provisional rota of the week after (see AssembledWeek.lookahead): CSV only, same columns.
  const lookaheadRows = buildRotaRows(assembled.lookahead.tests, input.staff, input.sites);
  const lookaheadFolder = `lookahead/${formatIsoWeek(assembled.lookahead.testWeek)}`;
  for (const municipality of input.municipalities) {
    const rows = lookaheadRows.get(municipality.code) ?? [];
    files.set(`${lookaheadFolder}/municipalities/${municipality.code}/rota.csv`, renderRotaCsv(rows));
  }
  const pickupsByRegion = buildPickupRows(assembled.plan.pickups, input.sites);
  for (const regionCode of input.regionCodes) {
    const rows = pickupsByRegion.get(regionCode) ?? [];
    files.set(`regions/${regionCode}/pickups.csv`, renderPickupsCsv(rows));
    files.set(`regions/${regionCode}/pickups.json`, renderPickupsJson(regionCode, rows));
  }
  files.set("summary.json", renderSummaryJson(input.summary));
  return files;
}
