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
    expect(config.regions[0]).toEqual({
      code: 1084,
      testWeekdays: [1, 2, 3, 4, 5],
      labCapacityPerDay: 100,
      // The pickup defaults of docs/pickup-routes.md, in the config's zone with the shift hours.
      pickups: {
        timezone: "Europe/Copenhagen",
        pickupWeekdays: [1, 2, 3, 4, 5],
        morningRun: { departure: "07:30", latestArrival: "12:00" },
        sameEveningWeekdays: [5],
        eveningRun: { departure: "15:30", latestArrival: "19:00" },
        maxWaitHours: 24,
        shiftHours: {
          day: { start: "07:00", end: "15:00" },
          evening: { start: "15:00", end: "23:00" },
          night: { start: "23:00", end: "07:00" },
        },
      },
      routes: undefined,
      kits: { bufferPercent: 10 },
    });
  });

  it("resolves a region's labs, road settings and its own pickup runs", () => {
    const file = writeConfig({
      ...MINIMAL,
      timezone: "Europe/Berlin",
      regions: [
        {
          code: 1084,
          labCapacityPerDay: 100,
          pickups: { weekdays: ["monday", "wednesday"], sameEvening: { weekdays: [] }, maxWaitHours: 48 },
          routes: {
            depots: [
              { name: "Hvidovre", latitude: 55.65, longitude: 12.47, vehicles: 3 },
              { name: "Rønne", latitude: 55.1, longitude: 14.71, vehicles: 1, municipalities: [400] },
            ],
            speedKmh: 40,
          },
          kits: { bufferPercent: 0 },
        },
      ],
    });
    const region = loadConfig(file).regions[0];
    expect(region?.pickups).toMatchObject({
      timezone: "Europe/Berlin",
      pickupWeekdays: [1, 3],
      sameEveningWeekdays: [],
      morningRun: { departure: "07:30", latestArrival: "12:00" },
      maxWaitHours: 48,
    });
    expect(region?.routes).toEqual({
      depots: [
        {
          name: "Hvidovre",
          location: { latitude: 55.65, longitude: 12.47 },
          vehicles: 3,
          municipalityCodes: undefined,
        },
        {
          name: "Rønne",
          location: { latitude: 55.1, longitude: 14.71 },
          vehicles: 1,
          municipalityCodes: [400],
        },
      ],
      stopMinutes: 10,
      speedKmh: 40,
      roadFactor: 1.3,
    });
    expect(region?.kits).toEqual({ bufferPercent: 0 });
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
        regions: [
          {
            code: 1084,
            labCapacityPerDay: 1,
            testWeekdays: ["funday"],
            pickups: { morning: { departure: "25:00" } },
          },
        ],
      },
      expected: [
        "regions[0].testWeekdays[0]: ",
        'regions[0].pickups.morning.departure: got "25:00", expected a local time HH:MM',
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

/*
 * A region's pickups, routes and kits: the cross-field rules and the removed keys, each one
 * ConfigError issue with the JSON path. Messages written out by hand.
 */
const regionMistakes: { name: string; region: Record<string, unknown>; at: string; says: string }[] = [
  {
    name: "the removed pickupTime names the key that replaced it",
    region: { pickupTime: "08:00" },
    at: "regions[0].pickupTime",
    says: "removed: replaced by regions[].pickups.morning.departure (the time the morning run leaves the lab)",
  },
  {
    name: "the removed pickupDayOffset says how samples go now",
    region: { pickupDayOffset: 1 },
    at: "regions[0].pickupDayOffset",
    says: "removed: samples now go with the first pickup run after their shift ends; see regions[].pickups (weekdays, sameEvening, maxWaitHours)",
  },
  {
    name: "a morning run back before it leaves",
    region: { pickups: { morning: { departure: "07:30", latestArrival: "07:00" } } },
    at: "regions[0].pickups.morning.latestArrival",
    says: 'got "07:00", expected a time after the departure ("07:30") the same day',
  },
  {
    name: "an evening run back at the moment it leaves",
    region: { pickups: { sameEvening: { departure: "16:00", latestArrival: "16:00" } } },
    at: "regions[0].pickups.sameEvening.latestArrival",
    says: 'got "16:00", expected a time after the departure ("16:00") the same day',
  },
  {
    name: "a same-evening run on a day without pickups",
    region: { pickups: { weekdays: ["monday", "thursday"], sameEvening: { weekdays: ["friday"] } } },
    at: "regions[0].pickups.sameEvening.weekdays[0]",
    says: 'got "friday", expected one of the pickup weekdays (monday, thursday)',
  },
  {
    name: "an evening run leaving before the morning vans are back",
    region: { pickups: { sameEvening: { departure: "11:00", latestArrival: "14:00" } } },
    at: "regions[0].pickups.sameEvening.departure",
    says: 'got "11:00", expected a time at or after the morning run\'s latest arrival ("12:00"): the vans drive both runs',
  },
  {
    name: "a lab's latitude with a digit missing",
    region: { routes: { depots: [{ name: "Hvidovre", latitude: 5.65, longitude: 12.47, vehicles: 2 }] } },
    at: "regions[0].routes.depots[0].latitude",
    says: "got 5.65, expected a latitude within Denmark (54.4–57.9)",
  },
  {
    name: "a municipality served by two labs",
    region: {
      routes: {
        depots: [
          { name: "Hvidovre", latitude: 55.65, longitude: 12.47, vehicles: 2, municipalities: [101] },
          { name: "Herlev", latitude: 55.73, longitude: 12.44, vehicles: 2, municipalities: [101] },
        ],
      },
    },
    at: "regions[0].routes.depots[1].municipalities[0]",
    says: 'got 101, already served by "Hvidovre", expected each municipality at one lab',
  },
  {
    name: "routes without a lab",
    region: { routes: { depots: [] } },
    at: "regions[0].routes.depots",
    says: "Too small: expected array to have >=1 items",
  },
  {
    name: "a buffer that is not a whole percentage",
    region: { kits: { bufferPercent: 12.5 } },
    at: "regions[0].kits.bufferPercent",
    says: "Invalid input: expected int, received number",
  },
];

describe("regions[]: pickups, routes and kits", () => {
  it.each(regionMistakes)("$name", ({ region, at, says }) => {
    const file = writeConfig({ ...MINIMAL, regions: [{ code: 1084, labCapacityPerDay: 100, ...region }] });
    const error = configErrorOf(() => loadConfig(file));
    expect(error.exitCode).toBe(78);
    expect(error.issues).toEqual([`${file}: ${at}: ${says}`]);
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
