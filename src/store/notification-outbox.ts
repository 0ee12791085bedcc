import type { DatabaseSync } from "node:sqlite";
import { num, text, textOrNull, type Row } from "./row-codecs.ts";
import { runInTransaction } from "./schema.ts";

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
  enqueueNotifications(entries: readonly NewNotification[]): number;
  /** True when anything was ever enqueued for this week, channel and target (an update follows). */
  hasNotification(week: string, channel: NotificationChannel, target: string): boolean;
  /** Claims the pending entries due at `now` (oldest first) that no live claim holds. */
  claimDueNotifications(input: ClaimInput): OutboxEntry[];
  /** Records an attempt of a claimed entry (ignored when the claim was lost to another process). */
  finishNotificationAttempt(seq: number, claimant: string, result: AttemptResult): void;
  /** Gives a claimed entry back unattempted (due again at once). */
  releaseNotification(seq: number, claimant: string): void;
  countNotifications(): OutboxCounts;
  /** Entries, newest first. */
  listNotifications(options?: { readonly week?: string; readonly limit?: number }): OutboxEntry[];
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

export function createNotificationOutbox(db: DatabaseSync): NotificationOutbox {
  return {
    enqueueNotifications(entries) {
      let added = 0;
      runInTransaction(db, () => {
        const insert = db.prepare(
          `INSERT INTO notification_outbox (key, week, channel, target, payload, status, attempts,
             next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
           ON CONFLICT (key) DO NOTHING`,
        );
        for (const e of entries) {
          const result = insert.run(e.key, e.week, e.channel, e.target, e.payload, e.dueAt, e.createdAt);
          added += Number(result.changes);
        }
      });
      return added;
    },

    hasNotification(week, channel, target) {
      return (
        db
          .prepare("SELECT 1 FROM notification_outbox WHERE week = ? AND channel = ? AND target = ? LIMIT 1")
          .get(week, channel, target) !== undefined
      );
    },

    claimDueNotifications(input) {
      let claimed: OutboxEntry[] = [];
      runInTransaction(db, () => {
        const rows = db
          .prepare(
            `SELECT * FROM notification_outbox
             WHERE status = 'pending' AND next_attempt_at <= ?
               AND (claimed_until IS NULL OR claimed_until <= ?)
             ORDER BY seq LIMIT ?`,
          )
          .all(input.now, input.now, input.limit);
        const claim = db.prepare(
          "UPDATE notification_outbox SET claimed_by = ?, claimed_until = ? WHERE seq = ?",
        );
        for (const row of rows) claim.run(input.claimant, input.now + input.leaseMs, num(row, "seq"));
        claimed = rows.map(toEntry);
      });
      return claimed;
    },

    finishNotificationAttempt(seq, claimant, result) {
      const owned = "seq = ? AND claimed_by = ? AND status = 'pending'";
      if (result.outcome === "retry") {
        db.prepare(
          `UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
             claimed_by = NULL, claimed_until = NULL
           WHERE ${owned}`,
        ).run(result.nextAttemptAt, result.error, seq, claimant);
        return;
      }
      const error = result.outcome === "sent" ? null : result.error;
      const attempt = result.outcome === "cancelled" ? 0 : 1;
      db.prepare(
        `UPDATE notification_outbox SET status = ?, attempts = attempts + ?, last_error = ?, finished_at = ?,
           claimed_by = NULL, claimed_until = NULL
         WHERE ${owned}`,
      ).run(result.outcome, attempt, error, result.at, seq, claimant);
    },

    releaseNotification(seq, claimant) {
      db.prepare(
        "UPDATE notification_outbox SET claimed_by = NULL, claimed_until = NULL WHERE seq = ? AND claimed_by = ?",
      ).run(seq, claimant);
    },

    countNotifications() {
      const counts = { mail: emptyCounts(), webhook: emptyCounts() };
      const rows = db
        .prepare("SELECT channel, status, COUNT(*) AS n FROM notification_outbox GROUP BY channel, status")
        .all();
      for (const row of rows) {
        const channel = text(row, "channel") as NotificationChannel;
        counts[channel][text(row, "status") as OutboxStatus] = num(row, "n");
      }
      return counts;
    },

    listNotifications(options = {}) {
      const where = options.week === undefined ? "" : "WHERE week = ?";
      const values: (string | number)[] = options.week === undefined ? [] : [options.week];
      const limit = options.limit === undefined ? "" : "LIMIT ?";
      if (options.limit !== undefined) values.push(Math.max(0, Math.floor(options.limit)));
      return db
        .prepare(`SELECT * FROM notification_outbox ${where} ORDER BY seq DESC ${limit}`)
        .all(...values)
        .map(toEntry);
    },
  };
}
