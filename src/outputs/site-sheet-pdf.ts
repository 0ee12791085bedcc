import PDFDocument from "pdfkit";
import { formatDate, formatShift, labelsFor, weekdayName, type DocumentLabels } from "./document-labels.ts";
import type { DocumentSettings } from "./document-settings.ts";
import { describeTestWeek, type WeekFrame } from "./municipality-week.ts";
import type { SheetFont } from "./pdf-fonts.ts";
import { countSiteTests, type Session, type SiteSessions } from "./site-sessions.ts";

/** One site's sheet: plain data, so a worker thread can render it. */
export type SiteSheetInput = {
  readonly municipality: { readonly code: number; readonly name: string };
  readonly frame: WeekFrame;
  readonly site: SiteSessions;
  readonly settings: DocumentSettings;
};

// A4 portrait in points; all positions below are fixed, so the layout (and page count) is too.
const PAGE = { width: 595.28, height: 841.89 } as const;
const LEFT = 40;
const RIGHT = PAGE.width - 40;
const CONTENT_TOP = 96;
const CONTENT_BOTTOM = PAGE.height - 50;
const SESSION_HEADING = 22;
const TABLE_HEADER = 16;
const ROW = 18;
const SWAB_ROW = 26;
const SWAB_ROWS = 20;
const BOX = 9;
const MIN_SIZE = 6.5;
const GREY = "#d9e1f2";
const INK = "#000000";
const FAINT = "#808080";
const FONT = "sheet";
/** Headings are drawn filled and outlined (faux bold): one embedded font subset per sheet, not two. */
const BOLD_OUTLINE = 0.35;

/** Columns of a session's table: [x, width]. Tick boxes for the outcomes, a line for the sample ID. */
const COLUMNS = {
  employeeId: [LEFT, 74],
  name: [LEFT + 74, 172],
  reason: [LEFT + 246, 58],
  taken: [LEFT + 304, 36],
  declined: [LEFT + 340, 42],
  absent: [LEFT + 382, 52],
  sampleId: [LEFT + 434, RIGHT - LEFT - 434],
} as const;

const SWAB_COLUMNS = {
  swabber: [LEFT, 170],
  date: [LEFT + 170, 75],
  place: [LEFT + 245, 135],
  signature: [LEFT + 380, RIGHT - LEFT - 380],
} as const;

type Doc = PDFKit.PDFDocument;

type Style = "plain" | "strong";

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * Writes `text` at (x, y) in one line, cut with an ellipsis to `width` when given (pdfkit's own
 * wrapping is slow). Strong text is filled and outlined.
 */
function write(
  doc: Doc,
  text: string,
  x: number,
  y: number,
  style: Style,
  size: number,
  width?: number,
): void {
  doc.font(FONT, size);
  // Fill stays black (every filled shape resets it); outlines are set for strong text only.
  if (style === "strong") doc.lineWidth(BOLD_OUTLINE).strokeColor(INK);
  let shown = text;
  if (width !== undefined && widthBound(doc, text, size) > width) {
    // A long name is printed smaller rather than cut (down to MIN_SIZE), then cut with an ellipsis.
    const full = doc.widthOfString(text);
    if (full > width) {
      const smaller = Math.max(MIN_SIZE, Math.floor((size * width * 10) / full) / 10);
      doc.font(FONT, smaller);
      shown = fit(doc, text, width);
    }
  }
  doc.text(shown, x, y, { lineBreak: false, fill: true, stroke: style === "strong" });
}

/** Advance width of each character at 1 pt (the sheets use one font), for a quick upper bound. */
const charWidths = new Map<string, number>();

/**
 * The width of `text` at `size` ignoring kerning, which in DejaVu Sans only ever narrows pairs: an
 * upper bound of the laid-out width, from cached per-character widths (no layout per word).
 */
function widthBound(doc: Doc, text: string, size: number): number {
  let width = 0;
  for (const char of text) {
    let perPoint = charWidths.get(char);
    if (perPoint === undefined) {
      perPoint = doc.widthOfString(char) / size;
      charWidths.set(char, perPoint);
    }
    width += perPoint;
  }
  return width * size;
}

/** `text` cut with an ellipsis to fit `width` at the current font and size. */
function fit(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let end = text.length;
  while (end > 0 && doc.widthOfString(`${text.slice(0, end)}…`) > width) end--;
  return `${text.slice(0, end)}…`;
}

function cell(
  doc: Doc,
  text: string,
  [x, width]: readonly [number, number],
  y: number,
  style: Style,
  size: number,
): void {
  write(doc, text, x + 2, y, style, size, width - 4);
}

function drawSessionHeading(
  doc: Doc,
  session: Session,
  input: SiteSheetInput,
  labels: DocumentLabels,
  y: number,
  continued: boolean,
): number {
  const { shiftHours } = input.settings;
  const weekday = weekdayName(session.weekday, labels);
  const title = `${capitalise(weekday)} ${formatDate(session.date, labels)} · ${formatShift(session.shift, shiftHours, labels)} · ${labels.tests(session.people.length)}${continued ? ` (${labels.continued})` : ""}`;
  doc.rect(LEFT, y, RIGHT - LEFT, SESSION_HEADING - 4).fill(GREY);
  doc.fillColor(INK);
  write(doc, title, LEFT + 4, y + 4, "strong", 10.5, RIGHT - LEFT - 8);
  y += SESSION_HEADING;
  const c = labels.columns;
  const headers: [string, readonly [number, number]][] = [
    [c.employeeId, COLUMNS.employeeId],
    [c.name, COLUMNS.name],
    [c.reason, COLUMNS.reason],
    [labels.outcomes.taken, COLUMNS.taken],
    [labels.outcomes.declined, COLUMNS.declined],
    [labels.outcomes.absent, COLUMNS.absent],
    [c.sampleId, COLUMNS.sampleId],
  ];
  for (const [text, column] of headers) cell(doc, text, column, y + 3, "strong", 8);
  doc
    .moveTo(LEFT, y + TABLE_HEADER - 2)
    .lineTo(RIGHT, y + TABLE_HEADER - 2)
    .lineWidth(0.8)
    .strokeColor(INK)
    .stroke();
  return y + TABLE_HEADER;
}

function drawPersonText(
  doc: Doc,
  person: Session["people"][number],
  labels: DocumentLabels,
  y: number,
): void {
  cell(doc, person.employeeId, COLUMNS.employeeId, y + 4, "plain", 9);
  cell(doc, person.name, COLUMNS.name, y + 4, "plain", 9);
  cell(doc, labels.reasons[person.reason], COLUMNS.reason, y + 4, "plain", 9);
}

/**
 * The boxes, sample-ID lines and row separators of a block of rows (starting at the given y
 * positions), drawn as two paths: one stroke each, not two per row.
 */
function drawRowRules(doc: Doc, rows: readonly number[]): void {
  if (rows.length === 0) return;
  for (const y of rows) {
    for (const column of [COLUMNS.taken, COLUMNS.declined, COLUMNS.absent]) {
      doc.rect(column[0] + (column[1] - BOX) / 2, y + 3.5, BOX, BOX);
    }
    doc.moveTo(COLUMNS.sampleId[0] + 2, y + ROW - 3).lineTo(RIGHT, y + ROW - 3);
  }
  doc.lineWidth(0.6).strokeColor(INK).stroke();
  for (const y of rows) doc.moveTo(LEFT, y + ROW).lineTo(RIGHT, y + ROW);
  doc.lineWidth(0.3).strokeColor(FAINT).stroke();
}

function drawSessions(doc: Doc, input: SiteSheetInput, labels: DocumentLabels): void {
  let y = CONTENT_TOP;
  for (const session of input.site.sessions) {
    // A session starts where its heading, table header and first rows fit.
    if (y + SESSION_HEADING + TABLE_HEADER + ROW * Math.min(3, session.people.length) > CONTENT_BOTTOM) {
      doc.addPage();
      y = CONTENT_TOP;
    }
    y = drawSessionHeading(doc, session, input, labels, y, false);
    let block: number[] = [];
    for (const person of session.people) {
      if (y + ROW > CONTENT_BOTTOM) {
        drawRowRules(doc, block);
        block = [];
        doc.addPage();
        y = drawSessionHeading(doc, session, input, labels, CONTENT_TOP, true);
      }
      drawPersonText(doc, person, labels, y);
      block.push(y);
      y += ROW;
    }
    drawRowRules(doc, block);
    y += 12;
  }
}

/** The swab log the national model requires at every test site: who swabbed, when, where. */
function drawSwabLog(doc: Doc, labels: DocumentLabels): void {
  const da = labels.language === "da";
  doc.addPage();
  let y = CONTENT_TOP;
  write(doc, da ? "Podningslog" : "Swab log", LEFT, y, "strong", 14);
  y += 22;
  doc.font(FONT, 9).fillColor(INK);
  doc.text(
    da
      ? "Den nationale model kræver, at teststedet fører en log over, hvem der har podet, hvornår og hvor. Skriv én linje pr. poder og testdag, og opbevar loggen sammen med testlisterne."
      : "The national model requires each test site to keep a log of who took the swabs, when and where. Write one line per swabber and test day, and keep the log with the test lists.",
    LEFT,
    y,
    { width: RIGHT - LEFT },
  );
  y += 34;
  const headers: [string, readonly [number, number]][] = da
    ? [
        ["Poderens navn", SWAB_COLUMNS.swabber],
        ["Dato", SWAB_COLUMNS.date],
        ["Sted", SWAB_COLUMNS.place],
        ["Underskrift", SWAB_COLUMNS.signature],
      ]
    : [
        ["Swabber's name", SWAB_COLUMNS.swabber],
        ["Date", SWAB_COLUMNS.date],
        ["Place", SWAB_COLUMNS.place],
        ["Signature", SWAB_COLUMNS.signature],
      ];
  for (const [text, column] of headers) cell(doc, text, column, y, "strong", 9);
  y += 14;
  doc.lineWidth(0.6).strokeColor(INK);
  doc.moveTo(LEFT, y).lineTo(RIGHT, y).stroke();
  for (let line = 0; line < SWAB_ROWS; line++) {
    y += SWAB_ROW;
    doc.moveTo(LEFT, y).lineTo(RIGHT, y);
    for (const column of Object.values(SWAB_COLUMNS).slice(1)) {
      doc.moveTo(column[0], y - SWAB_ROW).lineTo(column[0], y);
    }
  }
  doc.lineWidth(0.5).strokeColor(FAINT).stroke();
}

/** Site, municipality and test week on top of every page; `side x af y` at the foot. */
function drawPageFrames(doc: Doc, input: SiteSheetInput, labels: DocumentLabels): void {
  const { site, municipality, frame } = input;
  const range = doc.bufferedPageRange();
  for (let index = 0; index < range.count; index++) {
    doc.switchToPage(range.start + index);
    write(doc, `${site.siteName} (${site.siteId})`, LEFT, 32, "strong", 13, RIGHT - LEFT);
    const where =
      labels.language === "da"
        ? `Test${describeTestWeek(frame, labels)} · ${municipality.name} Kommune (${municipality.code})`
        : `Test ${describeTestWeek(frame, labels)} · ${municipality.name} (${municipality.code})`;
    write(doc, where, LEFT, 51, "plain", 9.5, RIGHT - LEFT);
    write(
      doc,
      `${capitalise(labels.siteKinds[site.kind])} · ${site.address}`,
      LEFT,
      65,
      "plain",
      8.5,
      RIGHT - LEFT,
    );
    doc.moveTo(LEFT, 80).lineTo(RIGHT, 80).lineWidth(1).strokeColor(INK).stroke();
    const page = labels.page(index + 1, range.count);
    doc.font(FONT, 8.5);
    write(doc, page, RIGHT - doc.widthOfString(page), PAGE.height - 36, "plain", 8.5);
    const total = labels.tests(countSiteTests(site));
    const footer =
      labels.language === "da"
        ? `${total} i alt · plan fra klassifikationen i ${frame.classificationWeek}`
        : `${total} in total · plan from the classification of ${frame.classificationWeek}`;
    write(doc, footer, LEFT, PAGE.height - 36, "plain", 8.5);
  }
}

/** Documents that share one word-layout cache before it starts afresh (bounds its size). */
const LAYOUT_CACHE_DOCUMENTS = 256;
const layoutCaches = new WeakMap<object, { words: Record<string, unknown>; documents: number }>();

/**
 * pdfkit lays out each word once per document and caches it on the document's font; the sheets
 * of a run repeat most words (headings, labels, dates, common names). The document's font shares
 * one cache per font source instead: a cached layout is read, never changed, by pdfkit 0.20's text
 * output, so the bytes are the same. It starts afresh every few hundred documents (employee ids
 * are all different).
 */
function shareLayoutCache(doc: Doc, font: SheetFont): void {
  doc.font(FONT);
  const embedded = (doc as unknown as { _font?: { layoutCache?: unknown } })._font;
  if (embedded === undefined || typeof embedded.layoutCache !== "object") return;
  let shared = layoutCaches.get(font);
  if (shared === undefined || shared.documents >= LAYOUT_CACHE_DOCUMENTS) {
    shared = { words: Object.create(null) as Record<string, unknown>, documents: 0 };
    layoutCaches.set(font, shared);
  }
  shared.documents++;
  embedded.layoutCache = shared.words;
}

/**
 * The printable sheet of one site for the test week (`sites/<site>.pdf`): one section per session
 * (date, weekday, shift and its time window) listing the staff to be tested with boxes to tick
 * taken / declined / absent and a line for the sample ID, then the swab log as blank lines.
 * DejaVu Sans is embedded (æøå), never a system font. Byte-identical for identical input: the
 * creation and modification dates are `generatedAt`, the document ID is derived from them and
 * the title, and the font subset tags from the font's order in the document.
 */
export function renderSiteSheetPdf(input: SiteSheetInput, font: SheetFont): Promise<Uint8Array> {
  const labels = labelsFor(input.settings.language);
  const createdAt = new Date(input.settings.generatedAt);
  const title =
    labels.language === "da"
      ? `Testliste ${input.site.siteName} (${input.site.siteId}), ${input.frame.testWeek}`
      : `Test list ${input.site.siteName} (${input.site.siteId}), ${input.frame.testWeek}`;
  const doc = new PDFDocument({
    size: "A4",
    margin: 20,
    // No default font: pdfkit would load Helvetica's metrics for every document, unused.
    font: "",
    bufferPages: true,
    autoFirstPage: true,
    lang: labels.language,
    info: {
      Title: title,
      Author: "testrota",
      Creator: "testrota",
      Producer: "testrota (PDFKit)",
      Subject: `${input.municipality.code} ${input.frame.testWeek}`,
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on("error", reject);
  });
  // Registered by name, so the font is embedded once (as F1).
  doc.registerFont(FONT, font as never);
  shareLayoutCache(doc, font);
  drawSessions(doc, input, labels);
  drawSwabLog(doc, labels);
  drawPageFrames(doc, input, labels);
  doc.end();
  return done;
}
