import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { toRunRecord } from "./row-codecs.ts";
import type { SqlDriver } from "./sql-driver.ts";

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
   * Records a new attempt as running. Runs begin only while holding the store's run lock (one run
   * at a time per store), so any other attempt still `running` belongs to a process that died (or
   * lost its lock): it is closed as `crashed` in the same transaction.
   */
  beginRun(input: BeginRunInput): Promise<void>;
  finishRun(input: FinishRunInput): Promise<void>;
  getRun(week: IsoWeek): Promise<RunRecord | undefined>;
  listRuns(limit?: number): Promise<RunRecord[]>;
  listAttempts(week: IsoWeek): Promise<RunRecord[]>;
};

/** What a crashed attempt's `error` says. */
export const CRASHED_NOTE = "the run's process ended without recording an outcome (killed or power loss)";

export function createRunLedger(db: SqlDriver): RunLedger {
  return {
    async beginRun(input) {
      const weekText = formatIsoWeek(input.week);
      await db.transaction(async (tx) => {
        await tx.run(
          `UPDATE run_attempts SET status = 'crashed', finished_at = ?, error = ?
           WHERE status = 'running'`,
          input.startedAt,
          CRASHED_NOTE,
        );
        await tx.run(
          `INSERT INTO run_attempts (week, run_id, trigger, status, scheduled_for, started_at)
           VALUES (?, ?, ?, 'running', ?, ?)`,
          weekText,
          input.runId,
          input.trigger,
          input.scheduledFor,
          input.startedAt,
        );
      });
    },

    async finishRun(input) {
      const changes = await db.run(
        `UPDATE run_attempts SET status = ?, finished_at = ?, error = ?, summary = ?
         WHERE run_id = ? AND week = ? AND status = 'running'`,
        input.status,
        input.finishedAt,
        input.error ?? null,
        input.summary === undefined ? null : JSON.stringify(input.summary),
        input.runId,
        formatIsoWeek(input.week),
      );
      if (changes !== 1) {
        throw new Error(`state store: no running attempt ${input.runId} of ${formatIsoWeek(input.week)}`);
      }
    },

    async getRun(week) {
      const row = await db.get(
        "SELECT * FROM run_attempts WHERE week = ? ORDER BY attempt DESC LIMIT 1",
        formatIsoWeek(week),
      );
      return row === undefined ? undefined : toRunRecord(row);
    },

    async listRuns(limit = 20) {
      return (await db.all("SELECT * FROM run_attempts ORDER BY attempt DESC LIMIT ?", limit)).map(
        toRunRecord,
      );
    },

    async listAttempts(week) {
      return (
        await db.all("SELECT * FROM run_attempts WHERE week = ? ORDER BY attempt", formatIsoWeek(week))
      ).map(toRunRecord);
    },
  };
}
