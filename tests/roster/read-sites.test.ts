import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { coordinateBoundsFor } from "../../src/domain/geo.ts";
import type { Site } from "../../src/domain/roster.ts";
import { InputError } from "../../src/errors.ts";
import { createCollectingSink } from "../../src/roster/input-problems.ts";
import { checkSiteNotes, readSites } from "../../src/roster/read-sites.ts";
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

describe("readSites: what a driver needs (optional columns)", () => {
  const DRIVER_HEADER = `${HEADER};latitude;longitude;contact_phone;access_note;pickup_hours`;
  const S1 = "S0101-NH01;101;nursing-home;Plejecenter Egebakken;Skolevej 1, 2300 København";

  it("reads position, phone, access note and pickup hours; empty cells are absent", async () => {
    const path = await writeSites(
      [
        DRIVER_HEADER,
        `${S1};55.66234;12.60491;33 12 34 56;Indgang B, nøgleboks 4;07:00-22:00`,
        "S0825-NH01;825;nursing-home;Plejecenter Solgården;Strandvej 3, 9940 Læsø;;;;;",
        // An en dash and spaces between the hours, as a word processor writes them.
        "S0101-HC01;101;home-care;Hjemmeplejen Nord;Kirkevej 2;;;+45 33 12 34 57;;08:00 – 16:30",
      ].join("\n"),
    );
    const sites = await readSites(path, SAMPLE_MUNICIPALITIES);
    expect(sites[0]).toEqual({
      id: "S0101-NH01",
      municipalityCode: 101,
      kind: "nursing-home",
      name: "Plejecenter Egebakken",
      address: "Skolevej 1, 2300 København",
      location: { latitude: 55.66234, longitude: 12.60491, source: "site", approximate: false },
      contactPhone: "33 12 34 56",
      accessNote: "Indgang B, nøgleboks 4",
      pickupHours: { open: "07:00", close: "22:00" },
    });
    expect(Object.keys(sites[1] ?? {})).toEqual(["id", "municipalityCode", "kind", "name", "address"]);
    expect(sites[2]).toMatchObject({
      contactPhone: "+45 33 12 34 57",
      pickupHours: { open: "08:00", close: "16:30" },
    });
    expect(sites[2]?.location).toBeUndefined();
  });

  const badDriverRows = [
    {
      name: "a latitude outside Denmark",
      cells: "45.5;12.6;;;",
      column: "latitude",
      expected: 'expected a latitude within Denmark (54.4–57.9), found "45.5"',
    },
    {
      name: "a decimal comma",
      cells: "55,66;12.6;;;",
      column: "latitude",
      expected:
        "expected a latitude in decimal degrees with a decimal point, e.g. 55.6761, found a value of 5 characters",
    },
    {
      name: "a longitude east of Bornholm",
      cells: "55.1;15.9;;;",
      column: "longitude",
      expected: 'expected a longitude within Denmark (7.9–15.3), found "15.9"',
    },
    {
      name: "a latitude without its longitude",
      cells: "55.66;;;;",
      column: "longitude",
      expected:
        "expected a longitude as well (a position needs both latitude and longitude, or neither), found an empty value",
    },
    {
      name: "a phone with letters",
      cells: ";;ring til vagten;;",
      column: "contact_phone",
      expected:
        "expected a phone number of digits, spaces and + ( ) . / -, e.g. +45 33 12 34 56, found a value of 15 characters",
    },
    {
      name: "a phone too short",
      cells: ";;1234;;",
      column: "contact_phone",
      expected:
        "expected a phone number with at least 8 digits, e.g. +45 33 12 34 56, found a value of 4 characters shaped 9999",
    },
    {
      name: "hours that close before they open",
      cells: ";;;;16:00-08:00",
      column: "pickup_hours",
      expected:
        "expected opening hours that close after they open, within one day (e.g. 08:00-16:00), found a value of 11 characters shaped 99:99-99:99",
    },
    {
      name: "hours without minutes",
      cells: ";;;;8-16",
      column: "pickup_hours",
      expected:
        "expected opening hours HH:MM-HH:MM, e.g. 08:00-16:00, found a value of 4 characters shaped 9-99",
    },
    {
      name: "an access note longer than 200 characters",
      cells: `;;;${"Indgang B. ".repeat(19)}Ring på.;`,
      column: "access_note",
      expected: "expected at most 200 characters, found 217",
    },
  ];

  it.each(badDriverRows)(
    "$name: file, line 2, the column and what was expected",
    async ({ cells, column, expected }) => {
      const path = await writeSites([DRIVER_HEADER, `${S1};${cells}`].join("\n"));
      const error = await captureError(readSites(path, SAMPLE_MUNICIPALITIES));
      expect(error.location).toEqual({ file: path, line: 2 });
      expect(error.message).toBe(`${path}: line 2: ${column}: ${expected}`);
    },
  );

  // Another country's reference (`referenceRules: any`): a site in Bavaria is a real place, not a
  // typo; only points off the earth are refused.
  it("with the earth's bounds a site outside Denmark is read, an impossible latitude is not", async () => {
    const path = await writeSites([DRIVER_HEADER, `${S1};48.13743;11.57549;;;`].join("\n"));
    const sites = await readSites(path, SAMPLE_MUNICIPALITIES, undefined, coordinateBoundsFor("any"));
    expect(sites[0]?.location).toEqual({
      latitude: 48.13743,
      longitude: 11.57549,
      source: "site",
      approximate: false,
    });
    await expect(
      readSites(path, SAMPLE_MUNICIPALITIES, undefined, coordinateBoundsFor("denmark")),
    ).rejects.toThrow('latitude: expected a latitude within Denmark (54.4–57.9), found "48.13743"');
    const off = await writeSites([DRIVER_HEADER, `${S1};95.5;11.5;;;`].join("\n"));
    const error = await captureError(
      readSites(off, SAMPLE_MUNICIPALITIES, undefined, coordinateBoundsFor("any")),
    );
    expect(error.message).toBe(
      `${off}: line 2: latitude: expected a latitude within the earth's range (-90–90), found "95.5"`,
    );
  });
});

describe("checkSiteNotes", () => {
  const site = (id: string, accessNote?: string): Site => ({
    id,
    municipalityCode: 101,
    kind: "nursing-home",
    name: id,
    address: "Vej 1",
    ...(accessNote === undefined ? {} : { accessNote }),
  });
  const staff = [{ name: "Hanne Marie Jensen" }, { name: "Bo Ek" }, { name: "Anne" }];

  it("reports an access note naming someone on the roster, never the name itself", () => {
    const sink = createCollectingSink(20);
    checkSiteNotes(
      "sites.csv",
      [
        site("S1", "Ring til hanne marie jensen ved ankomst"),
        site("S2", "Bo Ek har nøglen"),
        site("S3", "Spørg efter Anne i receptionen"), // a first name alone is no one in particular
        site("S4", "Bøgevej, ek-stra indgang"),
        site("S5"),
      ],
      staff,
      sink,
    );
    expect(sink.problems()).toEqual(
      ["S1", "S2"].map((id) => ({
        file: "sites.csv",
        column: "access_note",
        message: `expected no staff names in the access note of site "${id}" (it is printed on the drivers' route sheets), found a name from the roster`,
      })),
    );
  });
});
