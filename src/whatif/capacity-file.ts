import { readFile } from "node:fs/promises";
import { InputError } from "../errors.ts";
import { readCsvTable } from "../lib/csv-table.ts";

const COLUMNS = { required: ["region_code", "capacity_per_day"] } as const;

/** A what-if capacity larger than any roster: beyond it the number is surely a typo. */
const MAX_CAPACITY = 10_000_000;

/**
 * Reads a what-if capacity file: `;`-separated with the header `region_code;capacity_per_day`
 * and one row per configured region (a whole number of tests per test day, 0 allowed). Every
 * configured region must be listed once, and no other: a region left out would silently keep
 * another capacity. Problems are `InputError`s naming the file and line.
 */
export async function readCapacityFile(
  path: string,
  regionCodes: readonly number[],
): Promise<Map<number, number>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError({ file: path }, "cannot read the capacity file, expected a readable CSV file", {
      cause: error,
    });
  }
  const table = readCsvTable(bytes, COLUMNS, (problem) => {
    throw new InputError({ file: path, line: problem.line }, problem.message);
  });
  if (table === undefined)
    throw new InputError({ file: path }, "no table, expected region_code;capacity_per_day");
  const known = new Set(regionCodes);
  const capacity = new Map<number, number>();
  for (const row of table.rows) {
    const cell = (name: string) => (row.fields[table.columns.get(name) ?? -1] ?? "").trim();
    const code = Number(cell("region_code"));
    const value = cell("capacity_per_day");
    const at = { file: path, line: row.line };
    if (!/^\d+$/.test(cell("region_code")) || !known.has(code)) {
      throw new InputError(
        at,
        `region_code: expected one of the configured regions ${regionCodes.join(", ")}`,
      );
    }
    if (capacity.has(code)) throw new InputError(at, `region_code: ${code} again, expected each region once`);
    if (!/^\d+$/.test(value) || Number(value) > MAX_CAPACITY) {
      throw new InputError(
        at,
        `capacity_per_day: expected a whole number of tests per test day from 0 to ${MAX_CAPACITY}`,
      );
    }
    capacity.set(code, Number(value));
  }
  const missing = regionCodes.filter((code) => !capacity.has(code));
  if (missing.length > 0) {
    throw new InputError(
      { file: path },
      `no row for region ${missing.join(", ")}, expected every configured region`,
    );
  }
  return capacity;
}
