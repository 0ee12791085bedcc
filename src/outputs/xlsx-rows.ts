import ExcelJS from "exceljs";

/*
 * Rows of a worksheet given to exceljs's writer as its own row model, without a Row and a Cell
 * object per cell. A site sheet has tens of thousands of cells; through the object model each
 * cell is a Cell, a value object, a merged style and a model object copied out of them again
 * before the writer starts, and that made a fifth of a workbook's cost (objects built, then
 * collected). The writer renders these models with the same xforms, styles and shared strings,
 * so the bytes are the ones the object model gives (tests/outputs/xlsx-rows.test.ts compares the
 * two models).
 */

/** A cell value a sheet row holds: text, a number, a date (a whole day, UTC midnight) or empty. */
export type RowValue = string | number | Date | null;

/** The model of one cell, as exceljs 4's `Cell.model` gives it for these value types. */
type CellModel = {
  readonly address: string;
  readonly type: ExcelJS.ValueType;
  readonly value?: string | number | Date;
  readonly style: Partial<ExcelJS.Style>;
};

/** The model of one row, as exceljs 4's `Row.model` gives it (no height, not hidden, no outline). */
export type RowModel = {
  readonly cells: CellModel[];
  readonly number: number;
  readonly min: number;
  readonly max: number;
  readonly height: undefined;
  readonly style: Partial<ExcelJS.Style>;
  readonly hidden: false;
  readonly outlineLevel: 0;
  readonly collapsed: false;
};

/** One empty style for every row without a style of its own (exceljs caches styles by object). */
export const EMPTY_ROW_STYLE: Partial<ExcelJS.Style> = Object.freeze({});

const COLUMN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function cellModel(address: string, value: RowValue, style: Partial<ExcelJS.Style>): CellModel {
  if (value === null) return { address, type: ExcelJS.ValueType.Null, style };
  if (typeof value === "string") return { address, type: ExcelJS.ValueType.String, value, style };
  if (typeof value === "number") return { address, type: ExcelJS.ValueType.Number, value, style };
  return { address, type: ExcelJS.ValueType.Date, value, style };
}

/**
 * Row `number`'s model with a cell per entry of `values` from column A on (at most 26 columns),
 * each with the style at the same place in `styles` (shared objects, unchanged afterwards: one
 * array of styles serves every row of a kind). An `undefined` value leaves its column without a
 * cell, as a cell never touched through exceljs.
 */
export function buildRowModel(
  number: number,
  values: readonly (RowValue | undefined)[],
  styles: readonly Partial<ExcelJS.Style>[],
): RowModel {
  if (values.length === 0 || values.length > COLUMN_LETTERS.length || styles.length !== values.length) {
    throw new Error(
      `xlsx rows: row ${number} has ${values.length} values and ${styles.length} styles, expected 1 to 26 of each`,
    );
  }
  const cells: CellModel[] = [];
  let min = 0;
  let max = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (value === undefined) continue;
    if (min === 0) min = index + 1;
    max = index + 1;
    cells.push(cellModel(`${COLUMN_LETTERS[index]}${number}`, value, styles[index] ?? EMPTY_ROW_STYLE));
  }
  if (cells.length === 0) throw new Error(`xlsx rows: row ${number} has no cell, expected at least one`);
  return {
    cells,
    number,
    min,
    max,
    height: undefined,
    style: EMPTY_ROW_STYLE,
    hidden: false,
    outlineLevel: 0,
    collapsed: false,
  };
}

/** The parts of exceljs 4's workbook model (`workbook.model`) that rows are added to. */
type WorkbookModel = {
  readonly worksheets: readonly {
    readonly id: number;
    readonly rows: unknown[];
    readonly dimensions: { expand(top: number, left: number, bottom: number, right: number): void };
  }[];
};

/**
 * Adds `rows` (by worksheet id) after the rows a worksheet's model already has, and widens its
 * used range (`dimensions`) over them as exceljs's `Worksheet.model` does for its own rows. Each
 * sheet's rows must come after its existing ones and in row order.
 */
export function appendRowModels(model: unknown, rows: ReadonlyMap<number, readonly RowModel[]>): void {
  const { worksheets } = model as WorkbookModel;
  for (const [id, added] of rows) {
    const sheet = worksheets.find((candidate) => candidate.id === id);
    if (sheet === undefined || typeof sheet.dimensions?.expand !== "function") {
      throw new Error(
        `xlsx rows: worksheet ${id} has no rows and dimensions in the model; expected exceljs 4`,
      );
    }
    for (const row of added) {
      sheet.dimensions.expand(row.number, row.min, row.number, row.max);
      sheet.rows.push(row);
    }
  }
}
