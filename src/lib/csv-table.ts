import type { InfoRecord } from "csv-parse";
import { CsvError, parse } from "csv-parse/sync";
import { InputError } from "../errors.ts";

/** One data row of a `;`-separated input file with its 1-based line number (header = line 1). */
export type CsvRow = { readonly line: number; readonly fields: readonly string[] };

export type CsvTable = {
  /** The header line (trimmed names as written). */
  readonly header: CsvRow;
  /** Column position by lower-case header name; only the expected columns are listed. */
  readonly columns: ReadonlyMap<string, number>;
  readonly rows: readonly CsvRow[];
};

export type CsvColumns = {
  readonly required: readonly string[];
  readonly optional?: readonly string[];
};

/**
 * Size limits enforced while parsing: the parse stops at the first record past a limit, so a
 * huge file costs no more memory than the limit allows.
 */
export type CsvLimits = {
  /** Records, header included. */
  readonly maxRows: number;
  /** Fields over all records. */
  readonly maxFields: number;
  /** Characters of one record. */
  readonly maxRecordChars: number;
  /** Builds the error for a passed limit; by default an `InputError` at the line. */
  readonly error?: ((problem: string, line: number) => Error) | undefined;
};

export type CsvTableOptions = { readonly limits?: CsvLimits | undefined };

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

/** Adds one record of `width` fields to the running counts; throws past a limit. */
function countRecord(
  file: string,
  limits: CsvLimits,
  counted: { records: number; fields: number },
  width: number,
  line: number,
): { records: number; fields: number } {
  const records = counted.records + 1;
  const fields = counted.fields + width;
  const problem =
    records > limits.maxRows
      ? `more than ${limits.maxRows} records, expected at most ${limits.maxRows} (size limit)`
      : fields > limits.maxFields
        ? `more than ${limits.maxFields} fields in all, expected at most ${limits.maxFields} (size limit)`
        : undefined;
  if (problem !== undefined) throw limitError(file, limits, problem, line);
  return { records, fields };
}

function limitError(file: string, limits: CsvLimits, problem: string, line: number): Error {
  return limits.error?.(problem, line) ?? new InputError({ file, line }, problem);
}

/**
 * Parses a UTF-8 (optional BOM), `;`-separated file with a header line. Header names are matched
 * case-insensitively and trimmed because HR exports differ in spelling; unknown columns are
 * ignored. Malformed CSV and missing columns become `InputError`s naming the file and line.
 */
export function parseCsvTable(
  file: string,
  content: Buffer | string,
  expected: CsvColumns,
  options: CsvTableOptions = {},
): CsvTable {
  const { limits } = options;
  // Each record carries its line (a quoted field may span lines: its last line counts).
  let lastLine = 0;
  let counted = { records: 0, fields: 0 };
  let rows: CsvRow[];
  try {
    // csv-parse's typings without `columns` say string[] records even when on_record maps
    // them; here it maps each to its CsvRow, so the whole table is built in one pass.
    const toRow = (fields: string[], context: InfoRecord): CsvRow => {
      lastLine = context.lines;
      if (limits !== undefined) counted = countRecord(file, limits, counted, fields.length, context.lines);
      return { line: context.lines, fields };
    };
    rows = parse(content, {
      bom: true,
      delimiter: ";",
      trim: true,
      skip_empty_lines: true,
      ...(limits === undefined ? {} : { max_record_size: limits.maxRecordChars }),
      on_record: toRow as unknown as (fields: string[], context: InfoRecord) => string[],
    }) as unknown as CsvRow[];
  } catch (error) {
    if (error instanceof CsvError && error.code === "CSV_MAX_RECORD_SIZE" && limits !== undefined) {
      const problem = `a record longer than ${limits.maxRecordChars} characters, expected shorter records (size limit)`;
      throw limitError(file, limits, problem, lastLine + 1);
    }
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
    header: head,
    columns,
    rows: data,
  };
}
