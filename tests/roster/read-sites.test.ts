import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import { readSites } from "../../src/roster/read-sites.ts";
import { SAMPLE_MUNICIPALITIES } from "../fixtures/roster/municipalities.ts";

const HEADER = "site_id;municipality_code;kind;name;address";
const GOOD_ROWS = [
  "S0101-NH01;101;nursing-home;Plejecenter Egebakken;Skolevej 1, 2300 København",
  "S0101-HC01;101;home-care;Hjemmeplejen Nord;Kirkevej 2, 2300 København",
  "S0825-NH01;825;nursing-home;Plejecenter Solgården;Strandvej 3, 9940 Læsø",
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "read-sites-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSites(text: string): Promise<string> {
  const path = join(dir, "sites.csv");
  await writeFile(path, text);
  return path;
}

async function captureError(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe("readSites", () => {
  it("reads a UTF-8 file with BOM, case-insensitive header and extra columns", async () => {
    const path = await writeSites(
      `\uFEFF Site_ID ;Municipality_Code;KIND;name;address;phone\r\n` +
        GOOD_ROWS.map((row) => `${row};12345678`).join("\r\n") +
        "\r\n\r\n",
    );
    const sites = await readSites(path, SAMPLE_MUNICIPALITIES);
    expect(sites).toEqual([
      {
        id: "S0101-NH01",
        municipalityCode: 101,
        kind: "nursing-home",
        name: "Plejecenter Egebakken",
        address: "Skolevej 1, 2300 København",
      },
      {
        id: "S0101-HC01",
        municipalityCode: 101,
        kind: "home-care",
        name: "Hjemmeplejen Nord",
        address: "Kirkevej 2, 2300 København",
      },
      {
        id: "S0825-NH01",
        municipalityCode: 825,
        kind: "nursing-home",
        name: "Plejecenter Solgården",
        address: "Strandvej 3, 9940 Læsø",
      },
    ]);
  });

  const badRows = [
    {
      name: "unknown kind",
      row: "S1;101;hospital;X;Y",
      field: "kind",
      expected: "nursing-home or home-care",
    },
    {
      name: "Christiansø is no municipality",
      row: "S1;411;home-care;X;Y",
      field: "municipality_code",
      expected: "municipality code",
    },
    {
      name: "non-numeric municipality code",
      row: "S1;Kbh;home-care;X;Y",
      field: "municipality_code",
      expected: "numeric",
    },
    { name: "empty site id", row: ";101;home-care;X;Y", field: "site_id", expected: "non-empty" },
    { name: "empty address", row: "S1;101;home-care;X;", field: "address", expected: "non-empty" },
    { name: "duplicate site id", row: "S0101-NH01;101;home-care;X;Y", field: "site_id", expected: "unique" },
  ];

  it.each(badRows)("$name: names file, line and field", async ({ row, field, expected }) => {
    const path = await writeSites([HEADER, ...GOOD_ROWS, row].join("\n"));
    const error = await captureError(readSites(path, SAMPLE_MUNICIPALITIES));
    const line = GOOD_ROWS.length + 2;
    expect(error.location).toEqual({ file: path, line });
    expect(error.message).toContain(`${path}: line ${line}: ${field}: expected `);
    expect(error.message).toContain(expected);
  });

  it.each([
    { name: "empty file", text: "", line: 1, expected: "empty file" },
    { name: "header only", text: `${HEADER}\n`, line: 1, expected: "no data rows" },
    {
      name: "missing column",
      text: `site_id;municipality_code;name;address\nS1;101;X;Y`,
      line: 1,
      expected: "kind",
    },
    {
      name: "ragged row",
      text: `${HEADER}\n${GOOD_ROWS[0]}\nS2;101;home-care`,
      line: 3,
      expected: "malformed CSV",
    },
  ])("$name is an InputError", async ({ text, line, expected }) => {
    const path = await writeSites(text);
    const error = await captureError(readSites(path, SAMPLE_MUNICIPALITIES));
    expect(error.location.file).toBe(path);
    expect(error.location.line).toBe(line);
    expect(error.message).toContain(expected);
  });

  it("reports a missing sites file with its path", async () => {
    const path = join(dir, "nope.csv");
    const error = await captureError(readSites(path, SAMPLE_MUNICIPALITIES));
    expect(error.message).toContain(path);
  });
});
