import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { StorageError } from "../errors.ts";
import { createFileIfAbsent, makeDirectory, modesFor, type FileModes } from "./file-modes.ts";
import { migrate } from "./schema.ts";
import { asStorageError, sqlitePrimaryCode, storageError, withStorageFaults } from "./storage-fault.ts";

/*
 * Opening the state store's SQLite file so that every way it can be unusable gives a StorageError
 * naming the file: a missing (vanished) store, a read-only or full disk, a corrupt file, a store
 * written by a newer testrota.
 */

export type OpenStoreOptions = {
  /**
   * Start a new, empty store although the data directory shows that one existed (the database
   * vanished or is empty). Without it such a store is refused: starting over silently would
   * re-plan from warm-up and lose every committed week.
   */
  readonly reinitialise?: boolean | undefined;
  /** Permission bits removed from files (0666) and folders (0777) created; default 0o027. */
  readonly umask?: number | undefined;
};

const BUSY_TIMEOUT_MS = 5_000;
const SQLITE_CANTOPEN = 14;

const MARKER_TEXT =
  "testrota state store marker: it tells testrota that a store was created here, so a vanished\n" +
  "database is refused instead of silently starting over. Keep it beside the database.\n";

/** `<path>.created`: written once the store exists, kept beside it. */
export function markerPath(path: string): string {
  return `${path}.created`;
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** `<dataDir>/testrota.runs`: written by the first run made from a data directory. */
export const RUNS_MARKER = "testrota.runs";

const RUNS_MARKER_TEXT =
  "testrota runs marker: runs were made from this data directory (their state and raw captures\n" +
  "are in the state store), so a store found missing is refused instead of silently starting over.\n";

/**
 * Marks `dataDir` as one that runs were made from (idempotent). Whichever the store, the data
 * directory then shows that one existed: a PostgreSQL schema found missing is a vanished store.
 */
export function markRunsSeen(dataDir: string, umask?: number): void {
  const path = join(dataDir, RUNS_MARKER);
  if (existsSync(path)) return;
  withStorageFaults(path, "marking the data directory", () => {
    const modes = modesFor(umask);
    makeDirectory(dataDir, modes);
    try {
      writeFileSync(path, RUNS_MARKER_TEXT, { mode: modes.file, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
      throw error;
    }
    chmodSync(path, modes.file);
  });
}

/**
 * Evidence that a store existed in the folder of `path` (the SQLite file): its marker, the runs
 * marker, or raw captures that runs of earlier versions saved as files. The PostgreSQL store asks
 * too, before creating its schema.
 */
export function storeExistedBefore(path: string): string | undefined {
  if (existsSync(markerPath(path))) return `its marker ${basename(markerPath(path))} is there`;
  if (existsSync(join(dirname(path), RUNS_MARKER))) {
    return `the marker ${RUNS_MARKER} shows that runs were made from this data directory`;
  }
  const raw = join(dirname(path), "raw");
  try {
    if (readdirSync(raw).some((name) => !name.startsWith("."))) return "runs saved raw captures in raw/";
  } catch {
    // No raw captures: no evidence.
  }
  return undefined;
}

/** Refuses a vanished store (missing or 0 bytes while the folder shows one existed). */
function checkNotVanished(path: string, reinitialise: boolean): void {
  const size = sizeOf(path);
  if (size !== undefined && size > 0) return;
  const evidence = storeExistedBefore(path);
  if (evidence === undefined) return;
  if (!reinitialise) {
    throw storageError(
      "missing",
      path,
      `the state store is ${size === undefined ? "missing" : "empty (0 bytes)"} although one existed (${evidence}); restore it from a backup, or start over from warm-up with --reinitialise`,
    );
  }
  // The old write-ahead log belongs to the vanished database: replayed into a new one it would
  // mix two stores.
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
  rmSync(path, { force: true });
}

/** A read-only error when `path` or its folder cannot be written (SQLite needs both for WAL). */
function notWritable(path: string, cause?: unknown): StorageError | undefined {
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, constants.R_OK | constants.W_OK);
    } catch {
      return storageError(
        "read-only",
        target,
        "cannot be written (read-only file system or no permission); the state store needs a writable data directory",
        cause,
      );
    }
  }
  return undefined;
}

/** Why SQLite could not open `path` (SQLITE_CANTOPEN says only that it could not). */
function cannotOpen(path: string, error: unknown): unknown {
  if (sqlitePrimaryCode(error) !== SQLITE_CANTOPEN) return asStorageError(error, path, "opening the store");
  if (sizeOf(path) !== undefined && statSync(path).isDirectory()) {
    return storageError("io", path, "is a directory; expected the SQLite state store file", error);
  }
  return notWritable(path, error) ?? storageError("io", path, "cannot be opened by SQLite", error);
}

function prepareFolder(path: string, modes: FileModes): void {
  try {
    makeDirectory(dirname(path), modes);
    createFileIfAbsent(path, modes);
  } catch (error) {
    throw asStorageError(error, path, "creating the state store");
  }
}

/**
 * Opens (creating when absent) the SQLite file at `path`: WAL journal, FULL sync, a busy timeout
 * so a second process waits for the write lock, and the schema migrated to this build's version.
 */
export function openStoreDatabase(path: string, options: OpenStoreOptions = {}): DatabaseSync {
  const modes = modesFor(options.umask);
  checkNotVanished(path, options.reinitialise === true);
  prepareFolder(path, modes);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  } catch (error) {
    throw cannotOpen(path, error);
  }
  try {
    // SQLite opens a file it may not write read-only without a word; every run writes.
    const readOnly = notWritable(path);
    if (readOnly !== undefined) throw readOnly;
    db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed week must survive a power cut; its folder is published right after.
    db.exec("PRAGMA synchronous = FULL");
    migrate(db, path);
    // The marker goes last: a crash before it leaves a store that the next open completes.
    if (!existsSync(markerPath(path))) {
      writeFileSync(markerPath(path), MARKER_TEXT, { mode: modes.file });
      chmodSync(markerPath(path), modes.file);
    }
  } catch (error) {
    db.close();
    const fault = asStorageError(error, path, "opening the store");
    throw sqlitePrimaryCode(error) === SQLITE_CANTOPEN ? cannotOpen(path, error) : fault;
  }
  return db;
}
