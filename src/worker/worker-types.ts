import type { IsoWeek } from "../domain/calendar.ts";
import type { LedgerStatus } from "../domain/schedule.ts";
import type { PhaseTiming } from "../lib/phase-timer.ts";

/*
 * The contract between the worker (scheduler, health server, shutdown) and the composition root
 * that runs one week. The worker never touches inputs or outputs itself: it decides when a week
 * runs and hands over an AbortSignal it fires on shutdown.
 */

/** Why a week runs. */
export type RunTrigger = "schedule" | "catch-up" | "retry" | "cli" | "replay";

/** Counts a run publishes, for logs and metrics (no staff data). */
export type RunSummary = {
  red: number;
  green: number;
  tests: number;
  deferred: number;
  /** Municipalities whose roster file was set aside (roster isolation). */
  rostersIsolated?: number;
  /** Once attendance is returned: the settled week's uptake, owed tests, staff past 6 weeks. */
  attendance?: AttendanceSummary | undefined;
};

/** Attendance counts of a run (see `AttendanceReport`), for metrics. */
export type AttendanceSummary = {
  readonly taken: number;
  readonly declined: number;
  readonly absent: number;
  readonly notReported: number;
  /** Owed tests carried forward: make-up, covered by a cycle or red test, deferred. */
  readonly owed: number;
  readonly owedDeferred: number;
  /** Staff past 6 weeks since their last taken test, without those who declined. */
  readonly over6Weeks: number;
  readonly over6WeeksDeclined: number;
};

/** The result of one attempt at a week. */
export type RunOutcome = {
  readonly week: IsoWeek;
  readonly runId: string;
  /** `skipped`: not attempted (e.g. another process holds the week's lock). */
  readonly status: "succeeded" | "failed" | "aborted" | "skipped";
  readonly error?: string;
  readonly durationMs: number;
  readonly summary?: RunSummary;
  /** Where the run's time went (testrota_run_phase_seconds). */
  readonly phases?: readonly PhaseTiming[];
};

/**
 * Runs one week. Resolves with the outcome (it should not throw); when `signal` aborts, the run
 * publishes nothing and the ledger records it as aborted.
 */
export type RunWeek = (
  week: IsoWeek,
  options: { trigger: RunTrigger; scheduledFor: number /* epoch ms */; signal: AbortSignal },
) => Promise<RunOutcome>;

/** The scheduler's read-only view of the run ledger and the pause flag. */
export type LedgerView = {
  /** Status of the week's latest attempt; undefined when never attempted. */
  lastOutcome(week: IsoWeek): Promise<LedgerStatus | undefined>;
  isPaused(): Promise<boolean>;
};
