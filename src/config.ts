import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseIsoWeek, WEEKDAY_NAMES, type IsoWeek, type Weekday } from "./domain/calendar.ts";
import { OVERRIDE_ACTIONS, type Override } from "./domain/classify.ts";
import type { RegionPlanSettings } from "./domain/plan-types.ts";
import { ConfigError } from "./errors.ts";

/*
 * The configuration contract. Every key has a description and (where sensible) a default; the
 * README's reference table and `docs/config.schema.json` are generated from this schema
 * (`npm run docs:config`). Relative paths are resolved against the config file's folder.
 */

/** The reference table shipped with testrota, outside `config/` so a mounted config never hides it. */
export const BUNDLED_REFERENCE = resolve(import.meta.dirname, "..", "reference", "municipalities.csv");

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEK = /^\d{4}-W\d{2}$/;

const isoWeekText = z
  .string()
  .regex(WEEK, "expected an ISO week like 2020-W37")
  .refine((text) => parseIsoWeek(text) !== undefined, "expected an existing ISO week");

const location = z
  .string()
  .min(1)
  .describe("a local path (relative to the config file) or an http(s):// URL");

const httpSchema = z
  .object({
    connectTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe("TCP/TLS connect timeout per attempt."),
    headersTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe("Time to wait for response headers per attempt."),
    bodyTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe("Maximum idle time between body chunks per attempt."),
    deadlineMs: z
      .number()
      .int()
      .positive()
      .default(120_000)
      .describe("Overall deadline for one fetch, all retries included."),
    maxAttempts: z.number().int().min(1).max(20).default(5).describe("Attempts per request (1 = no retry)."),
    minBackoffMs: z
      .number()
      .int()
      .nonnegative()
      .default(500)
      .describe("First retry delay; doubles each attempt, with jitter."),
    maxBackoffMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe("Largest retry delay (also caps Retry-After)."),
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024)
      .describe("Responses larger than this fail."),
  })
  .describe("HTTP client settings for the incidence source (proxy comes from HTTP(S)_PROXY / NO_PROXY).");

const ssiSource = z
  .object({
    type: z.literal("ssi"),
    timeSeries: location.optional().describe("Municipality_cases_time_series.csv: path or URL."),
    testPos: location.optional().describe("Municipality_test_pos.csv: path or URL."),
    zip: location
      .optional()
      .describe("SSI's Data-Epidemiologiske-Rapport-*.zip holding the pair (instead of the two files)."),
  })
  .refine((s) => (s.zip !== undefined) !== (s.timeSeries !== undefined && s.testPos !== undefined), {
    message: "expected either `zip` or both `timeSeries` and `testPos`",
  })
  .describe("SSI's CSV pair (daily cases by municipality name + population by code).");

const arcgisSource = z
  .object({
    type: z.literal("arcgis"),
    url: location.describe(
      "FeatureServer layer URL, e.g. https://…/FeatureServer/0 (the /query is appended).",
    ),
    where: z.string().default("1=1").describe("ArcGIS `where` clause."),
    pageSize: z.number().int().positive().max(10_000).default(1000).describe("resultRecordCount per page."),
    fields: z
      .object({
        code: z.string().default("kommunekode").describe("Field holding the municipality code."),
        incidence: z.string().optional().describe("Field holding incidence per 100,000 (7 days)."),
        cases7d: z.string().optional().describe("Field holding cases in the last 7 days."),
        population: z.string().optional().describe("Field holding population."),
        lastUpdate: z.string().optional().describe("Field holding the last update (epoch ms or date text)."),
      })
      .refine((f) => f.incidence !== undefined || f.cases7d !== undefined, {
        message: "expected `incidence` or `cases7d` field mapping",
      })
      .describe("Field mapping of the layer."),
  })
  .describe("An ArcGIS FeatureServer layer with 7-day figures per municipality.");

const csvSource = z
  .object({
    type: z.literal("csv"),
    url: location.describe("A `code;cases_7d;population` or `code;incidence` file."),
    lastUpdate: z
      .string()
      .optional()
      .describe("Last day the file covers (YYYY-MM-DD), if the file does not say."),
  })
  .describe("A plain CSV with 7-day figures per municipality.");

const weekdayName = z.enum(WEEKDAY_NAMES);

const regionSchema = z.object({
  code: z.number().int().describe("Region code (DAGI 1081–1085)."),
  testWeekdays: z
    .array(weekdayName)
    .min(1)
    .default(["monday", "tuesday", "wednesday", "thursday", "friday"])
    .describe("Weekdays on which tests are taken (and samples picked up the next pickup day)."),
  labCapacityPerDay: z
    .number()
    .int()
    .positive()
    .describe("Samples the region's lab can analyse per test day."),
  pickupTime: z.string().regex(TIME, "expected HH:MM").default("08:00").describe("Local pickup time."),
  pickupDayOffset: z
    .number()
    .int()
    .min(0)
    .max(3)
    .default(1)
    .describe("Days after the test date the samples are picked up (1 = next morning)."),
});

const overrideSchema = z.object({
  id: z.string().min(1).describe("Stable id of the decision, e.g. STPS case number."),
  municipalityCode: z.number().int(),
  from: isoWeekText.describe("First ISO week the decision applies to."),
  to: isoWeekText.describe("Last ISO week (included)."),
  action: z.enum(OVERRIDE_ACTIONS),
  siteIds: z.array(z.string().min(1)).default([]).describe("Sites for limit-to-sites."),
  reason: z.string().min(1),
  author: z.string().optional(),
});

const workerSchema = z
  .object({
    time: z
      .string()
      .regex(TIME, "expected HH:MM")
      .default("10:00")
      .describe("Local time of the Wednesday run."),
    retryEveryMinutes: z
      .number()
      .int()
      .positive()
      .default(60)
      .describe("After a failed Wednesday run, try again this often the same day."),
    lastAttempt: z
      .string()
      .regex(TIME, "expected HH:MM")
      .default("20:00")
      .describe("No retry after this local time."),
    catchUpWeeks: z
      .number()
      .int()
      .min(0)
      .max(8)
      .default(1)
      .describe(
        "A missed Wednesday at most this many weeks ago is run at start-up; older ones are reported.",
      ),
    port: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(9464)
      .describe("Port of /healthz, /readyz and /metrics."),
    host: z.string().default("0.0.0.0").describe("Address the health server listens on."),
    shutdownGraceSeconds: z
      .number()
      .int()
      .nonnegative()
      .default(30)
      .describe("On SIGTERM, let a run in flight finish this long before aborting it."),
  })
  .describe("The long-running worker (`testrota worker`).");

export const configSchema = z
  .object({
    timezone: z
      .string()
      .default("Europe/Copenhagen")
      .describe("Zone of the Wednesday classification and all dates."),
    thresholdPer100k: z
      .number()
      .positive()
      .default(20)
      .describe("Red when the 7-day incidence per 100,000 is at least this (inclusive)."),
    window: z
      .object({
        startOffsetDays: z.number().int().default(-8).describe("Window start relative to the Wednesday D."),
        endOffsetDays: z.number().int().default(-2).describe("Window end relative to D (last complete day)."),
      })
      .refine((w) => w.endOffsetDays - w.startOffsetDays === 6, {
        message: "expected a 7-day window (end − start = 6)",
      })
      .default({ startOffsetDays: -8, endOffsetDays: -2 })
      .describe("Classification window: 7 complete days, by date."),
    cycle: z
      .object({
        anchorWeek: isoWeekText
          .default("2020-W01")
          .describe("An ISO week that is week 1 of the 6-week green cycle."),
      })
      .default({ anchorWeek: "2020-W01" })
      .describe("The green 6-week test cycle."),
    warmUpWeeks: z
      .number()
      .int()
      .min(0)
      .max(26)
      .default(6)
      .describe("Weeks of history classified from the same data when the store has no earlier state."),
    source: z
      .discriminatedUnion("type", [ssiSource, arcgisSource, csvSource])
      .describe("Where the weekly incidence comes from."),
    http: httpSchema.default(httpSchema.parse({})),
    reference: location
      .optional()
      .describe(
        "The 98 municipalities: code, name, region, population, aliases. Default: the file bundled with testrota (`reference/municipalities.csv` of the installation).",
      ),
    regions: z.array(regionSchema).min(1).describe("Per region: test weekdays, lab capacity, pickups."),
    sites: location.optional().describe("Sites CSV: site_id;municipality_code;kind;name;address."),
    roster: z
      .object({
        dir: location.describe("Folder with one roster CSV per municipality."),
        pattern: z.string().default("{code}.csv").describe("File name per municipality; {code} is replaced."),
      })
      .optional()
      .describe("Roster exports from the municipalities' HR systems."),
    demoRoster: z
      .object({
        seed: z.number().int().default(2020).describe("Seed of the deterministic generator."),
        staffShare: z
          .number()
          .positive()
          .max(0.1)
          .default(0.017)
          .describe("Care staff as a share of the population."),
        referenceDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
          .default("2020-09-30")
          .describe("Date around which new starters and leavers are generated."),
      })
      .optional()
      .describe("Instead of `sites` + `roster`: a synthetic roster generated in memory (demo, benchmarks)."),
    overrides: z
      .array(overrideSchema)
      .default([])
      .describe("STPS decisions (keep-green, force-red, limit-to-sites)."),
    dataDir: z.string().default("data").describe("State (SQLite), raw captures, lock file."),
    outDir: z.string().default("out").describe("Published week folders."),
    worker: workerSchema.default(workerSchema.parse({})),
  })
  .refine((c) => c.demoRoster !== undefined || (c.sites !== undefined && c.roster !== undefined), {
    message: "expected `sites` and `roster`, or `demoRoster`",
  });

type ParsedConfig = z.output<typeof configSchema>;

/** A region as the planner reads it (weekday names turned into ISO weekday numbers). */
export type RegionConfig = RegionPlanSettings;

/** The validated configuration with absolute paths and parsed weeks. */
export type Config = Omit<ParsedConfig, "overrides" | "cycle" | "regions" | "reference"> & {
  readonly configFile: string;
  readonly reference: string;
  readonly cycle: { readonly anchorWeek: IsoWeek };
  readonly regions: readonly RegionConfig[];
  readonly overrides: readonly Override[];
};

export type ConfigOverrides = {
  readonly dataDir?: string | undefined;
  readonly outDir?: string | undefined;
};

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("")
    .replace(/^\./, "");
}

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function resolveLocation(base: string, value: string): string {
  return isUrl(value) || isAbsolute(value) ? value : resolve(base, value);
}

/** Validates parsed JSON; returns problems as `file: path: message` (empty when valid). */
export function validateConfig(file: string, json: unknown): string[] {
  const result = configSchema.safeParse(json);
  if (result.success) return [];
  return result.error.issues.map(
    (issue) => `${file}: ${formatPath(issue.path) || "(root)"}: ${issue.message}`,
  );
}

/** Turns parsed JSON into a resolved Config or throws a ConfigError listing every problem. */
export function resolveConfig(file: string, json: unknown, overrides: ConfigOverrides = {}): Config {
  const result = configSchema.safeParse(json);
  if (!result.success) throw new ConfigError(validateConfig(file, json));
  const parsed = result.data;
  const base = dirname(resolve(file));
  const weekdayNumber = (name: (typeof WEEKDAY_NAMES)[number]) =>
    (WEEKDAY_NAMES.indexOf(name) + 1) as Weekday;
  const source = (() => {
    const s = parsed.source;
    if (s.type === "ssi") {
      return {
        ...s,
        timeSeries: s.timeSeries && resolveLocation(base, s.timeSeries),
        testPos: s.testPos && resolveLocation(base, s.testPos),
        zip: s.zip && resolveLocation(base, s.zip),
      };
    }
    return { ...s, url: resolveLocation(base, s.url) };
  })();
  return {
    ...parsed,
    configFile: resolve(file),
    source,
    reference: parsed.reference === undefined ? BUNDLED_REFERENCE : resolveLocation(base, parsed.reference),
    sites: parsed.sites && resolveLocation(base, parsed.sites),
    roster: parsed.roster && { ...parsed.roster, dir: resolveLocation(base, parsed.roster.dir) },
    dataDir: resolve(overrides.dataDir ?? resolve(base, parsed.dataDir)),
    outDir: resolve(overrides.outDir ?? resolve(base, parsed.outDir)),
    cycle: { anchorWeek: parseIsoWeek(parsed.cycle.anchorWeek) as IsoWeek },
    regions: parsed.regions.map((r) => ({ ...r, testWeekdays: r.testWeekdays.map(weekdayNumber) })),
    overrides: parsed.overrides.map((o) => ({
      ...o,
      from: parseIsoWeek(o.from) as IsoWeek,
      to: parseIsoWeek(o.to) as IsoWeek,
    })),
  };
}

/** Reads and validates a config file; env vars TESTROTA_DATA_DIR / TESTROTA_OUT_DIR win over it. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = {}, flags: ConfigOverrides = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([`${file}: cannot read config file (${(error as Error).message})`], {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ConfigError([`${file}: (root): expected valid JSON (${(error as Error).message})`], {
      cause: error,
    });
  }
  return resolveConfig(file, json, {
    dataDir: flags.dataDir ?? env.TESTROTA_DATA_DIR,
    outDir: flags.outDir ?? env.TESTROTA_OUT_DIR,
  });
}

/** Default config file: $TESTROTA_CONFIG or config/testrota.json. */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  return env.TESTROTA_CONFIG ?? "config/testrota.json";
}
