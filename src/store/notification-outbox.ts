import { num, text, textOrNull, type Row } from "./row-codecs.ts";
import type { SqlDriver } from "./sql-driver.ts";

/*
 * The notification outbox: what is to be told to whom, written when a week is published and
 * worked off by whichever process delivers (worker, portal, CLI run). A row's `key` is unique, so
 * enqueueing the same week twice adds nothing; a delivering process claims rows for a lease, so
 * two processes never send the same row at once, and a process that dies mid-send leaves a
 * claim that expires (the row is then sent again: delivery is at least once, never lost).
 */

export type NotificationChannel = "mail" | "webhook";
export type OutboxStatus = "pending" | "sent" | "failed" | "cancelled";

export type NewNotification = {
  /** Unique: the same key is enqueued once, whatever happens afterwards. */
  readonly key: string;
  readonly week: string;
  readonly channel: NotificationChannel;
  /** Recipient id (mail) or webhook id. */
  readonly target: string;
  /** The rendered message (JSON); never a token or a staff name. */
  readonly payload: string;
  readonly createdAt: string;
  /** Epoch ms when the first attempt is due. */
  readonly dueAt: number;
};

export type OutboxEntry = {
  readonly seq: number;
  readonly key: string;
  readonly week: string;
  readonly channel: NotificationChannel;
  readonly target: string;
  readonly payload: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
};

export type ClaimInput = {
  /** Epoch ms now. */
  readonly now: number;
  /** Who claims (one id per delivering process). */
  readonly claimant: string;
  /** How long the claim holds (ms); after that another process may take the row. */
  readonly leaseMs: number;
  readonly limit: number;
};

/** How an attempt ended: sent; failed and to be retried at `nextAttemptAt`; or given up. */
export type AttemptResult =
  | { readonly outcome: "sent"; readonly at: string }
  | { readonly outcome: "retry"; readonly error: string; readonly nextAttemptAt: number }
  | { readonly outcome: "failed" | "cancelled"; readonly error: string; readonly at: string };

export type OutboxCounts = Readonly<Record<NotificationChannel, Readonly<Record<OutboxStatus, number>>>>;

export type NotificationOutbox = {
  /** Adds the entries whose key is new; returns how many were added. */
  enqueueNotifications(entries: readonly NewNotification[]): Promise<number>;
  /** True when anything was ever enqueued for this week, channel and target (an update follows). */
  hasNotification(week: string, channel: NotificationChannel, target: string): Promise<boolean>;
  /** Claims the pending entries due at `now` (oldest first) that no live claim holds. */
  claimDueNotifications(input: ClaimInput): Promise<OutboxEntry[]>;
  /** Records an attempt of a claimed entry (ignored when the claim was lost to another process). */
  finishNotificationAttempt(seq: number, claimant: string, result: AttemptResult): Promise<void>;
  /** Gives a claimed entry back unattempted (due again at once). */
  releaseNotification(seq: number, claimant: string): Promise<void>;
  countNotifications(): Promise<OutboxCounts>;
  /** Entries, newest first. */
  listNotifications(options?: { readonly week?: string; readonly limit?: number }): Promise<OutboxEntry[]>;
};

function toEntry(row: Row): OutboxEntry {
  return {
    seq: num(row, "seq"),
    key: text(row, "key"),
    week: text(row, "week"),
    channel: text(row, "channel") as NotificationChannel,
    target: text(row, "target"),
    payload: text(row, "payload"),
    status: text(row, "status") as OutboxStatus,
    attempts: num(row, "attempts"),
    nextAttemptAt: num(row, "next_attempt_at"),
    lastError: textOrNull(row, "last_error"),
    createdAt: text(row, "created_at"),
    finishedAt: textOrNull(row, "finished_at"),
  };
}

function emptyCounts(): Record<OutboxStatus, number> {
  return { pending: 0, sent: 0, failed: 0, cancelled: 0 };
}

export function createNotificationOutbox(db: SqlDriver): NotificationOutbox {
  // PostgreSQL transactions run side by side: rows another replica is claiming are skipped, not
  // claimed twice (SQLite's write transactions are serial already).
  const skipClaimed = db.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
  return {
    enqueueNotifications(entries) {
      return db.transaction(async (tx) => {
        let added = 0;
        for (const e of entries) {
          added += await tx.run(
            `INSERT INTO notification_outbox (key, week, channel, target, payload, status, attempts,
               next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
             ON CONFLICT (key) DO NOTHING`,
            e.key,
            e.week,
            e.channel,
            e.target,
            e.payload,
            e.dueAt,
            e.createdAt,
          );
        }
        return added;
      });
    },

    async hasNotification(week, channel, target) {
      const row = await db.get(
        "SELECT 1 FROM notification_outbox WHERE week = ? AND channel = ? AND target = ? LIMIT 1",
        week,
        channel,
        target,
      );
      return row !== undefined;
    },

    claimDueNotifications(input) {
      return db.transaction(async (tx) => {
        const rows = await tx.all(
          `SELECT * FROM notification_outbox
           WHERE status = 'pending' AND next_attempt_at <= ?
             AND (claimed_until IS NULL OR claimed_until <= ?)
           ORDER BY seq LIMIT ?${skipClaimed}`,
          input.now,
          input.now,
          input.limit,
        );
        for (const row of rows) {
          await tx.run(
            "UPDATE notification_outbox SET claimed_by = ?, claimed_until = ? WHERE seq = ?",
            input.claimant,
            input.now + input.leaseMs,
            num(row, "seq"),
          );
        }
        return rows.map(toEntry);
      });
    },

    async finishNotificationAttempt(seq, claimant, result) {
      const owned = "seq = ? AND claimed_by = ? AND status = 'pending'";
      if (result.outcome === "retry") {
        await db.run(
          `UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
             claimed_by = NULL, claimed_until = NULL
           WHERE ${owned}`,
          result.nextAttemptAt,
          result.error,
          seq,
          claimant,
        );
        return;
      }
      const error = result.outcome === "sent" ? null : result.error;
      const attempt = result.outcome === "cancelled" ? 0 : 1;
      await db.run(
        `UPDATE notification_outbox SET status = ?, attempts = attempts + ?, last_error = ?, finished_at = ?,
           claimed_by = NULL, claimed_until = NULL
         WHERE ${owned}`,
        result.outcome,
        attempt,
        error,
        result.at,
        seq,
        claimant,
      );
    },

    async releaseNotification(seq, claimant) {
      await db.run(
        "UPDATE notification_outbox SET claimed_by = NULL, claimed_until = NULL WHERE seq = ? AND claimed_by = ?",
        seq,
        claimant,
      );
    },

    async countNotifications() {
      const counts = { mail: emptyCounts(), webhook: emptyCounts() };
      const rows = await db.all(
        "SELECT channel, status, COUNT(*) AS n FROM notification_outbox GROUP BY channel, status",
      );
      for (const row of rows) {
        const channel = text(row, "channel") as NotificationChannel;
        counts[channel][text(row, "status") as OutboxStatus] = num(row, "n");
      }
      return counts;
    },

    async listNotifications(options = {}) {
      const where = options.week === undefined ? "" : "WHERE week = ?";
      const values: (string | number)[] = options.week === undefined ? [] : [options.week];
      const limit = options.limit === undefined ? "" : "LIMIT ?";
      if (options.limit !== undefined) values.push(Math.max(0, Math.floor(options.limit)));
      return (
        await db.all(`SELECT * FROM notification_outbox ${where} ORDER BY seq DESC ${limit}`, ...values)
      ).map(toEntry);
    },
  };
}
