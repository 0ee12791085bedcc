import { DateTime, IANAZone } from "luxon";
import { resolve } from "node:path";
import { z } from "zod";
import { compareWeeks, parseIsoWeek } from "./domain/calendar.ts";
import { OVERRIDE_ACTIONS } from "./domain/classify.ts";
import { notificationsSchema, portalSchema, smtpSchema, webhookSchema } from "./config-delivery-schema.ts";
import { expected, localTime, regionSchema } from "./config-region-schema.ts";
import { renderSchema, retentionSchema, storeSchema } from "./config-store-schema.ts";

/*
 * The configuration contract. Every object is strict (an unknown key is an error, usually a
 * typo), every key has a description and (where sensible) a default; the README's reference
 * table and `docs/config.schema.json` are generated from this schema (`npm run docs:config`).
 * Relative paths are resolved against the config file's folder (see config.ts).
 */

/** The reference table shipped with testrota, outside `config/` so a mounted config never hides it. */
export const BUNDLED_REFERENCE = resolve(import.meta.dirname, "..", "reference", "municipalities.csv");

const WEEK = /^\d{4}-W\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const isoWeekText = z
  .string()
  .regex(WEEK, expected("an ISO week like 2020-W37"))
  .refine((text) => parseIsoWeek(text) !== undefined, expected("an existing ISO week (W01–W52/W53)"));

const isoDate = z
  .string()
  .regex(DATE, expected("a date YYYY-MM-DD"))
  .refine((text) => DateTime.fromISO(text).isValid, expected("an existing date YYYY-MM-DD"));

const location = z
  .string()
  .min(1)
  .describe("a local path (relative to the config file) or an http(s):// URL");

const httpSchema = z
  .strictObject({
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
  .strictObject({
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
  .strictObject({
    type: z.literal("arcgis"),
    url: location.describe(
      "FeatureServer layer URL, e.g. https://…/FeatureServer/0 (the /query is appended).",
    ),
    where: z.string().default("1=1").describe("ArcGIS `where` clause."),
    pageSize: z.number().int().positive().max(10_000).default(1000).describe("resultRecordCount per page."),
    fields: z
      .strictObject({
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
  .strictObject({
    type: z.literal("csv"),
    url: location.describe("A `code;cases_7d;population` or `code;incidence` file."),
    lastUpdate: isoDate
      .optional()
      .describe("Last day the file covers (YYYY-MM-DD), if the file does not say."),
  })
  .describe("A plain CSV with 7-day figures per municipality.");

const overrideSchema = z
  .strictObject({
    id: z.string().min(1).describe("Stable id of the decision, e.g. STPS case number."),
    municipalityCode: z.number().int(),
    from: isoWeekText.describe(
      "First classification week the decision applies to (the run of week W publishes the rota of W+1).",
    ),
    to: isoWeekText.describe("Last classification week (included)."),
    action: z.enum(OVERRIDE_ACTIONS),
    siteIds: z.array(z.string().min(1)).default([]).describe("Sites for limit-to-sites."),
    reason: z.string().min(1),
    author: z.string().optional(),
  })
  .refine(
    (o) => {
      const from = parseIsoWeek(o.from);
      const to = parseIsoWeek(o.to);
      return from === undefined || to === undefined || compareWeeks(from, to) <= 0;
    },
    {
      path: ["to"],
      error: (issue) => {
        const o = issue.input as { from?: unknown; to?: unknown };
        return `got ${JSON.stringify(o.to)}, expected a week on or after from (${JSON.stringify(o.from)})`;
      },
    },
  );

const workerSchema = z
  .strictObject({
    time: localTime.default("10:00").describe("Local time of the Wednesday run."),
    retryEveryMinutes: z
      .number()
      .int()
      .positive()
      .default(60)
      .describe("After a failed Wednesday run, try again this often the same day."),
    lastAttempt: localTime.default("20:00").describe("No retry after this local time."),
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
      .describe("Port of /healthz, /readyz and /metrics. `TESTROTA_HEALTH_PORT` (set in the image) wins."),
    host: z.string().default("0.0.0.0").describe("Address the health server listens on."),
    shutdownGraceSeconds: z
      .number()
      .int()
      .nonnegative()
      .default(30)
      .describe("On SIGTERM, let a run in flight finish this long before aborting it."),
  })
  .describe("The long-running worker (`testrota worker`).");

const shiftWindow = z
  .strictObject({
    start: localTime.describe("Local start time HH:MM."),
    end: localTime.describe("Local end time HH:MM; at or before the start means the next morning."),
  })
  .refine((w) => w.start !== w.end, { message: "expected a window of some length (start ≠ end)" });

const documentsSchema = z
  .strictObject({
    language: z
      .enum(["da", "en"])
      .default("da")
      .describe(
        "Language of the documents people read (workbook, site sheets, calendars, read-me files, report); the CSV and JSON files are not translated.",
      ),
    contact: z
      .string()
      .max(300)
      .default("")
      .describe("Who coordinators contact about the rota, printed on the workbook's cover (no staff data)."),
    shiftHours: z
      .strictObject({
        day: shiftWindow.default({ start: "07:00", end: "15:00" }).describe("Day shift."),
        evening: shiftWindow.default({ start: "15:00", end: "23:00" }).describe("Evening shift."),
        night: shiftWindow.default({ start: "23:00", end: "07:00" }).describe("Night shift."),
      })
      .default({
        day: { start: "07:00", end: "15:00" },
        evening: { start: "15:00", end: "23:00" },
        night: { start: "23:00", end: "07:00" },
      })
      .describe("The hours of the three shifts: the time windows of sessions on site sheets and calendars."),
  })
  .describe("The human documents: language, contact, shift hours.");

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe("JSON Schema of this file, for editors."),
    timezone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), expected("an IANA time zone like Europe/Copenhagen"))
      .default("Europe/Copenhagen")
      .describe("IANA zone of the Wednesday classification and all dates."),
    thresholdPer100k: z
      .number()
      .positive()
      .default(20)
      .describe("Red when the 7-day incidence per 100,000 is at least this (inclusive)."),
    window: z
      .strictObject({
        startOffsetDays: z.number().int().default(-8).describe("Window start relative to the Wednesday D."),
        endOffsetDays: z.number().int().default(-2).describe("Window end relative to D (last complete day)."),
      })
      .refine((w) => w.endOffsetDays - w.startOffsetDays === 6, {
        message: "expected a 7-day window (end − start = 6)",
      })
      .default({ startOffsetDays: -8, endOffsetDays: -2 })
      .describe("Classification window: 7 complete days, by date."),
    cycle: z
      .strictObject({
        anchorWeek: isoWeekText
          .default("2020-W01")
          .describe("An ISO week that is week 0 of the 6-week green cycle (cycle weeks 0–5 repeat from it)."),
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
    referenceRules: z
      .enum(["denmark", "any"])
      .default("denmark")
      .describe(
        "`denmark`: the reference holds exactly the 98 municipalities (3-digit codes) in the DAGI regions 1081–1085; `any`: another country's table with the same columns (numeric codes, any count), e.g. the German districts of the benchmark.",
      ),
    regions: z
      .array(regionSchema)
      .min(1)
      .describe("Per region: test weekdays, lab capacity, pickup runs, routes and kits."),
    sites: location
      .optional()
      .describe(
        "Sites CSV: site_id;municipality_code;kind;name;address (optional: latitude;longitude;contact_phone;access_note;pickup_hours).",
      ),
    postcodes: location
      .optional()
      .describe(
        "Optional postcode table postcode;latitude;longitude: the position of sites without their own coordinates (approximate); else a point inside the municipality.",
      ),
    roster: z
      .strictObject({
        dir: location.describe("Folder with one roster CSV per municipality."),
        pattern: z
          .string()
          .refine((p) => p.includes("{code}"), expected("a file name containing {code}, e.g. {code}.csv"))
          .default("{code}.csv")
          .describe("File name per municipality; {code} is replaced."),
      })
      .optional()
      .describe("Roster exports from the municipalities' HR systems."),
    demoRoster: z
      .strictObject({
        seed: z.number().int().default(2020).describe("Seed of the deterministic generator."),
        staffShare: z
          .number()
          .positive()
          .max(0.1)
          .default(0.017)
          .describe("Care staff as a share of the population."),
        referenceDate: isoDate
          .default("2020-09-30")
          .describe("Date around which new starters and leavers are generated."),
      })
      .optional()
      .describe("Instead of `sites` + `roster`: a synthetic roster generated in memory (demo, benchmarks)."),
    overrides: z
      .array(overrideSchema)
      .default([])
      .describe(
        "STPS decisions (keep-green, force-red, limit-to-sites), in classification weeks: an override for W changes the run of W, which publishes the rota of test week W+1.",
      ),
    dataDir: z
      .string()
      .default("data")
      .describe(
        "State: the SQLite store (with the raw captures), the run lock file, attendance drop folders.",
      ),
    store: storeSchema.default({ type: "sqlite" }),
    outDir: z.string().default("out").describe("Published week folders."),
    retention: retentionSchema.default(retentionSchema.parse({})),
    render: renderSchema.default(renderSchema.parse({})),
    worker: workerSchema.default(workerSchema.parse({})),
    documents: documentsSchema.default(documentsSchema.parse({})),
    attendance: z
      .strictObject({
        graceWeeks: z
          .number()
          .int()
          .min(1)
          .max(4)
          .default(1)
          .describe(
            "Weeks after a test week by whose run its attendance must be returned (1: by the run of the following Wednesday); a test still without an outcome then counts as not reported and is owed.",
          ),
      })
      .default({ graceWeeks: 1 })
      .describe(
        "Attendance returned by coordinators (`testrota attendance import`, or files in <dataDir>/attendance/<week>/).",
      ),
    portal: portalSchema.default(portalSchema.parse({})),
    smtp: smtpSchema.optional(),
    webhooks: z
      .array(webhookSchema)
      .refine((hooks) => new Set(hooks.map((h) => h.id)).size === hooks.length, {
        message: "expected every webhook id once (the outbox keys deliveries by it)",
      })
      .default([])
      .describe("Systems told about each published week by a signed JSON POST (see docs/portal.md)."),
    notifications: notificationsSchema.default(notificationsSchema.parse({})),
  })
  .refine((c) => c.demoRoster !== undefined || (c.sites !== undefined && c.roster !== undefined), {
    message: "expected `sites` and `roster`, or `demoRoster`",
  });

export type ParsedConfig = z.output<typeof configSchema>;
