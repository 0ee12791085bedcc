/*
 * SSI validated by meaning, and SSI's later format, on the real files in config/demo/ssi.
 * Expectations come from a hand-written split of the raw lines (never the adapter's own output);
 * the edits that make a file bad are applied to the real bytes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { classificationWindow } from "../../src/domain/calendar.ts";
import { observeWindow } from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { InputError, SourceError } from "../../src/errors.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createSsiSource, parseSsiPair, parseSsiPairWithFormat } from "../../src/sources/ssi.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SSI_DIR = join(ROOT, "config", "demo", "ssi");
const SERIES = "Municipality_cases_time_series.csv";
const TEST_POS = "Municipality_test_pos.csv";

let municipalities: Municipality[];
beforeAll(async () => {
  municipalities = await readReference(join(ROOT, "reference", "municipalities.csv"));
});

type Texts = { ts: string; tp: string };

function readPair(folder: string): Texts {
  return {
    ts: readFileSync(join(SSI_DIR, folder, SERIES), "utf8"),
    tp: readFileSync(join(SSI_DIR, folder, TEST_POS), "utf8"),
  };
}

function parseTexts(texts: Texts) {
  return parseSsiPairWithFormat({
    timeSeries: Buffer.from(texts.ts),
    testPos: Buffer.from(texts.tp),
    timeSeriesOrigin: "ts.csv",
    testPosOrigin: "tp.csv",
    municipalities,
  });
}

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

/** Non-empty lines split on `;`, fields trimmed, BOM dropped: the raw rows. */
function rawRows(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => line.split(";").map((field) => field.trim()));
}

function withLines(text: string, edit: (lines: string[]) => string[]): string {
  return edit(text.split("\n")).join("\n");
}

describe("SSI's later format (config/demo/ssi/late)", () => {
  it("reads the pair as the 2021+ format and says so", () => {
    const { format, dataset } = parseTexts(readPair("late"));
    expect(format).toBe("2021+");
    expect(dataset.firstDate).toBe("2020-02-26");
    expect(dataset.lastDate).toBe("2023-02-08");
    expect(dataset.casesByCode.has(411)).toBe(false);
    expect(dataset.casesByCode.size).toBe(98);
  });

  it("2020-W44 (window 2020-10-20…26): 93 red / 5 green, as recomputed from the rows", () => {
    const texts = readPair("late");
    const [header = [], ...rows] = rawRows(texts.ts);
    // Preconditions on the raw file: the later layout with its two extra columns.
    expect(header[0]).toBe("SampleDate");
    expect(header.slice(-2)).toEqual(['"NA"', "Christiansø"]);
    const window = [
      "2020-10-20",
      "2020-10-21",
      "2020-10-22",
      "2020-10-23",
      "2020-10-24",
      "2020-10-25",
      "2020-10-26",
    ];
    const windowRows = window.map((date) => rows.find((row) => row[0] === date) ?? []);
    const expected = new Map<number, "red" | "green">();
    for (const [code = "", name = "", , , population = ""] of rawRows(texts.tp).slice(1)) {
      if (code === "411") continue;
      const column = header.indexOf(code === "101" ? "Copenhagen" : name);
      expect(column, name).toBeGreaterThan(0);
      const cases = windowRows.reduce((sum, row) => sum + Number(row[column]), 0);
      const people = Number(population.replaceAll(".", ""));
      expected.set(Number(code), cases * 100_000 >= 20 * people ? "red" : "green");
    }
    expect([...expected.values()].filter((s) => s === "red")).toHaveLength(93);
    expect([...expected.values()].filter((s) => s === "green")).toHaveLength(5);

    const week = { year: 2020, week: 44 };
    expect(classificationWindow(week)).toEqual({ start: "2020-10-20", end: "2020-10-26" });
    const observed = observeWindow(parseTexts(texts).dataset, classificationWindow(week), municipalities);
    if (!observed.ok) throw new Error(observed.problem);
    const statuses = new Map(
      observed.observations.map((o) => [o.code, o.incidence >= 20 ? ("red" as const) : ("green" as const)]),
    );
    expect(statuses).toEqual(expected);
    // The five green ones, read off the rows by hand: few cases in small municipalities.
    const green = [...statuses].filter(([, status]) => status === "green").map(([code]) => code);
    expect(green.sort()).toEqual([400, 492, 707, 741, 773]);
  });

  it("ignores the NA column: its cases count in no municipality", () => {
    const texts = readPair("late");
    const plain = parseTexts(texts).dataset;
    // Put 1,000 unplaced cases on every day: nothing may change.
    const flooded = withLines(texts.ts, (lines) =>
      lines.map((line, i) => (i === 0 || line === "" ? line : line.replace(/;\d+;(\d+)$/, ";1000;$1"))),
    );
    expect(flooded).not.toBe(texts.ts);
    expect(parseTexts({ ...texts, ts: flooded }).dataset.casesByCode).toEqual(plain.casesByCode);
  });

  it("says the format in the fetch result and the log line (2020 and 2021+)", async () => {
    for (const [folder, format] of [
      ["late", "2021+"],
      ["2020-09-30", "2020"],
    ] as const) {
      const { logger, lines } = createCapturingLogger();
      const files = new Map([
        [`${folder}/ts`, Buffer.from(readPair(folder).ts)],
        [`${folder}/tp`, Buffer.from(readPair(folder).tp)],
      ]);
      const source = createSsiSource(
        { timeSeries: `${folder}/ts`, testPos: `${folder}/tp` },
        {
          readLocation: (location) => Promise.resolve(files.get(location) ?? new Uint8Array()),
          municipalities,
          logger,
        },
      );
      const result = await source.fetchIncidence();
      expect(result.format).toBe(format);
      const line = lines.find((l) => l.msg.startsWith("ssi source read"));
      expect(line?.["format"]).toBe(format);
      expect(line?.msg).toBe(`ssi source read (${format} format)`);
    }
  });
});

describe("SSI validated by meaning", () => {
  it("names two swapped municipality columns (totals compared with test_pos)", () => {
    const texts = readPair("2020-09-30");
    const [header = [], ...rows] = rawRows(texts.ts);
    expect(header.slice(0, 3)).toEqual(["date_sample", "Roskilde", "Copenhagen"]);
    const total = (column: number) => rows.reduce((sum, row) => sum + Number(row[column]), 0);
    // Hand-checked preconditions: the real totals differ and equal test_pos's confirmed counts.
    expect([total(1), total(2)]).toEqual([472, 5561]);
    expect(texts.tp).toMatch(/^101;København; 308\.049; {3}5\.561;/m);
    expect(texts.tp).toMatch(/^265;Roskilde; {2}38\.186; {5}472;/m);
    const swapped = texts.ts.replace("date_sample;Roskilde;Copenhagen;", "date_sample;Copenhagen;Roskilde;");
    const error = errorOf(() => parseTexts({ ...texts, ts: swapped }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'ts.csv: line 1: columns "Copenhagen" and "Roskilde" look swapped: their totals 472 and 5.561 are test_pos\'s confirmed counts of 265 and 101 — expected each column under its own municipality\'s name',
    );
  });

  it.each([
    { name: "10^23", value: "100000000000000000000000", quoted: '"100000000000000000000000"' },
    {
      name: "a 100-digit count (quoted cut at 40 characters)",
      value: "9".repeat(100),
      quoted: `"${"9".repeat(40)}"… (100 characters)`,
    },
    { name: "a count above Læsø's population", value: "5000", quoted: '"5000"' },
  ])("refuses $name naming file, line and column", ({ value, quoted }) => {
    const texts = readPair("2020-09-30");
    const lines = texts.ts.split("\n");
    const header = lines[0]?.split(";") ?? [];
    const column = header.indexOf("Læsø");
    const at = lines.findIndex((line) => line.startsWith("2020-09-15;"));
    const fields = lines[at]?.split(";") ?? [];
    fields[column] = value;
    lines[at] = fields.join(";");
    const error = errorOf(() => parseTexts({ ...texts, ts: lines.join("\n") }));
    expect(error).toBeInstanceOf(InputError);
    // Læsø's population in this test_pos: 1.786.
    expect(texts.tp).toMatch(/^825;Læsø;[^\n]*;\s*1\.786;/m);
    expect(error.message).toBe(
      `ts.csv: line ${at + 1}: count ${quoted} in column "Læsø" on 2020-09-15 is above the municipality's population (1.786) — expected at most one case per inhabitant a day`,
    );
  });

  it("refuses a dropped last day of a same-day pair as stale or cut, naming the new last date", () => {
    const texts = readPair("2020-09-30");
    const dropped = withLines(texts.ts, (lines) => lines.filter((line) => !line.startsWith("2020-09-29;")));
    const error = errorOf(() => parseTexts({ ...texts, ts: dropped }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(
      /^ts\.csv: line \d+: stale or cut: the rows hold fewer cases than test_pos/,
    );
    expect(error.message).toContain("the file ends on 2020-09-28: is its last day missing?");
  });

  it("a later file without the days the window needs is stale: file ends on X, the window needs Y", () => {
    const texts = readPair("late");
    const cut = withLines(texts.ts, (lines) =>
      lines.filter((line, i) => i === 0 || line === "" || line.slice(0, 10) < "2020-10-26"),
    );
    // The later pair's totals are not comparable (2022 test_pos), so the file itself parses…
    const dataset = parseSsiPair({
      timeSeries: Buffer.from(cut),
      testPos: Buffer.from(texts.tp),
      timeSeriesOrigin: "ts.csv",
      testPosOrigin: "tp.csv",
      municipalities,
    });
    expect(dataset.lastDate).toBe("2020-10-25");
    // …and the window check refuses it as stale rather than by accident.
    const observed = observeWindow(dataset, { start: "2020-10-20", end: "2020-10-26" }, municipalities);
    expect(observed.ok ? "" : observed.problem).toMatch(
      /^stale data: .*needs data up to 2020-10-26.*ends 2020-10-25/,
    );
  });

  it("accepts SSI's documented 2020-02-29 gap even where totals cannot prove it", () => {
    const { ts } = readPair("late");
    expect(ts).toContain("\n2020-02-28;");
    expect(ts).not.toContain("\n2020-02-29;");
    expect(ts).toContain("\n2020-03-01;");
    expect(() => parseTexts(readPair("late"))).not.toThrow();
  });

  it("refuses any other skipped date where totals cannot prove it had no case", () => {
    const texts = readPair("late");
    const gap = withLines(texts.ts, (lines) => lines.filter((line) => !line.startsWith("2021-06-15;")));
    const error = errorOf(() => parseTexts({ ...texts, ts: gap }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain("date 2021-06-16 after 2021-06-14");
    expect(error.message).toContain("they cannot be compared (0 of 98 columns match)");
  });

  it("names a missing municipality column as such (partial data)", () => {
    const texts = readPair("2020-09-30");
    const without = withLines(texts.ts, (lines) =>
      lines.map((line) =>
        line
          .split(";")
          .filter((_, i) => i !== 1)
          .join(";"),
      ),
    );
    const error = errorOf(() => parseTexts({ ...texts, ts: without }));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      "source ssi: partial data: missing municipality column in ts.csv for 1 municipality (265 Roskilde) — expected a column for every municipality with confirmed cases in tp.csv",
    );
  });

  it("names an unknown municipality column as such, quoting at most 40 characters", () => {
    const texts = readPair("late");
    const long = `Ny kommune ${"x".repeat(60)}`;
    const renamed = texts.ts.replace('"NA"', `"${long}"`);
    const error = errorOf(() => parseTexts({ ...texts, ts: renamed }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(
      `ts.csv: line 1: unknown municipality column "${long.slice(0, 40)}"… (71 characters)`,
    );
  });
});
