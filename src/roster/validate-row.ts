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

/** What one cell value comes to: its problem (a text or a schema problem), else its parsed value. */
type CellVerdict = {
  readonly problem?: "text" | "schema";
  readonly message?: string;
  readonly value?: unknown;
};

/** Distinct values remembered per column: a column of junk cannot make the memory grow unbounded. */
const MAX_REMEMBERED_VALUES = 100_000;

/** Checks the rows of a table cell by cell, see {@link createCellValidator}. */
export type CellValidator<Column extends string> = {
  /**
   * {@link validateRow} for one row's fields: every problem goes to `sink`, with the same
   * messages in the same order. Returns the parsed cells, or undefined when any cell was refused;
   * the object returned is reused by the next call (copy what you keep).
   */
  validate(
    file: string,
    line: number,
    fields: readonly string[],
    positions: ReadonlyMap<string, number>,
    sink: ProblemSink,
  ): Readonly<Partial<Record<Column, unknown>>> | undefined;
};

/**
 * {@link validateRow} in the form for files of a million rows: the same text rules and the same
 * schema, applied to each cell with that column's own schema (`schema.shape`), so no row object
 * is built and parsed. Only for object schemas whose columns are checked each on its own (no
 * check across columns). In the `repeating` columns (site ids, shifts, dates: a few thousand
 * values over a million rows) each value's verdict is remembered, text check and schema alike.
 */
export function createCellValidator<Column extends string>(
  spec: RowSpec<Column>,
  schema: z.ZodObject,
  repeating: ReadonlySet<Column>,
): CellValidator<Column> {
  const columns = spec.columns;
  // Schema problems are reported in the order the schema lists its columns, as an object parse does.
  const shapeOrder = Object.keys(schema.shape).map((key) => columns.indexOf(key as Column));
  if (shapeOrder.length !== columns.length || shapeOrder.includes(-1)) {
    throw new Error("cell validator: the schema's columns differ from the row spec's");
  }
  const fieldSchemas = columns.map((column) => schema.shape[column] as z.ZodType);
  const remembered = columns.map((column) =>
    repeating.has(column) ? new Map<string, CellVerdict>() : undefined,
  );
  const absent = fieldSchemas.map((field, index) => judge(index, field, undefined));
  const verdicts: CellVerdict[] = new Array<CellVerdict>(columns.length);
  const parsed: Partial<Record<Column, unknown>> = {};

  function judge(index: number, field: z.ZodType, value: string | undefined): CellVerdict {
    const column = columns[index] as Column;
    if (value !== undefined) {
      const message = checkFieldText(value, spec.text[column]);
      if (message !== undefined) return { problem: "text", message };
    }
    const result = field.safeParse(value);
    if (result.success) return { value: result.data };
    const issue = result.error.issues[0];
    return {
      problem: "schema",
      message: `expected ${issue?.message ?? "a valid value"}, found ${spec.describe(column, value ?? "")}`,
    };
  }

  function verdictOf(index: number, value: string | undefined): CellVerdict {
    if (value === undefined) return absent[index] as CellVerdict;
    const memory = remembered[index];
    const known = memory?.get(value);
    if (known !== undefined) return known;
    const verdict = judge(index, fieldSchemas[index] as z.ZodType, value);
    if (memory !== undefined && memory.size < MAX_REMEMBERED_VALUES) memory.set(value, verdict);
    return verdict;
  }

  const optional = columns.map((column) => spec.optional?.has(column) === true);
  // The positions of the table being read, in column order (a table's rows come one after another).
  let table: ReadonlyMap<string, number> | undefined;
  let at: (number | undefined)[] = [];

  return {
    validate(file, line, fields, positions, sink) {
      if (positions !== table) {
        table = positions;
        at = columns.map((column) => positions.get(column));
      }
      let refused = false;
      for (let index = 0; index < columns.length; index++) {
        const column = columns[index] as Column;
        const position = at[index];
        let value = position === undefined ? undefined : (fields[position] ?? "");
        if (value === "" && optional[index] === true) value = undefined;
        const verdict = verdictOf(index, value);
        verdicts[index] = verdict;
        if (verdict.problem === undefined) parsed[column] = verdict.value;
        else refused = true;
      }
      if (!refused) return parsed;
      // As validateRow: the text problems column by column, then the schema's in its order.
      for (const [index, verdict] of verdicts.entries()) {
        if (verdict.problem === "text")
          sink.report({ file, line, column: columns[index], message: verdict.message ?? "" });
      }
      for (const index of shapeOrder) {
        const verdict = verdicts[index];
        if (verdict?.problem === "schema")
          sink.report({ file, line, column: columns[index], message: verdict.message ?? "" });
      }
      return undefined;
    },
  };
}
