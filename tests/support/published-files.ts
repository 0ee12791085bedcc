import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_SSI } from "./run-fixture.ts";

/**
 * A published CSV, header row first, split by the contract's own rules (UTF-8 with BOM, `;`,
 * CRLF). Throws when the BOM is missing: Danish Excel needs it. The files hold no quoted fields
 * in these tests, so a plain split is an independent reading of what was written.
 */
export function readPublishedCsv(path: string): string[][] {
  const text = readFileSync(path, "utf8");
  if (!text.startsWith("\uFEFF")) throw new Error(`${path}: expected a UTF-8 BOM`);
  return text
    .slice(1)
    .split("\r\n")
    .filter((line) => line !== "")
    .map((line) => line.split(";"));
}

/**
 * Cases in a window and population per municipality code, recomputed by hand from SSI's raw
 * files of `date` (not through the product's parser): strip BOM and spaces, map names to codes
 * through test_pos (plus `Copenhagen` = 101), drop Christiansø, sum the rows dated in the window.
 */
export function handCounts(
  date: string,
  start: string,
  end: string,
): Map<number, { cases: number; population: number }> {
  const dir = join(DEMO_SSI, date);
  const strip = (s: string) => s.replace(/^\uFEFF/, "").trim();
  const codeByName = new Map<string, number>([["Copenhagen", 101]]);
  const population = new Map<number, number>();
  for (const line of readFileSync(join(dir, "Municipality_test_pos.csv"), "utf8").split(/\r?\n/).slice(1)) {
    const cells = line.split(";").map(strip);
    if (cells.length < 5 || cells[0] === "411") continue;
    codeByName.set(cells[1] ?? "", Number(cells[0]));
    population.set(Number(cells[0]), Number((cells[4] ?? "").replace(/\./g, "")));
  }
  const [header = "", ...rows] = readFileSync(join(dir, "Municipality_cases_time_series.csv"), "utf8").split(
    /\r?\n/,
  );
  const names = header.split(";").map(strip);
  const cases = new Map<number, number>();
  for (const row of rows) {
    const cells = row.split(";").map(strip);
    const day = cells[0] ?? "";
    if (day < start || day > end) continue;
    names.forEach((name, i) => {
      const code = codeByName.get(name);
      if (i > 0 && code !== undefined) cases.set(code, (cases.get(code) ?? 0) + Number(cells[i]));
    });
  }
  return new Map(
    [...population].map(([code, pop]) => [code, { cases: cases.get(code) ?? 0, population: pop }]),
  );
}
