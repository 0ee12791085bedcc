import { addDays, daysBetween, isIsoDate, type IsoDate } from "../domain/calendar.ts";
import { CHRISTIANSOE_CODE, type Municipality } from "../domain/reference.ts";
import { InputError } from "../errors.ts";
import type { CsvRow, CsvTable } from "../lib/csv-table.ts";
import { quoteValue } from "./describe.ts";
import { describeCount, formatDanish, normaliseName, parseDanishCount, TEST_POS_FILE } from "./ssi-text.ts";

/**
 * The two layouts of SSI's time series: the files of 2020 start with `date_sample` and pad fields
 * with spaces; later files (2021 on) start with `SampleDate`, have no padding and add the columns
 * `"NA"` (cases without a municipality) and `Christiansø`.
 */
export type SsiFormat = "2020" | "2021+";

export const DATE_COLUMNS: Readonly<Record<SsiFormat, string>> = {
  "2020": "date_sample",
  "2021+": "SampleDate",
};

/** Cases SSI could not place in any municipality: counted in no municipality's incidence. */
const NA_COLUMN = "na";

/**
 * The longest run of skipped dates considered at all: SSI skips a date only when no case was
 * sampled anywhere in the country, which happened once (2020-02-29). A longer hole is lost rows,
 * refused at once rather than filled with zeros (a date years ahead would fill millions of days).
 */
const MAX_SKIPPED_DAYS = 7;

/** SSI has no row for 2020-02-29: no case was sampled anywhere in Denmark that day. */
const DOCUMENTED_GAP = { previous: "2020-02-28", date: "2020-03-01" } as const;

export type SeriesLayout = {
  readonly format: SsiFormat;
  /** Column position of each municipality that has a column. */
  readonly positionByCode: ReadonlyMap<number, number>;
};

/** A date SSI skipped (other than 2020-02-29), reported at the line after it. */
export type SeriesGap = { readonly line: number; readonly date: IsoDate; readonly previous: IsoDate };

export type SeriesRows = {
  readonly dates: readonly IsoDate[];
  /** Cases per day from the first date, by code; skipped dates hold 0. */
  readonly casesByCode: ReadonlyMap<number, readonly number[]>;
  readonly gaps: readonly SeriesGap[];
  readonly lastLine: number;
};

function formatOf(first: string): SsiFormat | undefined {
  const key = normaliseName(first);
  if (key === normaliseName(DATE_COLUMNS["2020"])) return "2020";
  if (key === normaliseName(DATE_COLUMNS["2021+"])) return "2021+";
  return undefined;
}

/**
 * Maps the time series' header: its format (by the date column) and the column of each
 * municipality, found by name through `names` (test_pos names, reference names and aliases such
 * as `Copenhagen`). `NA` and Christiansø are recognised and ignored; any other name is refused
 * as an unknown municipality column, a name twice as a repeated column.
 */
export function readSeriesLayout(
  header: CsvRow,
  file: string,
  names: ReadonlyMap<string, number>,
): SeriesLayout {
  const location = { file, line: header.line };
  const first = header.fields[0] ?? "";
  const format = formatOf(first);
  if (format === undefined) {
    throw new InputError(
      location,
      `first column ${quoteValue(first)} — expected ${DATE_COLUMNS["2020"]} (SSI's 2020 files) or ${DATE_COLUMNS["2021+"]} (later files) followed by one column per municipality`,
    );
  }
  const positionByCode = new Map<number, number>();
  header.fields.forEach((name, index) => {
    if (index === 0 || normaliseName(name) === NA_COLUMN) return;
    const code = names.get(normaliseName(name));
    if (code === undefined) {
      throw new InputError(
        location,
        `unknown municipality column ${quoteValue(name)} — expected a municipality name from ${TEST_POS_FILE} or the reference (name or alias), NA or Christiansø`,
      );
    }
    if (code === CHRISTIANSOE_CODE) return;
    const earlier = positionByCode.get(code);
    if (earlier !== undefined) {
      throw new InputError(
        location,
        `column ${quoteValue(name)} is municipality ${code} again (as column ${quoteValue(header.fields[earlier])}) — expected one column per municipality`,
      );
    }
    positionByCode.set(code, index);
  });
  return { format, positionByCode };
}

/** One day's count, refused unless a whole number between 0 and the municipality's population. */
function readCount(
  text: string,
  column: string,
  date: IsoDate,
  population: number,
  location: { file: string; line: number },
): number {
  const cases = parseDanishCount(text);
  if (cases !== undefined && cases <= population) return cases;
  const where = `column ${quoteValue(column)} on ${date}`;
  if (cases === undefined) {
    throw new InputError(location, `${describeCount(text)} in ${where} — expected a whole number ≥ 0`);
  }
  throw new InputError(
    location,
    `count ${quoteValue(text)} in ${where} is above the municipality's population (${formatDanish(population)}) — expected at most one case per inhabitant a day`,
  );
}

/**
 * Reads the daily rows: ISO dates strictly ascending, and consecutive except where SSI skipped a
 * date (2020-02-29 by design; any other skipped date is recorded as a gap for the totals check);
 * skipped dates become days of zeros. A municipality without a column gets zeros every day (the
 * caller has checked that test_pos counts no case for it).
 */
export function readSeriesRows(
  table: CsvTable,
  layout: SeriesLayout,
  municipalities: readonly Municipality[],
  populationOf: (code: number) => number,
  file: string,
): SeriesRows {
  const dateColumn = DATE_COLUMNS[layout.format];
  const dates: IsoDate[] = [];
  const gaps: SeriesGap[] = [];
  const casesByCode = new Map<number, number[]>(municipalities.map((m) => [m.code, []]));
  let lastLine = table.header.line;
  for (const { line, fields } of table.rows) {
    lastLine = line;
    const location = { file, line };
    const date = fields[0] ?? "";
    if (!isIsoDate(date)) {
      throw new InputError(location, `${dateColumn} ${quoteValue(date)} — expected a date YYYY-MM-DD`);
    }
    const previous = dates.at(-1);
    if (previous !== undefined && date <= previous) {
      throw new InputError(location, `date ${date} after ${previous} — expected ascending dates, each once`);
    }
    if (previous !== undefined && date !== addDays(previous, 1)) {
      if (daysBetween(previous, date) - 1 > MAX_SKIPPED_DAYS) {
        throw new InputError(
          location,
          `date ${date} after ${previous} — expected consecutive dates (${addDays(previous, 1)}); more than ${MAX_SKIPPED_DAYS} dates are missing`,
        );
      }
      const documented = previous === DOCUMENTED_GAP.previous && date === DOCUMENTED_GAP.date;
      if (!documented) gaps.push({ line, date, previous });
      for (let day = addDays(previous, 1); day < date; day = addDays(day, 1)) {
        dates.push(day);
        for (const series of casesByCode.values()) series.push(0);
      }
    }
    dates.push(date);
    for (const [code, series] of casesByCode) {
      const position = layout.positionByCode.get(code);
      series.push(
        position === undefined
          ? 0
          : readCount(
              fields[position] ?? "",
              table.header.fields[position] ?? "",
              date,
              populationOf(code),
              location,
            ),
      );
    }
  }
  return { dates, casesByCode, gaps, lastLine };
}
