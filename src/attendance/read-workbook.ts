import ExcelJS from "exceljs";
import { DateTime } from "luxon";
import {
  siteSheetColumn,
  SITE_SHEET_HEADER_ROW,
  type SiteSheetColumn,
} from "../outputs/workbook-site-sheet.ts";
import type { ProblemSink } from "../roster/input-problems.ts";
import type { AttendanceColumn, AttendanceRawRow } from "./attendance-rows.ts";

/** The test rows of a returned workbook and what its keywords say it is. */
export type WorkbookReturn = {
  readonly rows: readonly AttendanceRawRow[];
  /** `week=…` of the keywords (e.g. `2020-W41`), if present. */
  readonly week: string | undefined;
  /** `municipality=…` of the keywords, if present. */
  readonly municipalityCode: number | undefined;
};

/** The hidden key columns in their fixed English names, and the return columns they fill. */
const KEY_COLUMNS: readonly (readonly [SiteSheetColumn, AttendanceColumn])[] = [
  ["key_employee_id", "employee_id"],
  ["key_date", "date"],
  ["key_shift", "shift"],
  ["key_site_id", "site_id"],
  ["outcome", "outcome"],
  ["sampleId", "sample_id"],
];

/**
 * A cell's value as text, the way a reader of the sheet means it: a date (a key column retyped by
 * an office suite) as its ISO date, a number as its digits, rich text joined, a formula by its
 * result, a hyperlink by its text; empty for an empty cell or an error value.
 */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: "utc" }).toISODate() ?? "";
  if ("richText" in value)
    return value.richText
      .map((part) => part.text)
      .join("")
      .trim();
  if ("text" in value && typeof value.text === "string") return value.text.trim();
  if ("result" in value) return cellText(value.result ?? null);
  return "";
}

/** The keywords' `name=value` pairs (e.g. `week=2020-W41;municipality=350;language=da`). */
function parseKeywords(keywords: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of (keywords ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0) pairs.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return pairs;
}

function isSiteSheet(sheet: ExcelJS.Worksheet): boolean {
  const header = sheet.getRow(SITE_SHEET_HEADER_ROW);
  return KEY_COLUMNS.filter(([column]) => column.startsWith("key_")).every(
    ([column]) => cellText(header.getCell(siteSheetColumn(column)).value) === column,
  );
}

/**
 * Reads a returned `rota.xlsx` back (see docs/coordinator-documents.md): every site sheet (its
 * header row carries the hidden key columns `key_site_id`, `key_date`, `key_shift`,
 * `key_employee_id`) gives one row per test — a row with an employee key — with the outcome
 * (Danish or English word, or blank) and sample ID the coordinator filled in. Sheets without the
 * key columns (the cover) are skipped; a workbook without any site sheet is a problem. Rows are
 * named `file [sheet]:row`.
 */
export async function readWorkbookReturn(
  path: string,
  bytes: Buffer,
  sink: ProblemSink,
): Promise<WorkbookReturn | undefined> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    sink.report({ file: path, message: "not a readable .xlsx workbook, expected the returned rota.xlsx" });
    return undefined;
  }
  const keywords = parseKeywords(workbook.keywords);
  const code = keywords.get("municipality");
  const rows: AttendanceRawRow[] = [];
  let siteSheets = 0;
  for (const sheet of workbook.worksheets) {
    if (!isSiteSheet(sheet)) continue;
    siteSheets += 1;
    const file = `${path} [${sheet.name}]`;
    for (let number = SITE_SHEET_HEADER_ROW + 1; number <= sheet.rowCount; number++) {
      const row = sheet.getRow(number);
      const cells: Partial<Record<AttendanceColumn, string>> = {};
      for (const [column, field] of KEY_COLUMNS) {
        const text = cellText(row.getCell(siteSheetColumn(column)).value);
        if (text !== "") cells[field] = text;
      }
      // Session heading rows (and rows a coordinator added) carry no employee key.
      if (cells.employee_id === undefined) continue;
      cells.date ??= "";
      cells.shift ??= "";
      rows.push({ file, line: number, cells });
    }
  }
  if (siteSheets === 0) {
    sink.report({
      file: path,
      message:
        "no site sheet with the hidden key columns (key_site_id, key_date, key_shift, key_employee_id) in row 3, expected the rota.xlsx testrota published",
    });
    return undefined;
  }
  return {
    rows,
    week: keywords.get("week"),
    municipalityCode: code !== undefined && /^\d+$/.test(code) ? Number(code) : undefined,
  };
}
