import { statSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { createAttendanceState, type AttendanceState } from "./attendance-state.ts";
import { createGoodRosters, type GoodRosters } from "./good-rosters.ts";
import { openStoreDatabase, type OpenStoreOptions } from "./open-database.ts";
import { createDownloadAudit, type DownloadAudit } from "./download-audit.ts";
import { createNotificationOutbox, type NotificationOutbox } from "./notification-outbox.ts";
import { createOperatorState, type OperatorState } from "./operator-state.ts";
import { createRecipientState, type RecipientState } from "./recipients.ts";
import { createRegionHistory, type RegionHistory } from "./region-history.ts";
import { createRetention, type Retention } from "./retention.ts";
import { createRunLedger, type RunLedger } from "./run-ledger.ts";
import { asStorageError, storageError } from "./storage-fault.ts";
import { createWeekState, type WeekState } from "./week-state.ts";

export type {
  AttendanceAuditEntry,
  AttendanceCounts,
  AttendanceReturn,
  ImportResult,
  RecordedReturn,
  StoredOutcome,
} from "./attendance-state.ts";
export type { OpenStoreOptions } from "./open-database.ts";
export type {
  NewOverride,
  OverrideRemoval,
  PauseInput,
  PauseState,
  StoredOverride,
} from "./operator-state.ts";
export type { RegionWeekCounts } from "./region-history.ts";
export type { PrunedRows, RetentionCutoff } from "./retention.ts";
export type { DownloadQuery, DownloadRecord, StoredDownload } from "./download-audit.ts";
export type {
  AttemptResult,
  ClaimInput,
  NewNotification,
  NotificationChannel,
  OutboxCounts,
  OutboxEntry,
  OutboxStatus,
} from "./notification-outbox.ts";
export type {
  NewRecipient,
  RecipientEvent,
  RecipientRemoval,
  RecipientRole,
  RecipientScope,
  StoredRecipient,
  TokenRotation,
} from "./recipients.ts";
export type { BeginRunInput, FinishRunInput, RunRecord, RunStatus } from "./run-ledger.ts";
export type { CommitWeekInput, PublishedDigest, PublishedWeek, StepHook } from "./week-state.ts";

/**
 * The state store: run ledger, week state (with its history counts), operator state and delivery
 * (recipients, download audit, notification outbox) behind one synchronous facade. Callers
 * depend on this type only, so another implementation (e.g. PostgreSQL) can stand in; `db` is
 * the one SQLite-specific member (the run lock and the /readyz probe use the connection). Every
 * storage fault surfaces as a StorageError naming the file.
 */
export type StateStore = RunLedger &
  WeekState &
  RegionHistory &
  Retention &
  OperatorState &
  AttendanceState &
  GoodRosters &
  RecipientState &
  DownloadAudit &
  NotificationOutbox & {
    /** The open database, for helpers that add their own tables (e.g. the run lock). */
    readonly db: DatabaseSync;
    /** The store's file; the data directory is its folder. */
    readonly path: string;
    close(): void;
  };

/** The file's identity, to notice it being deleted or replaced under the open connection. */
function fileIdentity(path: string): string | undefined {
  try {
    const info = statSync(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Wraps every method so that disk and database faults become StorageErrors about `path`. A
 * database file deleted or replaced while open would take writes into a file no one sees again
 * (SQLite does not notice in WAL mode): every call first checks that the file is still the one
 * opened.
 */
function guardFaults<T extends object>(parts: T, path: string): T {
  const opened = fileIdentity(path);
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value !== "function") {
      guarded[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    guarded[name] = (...args: unknown[]) => {
      if (name !== "close" && fileIdentity(path) !== opened) {
        throw storageError(
          "missing",
          path,
          "the state store file was deleted or replaced while testrota had it open; restore it from a backup",
        );
      }
      try {
        return method(...args);
      } catch (error) {
        throw asStorageError(error, path, name);
      }
    };
  }
  return guarded as T;
}

/**
 * Opens (creating when absent) the SQLite state file at `path`: WAL journal, a busy timeout so
 * that a second process waits for the write lock, and the schema migrated to this build's version.
 * A vanished store is refused unless `options.reinitialise` (see OpenStoreOptions); files are
 * created 0640 and folders 0750 unless `options.umask` says otherwise.
 * Staff ids live here (private state); they must never be logged from it.
 */
export function openStateStore(path: string, options: OpenStoreOptions = {}): StateStore {
  const db = openStoreDatabase(path, options);
  const parts = {
    ...createRunLedger(db),
    ...createWeekState(db),
    ...createRegionHistory(db),
    ...createRetention(db),
    ...createOperatorState(db, path),
    ...createAttendanceState(db),
    ...createGoodRosters(db),
    ...createRecipientState(db, path),
    ...createDownloadAudit(db),
    ...createNotificationOutbox(db),
    close() {
      if (db.isOpen) db.close();
    },
  };
  return { ...guardFaults(parts, path), db, path };
}
