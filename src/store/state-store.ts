import { createAttendanceState, type AttendanceState } from "./attendance-state.ts";
import { createGoodRosters, type GoodRosters } from "./good-rosters.ts";
import { createDownloadAudit, type DownloadAudit } from "./download-audit.ts";
import { createNotificationOutbox, type NotificationOutbox } from "./notification-outbox.ts";
import { createOperatorState, type OperatorState } from "./operator-state.ts";
import { createRecipientState, type RecipientState } from "./recipients.ts";
import { createRawCaptures, type RawCaptures } from "./raw-captures.ts";
import { createRegionHistory, type RegionHistory } from "./region-history.ts";
import { createRetention, type Retention } from "./retention.ts";
import { createRunLedger, type RunLedger } from "./run-ledger.ts";
import type { LockHolder, LockRow, RunLockHolder } from "./run-lock.ts";
import type { SqlDriver } from "./sql-driver.ts";
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
export type { LockHolder, LockRow, RunLockHolder } from "./run-lock.ts";
export type {
  NewOverride,
  OverrideRemoval,
  PauseInput,
  PauseState,
  StoredOverride,
} from "./operator-state.ts";
export type { RawCapture, RawCaptureInput, RawCaptureWeek, SavedPayload } from "./raw-captures.ts";
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

/** A run lock this process holds; `release` ends it (idempotent). */
export type HeldStoreLock = {
  readonly holder: RunLockHolder;
  release(): Promise<void>;
};

export type StoreLockResult =
  | { readonly acquired: true; readonly lock: HeldStoreLock }
  | {
      readonly acquired: false;
      /** Where the lock lives (the lock file, or the database), for the message. */
      readonly where: string;
      readonly holder: RunLockHolder | undefined;
    };

export type StoreLockRequest = {
  /** `week:<ISO week>` for a week's run, `data:<purpose>` for work that excludes every run. */
  readonly name: string;
  readonly holder: LockHolder;
  /** Epoch ms now (for `startedAt`). */
  readonly now: number;
};

/**
 * The run lock and its rows. One run per week across every process using the store; a lock dies
 * with its holder (an OS file lock for SQLite, a session advisory lock for PostgreSQL), so a
 * killed process never blocks a week.
 */
export type StoreLocks = {
  /** Takes the run lock `request.name` unless another process holds it (then says who does). */
  acquireRunLock(request: StoreLockRequest): Promise<StoreLockResult>;
  /**
   * The live holder of the run lock, or undefined when it is free. SQLite has one lock per data
   * directory (any name); PostgreSQL one per name, so `name` says which.
   */
  readRunLockHolder(name: string): Promise<RunLockHolder | undefined>;
  /**
   * Every live holder of the store's run locks, whatever it holds them for (for `status`): at most
   * one, as every holder also holds the store-wide lock (SQLite: the data directory's lock file).
   * `where` names the lock for messages.
   */
  readRunLockHolders(): Promise<{ readonly where: string; readonly holders: RunLockHolder[] }>;
  /**
   * Records the run's row in `week_locks`, removing the rows its lock proves stale. Returns the
   * removed rows (crashed runs).
   */
  claimWeekLockRow(lock: RunLockHolder, now: number): Promise<LockRow[]>;
  /** Updates the heartbeat of the row owned by `token`. */
  beatWeekLockRow(token: string, now: number): Promise<void>;
  /** Removes the row owned by `token`; true when there was one. */
  releaseWeekLockRow(token: string): Promise<boolean>;
  /** Every week lock row, each marked live or not (for `status`). */
  listRowLocks(): Promise<LockRow[]>;
};

/** What /readyz learns from the store: usable for writes or why not. */
export type StoreProbe =
  | { readonly writable: true; readonly note?: string }
  | { readonly writable: false; readonly problem: string };

export type StoreKind = "sqlite" | "postgres";

/**
 * The state store: run ledger, week state (with its history counts), operator state, delivery
 * (recipients, download audit, notification outbox), the raw captures and the run lock behind
 * one asynchronous interface, implemented over SQLite (`node:sqlite`, the default) and PostgreSQL
 * (`pg`). Callers depend on this type only. Every storage fault surfaces as a StorageError naming the store.
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
  NotificationOutbox &
  RawCaptures &
  StoreLocks & {
    readonly kind: StoreKind;
    /**
     * Where the store is, for messages: the SQLite file (its folder is the data directory), or
     * the PostgreSQL server and schema with the credentials left out.
     */
    readonly path: string;
    /** A cheap check that the store is reachable and writable (/readyz); never changes data. */
    probe(timeoutMs?: number): Promise<StoreProbe>;
    close(): Promise<void>;
  };

/** The parts every store implementation shares: the queries over its SQL driver. */
export type StoreQueries = Omit<StateStore, keyof StoreLocks | "kind" | "path" | "probe" | "close">;

/**
 * The queries of the state store over `db`; `where` names the store in input errors.
 */
export function createStoreQueries(db: SqlDriver, where: string): StoreQueries {
  return {
    ...createRunLedger(db),
    ...createWeekState(db, where),
    ...createRegionHistory(db),
    ...createRetention(db),
    ...createOperatorState(db, where),
    ...createAttendanceState(db),
    ...createGoodRosters(db),
    ...createRecipientState(db, where),
    ...createDownloadAudit(db),
    ...createNotificationOutbox(db),
    ...createRawCaptures(db, where),
  };
}
