import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock, type Clock } from "../clock.ts";
import { isBundledConfig, type Config } from "../config.ts";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { Municipality, Region } from "../domain/reference.ts";
import { ConfigError, LockError } from "../errors.ts";
import { redactUrl } from "../lib/redact-url.ts";
import { createPhaseTimer } from "../lib/phase-timer.ts";
import type { Logger } from "../log.ts";
import { createNotifier, type Notifier } from "../notify/notifier.ts";
import { reconcilePublished } from "../outputs/reconcile-published.ts";
import { collectBoundaries } from "../outputs/report/week-report-input.ts";
import { createInputLoader, type InputLoader } from "../roster/load-inputs.ts";
import { readBoundaries } from "../roster/read-boundaries.ts";
import { readReferenceTable } from "../roster/read-reference.ts";
import { createIncidenceSource } from "../sources/create-source.ts";
import type { IncidenceSource } from "../sources/source.ts";
import { createSsiSource } from "../sources/ssi.ts";
import { openConfiguredStore } from "../store/open-store.ts";
import type { StateStore, StepHook } from "../store/state-store.ts";
import { readLatestReport } from "./latest-report.ts";
import { withDataDirLock } from "./lock.ts";
import { createMetrics, recordFetchAttempt, type WorkerMetrics } from "./metrics.ts";
import { runOnce, type RunOptions } from "./run-once.ts";
import type { RunReport } from "./run-report.ts";
import {
  chooseFirstWeek,
  createLedgerView,
  startWorker,
  workerSettingsFromConfig,
  type RunningWorker,
} from "./worker.ts";
import type { AttendanceSummary, RunOutcome, RunWeek } from "./worker-types.ts";

export type AppOptions = {
  readonly config: Config;
  readonly logger: Logger;
  /** Start a new store when the old one vanished (`--reinitialise`); refused otherwise. */
  readonly reinitialise?: boolean | undefined;
  /** The process's one clock (see createClock: `TESTROTA_NOW` simulates); defaults to the system clock. */
  readonly clock?: Clock | undefined;
  /** Replaces the configured incidence source (tests). */
  readonly source?: IncidenceSource | undefined;
  /** Called at named points of every run (the reliability checks kill the process there). */
  readonly onStep?: StepHook | undefined;
  /** Weeks of grace for attendance returns (default 1; see `RunDeps.attendanceGraceWeeks`). */
  readonly attendanceGraceWeeks?: number | undefined;
};

export type WeekRunOptions = RunOptions & {
  /** Another source than the configured one, e.g. the payloads captured by an earlier run. */
  readonly source?: IncidenceSource | undefined;
};

/** The wired application: the commands in src/commands use it. */
export type App = {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: StateStore;
  readonly municipalities: readonly Municipality[];
  /** The regions of the reference table (code and name). */
  readonly regions: readonly Region[];
  readonly inputs: InputLoader;
  /** Mail and webhooks about published weeks, through the store's outbox. */
  readonly notifier: Notifier;
  runWeek(week: IsoWeek, options: WeekRunOptions): Promise<RunReport>;
  /** A source serving the payloads captured by an earlier run of `week` (offline replay). */
  capturedSource(week: IsoWeek): Promise<IncidenceSource>;
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
};

/** testrota's version (package.json), e.g. for the User-Agent. */
export function packageVersion(): string {
  const json = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
    version: string;
  };
  return json.version;
}

/**
 * The SSI adapter given a reader that serves the bytes of the week's latest capture in the store
 * (whichever process fetched them) by their original location. Captures are keyed by the redacted
 * origin (no credentials stored), so it looks up the same.
 */
async function createCapturedSource(
  config: Config,
  store: StateStore,
  week: IsoWeek,
  municipalities: readonly Municipality[],
): Promise<IncidenceSource> {
  if (config.source.type !== "ssi") {
    throw new ConfigError([
      `${config.configFile}: source.type: offline replay needs captured SSI files, got ${config.source.type}`,
    ]);
  }
  const capture = await store.loadRawCapture(week);
  const byOrigin = new Map(capture.payloads.map((p) => [p.origin, p.bytes]));
  return createSsiSource(config.source, {
    municipalities,
    readLocation: (location) => {
      const bytes = byOrigin.get(redactUrl(location));
      if (bytes !== undefined) return Promise.resolve(bytes);
      return Promise.reject(
        new ConfigError([
          `${store.path}: no captured payload of ${formatIsoWeek(week)} (run ${capture.runId}) for ${redactUrl(location)}`,
        ]),
      );
    },
  });
}

/** Every fetch of the incidence source counts in /metrics, whatever the run does afterwards. */
function meterSource(source: IncidenceSource, metrics: WorkerMetrics): IncidenceSource {
  return {
    name: source.name,
    async fetchIncidence(signal) {
      try {
        const result = await source.fetchIncidence(signal);
        recordFetchAttempt(metrics, false);
        return result;
      } catch (error) {
        recordFetchAttempt(metrics, true);
        throw error;
      }
    },
  };
}

/** The attendance counts of a run for /metrics (see `AttendanceSummary`). */
function summarizeAttendance(report: RunReport): AttendanceSummary | undefined {
  const attendance = report.attendance;
  if (attendance === undefined) return undefined;
  const { uptake, owed, gap } = attendance;
  return {
    taken: uptake.total.taken,
    declined: uptake.total.declined,
    absent: uptake.total.absent,
    notReported: uptake.total.notReported,
    owed: owed.makeUp + owed.covered + owed.deferred,
    owedDeferred: owed.deferred,
    over6Weeks: gap.over6Weeks - gap.declined,
    over6WeeksDeclined: gap.declined,
  };
}

/** The scheduler's view of a run: an outcome, never a rejection. */
export function runForScheduler(app: App): RunWeek {
  return async (week, options) => {
    const started = app.clock();
    const timer = createPhaseTimer();
    try {
      const report = await app.runWeek(week, { ...options, timer });
      const { red, green, tests, deferred } = report.counts;
      return {
        week,
        runId: report.runId,
        status: "succeeded",
        durationMs: app.clock() - started,
        summary: {
          red,
          green,
          tests,
          deferred,
          rostersIsolated: report.isolatedRosters?.length ?? 0,
          attendance: summarizeAttendance(report),
        },
        phases: timer.phases(),
      };
    } catch (error) {
      const latest = await app.store.getRun(week).catch(() => undefined);
      const status: RunOutcome["status"] =
        latest?.status === "aborted"
          ? "aborted"
          : error instanceof Error && error.name === "LockError"
            ? "skipped"
            : "failed";
      const message = error instanceof Error ? error.message : String(error);
      return {
        week,
        runId: latest?.runId ?? "",
        status,
        error: message,
        durationMs: app.clock() - started,
        phases: timer.phases(),
      };
    }
  };
}

/**
 * A crash mid-publish is finished (or set aside) before the worker decides anything. With several
 * replicas (PostgreSQL) another one may be running a week right now: then the start goes on, and
 * the reconcile is the first step of the next run (every run starts with it).
 */
async function reconcileAtStart(store: StateStore, outDir: string, logger: Logger): Promise<void> {
  try {
    await withDataDirLock({ store, logger, purpose: "reconcile" }, () =>
      reconcilePublished({ outDir, store, logger }),
    );
  } catch (error) {
    if (store.kind !== "postgres" || !(error instanceof LockError)) throw error;
    logger.info({ holder: error.message }, "another replica holds the store: reconcile left to the next run");
  }
}

/** The composition root: opens the store, builds the adapters and wires the run and the worker. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  if (isBundledConfig(config)) {
    logger.info(
      { config: config.configFile },
      "running the bundled demo configuration (SSI files of 2020, synthetic roster): mount your own config and set TESTROTA_CONFIG for a real installation",
    );
  }
  const reference = await readReferenceTable(config.reference, undefined, config.referenceRules);
  const municipalities = [...reference.municipalities];
  // The weekly report's map: the boundaries are read once here and kept for every run.
  const weekReport = {
    regions: reference.regions,
    boundaries: collectBoundaries((await readBoundaries()).values()),
  };
  const store = await openConfiguredStore(config, { reinitialise: options.reinitialise === true, logger });
  const inputs = createInputLoader(config);
  const metrics = createMetrics();
  const configured = options.source
    ? { source: options.source, close: () => Promise.resolve() }
    : createIncidenceSource(config, {
        logger,
        municipalities,
        clock,
        userAgent: `testrota/${packageVersion()}`,
      });
  const metered = meterSource(configured.source, metrics);
  const notifier = createNotifier({ config, store, logger, clock, metrics });
  // Runs of this process in flight: while one is, this replica leads (holds a week's lock).
  let runsInFlight = 0;

  const app: App = {
    config,
    logger,
    clock,
    store,
    municipalities,
    regions: reference.regions,
    inputs,
    notifier,
    async runWeek(week, { source, ...runOptions }) {
      runsInFlight += 1;
      const report = await runOnce(
        {
          config,
          logger,
          store,
          inputs,
          clock,
          source: source ?? metered,
          newRunId: () => randomUUID(),
          onStep: options.onStep,
          report: weekReport,
          attendanceGraceWeeks: options.attendanceGraceWeeks ?? config.attendance.graceWeeks,
        },
        week,
        runOptions,
      ).finally(() => {
        runsInFlight -= 1;
      });
      // Published: tell the recipients (never fails the run; the outbox retries).
      await notifier.onPublished(report);
      return report;
    },
    capturedSource: (week) => createCapturedSource(config, store, week, municipalities),
    async startWorker() {
      // A crash mid-publish is finished (or set aside) before the worker decides anything.
      await reconcileAtStart(store, config.outDir, logger);
      const due = { time: config.worker.time, zone: config.timezone };
      const firstWeek = chooseFirstWeek(
        (await store.listRuns(10_000)).map((r) => r.week),
        clock(),
        due,
      );
      const running = await startWorker({
        settings: workerSettingsFromConfig(config, firstWeek),
        clock,
        logger,
        store,
        leading: () => runsInFlight > 0,
        metrics,
        ledger: createLedgerView(store),
        lastRun: async () => (await store.listRuns(1))[0],
        latestReport: () => readLatestReport(config.outDir, store),
        runWeek: runForScheduler(app),
      });
      const stopRetries = notifier.startRetries();
      void running.done.then(stopRetries);
      return running;
    },
    async close() {
      await notifier.close();
      await configured.close();
      await store.close();
    },
  };
  return app;
}
