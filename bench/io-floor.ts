/**
 * The I/O floor of a run (a child process of the benchmark): parse the same sites file and roster
 * exports with csv-parse, and write as many rota rows per municipality as the run published with
 * csv-stringify, in the rota's columns. No validation, no planning, no documents: the least any
 * run that reads these files and writes these rows must do.
 *
 * usage: node bench/io-floor.ts <sites.csv> <roster dir> <out dir> <rows per municipality JSON>
 */
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { makeRotaRows, PARSE_OPTIONS, stringifyRotaRows } from "./floor-rows.ts";

const [sitesPath, rosterDir, outDir, countsPath] = process.argv.slice(2);
if (sitesPath === undefined || rosterDir === undefined || outDir === undefined || countsPath === undefined) {
  throw new Error("usage: io-floor.ts <sites.csv> <roster dir> <out dir> <rows per municipality JSON>");
}
const counts = JSON.parse(await readFile(countsPath, "utf8")) as Record<string, number>;
const sites: string[][] = parse(await readFile(sitesPath), PARSE_OPTIONS);
const siteNames = new Map(sites.map((row) => [row[0] ?? "", row[3] ?? ""]));
let rows = 0;
for (const file of (await readdir(rosterDir)).sort()) {
  const code = file.replace(/\.csv$/, "");
  const records: string[][] = parse(await readFile(join(rosterDir, file)), PARSE_OPTIONS);
  const count = counts[code] ?? 0;
  const folder = join(outDir, "municipalities", code);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "rota.csv"), stringifyRotaRows(makeRotaRows(records, count, siteNames)));
  rows += count;
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
