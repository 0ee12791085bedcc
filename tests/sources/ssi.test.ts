/*
 * The SSI adapter against SSI's real files of 2020 (the demo copies in config/demo/ssi) and synthetic pairs.
 * Expectations are computed independently here with a minimal parser of the raw lines, never
 * from the adapter's own output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { classificationWindow, type IsoWeek } from "../../src/domain/calendar.ts";
import { classifyWeek } from "../../src/domain/classify.ts";
import { observeWindow, type DailyCasesDataset, type Observation } from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { InputError, SourceError } from "../../src/errors.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createSsiSource, parseSsiPair } from "../../src/sources/ssi.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SSI_DIR = join(ROOT, "config", "demo", "ssi");
const REFERENCE = join(ROOT, "reference", "municipalities.csv");
const SERIES = "Municipality_cases_time_series.csv";
const TEST_POS = "Municipality_test_pos.csv";

let municipalities: Municipality[];
beforeAll(async () => {
  municipalities = await readReference(REFERENCE);
});

type RealPair = { timeSeries: Buffer; testPos: Buffer; seriesPath: string; testPosPath: string };

function realPair(date: string): RealPair {
  const seriesPath = join(SSI_DIR, date, SERIES);
  const testPosPath = join(SSI_DIR, date, TEST_POS);
  return {
    timeSeries: readFileSync(seriesPath),
    testPos: readFileSync(testPosPath),
    seriesPath,
    testPosPath,
  };
}

function parseReal(
  pair: RealPair,
  overrides: Partial<Parameters<typeof parseSsiPair>[0]> = {},
): DailyCasesDataset {
  return parseSsiPair({
    timeSeries: pair.timeSeries,
    testPos: pair.testPos,
    timeSeriesOrigin: pair.seriesPath,
    testPosOrigin: pair.testPosPath,
    municipalities,
    ...overrides,
  });
}

/** Lines of a raw file, BOM removed, fields split on `;` and stripped of spaces. */
function rawRows(bytes: Uint8Array): string[][] {
  return new TextDecoder()
    .decode(bytes)
    .replace(/^\uFEFF/, "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.split(";").map((field) => field.trim()));
}

function datesFrom(start: string, count: number): string[] {
  const [y, m, d] = start.split("-").map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) =>
    new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10),
  );
}

type Expected = { cases: number; population: number };

/** The 7-day cases and population of every municipality, computed from the raw files. */
function expectedFromRaw(pair: RealPair, windowStart: string): Map<number, Expected> {
  const [header = [], ...rows] = rawRows(pair.timeSeries);
  const byDate = new Map(rows.map((row) => [row[0], row]));
  const windowRows = datesFrom(windowStart, 7).map((date) => {
    const row = byDate.get(date);
    if (row === undefined) throw new Error(`raw file has no row for ${date}`);
    return row;
  });
  const expected = new Map<number, Expected>();
  for (const [code, name, , , population] of rawRows(pair.testPos).slice(1)) {
    if (code === "411") continue;
    const column = header.indexOf(code === "101" ? "Copenhagen" : (name ?? ""));
    const cases = column < 0 ? 0 : windowRows.reduce((sum, row) => sum + Number(row[column]), 0);
    expected.set(Number(code), { cases, population: Number((population ?? "").replaceAll(".", "")) });
  }
  return expected;
}

function observe(dataset: DailyCasesDataset, week: IsoWeek): Observation[] {
  const result = observeWindow(dataset, classificationWindow(week), municipalities);
  if (!result.ok) throw new Error(result.problem);
  return [...result.observations];
}

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

describe("parseSsiPair on SSI's real files", () => {
  const weeks = [
    {
      name: "2020-W37 from the file of 2020-09-09",
      date: "2020-09-09",
      week: { year: 2020, week: 37 },
      start: "2020-09-01",
      end: "2020-09-07",
    },
    {
      name: "2020-W39 from the file of 2020-09-23",
      date: "2020-09-23",
      week: { year: 2020, week: 39 },
      start: "2020-09-15",
      end: "2020-09-21",
    },
    {
      name: "2020-W40 from the file of 2020-09-30",
      date: "2020-09-30",
      week: { year: 2020, week: 40 },
      start: "2020-09-22",
      end: "2020-09-28",
    },
  ];

  it.each(weeks)(
    "$name: every municipality's 7-day cases, population and status",
    ({ date, week, start, end }) => {
      const pair = realPair(date);
      expect(classificationWindow(week)).toEqual({ start, end });
      const expected = expectedFromRaw(pair, start);
      expect(expected.size).toBe(98);

      const observations = observe(parseReal(pair), week);
      expect(observations).toHaveLength(98);
      for (const observation of observations) {
        const want = expected.get(observation.code);
        expect(want, `code ${observation.code}`).toBeDefined();
        expect(observation.cases7d, `cases of ${observation.code}`).toBe(want?.cases);
        expect(observation.population, `population of ${observation.code}`).toBe(want?.population);
        expect(observation.incidence).toBeCloseTo(
          ((want?.cases ?? 0) * 100_000) / (want?.population ?? 1),
          9,
        );
      }

      const classified = classifyWeek({
        week,
        observations,
        municipalities,
        thresholdPer100k: 20,
        overrides: [],
      });
      const statuses = new Set<string>();
      for (const c of classified) {
        const want = expected.get(c.code) ?? { cases: 0, population: 1 };
        expect(c.rawStatus, `status of ${c.code}`).toBe(
          want.cases * 100_000 >= 20 * want.population ? "red" : "green",
        );
        statuses.add(c.status);
      }
      // The real weeks have red and green municipalities, so both branches are exercised.
      expect(statuses).toEqual(new Set(["red", "green"]));
    },
  );

  it.each(["2020-09-09", "2020-09-23", "2020-09-30"])(
    "%s: keeps the last (incomplete) day and ignores Christiansø",
    (date) => {
      const pair = realPair(date);
      const rows = rawRows(pair.timeSeries);
      const dataset = parseReal(pair);
      expect(dataset.firstDate).toBe(rows[1]?.[0]);
      expect(dataset.lastDate).toBe(rows.at(-1)?.[0]);
      expect(dataset.casesByCode.has(411)).toBe(false);
      expect(dataset.populationByCode.has(411)).toBe(false);
      expect([...dataset.casesByCode.keys()].sort()).toEqual(municipalities.map((m) => m.code).sort());
    },
  );

  it("fills the date SSI skipped (2020-02-29, no case anywhere) with zeros", () => {
    const pair = realPair("2020-09-09");
    const rows = rawRows(pair.timeSeries).slice(1);
    expect(rows.map((row) => row[0])).not.toContain("2020-02-29");
    const dataset = parseReal(pair);
    const days = datesFrom(dataset.firstDate, 400);
    const index = days.indexOf("2020-02-29");
    expect(days.indexOf(dataset.lastDate) + 1).toBe(rows.length + 1);
    for (const series of dataset.casesByCode.values()) {
      expect(series).toHaveLength(rows.length + 1);
      expect(series[index]).toBe(0);
    }
  });

  it("reads a time series SSI left without a column for Samsø (no case yet) as zero cases, green", () => {
    const pair = realPair("2020-09-09");
    expect(rawRows(pair.timeSeries)[0]).not.toContain("Samsø");
    const samsoe = rawRows(pair.testPos).find((row) => row[0] === "741");
    expect(samsoe?.[3]).toBe("0");
    const week = { year: 2020, week: 37 };
    const observation = observe(parseReal(pair), week).find((o) => o.code === 741);
    expect(observation?.cases7d).toBe(0);
    const classified = classifyWeek({
      week,
      observations: observation === undefined ? [] : [observation],
      municipalities: municipalities.filter((m) => m.code === 741),
      thresholdPer100k: 20,
      overrides: [],
    });
    expect(classified[0]?.status).toBe("green");
  });

  it("accepts SSI's UTF-8 BOM on both files", () => {
    const pair = realPair("2020-09-23");
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const withBom = parseReal(pair, {
      timeSeries: Buffer.concat([bom, pair.timeSeries]),
      testPos: Buffer.concat([bom, pair.testPos]),
    });
    expect(withBom).toEqual(parseReal(pair));
  });

  it("cannot serve a later week from an older file (stale)", () => {
    const dataset = parseReal(realPair("2020-09-09"));
    const result = observeWindow(dataset, classificationWindow({ year: 2020, week: 38 }), municipalities);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.problem).toMatch(/stale/);
  });

  it("reports a truncated time series (file cut mid-line) with the file and the cut line", () => {
    const pair = realPair("2020-09-09");
    const cut = pair.timeSeries.subarray(0, Math.floor(pair.timeSeries.length * 0.6));
    const text = new TextDecoder().decode(cut);
    const lines = text.split("\n");
    const header = lines[0]?.split(";") ?? [];
    // Preconditions: the cut falls inside a line, and that line lost fields.
    expect(text.endsWith("\n")).toBe(false);
    expect(lines.at(-1)?.split(";").length).toBeLessThan(header.length);

    const error = errorOf(() => parseReal(pair, { timeSeries: cut }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(pair.seriesPath);
    expect(error.message).toContain(`line ${lines.length}`);
  });

  it("reports rows lost from the middle of a real file at the line after the gap", () => {
    const pair = realPair("2020-09-09");
    const lines = pair.timeSeries.toString("utf8").split("\n");
    const dropped = lines.findIndex((line) => line.startsWith("2020-09-03;"));
    expect(dropped).toBeGreaterThan(0);
    const withGap = Buffer.from(lines.filter((_, i) => i !== dropped).join("\n"));
    const error = errorOf(() => parseReal(pair, { timeSeries: withGap }));
    expect(error).toBeInstanceOf(InputError);
    // The row after the gap moved up to the dropped row's line number (1-based: index + 1).
    expect(error.message).toContain(`${pair.seriesPath}: line ${dropped + 1}:`);
    expect(error.message).toContain("2020-09-04 after 2020-09-02");
  });

  it("ignores a Christiansø column in the time series", () => {
    const pair = realPair("2020-09-09");
    const lines = pair.timeSeries.toString("utf8").split("\n");
    const withColumn = Buffer.from(
      lines.map((line, i) => (line === "" ? line : `${line};${i === 0 ? "Christiansø" : " 7"}`)).join("\n"),
    );
    const dataset = parseReal(pair, { timeSeries: withColumn });
    expect(dataset.casesByCode.has(411)).toBe(false);
    expect(dataset.casesByCode).toEqual(parseReal(pair).casesByCode);
  });

  it("names an unknown municipality column", () => {
    const pair = realPair("2020-09-09");
    const renamed = Buffer.from(pair.timeSeries.toString("utf8").replace(";Roskilde;", ";Roskilde Syd;"));
    const error = errorOf(() => parseReal(pair, { timeSeries: renamed }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(`${pair.seriesPath}: line 1`);
    expect(error.message).toContain("Roskilde Syd");
  });

  it("fails as partial data when a municipality's population row is missing", () => {
    const pair = realPair("2020-09-09");
    const withoutFrederiksberg = Buffer.from(
      pair.testPos
        .toString("utf8")
        .split("\n")
        .filter((line) => !line.startsWith("147;"))
        .join("\n"),
    );
    const error = errorOf(() => parseReal(pair, { testPos: withoutFrederiksberg }));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain("147 Frederiksberg");
  });
});

/** A synthetic pair in SSI's format (BOM, padded fields, `.` thousands separators). */
type Synthetic = {
  dates: string[];
  /** Cases per date index, by code; other municipalities get 0. */
  cases?: Record<number, number[]>;
  population?: Record<number, number>;
  /** Municipalities without a time-series column. */
  withoutColumn?: number[];
  /** Confirmed cases in test_pos; by default the series total. */
  confirmed?: Record<number, number>;
  /** Rows to leave out of the time series (date indexes). */
  dropRows?: number[];
};

function danish(value: number): string {
  return value.toLocaleString("en-US").replaceAll(",", ".");
}

function syntheticPair(spec: Synthetic): { timeSeries: Buffer; testPos: Buffer } {
  const series = (code: number) => spec.cases?.[code] ?? spec.dates.map(() => 0);
  const columns = municipalities.filter((m) => !(spec.withoutColumn ?? []).includes(m.code));
  const header = ["date_sample", ...columns.map((m) => (m.code === 101 ? "Copenhagen" : m.name))].join(";");
  const rows = spec.dates
    .map((date, i) => [date, ...columns.map((m) => ` ${series(m.code)[i] ?? 0}`)].join(";"))
    .filter((_, i) => !(spec.dropRows ?? []).includes(i));
  const testPosLines = [
    "Kommune_(id);Kommune_(navn);Antal_testede;Antal_bekræftede_COVID-19;Befolkningstal;Kumulativ_incidens_(per_100000)",
    ...municipalities.map((m) => {
      const confirmed = spec.confirmed?.[m.code] ?? series(m.code).reduce((a, b) => a + b, 0);
      const population = spec.population?.[m.code] ?? m.population;
      return `${m.code};${m.name}; ${danish(1000)};  ${danish(confirmed)}; ${danish(population)};   0`;
    }),
    "411;Christiansø;      24;       0;      84;       0",
  ];
  const bom = "\uFEFF";
  return {
    timeSeries: Buffer.from(`${bom}${header}\n${rows.join("\n")}\n`),
    testPos: Buffer.from(`${bom}${testPosLines.join("\n")}\n`),
  };
}

function parseSynthetic(spec: Synthetic): DailyCasesDataset {
  const pair = syntheticPair(spec);
  return parseSsiPair({ ...pair, timeSeriesOrigin: "ts.csv", testPosOrigin: "tp.csv", municipalities });
}

describe("parseSsiPair on synthetic pairs", () => {
  const W37 = { year: 2020, week: 37 };
  // 2020-08-31 … 2020-09-08: the window 2020-09-01 … 2020-09-07 is indexes 1–7.
  const DATES = datesFrom("2020-08-31", 9);

  it.each([
    { name: "exactly 20.0 per 100,000 is red", population: 50_000, windowCases: 10, status: "red" },
    { name: "19.9996 per 100,000 is green", population: 50_001, windowCases: 10, status: "green" },
    { name: "a case outside the window does not count", population: 50_000, windowCases: 9, status: "green" },
  ])("$name", ({ population, windowCases, status }) => {
    // Cases on the window days plus one on each day outside it (which must not count).
    const cases = DATES.map((_, i): number => (i === 0 || i === 8 ? 1 : 0));
    cases[3] = windowCases - 3;
    cases[5] = 3;
    const dataset = parseSynthetic({ dates: DATES, cases: { 101: cases }, population: { 101: population } });
    const observations = observe(dataset, W37);
    const copenhagen = observations.find((o) => o.code === 101);
    expect(copenhagen?.cases7d).toBe(windowCases);
    expect(copenhagen?.population).toBe(population);
    const classified = classifyWeek({
      week: W37,
      observations,
      municipalities,
      thresholdPer100k: 20,
      overrides: [],
    });
    expect(classified.find((c) => c.code === 101)?.status).toBe(status);
  });

  it("reads `.` thousands separators in test_pos", () => {
    const dataset = parseSynthetic({ dates: DATES, population: { 101: 1_234_567 } });
    expect(dataset.populationByCode.get(101)).toBe(1_234_567);
  });

  it("fails as partial data when a municipality with confirmed cases has no column", () => {
    const error = errorOf(() =>
      parseSynthetic({ dates: DATES, withoutColumn: [741], confirmed: { 741: 4 } }),
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain("741 Samsø");
  });

  it("accepts a skipped date without any case when the totals match test_pos", () => {
    const cases = DATES.map((_, i) => (i === 4 ? 0 : 2));
    const dataset = parseSynthetic({ dates: DATES, cases: { 101: cases }, dropRows: [4] });
    expect(dataset.casesByCode.get(101)).toEqual(cases);
    expect(observe(dataset, W37).find((o) => o.code === 101)?.cases7d).toBe(12);
  });

  type BadCase = {
    name: string;
    spec?: Synthetic;
    edit?: (pair: { ts: string; tp: string }) => { ts: string; tp: string };
    file: string;
    line: number | null;
    says: string;
  };
  const bad: BadCase[] = [
    {
      name: "a missing date whose rows had cases",
      spec: { dates: DATES, cases: { 101: DATES.map(() => 2) }, dropRows: [4] },
      file: "ts.csv",
      line: 6,
      says: DATES[5] ?? "",
    },
    {
      name: "dates out of order",
      edit: ({ ts, tp }) => ({ ts: ts.replace("2020-09-02", "2020-08-30"), tp }),
      file: "ts.csv",
      line: 4,
      says: "2020-08-30",
    },
    {
      name: "a repeated date",
      edit: ({ ts, tp }) => ({ ts: ts.replace("2020-09-02", "2020-09-01"), tp }),
      file: "ts.csv",
      line: 4,
      says: "2020-09-01",
    },
    {
      name: "an impossible date",
      edit: ({ ts, tp }) => ({ ts: ts.replace("2020-09-02", "2020-09-31"), tp }),
      file: "ts.csv",
      line: 4,
      says: "2020-09-31",
    },
    {
      name: "a non-numeric count",
      edit: ({ ts, tp }) => ({ ts: ts.replace(/(2020-09-03;[^;]*;) 0;/, "$1 x;"), tp }),
      file: "ts.csv",
      line: 5,
      says: '"x"',
    },
    {
      name: "a negative count",
      edit: ({ ts, tp }) => ({ ts: ts.replace(/(2020-09-03;[^;]*;) 0;/, "$1 -1;"), tp }),
      file: "ts.csv",
      line: 5,
      says: "negative",
    },
    {
      name: "an extra field",
      edit: ({ ts, tp }) => ({ ts: ts.replace(/(2020-09-03;[^\n]*)/, "$1; 0"), tp }),
      file: "ts.csv",
      line: 5,
      says: "fields",
    },
    {
      name: "a header-only time series",
      edit: ({ ts, tp }) => ({ ts: ts.split("\n")[0] ?? "", tp }),
      file: "ts.csv",
      line: null,
      says: "no data rows",
    },
    {
      name: "an empty time series",
      edit: ({ tp }) => ({ ts: "", tp }),
      file: "ts.csv",
      line: null,
      says: "empty file",
    },
    {
      name: "an empty test_pos",
      edit: ({ ts }) => ({ ts, tp: "\uFEFF" }),
      file: "tp.csv",
      line: null,
      says: "empty file",
    },
    {
      name: "a wrong first column",
      edit: ({ ts, tp }) => ({ ts: ts.replace("date_sample", "dato"), tp }),
      file: "ts.csv",
      line: 1,
      says: "date_sample",
    },
    {
      name: "a population of 0",
      edit: ({ ts, tp }) => ({ ts, tp: tp.replace(/^(147;[^\n]*;) 104\.305;/m, "$1 0;") }),
      file: "tp.csv",
      line: 3,
      says: "Befolkningstal",
    },
    {
      name: "a non-numeric population",
      edit: ({ ts, tp }) => ({ ts, tp: tp.replace(/^(147;[^\n]*;) 104\.305;/m, "$1 104,3x;") }),
      file: "tp.csv",
      line: 3,
      says: "Befolkningstal",
    },
    {
      name: "a test_pos without Befolkningstal",
      edit: ({ ts, tp }) => ({ ts, tp: tp.replace("Befolkningstal", "Indbyggere") }),
      file: "tp.csv",
      line: 1,
      says: "missing column befolkningstal",
    },
    {
      name: "an unknown code in test_pos",
      edit: ({ ts, tp }) => ({ ts, tp: tp.replace(/^147;/m, "148;") }),
      file: "tp.csv",
      line: 3,
      says: "148",
    },
  ];

  it.each(bad)("$name → InputError naming the file and line", ({ spec, edit, file, line, says }) => {
    const pair = syntheticPair(spec ?? { dates: DATES });
    const texts = { ts: pair.timeSeries.toString("utf8"), tp: pair.testPos.toString("utf8") };
    const edited = edit === undefined ? texts : edit(texts);
    // Each edit must change the file, or the case would test nothing.
    if (edit !== undefined) expect(edited).not.toEqual(texts);
    const error = errorOf(() =>
      parseSsiPair({
        timeSeries: Buffer.from(edited.ts),
        testPos: Buffer.from(edited.tp),
        timeSeriesOrigin: "ts.csv",
        testPosOrigin: "tp.csv",
        municipalities,
      }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(line === null ? `${file}:` : `${file}: line ${line}:`);
    expect(error.message).toContain(says);
    expect(error.message).toContain("expected");
    expect(error.message).not.toContain("\n");
  });
});

describe("createSsiSource", () => {
  const files = (pair: RealPair) =>
    new Map<string, Uint8Array>([
      [pair.seriesPath, pair.timeSeries],
      [pair.testPosPath, pair.testPos],
    ]);

  function readerOf(locations: ReadonlyMap<string, Uint8Array>) {
    return (location: string) => {
      const bytes = locations.get(location);
      return bytes === undefined ? Promise.reject(new Error(`ENOENT: ${location}`)) : Promise.resolve(bytes);
    };
  }

  function sameData(a: DailyCasesDataset, b: DailyCasesDataset): void {
    expect(a.firstDate).toBe(b.firstDate);
    expect(a.lastDate).toBe(b.lastDate);
    expect(a.casesByCode).toEqual(b.casesByCode);
    expect(a.populationByCode).toEqual(b.populationByCode);
  }

  it("reads the two files and returns their raw bytes as payloads", async () => {
    const pair = realPair("2020-09-30");
    const source = createSsiSource(
      { timeSeries: pair.seriesPath, testPos: pair.testPosPath },
      { readLocation: readerOf(files(pair)), municipalities },
    );
    expect(source.name).toBe("ssi");
    const result = await source.fetchIncidence();
    sameData(result.dataset as DailyCasesDataset, parseReal(pair));
    expect(result.payloads.map((p) => [p.name, p.origin])).toEqual([
      [SERIES, pair.seriesPath],
      [TEST_POS, pair.testPosPath],
    ]);
    expect(Buffer.from(result.payloads[0]?.bytes ?? [])).toEqual(pair.timeSeries);
    expect(Buffer.from(result.payloads[1]?.bytes ?? [])).toEqual(pair.testPos);
  });

  it("reads the pair from a zip (files in a subfolder) with the same result", async () => {
    const pair = realPair("2020-09-09");
    const zip = zipSync({
      "Data-Epidemiologiske-Rapport-09092020": {
        [SERIES]: pair.timeSeries,
        [TEST_POS]: pair.testPos,
        "other.csv": new Uint8Array([1]),
      },
    });
    const source = createSsiSource(
      { zip: "/in/ssi.zip" },
      { readLocation: readerOf(new Map([["/in/ssi.zip", zip]])), municipalities },
    );
    const result = await source.fetchIncidence();
    sameData(result.dataset as DailyCasesDataset, parseReal(pair));
    expect(result.payloads).toHaveLength(1);
    expect(result.payloads[0]?.origin).toBe("/in/ssi.zip");
    expect(Buffer.from(result.payloads[0]?.bytes ?? [])).toEqual(Buffer.from(zip));
  });

  it.each([
    { name: "a zip without test_pos", missing: TEST_POS },
    { name: "a zip without the time series", missing: SERIES },
  ])("$name → SourceError naming the missing file", async ({ missing }) => {
    const pair = realPair("2020-09-09");
    const entries: Record<string, Uint8Array> = { [SERIES]: pair.timeSeries, [TEST_POS]: pair.testPos };
    delete entries[missing];
    const zip = zipSync({ data: entries });
    const source = createSsiSource(
      { zip: "z.zip" },
      { readLocation: readerOf(new Map([["z.zip", zip]])), municipalities },
    );
    const error = await rejectionOf(source.fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain(missing);
  });

  it("fails with a SourceError on bytes that are not a zip", async () => {
    const source = createSsiSource(
      { zip: "z.zip" },
      { readLocation: readerOf(new Map([["z.zip", new Uint8Array([1, 2, 3, 4])]])), municipalities },
    );
    expect(await rejectionOf(source.fetchIncidence())).toBeInstanceOf(SourceError);
  });

  it("wraps a read failure into a SourceError naming the location", async () => {
    const source = createSsiSource(
      { timeSeries: "/nowhere/ts.csv", testPos: "/nowhere/tp.csv" },
      { readLocation: readerOf(new Map()), municipalities },
    );
    const error = await rejectionOf(source.fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(/^source ssi: cannot read \/nowhere\/(ts|tp)\.csv/);
  });

  it("passes a malformed file's InputError through unchanged", async () => {
    const pair = realPair("2020-09-09");
    const locations = files(pair);
    locations.set(pair.seriesPath, pair.timeSeries.subarray(0, Math.floor(pair.timeSeries.length * 0.6)));
    const source = createSsiSource(
      { timeSeries: pair.seriesPath, testPos: pair.testPosPath },
      { readLocation: readerOf(locations), municipalities },
    );
    const error = await rejectionOf(source.fetchIncidence());
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(pair.seriesPath);
  });
});
