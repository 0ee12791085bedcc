import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readReturnFile, readReturnFiles, type ReturnContext } from "../../src/attendance/read-returns.ts";
import type { PlannedTest } from "../../src/domain/plan-types.ts";
import { groupSiteSessions } from "../../src/outputs/site-sessions.ts";
import { renderRotaWorkbook } from "../../src/outputs/workbook-file.ts";
import { siteSheetColumn } from "../../src/outputs/workbook-site-sheet.ts";
import { createCollectingSink, formatProblem } from "../../src/roster/input-problems.ts";
import { FACTS, FRAME, ROWS, SITES, settings } from "../outputs/document-fixture.ts";

/*
 * Returns of Ærø (492) for test week 2020-W41 (Monday 5 – Sunday 11 October 2020), checked against
 * the eight tests of the document fixture's rota (e.g. E492-0002 on Monday 5 October, day shift).
 */
const dir = mkdtempSync(join(tmpdir(), "attendance-returns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLANNED: PlannedTest[] = ROWS.map((row) => ({
  employeeId: row.employeeId,
  siteId: row.siteId,
  municipalityCode: 492,
  regionCode: 1083,
  date: row.date,
  weekday: row.weekday,
  shift: row.shift,
  reason: row.reason,
}));

const CONTEXT: ReturnContext = {
  testWeek: { year: 2020, week: 41 },
  municipalities: [
    { code: 492, name: "Ærø", regionCode: 1083, population: 6_000, aliases: [] },
    { code: 350, name: "Lejre", regionCode: 1085, population: 27_000, aliases: [] },
  ],
  planned: PLANNED,
};

let serial = 0;
function writeReturn(text: string | Buffer, name = "492.csv"): string {
  serial += 1;
  const folder = join(dir, `r${serial}`);
  mkdirSafe(folder);
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function mkdirSafe(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
}

async function read(path: string, context: Partial<ReturnContext> = {}) {
  const sink = createCollectingSink();
  const result = await readReturnFile(path, { ...CONTEXT, ...context }, sink);
  return { result, problems: sink.problems().map(formatProblem), warnings: sink.warnings };
}

const HEADER = "employee_id;date;shift;outcome;sample_id";

describe("a CSV return: every malformed row is refused with file:line", () => {
  it.each([
    {
      name: "an employee with no test in the rota",
      rows: ["E492-9999;2020-10-05;day;taken;"],
      problem:
        "2: employee_id: expected an employee id with a test in the rota of 492 Ærø for test week 2020-W41, found an id with none",
    },
    {
      name: "a test never planned for that person, date and shift",
      rows: ["E492-0002;2020-10-05;night;taken;"],
      problem:
        "2: date: expected the date and shift of a test planned for this employee (1 test in the rota of 492 Ærø for test week 2020-W41), found 2020-10-05 night: never planned",
    },
    {
      name: "a date outside the test week",
      rows: ["E492-0002;2020-10-12;day;taken;"],
      problem: "2: date: expected a date in test week 2020-W41 (2020-10-05 … 2020-10-11), found 2020-10-12",
    },
    {
      name: "a date that is no date",
      rows: ["E492-0002;2020-13-05;day;taken;"],
      problem:
        "2: date: expected a date YYYY-MM-DD (or DD-MM-YYYY / DD.MM.YYYY), found a value of 10 characters shaped 9999-99-99",
    },
    {
      name: "an unknown shift",
      rows: ["E492-0002;2020-10-05;morning;taken;"],
      problem: "2: shift: expected day, evening, night (or dag, aften, nat), found a value of 7 characters",
    },
    {
      name: "an unknown outcome",
      rows: ["E492-0002;2020-10-05;day;maybe;"],
      problem:
        "2: outcome: expected taken, declined or absent (or taget, afslået, fraværende), or blank when not known, found a value of 5 characters",
    },
    {
      name: "a name where the outcome belongs (never quoted)",
      rows: ["E492-0002;2020-10-05;day;Søren Østergård;"],
      problem:
        "2: outcome: expected taken, declined or absent (or taget, afslået, fraværende), or blank when not known, found a value of 15 characters",
    },
    {
      name: "the same test twice",
      rows: [
        "E492-0002;2020-10-05;day;taken;",
        "E492-0001;2020-10-05;day;taken;",
        "E492-0002;05-10-2020;dag;absent;",
      ],
      problem: "4: employee_id: expected each test once, found the test of line 2 again",
    },
    {
      name: "an empty employee id",
      rows: [";2020-10-05;day;taken;"],
      problem: "2: employee_id: expected a non-empty employee id, found an empty value",
    },
    {
      name: "a control character in an id",
      rows: ["E492-\u00070002;2020-10-05;day;taken;"],
      problem:
        "2: employee_id: expected text without control characters, found a control character U+0007 at character 6",
    },
    {
      name: "a row with too few fields",
      rows: ["E492-0002;2020-10-05;day;taken;", "E492-0001;2020-10-05"],
      problem: "3: malformed CSV: expected 5 fields as in the header, found 2",
    },
  ])("$name", async ({ rows, problem }) => {
    const path = writeReturn([HEADER, ...rows, ""].join("\n"));
    const { result, problems } = await read(path);
    expect(result).toBeUndefined();
    expect(problems).toEqual([`${path}:${problem}`]);
    expect(problems.join(" ")).not.toMatch(/E492-|Søren|Østergård/);
  });

  it("a header without the outcome column: line 1", async () => {
    const path = writeReturn("employee_id;date;shift\nE492-0002;2020-10-05;day\n");
    expect((await read(path)).problems).toEqual([
      `${path}:1: header: missing column outcome, expected employee_id;date;shift;outcome (optional: sample_id;site_id), found 3 columns without it`,
    ]);
  });
});

describe("a CSV return: what is accepted", () => {
  it("Danish words, Danish dates, any letter case, blank outcomes; counts and sample IDs", async () => {
    const path = writeReturn(
      [
        "Employee_ID;Date;Shift;Outcome;Sample_ID",
        "E492-0002;05-10-2020;Dag;Taget;P-0001",
        "E492-0001;2020-10-05;day;afslået;",
        "E492-0003;5.10.2020;day;FRAVÆRENDE;",
        "E492-0007;2020-10-06;nat;;",
      ].join("\r\n"),
    );
    const { result, problems, warnings } = await read(path);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(result?.counts).toEqual({ rows: 4, taken: 1, declined: 1, absent: 1, blank: 1 });
    expect(result?.outcomes).toEqual([
      {
        municipalityCode: 492,
        employeeId: "E492-0002",
        date: "2020-10-05",
        shift: "day",
        outcome: "taken",
        sampleId: "P-0001",
      },
      {
        municipalityCode: 492,
        employeeId: "E492-0001",
        date: "2020-10-05",
        shift: "day",
        outcome: "declined",
        sampleId: null,
      },
      {
        municipalityCode: 492,
        employeeId: "E492-0003",
        date: "2020-10-05",
        shift: "day",
        outcome: "absent",
        sampleId: null,
      },
    ]);
    expect(result).toMatchObject({ municipalityCode: 492, fileName: "492.csv", format: "csv" });
  });

  it("Windows-1252 (Excel's CSV) is read, with a warning naming the file", async () => {
    const text = `${HEADER}\r\nE492-0002;2020-10-05;day;fraværende;\r\nE492-0001;2020-10-05;day;afslået;\r\n`;
    const path = writeReturn(iconv.encode(text, "windows-1252"));
    const { result, problems, warnings } = await read(path);
    expect(problems).toEqual([]);
    expect(result?.counts).toMatchObject({ absent: 1, declined: 1 });
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^${path}: not UTF-8, read as Windows-1252`)),
    ]);
  });

  it("the digest is the content's: row order does not matter, a changed sample ID does", async () => {
    const a = await read(
      writeReturn(`${HEADER}\nE492-0002;2020-10-05;day;taken;P1\nE492-0001;2020-10-05;day;absent;\n`),
    );
    const b = await read(
      writeReturn(`${HEADER}\nE492-0001;2020-10-05;day;absent;\nE492-0002;2020-10-05;day;taken;P1\n`),
    );
    const c = await read(
      writeReturn(`${HEADER}\nE492-0001;2020-10-05;day;absent;\nE492-0002;2020-10-05;day;taken;P2\n`),
    );
    expect(a.result?.digest).toBe(b.result?.digest);
    expect(c.result?.digest).not.toBe(a.result?.digest);
  });

  it.each([
    { name: "the file name gives the municipality", file: "492.csv", flag: undefined, problem: undefined },
    { name: "--municipality gives it", file: "aero-uge41.csv", flag: 492, problem: undefined },
    {
      name: "neither",
      file: "aero-uge41.csv",
      flag: undefined,
      problem:
        "expected the municipality code as the file name (e.g. 350.csv) or --municipality CODE, found neither",
    },
    {
      name: "a code not in the reference",
      file: "999.csv",
      flag: undefined,
      problem: "expected one of the 2 municipality codes of the reference, found 999",
    },
    {
      name: "a municipality without tests that week",
      file: "350.csv",
      flag: undefined,
      problem:
        "the rota of 350 Lejre for test week 2020-W41 has no tests, expected the return of a week with tests",
    },
    {
      name: "not a CSV or workbook",
      file: "492.txt",
      flag: undefined,
      problem: "expected a .csv or .xlsx file (a CSV return or the returned workbook)",
    },
  ])("$name", async ({ file, flag, problem }) => {
    const path = writeReturn(`${HEADER}\nE492-0002;2020-10-05;day;taken;\n`, file);
    const { result, problems } = await read(path, { municipalityCode: flag });
    if (problem === undefined) expect(result?.municipalityCode).toBe(492);
    else expect(problems).toEqual([`${path}: ${problem}`]);
  });

  it("two returns of one municipality in one import: the second is refused", async () => {
    const first = writeReturn(`${HEADER}\nE492-0002;2020-10-05;day;taken;\n`);
    const second = writeReturn(`${HEADER}\nE492-0001;2020-10-05;day;taken;\n`);
    const sink = createCollectingSink();
    const returns = await readReturnFiles([first, second], CONTEXT, sink);
    expect(returns.map((r) => r.counts.taken)).toEqual([1]);
    expect(sink.problems().map(formatProblem)).toEqual([
      `${second}: a second return for municipality 492 in test week 2020-W41 (the first is ${first}), expected one file per municipality`,
    ]);
  });
});

/** The rota workbook as testrota publishes it, filled in by a coordinator with exceljs. */
async function returnedWorkbook(
  fill: (sheet: ExcelJS.Worksheet, row: ExcelJS.Row, employeeId: string) => void,
  language: "da" | "en" = "da",
): Promise<Buffer> {
  const bytes = await renderRotaWorkbook({
    municipality: FACTS,
    frame: FRAME,
    sites: groupSiteSessions(ROWS, SITES),
    settings: settings(language),
  });
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) => {
      const id = row.getCell(siteSheetColumn("key_employee_id")).text;
      if (row.number > 3 && id !== "") fill(sheet, row, id);
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const OUTCOME = siteSheetColumn("outcome");
const SAMPLE = siteSheetColumn("sampleId");

describe("the returned workbook", () => {
  it("round-trips: the real workbook, outcomes chosen from its Danish list, read back by its keys", async () => {
    const answers: Record<string, string> = {
      "E492-0007": "taget",
      "E492-0002": "taget",
      "E492-0001": "afslået",
      "E492-0003": "fraværende",
      "E492-0104": "taget",
      "E492-0101": "taget",
      // E492-0102 left blank: not reported.
      "E492-0103": "fraværende",
    };
    const bytes = await returnedWorkbook((_sheet, row, id) => {
      const answer = answers[id];
      if (answer !== undefined) row.getCell(OUTCOME).value = answer;
      if (answer === "taget") row.getCell(SAMPLE).value = id === "E492-0002" ? 4711 : `P-${id.slice(5)}`;
    });
    const path = writeReturn(bytes, "rota.xlsx");
    const { result, problems } = await read(path);
    expect(problems).toEqual([]);
    expect(result?.counts).toEqual({ rows: 8, taken: 4, declined: 1, absent: 2, blank: 1 });
    expect(result?.municipalityCode).toBe(492);
    expect(result?.format).toBe("xlsx");
    expect(
      result?.outcomes
        .map((o) => `${o.employeeId} ${o.date} ${o.shift} ${o.outcome} ${o.sampleId ?? "-"}`)
        .sort(),
    ).toEqual([
      "E492-0001 2020-10-05 day declined -",
      "E492-0002 2020-10-05 day taken 4711",
      "E492-0003 2020-10-05 day absent -",
      "E492-0007 2020-10-06 night taken P-0007",
      "E492-0101 2020-10-08 evening taken P-0101",
      "E492-0103 2020-10-09 day absent -",
      "E492-0104 2020-10-08 evening taken P-0104",
    ]);
  });

  it("an English workbook with English outcomes reads the same", async () => {
    const bytes = await returnedWorkbook((_sheet, row) => (row.getCell(OUTCOME).value = "taken"), "en");
    const { result } = await read(writeReturn(bytes, "rota.xlsx"));
    expect(result?.counts).toEqual({ rows: 8, taken: 8, declined: 0, absent: 0, blank: 0 });
  });

  it("a tampered key and an unknown outcome are refused by sheet and row", async () => {
    const bytes = await returnedWorkbook((_sheet, row, id) => {
      row.getCell(OUTCOME).value = id === "E492-0101" ? "måske" : "taget";
      if (id === "E492-0002") row.getCell(siteSheetColumn("key_date")).value = "2020-10-07";
    });
    const path = writeReturn(bytes, "rota.xlsx");
    const { result, problems } = await read(path);
    expect(result).toBeUndefined();
    expect(problems).toEqual([
      `${path} [S0492-HC01 Hjemmeplejen Ærø]:5: outcome: expected taken, declined or absent (or taget, afslået, fraværende), or blank when not known, found a value of 5 characters`,
      `${path} [S0492-NH01 Plejecenter Søbækken]:6: date: expected the date and shift of a test planned for this employee (1 test in the rota of 492 Ærø for test week 2020-W41), found 2020-10-07 day: never planned`,
    ]);
  });

  it("the workbook of another week or municipality than asked for is refused", async () => {
    const bytes = await returnedWorkbook((_sheet, row) => (row.getCell(OUTCOME).value = "taget"));
    const path = writeReturn(bytes, "rota.xlsx");
    expect((await read(path, { testWeek: { year: 2020, week: 42 } })).problems).toEqual([
      `${path}: the workbook is the rota of test week 2020-W41, expected test week 2020-W42 (--week)`,
    ]);
    expect((await read(path, { municipalityCode: 350 })).problems).toEqual([
      `${path}: the workbook is the rota of municipality 492, expected municipality 350 (--municipality)`,
    ]);
  });

  it("a file that is no workbook", async () => {
    const path = writeReturn("not a zip", "492.xlsx");
    expect((await read(path)).problems).toEqual([
      `${path}: not a readable .xlsx workbook, expected the returned rota.xlsx`,
    ]);
  });
});
