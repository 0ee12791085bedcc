import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openStoreDatabase, type OpenStoreOptions } from "./open-database.ts";
import {
  acquireRunLock,
  beatWeekLockRow,
  claimWeekLockRow,
  listRowLocks,
  readRunLockHolder,
  releaseWeekLockRow,
  runLockPath,
} from "./run-lock.ts";
import { createSqliteDriver } from "./sql-driver.ts";
import { createStoreQueries, type StateStore, type StoreLocks, type StoreProbe } from "./state-store.ts";
import { asStorageError, storageError } from "./storage-fault.ts";

/*
 * The SQLite state store (the default): one file in the data directory, opened with node:sqlite.
 * Its run lock is `<dataDir>/run.lock` (store/run-lock.ts): one run at a time per data directory.
 */

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
    const method = value as (...args: unknown[]) => Promise<unknown>;
    guarded[name] = async (...args: unknown[]) => {
      if (name !== "close" && fileIdentity(path) !== opened) {
        throw storageError(
          "missing",
          path,
          "the state store file was deleted or replaced while testrota had it open; restore it from a backup",
        );
      }
      try {
        return await method(...args);
      } catch (error) {
        throw asStorageError(error, path, name);
      }
    };
  }
  return guarded as T;
}

function isBusy(error: unknown): boolean {
  return (error as { errcode?: number } | undefined)?.errcode === 5; // SQLITE_BUSY
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A cheap write probe: take the write lock, rewrite the header's user_version with its own value,
 * roll back. A read-only file or file system fails here; nothing is ever changed. It goes to the
 * connection directly: queued behind a run's transaction it would wait for the whole commit.
 */
export function probeStoreWritable(db: DatabaseSync, timeoutMs = 200): StoreProbe {
  if (!db.isOpen) return { writable: false, problem: "state store is closed" };
  // A transaction open on this connection means a run is writing right now.
  if (db.isTransaction) return { writable: true, note: "a write is in progress" };
  const previous =
    (db.prepare("PRAGMA busy_timeout").get() as { timeout?: number } | undefined)?.timeout ?? 0;
  // node:sqlite is synchronous: a long busy wait would block /healthz too, so the probe waits briefly.
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`);
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      const version =
        (db.prepare("PRAGMA user_version").get() as { user_version?: number } | undefined)?.user_version ?? 0;
      db.exec(`PRAGMA user_version = ${Number(version)}`);
    } finally {
      if (db.isTransaction) db.exec("ROLLBACK");
    }
    return { writable: true };
  } catch (error) {
    if (isBusy(error)) return { writable: true, note: "another process is writing" };
    return { writable: false, problem: `state store not writable: ${describe(error)}` };
  } finally {
    db.exec(`PRAGMA busy_timeout = ${Number(previous)}`);
  }
}

function createSqliteLocks(db: DatabaseSync, path: string, umask: number | undefined): StoreLocks {
  const dataDir = dirname(path);
  return {
    acquireRunLock(request) {
      const result = acquireRunLock({ ...request, dataDir, umask });
      if (!result.acquired) {
        return Promise.resolve({ acquired: false, where: result.path, holder: result.holder });
      }
      const { lock } = result;
      return Promise.resolve({
        acquired: true,
        lock: {
          holder: lock.holder,
          release: () => {
            lock.release();
            return Promise.resolve();
          },
        },
      });
    },
    readRunLockHolder: () => Promise.resolve(readRunLockHolder(dataDir)),
    readRunLockHolders() {
      const holder = readRunLockHolder(dataDir);
      return Promise.resolve({ where: runLockPath(dataDir), holders: holder === undefined ? [] : [holder] });
    },
    claimWeekLockRow: (lock, now) => Promise.resolve(claimWeekLockRow(db, lock, now)),
    beatWeekLockRow: (token, now) => Promise.resolve(beatWeekLockRow(db, token, now)),
    releaseWeekLockRow: (token) => Promise.resolve(releaseWeekLockRow(db, token)),
    listRowLocks: () => Promise.resolve(listRowLocks(db, dataDir)),
  };
}

/** The SQLite store; `db` is its connection, for SQLite-specific tools and tests (raw SQL). */
export type SqliteStateStore = StateStore & { readonly kind: "sqlite"; readonly db: DatabaseSync };

/**
 * Opens (creating when absent) the SQLite state file at `path`: WAL journal, a busy timeout so
 * that a second process waits for the write lock, and the schema migrated to this build's version.
 * A vanished store is refused unless `options.reinitialise` (see OpenStoreOptions); files are
 * created 0640 and folders 0750 unless `options.umask` says otherwise.
 * Staff ids live here (private state); they must never be logged from it.
 */
export function openStateStore(path: string, options: OpenStoreOptions = {}): SqliteStateStore {
  const db = openStoreDatabase(path, options);
  const driver = createSqliteDriver(db);
  const parts = {
    ...createStoreQueries(driver, path),
    ...createSqliteLocks(db, path, options.umask),
    close: () => driver.close(),
  };
  return {
    ...guardFaults(parts, path),
    kind: "sqlite",
    path,
    db,
    probe: (timeoutMs?: number) => Promise.resolve(probeStoreWritable(db, timeoutMs)),
  };
}
