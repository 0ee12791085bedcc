import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createClock } from "../src/clock.ts";
import { loadConfig, suggestKey, validateConfig } from "../src/config.ts";
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

/** Writes the config into a fresh folder beside the two (empty) SSI files it names. */
function writeConfig(json: unknown): string {
  dir = mkdtempSync(join(tmpdir(), "testrota-config-"));
  writeFileSync(join(dir, "ts.csv"), "");
  writeFileSync(join(dir, "tp.csv"), "");
  const file = join(dir, "testrota.json");
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
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
    expect(config.worker.port).toBe(9464);
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

  it("TESTROTA_HEALTH_PORT wins over worker.port (the image's HEALTHCHECK reads the same variable)", () => {
    const file = writeConfig({ ...MINIMAL, worker: { port: 9100 } });
    expect(loadConfig(file).worker.port).toBe(9100);
    expect(loadConfig(file, { TESTROTA_HEALTH_PORT: "9555" }).worker.port).toBe(9555);
    const error = configErrorOf(() => loadConfig(file, { TESTROTA_HEALTH_PORT: "95x" }));
    expect(error.message).toMatch(/^TESTROTA_HEALTH_PORT: got "95x", expected a port number 0–65535/);
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
      expected: [
        "regions[0].testWeekdays[0]: ",
        'regions[0].pickupTime: got "25:00", expected a local time HH:MM',
      ],
    },
  ];
  it.each(invalid)("rejects $name with file: path: message", ({ json, expected }) => {
    const file = writeConfig(json);
    const issues = configErrorOf(() => loadConfig(file)).issues;
    for (const text of expected)
      expect(
        issues.some((issue) => issue.startsWith(`${file}: `) && issue.includes(text)),
        text,
      ).toBe(true);
  });

  it.each(["config/testrota.json", "deploy/testrota.example.json"])(
    "validateConfig finds no problem in %s",
    (file) => {
      const json = JSON.parse(readFileSync(join(REPO, file), "utf8")) as unknown;
      expect(validateConfig(file, json)).toEqual([]);
    },
  );
});

/*
 * The mistakes operators made (issue 8), one case each: every one is a ConfigError (exit 78)
 * whose single issue names the file, the JSON path and what was expected. `at` is the path,
 * `says` the rest of the message, both written out by hand.
 */
type Mistake = {
  name: string;
  patch: (json: Record<string, unknown>, folder: string) => void;
  at: string;
  says: (folder: string) => string;
};

const mistakes: Mistake[] = [
  {
    name: "an unknown key one letter off (thresholdPer100K)",
    patch: (json) => {
      json.thresholdPer100K = 20;
    },
    at: "thresholdPer100K",
    says: () => "unknown key, did you mean `thresholdPer100k`?",
  },
  {
    name: "a swapped pair of letters in a nested key (worker.tmie)",
    patch: (json) => {
      json.worker = { tmie: "10:00" };
    },
    at: "worker.tmie",
    says: () => "unknown key, did you mean `time`?",
  },
  {
    name: "an unknown key in a source (source.tiemSeries)",
    patch: (json) => {
      json.source = { type: "ssi", timeSeries: "ts.csv", testPos: "tp.csv", tiemSeries: "ts.csv" };
    },
    at: "source.tiemSeries",
    says: () => "unknown key, did you mean `timeSeries`?",
  },
  {
    name: "a key nothing resembles",
    patch: (json) => {
      json.window = { startOffsetDays: -8, endOffsetDays: -2, colour: "red" };
    },
    at: "window.colour",
    says: () => "unknown key, expected one of startOffsetDays, endOffsetDays",
  },
  {
    name: "a misspelt time zone",
    patch: (json) => {
      json.timezone = "Europe/Copenhagn";
    },
    at: "timezone",
    says: () => 'got "Europe/Copenhagn", expected an IANA time zone like Europe/Copenhagen',
  },
  {
    name: "a time without its leading zero",
    patch: (json) => {
      json.worker = { time: "7:30" };
    },
    at: "worker.time",
    says: () => 'got "7:30", expected a local time HH:MM (00:00–23:59)',
  },
  {
    name: "a week that does not exist (2020 has 53 weeks, not 54)",
    patch: (json) => {
      json.cycle = { anchorWeek: "2020-W54" };
    },
    at: "cycle.anchorWeek",
    says: () => 'got "2020-W54", expected an existing ISO week (W01–W52/W53)',
  },
  {
    name: "an override with a reversed range",
    patch: (json) => {
      json.overrides = [
        {
          id: "STPS-1",
          municipalityCode: 101,
          from: "2020-W45",
          to: "2020-W41",
          action: "keep-green",
          reason: "x",
        },
      ];
    },
    at: "overrides[0].to",
    says: () => 'got "2020-W41", expected a week on or after from ("2020-W45")',
  },
  {
    name: "a date that does not exist",
    patch: (json) => {
      json.demoRoster = { referenceDate: "2020-02-30" };
    },
    at: "demoRoster.referenceDate",
    says: () => 'got "2020-02-30", expected an existing date YYYY-MM-DD',
  },
  {
    name: "a roster pattern without {code}",
    patch: (json, folder) => {
      mkdirSync(join(folder, "roster"));
      writeFileSync(join(folder, "sites.csv"), "");
      delete json.demoRoster;
      json.sites = "sites.csv";
      json.roster = { dir: "roster", pattern: "roster.csv" };
    },
    at: "roster.pattern",
    says: () => 'got "roster.csv", expected a file name containing {code}, e.g. {code}.csv',
  },
  {
    name: "a missing sites file",
    patch: (json, folder) => {
      mkdirSync(join(folder, "roster"));
      delete json.demoRoster;
      json.sites = "sites.csv";
      json.roster = { dir: "roster" };
    },
    at: "sites",
    says: (folder) => `${join(folder, "sites.csv")}: no such file or folder, expected the sites CSV`,
  },
  {
    name: "a missing roster folder",
    patch: (json, folder) => {
      writeFileSync(join(folder, "sites.csv"), "");
      delete json.demoRoster;
      json.sites = "sites.csv";
      json.roster = { dir: "hr-export" };
    },
    at: "roster.dir",
    says: (folder) =>
      `${join(folder, "hr-export")}: no such file or folder, expected the folder of roster CSVs`,
  },
  {
    name: "a file where the roster folder belongs",
    patch: (json, folder) => {
      writeFileSync(join(folder, "sites.csv"), "");
      delete json.demoRoster;
      json.sites = "sites.csv";
      json.roster = { dir: "sites.csv" };
    },
    at: "roster.dir",
    says: (folder) => `${join(folder, "sites.csv")}: is a file, expected the folder of roster CSVs`,
  },
  {
    name: "a missing reference file",
    patch: (json) => {
      json.reference = "reference/municipalities.csv";
    },
    at: "reference",
    says: (folder) =>
      `${join(folder, "reference", "municipalities.csv")}: no such file or folder, expected the municipalities CSV`,
  },
  {
    name: "a missing local SSI file",
    patch: (json) => {
      json.source = { type: "ssi", timeSeries: "ts.csv", testPos: "Municipality_test_pos.csv" };
    },
    at: "source.testPos",
    says: (folder) =>
      `${join(folder, "Municipality_test_pos.csv")}: no such file or folder, expected the incidence file`,
  },
];

describe("mistakes in the config: exit 78 with file, JSON path and what was expected", () => {
  it.each(mistakes)("$name", ({ patch, at, says }) => {
    const json: Record<string, unknown> = structuredClone(MINIMAL);
    const file = writeConfig(json);
    const folder = dir ?? "";
    patch(json, folder);
    writeFileSync(file, JSON.stringify(json));
    const error = configErrorOf(() => loadConfig(file));
    expect(error.exitCode).toBe(78);
    expect(error.issues).toEqual([`${file}: ${at}: ${says(folder)}`]);
  });
});

describe("suggestKey", () => {
  const known = ["time", "retryEveryMinutes", "lastAttempt", "catchUpWeeks", "port", "host"];
  const cases = [
    { name: "a swapped pair", unknown: "tmie", meant: "time" },
    { name: "case only", unknown: "Port", meant: "port" },
    { name: "one letter missing", unknown: "catchUpWeek", meant: "catchUpWeeks" },
    { name: "two edits in a long key", unknown: "retryEvryMinuts", meant: "retryEveryMinutes" },
    { name: "nothing close", unknown: "colour", meant: undefined },
  ];
  it.each(cases)("$name: $unknown → $meant", ({ unknown, meant }) => {
    expect(suggestKey(unknown, known)).toBe(meant);
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
