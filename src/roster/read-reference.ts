import { z } from "zod";
import { CHRISTIANSOE_CODE, type Municipality, type Region } from "../domain/reference.ts";
import { describeValue, MAX_ID_LENGTH, MAX_TEXT_LENGTH, quoteValue } from "./field-text.ts";
import { readInputTable, readInputText } from "./input-file.ts";
import { createThrowingSink, type ProblemSink } from "./input-problems.ts";
import { rawRowOf, validateRow, type RowSpec } from "./validate-row.ts";

/** The 98 municipalities and the 5 regions they belong to. */
export type ReferenceTable = {
  /** Sorted by code. */
  readonly municipalities: readonly Municipality[];
  /** Sorted by code (1081–1085). */
  readonly regions: readonly Region[];
};

/** Denmark has had 98 municipalities since the 2007 reform. */
const MUNICIPALITY_COUNT = 98;

/**
 * How strictly the table is checked (config `referenceRules`): `denmark` holds it to the 98
 * municipalities (3-digit codes, Christiansø refused) in the DAGI regions 1081–1085; `any` takes
 * another country's table with the same columns (numeric codes, any number of rows).
 */
export type ReferenceRules = "denmark" | "any";
/** The `|`-separated other spellings of a name may run longer than one name. */
const MAX_ALIASES_LENGTH = 1000;

const COLUMNS = ["code", "name", "region_code", "region_name", "population", "aliases"] as const;
type Column = (typeof COLUMNS)[number];

const danishRowSchema = z.object({
  code: z
    .string()
    .regex(/^[1-9]\d{2}$/, { error: "a 3-digit municipality code without leading zero (e.g. 101)" })
    .transform(Number)
    .refine((code) => code !== CHRISTIANSOE_CODE, {
      error: "one of the 98 municipality codes (Christiansø, 411, is not a municipality)",
    }),
  name: z.string().min(1, { error: "the municipality name" }),
  region_code: z
    .string()
    .regex(/^108[1-5]$/, { error: "a DAGI region code 1081–1085" })
    .transform(Number),
  region_name: z.string().min(1, { error: "the region name" }),
  population: z
    .string()
    .regex(/^\d+$/, { error: "the population as a whole number without separators" })
    .transform(Number)
    .refine((population) => population > 0, { error: "a population above 0" }),
  aliases: z
    .string()
    .transform((text) => (text === "" ? [] : text.split("|").map((alias) => alias.trim())))
    .refine((aliases) => aliases.every((alias) => alias !== ""), {
      error: "`|`-separated names without empty entries",
    }),
});

/** Numeric codes of up to 9 digits, as another country's reference has them (e.g. German AGS). */
const anyCode = z
  .string()
  .regex(/^\d{1,9}$/, { error: "a numeric code of up to 9 digits" })
  .transform(Number)
  .refine((code) => code > 0, { error: "a code above 0" });

const anyRowSchema = danishRowSchema.extend({ code: anyCode, region_code: anyCode });

/** The reference holds no staff data: values may be quoted (at most 40 characters). */
const REFERENCE_ROW: RowSpec<Column> = {
  columns: COLUMNS,
  text: {
    code: { maxLength: MAX_ID_LENGTH, id: true },
    name: { maxLength: MAX_TEXT_LENGTH },
    region_code: { maxLength: MAX_ID_LENGTH, id: true },
    region_name: { maxLength: MAX_TEXT_LENGTH },
    population: { maxLength: MAX_ID_LENGTH, id: true },
    aliases: { maxLength: MAX_ALIASES_LENGTH },
  },
  describe: (_column, value) => (value === "" ? describeValue(value) : quoteValue(value)),
};

/**
 * Checks the rows of the reference table; every problem goes to `sink` with line and column.
 * Returns the valid municipalities and regions, sorted by code.
 */
export function readReferenceRows(
  path: string,
  text: string,
  sink: ProblemSink,
  rules: ReferenceRules = "denmark",
): ReferenceTable {
  const rowSchema = rules === "denmark" ? danishRowSchema : anyRowSchema;
  const table = readInputTable(path, text, { required: COLUMNS }, sink);
  if (table === undefined) return { municipalities: [], regions: [] };
  const municipalities: Municipality[] = [];
  const regions = new Map<number, Region>();
  const lineByCode = new Map<number, number>();
  const codeByName = new Map<string, number>();
  for (const line of table.rows) {
    const report = (column: Column, message: string) =>
      sink.report({ file: path, line: line.line, column, message });
    const row = validateRow(path, line, rawRowOf(REFERENCE_ROW, table, line), REFERENCE_ROW, rowSchema, sink);
    if (row === undefined) continue;
    const earlier = lineByCode.get(row.code);
    if (earlier !== undefined) {
      report("code", `expected each code once, found ${row.code} again (first on line ${earlier})`);
      continue;
    }
    lineByCode.set(row.code, line.line);
    const taken = [row.name, ...row.aliases].find((name) => {
      const other = codeByName.get(name.toLowerCase());
      return other !== undefined && other !== row.code;
    });
    if (taken !== undefined) {
      const other = codeByName.get(taken.toLowerCase());
      report(
        taken === row.name ? "name" : "aliases",
        `expected unique names, found ${quoteValue(taken)} already used by ${other}`,
      );
      continue;
    }
    for (const name of [row.name, ...row.aliases]) codeByName.set(name.toLowerCase(), row.code);
    const region = regions.get(row.region_code);
    if (region !== undefined && region.name !== row.region_name) {
      report(
        "region_name",
        `expected ${quoteValue(region.name)} for region ${row.region_code} as on earlier rows, found ${quoteValue(row.region_name)}`,
      );
      continue;
    }
    regions.set(row.region_code, { code: row.region_code, name: row.region_name });
    municipalities.push({
      code: row.code,
      name: row.name,
      regionCode: row.region_code,
      population: row.population,
      aliases: row.aliases,
    });
  }
  if (rules === "denmark" && table.rows.length !== MUNICIPALITY_COUNT) {
    sink.report({
      file: path,
      message: `expected exactly ${MUNICIPALITY_COUNT} municipalities, found ${table.rows.length} rows`,
    });
  }
  return {
    municipalities: municipalities.sort((a, b) => a.code - b.code),
    regions: [...regions.values()].sort((a, b) => a.code - b.code),
  };
}

/**
 * Reads the reference table (`reference/municipalities.csv`): exactly the 98
 * municipalities with code, name, DAGI region, population and the other spellings SSI uses.
 * Problems go to `sink`; with the default sink the first one throws an `InputError` naming the
 * file, the line, the column and what was expected.
 */
export async function readReferenceTable(
  path: string,
  sink: ProblemSink = createThrowingSink(),
  rules: ReferenceRules = "denmark",
): Promise<ReferenceTable> {
  const input = await readInputText(path, "reference table", sink);
  if (input === undefined) return { municipalities: [], regions: [] };
  return readReferenceRows(path, input.text, sink, rules);
}

/** Reads the reference table and returns the 98 municipalities, sorted by code. */
export async function readReference(
  path: string,
  sink?: ProblemSink,
  rules: ReferenceRules = "denmark",
): Promise<Municipality[]> {
  const table = await readReferenceTable(path, sink, rules);
  return [...table.municipalities];
}
