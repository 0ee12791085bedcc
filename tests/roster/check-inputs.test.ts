import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkInputs, formatInputCheck } from "../../src/roster/check-inputs.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createRunFixture, SMALL_ROSTER, useFileRoster, type RunFixture } from "../support/run-fixture.ts";

let fx: RunFixture;
let sitesPath: string;
let rosterDir: string;
beforeEach(async () => {
  fx = createRunFixture();
  ({ sitesPath, rosterDir } = await useFileRoster(fx));
});
afterEach(() => fx.cleanup());

const roster = (code: number) => join(rosterDir, `${code}.csv`);
/** Appends rows to a file and returns the line number of the first appended row. */
function appendRows(path: string, rows: string[]): number {
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "").length;
  appendFileSync(path, rows.map((row) => `${row}\n`).join(""));
  return lines + 1;
}

describe("checkInputs", () => {
  it("reads every file of a good installation without a problem and counts what it read", async () => {
    const municipalities = await readReference(fx.config().reference);
    const generated = generateDemoInput({ municipalities, ...SMALL_ROSTER });
    const check = await checkInputs(fx.config());
    expect(check.problems).toEqual([]);
    expect(check.warnings).toEqual([]);
    expect(check.counts).toEqual({
      municipalities: 98,
      sites: generated.sites.length,
      staff: generated.staff.length,
    });
  });

  it("reports every problem of every file with file, line and column, not only the first", async () => {
    const badSites = appendRows(sitesPath, [
      "S0101-NH01;101;nursing-home;Dubletten;Vej 1;;;;;", // duplicate site id
      "S9999-XX01;101;hospital;Sygehuset;Vej 2;;;;;", // unknown kind
      "S0101-NH98;101;nursing-home;Nordlys;Vej 3;45.1;12.5;;;", // latitude outside Denmark
      "S0101-NH99;101;nursing-home;Sydlys;Vej 4;;;;Ring til Ulla Hemmelig;", // a staff name in the note
    ]);
    const bad101 = appendRows(roster(101), [
      "E101-900001;Hanne Hemmelig;S0101-NH01;morning;;", // bad shift
      "E101-900002;Bo Hemmelig;S0147-NH01;day;;", // site of Frederiksberg
      "E101-900003;Ib Hemmelig;S0101-NH01;day;2020-10-01;2020-09-30", // end before start
    ]);
    rmSync(roster(147));
    const bad151 = appendRows(roster(151), [
      "E151-900001;Ulla Hemmelig;S0151-NH01;day;;",
      "E151-900001;Ulla Hemmelig;S0151-NH01;night;;", // same id twice
    ]);
    const bad153 = appendRows(roster(153), ["E153-900001;Per Hemmelig;NOT-A-SITE;day;;"]);

    const check = await checkInputs(fx.config());

    expect(check.problems).toEqual([
      // Checked once the roster is read (Ulla Hemmelig's first row in 151 is valid); a problem
      // without a line comes first in its file.
      {
        file: sitesPath,
        column: "access_note",
        message:
          'expected no staff names in the access note of site "S0101-NH99" (it is printed on the drivers\' route sheets), found a name from the roster',
      },
      {
        file: sitesPath,
        line: badSites,
        column: "site_id",
        message: `expected unique site ids, found "S0101-NH01" again (first on line 2)`,
      },
      {
        file: sitesPath,
        line: badSites + 1,
        column: "kind",
        message: `expected nursing-home or home-care, found "hospital"`,
      },
      {
        file: sitesPath,
        line: badSites + 2,
        column: "latitude",
        message: 'expected a latitude within Denmark (54.4–57.9), found "45.1"',
      },
      {
        file: roster(147),
        message:
          "no such file: expected the roster export of municipality 147 Frederiksberg named by the pattern {code}.csv; " +
          "a run plans the municipality from its last good roster until it is back",
      },
      {
        file: roster(101),
        line: bad101,
        column: "shift",
        message: "expected day, evening or night, found a value of 7 characters",
      },
      {
        file: roster(101),
        line: bad101 + 1,
        column: "site_id",
        message:
          'expected a site of municipality 101 København, found the site "S0147-NH01" of municipality 147 Frederiksberg',
      },
      {
        file: roster(101),
        line: bad101 + 2,
        column: "end_date",
        message: "expected a date on or after start_date, found a date before it",
      },
      {
        file: roster(151),
        line: bad151 + 1,
        column: "employee_id",
        message: `expected each employee id once per file, found the id of line ${bad151} again`,
      },
      {
        file: roster(153),
        line: bad153,
        column: "site_id",
        message:
          "expected a site id listed in the sites file, found a value of 10 characters that is not a known site id " +
          "(or its row in the sites file was refused)",
      },
    ]);
    expect(JSON.stringify(check)).not.toContain("Hemmelig");
    expect(JSON.stringify(check)).not.toContain("900001");
    // The sites file has problems: a run would stop; the four roster files would be set aside.
    expect(check.run.stops).toBe(true);
    expect(check.run.isolated.map((m) => m.code)).toEqual([101, 147, 151, 153]);
  });

  it("says a run would go on without bad roster files when the sites file is fine", async () => {
    appendRows(roster(101), ["E101-900001;Hanne Hemmelig;S0101-NH01;morning;;"]);
    rmSync(roster(825));
    const check = await checkInputs(fx.config());
    expect(check.run).toEqual({
      stops: false,
      isolated: [
        { code: 101, name: "København" },
        { code: 825, name: "Læsø" },
      ],
    });
    expect(formatInputCheck(check).at(-1)).toBe(
      "a run would go on and set aside the roster files of 2 municipalities (101 København, 825 Læsø): each is planned from its last good roster in the state store, or gets no rota when none is stored",
    );
  });

  it("lists at most 20 problems per file, then counts the rest", async () => {
    const first = appendRows(
      roster(101),
      Array.from({ length: 25 }, (_, i) => `E101-9${String(i).padStart(5, "0")};;S0101-NH01;noon;;`),
    );
    const check = await checkInputs(fx.config());
    expect(check.problems).toHaveLength(21);
    expect(check.problems[0]).toMatchObject({ file: roster(101), line: first, column: "shift" });
    expect(check.problems[19]).toMatchObject({ file: roster(101), line: first + 19, column: "shift" });
    expect(check.problems[20]).toEqual({ file: roster(101), message: "… and 5 more problems in this file" });
    expect(check.problemCount).toBe(25);

    const capped = await checkInputs(fx.config(), { maxProblemsPerFile: 3 });
    expect(capped.problems.map((p) => p.line ?? p.message)).toEqual([
      first,
      first + 1,
      first + 2,
      "… and 22 more problems in this file",
    ]);
  });

  it("names the roster folder once when it is missing", async () => {
    // Loaded first: the config check itself refuses a missing folder (exit 78); this is the folder
    // vanishing after start-up, e.g. an unmounted share.
    const config = fx.config();
    rmSync(rosterDir, { recursive: true });
    const check = await checkInputs(config);
    expect(check.problems).toEqual([
      {
        file: rosterDir,
        message:
          "no such file, expected the roster folder with one CSV per municipality named by the pattern {code}.csv (98 files)",
      },
    ]);
  });

  it("stops after the reference when it yields no municipality", async () => {
    const reference = join(fx.dir, "empty-reference.csv");
    writeFileSync(reference, "");
    const check = await checkInputs({ ...fx.config(), reference });
    expect(check.problems).toEqual([
      {
        file: reference,
        line: 1,
        message:
          "empty file, expected a header code;name;region_code;region_name;population;aliases and rows",
      },
    ]);
    expect(check.counts).toEqual({ municipalities: 0, sites: 0, staff: 0 });
  });
});

describe("checkInputs with rosterFile (testrota validate --roster FILE)", () => {
  const staffRows = (path: string) => readFileSync(path, "utf8").trim().split("\n").length - 1;

  it("checks one export named by the pattern and counts its staff", async () => {
    const file = join(fx.dir, "101.csv");
    copyFileSync(roster(101), file);
    const line = appendRows(file, [
      "E101-900001;Hanne Hemmelig;S0101-NH01;day;;",
      "E101-900001;;S0101-NH01;day;;",
    ]);
    const check = await checkInputs(fx.config(), { rosterFile: file });
    expect(check.problems).toEqual([
      {
        file,
        line: line + 1,
        column: "employee_id",
        message: `expected each employee id once per file, found the id of line ${line} again`,
      },
    ]);
    expect(check.counts.staff).toBe(staffRows(file) - 1);
  });

  it("finds the municipality among the digits of another file name", async () => {
    const file = join(fx.dir, "hr-export-147-2020.csv");
    copyFileSync(roster(101), file);
    const check = await checkInputs(fx.config(), { rosterFile: file });
    // 101's rows checked as Frederiksberg's: every site belongs to another municipality.
    expect(check.problems[0]).toMatchObject({ file, line: 2, column: "site_id" });
    expect(check.problems[0]?.message).toContain("expected a site of municipality 147 Frederiksberg");
  });

  it("infers the municipality from the site ids when the name does not tell, with a warning", async () => {
    const file = join(fx.dir, "hjemmeplejen.csv");
    copyFileSync(roster(461), file);
    const check = await checkInputs(fx.config(), { rosterFile: file });
    expect(check.problems).toEqual([]);
    expect(check.warnings).toEqual([`${file}: municipality 461 Odense inferred from its site ids`]);
    expect(check.counts.staff).toBe(staffRows(file));
  });

  it("says it cannot tell the municipality when neither name nor rows do", async () => {
    const file = join(fx.dir, "export.csv");
    writeFileSync(file, "employee_id;site_id;shift\nE1;NOWHERE;day\n");
    const check = await checkInputs(fx.config(), { rosterFile: file });
    expect(check.problems).toEqual([
      {
        file,
        message:
          "cannot tell the municipality, expected a file name by the pattern {code}.csv (e.g. 101.csv) or rows with site ids of the sites file",
      },
    ]);
  });
});

describe("formatInputCheck", () => {
  it("prints warnings, each problem on its line and a verdict counting the problems beyond the cap", () => {
    const lines = formatInputCheck({
      problems: [
        { file: "r/101.csv", line: 3, column: "shift", message: "expected day, evening or night, found …" },
        { file: "r/101.csv", message: "… and 4 more problems in this file" },
        { file: "r/147.csv", message: "no such file: …" },
      ],
      problemCount: 6,
      warnings: ["r/151.csv: not UTF-8, read as Windows-1252 …"],
      counts: { municipalities: 98, sites: 10, staff: 200 },
      run: {
        stops: false,
        isolated: [
          { code: 101, name: "København" },
          { code: 147, name: "Frederiksberg" },
        ],
      },
    });
    expect(lines).toEqual([
      "warning: r/151.csv: not UTF-8, read as Windows-1252 …",
      "r/101.csv:3: shift: expected day, evening or night, found …",
      "r/101.csv: … and 4 more problems in this file",
      "r/147.csv: no such file: …",
      "6 problems in 2 files (read: 98 municipalities, 10 sites, 200 staff)",
      "a run would go on and set aside the roster files of 2 municipalities (101 København, 147 Frederiksberg): each is planned from its last good roster in the state store, or gets no rota when none is stored",
    ]);
  });

  it("says a run would stop when the sites file has a problem", () => {
    const lines = formatInputCheck({
      problems: [
        { file: "sites.csv", line: 4, column: "kind", message: "expected nursing-home or home-care" },
      ],
      problemCount: 1,
      warnings: [],
      counts: { municipalities: 98, sites: 9, staff: 200 },
      run: { stops: true, isolated: [{ code: 101, name: "København" }] },
    });
    expect(lines.at(-1)).toBe(
      "a run would stop (exit 65): the reference, the sites file and the roster folder must be valid, every municipality depends on them",
    );
  });

  it("says ok when there is no problem", () => {
    expect(
      formatInputCheck({
        problems: [],
        problemCount: 0,
        warnings: [],
        counts: { municipalities: 98, sites: 1, staff: 1 },
        run: { stops: false, isolated: [] },
      }),
    ).toEqual(["inputs ok (98 municipalities, 1 sites, 1 staff)"]);
  });
});
