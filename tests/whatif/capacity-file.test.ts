import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import { readCapacityFile } from "../../src/whatif/capacity-file.ts";

const REGIONS = [1081, 1082, 1083, 1084, 1085];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "testrota-capacity-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const file = join(dir, "capacity.csv");
  writeFileSync(file, text);
  return file;
}

describe("readCapacityFile", () => {
  it("reads one whole capacity per configured region (BOM, CRLF, any row order, 0 allowed)", async () => {
    const file = write(
      "\uFEFFregion_code;capacity_per_day\r\n1085;2000\r\n1084;5000\r\n1083;0\r\n1082;3500\r\n1081;1500\r\n",
    );
    expect(await readCapacityFile(file, REGIONS)).toEqual(
      new Map([
        [1085, 2000],
        [1084, 5000],
        [1083, 0],
        [1082, 3500],
        [1081, 1500],
      ]),
    );
  });

  const cases = [
    {
      name: "a region left out",
      text: "region_code;capacity_per_day\n1081;1\n1082;1\n1083;1\n1084;1\n",
      message: "capacity.csv: no row for region 1085, expected every configured region",
    },
    {
      name: "a region twice",
      text: "region_code;capacity_per_day\n1081;1\n1081;2\n1082;1\n1083;1\n1084;1\n1085;1\n",
      message: "capacity.csv: line 3: region_code: 1081 again, expected each region once",
    },
    {
      name: "a region not configured",
      text: "region_code;capacity_per_day\n1086;1\n",
      message:
        "capacity.csv: line 2: region_code: expected one of the configured regions 1081, 1082, 1083, 1084, 1085",
    },
    {
      name: "a fraction",
      text: "region_code;capacity_per_day\n1081;12.5\n",
      message:
        "capacity.csv: line 2: capacity_per_day: expected a whole number of tests per test day from 0 to 10000000",
    },
    {
      name: "a negative number",
      text: "region_code;capacity_per_day\n1081;-3\n",
      message:
        "capacity.csv: line 2: capacity_per_day: expected a whole number of tests per test day from 0 to 10000000",
    },
    {
      name: "the capacity column missing",
      text: "region_code;capacity\n1081;3\n",
      message:
        "capacity.csv: line 1: header: missing column capacity_per_day, expected region_code;capacity_per_day, found 2 columns without it",
    },
  ];
  it.each(cases)("refuses $name, naming file and line", async ({ text, message }) => {
    const file = write(text);
    const error = await readCapacityFile(file, REGIONS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(join(dir, message));
  });

  it("refuses a file it cannot read", async () => {
    const error = await readCapacityFile(join(dir, "missing.csv"), REGIONS).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `${join(dir, "missing.csv")}: cannot read the capacity file, expected a readable CSV file`,
    );
  });
});
