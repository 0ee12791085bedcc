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

type ParsedRecord = { record: string[]; info: { lines: number } };

/** Describes the header an input file must have, for error messages. */
export function describeHeader(columns: CsvColumns): string {
  const optional = columns.optional ?? [];
  const required = columns.required.join(";");
  return optional.length === 0 ? required : `${required} (optional: ${optional.join(";")})`;
}

/**
 * Parses a UTF-8 (optional BOM), `;`-separated file with a header line. Header names are matched
 * case-insensitively and trimmed because HR exports differ in spelling; unknown columns are
 * ignored. Malformed CSV and missing columns become `InputError`s naming the file and line. CSV
 * parser messages are not passed on because they can quote a cell (a staff name).
 */
export function parseCsvTable(file: string, content: Buffer | string, expected: CsvColumns): CsvTable {
  let records: ParsedRecord[];
  try {
    records = parse(content, {
      bom: true,
      delimiter: ";",
      trim: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error["lines"] === "number" ? error["lines"] : undefined;
      throw new InputError({ file, line }, `malformed CSV (${error.code}), expected ;-separated fields`, {
        cause: error,
      });
    }
    throw error;
  }

  const [head, ...data] = records;
  if (head === undefined) {
    throw new InputError({ file }, `empty file, expected a header ${describeHeader(expected)} and rows`);
  }
  const positions = new Map<string, number>();
  head.record.forEach((name, index) => {
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
      { file, line: head.info.lines },
      `header: missing column ${missing.join(", ")}, expected ${describeHeader(expected)}`,
    );
  }
  if (data.length === 0) {
    throw new InputError({ file }, `no data rows, expected at least one row after the header`);
  }
  return {
    columns,
    rows: data.map((entry) => ({ line: entry.info.lines, fields: entry.record })),
  };
}
