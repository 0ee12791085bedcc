import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { formatIsoWeek, parseIsoWeek, weekRange, type IsoWeek } from "../domain/calendar.ts";
import { OVERRIDE_ACTIONS, type OverrideAction } from "../domain/classify.ts";
import type { Municipality } from "../domain/reference.ts";
import { nextWednesdayRuns } from "../domain/schedule.ts";
import { ConfigError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { createInputLoader } from "../roster/load-inputs.ts";
import { readReference } from "../roster/read-reference.ts";
import { createIncidenceSource } from "../sources/create-source.ts";
import { redactUrl } from "../lib/redact-url.ts";
import type { IncidenceSource } from "../sources/source.ts";
import { createSsiSource } from "../sources/ssi.ts";
import { loadRawPayloads } from "../store/raw-capture.ts";
import { openStateStore, type StateStore } from "../store/state-store.ts";
import { listRowLocks } from "../store/run-lock.ts";
import { readLockFile } from "./lock.ts";
import { createMetrics, recordFetchAttempt } from "./metrics.ts";
import { runOnce, type RunDeps } from "./run-once.ts";
import type { RunReport } from "./run-report.ts";
import {
  chooseFirstWeek,
  createLedgerView,
  startWorker,
  workerSettingsFromConfig,
  type RunningWorker,
} from "./worker.ts";
import type { Clock } from "../clock.ts";
import type { RunOutcome, RunTrigger } from "./worker-types.ts";

export type AppOptions = {
  readonly config: Config;
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Wall clock for the ledger; defaults to Date.now. */
  readonly clock?: Clock | undefined;
  /** Replaces the configured incidence source (tests). */
  readonly source?: IncidenceSource | undefined;
};

export type OverrideArgs = {
  readonly id?: string | undefined;
  readonly municipality?: string | undefined;
  readonly action?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly sites?: string | undefined;
  readonly reason?: string | undefined;
  readonly author: string;
  readonly at: string;
};

export type App = {
  readonly store: StateStore;
  readonly municipalities: readonly Municipality[];
  runWeek(
    week: IsoWeek,
    options: { trigger: RunTrigger; scheduledFor?: number; signal?: AbortSignal },
  ): Promise<RunReport>;
  replay(from: IsoWeek, to: IsoWeek, options: { offline: boolean }): Promise<RunReport[]>;
  validateInputs(): Promise<{ municipalities: number; sites: number; staff: number }>;
  startWorker(clock: Clock): Promise<RunningWorker>;
  status(nowMs: number): {
    text: string;
    runs: unknown;
    nextRuns: string[];
    lock: unknown;
    weekLocks: unknown;
    paused: unknown;
  };
  override(action: string | undefined, args: OverrideArgs): string;
  setPaused(paused: boolean, info: { note: string; author: string; at: string }): void;
  close(): Promise<void>;
};

function packageVersion(): string {
  const json = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
    version: string;
  };
  return json.version;
}

/**
 * A source that reads back the payloads captured by an earlier run of `week` (offline replay):
 * the SSI adapter is given a reader that serves the captured bytes by their original location.
 */
async function createCapturedSource(
  config: Config,
  week: IsoWeek,
  municipalities: readonly Municipality[],
): Promise<IncidenceSource> {
  if (config.source.type !== "ssi") {
    throw new ConfigError([
      `${config.configFile}: source.type: offline replay needs captured SSI files, got ${config.source.type}`,
    ]);
  }
  const payloads = await loadRawPayloads(config.dataDir, week);
  const byOrigin = new Map(payloads.map((p) => [p.origin, p.bytes]));
  return createSsiSource(config.source, {
    municipalities,
    readLocation: (location) => {
      // Captures are keyed by the redacted origin (no credentials on disk), so look up the same.
      const origin = redactUrl(location);
      const bytes = byOrigin.get(origin);
      if (bytes === undefined) {
        return Promise.reject(
          new ConfigError([`${config.dataDir}: no captured payload of ${formatIsoWeek(week)} for ${origin}`]),
        );
      }
      return Promise.resolve(bytes);
    },
  });
}

/** The composition root: opens the store, builds the adapters and exposes the commands. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const clock = options.clock ?? Date.now;
  const municipalities = await readReference(config.reference);
  const store = openStateStore(join(config.dataDir, "testrota.sqlite"));
  const inputs = createInputLoader(config);
  const metrics = createMetrics();
  const configured = options.source
    ? { source: options.source, close: () => Promise.resolve() }
    : createIncidenceSource(config, { logger, municipalities, userAgent: `testrota/${packageVersion()}` });

  const depsFor = (source: IncidenceSource): RunDeps => ({
    config,
    logger,
    store,
    source,
    inputs,
    clock,
    newRunId: () => randomUUID(),
  });

  // Every fetch of the incidence source counts in /metrics, whatever the run does afterwards.
  const metered: IncidenceSource = {
    name: configured.source.name,
    async fetchIncidence(signal) {
      try {
        const result = await configured.source.fetchIncidence(signal);
        recordFetchAttempt(metrics, false);
        return result;
      } catch (error) {
        recordFetchAttempt(metrics, true);
        throw error;
      }
    },
  };
  const runWeek: App["runWeek"] = (week, runOptions) => runOnce(depsFor(metered), week, runOptions);

  const app: App = {
    store,
    municipalities,
    runWeek,
    async replay(from, to, replayOptions) {
      const weeks = weekRange(from, to);
      if (weeks.length === 0)
        throw new ConfigError([`--from/--to: ${formatIsoWeek(from)} is after ${formatIsoWeek(to)}`]);
      const reports: RunReport[] = [];
      for (const week of weeks) {
        const source = replayOptions.offline
          ? await createCapturedSource(config, week, municipalities)
          : configured.source;
        reports.push(await runOnce(depsFor(source), week, { trigger: "replay" }));
      }
      return reports;
    },
    async validateInputs() {
      const loaded = await inputs.load();
      return {
        municipalities: loaded.municipalities.length,
        sites: loaded.sites.length,
        staff: loaded.staff.length,
      };
    },
    async startWorker(workerClock) {
      const settings = workerSettingsFromConfig(
        config,
        chooseFirstWeek(
          store.listRuns(10_000).map((r) => r.week),
          workerClock(),
          { time: config.worker.time, zone: config.timezone },
        ),
      );
      return startWorker({
        settings,
        clock: workerClock,
        logger,
        db: store.db,
        metrics,
        ledger: createLedgerView(store),
        lastRun: () => store.listRuns(1)[0],
        runWeek: async (week, runOptions): Promise<RunOutcome> => {
          const started = Date.now();
          try {
            const report = await runWeek(week, runOptions);
            return {
              week,
              runId: report.runId,
              status: "succeeded",
              durationMs: Date.now() - started,
              summary: {
                red: report.counts.red,
                green: report.counts.green,
                tests: report.counts.tests,
                deferred: report.counts.deferred,
              },
            };
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            const latest = store.getRun(week);
            const status =
              latest?.status === "aborted"
                ? "aborted"
                : error instanceof Error && error.name === "LockError"
                  ? "skipped"
                  : "failed";
            return {
              week,
              runId: latest?.runId ?? "",
              status,
              error: message,
              durationMs: Date.now() - started,
            };
          }
        },
      });
    },
    status(nowMs) {
      const runs = store.listRuns(10);
      const nextRuns = nextWednesdayRuns(nowMs, { time: config.worker.time, zone: config.timezone }, 3).map(
        (ms) => new Date(ms).toISOString(),
      );
      const lock = readLockFile(config.dataDir);
      // Week locks in the store that have not expired (also those of other hosts sharing the data).
      const weekLocks = listRowLocks(store.db).filter((row) => row.expiresAt >= Date.now());
      const paused = store.getPaused();
      const lines = [
        `data: ${config.dataDir}`,
        `paused: ${paused.paused ? `yes (${paused.note ?? ""}, by ${paused.author ?? "?"} at ${paused.at ?? "?"})` : "no"}`,
        `lock: ${lock ? `held by pid ${lock.pid} on ${lock.host} since ${lock.startedAt} (${lock.purpose})` : "free"}`,
        ...weekLocks.map(
          (row) =>
            `week lock: ${row.name} held by pid ${row.holder.pid} on ${row.holder.host} since ${new Date(row.acquiredAt).toISOString()}`,
        ),
        `next runs: ${nextRuns.join(", ")}`,
        "last runs:",
        ...runs.map(
          (r) =>
            `  ${r.week}  ${r.status.padEnd(9)} ${r.trigger.padEnd(8)} ${r.startedAt}${r.error ? `  ${r.error}` : ""}`,
        ),
      ];
      return { text: `${lines.join("\n")}\n`, runs, nextRuns, lock, weekLocks, paused };
    },
    override(action, args) {
      if (action === "list") {
        const rows = store.listOverrides({ includeRemoved: true });
        if (rows.length === 0) return "no overrides in the store\n";
        return `${rows
          .map(
            (o) =>
              `${o.id}  ${o.municipalityCode}  ${o.action}  ${formatIsoWeek(o.from)}..${formatIsoWeek(o.to)}  ${o.siteIds.join(",")}  "${o.reason}" by ${o.author} at ${o.createdAt}${o.removedAt ? `  REMOVED by ${o.removedBy ?? "?"} at ${o.removedAt}` : ""}`,
          )
          .join("\n")}\n`;
      }
      if (action === "remove") {
        if (!args.id) throw new ConfigError(["--id: expected the override id to remove"]);
        store.removeOverride(args.id, { author: args.author, removedAt: args.at, note: args.reason ?? "" });
        return `override ${args.id} removed\n`;
      }
      if (action === "add") {
        const problems: string[] = [];
        const code = Number(args.municipality);
        if (!municipalities.some((m) => m.code === code))
          problems.push(
            `--municipality: got ${JSON.stringify(args.municipality ?? "")}, expected one of the 98 municipality codes`,
          );
        if (!OVERRIDE_ACTIONS.includes(args.action as OverrideAction))
          problems.push(
            `--action: got ${JSON.stringify(args.action ?? "")}, expected ${OVERRIDE_ACTIONS.join(" | ")}`,
          );
        const from = args.from === undefined ? undefined : parseIsoWeek(args.from);
        const to = args.to === undefined ? undefined : parseIsoWeek(args.to);
        if (from === undefined) problems.push("--from: expected an ISO week like 2020-W44");
        if (to === undefined) problems.push("--to: expected an ISO week like 2020-W46");
        if (!args.reason) problems.push("--reason: expected the reason of the decision");
        const siteIds = (args.sites ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
        if (args.action === "limit-to-sites" && siteIds.length === 0)
          problems.push("--sites: expected site ids for limit-to-sites");
        if (problems.length > 0 || from === undefined || to === undefined) throw new ConfigError(problems);
        const id = args.id ?? `ovr-${code}-${formatIsoWeek(from)}-${args.action ?? ""}`;
        store.addOverride({
          id,
          municipalityCode: code,
          action: args.action as OverrideAction,
          from,
          to,
          siteIds,
          reason: args.reason ?? "",
          author: args.author,
          createdAt: args.at,
        });
        return `override ${id} added\n`;
      }
      throw new ConfigError([`override: got ${JSON.stringify(action ?? "")}, expected add | list | remove`]);
    },
    setPaused(paused, info) {
      store.setPaused({ paused, ...info });
    },
    async close() {
      await configured.close();
      store.close();
    },
  };
  return app;
}
