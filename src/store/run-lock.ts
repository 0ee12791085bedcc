import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createFileIfAbsent, makeDirectory, modesFor } from "./file-modes.ts";
import { num, text, type Row } from "./row-codecs.ts";
import { runInTransaction } from "./schema.ts";
import { asStorageError, sqlitePrimaryCode, storageError } from "./storage-fault.ts";

/*
 * The run lock: one run at a time per data directory, held by an OS lock that dies with its
 * holder. `<dataDir>/run.lock` is a small SQLite database (rollback journal); the holder keeps a
 * write transaction open on it (BEGIN IMMEDIATE: a POSIX fcntl lock SQLite takes on the file) for
 * the whole run. The kernel releases fcntl locks when the process ends, however it ends (SIGKILL,
 * OOM killer, `podman stop`), and they belong to the open file, not to a pid, so they also hold
 * between processes in different PID namespaces on one host. No pid is ever judged alive or dead.
 *
 * The file also names its holder (a row committed just before the lock is taken for the run), so a
 * loser can say who holds it; the row of a dead holder stays until the next holder replaces it,
 * but a row counts only while its lock is held.
 *
 * Beside it, the state store keeps a row per running week (`week_locks`: owner token, holder,
 * heartbeat) for `status`; rows whose token is not the live holder's were left by a crash.
 */

export const RUN_LOCK_FILE = "run.lock";

/** SQLITE_BUSY: the write lock is held by another connection. */
const SQLITE_BUSY = 5;

/**
 * How long an acquirer waits for the write lock. A status probe holds it for microseconds (see
 * readRunLockHolder), so a short wait keeps a probe from failing a run; a real holder keeps it.
 */
const ACQUIRE_WAIT_MS = 250;
const MAX_ATTEMPTS = 3;

const HOLDER_TABLE = `CREATE TABLE IF NOT EXISTS holder (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  token TEXT NOT NULL,
  name TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  purpose TEXT NOT NULL,
  started_at TEXT NOT NULL
)`;

/** Who holds a lock: process id and host name, plus what it is doing. */
export type LockHolder = {
  readonly pid: number;
  readonly host: string;
  readonly purpose?: string | undefined;
};

/** The live holder of a data directory's run lock. */
export type RunLockHolder = {
  /** Unique per acquisition (random UUID): pids and host names repeat, tokens do not. */
  readonly token: string;
  /** What is locked, e.g. `week:2020-W44`. */
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  readonly purpose: string;
  /** ISO instant the lock was taken. */
  readonly startedAt: string;
};

export type HeldRunLock = {
  readonly path: string;
  readonly holder: RunLockHolder;
  /** Ends the lock's transaction (the OS lock goes with it) and clears the holder row; idempotent. */
  release(): void;
};

export type RunLockRequest = {
  readonly dataDir: string;
  readonly name: string;
  readonly holder: LockHolder;
  /** Epoch ms now (for `startedAt`). */
  readonly now: number;
  readonly umask?: number | undefined;
};

export type RunLockResult =
  | { readonly acquired: true; readonly lock: HeldRunLock }
  | { readonly acquired: false; readonly path: string; readonly holder: RunLockHolder | undefined };

/** `<dataDir>/run.lock`. */
export function runLockPath(dataDir: string): string {
  return join(dataDir, RUN_LOCK_FILE);
}

function isBusy(error: unknown): boolean {
  return sqlitePrimaryCode(error) === SQLITE_BUSY;
}

function toHolder(row: Row): RunLockHolder {
  return {
    token: text(row, "token"),
    name: text(row, "name"),
    pid: num(row, "pid"),
    host: text(row, "host"),
    purpose: text(row, "purpose"),
    startedAt: text(row, "started_at"),
  };
}

function readHolderRow(db: DatabaseSync): RunLockHolder | undefined {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'holder'").get();
  if (table === undefined) return undefined;
  const row = db.prepare("SELECT * FROM holder WHERE id = 1").get();
  return row === undefined ? undefined : toHolder(row);
}

function openLockDatabase(path: string, timeout: number): DatabaseSync {
  try {
    return new DatabaseSync(path, { timeout });
  } catch (error) {
    throw lockFault(error, path, "opening the run lock");
  }
}

function lockFault(error: unknown, path: string, action: string): unknown {
  if (sqlitePrimaryCode(error) === 14) {
    return storageError(
      "io",
      path,
      "cannot be opened (a folder in its place, or the data directory is not writable); expected the run lock database",
      error,
    );
  }
  return asStorageError(error, path, action);
}

/**
 * Takes the data directory's run lock for `request.name` unless another process holds it; then
 * the loser learns who does (`holder`, undefined when it could not be read).
 */
export function acquireRunLock(request: RunLockRequest): RunLockResult {
  const path = runLockPath(request.dataDir);
  const modes = modesFor(request.umask);
  try {
    makeDirectory(request.dataDir, modes);
    createFileIfAbsent(path, modes);
  } catch (error) {
    throw asStorageError(error, path, "creating the run lock");
  }
  const db = openLockDatabase(path, ACQUIRE_WAIT_MS);
  const holder: RunLockHolder = {
    token: randomUUID(),
    name: request.name,
    pid: request.holder.pid,
    host: request.holder.host,
    purpose: request.holder.purpose ?? request.name,
    startedAt: new Date(request.now).toISOString(),
  };
  const lost = (): RunLockResult => {
    let current: RunLockHolder | undefined;
    try {
      current = readHolderRow(db);
    } finally {
      db.close();
    }
    return { acquired: false, path, holder: current };
  };
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // Name the holder first (committed, so others can read it), then take the lock for the run.
      try {
        runInTransaction(db, () => {
          db.exec(HOLDER_TABLE);
          db.prepare(
            `INSERT OR REPLACE INTO holder (id, token, name, pid, host, purpose, started_at)
             VALUES (1, ?, ?, ?, ?, ?, ?)`,
          ).run(holder.token, holder.name, holder.pid, holder.host, holder.purpose, holder.startedAt);
        });
        db.exec("BEGIN IMMEDIATE");
      } catch (error) {
        if (isBusy(error)) return lost();
        throw error;
      }
      // Someone may have run in the gap between naming and locking: then the row is theirs.
      if (readHolderRow(db)?.token === holder.token) return { acquired: true, lock: held(db, path, holder) };
      db.exec("ROLLBACK");
    }
    return lost();
  } catch (error) {
    if (db.isOpen) db.close();
    throw lockFault(error, path, "taking the run lock");
  }
}

function held(db: DatabaseSync, path: string, holder: RunLockHolder): HeldRunLock {
  let released = false;
  return {
    path,
    holder,
    release() {
      if (released) return;
      released = true;
      try {
        if (db.isTransaction) db.exec("ROLLBACK");
        // Clear our row unless a successor has already replaced it; a busy lock means one has.
        db.exec("PRAGMA busy_timeout = 0");
        runInTransaction(db, () => {
          db.prepare("DELETE FROM holder WHERE token = ?").run(holder.token);
        });
      } catch {
        // The OS lock is gone with the ROLLBACK; a stale row is harmless (it counts only while held).
      } finally {
        db.close();
      }
    },
  };
}

/**
 * The live holder of `dataDir`'s run lock, or undefined when none holds it (for `status`, the
 * ledger view and error messages). Probes by trying the write lock without waiting; never
 * creates the lock file.
 */
export function readRunLockHolder(dataDir: string): RunLockHolder | undefined {
  const path = runLockPath(dataDir);
  if (!existsSync(path)) return undefined;
  const db = openLockDatabase(path, 0);
  try {
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      if (!isBusy(error)) throw error;
      return (
        readHolderRow(db) ?? {
          token: "",
          name: "unknown",
          pid: -1,
          host: "unknown",
          purpose: "unknown",
          startedAt: "an unknown time",
        }
      );
    }
    db.exec("ROLLBACK");
    return undefined;
  } catch (error) {
    throw lockFault(error, path, "reading the run lock");
  } finally {
    db.close();
  }
}

/** A week's lock row in the state store, for reporting (`status`). */
export type LockRow = {
  readonly name: string;
  readonly token: string;
  readonly holder: LockHolder;
  /** Epoch ms. */
  readonly acquiredAt: number;
  /** Epoch ms of the holder's latest heartbeat. */
  readonly heartbeatAt: number;
  /** True while the row's holder holds the run lock; false: left by a crashed run. */
  readonly live: boolean;
  /**
   * Kept for older callers that filter on it: far in the future while live, the last heartbeat
   * otherwise. An OS lock does not expire; use `live`.
   */
  readonly expiresAt: number;
};

function toLockRow(row: Row, liveToken: string | undefined): LockRow {
  const token = text(row, "token");
  const live = token === liveToken;
  const heartbeatAt = num(row, "heartbeat_at");
  return {
    name: text(row, "name"),
    token,
    holder: { pid: num(row, "pid"), host: text(row, "host"), purpose: text(row, "purpose") },
    acquiredAt: num(row, "acquired_at"),
    heartbeatAt,
    live,
    expiresAt: live ? Number.MAX_SAFE_INTEGER : heartbeatAt,
  };
}

/**
 * Records the run's row in the store's `week_locks`, removing every other row: the caller holds
 * the run lock, so their holders are gone. Returns the removed rows (crashed runs).
 */
export function claimWeekLockRow(db: DatabaseSync, lock: RunLockHolder, now: number): LockRow[] {
  let removed: LockRow[] = [];
  runInTransaction(db, () => {
    removed = db
      .prepare("SELECT * FROM week_locks ORDER BY name")
      .all()
      .map((row) => toLockRow(row, undefined));
    db.prepare("DELETE FROM week_locks").run();
    db.prepare(
      `INSERT INTO week_locks (name, token, pid, host, purpose, acquired_at, heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(lock.name, lock.token, lock.pid, lock.host, lock.purpose, now, now);
  });
  return removed;
}

/** Updates the heartbeat of the row owned by `token`. */
export function beatWeekLockRow(db: DatabaseSync, token: string, now: number): void {
  db.prepare("UPDATE week_locks SET heartbeat_at = ? WHERE token = ?").run(now, token);
}

/** Removes the row owned by `token`; true when there was one. */
export function releaseWeekLockRow(db: DatabaseSync, token: string): boolean {
  return Number(db.prepare("DELETE FROM week_locks WHERE token = ?").run(token).changes) > 0;
}

/**
 * Every week lock row of the store (for `status`), each marked live or not by probing the run
 * lock of `dataDir` (default: the store file's folder).
 */
export function listRowLocks(db: DatabaseSync, dataDir?: string): LockRow[] {
  const live = readRunLockHolder(dataDir ?? dirname(db.location() ?? ""));
  return db
    .prepare("SELECT * FROM week_locks ORDER BY name")
    .all()
    .map((row) => toLockRow(row, live?.token));
}
