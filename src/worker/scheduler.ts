import { DateTime } from "luxon";
import { schedule as scheduleCron, type TaskOptions } from "node-cron";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import {
  decideCatchUp,
  nextWednesdayRuns,
  retryTimes,
  scheduledRunOf,
  wednesdayCronExpression,
  weekToRunAt,
  type CatchUpDecision,
  type CatchUpSettings,
  type LedgerStatus,
  type RetrySettings,
} from "../domain/schedule.ts";
import type { Logger } from "../log.ts";
import type { Clock } from "../clock.ts";
import type { LedgerView, RunOutcome, RunTrigger, RunWeek } from "./worker-types.ts";

export type SchedulerSettings = CatchUpSettings & RetrySettings;

/** The part of a node-cron task the scheduler uses. */
export type CronTask = {
  destroy(): void | Promise<void>;
  on?(event: "execution:missed", listener: () => void): void;
};

/** The part of node-cron the scheduler uses (injectable for tests). */
export type CronScheduler = {
  schedule(expression: string, fn: () => Promise<void>, options: TaskOptions): CronTask;
};

export type SchedulerDeps = {
  readonly runWeek: RunWeek;
  readonly ledger: LedgerView;
  readonly clock: Clock;
  readonly settings: SchedulerSettings;
  readonly logger: Logger;
  /** Aborted by the worker on shutdown; handed to every run. */
  readonly signal?: AbortSignal | undefined;
  readonly cron?: CronScheduler | undefined;
};

export type Scheduler = {
  /** Registers the Wednesday cron and queues the start-up catch-up (does not wait for it). */
  start(): Promise<void>;
  /** No new fires, retries or queued runs; a run in flight continues (see inFlight). */
  stop(): Promise<void>;
  /** The next `count` scheduled Wednesday runs (epoch ms). */
  nextRuns(count: number): number[];
  /** Settles when the queued and running work is done; undefined when idle. */
  inFlight(): Promise<void> | undefined;
};

/**
 * A fire may reach us a moment before the clock shows the run time (timer granularity, clock
 * steps): a fire treats a run due within this margin as due.
 */
const FIRE_SLACK_MS = 60_000;

/**
 * node-cron skips a slot it reaches later than this (e.g. an event loop blocked by a run, or a
 * suspended host); the ledger makes a late fire harmless, so accept it the same Wednesday.
 */
const MISSED_TOLERANCE_MS = 6 * 60 * 60 * 1000;

const defaultCron: CronScheduler = { schedule: scheduleCron };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The weekly scheduler. node-cron fires on Wednesday at the configured local time; every fire
 * and the start-up ask `decideCatchUp`, so the ledger decides what runs: a week that succeeded or
 * is running is never started again. Work is serialised (one run at a time in this process).
 * After a failed run, same-day retries follow until one succeeds or `lastAttempt` has passed.
 * While paused, fires and retries are logged and skipped.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { clock, ledger, settings } = deps;
  const logger = deps.logger.child({ component: "scheduler" });
  const cron = deps.cron ?? defaultCron;
  const signal = deps.signal ?? new AbortController().signal;
  const running = new Set<string>();
  const retryTimers = new Map<string, NodeJS.Timeout>();
  let watchTimer: NodeJS.Timeout | undefined;
  let task: CronTask | undefined;
  let started = false;
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;

  const localTime = (ms: number) => DateTime.fromMillis(ms, { zone: settings.zone }).toISO() ?? "";
  const halted = () => stopped || signal.aborted;

  function enqueue(label: string, work: () => Promise<void>): void {
    pending += 1;
    queue = queue
      .then(() => (halted() ? undefined : work()))
      .catch((error: unknown) => logger.error({ err: error, work: label }, "scheduler work failed"))
      .finally(() => {
        pending -= 1;
      });
  }

  async function outcomeOf(week: IsoWeek): Promise<LedgerStatus | undefined> {
    return running.has(formatIsoWeek(week)) ? "running" : await ledger.lastOutcome(week);
  }

  /**
   * decideCatchUp (pure) reads outcomes synchronously, and every week of its range whatever they
   * are: a first pass learns the weeks it reads, the store is asked about them, the second decides.
   */
  async function decideFromLedger(
    now: number,
  ): Promise<CatchUpDecision & { readonly runElsewhere: readonly IsoWeek[] }> {
    const asked: IsoWeek[] = [];
    // With no outcome known, every week of the window is due: the first pass also names the window.
    const inWindow = decideCatchUp(now, settings, (week) => {
      asked.push(week);
      return undefined;
    }).run;
    const outcomes = new Map<string, LedgerStatus | undefined>();
    for (const week of asked) outcomes.set(formatIsoWeek(week), await outcomeOf(week));
    const decision = decideCatchUp(now, settings, (week) => outcomes.get(formatIsoWeek(week)));
    // Of the weeks the window covers, those a live process other than this one is running.
    const runElsewhere = inWindow.filter((week) => {
      const key = formatIsoWeek(week);
      return outcomes.get(key) === "running" && !running.has(key);
    });
    return { ...decision, runElsewhere };
  }

  /**
   * Another process (a second replica, or a `testrota run` from the command line) is running a
   * week: this one does not start it, but if that process dies its lock dies with it, the ledger
   * view then reads the week as crashed, and the week is due again. So look again after
   * `retryEveryMinutes` for as long as a week is run elsewhere; the look is a catch-up, which
   * keeps to the catch-up window and takes the week's lock before it runs anything.
   */
  function watchElsewhere(weeks: readonly IsoWeek[]): void {
    if (weeks.length === 0 || halted() || watchTimer !== undefined) return;
    if (settings.retryEveryMinutes <= 0) {
      logger.info(
        { weeks: weeks.map(formatIsoWeek) },
        "weeks run by another process: caught up at the next fire or start-up if that run dies",
      );
      return;
    }
    const delayMs = settings.retryEveryMinutes * 60_000;
    logger.info(
      { weeks: weeks.map(formatIsoWeek), checkAt: localTime(clock() + delayMs) },
      "weeks run by another process: checking again in case that process dies",
    );
    watchTimer = setTimeout(() => {
      watchTimer = undefined;
      enqueue("check weeks run elsewhere", () => catchUp("takeover"));
    }, delayMs);
  }

  async function runOne(week: IsoWeek, trigger: RunTrigger): Promise<void> {
    const key = formatIsoWeek(week);
    const before = await outcomeOf(week);
    if (before === "succeeded" || before === "running") {
      logger.info({ week: key, trigger, ledger: before }, "week already handled: not started again");
      if (before === "running" && !running.has(key)) watchElsewhere([week]);
      return;
    }
    running.add(key);
    const scheduledFor = scheduledRunOf(week, settings);
    logger.info({ week: key, trigger, scheduledFor: localTime(scheduledFor) }, "starting run");
    let outcome: RunOutcome;
    const startedAt = clock();
    try {
      outcome = await deps.runWeek(week, { trigger, scheduledFor, signal });
    } catch (error) {
      outcome = {
        week,
        runId: "",
        status: "failed",
        error: describe(error),
        durationMs: clock() - startedAt,
      };
    } finally {
      running.delete(key);
    }
    const fields = {
      week: key,
      runId: outcome.runId,
      trigger,
      status: outcome.status,
      durationMs: outcome.durationMs,
    };
    if (outcome.status === "succeeded") {
      logger.info({ ...fields, summary: outcome.summary }, "run succeeded");
      clearRetry(key);
      return;
    }
    if (outcome.status === "aborted" && halted()) {
      logger.warn({ ...fields, error: outcome.error }, "run aborted by shutdown");
      return;
    }
    // Skipped: another process holds the week's lock; the retry finds the week done or free.
    const level = outcome.status === "skipped" ? "warn" : "error";
    logger[level]({ ...fields, error: outcome.error }, `run ${outcome.status}`);
    scheduleRetry(week);
  }

  function clearRetry(key: string): void {
    const timer = retryTimers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    retryTimers.delete(key);
  }

  function scheduleRetry(week: IsoWeek): void {
    const key = formatIsoWeek(week);
    clearRetry(key);
    if (halted()) return;
    const now = clock();
    const next = retryTimes(week, settings).find((at) => at > now);
    if (next === undefined) {
      logger.warn(
        { week: key, lastAttempt: settings.lastAttempt },
        "no retry left today: the week is caught up at the next fire or start-up while inside the catch-up window",
      );
      return;
    }
    logger.info({ week: key, retryAt: localTime(next) }, "retry scheduled");
    const timer = setTimeout(() => {
      retryTimers.delete(key);
      enqueue(`retry ${key}`, async () => {
        if (await ledger.isPaused()) {
          logger.info({ week: key, trigger: "retry" }, "scheduled runs are paused: retry skipped");
          return;
        }
        await runOne(week, "retry");
      });
    }, next - now);
    retryTimers.set(key, timer);
  }

  async function catchUp(reason: "start-up" | "schedule" | "takeover"): Promise<void> {
    const now = clock() + (reason === "schedule" ? FIRE_SLACK_MS : 0);
    const decision = await decideFromLedger(now);
    watchElsewhere(decision.runElsewhere);
    const due = decision.run.map(formatIsoWeek);
    if (decision.reportedMissed.length > 0) {
      logger.warn(
        { missed: decision.reportedMissed.map(formatIsoWeek), catchUpWeeks: settings.catchUpWeeks },
        "weeks older than the catch-up window never succeeded: not run automatically (use `testrota run --week`)",
      );
    }
    if (await ledger.isPaused()) {
      logger.info({ reason, due }, "scheduled runs are paused: skipped");
      return;
    }
    if (due.length === 0) {
      logger.info({ reason }, "nothing to run: every due week is done");
      return;
    }
    const current = weekToRunAt(now, settings);
    for (const week of decision.run) {
      if (halted()) return;
      const onTime = reason === "schedule" && formatIsoWeek(week) === formatIsoWeek(current);
      await runOne(week, onTime ? "schedule" : "catch-up");
    }
  }

  function fire(): Promise<void> {
    logger.info({ at: localTime(clock()) }, "scheduled fire");
    enqueue("scheduled fire", () => catchUp("schedule"));
    return queue;
  }

  return {
    start() {
      if (started) return Promise.reject(new Error("scheduler already started"));
      started = true;
      const expression = wednesdayCronExpression(settings.time);
      task = cron.schedule(expression, fire, {
        name: "testrota-wednesday-run",
        timezone: settings.zone,
        noOverlap: true,
        missedExecutionTolerance: MISSED_TOLERANCE_MS,
        logger: {
          info: (message) => logger.debug({ source: "node-cron" }, message),
          warn: (message) => logger.warn({ source: "node-cron" }, message),
          error: (message) => logger.error({ source: "node-cron" }, String(message)),
          debug: (message) => logger.debug({ source: "node-cron" }, String(message)),
        },
      });
      task.on?.("execution:missed", () => {
        logger.warn("a scheduled fire was missed (process suspended or blocked): checking the ledger now");
        enqueue("missed fire", () => catchUp("schedule"));
      });
      logger.info(
        {
          cron: expression,
          timezone: settings.zone,
          nextRuns: nextWednesdayRuns(clock(), settings, 3).map(localTime),
          catchUpWeeks: settings.catchUpWeeks,
        },
        "scheduler started",
      );
      enqueue("start-up catch-up", () => catchUp("start-up"));
      return Promise.resolve();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const key of [...retryTimers.keys()]) clearRetry(key);
      clearTimeout(watchTimer);
      watchTimer = undefined;
      await task?.destroy();
      task = undefined;
      logger.info("scheduler stopped");
    },
    nextRuns(count) {
      return nextWednesdayRuns(clock(), settings, count);
    },
    inFlight() {
      return pending > 0 ? queue : undefined;
    },
  };
}
