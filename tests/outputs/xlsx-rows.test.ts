import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { appendRowModels, buildRowModel, type RowValue } from "../../src/outputs/xlsx-rows.ts";
import { writeXlsx } from "../../src/outputs/xlsx-zip.ts";

const CREATED = new Date("2020-09-30T10:00:00Z");
const PLAIN: Partial<ExcelJS.Style> = { font: { name: "Calibri", family: 2, size: 11 } };
const DATE: Partial<ExcelJS.Style> = { ...PLAIN, numFmt: "dd-mm-yyyy", alignment: { horizontal: "left" } };
const BOLD: Partial<ExcelJS.Style> = { font: { name: "Calibri", family: 2, size: 11, bold: true } };
const INPUT: Partial<ExcelJS.Style> = {
  ...PLAIN,
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFF2CC" } },
};

// A heading row and a person row of a site sheet: a date, text, a number and empty styled cells.
// A total row of the cover: no cells under the site's name and kind (undefined: no cell).
type Entry = readonly [RowValue | undefined, Partial<ExcelJS.Style>];
const ROWS: readonly (readonly Entry[])[] = [
  [
    [new Date("2020-10-05T00:00:00Z"), DATE],
    ["mandag", PLAIN],
    [null, PLAIN],
    [3, PLAIN],
  ],
  [
    [new Date("2020-10-05T00:00:00Z"), DATE],
    ["mandag", PLAIN],
    ["E-17 & Co <x>", PLAIN],
    ["Åse Ærø", PLAIN],
    [null, INPUT],
    [null, INPUT],
    ["2020-10-05", PLAIN],
    [42, PLAIN],
  ],
  [
    [undefined, PLAIN],
    ["I alt", BOLD],
    [undefined, PLAIN],
    [undefined, PLAIN],
    [17, BOLD],
  ],
];

function modelOf(number: number, cells: readonly Entry[]) {
  return buildRowModel(
    number,
    cells.map(([value]) => value),
    cells.map(([, style]) => style),
  );
}

/** A workbook whose sheet "S" has a title on row 1 and, when `viaCells`, ROWS from row 2 on. */
function workbookWithTitle(viaCells: boolean): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.created = CREATED;
  workbook.modified = CREATED;
  const sheet = workbook.addWorksheet("S");
  const title = sheet.getRow(1).getCell(1);
  title.value = "Plejecenter Solsikken";
  title.style = PLAIN;
  if (viaCells) {
    ROWS.forEach((cells, r) => {
      const row = sheet.getRow(r + 2);
      cells.forEach(([value, style], c) => {
        if (value === undefined) return;
        const cell = row.getCell(c + 1);
        cell.value = value;
        cell.style = style;
      });
    });
  }
  return workbook;
}

describe("buildRowModel", () => {
  it.each(ROWS.map((cells, index) => ({ name: `row ${index + 2} (${cells.length} cells)`, cells })))(
    "$name is the model exceljs's own row gives for the same cells",
    ({ cells }) => {
      const sheet = workbookWithTitle(true).getWorksheet("S");
      const number = ROWS.indexOf(cells) + 2;
      expect(modelOf(number, cells)).toEqual(sheet?.getRow(number).model);
    },
  );

  it("names the columns A, B, C… and spans them", () => {
    const model = buildRowModel(7, ["a", null, 1], [PLAIN, PLAIN, PLAIN]);
    expect(model.cells.map((cell) => cell.address)).toEqual(["A7", "B7", "C7"]);
    expect([model.min, model.max]).toEqual([1, 3]);
  });

  it("leaves a column without a cell for an undefined value and spans the cells there are", () => {
    const model = buildRowModel(9, [undefined, "I alt", undefined, 4, undefined], Array(5).fill(PLAIN));
    expect(model.cells.map((cell) => cell.address)).toEqual(["B9", "D9"]);
    expect([model.min, model.max]).toEqual([2, 4]);
  });

  it.each([
    { name: "no cells", values: [], styles: [], message: "row 2 has 0 values and 0 styles" },
    {
      name: "27 cells",
      values: Array<RowValue>(27).fill("x"),
      styles: Array(27).fill(PLAIN),
      message: "row 2 has 27 values and 27 styles",
    },
    {
      name: "a style missing",
      values: ["x", "y"],
      styles: [PLAIN],
      message: "row 2 has 2 values and 1 styles",
    },
  ])("refuses a row with $name", ({ values, styles, message }) => {
    expect(() => buildRowModel(2, values, styles)).toThrow(`${message}, expected 1 to 26 of each`);
  });
});

describe("appendRowModels", () => {
  it("writes the same workbook bytes as the rows put in through exceljs's cells", async () => {
    const viaModels = workbookWithTitle(false);
    const sheetId = viaModels.getWorksheet("S")?.id ?? -1;
    const rows = new Map([[sheetId, ROWS.map((cells, index) => modelOf(index + 2, cells))]]);
    const fromModels = await writeXlsx(viaModels, CREATED, rows);
    const fromCells = await writeXlsx(workbookWithTitle(true), CREATED);
    expect(Buffer.from(fromModels).equals(Buffer.from(fromCells))).toBe(true);
  });

  it("widens the sheet's used range over the added rows (A1:H4)", async () => {
    const workbook = workbookWithTitle(false);
    const sheetId = workbook.getWorksheet("S")?.id ?? -1;
    const rows = new Map([[sheetId, ROWS.map((cells, index) => modelOf(index + 2, cells))]]);
    const read = new ExcelJS.Workbook();
    await read.xlsx.load(Buffer.from(await writeXlsx(workbook, CREATED, rows)) as unknown as ArrayBuffer);
    const sheet = read.getWorksheet("S");
    expect(sheet?.dimensions.range).toBe("A1:H4");
    expect(sheet?.getCell("C3").value).toBe("E-17 & Co <x>");
    expect(sheet?.getCell("H3").value).toBe(42);
  });

  it("names a worksheet the model does not have", () => {
    const { model } = workbookWithTitle(false);
    expect(() => appendRowModels(model, new Map([[99, [buildRowModel(2, ["x"], [PLAIN])]]]))).toThrow(
      "worksheet 99 has no rows and dimensions in the model",
    );
  });
});
