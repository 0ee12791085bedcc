import type { DatabaseSync } from "node:sqlite";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { toRunRecord } from "./row-codecs.ts";
import { runInTransaction } from "./schema.ts";

/**
 * `crashed`: the attempt was `running` when its process died (killed, power loss) without
 * recording how it ended; the week is due again like a failed one.
 */
export type RunStatus = "running" | "succeeded" | "failed" | "aborted" | "crashed";

/** One attempt at a week's run, as kept in the ledger (every attempt is kept). */
export type RunRecord = {
  readonly week: string;
  readonly runId: string;
  readonly trigger: string;
  readonly status: RunStatus;
  /** ISO instant the run was due (the Wednesday's scheduled time). */
  readonly scheduledFor: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
  readonly summary: unknown;
};

export type BeginRunInput = {
  readonly week: IsoWeek;
  readonly runId: string;
  readonly trigger: string;
  readonly scheduledFor: string;
  readonly startedAt: string;
};

export type FinishRunInput = {
  readonly week: IsoWeek;
  readonly runId: string;
  readonly status: Exclude<RunStatus, "running" | "crashed">;
  readonly finishedAt: string;
  readonly error?: string | undefined;
  readonly summary?: unknown;
};

export type RunLedger = {
  /**
   * Records a new attempt as running. Runs begin only while holding the data directory's run
   * lock, so any other attempt still `running` belongs to a process that died: it is closed as
   * `crashed` in the same transaction.
   */
  beginRun(input: BeginRunInput): void;
  finishRun(input: FinishRunInput): void;
  getRun(week: IsoWeek): RunRecord | undefined;
  listRuns(limit?: number): RunRecord[];
  listAttempts(week: IsoWeek): RunRecord[];
};

/** What a crashed attempt's `error` says. */
export const CRASHED_NOTE = "the run's process ended without recording an outcome (killed or power loss)";

export function createRunLedger(db: DatabaseSync): RunLedger {
  return {
    beginRun(input) {
      runInTransaction(db, () => {
        db.prepare(
          `UPDATE run_attempts SET status = 'crashed', finished_at = ?, error = ?
           WHERE status = 'running'`,
        ).run(input.startedAt, CRASHED_NOTE);
        db.prepare(
          `INSERT INTO run_attempts (week, run_id, trigger, status, scheduled_for, started_at)
           VALUES (?, ?, ?, 'running', ?, ?)`,
        ).run(formatIsoWeek(input.week), input.runId, input.trigger, input.scheduledFor, input.startedAt);
      });
    },

    finishRun(input) {
      const result = db
        .prepare(
          `UPDATE run_attempts SET status = ?, finished_at = ?, error = ?, summary = ?
           WHERE run_id = ? AND week = ? AND status = 'running'`,
        )
        .run(
          input.status,
          input.finishedAt,
          input.error ?? null,
          input.summary === undefined ? null : JSON.stringify(input.summary),
          input.runId,
          formatIsoWeek(input.week),
        );
      if (Number(result.changes) !== 1) {
        throw new Error(`state store: no running attempt ${input.runId} of ${formatIsoWeek(input.week)}`);
      }
    },

    getRun(week) {
      const row = db
        .prepare("SELECT * FROM run_attempts WHERE week = ? ORDER BY attempt DESC LIMIT 1")
        .get(formatIsoWeek(week));
      return row === undefined ? undefined : toRunRecord(row);
    },

    listRuns(limit = 20) {
      return db
        .prepare("SELECT * FROM run_attempts ORDER BY attempt DESC LIMIT ?")
        .all(limit)
        .map(toRunRecord);
    },

    listAttempts(week) {
      return db
        .prepare("SELECT * FROM run_attempts WHERE week = ? ORDER BY attempt")
        .all(formatIsoWeek(week))
        .map(toRunRecord);
    },
  };
}
