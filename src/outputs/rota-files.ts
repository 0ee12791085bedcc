import ExcelJS from "exceljs";
import { unzipSync, zipSync, type Zippable } from "fflate";
import { WEEKDAY_NAMES, type IsoDate, type Weekday } from "../domain/calendar.ts";
import type { PlannedTest, TestReason } from "../domain/plan-types.ts";
import { SHIFTS, type Shift, type Site, type StaffMember } from "../domain/roster.ts";
import { renderCsv } from "./csv-file.ts";
import { compareText } from "./compare-text.ts";

/** Column contract of `rota.csv` / `rota.xlsx` (add columns at the end, never rename). */
export const ROTA_COLUMNS = [
  "employee_id",
  "name",
  "site_id",
  "site_name",
  "date",
  "weekday",
  "shift",
  "reason",
] as const;

/** One planned test as the municipal coordinator sees it. */
export type RotaRow = {
  readonly employeeId: string;
  /** Empty when the HR export carries no name. */
  readonly name: string;
  readonly siteId: string;
  readonly siteName: string;
  readonly date: IsoDate;
  /** ISO weekday of `date`, as planned (carried, not recomputed: rotas run to millions of rows). */
  readonly weekday: Weekday;
  readonly shift: Shift;
  readonly reason: TestReason;
};

export type RotaXlsxOptions = {
  /** Worksheet name (Excel: at most 31 characters, none of `[]:*?/\`). */
  readonly sheetName: string;
  /** Written as the workbook's created/modified dates and every zip entry's time. */
  readonly createdAt: Date;
};

/**
 * The rota rows of each municipality (keyed by municipality code), so that every municipality's
 * folder holds only its own staff. A test of an employee or site unknown to the roster is a bug
 * upstream and throws.
 */
export function buildRotaRows(
  tests: readonly PlannedTest[],
  staff: readonly StaffMember[],
  sites: readonly Site[],
): Map<number, RotaRow[]> {
  // Only the tested staff are looked up: a national roster is far larger than one week's tests.
  const tested = new Set(tests.map((test) => test.employeeId));
  const staffById = new Map<string, StaffMember>();
  for (const member of staff) if (tested.has(member.employeeId)) staffById.set(member.employeeId, member);
  const siteById = new Map(sites.map((site) => [site.id, site]));
  const byMunicipality = new Map<number, RotaRow[]>();
  for (const test of tests) {
    const member = staffById.get(test.employeeId);
    const site = siteById.get(test.siteId);
    // The message names the site only: employee ids must not reach logs through errors.
    if (member === undefined || site === undefined) {
      throw new Error(`rota: a planned test at site ${test.siteId} refers to an unknown employee or site`);
    }
    const rows = byMunicipality.get(test.municipalityCode) ?? [];
    rows.push({
      employeeId: test.employeeId,
      name: member.name ?? "",
      siteId: site.id,
      siteName: site.name,
      date: test.date,
      weekday: test.weekday,
      shift: test.shift,
      reason: test.reason,
    });
    byMunicipality.set(test.municipalityCode, rows);
  }
  return byMunicipality;
}

/** Rows by date, then shift in the day's order (day, evening, night), then site, then employee. */
function sortRotaRows(rows: readonly RotaRow[]): RotaRow[] {
  return [...rows].sort(
    (a, b) =>
      compareText(a.date, b.date) ||
      SHIFTS.indexOf(a.shift) - SHIFTS.indexOf(b.shift) ||
      compareText(a.siteId, b.siteId) ||
      compareText(a.employeeId, b.employeeId),
  );
}

function toCells(row: RotaRow): string[] {
  const weekday = WEEKDAY_NAMES[row.weekday - 1] ?? "";
  return [row.employeeId, row.name, row.siteId, row.siteName, row.date, weekday, row.shift, row.reason];
}

/** `rota.csv` of one municipality (columns {@link ROTA_COLUMNS}, weekday as an English name). */
export function renderRotaCsv(rows: readonly RotaRow[]): Uint8Array {
  return renderCsv(ROTA_COLUMNS, sortRotaRows(rows).map(toCells));
}

/**
 * The zip time of every entry: the UTC wall-clock time of `createdAt`. Zip (DOS) times have no
 * zone and fflate reads them from local-time fields, so a Date whose local fields carry the UTC
 * values gives the same bytes on every machine whatever its time zone.
 */
function zipTime(createdAt: Date): Date {
  return new Date(
    createdAt.getUTCFullYear(),
    createdAt.getUTCMonth(),
    createdAt.getUTCDate(),
    createdAt.getUTCHours(),
    createdAt.getUTCMinutes(),
    createdAt.getUTCSeconds(),
  );
}

/**
 * Rewrites the archive with fixed entry times and a fixed entry order (`[Content_Types].xml`
 * first, as Office writes it, then by name): exceljs stamps zip entries with the clock.
 */
function normaliseZip(archive: Uint8Array, createdAt: Date): Uint8Array {
  const entries = unzipSync(archive);
  const names = Object.keys(entries).sort((a, b) =>
    a === "[Content_Types].xml" ? -1 : b === "[Content_Types].xml" ? 1 : compareText(a, b),
  );
  const ordered: Zippable = {};
  for (const name of names) {
    const bytes = entries[name];
    if (bytes !== undefined) ordered[name] = bytes;
  }
  return zipSync(ordered, { level: 6, mtime: zipTime(createdAt) });
}

/**
 * `rota.xlsx` of one municipality: the same rows and columns as the CSV, header bold and frozen,
 * with a filter. Byte-identical for identical input: the workbook dates and zip entry times come
 * from `createdAt`, never from the clock.
 */
export async function renderRotaXlsx(
  rows: readonly RotaRow[],
  options: RotaXlsxOptions,
): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "testrota";
  workbook.lastModifiedBy = "testrota";
  workbook.created = options.createdAt;
  workbook.modified = options.createdAt;
  const sheet = workbook.addWorksheet(options.sheetName, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = ROTA_COLUMNS.map((column) => ({
    header: column,
    key: column,
    width: column === "name" || column === "site_name" ? 32 : 14,
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRows(sortRotaRows(rows).map(toCells));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: ROTA_COLUMNS.length } };
  const written = await workbook.xlsx.writeBuffer();
  return normaliseZip(new Uint8Array(written), options.createdAt);
}
