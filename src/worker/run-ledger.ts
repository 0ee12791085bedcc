import type { Clock } from "../clock.ts";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { AbortedError, TestrotaError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { StateStore } from "../store/state-store.ts";
import type { RunReport } from "./run-report.ts";
import type { RunTrigger } from "./worker-types.ts";

/*
 * The run ledger's bookkeeping around one attempt at a week: `running` when it starts, then
 * `succeeded`, `failed` or `aborted` with the one-line error. The scheduler reads the ledger to
 * decide what is due; `testrota status` prints it.
 */

export type LedgerDeps = {
  readonly store: Pick<StateStore, "beginRun" | "finishRun">;
  /** Wall clock for the started/finished times (never for what the run decides). */
  readonly clock: Clock;
  /** Carries the run id and week. */
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
};

export type LedgerEntry = {
  readonly week: IsoWeek;
  readonly runId: string;
  readonly trigger: RunTrigger;
  /** When this attempt was due (epoch ms). */
  readonly scheduledFor: number;
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * How a failed attempt is recorded and what the caller sees: a failure while the run's signal
 * was aborted is an abort (exit 130), whatever error the abort surfaced as, named by its week.
 */
function classifyRunFailure(
  error: unknown,
  week: IsoWeek,
  signal: AbortSignal | undefined,
): { status: "failed" | "aborted"; message: string; error: unknown } {
  const message = error instanceof Error ? error.message : String(error);
  const aborted = error instanceof AbortedError || signal?.aborted === true;
  if (!aborted) return { status: "failed", message, error };
  // The operator learns which week was aborted, whatever step noticed the abort.
  const prefix = `run of ${formatIsoWeek(week)} aborted`;
  const named = error instanceof AbortedError && message.startsWith(prefix);
  return {
    status: "aborted",
    message,
    error: named ? error : new AbortedError(`${prefix}: ${message}`, { cause: error }),
  };
}

/** Runs `work` as one ledger entry: begin, then finish with its outcome; rethrows a failure. */
export async function recordRun(
  deps: LedgerDeps,
  entry: LedgerEntry,
  work: () => Promise<RunReport>,
): Promise<RunReport> {
  const { store, logger } = deps;
  const { week, runId, trigger } = entry;
  const scheduledFor = iso(entry.scheduledFor);
  await store.beginRun({ week, runId, trigger, scheduledFor, startedAt: iso(deps.clock()) });
  logger.info({ trigger, scheduledFor }, "run started");
  try {
    const report = await work();
    await store.finishRun({
      week,
      runId,
      status: "succeeded",
      finishedAt: iso(deps.clock()),
      summary: report.counts,
    });
    logger.info(
      { counts: report.counts, outputDir: report.outputDir, changed: report.changed },
      "run succeeded",
    );
    return report;
  } catch (error) {
    const failure = classifyRunFailure(error, week, deps.signal);
    await store.finishRun({
      week,
      runId,
      status: failure.status,
      finishedAt: iso(deps.clock()),
      error: failure.message,
    });
    logger.error(
      { err: error instanceof TestrotaError ? { type: error.name, message: failure.message } : error },
      "run failed",
    );
    throw failure.error;
  }
}
