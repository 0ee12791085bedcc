import type { Config } from "../config.ts";
import { compareWeeks, parseIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { weekToRunAt, type LedgerStatus } from "../domain/schedule.ts";
import { AbortedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { RunLockHolder } from "../store/run-lock.ts";
import type { StateStore } from "../store/state-store.ts";
import { assessReadiness, startHealthServer } from "./health-server.ts";
import { ledgerStatusOf, weekLockName } from "./lock.ts";
import { createMetrics, recordRunOutcome, type WorkerMetrics } from "./metrics.ts";
import { createScheduler, type CronScheduler, type Scheduler, type SchedulerSettings } from "./scheduler.ts";
import type { Clock } from "../clock.ts";
import type { LedgerView, RunWeek } from "./worker-types.ts";

export type WorkerSettings = SchedulerSettings & {
  readonly host: string;
  readonly port: number;
  readonly shutdownGraceSeconds: number;
};

export type WorkerDeps = {
  readonly settings: WorkerSettings;
  readonly runWeek: RunWeek;
  readonly ledger: LedgerView;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The state store, probed by /readyz (undefined: it could not be opened). */
  readonly store: ReadinessStore | undefined;
  /** Whether this replica leads (runs a week right now), shown on /readyz. */
  readonly leading?: (() => boolean) | undefined;
  /** The latest run for /readyz (no staff data). */
  readonly lastRun?: (() => Promise<unknown>) | undefined;
  /** The latest published week's report for /report (undefined: none). */
  readonly latestReport?: (() => Promise<Uint8Array | undefined>) | undefined;
  readonly metrics?: WorkerMetrics | undefined;
  readonly cron?: CronScheduler | undefined;
  /** After aborting, how long to wait for the run to wind down before giving up on it (default 10 s). */
  readonly abortWaitMs?: number | undefined;
};

export type RunningWorker = {
  readonly port: number;
  readonly url: string;
  readonly metrics: WorkerMetrics;
  readonly scheduler: Scheduler;
  /**
   * Stops scheduling, lets a run in flight finish within the grace period, else aborts it; closes
   * the server. Idempotent; never rejects (problems are logged).
   */
  stop(reason: string): Promise<void>;
  /** Settles when the worker has stopped. */
  readonly done: Promise<void>;
};

const DEFAULT_ABORT_WAIT_MS = 10_000;

/** Worker settings from the config; `firstWeek` bounds catch-up and missed-week reports. */
export function workerSettingsFromConfig(config: Config, firstWeek?: IsoWeek): WorkerSettings {
  return {
    time: config.worker.time,
    zone: config.timezone,
    retryEveryMinutes: config.worker.retryEveryMinutes,
    lastAttempt: config.worker.lastAttempt,
    catchUpWeeks: config.worker.catchUpWeeks,
    firstWeek,
    host: config.worker.host,
    port: config.worker.port,
    shutdownGraceSeconds: config.worker.shutdownGraceSeconds,
  };
}

/**
 * The first week the installation answers for: the oldest week in the ledger, or (fresh install)
 * the week due now, so a new worker runs the current week and does not report years of misses.
 */
export function chooseFirstWeek(
  ledgerWeeks: readonly string[],
  nowMs: number,
  settings: { time: string; zone: string },
): IsoWeek {
  const weeks = ledgerWeeks.map((text) => parseIsoWeek(text)).filter((week) => week !== undefined);
  weeks.sort(compareWeeks);
  return weeks[0] ?? weekToRunAt(nowMs, settings);
}

/** The narrow parts of the state store the ledger view reads. */
export type LedgerSource = {
  getRun(week: IsoWeek): Promise<{ readonly status: LedgerStatus } | undefined>;
  getPaused(): Promise<{ readonly paused: boolean }>;
  readRunLockHolder(name: string): Promise<RunLockHolder | undefined>;
};

/** The parts of the state store /readyz reads. */
export type ReadinessStore = Pick<StateStore, "kind" | "probe">;

/**
 * The scheduler's view of the store. A week recorded as running while no live process holds its
 * lock was left by a process that died mid-run: it reads as crashed, so the week runs again.
 * `readHolder` reads the live holder of the week's run lock (default: ask the store).
 */
export function createLedgerView(
  store: LedgerSource,
  readHolder: (week: IsoWeek) => Promise<RunLockHolder | undefined> = (week) =>
    store.readRunLockHolder(weekLockName(week)),
): LedgerView {
  return {
    async lastOutcome(week) {
      const status = (await store.getRun(week))?.status;
      return status === "running" ? ledgerStatusOf(status, week, await readHolder(week)) : status;
    },
    async isPaused() {
      return (await store.getPaused()).paused;
    },
  };
}

function delay(ms: number): { promise: Promise<"timeout">; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Starts the long-running worker: health server (/healthz, /readyz, /metrics) and the Wednesday
 * scheduler with its start-up catch-up. Signals are the CLI's job: it calls `stop` on SIGTERM.
 */
export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const logger = deps.logger.child({ component: "worker" });
  const metrics = deps.metrics ?? createMetrics();
  const abort = new AbortController();
  const runWeek: RunWeek = async (week, options) => {
    const outcome = await deps.runWeek(week, options);
    recordRunOutcome(metrics, outcome, deps.clock());
    return outcome;
  };
  const scheduler = createScheduler({
    runWeek,
    ledger: deps.ledger,
    clock: deps.clock,
    settings: deps.settings,
    logger: deps.logger,
    signal: abort.signal,
    cron: deps.cron,
  });
  const server = await startHealthServer({
    host: deps.settings.host,
    port: deps.settings.port,
    registry: metrics.registry,
    report: deps.latestReport,
    logger: deps.logger,
    readiness: () =>
      assessReadiness({
        store: deps.store,
        leading: deps.leading,
        lastRun: deps.lastRun,
        paused: () => deps.ledger.isPaused(),
      }),
  });
  try {
    await scheduler.start();
  } catch (error) {
    await server.close();
    throw error;
  }

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let stopping: Promise<void> | undefined;

  async function shutdown(reason: string): Promise<void> {
    logger.info({ reason, graceSeconds: deps.settings.shutdownGraceSeconds }, "worker stopping");
    await scheduler.stop();
    const inFlight = scheduler.inFlight();
    if (inFlight !== undefined) {
      const grace = delay(deps.settings.shutdownGraceSeconds * 1000);
      const finished = await Promise.race([inFlight.then(() => "finished" as const), grace.promise]);
      grace.cancel();
      if (finished === "timeout") {
        logger.warn(
          { reason, graceSeconds: deps.settings.shutdownGraceSeconds },
          "run still in flight after the grace period: aborting it (nothing is published)",
        );
        abort.abort(
          new AbortedError(
            `shutdown (${reason}): run aborted after the ${deps.settings.shutdownGraceSeconds} s grace period`,
          ),
        );
        const wait = delay(deps.abortWaitMs ?? DEFAULT_ABORT_WAIT_MS);
        const settled = await Promise.race([inFlight.then(() => "finished" as const), wait.promise]);
        wait.cancel();
        if (settled === "timeout")
          logger.error({ reason }, "aborted run did not stop in time: exiting without it");
      }
    }
    try {
      await server.close();
    } catch (error) {
      logger.error({ err: error }, "health server did not close cleanly");
    }
    logger.info({ reason }, "worker stopped");
  }

  return {
    port: server.port,
    url: server.url,
    metrics,
    scheduler,
    stop(reason) {
      // Never rejects: the CLI calls it from a signal handler and then awaits `done`.
      stopping ??= shutdown(reason)
        .catch((error: unknown) => logger.error({ err: error, reason }, "worker shutdown failed"))
        .finally(resolveDone);
      return stopping;
    },
    done,
  };
}
