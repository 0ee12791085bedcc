/**
 * Rebuilds `reference/municipalities.csv`, the 98 municipalities the product reads at run time,
 * from the archived public sources copied into the repository (see reference/README.md):
 *
 *   node scripts/with-node24.mjs node scripts/build-reference.ts [hierarchy-csv] [ssi-dir] [output-file]
 *
 * - codes, names and regions: Danmarks Statistik's geographic hierarchy (NIVEAU 1 = region with
 *   short code 81–85, DAGI code 1081–1085; NIVEAU 3 = municipality, under the region row above it);
 * - population: column `Befolkningstal` of SSI's `Municipality_test_pos.csv` (2020-09-30);
 * - aliases: the other spellings SSI files use for a municipality. Every time-series column of
 *   every archived SSI date must resolve to a code through a name or an alias, or the build fails.
 *
 * Christiansø (411) is administered by the state, not a municipality: it is left out.
 */
import { readdir, readFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

const CHRISTIANSOE_CODE = 411;
const POPULATION_DATE = "2020-09-30";

/**
 * Spellings SSI used besides Statistics Denmark's names: `Copenhagen` in every
 * `Municipality_cases_time_series.csv`; the others are listed in reference/README.md as names
 * that differ between SSI files, kept so that such files still join on the code.
 */
const KNOWN_ALIASES: ReadonlyMap<number, readonly string[]> = new Map([
  [101, ["Copenhagen"]],
  [480, ["Nordfyn"]],
  [751, ["Århus"]],
  [820, ["Vesthimmerland"]],
]);

type Row = {
  code: number;
  name: string;
  regionCode: number;
  regionName: string;
  population: number;
  aliases: string[];
};

function readTable(text: string): string[][] {
  return parse(text, { bom: true, delimiter: ";", trim: true, skip_empty_lines: true });
}

function fail(problem: string): never {
  throw new Error(`build-reference: ${problem}`);
}

/** Municipalities (NIVEAU 3) with the region of the NIVEAU-1 row above them. */
function readHierarchy(text: string): Omit<Row, "population" | "aliases">[] {
  const [header, ...rows] = readTable(text);
  const position = (name: string): number => {
    const index = header?.indexOf(name) ?? -1;
    if (index < 0) fail(`DST hierarchy has no column ${name}`);
    return index;
  };
  const [kode, niveau, titel, regionColumn] = ["KODE", "NIVEAU", "TITEL", "Region"].map(position) as [
    number,
    number,
    number,
    number,
  ];
  const result: Omit<Row, "population" | "aliases">[] = [];
  let region: { code: number; name: string; shortName: string } | undefined;
  for (const row of rows) {
    const code = Number(row[kode]);
    const level = row[niveau];
    const title = row[titel] ?? "";
    if (level === "1") {
      if (code < 81 || code > 85) fail(`unexpected region code ${code}`);
      region = { code: 1000 + code, name: title, shortName: row[regionColumn] ?? "" };
    } else if (level === "3" && code !== CHRISTIANSOE_CODE) {
      if (region === undefined) fail(`municipality ${code} before any region`);
      if (row[regionColumn] !== region.shortName) {
        fail(`municipality ${code}: Region column ${row[regionColumn]} differs from ${region.shortName}`);
      }
      result.push({ code, name: title, regionCode: region.code, regionName: region.name });
    }
  }
  return result;
}

/** Population and SSI's name per code from a `Municipality_test_pos.csv`. */
function readTestPos(text: string): Map<number, { name: string; population: number }> {
  const [header, ...rows] = readTable(text);
  const id = header?.indexOf("Kommune_(id)") ?? -1;
  const name = header?.indexOf("Kommune_(navn)") ?? -1;
  const population = header?.indexOf("Befolkningstal") ?? -1;
  if (id < 0 || name < 0 || population < 0)
    fail("test_pos lacks Kommune_(id), Kommune_(navn) or Befolkningstal");
  return new Map(
    rows.map((row) => [
      Number(row[id]),
      { name: row[name] ?? "", population: Number((row[population] ?? "").replaceAll(".", "")) },
    ]),
  );
}

/** Builds the reference rows and checks them against every archived SSI date. */
async function buildRows(hierarchyFile: string, ssiDir: string): Promise<Row[]> {
  const municipalities = readHierarchy(await readFile(hierarchyFile, "utf8"));
  // Only the dated 2020 folders: the later-format pair (`late/`) uses another header.
  const dates = (await readdir(ssiDir)).filter((entry) => /^\d{4}-\d{2}-\d{2}$/.test(entry)).sort();
  const population = readTestPos(
    await readFile(join(ssiDir, POPULATION_DATE, "Municipality_test_pos.csv"), "utf8"),
  );

  const aliases = new Map<number, Set<string>>(
    municipalities.map((m) => [m.code, new Set(KNOWN_ALIASES.get(m.code) ?? [])]),
  );
  const seriesColumns = new Set<string>();
  for (const date of dates) {
    const testPos = readTestPos(await readFile(join(ssiDir, date, "Municipality_test_pos.csv"), "utf8"));
    for (const m of municipalities) {
      const ssiName = testPos.get(m.code)?.name;
      if (ssiName === undefined) fail(`${date} test_pos has no row for ${m.code}`);
      if (ssiName !== m.name) aliases.get(m.code)?.add(ssiName);
    }
    const series = readTable(
      await readFile(join(ssiDir, date, "Municipality_cases_time_series.csv"), "utf8"),
    );
    for (const column of series[0]?.slice(1) ?? []) seriesColumns.add(column);
  }

  const rows = municipalities.map((m): Row => {
    const figures = population.get(m.code);
    if (figures === undefined || !(figures.population > 0)) fail(`no population for ${m.code} ${m.name}`);
    return { ...m, population: figures.population, aliases: [...(aliases.get(m.code) ?? [])].sort() };
  });
  const known = new Set(rows.flatMap((r) => [r.name, ...r.aliases]));
  const unresolved = [...seriesColumns].filter((column) => !known.has(column));
  if (unresolved.length > 0) fail(`time-series columns without a code: ${unresolved.join(", ")}`);
  if (rows.length !== 98 || new Set(rows.map((r) => r.code)).size !== 98) {
    fail(`expected 98 distinct municipalities, got ${rows.length}`);
  }
  return rows.sort((a, b) => a.code - b.code);
}

/** Writes the reference CSV (UTF-8, `;`-separated) and returns the number of rows. */
async function buildReference(hierarchyFile: string, ssiDir: string, output: string): Promise<number> {
  const rows = await buildRows(hierarchyFile, ssiDir);
  const csv = stringify(
    rows.map((r) => [r.code, r.name, r.regionCode, r.regionName, r.population, r.aliases.join("|")]),
    {
      delimiter: ";",
      header: true,
      columns: ["code", "name", "region_code", "region_name", "population", "aliases"],
    },
  );
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, csv, "utf8");
  return rows.length;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const hierarchyFile = resolve(
  process.argv[2] ?? join(root, "reference", "sources", "DST_geografisk_hieraki.csv"),
);
const ssiDir = resolve(process.argv[3] ?? join(root, "config", "demo", "ssi"));
const output = resolve(process.argv[4] ?? join(root, "reference", "municipalities.csv"));
const count = await buildReference(hierarchyFile, ssiDir, output);
console.log(`wrote ${count} municipalities to ${output}`);
