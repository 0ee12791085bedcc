import { CHRISTIANSOE_CODE } from "../domain/reference.ts";
import { InputError } from "../errors.ts";
import { quoteValue } from "./describe.ts";
import type { SourceLimits } from "./limits.ts";
import { describeCount, formatDanish, parseDanishCount, readSsiTable } from "./ssi-text.ts";

/** The columns read from `Municipality_test_pos.csv` (others, like Antal_testede, are ignored). */
export const TEST_POS_COLUMNS = {
  code: "Kommune_(id)",
  name: "Kommune_(navn)",
  confirmed: "Antal_bekræftede_COVID-19",
  population: "Befolkningstal",
} as const;

/**
 * No Danish municipality comes near 10 million inhabitants (København: about 650,000; the whole
 * country: 5.9 million); a larger figure is a broken file, and it would let any daily count pass.
 */
export const MAX_POPULATION = 10_000_000;

export type TestPosRow = {
  readonly line: number;
  readonly name: string;
  /** Cumulative confirmed cases up to the file's day. */
  readonly confirmed: number;
  readonly population: number;
};

/**
 * Reads `Municipality_test_pos.csv`: SSI's name, cumulative confirmed cases and population per
 * municipality code, one row each; Christiansø (411, administered by the state) is skipped.
 */
export function readTestPos(
  bytes: Uint8Array,
  file: string,
  referenceCodes: ReadonlySet<number>,
  limits: SourceLimits,
): Map<number, TestPosRow> {
  const names = Object.values(TEST_POS_COLUMNS);
  const table = readSsiTable(
    bytes,
    file,
    { required: names.map((name) => name.toLowerCase()) },
    names.join(";"),
    limits,
  );
  const column = (name: string): number => table.columns.get(name.toLowerCase()) ?? 0;
  const at = {
    code: column(TEST_POS_COLUMNS.code),
    name: column(TEST_POS_COLUMNS.name),
    confirmed: column(TEST_POS_COLUMNS.confirmed),
    population: column(TEST_POS_COLUMNS.population),
  };
  const result = new Map<number, TestPosRow>();
  for (const { line, fields } of table.rows) {
    const location = { file, line };
    const codeText = fields[at.code] ?? "";
    if (!/^\d{1,4}$/.test(codeText)) {
      throw new InputError(
        location,
        `${TEST_POS_COLUMNS.code} ${quoteValue(codeText)} — expected a municipality code`,
      );
    }
    const code = Number(codeText);
    if (code === CHRISTIANSOE_CODE) continue;
    if (!referenceCodes.has(code)) {
      throw new InputError(
        location,
        `unknown municipality code ${code} — expected one of the ${referenceCodes.size} reference codes`,
      );
    }
    const earlier = result.get(code);
    if (earlier !== undefined) {
      throw new InputError(
        location,
        `municipality ${code} repeats line ${earlier.line} — expected one row per code`,
      );
    }
    const name = fields[at.name] ?? "";
    if (name === "") {
      throw new InputError(location, `empty ${TEST_POS_COLUMNS.name} — expected the municipality name`);
    }
    const confirmedText = fields[at.confirmed] ?? "";
    const confirmed = parseDanishCount(confirmedText);
    if (confirmed === undefined || !Number.isSafeInteger(confirmed)) {
      throw new InputError(
        location,
        `${TEST_POS_COLUMNS.confirmed} ${describeCount(confirmedText)} — expected a whole number ≥ 0 (\`.\` thousands separator)`,
      );
    }
    const populationText = fields[at.population] ?? "";
    const population = parseDanishCount(populationText);
    if (population === undefined || population <= 0 || population > MAX_POPULATION) {
      throw new InputError(
        location,
        `${TEST_POS_COLUMNS.population} ${quoteValue(populationText)} — expected a population above 0 and at most ${formatDanish(MAX_POPULATION)} (\`.\` thousands separator)`,
      );
    }
    result.set(code, { line, name, confirmed, population });
  }
  return result;
}
