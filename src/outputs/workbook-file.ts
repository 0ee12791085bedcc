import ExcelJS from "exceljs";
import { formatDate, labelsFor, type DocumentLabels } from "./document-labels.ts";
import type { DocumentSettings } from "./document-settings.ts";
import {
  describeFlow,
  describeStatus,
  describeTestWeek,
  describeRosterNote,
  explainNoTests,
  type MunicipalityFacts,
  type WeekFrame,
} from "./municipality-week.ts";
import { countSiteTests, type SiteSessions } from "./site-sessions.ts";
import {
  applyPrintSetup,
  createExcelDates,
  createSheetStyles,
  escapeHeader,
  excelDate,
  fillSiteSheet,
  putCell,
  type SheetStyles,
} from "./workbook-site-sheet.ts";
import { buildRowModel, type RowModel } from "./xlsx-rows.ts";
import { writeXlsx } from "./xlsx-zip.ts";

/** One municipality's workbook: plain data, so a worker thread can render it. */
export type WorkbookInput = {
  readonly municipality: MunicipalityFacts;
  readonly frame: WeekFrame;
  /** Every site of the municipality (sites without sessions are only counted on the cover). */
  readonly sites: readonly SiteSessions[];
  readonly settings: DocumentSettings;
};

const SHEET_NAME_MAX = 31;

/**
 * Excel's sheet names: at most 31 characters, none of `[]:*?/\`, no apostrophe at either end,
 * unique regardless of case. The site id comes first, so names stay apart when cut short.
 */
function uniqueSheetName(wanted: string, taken: Set<string>): string {
  const clean = wanted
    .replace(/[[\]:*?/\\]/g, "_")
    .replace(/^'+|'+$/g, "")
    .trim();
  let name = clean.slice(0, SHEET_NAME_MAX).trim();
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = `${clean.slice(0, SHEET_NAME_MAX - suffix.length).trim()}${suffix}`;
  }
  taken.add(name.toLowerCase());
  return name;
}

type CoverStyles = SheetStyles & {
  readonly coverTitle: Partial<ExcelJS.Style>;
  readonly section: Partial<ExcelJS.Style>;
  readonly value: Partial<ExcelJS.Style>;
  readonly prose: Partial<ExcelJS.Style>;
  readonly italic: Partial<ExcelJS.Style>;
  readonly proseLabel: Partial<ExcelJS.Style>;
};

function coverStyles(styles: SheetStyles): CoverStyles {
  const font = styles.plain.font ?? {};
  return {
    ...styles,
    coverTitle: { font: { ...font, bold: true, size: 15 } },
    section: { font: { ...font, bold: true, size: 12 } },
    value: { font, alignment: { horizontal: "left" } },
    prose: { font, alignment: { horizontal: "left", vertical: "top", wrapText: true } },
    italic: styles.note,
    proseLabel: { ...styles.bold, alignment: { vertical: "top" } },
  };
}

/** A labelled line of the cover: the label bold, the value left-aligned (dates as dates). */
function addLine(
  sheet: ExcelJS.Worksheet,
  styles: CoverStyles,
  label: string,
  value: ExcelJS.CellValue,
): ExcelJS.Row {
  const row = sheet.addRow([]);
  putCell(row, 1, label, styles.bold);
  putCell(row, 2, value, value instanceof Date ? styles.date : styles.value);
  return row;
}

/** A long text over the cover's width, wrapped in one merged cell. */
function addProse(
  sheet: ExcelJS.Worksheet,
  styles: CoverStyles,
  label: string,
  text: string,
  lastColumn: number,
): void {
  const row = sheet.addRow([]);
  putCell(row, 1, label, styles.proseLabel);
  putCell(row, 2, text, styles.prose);
  sheet.mergeCells(row.number, 2, row.number, lastColumn);
  // Merged cells do not grow with their text: about 130 characters fit on one line of the merge.
  row.height = 15 * Math.max(1, Math.ceil(text.length / 130));
}

function fillCover(
  sheet: ExcelJS.Worksheet,
  input: WorkbookInput,
  labels: DocumentLabels,
  styles: CoverStyles,
): RowModel[] {
  const { municipality, frame, settings } = input;
  const da = labels.language === "da";
  const lastColumn = 3 + frame.testDates.length + 1;
  sheet.columns = [
    { width: 24 },
    { width: 34 },
    { width: 14 },
    ...frame.testDates.map(() => ({ width: 11 })),
    { width: 9 },
  ];
  putCell(
    sheet.addRow([]),
    1,
    da
      ? `Testplan for plejepersonale – ${municipality.name}`
      : `Test plan for care staff – ${municipality.name}`,
    styles.coverTitle,
  );
  sheet.addRow([]);
  addLine(sheet, styles, da ? "Kommune" : "Municipality", `${municipality.name} (${municipality.code})`);
  addLine(sheet, styles, da ? "Testuge" : "Test week", describeTestWeek(frame, labels));
  addLine(
    sheet,
    styles,
    da ? "Første dag (mandag)" : "First day (Monday)",
    excelDate(frame.testDates[0] ?? ""),
  );
  addLine(
    sheet,
    styles,
    da ? "Sidste dag (søndag)" : "Last day (Sunday)",
    excelDate(frame.testDates[6] ?? ""),
  );
  const classified = addLine(
    sheet,
    styles,
    da ? "Klassificeret" : "Classified",
    excelDate(frame.classificationDate),
  );
  putCell(
    classified,
    3,
    da
      ? `onsdag i uge ${Number(frame.classificationWeek.slice(6))}`
      : `Wednesday of week ${Number(frame.classificationWeek.slice(6))}`,
    styles.value,
  );
  addProse(sheet, styles, "Status", describeStatus(municipality, labels), lastColumn);
  addProse(sheet, styles, da ? "Forløb" : "Flow", describeFlow(municipality, frame, labels), lastColumn);
  const rosterNote = describeRosterNote(municipality, labels);
  if (rosterNote !== undefined)
    addProse(sheet, styles, da ? "Personaleliste" : "Roster", rosterNote, lastColumn);
  const why = explainNoTests(municipality, frame, labels);
  if (why.length > 0) {
    addProse(sheet, styles, da ? "Hvorfor ingen test" : "Why no tests", why.join(" "), lastColumn);
  } else {
    addLine(sheet, styles, da ? "Antal test" : "Tests", municipality.tests);
    if (municipality.deferred > 0) {
      addProse(
        sheet,
        styles,
        da ? "Udskudt" : "Deferred",
        da
          ? `${municipality.deferred} test er udskudt, fordi laboratoriekapaciteten ikke slog til; de planlægges først i næste uge.`
          : `${municipality.deferred} tests were deferred for lack of lab capacity; they are planned first next week.`,
        lastColumn,
      );
    }
  }
  addProse(
    sheet,
    styles,
    da ? "Kontakt" : "Contact",
    settings.contact !== "" ? settings.contact : da ? "(ikke angivet)" : "(not given)",
    lastColumn,
  );
  addProse(
    sheet,
    styles,
    da ? "Sådan bruges den" : "How to use it",
    da
      ? "Ét ark pr. arbejdssted med test i ugen, sorteret efter dato og vagt. Udfyld Udfald og Prøve-ID for hver test og send arbejdsbogen retur; ændr ikke arkenes navne eller de skjulte kolonner. Til selve testen: arbejdsstedets PDF i mappen sites/ (med podningslog)."
      : "One sheet per site with tests this week, by date and shift. Fill in Outcome and Sample ID for every test and send the workbook back; do not rename the sheets or change the hidden columns. At the test itself: the site's PDF in the sites/ folder (with the swab log).",
    lastColumn,
  );
  sheet.addRow([]);
  putCell(sheet.addRow([]), 1, da ? "Test pr. arbejdssted og dag" : "Tests per site and day", styles.section);
  const header = sheet.addRow([]);
  [
    labels.columns.siteId,
    labels.columns.site,
    labels.columns.kind,
    ...frame.testDates.map(
      (date, index) =>
        `${(labels.weekdays[index] ?? "").slice(0, 3)} ${formatDate(date, labels).slice(0, 5)}`,
    ),
    labels.columns.total,
  ].forEach((text, index) => putCell(header, index + 1, text, styles.header));
  // The rows after the table's header go to the writer as row models (xlsx-rows.ts).
  const rows: RowModel[] = [];
  let number = header.number;
  const siteStyles = Array.from({ length: lastColumn }, () => styles.plain);
  const totals = frame.testDates.map(() => 0);
  for (const site of input.sites) {
    const perDay = frame.testDates.map((date) =>
      site.sessions.filter((s) => s.date === date).reduce((sum, s) => sum + s.people.length, 0),
    );
    perDay.forEach((count, index) => (totals[index] = (totals[index] ?? 0) + count));
    const counts = perDay.map((count) => (count === 0 ? null : count));
    const values = [site.siteId, site.siteName, labels.siteKinds[site.kind], ...counts, countSiteTests(site)];
    rows.push(buildRowModel(++number, values, siteStyles));
  }
  // The total row has no cells under the site's name and kind.
  const sum = totals.reduce((a, b) => a + b, 0);
  const totalValues = [labels.columns.total, undefined, undefined, ...totals, sum];
  rows.push(
    buildRowModel(
      ++number,
      totalValues,
      Array.from(totalValues, () => styles.bold),
    ),
  );
  if (input.sites.some((site) => site.sessions.length === 0)) {
    const note = da
      ? "Arbejdssteder uden test i ugen har intet ark, ingen PDF og ingen kalender."
      : "Sites without tests this week have no sheet, no PDF and no calendar.";
    // After an empty row.
    rows.push(buildRowModel(number + 2, [note], [styles.italic]));
  }
  // The table's header repeats on every printed page of a long list of sites.
  applyPrintSetup(sheet, `${header.number}:${header.number}`);
  sheet.headerFooter = {
    oddHeader: `&L${escapeHeader(municipality.name)} – ${escapeHeader(labels.testWeek(frame.testWeekNumber))}`,
    oddFooter: da ? "&Cside &P af &N" : "&Cpage &P of &N",
  };
  return rows;
}

/**
 * `rota.xlsx` of one municipality: a cover sheet (municipality, test week and its dates, status
 * and incidence, where the red flow stands, why there are no tests when there are none, tests per
 * site and day, who to contact), then one sheet per site with tests (see `fillSiteSheet`). Dates
 * are real dates shown dd-mm-yyyy; every sheet prints A4 landscape, one page wide. Byte-identical
 * for identical input: the workbook dates and zip entry times come from `generatedAt`.
 */
export async function renderRotaWorkbook(input: WorkbookInput): Promise<Uint8Array> {
  const labels = labelsFor(input.settings.language);
  const createdAt = new Date(input.settings.generatedAt);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "testrota";
  workbook.lastModifiedBy = "testrota";
  workbook.created = createdAt;
  workbook.modified = createdAt;
  workbook.title = `${input.municipality.name} ${input.frame.testWeek}`;
  // Machine-readable keys for a returned workbook (attendance import).
  workbook.subject = "testrota rota";
  workbook.keywords = `week=${input.frame.testWeek};municipality=${input.municipality.code};language=${labels.language}`;
  const styles = createSheetStyles(labels);
  const taken = new Set<string>();
  const cover = workbook.addWorksheet(uniqueSheetName(labels.language === "da" ? "Forside" : "Cover", taken));
  const rows = new Map<number, RowModel[]>([
    [cover.id, fillCover(cover, input, labels, coverStyles(styles))],
  ]);
  const dates = createExcelDates();
  for (const site of input.sites) {
    if (site.sessions.length === 0) continue;
    const sheet = workbook.addWorksheet(uniqueSheetName(`${site.siteId} ${site.siteName}`, taken));
    rows.set(
      sheet.id,
      fillSiteSheet(sheet, site, input.municipality.name, input.frame, labels, input.settings, styles, dates),
    );
  }
  return writeXlsx(workbook, createdAt, rows);
}
