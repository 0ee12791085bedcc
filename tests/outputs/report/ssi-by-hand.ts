import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { REPO } from "../../support/run-fixture.ts";

export type HandStatus = {
  readonly code: number;
  readonly name: string;
  readonly regionCode: number;
  readonly cases: number;
  readonly population: number;
  readonly status: "red" | "green";
};

function readRows(path: string): string[][] {
  const rows: string[][] = parse(readFileSync(path), { delimiter: ";", bom: true, trim: true });
  return rows;
}

/**
 * The raw status of every municipality worked out straight from SSI's files, without the
 * project's source or domain code: cases of the window's days summed from the time series (columns
 * by name or alias, as listed in reference/municipalities.csv), population from test_pos
 * (`Befolkningstal`, Danish thousands dots), red when cases × 100,000 ≥ 20 × population.
 */
export function classifyByHand(ssiDir: string, window: { start: string; end: string }): HandStatus[] {
  const reference = readRows(join(REPO, "reference", "municipalities.csv")).slice(1);
  const [header = [], ...days] = readRows(join(ssiDir, "Municipality_cases_time_series.csv"));
  const testPos = readRows(join(ssiDir, "Municipality_test_pos.csv")).slice(1);
  const population = new Map(
    testPos.map((row) => [Number(row[0]), Number((row[4] ?? "").replaceAll(".", ""))]),
  );
  const inWindow = days.filter((row) => (row[0] ?? "") >= window.start && (row[0] ?? "") <= window.end);
  if (inWindow.length !== 7)
    throw new Error(`window ${window.start}…${window.end} has ${inWindow.length} days`);
  return reference.map(([code = "", name = "", regionCode = "", , , aliases = ""]) => {
    const names = [name, ...aliases.split("|").filter((a) => a !== "")];
    const column = header.findIndex((h) => names.includes(h));
    if (column < 0) throw new Error(`no column for ${name}`);
    const cases = inWindow.reduce((sum, row) => sum + Number(row[column]), 0);
    const people = population.get(Number(code));
    if (people === undefined) throw new Error(`no population for ${code}`);
    return {
      code: Number(code),
      name,
      regionCode: Number(regionCode),
      cases,
      population: people,
      status: cases * 100_000 >= 20 * people ? "red" : "green",
    };
  });
}
