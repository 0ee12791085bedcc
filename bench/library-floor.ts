/**
 * The library floor of a run (a child process of the benchmark): the I/O floor (io-floor.ts) plus
 * the rest of the per-row work the run's core hands to the libraries it must use, done the
 * cheapest way each library offers, on one thread:
 * - csv-parse of the sites file and the roster exports;
 * - csv-stringify of the rota rows and of the look-ahead's rows (as many per municipality as the
 *   run published);
 * - one exceljs workbook per municipality with the rota rows, through exceljs's streaming writer
 *   (no styles, no shared strings): a cover sheet listing the sites and one sheet per site with
 *   its rows, as the run's `rota.xlsx` has.
 * No validation, no planning, no store, no publish. Its CPU time divided by the cores is the least
 * wall time any core built on these libraries can take on this machine.
 *
 * usage: node bench/library-floor.ts <sites.csv> <roster dir> <out dir> <rows JSON>
 * where rows JSON is `{ "rota": {code: n}, "lookahead": {code: n} }`.
 */
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { makeRotaRows, PARSE_OPTIONS, stringifyRotaRows } from "./floor-rows.ts";

const [sitesPath, rosterDir, outDir, countsPath] = process.argv.slice(2);
if (sitesPath === undefined || rosterDir === undefined || outDir === undefined || countsPath === undefined) {
  throw new Error("usage: library-floor.ts <sites.csv> <roster dir> <out dir> <rows JSON>");
}
const counts = JSON.parse(await readFile(countsPath, "utf8")) as {
  rota: Record<string, number>;
  lookahead: Record<string, number>;
};
const sites: string[][] = parse(await readFile(sitesPath), PARSE_OPTIONS);
const siteNames = new Map(sites.map((row) => [row[0] ?? "", row[3] ?? ""]));

async function writeWorkbook(path: string, rows: readonly string[][]): Promise<void> {
  const bySite = Map.groupBy(rows, (row) => row[2] ?? "");
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useStyles: false,
    useSharedStrings: false,
  });
  const cover = workbook.addWorksheet("Cover");
  cover.addRow(["site_id", "site_name", "tests"]).commit();
  for (const [site, list] of bySite) cover.addRow([site, siteNames.get(site) ?? "", list.length]).commit();
  cover.commit();
  let sheet = 0;
  for (const [site, list] of bySite) {
    const worksheet = workbook.addWorksheet(`${++sheet} ${site}`.slice(0, 31));
    worksheet
      .addRow(["employee_id", "name", "date", "weekday", "shift", "reason", "outcome", "sample_id"])
      .commit();
    for (const row of list)
      worksheet.addRow([row[0], row[1], row[4], row[5], row[6], row[7], "", ""]).commit();
    worksheet.commit();
  }
  await workbook.commit();
}

let rows = 0;
for (const file of (await readdir(rosterDir)).sort()) {
  const code = file.replace(/\.csv$/, "");
  const records: string[][] = parse(await readFile(join(rosterDir, file)), PARSE_OPTIONS);
  const rota = makeRotaRows(records, counts.rota[code] ?? 0, siteNames);
  const lookahead = makeRotaRows(records, counts.lookahead[code] ?? 0, siteNames);
  const folder = join(outDir, "municipalities", code);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "rota.csv"), stringifyRotaRows(rota));
  await writeFile(join(folder, "lookahead.csv"), stringifyRotaRows(lookahead));
  await writeWorkbook(join(folder, "rota.xlsx"), rota);
  rows += rota.length + lookahead.length;
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
