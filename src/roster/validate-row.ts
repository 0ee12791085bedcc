import type { z } from "zod";
import type { CsvRow, CsvTable } from "../lib/csv-table.ts";
import { checkFieldText, type TextRule } from "./field-text.ts";
import type { ProblemSink } from "./input-problems.ts";

/** How the rows of one kind of input file are checked, column by column. */
export type RowSpec<Column extends string> = {
  readonly columns: readonly Column[];
  /** Columns that may be absent from the header or empty; both mean "not given" (undefined). */
  readonly optional?: ReadonlySet<Column>;
  readonly text: Readonly<Record<Column, TextRule>>;
  /**
   * What a message says was found in a column: a quote for values that cannot be staff data,
   * otherwise a description without the content (see `field-text.ts`).
   */
  readonly describe: (column: Column, value: string) => string;
};

export type RawRow<Column extends string> = Partial<Record<Column, string>>;

/** The cells of a row by column; optional columns that are absent or empty are left out. */
export function rawRowOf<Column extends string>(
  spec: RowSpec<Column>,
  table: CsvTable,
  row: CsvRow,
): RawRow<Column> {
  const raw: RawRow<Column> = {};
  for (const column of spec.columns) {
    const position = table.columns.get(column);
    const value = position === undefined ? undefined : (row.fields[position] ?? "");
    if (value === undefined || (value === "" && spec.optional?.has(column) === true)) continue;
    raw[column] = value;
  }
  return raw;
}

/**
 * Checks one row: the text of every cell (control characters, length), then the row's schema,
 * reporting each problem to `sink` with file, line and column — at most one per column, so a
 * cell refused for its characters is not reported again for its format. The schema's messages
 * say what was expected; what was found is added by `spec.describe`. Returns the parsed row, or
 * undefined when any cell was refused.
 */
export function validateRow<Column extends string, Parsed>(
  file: string,
  row: CsvRow,
  raw: RawRow<Column>,
  spec: RowSpec<Column>,
  schema: z.ZodType<Parsed>,
  sink: ProblemSink,
): Parsed | undefined {
  const reported = new Set<string>();
  for (const column of spec.columns) {
    const value = raw[column];
    if (value === undefined) continue;
    const problem = checkFieldText(value, spec.text[column]);
    if (problem !== undefined) {
      reported.add(column);
      sink.report({ file, line: row.line, column, message: problem });
    }
  }
  const result = schema.safeParse(raw);
  if (result.success) return reported.size === 0 ? result.data : undefined;
  for (const issue of result.error.issues) {
    const key = issue.path[0];
    const column = typeof key === "string" ? key : undefined;
    if (column !== undefined && reported.has(column)) continue;
    if (column !== undefined) reported.add(column);
    const value = column === undefined ? undefined : raw[column as Column];
    const found = column === undefined ? "" : `, found ${spec.describe(column as Column, value ?? "")}`;
    sink.report({ file, line: row.line, column, message: `expected ${issue.message}${found}` });
  }
  return undefined;
}
