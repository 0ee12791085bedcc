import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, validateConfig } from "../src/config.ts";
import { createClock } from "../src/clock.ts";
import { ConfigError } from "../src/errors.ts";
import { REPO } from "./support/run-fixture.ts";

const MINIMAL = {
  source: { type: "ssi", timeSeries: "ts.csv", testPos: "tp.csv" },
  regions: [{ code: 1084, labCapacityPerDay: 100 }],
  demoRoster: {},
};

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function writeConfig(json: unknown): string {
  dir = mkdtempSync(join(tmpdir(), "testrota-config-"));
  const file = join(dir, "testrota.json");
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

describe("loadConfig", () => {
  it("fills every default and resolves paths against the config file's folder", () => {
    const file = writeConfig(MINIMAL);
    const config = loadConfig(file);
    const folder = dir ?? "";
    expect(config.thresholdPer100k).toBe(20);
    expect(config.timezone).toBe("Europe/Copenhagen");
    expect(config.window).toEqual({ startOffsetDays: -8, endOffsetDays: -2 });
    expect(config.source).toMatchObject({
      timeSeries: join(folder, "ts.csv"),
      testPos: join(folder, "tp.csv"),
    });
    expect(config.dataDir).toBe(join(folder, "data"));
    expect(config.regions[0]).toMatchObject({
      testWeekdays: [1, 2, 3, 4, 5],
      pickupTime: "08:00",
      pickupDayOffset: 1,
    });
  });

  const precedence = [
    { name: "the file's own directories", env: {}, flags: {}, data: "file", out: "file" },
    {
      name: "environment over the file",
      env: { TESTROTA_DATA_DIR: "/env/data", TESTROTA_OUT_DIR: "/env/out" },
      flags: {},
      data: "/env/data",
      out: "/env/out",
    },
    {
      name: "flags over the environment",
      env: { TESTROTA_DATA_DIR: "/env/data" },
      flags: { dataDir: "/flag/data", outDir: "/flag/out" },
      data: "/flag/data",
      out: "/flag/out",
    },
  ];
  it.each(precedence)("$name", ({ env, flags, data, out }) => {
    const file = writeConfig({ ...MINIMAL, dataDir: "state", outDir: "published" });
    const config = loadConfig(file, env, flags);
    expect(config.dataDir).toBe(data === "file" ? join(dir ?? "", "state") : data);
    expect(config.outDir).toBe(out === "file" ? join(dir ?? "", "published") : out);
  });

  const invalid = [
    { name: "not JSON", json: "{ nope", expected: ["(root): expected valid JSON"] },
    { name: "a wrong type", json: { ...MINIMAL, thresholdPer100k: "20" }, expected: ["thresholdPer100k: "] },
    {
      name: "a 6-day window",
      json: { ...MINIMAL, window: { startOffsetDays: -7, endOffsetDays: -2 } },
      expected: ["window: expected a 7-day window"],
    },
    {
      name: "an unknown source type",
      json: { ...MINIMAL, source: { type: "ftp" } },
      expected: ["source.type: "],
    },
    {
      name: "neither roster nor demo",
      json: { source: MINIMAL.source, regions: MINIMAL.regions },
      expected: ["expected `sites` and `roster`, or `demoRoster`"],
    },
    {
      name: "a bad weekday and a bad time",
      json: {
        ...MINIMAL,
        regions: [{ code: 1084, labCapacityPerDay: 1, testWeekdays: ["funday"], pickupTime: "25:00" }],
      },
      expected: ["regions[0].testWeekdays[0]: ", "regions[0].pickupTime: expected HH:MM"],
    },
  ];
  it.each(invalid)("rejects $name with file: path: message", ({ json, expected }) => {
    const file = writeConfig(json);
    let error: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    for (const text of expected)
      expect(
        issues.some((issue) => issue.startsWith(`${file}: `) && issue.includes(text)),
        text,
      ).toBe(true);
  });

  it("validateConfig finds no problem in the bundled config", () => {
    const bundled = JSON.parse(readFileSync(join(REPO, "config", "testrota.json"), "utf8")) as unknown;
    expect(validateConfig("config/testrota.json", bundled)).toEqual([]);
  });
});

describe("createClock", () => {
  it("runs from TESTROTA_NOW when set", () => {
    let real = 1_000;
    const clock = createClock({ TESTROTA_NOW: "2020-09-30T12:00:00+02:00" }, () => real);
    expect(new Date(clock()).toISOString()).toBe("2020-09-30T10:00:00.000Z");
    real += 5_000;
    expect(new Date(clock()).toISOString()).toBe("2020-09-30T10:00:05.000Z");
  });

  it("rejects a TESTROTA_NOW that is not an instant", () => {
    expect(() => createClock({ TESTROTA_NOW: "next wednesday" })).toThrow(
      /TESTROTA_NOW: got "next wednesday"/,
    );
  });
});
