import { CsvError, parse } from "csv-parse/sync";
import { unzipSync } from "fflate";
import { addDays, isIsoDate, type IsoDate } from "../domain/calendar.ts";
import type { DailyCasesDataset } from "../domain/incidence.ts";
import { CHRISTIANSOE_CODE, type Municipality } from "../domain/reference.ts";
import { AbortedError, ConfigError, InputError, SourceError, TestrotaError } from "../errors.ts";
import { redactUrl } from "../lib/redact-url.ts";
import type { IncidenceSource, RawPayload, ReadLocation } from "./source.ts";

/** The name of this source in logs, errors and the run ledger. */
export const SSI_SOURCE_NAME = "ssi";
export const TIME_SERIES_FILE = "Municipality_cases_time_series.csv";
export const TEST_POS_FILE = "Municipality_test_pos.csv";

const DATE_COLUMN = "date_sample";
const TEST_POS_COLUMNS = {
  code: "Kommune_(id)",
  name: "Kommune_(navn)",
  confirmed: "Antal_bekræftede_COVID-19",
  population: "Befolkningstal",
} as const;

export type SsiPairInput = {
  readonly timeSeries: Uint8Array;
  readonly testPos: Uint8Array;
  /** Path or URL of each file, named in error messages. */
  readonly timeSeriesOrigin: string;
  readonly testPosOrigin: string;
  readonly municipalities: readonly Municipality[];
};

export type SsiSettings = {
  readonly timeSeries?: string | undefined;
  readonly testPos?: string | undefined;
  /** A zip holding both files (in any folder), instead of the two locations. */
  readonly zip?: string | undefined;
};

export type SsiDeps = {
  readonly readLocation: ReadLocation;
  readonly municipalities: readonly Municipality[];
};

type CsvLine = { readonly line: number; readonly fields: readonly string[] };
type ParsedRecord = { record: string[]; info: { lines: number } };

type TestPosRow = { readonly name: string; readonly confirmed: number; readonly population: number };

/**
 * Splits one of SSI's files into lines of trimmed fields with their 1-based line numbers:
 * UTF-8 with an optional BOM, `;`-separated, fields padded with spaces. Rows may have any number
 * of fields here; the callers check the count so that a cut line names its line.
 */
function readLines(
  bytes: Uint8Array,
  file: string,
  expectedHeader: string,
): { header: CsvLine; rows: CsvLine[] } {
  let text: string;
  try {
    // The decoder drops a leading BOM; `fatal` turns a non-UTF-8 file into an error.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InputError({ file }, `not UTF-8 text — expected SSI's UTF-8 CSV file`, { cause: error });
  }
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      bom: true,
      delimiter: ";",
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error["lines"] === "number" ? error["lines"] : undefined;
      throw new InputError({ file, line }, `malformed CSV (${error.code}) — expected ;-separated fields`, {
        cause: error,
      });
    }
    throw error;
  }
  const [head, ...data] = records;
  if (head === undefined) {
    throw new InputError({ file }, `empty file — expected a header ${expectedHeader} and daily rows`);
  }
  const toLine = (entry: ParsedRecord): CsvLine => ({ line: entry.info.lines, fields: entry.record });
  return { header: toLine(head), rows: data.map(toLine) };
}

/** Checks that a row has as many fields as the header; a cut (truncated) line has fewer. */
function checkFieldCount(row: CsvLine, header: CsvLine, file: string): void {
  if (row.fields.length === header.fields.length) return;
  const hint = row.fields.length < header.fields.length ? " (a cut line: is the file truncated?)" : "";
  throw new InputError(
    { file, line: row.line },
    `${row.fields.length} fields${hint} — expected ${header.fields.length} fields as in the header`,
  );
}

const DANISH_INTEGER = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$/;

/**
 * A whole number as SSI writes it: `.` thousands separator, optionally a `,` decimal comma with
 * zero decimals (`3.657`, `3657`, `3.657,0`). Anything else, including negatives, is undefined.
 */
function parseDanishCount(text: string): number | undefined {
  const match = DANISH_INTEGER.exec(text);
  const digits = match?.[1];
  if (digits === undefined) return undefined;
  if (match?.[2] !== undefined && !/^0+$/.test(match[2])) return undefined;
  return Number(digits.replaceAll(".", ""));
}

function describeCount(text: string): string {
  return /^-\d/.test(text) ? `negative count ${JSON.stringify(text)}` : `count ${JSON.stringify(text)}`;
}

function normaliseName(name: string): string {
  return name.normalize("NFC").trim().toLowerCase();
}

function columnPositions(header: CsvLine): Map<string, number> {
  const positions = new Map<string, number>();
  header.fields.forEach((name, index) => {
    const key = normaliseName(name);
    if (!positions.has(key)) positions.set(key, index);
  });
  return positions;
}

/** Reads `Municipality_test_pos.csv`: SSI's name, cumulative confirmed cases and population per code. */
function readTestPos(
  bytes: Uint8Array,
  file: string,
  referenceCodes: ReadonlySet<number>,
): Map<number, TestPosRow> {
  const expectedHeader = Object.values(TEST_POS_COLUMNS).join(";");
  const { header, rows } = readLines(bytes, file, expectedHeader);
  const positions = columnPositions(header);
  const position = (name: string): number => {
    const index = positions.get(normaliseName(name));
    if (index === undefined) {
      throw new InputError(
        { file, line: header.line },
        `header has no column ${name} — expected the columns ${expectedHeader} (among others)`,
      );
    }
    return index;
  };
  const at = {
    code: position(TEST_POS_COLUMNS.code),
    name: position(TEST_POS_COLUMNS.name),
    confirmed: position(TEST_POS_COLUMNS.confirmed),
    population: position(TEST_POS_COLUMNS.population),
  };
  if (rows.length === 0) {
    throw new InputError({ file, line: header.line }, `header only — expected one row per municipality`);
  }
  const result = new Map<number, TestPosRow>();
  const lineByCode = new Map<number, number>();
  for (const row of rows) {
    checkFieldCount(row, header, file);
    const location = { file, line: row.line };
    const codeText = row.fields[at.code] ?? "";
    if (!/^\d{1,4}$/.test(codeText)) {
      throw new InputError(
        location,
        `${TEST_POS_COLUMNS.code} ${JSON.stringify(codeText)} — expected a municipality code`,
      );
    }
    const code = Number(codeText);
    // Christiansø is administered by the state, not a municipality: SSI lists it, we ignore it.
    if (code === CHRISTIANSOE_CODE) continue;
    if (!referenceCodes.has(code)) {
      throw new InputError(
        location,
        `unknown municipality code ${code} — expected one of the 98 reference codes`,
      );
    }
    const earlier = lineByCode.get(code);
    if (earlier !== undefined) {
      throw new InputError(
        location,
        `municipality ${code} repeats line ${earlier} — expected one row per code`,
      );
    }
    lineByCode.set(code, row.line);
    const name = row.fields[at.name] ?? "";
    if (name === "") {
      throw new InputError(location, `empty ${TEST_POS_COLUMNS.name} — expected the municipality name`);
    }
    const confirmedText = row.fields[at.confirmed] ?? "";
    const confirmed = parseDanishCount(confirmedText);
    if (confirmed === undefined) {
      throw new InputError(
        location,
        `${TEST_POS_COLUMNS.confirmed} ${describeCount(confirmedText)} — expected a whole number ≥ 0 (\`.\` thousands separator)`,
      );
    }
    const populationText = row.fields[at.population] ?? "";
    const population = parseDanishCount(populationText);
    if (population === undefined || population <= 0) {
      throw new InputError(
        location,
        `${TEST_POS_COLUMNS.population} ${JSON.stringify(populationText)} — expected a population above 0 (\`.\` thousands separator)`,
      );
    }
    result.set(code, { name, confirmed, population });
  }
  return result;
}

/**
 * Maps names to codes: first the test_pos file's own code/name pairs, then the reference names
 * and the other spellings SSI uses (`Copenhagen` for København in the time series).
 */
function buildNameIndex(
  testPos: ReadonlyMap<number, TestPosRow>,
  municipalities: readonly Municipality[],
): Map<string, number> {
  // A Christiansø column, should SSI add one, is recognised and then ignored like its test_pos row.
  const index = new Map<string, number>([[normaliseName("Christiansø"), CHRISTIANSOE_CODE]]);
  for (const [code, row] of testPos) index.set(normaliseName(row.name), code);
  for (const municipality of municipalities) {
    for (const name of [municipality.name, ...municipality.aliases]) {
      const key = normaliseName(name);
      if (!index.has(key)) index.set(key, municipality.code);
    }
  }
  return index;
}

/** Position of each municipality's column in the time series; Christiansø's, if any, is ignored. */
function mapSeriesColumns(
  header: CsvLine,
  file: string,
  names: ReadonlyMap<string, number>,
): Map<number, number> {
  const first = header.fields[0] ?? "";
  if (normaliseName(first) !== DATE_COLUMN) {
    throw new InputError(
      { file, line: header.line },
      `first column ${JSON.stringify(first)} — expected ${DATE_COLUMN} followed by one column per municipality`,
    );
  }
  const positionByCode = new Map<number, number>();
  header.fields.forEach((name, index) => {
    if (index === 0) return;
    const code = names.get(normaliseName(name));
    if (code === undefined) {
      throw new InputError(
        { file, line: header.line },
        `unknown municipality column ${JSON.stringify(name)} — expected a name from ${TEST_POS_FILE} or the reference (name or alias)`,
      );
    }
    if (code === CHRISTIANSOE_CODE) return;
    const earlier = positionByCode.get(code);
    if (earlier !== undefined) {
      throw new InputError(
        { file, line: header.line },
        `column ${JSON.stringify(name)} is municipality ${code} again (column ${JSON.stringify(header.fields[earlier])}) — expected one column per municipality`,
      );
    }
    positionByCode.set(code, index);
  });
  return positionByCode;
}

/**
 * A missing date is a day without any case only if no rows are missing: then every
 * municipality's series adds up to test_pos's cumulative confirmed count (SSI publishes both from
 * the same data). Otherwise the latest gap (the likeliest lost rows) is reported at the line after it.
 */
function checkGaps(
  gaps: readonly { line: number; date: IsoDate; previous: IsoDate }[],
  casesByCode: ReadonlyMap<number, readonly number[]>,
  testPos: ReadonlyMap<number, TestPosRow>,
  seriesFile: string,
  testPosFile: string,
): void {
  const gap = gaps.at(-1);
  if (gap === undefined) return;
  const mismatched = [...casesByCode].filter(
    ([code, series]) => series.reduce((sum, cases) => sum + cases, 0) !== testPos.get(code)?.confirmed,
  );
  if (mismatched.length === 0) return;
  throw new InputError(
    { file: seriesFile, line: gap.line },
    `date ${gap.date} after ${gap.previous}${gaps.length > 1 ? ` (and ${gaps.length - 1} earlier gaps)` : ""} — expected consecutive dates (${addDays(gap.previous, 1)}); a missing date is only accepted as a day without cases when the totals match ${testPosFile}, and they differ for ${mismatched.length} municipalities`,
  );
}

/**
 * Parses SSI's pair exactly as published — `Municipality_cases_time_series.csv` (new confirmed
 * cases per sample date, one column per municipality *by name*) and `Municipality_test_pos.csv`
 * (code, name, cumulative confirmed, population) — and joins them on the municipality code.
 *
 * A municipality without a time-series column never had a case when test_pos counts 0 confirmed
 * (zero every day); with confirmed cases but no column the data is partial (`SourceError`).
 * Dates must ascend; SSI skips a date on which no case was sampled anywhere (2020-02-29), which
 * becomes a day of zeros when the totals prove no row is missing. Malformed rows, bad dates,
 * unknown column names, cut lines and empty files are `InputError`s naming the file and line. The last (incomplete) day is kept:
 * the classification window excludes it by date.
 */
export function parseSsiPair(input: SsiPairInput): DailyCasesDataset {
  const { timeSeriesOrigin: seriesFile, testPosOrigin: testPosFile, municipalities } = input;
  const testPos = readTestPos(input.testPos, testPosFile, new Set(municipalities.map((m) => m.code)));
  const withoutPopulation = municipalities.filter((m) => !testPos.has(m.code));
  if (withoutPopulation.length > 0) {
    throw new SourceError(
      SSI_SOURCE_NAME,
      `partial data: ${testPosFile} has no row (population) for ${withoutPopulation.map((m) => `${m.code} ${m.name}`).join(", ")} — expected a row for each of the ${municipalities.length} municipalities`,
    );
  }

  const { header, rows } = readLines(input.timeSeries, seriesFile, `${DATE_COLUMN};<municipality>;…`);
  const positionByCode = mapSeriesColumns(header, seriesFile, buildNameIndex(testPos, municipalities));
  const partial = municipalities.filter(
    (m) => !positionByCode.has(m.code) && (testPos.get(m.code)?.confirmed ?? 0) > 0,
  );
  if (partial.length > 0) {
    throw new SourceError(
      SSI_SOURCE_NAME,
      `partial data: ${seriesFile} has no column for ${partial.map((m) => `${m.code} ${m.name}`).join(", ")} although ${testPosFile} counts confirmed cases — expected a column for every municipality with cases`,
    );
  }
  if (rows.length === 0) {
    throw new InputError(
      { file: seriesFile, line: header.line },
      `header only — expected one row per sample date`,
    );
  }

  const dates: IsoDate[] = [];
  const gaps: { line: number; date: IsoDate; previous: IsoDate }[] = [];
  const casesByCode = new Map<number, number[]>(municipalities.map((m) => [m.code, []]));
  for (const row of rows) {
    checkFieldCount(row, header, seriesFile);
    const location = { file: seriesFile, line: row.line };
    const date = row.fields[0] ?? "";
    if (!isIsoDate(date)) {
      throw new InputError(location, `${DATE_COLUMN} ${JSON.stringify(date)} — expected a date YYYY-MM-DD`);
    }
    const previous = dates.at(-1);
    if (previous !== undefined && date <= previous) {
      throw new InputError(location, `date ${date} after ${previous} — expected ascending dates, each once`);
    }
    if (previous !== undefined && date !== addDays(previous, 1)) {
      gaps.push({ line: row.line, date, previous });
      // SSI writes no row for a sample date without any case in the country (2020-02-29).
      for (let day = addDays(previous, 1); day < date; day = addDays(day, 1)) {
        dates.push(day);
        for (const series of casesByCode.values()) series.push(0);
      }
    }
    dates.push(date);
    for (const municipality of municipalities) {
      const position = positionByCode.get(municipality.code);
      const series = casesByCode.get(municipality.code);
      if (series === undefined) continue;
      // No column: test_pos counts no case ever (checked above), so zero every day.
      if (position === undefined) {
        series.push(0);
        continue;
      }
      const text = row.fields[position] ?? "";
      const cases = parseDanishCount(text);
      if (cases === undefined) {
        throw new InputError(
          location,
          `${describeCount(text)} for ${JSON.stringify(header.fields[position])} on ${date} — expected a whole number ≥ 0`,
        );
      }
      series.push(cases);
    }
  }

  checkGaps(gaps, casesByCode, testPos, seriesFile, testPosFile);
  const firstDate = dates[0];
  const lastDate = dates.at(-1);
  if (firstDate === undefined || lastDate === undefined) {
    throw new InputError({ file: seriesFile }, `no dated rows — expected one row per sample date`);
  }
  return {
    kind: "daily",
    origin: seriesFile,
    firstDate,
    lastDate,
    casesByCode,
    populationByCode: new Map(municipalities.map((m) => [m.code, testPos.get(m.code)?.population ?? 0])),
  };
}

function baseName(entry: string): string {
  return entry.split(/[/\\]/).at(-1) ?? entry;
}

/** Extracts the pair from a zip (any folder); a missing or repeated file is a `SourceError`. */
function extractPair(zip: Uint8Array, origin: string): { timeSeries: RawPayload; testPos: RawPayload } {
  const wanted = [TIME_SERIES_FILE, TEST_POS_FILE].map((name) => name.toLowerCase());
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, { filter: (file) => wanted.includes(baseName(file.name).toLowerCase()) });
  } catch (error) {
    throw new SourceError(
      SSI_SOURCE_NAME,
      `${origin} is not a readable zip archive — expected SSI's zip holding ${TIME_SERIES_FILE} and ${TEST_POS_FILE}`,
      {
        cause: error,
      },
    );
  }
  const find = (name: string): RawPayload => {
    const matches = Object.keys(entries).filter(
      (entry) => baseName(entry).toLowerCase() === name.toLowerCase(),
    );
    const [entry, ...others] = matches;
    const bytes = entry === undefined ? undefined : entries[entry];
    if (entry === undefined || bytes === undefined) {
      throw new SourceError(
        SSI_SOURCE_NAME,
        `${origin} holds no ${name} — expected ${TIME_SERIES_FILE} and ${TEST_POS_FILE} in the zip`,
      );
    }
    if (others.length > 0) {
      throw new SourceError(
        SSI_SOURCE_NAME,
        `${origin} holds ${name} more than once (${matches.join(", ")}) — expected one`,
      );
    }
    return { name, origin: `${origin}#${entry}`, bytes };
  };
  return { timeSeries: find(TIME_SERIES_FILE), testPos: find(TEST_POS_FILE) };
}

/**
 * The `ssi` incidence source: SSI's CSV pair read from two locations (paths or URLs), or from
 * one zip holding both. Returns the parsed dataset and the raw bytes as fetched (the two CSVs,
 * or the zip) for audit and offline replay. Untyped failures become `SourceError("ssi", …)`.
 */
export function createSsiSource(settings: SsiSettings, deps: SsiDeps): IncidenceSource {
  const { zip, timeSeries, testPos } = settings;
  if (zip === undefined && (timeSeries === undefined || testPos === undefined)) {
    throw new ConfigError(["source (ssi): expected either `zip` or both `timeSeries` and `testPos`"]);
  }

  async function read(location: string, signal: AbortSignal | undefined): Promise<RawPayload> {
    const origin = redactUrl(location);
    try {
      return {
        name: baseName(origin.split(/[?#]/)[0] ?? origin),
        origin,
        bytes: await deps.readLocation(location, signal),
      };
    } catch (error) {
      if (error instanceof TestrotaError) throw error;
      if (signal?.aborted === true) {
        throw new AbortedError(`source ${SSI_SOURCE_NAME}: reading ${origin} aborted`, { cause: error });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new SourceError(SSI_SOURCE_NAME, `cannot read ${origin}: ${reason}`, { cause: error });
    }
  }

  return {
    name: SSI_SOURCE_NAME,
    async fetchIncidence(signal) {
      let payloads: RawPayload[];
      let pair: { timeSeries: RawPayload; testPos: RawPayload };
      if (zip !== undefined) {
        const archive = await read(zip, signal);
        payloads = [archive];
        pair = extractPair(archive.bytes, archive.origin);
      } else {
        const [seriesPayload, testPosPayload] = await Promise.all([
          read(timeSeries ?? "", signal),
          read(testPos ?? "", signal),
        ]);
        pair = {
          timeSeries: { ...seriesPayload, name: TIME_SERIES_FILE },
          testPos: { ...testPosPayload, name: TEST_POS_FILE },
        };
        payloads = [pair.timeSeries, pair.testPos];
      }
      try {
        const dataset = parseSsiPair({
          timeSeries: pair.timeSeries.bytes,
          testPos: pair.testPos.bytes,
          timeSeriesOrigin: pair.timeSeries.origin,
          testPosOrigin: pair.testPos.origin,
          municipalities: deps.municipalities,
        });
        return { dataset, payloads };
      } catch (error) {
        if (error instanceof TestrotaError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new SourceError(SSI_SOURCE_NAME, `cannot parse ${pair.timeSeries.origin}: ${reason}`, {
          cause: error,
        });
      }
    },
  };
}
