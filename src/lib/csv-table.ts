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

/** A problem of the file's CSV structure; messages never quote a cell (it may be a staff name). */
export type CsvProblem = { readonly line?: number; readonly message: string };

/**
 * Size limits enforced while parsing: the parse stops at the first record past a limit, so a
 * huge file costs no more memory than the limit allows. A passed limit is not a problem of one
 * record: it is thrown, never collected.
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

export type CsvTableOptions = {
  readonly limits?: CsvLimits | undefined;
  /** Names the file in limit errors (default: "input"). */
  readonly file?: string | undefined;
};

function limitError(file: string, limits: CsvLimits, problem: string, line: number): Error {
  return limits.error?.(problem, line) ?? new InputError({ file, line }, problem);
}

/** Adds one record of `width` fields to the running counts; throws past a limit. */
function countRecord(
  file: string,
  limits: CsvLimits,
  counted: { records: number; fields: number },
  width: number,
  line: number,
): void {
  counted.records += 1;
  counted.fields += width;
  const problem =
    counted.records > limits.maxRows
      ? `more than ${limits.maxRows} records, expected at most ${limits.maxRows} (size limit)`
      : counted.fields > limits.maxFields
        ? `more than ${limits.maxFields} fields in all, expected at most ${limits.maxFields} (size limit)`
        : undefined;
  if (problem !== undefined) throw limitError(file, limits, problem, line);
}

/** Describes the header an input file must have, for error messages. */
export function describeHeader(columns: CsvColumns): string {
  const optional = columns.optional ?? [];
  const required = columns.required.join(";");
  return optional.length === 0 ? required : `${required} (optional: ${optional.join(";")})`;
}

function describeFieldCount(error: CsvError, expected: number | undefined): string {
  const found = Array.isArray(error["record"]) ? error["record"].length : undefined;
  const wanted =
    expected === undefined ? "as many fields as the header" : `${expected} fields as in the header`;
  return `malformed CSV: expected ${wanted}, found ${found ?? "another number"}`;
}

/** CSV parser messages are not passed on because they can quote a cell (a staff name). */
function describeCsvError(error: CsvError, headerWidth: number | undefined): string {
  switch (error.code) {
    case "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH":
      return describeFieldCount(error, headerWidth);
    case "INVALID_OPENING_QUOTE":
      return "malformed CSV: expected double quotes only around a whole field, found a stray double quote in a field";
    case "CSV_INVALID_CLOSING_QUOTE":
      return "malformed CSV: expected ; or the end of the line after a closing double quote, found more text";
    case "CSV_QUOTE_NOT_CLOSED":
      return "malformed CSV: a quoted field starting here or below is never closed, expected a closing double quote";
    default:
      return `malformed CSV (${error.code}), expected ;-separated fields`;
  }
}

type ParsedRecords = { rows: CsvRow[]; problems: CsvProblem[] };

/**
 * Every well-formed record with its line, and a problem per malformed one (csv-parse skips it and
 * goes on). An unclosed quote swallows the rest of the file: it is placed after the last record.
 */
function parseRecords(content: Buffer | string, options: CsvTableOptions): ParsedRecords {
  const { limits } = options;
  const file = options.file ?? "input";
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  const problemLines = new Set<number>();
  const counted = { records: 0, fields: 0 };
  let lastLine = 0;
  const skip = (error: CsvError | undefined): undefined => {
    if (error === undefined) return undefined;
    if (error.code === "CSV_MAX_RECORD_SIZE" && limits !== undefined) {
      const problem = `a record longer than ${limits.maxRecordChars} characters, expected shorter records (size limit)`;
      throw limitError(file, limits, problem, lastLine + 1);
    }
    const line =
      error.code === "CSV_QUOTE_NOT_CLOSED"
        ? lastLine + 1
        : typeof error["lines"] === "number"
          ? error["lines"]
          : undefined;
    // csv-parse may report one broken record twice (e.g. both quotes of a stray pair).
    if (line !== undefined) {
      if (problemLines.has(line)) return undefined;
      problemLines.add(line);
      lastLine = Math.max(lastLine, line);
    }
    problems.push({ line, message: describeCsvError(error, rows[0]?.fields.length) });
    return undefined;
  };
  const keep = (fields: string[], context: InfoRecord): undefined => {
    lastLine = context.lines;
    if (limits !== undefined) countRecord(file, limits, counted, fields.length, context.lines);
    rows.push({ line: context.lines, fields });
    return undefined;
  };
  try {
    parse(content, {
      bom: true,
      delimiter: ";",
      trim: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      ...(limits === undefined ? {} : { max_record_size: limits.maxRecordChars }),
      on_skip: skip,
      // Records are collected by `keep` (with their line) so that the rows before a fatal error
      // survive it; it drops them from csv-parse's own result.
      on_record: keep,
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    skip(error);
  }
  return { rows, problems };
}

/**
 * Reads a `;`-separated text with a header line, reporting every problem of its CSV structure:
 * malformed records (skipped, the others are kept), a missing required column, no data rows.
 * Header names are matched case-insensitively and trimmed because HR exports differ in spelling;
 * unknown columns are ignored. Returns undefined when the file cannot be read as a table at all
 * (empty, a malformed header, a required column missing).
 */
export function readCsvTable(
  content: Buffer | string,
  expected: CsvColumns,
  report: (problem: CsvProblem) => void,
  options: CsvTableOptions = {},
): CsvTable | undefined {
  const { rows, problems } = parseRecords(content, options);
  const [head, ...data] = rows;
  const firstProblem = problems[0];
  if (firstProblem !== undefined && (head === undefined || (firstProblem.line ?? 0) < head.line)) {
    report({ line: firstProblem.line, message: `header: ${firstProblem.message}` });
    return undefined;
  }
  if (head === undefined) {
    report({ line: 1, message: `empty file, expected a header ${describeHeader(expected)} and rows` });
    return undefined;
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
    // The header is not quoted: a file without a header has a row of staff data in its place.
    report({
      line: head.line,
      message: `header: missing column ${missing.join(", ")}, expected ${describeHeader(expected)}, found ${head.fields.length} column${head.fields.length === 1 ? "" : "s"} without ${missing.length === 1 ? "it" : "them"}`,
    });
    return undefined;
  }
  for (const problem of problems) report(problem);
  if (data.length === 0 && problems.length === 0) {
    report({ line: head.line, message: "no data rows, expected at least one row after the header" });
  }
  return { header: head, columns, rows: data };
}

/**
 * Parses a UTF-8 (optional BOM), `;`-separated file with a header line (see {@link readCsvTable});
 * the first problem becomes an `InputError` naming the file and line.
 */
export function parseCsvTable(
  file: string,
  content: Buffer | string,
  expected: CsvColumns,
  options: Omit<CsvTableOptions, "file"> = {},
): CsvTable {
  const report = (problem: CsvProblem): never => {
    throw new InputError(
      problem.line === undefined ? { file } : { file, line: problem.line },
      problem.message,
    );
  };
  const table = readCsvTable(content, expected, report, { ...options, file });
  // readCsvTable reports (here: throws) before it returns no table.
  if (table === undefined) throw new InputError({ file }, "unreadable CSV");
  return table;
}
