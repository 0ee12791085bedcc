import type { InfoRecord } from "csv-parse";
import { CsvError, parse } from "csv-parse/sync";
import { InputError } from "../errors.ts";

/** One data row of a `;`-separated input file with its 1-based line number (header = line 1). */
export type CsvRow = { readonly line: number; readonly fields: readonly string[] };

export type CsvTable = {
  /** Column position by lower-case header name; only the expected columns are listed. */
  readonly columns: ReadonlyMap<string, number>;
  readonly rows: readonly CsvRow[];
};

export type CsvColumns = {
  readonly required: readonly string[];
  readonly optional?: readonly string[];
};

/** Describes the header an input file must have, for error messages. */
export function describeHeader(columns: CsvColumns): string {
  const optional = columns.optional ?? [];
  const required = columns.required.join(";");
  return optional.length === 0 ? required : `${required} (optional: ${optional.join(";")})`;
}

const CSV_PROBLEMS: Partial<Record<CsvError["code"], string>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH:
    "malformed CSV: wrong number of fields, expected as many as the header",
  INVALID_OPENING_QUOTE:
    "malformed CSV: stray double quote in a field, expected quotes only around a whole field",
  CSV_INVALID_CLOSING_QUOTE: "malformed CSV: text after a closing double quote, expected ; or end of line",
};

/**
 * CSV parser messages are not passed on because they can quote a cell (a staff name). An
 * unclosed quote is only noticed at the end of the file, so it is placed after the last good row.
 */
function describeCsvError(file: string, error: CsvError, lastGoodLine: number): InputError {
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    return new InputError(
      { file, line: lastGoodLine + 1 },
      "malformed CSV: a quoted field starting here or below is never closed, expected a closing double quote",
      { cause: error },
    );
  }
  const line = typeof error["lines"] === "number" ? error["lines"] : undefined;
  const problem = CSV_PROBLEMS[error.code] ?? `malformed CSV (${error.code}), expected ;-separated fields`;
  return new InputError({ file, line }, problem, { cause: error });
}

/**
 * Parses a UTF-8 (optional BOM), `;`-separated file with a header line. Header names are matched
 * case-insensitively and trimmed because HR exports differ in spelling; unknown columns are
 * ignored. Malformed CSV and missing columns become `InputError`s naming the file and line.
 */
export function parseCsvTable(file: string, content: Buffer | string, expected: CsvColumns): CsvTable {
  // Each record carries its line (a quoted field may span lines: its last line counts).
  let lastLine = 0;
  let rows: CsvRow[];
  try {
    // csv-parse's typings without `columns` say string[] records even when on_record maps
    // them; here it maps each to its CsvRow, so the whole table is built in one pass.
    const toRow = (fields: string[], context: InfoRecord): CsvRow => {
      lastLine = context.lines;
      return { line: context.lines, fields };
    };
    rows = parse(content, {
      bom: true,
      delimiter: ";",
      trim: true,
      skip_empty_lines: true,
      on_record: toRow as unknown as (fields: string[], context: InfoRecord) => string[],
    }) as unknown as CsvRow[];
  } catch (error) {
    if (error instanceof CsvError) throw describeCsvError(file, error, lastLine);
    throw error;
  }

  const [head, ...data] = rows;
  if (head === undefined) {
    throw new InputError({ file }, `empty file, expected a header ${describeHeader(expected)} and rows`);
  }
  const positions = new Map<string, number>();
  head.fields.forEach((name, index) => {
    const key = name.trim().toLowerCase();
    if (!positions.has(key)) positions.set(key, index);
  });
  const columns = new Map<string, number>();
  for (const name of [...expected.required, ...(expected.optional ?? [])]) {
    const position = positions.get(name);
    if (position !== undefined) columns.set(name, position);
  }
  const missing = expected.required.filter((name) => !columns.has(name));
  if (missing.length > 0) {
    throw new InputError(
      { file, line: head.line },
      `header: missing column ${missing.join(", ")}, expected ${describeHeader(expected)}`,
    );
  }
  if (data.length === 0) {
    throw new InputError({ file }, `no data rows, expected at least one row after the header`);
  }
  return {
    columns,
    rows: data,
  };
}
