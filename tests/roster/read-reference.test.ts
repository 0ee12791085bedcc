/*
 * The bundled reference table against its sources (Statistics Denmark's hierarchy and SSI's
 * test_pos population), read independently here from the copies in the repository, plus bad-row errors.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import { readReference, readReferenceTable } from "../../src/roster/read-reference.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const DST_FILE = join(ROOT, "reference", "sources", "DST_geografisk_hieraki.csv");
const SSI_DIR = join(ROOT, "config", "demo", "ssi");
const REFERENCE = join(ROOT, "reference", "municipalities.csv");

function rows(path: string): string[][] {
  return readFileSync(path, "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .slice(1)
    .map((line) => line.split(";").map((field) => field.trim()));
}

/** DST: municipality code → DAGI code of the NIVEAU-1 region row above it. */
function dstMunicipalities(): Map<number, { name: string; regionCode: number; regionName: string }> {
  const result = new Map<number, { name: string; regionCode: number; regionName: string }>();
  let region = { code: 0, name: "" };
  for (const [, kode, niveau, titel] of rows(DST_FILE)) {
    if (niveau === "1") region = { code: 1000 + Number(kode), name: titel ?? "" };
    if (niveau === "3")
      result.set(Number(kode), { name: titel ?? "", regionCode: region.code, regionName: region.name });
  }
  return result;
}

/** SSI test_pos of 2020-09-30: code → Befolkningstal. */
function testPosPopulation(): Map<number, number> {
  return new Map(
    rows(join(SSI_DIR, "2020-09-30", "Municipality_test_pos.csv")).map(([code, , , , population]) => [
      Number(code),
      Number((population ?? "").replaceAll(".", "")),
    ]),
  );
}

describe("reference/municipalities.csv", () => {
  it("holds exactly DST's municipalities without Christiansø, with DST's names and regions", async () => {
    const dst = dstMunicipalities();
    expect(dst.has(411)).toBe(true);
    const municipalities = await readReference(REFERENCE);
    const expectedCodes = [...dst.keys()].filter((code) => code !== 411).sort((a, b) => a - b);
    expect(expectedCodes).toHaveLength(98);
    expect(municipalities.map((m) => m.code)).toEqual(expectedCodes);
    for (const m of municipalities) {
      expect(m.name, `name of ${m.code}`).toBe(dst.get(m.code)?.name);
      expect(m.regionCode, `region of ${m.code}`).toBe(dst.get(m.code)?.regionCode);
    }
  });

  it("has the five regions named as DST names them", async () => {
    const dst = dstMunicipalities();
    const expected = new Map([...dst.values()].map((m) => [m.regionCode, m.regionName]));
    const { regions } = await readReferenceTable(REFERENCE);
    expect(regions.map((r) => [r.code, r.name])).toEqual([...expected].sort(([a], [b]) => a - b));
    expect(regions.map((r) => r.code)).toEqual([1081, 1082, 1083, 1084, 1085]);
  });

  it("has SSI's Befolkningstal as population, totalling test_pos without Christiansø", async () => {
    const population = testPosPopulation();
    const municipalities = await readReference(REFERENCE);
    for (const m of municipalities)
      expect(m.population, `population of ${m.code}`).toBe(population.get(m.code));
    const total = [...population].reduce((sum, [code, value]) => (code === 411 ? sum : sum + value), 0);
    expect(municipalities.reduce((sum, m) => sum + m.population, 0)).toBe(total);
  });

  it("maps every column name of every SSI time series to a municipality by name or alias", async () => {
    const municipalities = await readReference(REFERENCE);
    const names = new Map(
      municipalities.flatMap((m) => [m.name, ...m.aliases].map((n) => [n, m.code] as const)),
    );
    expect(names.get("Copenhagen")).toBe(101);
    for (const date of ["2020-09-09", "2020-09-23", "2020-09-30"]) {
      const header = readFileSync(join(SSI_DIR, date, "Municipality_cases_time_series.csv"), "utf8")
        .replace(/^\uFEFF/, "")
        .split("\n")[0]
        ?.split(";")
        .map((name) => name.trim())
        .slice(1);
      for (const name of header ?? []) expect(names.has(name), `${date}: ${name}`).toBe(true);
    }
  });
});

describe("readReference on bad files", () => {
  let dir: string;
  let original: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "testrota-reference-"));
    original = await readFile(REFERENCE, "utf8");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const lines = (text: string) => text.split("\n");
  const editLine = (line: number, edit: (text: string) => string) => (text: string) =>
    lines(text)
      .map((content, i) => (i === line - 1 ? edit(content) : content))
      .join("\n");

  const cases: { name: string; edit: (text: string) => string; line: number | null; says: string }[] = [
    {
      name: "a non-numeric population",
      edit: editLine(3, (l) => l.replace(";104305;", ";104.305x;")),
      line: 3,
      says: "population",
    },
    {
      name: "a zero population",
      edit: editLine(4, (l) => l.replace(/;\d+;$/, ";0;")),
      line: 4,
      says: "above 0",
    },
    {
      name: "a region outside 1081–1085",
      edit: editLine(5, (l) => l.replace(";1084;", ";1086;")),
      line: 5,
      says: "region",
    },
    { name: "a missing field", edit: editLine(6, (l) => l.replace(/;[^;]*$/, "")), line: 6, says: "fields" },
    { name: "Christiansø", edit: editLine(7, (l) => l.replace(/^\d+;/, "411;")), line: 7, says: "411" },
    {
      name: "a repeated code",
      edit: editLine(8, (l) => l.replace(/^\d+;/, "101;")),
      line: 8,
      says: "first on line 2",
    },
    {
      name: "an empty name",
      edit: editLine(9, (l) => l.replace(/^(\d+);[^;]+;/, "$1;;")),
      line: 9,
      says: "name",
    },
    {
      name: "an alias used by another municipality",
      edit: editLine(10, (l) => l.replace(/;$/, ";Copenhagen")),
      line: 10,
      says: "Copenhagen",
    },
    {
      name: "a region named two ways",
      edit: editLine(11, (l) => l.replace("Region Hovedstaden", "Hovedstaden")),
      line: 11,
      says: "Region Hovedstaden",
    },
    {
      name: "a missing column",
      edit: (t) => t.replace("population", "inhabitants"),
      line: 1,
      says: "population",
    },
    {
      name: "a missing row",
      edit: (t) =>
        lines(t)
          .filter((_, i) => i !== 20)
          .join("\n"),
      line: null,
      says: "expected exactly 98",
    },
    { name: "an empty file", edit: () => "", line: null, says: "empty file" },
  ];

  it.each(cases)("$name → InputError with the file and line", async ({ edit, line, says }) => {
    const edited = edit(original);
    expect(edited).not.toBe(original);
    const file = join(dir, "municipalities.csv");
    await writeFile(file, edited);
    let error: unknown;
    try {
      await readReference(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toContain(line === null ? `${file}:` : `${file}: line ${line}:`);
    expect(message).toContain(says);
    expect(message).toContain("expected");
  });

  it("reads a file with a BOM and CRLF line ends, aliases split on `|`", async () => {
    const file = join(dir, "bom.csv");
    const withAliases = original.replace(/^(147;Frederiksberg;[^\n]*;)$/m, "$1Frederiksberg Kommune|Fr.berg");
    await writeFile(file, `\uFEFF${withAliases.replaceAll("\n", "\r\n")}`);
    const municipalities = await readReference(file);
    expect(municipalities.find((m) => m.code === 147)?.aliases).toEqual(["Frederiksberg Kommune", "Fr.berg"]);
    expect(municipalities.find((m) => m.code === 151)?.aliases).toEqual([]);
    expect(municipalities.find((m) => m.code === 101)?.aliases).toContain("Copenhagen");
  });
});
