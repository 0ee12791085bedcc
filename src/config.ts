import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import { parseIsoWeek, WEEKDAY_NAMES, type IsoWeek, type Weekday } from "./domain/calendar.ts";
import type { Override } from "./domain/classify.ts";
import type { ShiftHours } from "./domain/pickup-days.ts";
import type { RegionPlanSettings } from "./domain/plan-types.ts";
import { ConfigError } from "./errors.ts";
import { BUNDLED_REFERENCE, configSchema, type ParsedConfig } from "./config-schema.ts";
import { redactUrl } from "./lib/redact-url.ts";

/*
 * Loading the configuration: JSON → schema (src/config-schema.ts) → absolute paths and parsed
 * weeks, then the local files and folders it names are checked to exist. Every problem is one
 * `file: JSON path: message` line of a ConfigError (exit 78).
 */

/** The config file bundled with testrota (the demo): the image's default command runs it. */
const BUNDLED_CONFIG = resolve(import.meta.dirname, "..", "config", "testrota.json");

/** A region as the planner reads it (weekday names turned into ISO weekday numbers). */
export type RegionConfig = RegionPlanSettings;

/** The validated configuration with absolute paths and parsed weeks. */
export type Config = Omit<
  ParsedConfig,
  "$schema" | "overrides" | "cycle" | "regions" | "reference" | "store"
> & {
  readonly configFile: string;
  readonly store: StoreConfig;
  readonly reference: string;
  readonly cycle: { readonly anchorWeek: IsoWeek };
  readonly regions: readonly RegionConfig[];
  readonly overrides: readonly Override[];
};

/** Where the state lives; a PostgreSQL store always has its URL (from the file or the environment). */
export type StoreConfig =
  | { readonly type: "sqlite" }
  | { readonly type: "postgres"; readonly url: string; readonly schema: string; readonly poolSize: number };

/** Values that win over the file: flags, then environment variables. */
export type ConfigOverrides = {
  /** `TESTROTA_DATABASE_URL`: selects PostgreSQL with this URL (kept out of the file: it holds a password). */
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly outDir?: string | undefined;
  /** `TESTROTA_HEALTH_PORT`: the one port the image's HEALTHCHECK and the worker share. */
  readonly healthPort?: string | undefined;
};

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("")
    .replace(/^\./, "");
}

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
      row[j] = best;
    }
  }
  return (d[s.length] as number[])[t.length] ?? 0;
}

/** The known key an unknown one most probably meant, when one is close enough to be a typo. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(unknown.length / 4));
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(unknown, key);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** Validates parsed JSON; returns problems as `file: path: message` (empty when valid). */
export function validateConfig(file: string, json: unknown): string[] {
  return parseConfig(file, json).problems;
}

function parseConfig(
  file: string,
  json: unknown,
): { parsed: ParsedConfig; problems: [] } | { parsed: undefined; problems: string[] } {
  // The known keys of every strict object that met an unknown key, by the object itself.
  const knownKeys = new WeakMap<object, readonly string[]>();
  const result = configSchema.safeParse(json, {
    error: (issue) => {
      const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
      const input = issue.input;
      if (
        issue.code === "unrecognized_keys" &&
        shape !== undefined &&
        typeof input === "object" &&
        input !== null
      ) {
        knownKeys.set(input, Object.keys(shape));
      }
      return undefined;
    },
  });
  if (result.success) return { parsed: result.data, problems: [] };
  const problems = result.error.issues.flatMap((issue: z.core.$ZodIssue) => {
    if (issue.code !== "unrecognized_keys") {
      return [`${file}: ${formatPath(issue.path) || "(root)"}: ${issue.message}`];
    }
    const owner = valueAt(json, issue.path);
    const known = (typeof owner === "object" && owner !== null ? knownKeys.get(owner) : undefined) ?? [];
    return issue.keys.map((key) => {
      const meant = suggestKey(key, known);
      const hint = meant === undefined ? `expected one of ${known.join(", ")}` : `did you mean \`${meant}\`?`;
      return `${file}: ${formatPath([...issue.path, key])}: unknown key, ${hint}`;
    });
  });
  return { parsed: undefined, problems };
}

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function resolveLocation(base: string, value: string): string {
  return isUrl(value) || isAbsolute(value) ? value : resolve(base, value);
}

function healthPortOf(file: string, text: string | undefined, configured: number): number {
  if (text === undefined || text === "") return configured;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new ConfigError([
      `TESTROTA_HEALTH_PORT: got ${JSON.stringify(text)}, expected a port number 0–65535 (it replaces worker.port of ${file})`,
    ]);
  }
  return port;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

function storeOf(file: string, store: ParsedConfig["store"], databaseUrl: string | undefined): StoreConfig {
  const fromFile = store.type === "postgres" ? store : undefined;
  if (databaseUrl !== undefined && databaseUrl !== "") {
    if (!POSTGRES_URL.test(databaseUrl)) {
      throw new ConfigError([
        `TESTROTA_DATABASE_URL: got ${JSON.stringify(redactUrl(databaseUrl))}, expected a postgres:// or postgresql:// URL (it selects the PostgreSQL store of ${file})`,
      ]);
    }
    return {
      type: "postgres",
      url: databaseUrl,
      schema: fromFile?.schema ?? "testrota",
      poolSize: fromFile?.poolSize ?? 5,
    };
  }
  if (fromFile === undefined) return { type: "sqlite" };
  if (fromFile.url === undefined) {
    throw new ConfigError([
      `${file}: store.url: missing, expected a postgres:// URL here or in TESTROTA_DATABASE_URL (store.type is postgres)`,
    ]);
  }
  return { type: "postgres", url: fromFile.url, schema: fromFile.schema, poolSize: fromFile.poolSize };
}

type WeekdayName = (typeof WEEKDAY_NAMES)[number];

function weekdayNumber(name: WeekdayName): Weekday {
  return (WEEKDAY_NAMES.indexOf(name) + 1) as Weekday;
}

/**
 * A region as the planner reads it: weekday names as ISO numbers, the pickup runs in the config's
 * time zone with the documents' shift hours (a session's samples are ready when its shift ends),
 * the labs' coordinates as points.
 */
function resolveRegion(
  region: ParsedConfig["regions"][number],
  timezone: string,
  shiftHours: ShiftHours,
): RegionConfig {
  const { pickups, routes } = region;
  return {
    code: region.code,
    testWeekdays: region.testWeekdays.map(weekdayNumber),
    labCapacityPerDay: region.labCapacityPerDay,
    pickups: {
      timezone,
      pickupWeekdays: pickups.weekdays.map(weekdayNumber),
      morningRun: pickups.morning,
      sameEveningWeekdays: pickups.sameEvening.weekdays.map(weekdayNumber),
      eveningRun: {
        departure: pickups.sameEvening.departure,
        latestArrival: pickups.sameEvening.latestArrival,
      },
      maxWaitHours: pickups.maxWaitHours,
      shiftHours,
    },
    routes:
      routes === undefined
        ? undefined
        : {
            depots: routes.depots.map((depot) => ({
              name: depot.name,
              location: { latitude: depot.latitude, longitude: depot.longitude },
              vehicles: depot.vehicles,
              municipalityCodes: depot.municipalities,
            })),
            stopMinutes: routes.stopMinutes,
            speedKmh: routes.speedKmh,
            roadFactor: routes.roadFactor,
          },
    kits: region.kits,
  };
}

/** Turns parsed JSON into a resolved Config or throws a ConfigError listing every problem. */
export function resolveConfig(file: string, json: unknown, overrides: ConfigOverrides = {}): Config {
  const { parsed, problems } = parseConfig(file, json);
  if (parsed === undefined) throw new ConfigError(problems);
  const { $schema: _schema, ...settings } = parsed;
  const base = dirname(resolve(file));
  const source = (() => {
    const s = settings.source;
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
    ...settings,
    configFile: resolve(file),
    source,
    reference:
      settings.reference === undefined ? BUNDLED_REFERENCE : resolveLocation(base, settings.reference),
    sites: settings.sites && resolveLocation(base, settings.sites),
    postcodes: settings.postcodes && resolveLocation(base, settings.postcodes),
    roster: settings.roster && { ...settings.roster, dir: resolveLocation(base, settings.roster.dir) },
    dataDir: resolve(overrides.dataDir ?? resolve(base, settings.dataDir)),
    outDir: resolve(overrides.outDir ?? resolve(base, settings.outDir)),
    store: storeOf(file, settings.store, overrides.databaseUrl),
    worker: { ...settings.worker, port: healthPortOf(file, overrides.healthPort, settings.worker.port) },
    cycle: { anchorWeek: parseIsoWeek(settings.cycle.anchorWeek) as IsoWeek },
    regions: settings.regions.map((r) => resolveRegion(r, settings.timezone, settings.documents.shiftHours)),
    overrides: settings.overrides.map((o) => ({
      ...o,
      from: parseIsoWeek(o.from) as IsoWeek,
      to: parseIsoWeek(o.to) as IsoWeek,
    })),
  };
}

/** A local file or folder the config names, with its JSON path and what it should hold. */
type NamedPath = { path: string; location: string; kind: "file" | "folder"; holds: string };

function namedPaths(config: Config): NamedPath[] {
  const named: NamedPath[] = [
    { path: "reference", location: config.reference, kind: "file", holds: "the municipalities CSV" },
  ];
  if (config.sites !== undefined)
    named.push({ path: "sites", location: config.sites, kind: "file", holds: "the sites CSV" });
  if (config.postcodes !== undefined && !isUrl(config.postcodes))
    named.push({
      path: "postcodes",
      location: config.postcodes,
      kind: "file",
      holds: "the postcode table CSV",
    });
  if (config.roster !== undefined)
    named.push({
      path: "roster.dir",
      location: config.roster.dir,
      kind: "folder",
      holds: "the folder of roster CSVs",
    });
  const s = config.source;
  const sourceFiles =
    s.type === "ssi"
      ? [
          ["source.timeSeries", s.timeSeries],
          ["source.testPos", s.testPos],
          ["source.zip", s.zip],
        ]
      : [["source.url", s.url]];
  for (const [path = "", location] of sourceFiles) {
    if (location !== undefined && !isUrl(location))
      named.push({ path, location, kind: "file", holds: "the incidence file" });
  }
  return named;
}

/** Problems with the local files and folders the config names (missing, or a folder for a file). */
function checkConfigPaths(config: Config, file: string = config.configFile): string[] {
  const problems: string[] = [];
  for (const named of namedPaths(config)) {
    let isFolder: boolean;
    try {
      isFolder = statSync(named.location).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const found = code === "ENOENT" ? "no such file or folder" : `cannot be read (${code ?? "error"})`;
      problems.push(`${file}: ${named.path}: ${named.location}: ${found}, expected ${named.holds}`);
      continue;
    }
    if (isFolder !== (named.kind === "folder")) {
      problems.push(
        `${file}: ${named.path}: ${named.location}: is a ${isFolder ? "folder" : "file"}, expected ${named.holds}`,
      );
    }
  }
  return problems;
}

/**
 * Reads and validates a config file and checks the local files and folders it names. Flags win
 * over TESTROTA_DATA_DIR / TESTROTA_OUT_DIR, which win over the file; TESTROTA_HEALTH_PORT wins
 * over `worker.port`; TESTROTA_DATABASE_URL selects the PostgreSQL store with that URL.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = {}, flags: ConfigOverrides = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      [`${file}: cannot read config file (${code === "ENOENT" ? "no such file" : (code ?? "error")})`],
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ConfigError([`${file}: (root): expected valid JSON (${(error as Error).message})`], {
      cause: error,
    });
  }
  const config = resolveConfig(file, json, {
    dataDir: flags.dataDir ?? env.TESTROTA_DATA_DIR,
    outDir: flags.outDir ?? env.TESTROTA_OUT_DIR,
    healthPort: flags.healthPort ?? env.TESTROTA_HEALTH_PORT,
    databaseUrl: flags.databaseUrl ?? env.TESTROTA_DATABASE_URL,
  });
  const problems = checkConfigPaths(config, file);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** True when `config` is the demo configuration bundled with testrota. */
export function isBundledConfig(config: Config): boolean {
  try {
    return realpathSync(config.configFile) === realpathSync(BUNDLED_CONFIG);
  } catch {
    return false;
  }
}

/** Default config file: $TESTROTA_CONFIG or config/testrota.json. */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  return env.TESTROTA_CONFIG ?? "config/testrota.json";
}
