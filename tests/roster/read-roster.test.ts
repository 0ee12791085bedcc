import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Site } from "../../src/domain/roster.ts";
import { ConfigError, InputError } from "../../src/errors.ts";
import type { InputProblem } from "../../src/roster/input-problems.ts";
import { readRoster } from "../../src/roster/read-roster.ts";
import { SAMPLE_MUNICIPALITIES } from "../fixtures/roster/municipalities.ts";

const MUNICIPALITIES = SAMPLE_MUNICIPALITIES.filter((m) => m.code === 101 || m.code === 147);

const SITES: Site[] = [
  { id: "S0101-NH01", municipalityCode: 101, kind: "nursing-home", name: "Plejecenter A", address: "Vej 1" },
  { id: "S0101-HC01", municipalityCode: 101, kind: "home-care", name: "Hjemmeplejen Nord", address: "Vej 2" },
  { id: "S0147-NH01", municipalityCode: 147, kind: "nursing-home", name: "Plejecenter B", address: "Vej 3" },
];

const HEADER = "employee_id;name;site_id;shift;start_date;end_date";
const GOOD_101 = [
  "E101-000001;Anne Jensen;S0101-NH01;day;;",
  "E101-000002;;S0101-NH01;evening;2020-09-01;",
  "E101-000003;Lars Hansen;S0101-HC01;night;2020-01-01;2020-10-31",
];
const GOOD_147 = ["E147-000001;Mette Olsen;S0147-NH01;day;;", "E101-000001;Anne Jensen;S0147-NH01;night;;"];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "read-roster-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeRoster(files: Record<number, string>): Promise<void> {
  for (const [code, text] of Object.entries(files)) await writeFile(join(dir, `${code}.csv`), text);
}

function read(pattern = "{code}.csv") {
  return readRoster({ dir, pattern, municipalities: MUNICIPALITIES, sites: SITES });
}

async function captureError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("readRoster", () => {
  it("reads one file per municipality into staff, with hashes and row counts", async () => {
    const text101 = `\uFEFF${HEADER}\r\n${GOOD_101.join("\r\n")}\r\n`;
    const text147 = `${HEADER}\n${GOOD_147.join("\n")}`;
    await writeRoster({ 101: text101, 147: text147 });

    const roster = await read();

    expect(roster.staff).toEqual([
      {
        municipalityCode: 101,
        employeeId: "E101-000001",
        name: "Anne Jensen",
        siteId: "S0101-NH01",
        shift: "day",
      },
      {
        municipalityCode: 101,
        employeeId: "E101-000002",
        siteId: "S0101-NH01",
        shift: "evening",
        startDate: "2020-09-01",
      },
      {
        municipalityCode: 101,
        employeeId: "E101-000003",
        name: "Lars Hansen",
        siteId: "S0101-HC01",
        shift: "night",
        startDate: "2020-01-01",
        endDate: "2020-10-31",
      },
      {
        municipalityCode: 147,
        employeeId: "E147-000001",
        name: "Mette Olsen",
        siteId: "S0147-NH01",
        shift: "day",
      },
      // Ids are unique per file only: the same id in 147's file is 147's own employee (identity
      // is municipality and employee id).
      {
        municipalityCode: 147,
        employeeId: "E101-000001",
        name: "Anne Jensen",
        siteId: "S0147-NH01",
        shift: "night",
      },
    ]);
    const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
    expect(roster.files).toEqual([
      { municipalityCode: 101, path: join(dir, "101.csv"), sha256: sha(text101), rows: 3 },
      { municipalityCode: 147, path: join(dir, "147.csv"), sha256: sha(text147), rows: 2 },
    ]);
  });

  it("accepts a minimal HR export: optional columns absent, other order, extra columns, odd header case", async () => {
    await writeRoster({
      101: " Shift ;SITE_ID;Department;Employee_Id\nday;S0101-NH01;Pleje;E1\nnight;S0101-HC01;Pleje;E2\n",
      147: "employee_id;site_id;shift\nE3;S0147-NH01;evening\n",
    });
    const roster = await read();
    expect(roster.staff).toEqual([
      { municipalityCode: 101, employeeId: "E1", siteId: "S0101-NH01", shift: "day" },
      { municipalityCode: 101, employeeId: "E2", siteId: "S0101-HC01", shift: "night" },
      { municipalityCode: 147, employeeId: "E3", siteId: "S0147-NH01", shift: "evening" },
    ]);
    expect(roster.staff.every((member) => member.name === undefined && member.startDate === undefined)).toBe(
      true,
    );
  });

  it("uses the configured file name pattern", async () => {
    await mkdir(join(dir, "hr"));
    await writeFile(join(dir, "hr", "roster-101.csv"), `${HEADER}\n${GOOD_101.join("\n")}`);
    await writeFile(join(dir, "hr", "roster-147.csv"), `${HEADER}\n${GOOD_147.join("\n")}`);
    const roster = await read("hr/roster-{code}.csv");
    expect(roster.files.map((file) => file.path)).toEqual([
      join(dir, "hr", "roster-101.csv"),
      join(dir, "hr", "roster-147.csv"),
    ]);
    expect(roster.staff).toHaveLength(GOOD_101.length + GOOD_147.length);
  });

  // Each bad row is appended to the good rows of 101.csv, so its CSV line is GOOD_101.length + 2.
  const badRows = [
    {
      name: "unknown site",
      row: "E9;;S9999-NH01;day;;",
      field: "site_id",
      expected: "listed in the sites file",
    },
    {
      name: "known site id in the wrong letter case",
      row: "E9;;s0101-nh01;day;;",
      field: "site_id",
      expected: 'not a known site id (the known site "S0101-NH01" differs only in letter case)',
    },
    {
      name: "site of another municipality",
      row: "E9;;S0147-NH01;day;;",
      field: "site_id",
      expected: "expected a site of municipality 101",
    },
    {
      name: "bad shift (morning)",
      row: "E9;;S0101-NH01;morning;;",
      field: "shift",
      expected: "day, evening or night",
    },
    {
      name: "bad date (not a day)",
      row: "E9;;S0101-NH01;day;2020-02-30;",
      field: "start_date",
      expected: "YYYY-MM-DD",
    },
    {
      name: "bad date (US format)",
      row: "E9;;S0101-NH01;day;;10/31/2020",
      field: "end_date",
      expected: "YYYY-MM-DD",
    },
    {
      name: "bad date (two-digit year)",
      row: "E9;;S0101-NH01;day;31-10-20;",
      field: "start_date",
      expected: "shaped 99-99-99",
    },
    {
      name: "end before start",
      row: "E9;;S0101-NH01;day;2020-10-01;2020-09-30",
      field: "end_date",
      expected: "on or after start_date",
    },
    {
      name: "duplicate employee id",
      row: "E101-000002;;S0101-HC01;night;;",
      field: "employee_id",
      expected: "line 3",
    },
    {
      name: "empty employee id",
      row: ";Jens;S0101-HC01;night;;",
      field: "employee_id",
      expected: "non-empty",
    },
    { name: "empty shift", row: "E9;;S0101-HC01;;;", field: "shift", expected: "day, evening or night" },
  ];

  it.each(badRows)(
    "$name: error names the file, the line and the field",
    async ({ row, field, expected }) => {
      await writeRoster({
        101: [HEADER, ...GOOD_101, row].join("\n"),
        147: `${HEADER}\n${GOOD_147.join("\n")}`,
      });
      const error = await captureError(read());
      const file = join(dir, "101.csv");
      const line = GOOD_101.length + 2;
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location).toEqual({ file, line });
      expect(error.message).toContain(`${file}: line ${line}: ${field}: expected `);
      expect(error.message).toContain(expected);
      expect(error.message.split("\n")).toHaveLength(1);
    },
  );

  it("never repeats an employee id or name in an error message", async () => {
    await writeRoster({
      101: [
        HEADER,
        "E101-SECRET;Hemmelig Person;S0101-NH01;day;;",
        "E101-SECRET;Hemmelig Person;S0101-NH01;day;;",
      ].join("\n"),
      147: `${HEADER}\n${GOOD_147.join("\n")}`,
    });
    const error = await captureError(read());
    expect(error.message).toContain("line 3");
    expect(error.message).not.toContain("SECRET");
    expect(error.message).not.toContain("Hemmelig");
  });

  it.each([
    {
      name: "missing required column",
      text: `employee_id;name;shift\nE1;;day`,
      line: 1,
      expected: "missing column site_id",
    },
    { name: "empty file", text: "", line: 1, expected: "empty file" },
    { name: "header without rows", text: `${HEADER}\n`, line: 1, expected: "no data rows" },
    {
      name: "unclosed quote (placed after the last good row)",
      text: `${HEADER}\n${GOOD_101[0]}\nE9;"Anne;S0101-NH01;day;;\nE10;;S0101-NH01;day;;\n`,
      line: 3,
      expected: "never closed",
    },
    {
      name: "stray quote",
      text: `${HEADER}\n${GOOD_101[0]}\nE9;Ann"ie";S0101-NH01;day;;\n`,
      line: 3,
      expected: "malformed CSV",
    },
    {
      name: "ragged row",
      text: `${HEADER}\n${GOOD_101[0]}\nE9;;S0101-NH01\n`,
      line: 3,
      expected: "malformed CSV",
    },
  ])("$name in 147.csv is an InputError with file and line", async ({ text, line, expected }) => {
    await writeRoster({ 101: `${HEADER}\n${GOOD_101.join("\n")}`, 147: text });
    const error = await captureError(read());
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ file: join(dir, "147.csv"), line });
    expect(error.message).toContain(join(dir, "147.csv"));
    expect(error.message).toContain(expected);
    // The temp folder's random name may spell "Ann" (read-roster-Annb01): look past the path.
    expect(error.message.replace(join(dir, "147.csv"), "")).not.toContain("Ann");
  });

  it("names the expected path of a missing roster file", async () => {
    await writeRoster({ 101: `${HEADER}\n${GOOD_101.join("\n")}` });
    const error = await captureError(read());
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location.file).toBe(join(dir, "147.csv"));
    expect(error.message).toContain(join(dir, "147.csv"));
    expect(error.message).toContain("147 Frederiksberg");
  });

  it("counts the other missing files in the first one's message", async () => {
    await writeRoster({ 100: "unrelated" });
    const error = await captureError(read());
    expect(error.message).toContain(join(dir, "101.csv"));
    expect(error.message).toContain("1 other municipalities lack theirs too");
    expect(error.message).toContain(
      "a run plans the municipality from its last good roster until it is back",
    );
  });

  it("names the folder once when the folder is wrong", async () => {
    const error = await captureError(
      readRoster({
        dir: join(dir, "missing"),
        pattern: "{code}.csv",
        municipalities: MUNICIPALITIES,
        sites: SITES,
      }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ file: join(dir, "missing") });
    expect(error.message).toContain("no such file, expected the roster folder");
    expect(error.message).toContain("(2 files)");
  });

  it("reports every problem of a row in order, the same on each line that repeats it", async () => {
    // Text problems first (column order of the export contract), then the format problems in the
    // schema's column order; a cell refused for its characters is not reported again.
    const bad = ";Jens\u0000;S0101-NH01;morning;2020-02-30;";
    await writeRoster({
      101: [HEADER, bad, GOOD_101[0], bad].join("\n"),
      147: `${HEADER}\n${GOOD_147.join("\n")}`,
    });
    const problems: InputProblem[] = [];
    const roster = await readRoster(
      { dir, pattern: "{code}.csv", municipalities: MUNICIPALITIES, sites: SITES },
      { report: (problem) => problems.push(problem), warn: () => undefined },
    );
    const file = join(dir, "101.csv");
    const ofLine = (line: number) => [
      {
        file,
        line,
        column: "name",
        message: "expected text without control characters, found a NUL byte at character 5",
      },
      {
        file,
        line,
        column: "employee_id",
        message: "expected a non-empty employee id, found an empty value",
      },
      {
        file,
        line,
        column: "shift",
        message: "expected day, evening or night, found a value of 7 characters",
      },
      {
        file,
        line,
        column: "start_date",
        message:
          "expected a date YYYY-MM-DD (or DD-MM-YYYY / DD.MM.YYYY), found a value of 10 characters shaped 9999-99-99",
      },
    ];
    expect(problems).toEqual([...ofLine(2), ...ofLine(4)]);
    expect(roster.staff.map((member) => member.employeeId)).toEqual([
      "E101-000001",
      "E147-000001",
      "E101-000001",
    ]);
  });

  it("rejects a file name pattern without {code}", async () => {
    const error = await captureError(read("roster.csv"));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("roster.pattern");
  });
});
