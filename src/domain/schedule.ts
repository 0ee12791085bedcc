import { DateTime } from "luxon";
import {
  addWeeks,
  classificationDate,
  compareWeeks,
  instantAt,
  weekAt,
  weekRange,
  type IsoWeek,
} from "./calendar.ts";

/**
 * When the weekly run happens. Every ISO week has exactly one run: on its Wednesday at the
 * configured local time in `zone`. Instants are epoch milliseconds; the caller passes "now".
 */
export type RunTimeSettings = {
  /** Local wall-clock time of the Wednesday run, `HH:MM`. */
  readonly time: string;
  /** IANA zone, e.g. Europe/Copenhagen. */
  readonly zone: string;
};

export type CatchUpSettings = RunTimeSettings & {
  /** A missed Wednesday at most this many weeks before the latest due week is run. */
  readonly catchUpWeeks: number;
  /**
   * The first week the installation is responsible for: earlier weeks are neither run nor
   * reported, so a fresh install does not report years of missed Wednesdays.
   */
  readonly firstWeek?: IsoWeek | undefined;
};

export type RetrySettings = RunTimeSettings & {
  readonly retryEveryMinutes: number;
  /** No retry starts after this local time (`HH:MM`) on the Wednesday. */
  readonly lastAttempt: string;
};

/**
 * What the run ledger says about a week (undefined: never attempted). `crashed`: the ledger said
 * `running` but the run's holder is gone (killed, power loss); the week is due again like a
 * failed one.
 */
export type LedgerStatus = "running" | "succeeded" | "failed" | "aborted" | "crashed";

export type CatchUpDecision = {
  /** Weeks to run now, oldest first: due, inside the catch-up window, not succeeded or running. */
  readonly run: IsoWeek[];
  /** Weeks older than the window that never succeeded: reported, not run. */
  readonly reportedMissed: IsoWeek[];
};

/**
 * The instant of `week`'s run: its Wednesday at `time` in `zone`. A local time that does not
 * exist that day (spring-forward gap) moves forward by the gap; one that exists twice (autumn
 * fold) resolves to a single instant, so a week never has zero or two runs.
 */
export function scheduledRunOf(week: IsoWeek, settings: RunTimeSettings): number {
  return instantAt(classificationDate(week), settings.time, settings.zone);
}

/** The most recent week whose Wednesday run time is at or before `nowMs`. */
export function weekToRunAt(nowMs: number, settings: RunTimeSettings): IsoWeek {
  const week = weekAt(nowMs, settings.zone);
  return scheduledRunOf(week, settings) <= nowMs ? week : addWeeks(week, -1);
}

/** The next `count` Wednesday run instants strictly after `afterMs`, one per ISO week. */
export function nextWednesdayRuns(afterMs: number, settings: RunTimeSettings, count: number): number[] {
  const first = addWeeks(weekToRunAt(afterMs, settings), 1);
  return Array.from({ length: Math.max(0, count) }, (_, i) => scheduledRunOf(addWeeks(first, i), settings));
}

function isDone(status: LedgerStatus | undefined): boolean {
  return status === "succeeded" || status === "running";
}

/**
 * Which weeks to run at a scheduled fire or at start-up. The ledger is the source of truth: a
 * week is keyed by its ISO week, so a week that succeeded (or is running) is never started again,
 * whatever double fires, restarts or a clock that jumps back do. Only weeks from `firstWeek` on
 * count; weeks older than the catch-up window are reported, not run (their rota is history).
 */
export function decideCatchUp(
  nowMs: number,
  settings: CatchUpSettings,
  lastOutcome: (week: IsoWeek) => LedgerStatus | undefined,
): CatchUpDecision {
  const latest = weekToRunAt(nowMs, settings);
  const windowStart = addWeeks(latest, -Math.max(0, settings.catchUpWeeks));
  const first = settings.firstWeek;
  const runFrom = first !== undefined && compareWeeks(first, windowStart) > 0 ? first : windowStart;
  const run = weekRange(runFrom, latest).filter((week) => !isDone(lastOutcome(week)));
  const reportedMissed =
    first === undefined
      ? []
      : weekRange(first, addWeeks(windowStart, -1)).filter((week) => lastOutcome(week) !== "succeeded");
  return { run, reportedMissed };
}

/**
 * Same-day retries after a failed run of `week`: every `retryEveryMinutes` after the Wednesday's
 * run time, the last one no later than `lastAttempt` (local time that Wednesday).
 */
export function retryTimes(week: IsoWeek, settings: RetrySettings): number[] {
  const start = scheduledRunOf(week, settings);
  const end = instantAt(classificationDate(week), settings.lastAttempt, settings.zone);
  if (settings.retryEveryMinutes <= 0) return [];
  const times: number[] = [];
  for (let k = 1; ; k += 1) {
    const at = DateTime.fromMillis(start)
      .plus({ minutes: k * settings.retryEveryMinutes })
      .toMillis();
    if (at > end) return times;
    times.push(at);
  }
}

/** The cron expression of the weekly run: minute, hour, any day, any month, Wednesday. */
export function wednesdayCronExpression(time: string): string {
  const [hours = "0", minutes = "0"] = time.split(":");
  return `${Number(minutes)} ${Number(hours)} * * 3`;
}
