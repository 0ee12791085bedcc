import type ExcelJS from "exceljs";
import { DateTime } from "luxon";
import type { IsoDate } from "../domain/calendar.ts";
import { formatShift, OUTCOMES, weekdayName, type DocumentLabels } from "./document-labels.ts";
import type { DocumentSettings } from "./document-settings.ts";
import { describeTestWeek, type WeekFrame } from "./municipality-week.ts";
import { countSiteTests, type SiteSessions } from "./site-sessions.ts";
import { buildRowModel, type RowModel } from "./xlsx-rows.ts";

/**
 * Layout of a site sheet, for whoever reads a returned workbook back (attendance): the column
 * headers are on row {@link SITE_SHEET_HEADER_ROW}; every test is one row whose hidden key columns
 * hold the site id, the ISO date, the shift code and the employee id in these fixed English names,
 * whatever the document language. Session heading rows have empty keys.
 */
export const SITE_SHEET_HEADER_ROW = 3;
export const SITE_SHEET_COLUMNS = [
  "date",
  "weekday",
  "shift",
  "employeeId",
  "name",
  "reason",
  "outcome",
  "sampleId",
  "key_site_id",
  "key_date",
  "key_shift",
  "key_employee_id",
] as const;
export type SiteSheetColumn = (typeof SITE_SHEET_COLUMNS)[number];

/** 1-based column number of a site sheet column. */
export function siteSheetColumn(column: SiteSheetColumn): number {
  return SITE_SHEET_COLUMNS.indexOf(column) + 1;
}

const VISIBLE = 8;
const WIDTHS: Readonly<Record<SiteSheetColumn, number>> = {
  date: 12,
  weekday: 10,
  shift: 16,
  employeeId: 16,
  name: 32,
  reason: 13,
  outcome: 14,
  sampleId: 20,
  key_site_id: 14,
  key_date: 12,
  key_shift: 10,
  key_employee_id: 16,
};

const HEADING_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };
const INPUT_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFF2CC" } };
const THIN: ExcelJS.Border = { style: "thin", color: { argb: "FF808080" } };
const BOX: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** A date cell value: midnight UTC, which exceljs stores as the whole day's serial number. */
export function excelDate(date: IsoDate): Date {
  return DateTime.fromISO(date, { zone: "utc" }).toJSDate();
}

/** A date's cell value, one Date per day for a whole workbook (exceljs only reads them). */
export type ExcelDates = (date: IsoDate) => Date;

/** `excelDate` remembered per day: a site sheet has a date on every row, a workbook seven days. */
export function createExcelDates(): ExcelDates {
  const known = new Map<IsoDate, Date>();
  return (date) => {
    let value = known.get(date);
    if (value === undefined) {
      value = excelDate(date);
      known.set(date, value);
    }
    return value;
  };
}

function headerLabels(labels: DocumentLabels): string[] {
  const c = labels.columns;
  return [
    c.date,
    c.weekday,
    c.shift,
    c.employeeId,
    c.name,
    c.reason,
    c.outcome,
    c.sampleId,
    "key_site_id",
    "key_date",
    "key_shift",
    "key_employee_id",
  ];
}

/** Print setup shared by every sheet: A4 landscape, one page wide, as many pages high as needed. */
export function applyPrintSetup(sheet: ExcelJS.Worksheet, titleRows: string | undefined): void {
  sheet.pageSetup = {
    paperSize: 9,
    orientation: "landscape",
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: false,
    margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    ...(titleRows === undefined ? {} : { printTitlesRow: titleRows }),
  };
}

/**
 * The cell styles of a workbook, one object per kind of cell. exceljs recognises a style object it
 * has seen before and skips working out its XML again, which a fresh object per cell (its default)
 * costs on every one of tens of thousands of cells; so every cell gets one of these, and none is
 * changed after assignment.
 */
export type SheetStyles = Readonly<
  Record<
    "plain" | "bold" | "title" | "note" | "header" | "date" | "headingDate" | "heading" | "input",
    Partial<ExcelJS.Style>
  >
>;

/** The shared styles of one workbook (dates in the reader's format). */
export function createSheetStyles(labels: DocumentLabels): SheetStyles {
  const numFmt = labels.excelDateFormat;
  // Every font names its face: a bare `bold` leaves the face to the office suite's default,
  // which is a serif one in LibreOffice.
  const font: Partial<ExcelJS.Font> = { name: "Calibri", family: 2, size: 11 };
  const bold: Partial<ExcelJS.Font> = { ...font, bold: true };
  const left: Partial<ExcelJS.Alignment> = { horizontal: "left" };
  return {
    plain: { font },
    bold: { font: bold },
    title: { font: { ...bold, size: 13 } },
    note: { font: { ...font, italic: true } },
    header: { font: bold, border: BOX },
    date: { font, numFmt, alignment: left },
    headingDate: { font: bold, numFmt, fill: HEADING_FILL, alignment: left },
    heading: { font: bold, fill: HEADING_FILL },
    input: { font, fill: INPUT_FILL, border: BOX },
  };
}

/** Sets a cell's value and (shared) style. */
export function putCell(
  row: ExcelJS.Row,
  column: number,
  value: ExcelJS.CellValue,
  style: Partial<ExcelJS.Style>,
): void {
  const cell = row.getCell(column);
  cell.value = value;
  cell.style = style;
}

type DataValidationSink = { add(address: string, validation: ExcelJS.DataValidation): void };

/**
 * Fills one site's sheet: a title, a line saying what to fill in, the column headers (frozen,
 * filtered, repeated on every printed page), then per session a heading row (date, weekday, shift
 * with its time window, number of tests) and one row per person with the columns the coordinator
 * fills in: outcome (a list: taken / declined / absent) and sample ID. The rows are returned as
 * row models for `writeXlsx` to add (see xlsx-rows.ts), not put in `sheet`, which gets the rest.
 */
export function fillSiteSheet(
  sheet: ExcelJS.Worksheet,
  site: SiteSessions,
  municipalityName: string,
  frame: WeekFrame,
  labels: DocumentLabels,
  settings: DocumentSettings,
  styles: SheetStyles,
  dates: ExcelDates,
): RowModel[] {
  const da = labels.language === "da";
  sheet.columns = SITE_SHEET_COLUMNS.map((key, index) => ({
    key,
    width: WIDTHS[key],
    hidden: index >= VISIBLE,
  }));
  const title = `${site.siteName} (${site.siteId}) – ${municipalityName} – ${describeTestWeek(frame, labels)}`;
  const outcomes = OUTCOMES.map((o) => labels.outcomes[o]).join(" / ");
  const what = `${labels.siteKinds[site.kind]}, ${site.address}. ${labels.tests(countSiteTests(site))}.`;
  const note = da
    ? `${what} Udfyld Udfald (${outcomes}) og Prøve-ID for hver test, og send arbejdsbogen retur.`
    : `${what} Fill in Outcome (${outcomes}) and Sample ID for every test, and send the workbook back.`;
  const headerStyles = SITE_SHEET_COLUMNS.map((_, index) => (index < VISIBLE ? styles.header : styles.bold));
  // Every row goes to the writer as a row model (xlsx-rows.ts), the title and header rows too.
  const rows: RowModel[] = [
    buildRowModel(1, [title], [styles.title]),
    buildRowModel(2, [note], [styles.note]),
    buildRowModel(SITE_SHEET_HEADER_ROW, headerLabels(labels), headerStyles),
  ];

  const first = SITE_SHEET_HEADER_ROW + 1;
  const headingStyles = [styles.headingDate, ...Array.from({ length: VISIBLE - 1 }, () => styles.heading)];
  const personStyles = [
    styles.date,
    ...Array.from({ length: 5 }, () => styles.plain),
    styles.input,
    styles.input,
    ...Array.from({ length: SITE_SHEET_COLUMNS.length - VISIBLE }, () => styles.plain),
  ];
  let rowNumber = SITE_SHEET_HEADER_ROW;
  for (const session of site.sessions) {
    const date = dates(session.date);
    const weekday = weekdayName(session.weekday, labels);
    const shift = formatShift(session.shift, settings.shiftHours, labels);
    rowNumber++;
    rows.push(
      buildRowModel(
        rowNumber,
        [date, weekday, shift, null, labels.tests(session.people.length), null, null, null],
        headingStyles,
      ),
    );
    for (const person of session.people) {
      rowNumber++;
      const name = person.name === "" ? null : person.name;
      const reason = labels.reasons[person.reason];
      rows.push(
        buildRowModel(
          rowNumber,
          // The visible columns (outcome and sample ID left empty), then the hidden keys.
          [
            date,
            weekday,
            shift,
            person.employeeId,
            name,
            reason,
            null,
            null,
            site.siteId,
            session.date,
            session.shift,
            person.employeeId,
          ],
          personStyles,
        ),
      );
    }
  }
  if (rowNumber >= first) {
    // One list for the whole outcome column (heading rows included): a single range is cheaper
    // for exceljs than a validation per cell, and the heading rows' cells stay empty.
    const column = sheet.getColumn(siteSheetColumn("outcome")).letter;
    (sheet as unknown as { dataValidations: DataValidationSink }).dataValidations.add(
      `${column}${first}:${column}${rowNumber}`,
      {
        type: "list",
        allowBlank: true,
        formulae: [`"${OUTCOMES.map((o) => labels.outcomes[o]).join(",")}"`],
        showErrorMessage: true,
        errorTitle: labels.columns.outcome,
        error: da ? `Vælg ${outcomes}` : `Choose ${outcomes}`,
      },
    );
  }
  sheet.views = [{ state: "frozen", ySplit: SITE_SHEET_HEADER_ROW, topLeftCell: "A4", activeCell: "A4" }];
  sheet.autoFilter = {
    from: { row: SITE_SHEET_HEADER_ROW, column: 1 },
    to: { row: Math.max(rowNumber, SITE_SHEET_HEADER_ROW), column: VISIBLE },
  };
  applyPrintSetup(sheet, `1:${SITE_SHEET_HEADER_ROW}`);
  sheet.pageSetup.showGridLines = true;
  sheet.headerFooter = {
    oddHeader: `&L${escapeHeader(municipalityName)} – ${escapeHeader(labels.testWeek(frame.testWeekNumber))}&R${escapeHeader(site.siteName)}`,
    oddFooter: da ? "&Cside &P af &N" : "&Cpage &P of &N",
  };
  return rows;
}

/** `&` starts a code in Excel headers and footers: a literal one is doubled. */
export function escapeHeader(text: string): string {
  return text.replaceAll("&", "&&");
}
