import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import { parseCsvTable, readCsvTable, type CsvProblem } from "../../src/lib/csv-table.ts";

const COLUMNS = { required: ["id", "shift"], optional: ["name"] };

function collect(text: string) {
  const problems: CsvProblem[] = [];
  const table = readCsvTable(text, COLUMNS, (problem) => problems.push(problem));
  return { table, problems };
}

describe("readCsvTable", () => {
  it("keeps the good rows around malformed ones and reports each malformed row with its line", () => {
    const text = [
      "id;name;shift", // 1
      "A1;Hanne;day", // 2
      "A2;Bo", // 3: too few fields
      "A3;Ib;night", // 4
      'A4;Ul"la";day', // 5: stray quote
      "A5;Per;evening;extra", // 6: too many fields
      "A6;Kim;day", // 7
    ].join("\n");
    const { table, problems } = collect(text);
    expect(table?.rows.map((row) => [row.line, row.fields[0]])).toEqual([
      [2, "A1"],
      [4, "A3"],
      [7, "A6"],
    ]);
    expect(problems).toEqual([
      { line: 3, message: "malformed CSV: expected 3 fields as in the header, found 2" },
      {
        line: 5,
        message:
          "malformed CSV: expected double quotes only around a whole field, found a stray double quote in a field",
      },
      { line: 6, message: "malformed CSV: expected 3 fields as in the header, found 4" },
    ]);
  });

  it("places an unclosed quote after the last good row and keeps the rows before it", () => {
    const { table, problems } = collect('id;name;shift\nA1;Hanne;day\nA2;"Bo;day\nA3;Ib;night\n');
    expect(table?.rows.map((row) => row.line)).toEqual([2]);
    expect(problems).toEqual([{ line: 3, message: expect.stringContaining("never closed") as string }]);
  });

  it.each([
    {
      name: "an empty file",
      text: "",
      problem: { line: 1, message: expect.stringContaining("empty file") as string },
    },
    {
      name: "a missing column, without quoting the header (it may be a row of names)",
      text: "Hanne Hansen;day\nBo Berg;night\n",
      problem: {
        line: 1,
        message:
          "header: missing column id, shift, expected id;shift (optional: name), found 2 columns without them",
      },
    },
    {
      name: "a malformed header",
      text: 'id;"shift\n',
      problem: { line: 1, message: expect.stringContaining("header: malformed CSV") as string },
    },
  ])("returns no table for $name", ({ text, problem }) => {
    const { table, problems } = collect(text);
    expect(table).toBeUndefined();
    expect(problems).toEqual([problem]);
  });

  it("reports a header without rows at the header's line but still returns the (empty) table", () => {
    const { table, problems } = collect("ID ; Shift\n\n");
    expect(table?.rows).toEqual([]);
    expect([...(table?.columns ?? [])]).toEqual([
      ["id", 0],
      ["shift", 1],
    ]);
    expect(problems).toEqual([
      { line: 1, message: "no data rows, expected at least one row after the header" },
    ]);
  });
});

describe("parseCsvTable", () => {
  it("throws the first problem as an InputError with file and line", () => {
    let caught: unknown;
    try {
      parseCsvTable("in.csv", "id;shift\nA1;day\nA2\nA3\n", COLUMNS);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).location).toEqual({ file: "in.csv", line: 3 });
    expect((caught as InputError).message).toBe(
      "in.csv: line 3: malformed CSV: expected 2 fields as in the header, found 1",
    );
  });
});
