import { readFile } from "node:fs/promises";
import { CsvError, parse } from "csv-parse/sync";
import { z } from "zod";
import { CHRISTIANSOE_CODE, type Municipality, type Region } from "../domain/reference.ts";
import { InputError } from "../errors.ts";

/** The 98 municipalities and the 5 regions they belong to. */
export type ReferenceTable = {
  /** Sorted by code. */
  readonly municipalities: readonly Municipality[];
  /** Sorted by code (1081–1085). */
  readonly regions: readonly Region[];
};

/** Denmark has had 98 municipalities since the 2007 reform. */
const MUNICIPALITY_COUNT = 98;

const COLUMNS = ["code", "name", "region_code", "region_name", "population", "aliases"] as const;
type Column = (typeof COLUMNS)[number];

const rowSchema = z.object({
  code: z
    .string()
    .regex(/^[1-9]\d{2}$/, { error: "expected a 3-digit municipality code without leading zero (e.g. 101)" })
    .transform(Number)
    .refine((code) => code !== CHRISTIANSOE_CODE, {
      error: "Christiansø (411) is not a municipality, expected one of the 98 municipality codes",
    }),
  name: z.string().min(1, { error: "expected the municipality name" }),
  region_code: z
    .string()
    .regex(/^108[1-5]$/, { error: "expected a DAGI region code 1081–1085" })
    .transform(Number),
  region_name: z.string().min(1, { error: "expected the region name" }),
  population: z
    .string()
    .regex(/^\d+$/, { error: "expected the population as a whole number without separators" })
    .transform(Number)
    .refine((population) => population > 0, { error: "expected a population above 0" }),
  aliases: z
    .string()
    .transform((text) => (text === "" ? [] : text.split("|").map((alias) => alias.trim())))
    .refine((aliases) => aliases.every((alias) => alias !== ""), {
      error: "expected `|`-separated names without empty entries",
    }),
});

type ParsedRecord = { record: Record<Column, string>; info: { lines: number } };

function parseRecords(file: string, content: Buffer): ParsedRecord[] {
  try {
    return parse(content, {
      bom: true,
      delimiter: ";",
      trim: true,
      skip_empty_lines: true,
      info: true,
      columns: (header: string[]) => {
        const missing = COLUMNS.filter((column) => !header.includes(column));
        if (missing.length > 0) {
          throw new InputError(
            { file, line: 1 },
            `header lacks ${missing.join(", ")}, expected the columns ${COLUMNS.join(";")}`,
          );
        }
        return header;
      },
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof CsvError) {
      const line = typeof error["lines"] === "number" ? error["lines"] : undefined;
      throw new InputError(
        { file, line },
        `malformed row (${error.code}), expected ${COLUMNS.length} ;-separated fields: ${COLUMNS.join(";")}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Reads the reference table (`reference/municipalities.csv`): exactly the 98
 * municipalities with code, name, DAGI region, population and the other spellings SSI uses.
 * Every bad row is an `InputError` naming the file, the line and what was expected.
 */
export async function readReferenceTable(path: string): Promise<ReferenceTable> {
  const records = parseRecords(path, await readFile(path));
  if (records.length === 0) {
    throw new InputError({ file: path }, `no rows, expected ${MUNICIPALITY_COUNT} municipalities`);
  }
  const municipalities: Municipality[] = [];
  const regions = new Map<number, Region>();
  const lineByCode = new Map<number, number>();
  const codeByName = new Map<string, number>();
  for (const { record, info } of records) {
    const location = { file: path, line: info.lines };
    const parsed = rowSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const column = String(issue?.path[0] ?? "row");
      throw new InputError(
        location,
        `${column} ${JSON.stringify(record[column as Column] ?? "")}: ${issue?.message}`,
      );
    }
    const row = parsed.data;
    const earlier = lineByCode.get(row.code);
    if (earlier !== undefined) {
      throw new InputError(location, `code ${row.code} repeats line ${earlier}, expected each code once`);
    }
    lineByCode.set(row.code, info.lines);
    for (const name of [row.name, ...row.aliases]) {
      const key = name.toLowerCase();
      const other = codeByName.get(key);
      if (other !== undefined && other !== row.code) {
        throw new InputError(
          location,
          `name ${JSON.stringify(name)} is already used by ${other}, expected unique names`,
        );
      }
      codeByName.set(key, row.code);
    }
    const region = regions.get(row.region_code);
    if (region !== undefined && region.name !== row.region_name) {
      throw new InputError(
        location,
        `region ${row.region_code} named ${JSON.stringify(row.region_name)}, expected ${JSON.stringify(region.name)} as on earlier rows`,
      );
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
  if (municipalities.length !== MUNICIPALITY_COUNT) {
    throw new InputError(
      { file: path },
      `${municipalities.length} municipalities, expected exactly ${MUNICIPALITY_COUNT}`,
    );
  }
  return {
    municipalities: municipalities.sort((a, b) => a.code - b.code),
    regions: [...regions.values()].sort((a, b) => a.code - b.code),
  };
}

/** Reads the reference table and returns the 98 municipalities, sorted by code. */
export async function readReference(path: string): Promise<Municipality[]> {
  const table = await readReferenceTable(path);
  return [...table.municipalities];
}
