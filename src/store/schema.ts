import type { DatabaseSync } from "node:sqlite";
import { num } from "./row-codecs.ts";
import { moveCycleSlotsSqlite } from "./slot-snapshot-rows.ts";
import { storageError } from "./storage-fault.ts";

/**
 * Schema migrations, applied in order; `PRAGMA user_version` holds how many have run, so a store
 * at version N has had exactly the first N applied. Append new migrations, never edit a released
 * one: a store in the field may be at any earlier version.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the first released schema.
  `
  CREATE TABLE run_attempts (
    attempt INTEGER PRIMARY KEY AUTOINCREMENT,
    week TEXT NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'aborted')),
    scheduled_for TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    summary TEXT
  );
  CREATE INDEX run_attempts_by_week ON run_attempts (week, attempt);

  CREATE TABLE committed_weeks (
    week TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    test_week TEXT NOT NULL,
    input_digest TEXT NOT NULL
  );

  CREATE TABLE classifications (
    week TEXT NOT NULL,
    code INTEGER NOT NULL,
    name TEXT NOT NULL,
    region_code INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    cases_7d INTEGER,
    population INTEGER NOT NULL,
    incidence REAL NOT NULL,
    raw_status TEXT NOT NULL CHECK (raw_status IN ('red', 'green')),
    status TEXT NOT NULL CHECK (status IN ('red', 'green')),
    override_id TEXT,
    limit_to_sites TEXT,
    PRIMARY KEY (week, code)
  );

  CREATE TABLE cadence_states (
    week TEXT NOT NULL,
    code INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('green', 'red-flow')),
    flow_start TEXT,
    limit_to_sites TEXT,
    PRIMARY KEY (week, code)
  );

  CREATE TABLE planned_tests (
    test_week TEXT NOT NULL,
    seq INTEGER NOT NULL,
    run_week TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    region_code INTEGER NOT NULL,
    date TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    shift TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (test_week, seq)
  );

  CREATE TABLE cycle_slots (
    week TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    cycle_week INTEGER NOT NULL,
    weekday INTEGER NOT NULL,
    shift TEXT NOT NULL,
    site_id TEXT NOT NULL,
    PRIMARY KEY (week, employee_id)
  );

  CREATE TABLE deferred_tests (
    week TEXT NOT NULL,
    seq INTEGER NOT NULL,
    employee_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    reason TEXT NOT NULL,
    due_week TEXT NOT NULL,
    latest_date TEXT NOT NULL,
    PRIMARY KEY (week, seq)
  );

  CREATE TABLE deferral_reports (
    week TEXT NOT NULL,
    seq INTEGER NOT NULL,
    municipality_code INTEGER NOT NULL,
    region_code INTEGER NOT NULL,
    site_kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    gap_violations INTEGER NOT NULL,
    PRIMARY KEY (week, seq)
  );

  CREATE TABLE overrides (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    municipality_code INTEGER NOT NULL,
    from_week TEXT NOT NULL,
    to_week TEXT NOT NULL,
    action TEXT NOT NULL,
    site_ids TEXT NOT NULL,
    reason TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT,
    removal_note TEXT
  );

  CREATE TABLE pause_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
    note TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL
  );
  `,
  // 2: ledger status `crashed` (SQLite cannot alter a CHECK constraint: the table is rebuilt);
  // the digest of each week's published folder (publish after commit, reconcile on start); the
  // per-week lock rows with an owner token and heartbeat replace the expiring `locks` rows.
  `
  CREATE TABLE run_attempts_v2 (
    attempt INTEGER PRIMARY KEY AUTOINCREMENT,
    week TEXT NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'aborted', 'crashed')),
    scheduled_for TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    summary TEXT
  );
  INSERT INTO run_attempts_v2
    (attempt, week, run_id, trigger, status, scheduled_for, started_at, finished_at, error, summary)
    SELECT attempt, week, run_id, trigger, status, scheduled_for, started_at, finished_at, error, summary
    FROM run_attempts;
  DROP TABLE run_attempts;
  ALTER TABLE run_attempts_v2 RENAME TO run_attempts;
  CREATE INDEX run_attempts_by_week ON run_attempts (week, attempt);

  ALTER TABLE committed_weeks ADD COLUMN published_digest TEXT;
  ALTER TABLE committed_weeks ADD COLUMN previous_digest TEXT;

  DROP TABLE IF EXISTS locks;
  CREATE TABLE week_locks (
    name TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    purpose TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  `,
  // 3: delivery. Recipients of the published files (token kept as a hash only) with their audited
  // changes; every portal download; the outbox of notifications (mail, webhooks), one row per
  // (week's published digest, channel, target), so a restart neither loses nor repeats one.
  `
  CREATE TABLE recipients (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('municipality', 'region', 'national')),
    codes TEXT NOT NULL,
    email TEXT NOT NULL,
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    token_set_at TEXT NOT NULL,
    expires_at TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT
  );

  CREATE TABLE recipient_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('add', 'rotate', 'remove')),
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT NOT NULL
  );
  CREATE INDEX recipient_events_by_recipient ON recipient_events (recipient_id, seq);

  CREATE TABLE downloads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id TEXT NOT NULL,
    week TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX downloads_by_recipient ON downloads (recipient_id, seq);

  CREATE TABLE notification_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    week TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    claimed_by TEXT,
    claimed_until INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);
  `,
  // 4: attendance returned by coordinators: one return per municipality and test week (the
  // latest file; a corrected one replaces it), its outcomes per test, and the audit trail.
  `
  CREATE TABLE attendance_returns (
    test_week TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    digest TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    author TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    rows INTEGER NOT NULL,
    taken INTEGER NOT NULL,
    declined INTEGER NOT NULL,
    absent INTEGER NOT NULL,
    blank INTEGER NOT NULL,
    PRIMARY KEY (test_week, municipality_code)
  );

  CREATE TABLE attendance_outcomes (
    test_week TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    employee_id TEXT NOT NULL,
    date TEXT NOT NULL,
    shift TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('taken', 'declined', 'absent')),
    sample_id TEXT,
    PRIMARY KEY (test_week, municipality_code, employee_id, date, shift)
  );

  CREATE TABLE attendance_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    test_week TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('imported', 'replaced')),
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    old_digest TEXT,
    new_digest TEXT NOT NULL,
    old_counts TEXT,
    new_counts TEXT NOT NULL
  );
  `,
  // 5: a staff member's identity is (municipality, employee id): each HR system numbers its own
  // staff, so cycle slots are keyed by both (deferred tests already carry the municipality). An
  // existing slot gets the municipality of its site, as the store's planned and deferred tests
  // know it; a site the store never saw a test at (possible in the first six weeks) stays NULL
  // and is resolved by the sites file when the slots are next read (see loadSlotsBefore).
  // `good_rosters` keeps each municipality's last roster file read without a problem, so that a
  // missing or bad file the next week does not stop the run (roster isolation).
  `
  CREATE TABLE migration_site_municipality (
    site_id TEXT PRIMARY KEY,
    municipality_code INTEGER NOT NULL
  );
  INSERT INTO migration_site_municipality (site_id, municipality_code)
    SELECT site_id, MIN(municipality_code) FROM (
      SELECT site_id, municipality_code FROM planned_tests
      UNION SELECT site_id, municipality_code FROM deferred_tests
    )
    GROUP BY site_id
    HAVING COUNT(DISTINCT municipality_code) = 1;

  CREATE TABLE cycle_slots_v5 (
    week TEXT NOT NULL,
    municipality_code INTEGER,
    employee_id TEXT NOT NULL,
    cycle_week INTEGER NOT NULL,
    weekday INTEGER NOT NULL,
    shift TEXT NOT NULL,
    site_id TEXT NOT NULL,
    UNIQUE (week, municipality_code, employee_id)
  );
  INSERT INTO cycle_slots_v5 (week, municipality_code, employee_id, cycle_week, weekday, shift, site_id)
    SELECT s.week, m.municipality_code, s.employee_id, s.cycle_week, s.weekday, s.shift, s.site_id
    FROM cycle_slots s LEFT JOIN migration_site_municipality m ON m.site_id = s.site_id;
  DROP TABLE cycle_slots;
  DROP TABLE migration_site_municipality;
  ALTER TABLE cycle_slots_v5 RENAME TO cycle_slots;

  CREATE TABLE good_rosters (
    municipality_code INTEGER PRIMARY KEY,
    week TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    staff TEXT NOT NULL
  );
  `,
  // 6: the raw captures of the incidence source, one row per payload of a run: kept in the store
  // (no longer as files in the data directory) so that every process sharing it can replay a week
  // offline. `position` keeps the payloads in the order fetched; `gzip` holds them compressed,
  // `sha256` and `bytes` describe the uncompressed payload (checked when read back).
  `
  CREATE TABLE raw_captures (
    week TEXT NOT NULL,
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    origin TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    gzip BLOB NOT NULL,
    captured_at TEXT NOT NULL,
    PRIMARY KEY (week, run_id, name)
  );
  `,
  // 7: a week's cycle slots as one gzip'd row per municipality (store/slot-snapshots.ts; sha256 and
  // bytes of the uncompressed encoding); MIGRATION_STEPS[7] moves `cycle_slots` in and drops it.
  `
  CREATE TABLE slot_snapshots (week TEXT NOT NULL, municipality_code INTEGER NOT NULL,
    slots INTEGER NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, gzip BLOB NOT NULL,
    PRIMARY KEY (week, municipality_code));
  `,
];

/** Code run after a migration's SQL in its transaction, by version: rows into forms SQL cannot make. */
export const MIGRATION_STEPS: Readonly<Record<number, (db: DatabaseSync) => void>> = {
  7: moveCycleSlotsSqlite,
};

/** Applies migration `index` (0-based: it makes schema version index + 1), SQL then code. */
export function applyMigration(db: DatabaseSync, index: number): void {
  db.exec(MIGRATIONS[index] ?? "");
  MIGRATION_STEPS[index + 1]?.(db);
}

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Runs `work` in one write transaction. IMMEDIATE takes the write lock up front, so a concurrent
 * writer waits (busy_timeout) instead of failing halfway through.
 */
export function runInTransaction(db: DatabaseSync, work: () => void): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    work();
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** The store's schema version (`PRAGMA user_version`). */
export function schemaVersion(db: DatabaseSync): number {
  return num(db.prepare("PRAGMA user_version").get() ?? {}, "user_version");
}

/**
 * Applies the migrations not yet run, each in its own transaction with the version bump. A store
 * written by a newer testrota is refused untouched (StorageError `newer-schema`).
 */
export function migrate(db: DatabaseSync, path: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw storageError(
      "newer-schema",
      path,
      `schema version ${version} is newer than this build supports (${SCHEMA_VERSION}); run a newer testrota`,
    );
  }
  for (const index of MIGRATIONS.keys()) {
    if (index < version) continue;
    runInTransaction(db, () => {
      applyMigration(db, index);
      // PRAGMA takes no bound parameters; the value is a loop index, never input.
      db.exec(`PRAGMA user_version = ${index + 1}`);
    });
  }
}
