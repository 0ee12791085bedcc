import { StorageError, type StorageFault } from "../errors.ts";

/*
 * Turns what the disk or SQLite reports into a StorageError naming the path, so an operator sees
 * "disk full" or "corrupt database" with its exit code instead of "internal error".
 */

/** SQLite's primary result codes (the low byte of an extended code) that are storage faults. */
const SQLITE_FAULTS: ReadonlyMap<number, StorageFault> = new Map([
  [3, "read-only"], // SQLITE_PERM
  [8, "read-only"], // SQLITE_READONLY
  [10, "io"], // SQLITE_IOERR
  [11, "corrupt"], // SQLITE_CORRUPT
  [13, "full"], // SQLITE_FULL
  [14, "io"], // SQLITE_CANTOPEN (refined by the caller, which can look at the path)
  [26, "corrupt"], // SQLITE_NOTADB
]);

/** SQLITE_READONLY_DBMOVED: the database file was deleted or renamed while open. */
const SQLITE_READONLY_DBMOVED = 8 | (4 << 8);

const ERRNO_FAULTS: ReadonlyMap<string, StorageFault> = new Map([
  ["EACCES", "read-only"],
  ["EPERM", "read-only"],
  ["EROFS", "read-only"],
  ["ENOSPC", "full"],
  ["EDQUOT", "full"],
  ["EIO", "io"],
  ["EFBIG", "io"],
  ["EISDIR", "io"],
  ["ENOTDIR", "io"],
  ["ENOENT", "missing"],
]);

const PROBLEMS: Readonly<Record<StorageFault, string>> = {
  missing: "is missing",
  "read-only": "cannot be written (read-only file system or no permission); expected a writable location",
  full: "the disk is full; free space and run again",
  io: "input/output error",
  corrupt: "is corrupt (not a valid SQLite database); restore it from a backup",
  "newer-schema": "was written by a newer testrota",
};

type SqliteError = Error & { code: string; errcode: number; errstr?: string };

function isSqliteError(error: unknown): error is SqliteError {
  return (
    error instanceof Error &&
    (error as Partial<SqliteError>).code === "ERR_SQLITE_ERROR" &&
    typeof (error as Partial<SqliteError>).errcode === "number"
  );
}

/** The SQLite primary result code of `error`, or undefined when it is not a SQLite error. */
export function sqlitePrimaryCode(error: unknown): number | undefined {
  return isSqliteError(error) ? error.errcode & 0xff : undefined;
}

/** The storage fault `error` stands for, or undefined when it is not one (e.g. a busy lock). */
export function classifyStorageFault(error: unknown): StorageFault | undefined {
  if (error instanceof StorageError) return error.fault;
  if (isSqliteError(error)) {
    if (error.errcode === SQLITE_READONLY_DBMOVED) return "missing";
    return SQLITE_FAULTS.get(error.errcode & 0xff);
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? ERRNO_FAULTS.get(code) : undefined;
}

function detailOf(error: unknown, path: string): string {
  if (isSqliteError(error)) return error.errstr ?? error.message;
  const { code, path: where } = (error ?? {}) as NodeJS.ErrnoException;
  const on = typeof where === "string" && where !== path ? ` on ${where}` : "";
  return `${code ?? "error"}${on}`;
}

/**
 * `error` as a StorageError about `path` while `action` (e.g. "writing week 2020-W44"), or
 * `error` itself when it is not a storage fault. A StorageError passes through unchanged.
 */
export function asStorageError(error: unknown, path: string, action: string): unknown {
  if (error instanceof StorageError) return error;
  const fault = classifyStorageFault(error);
  if (fault === undefined) return error;
  return storageError(fault, path, `${PROBLEMS[fault]} (${detailOf(error, path)} while ${action})`, error);
}

/** A StorageError of `fault` about `path`; `problem` is the one-line explanation. */
export function storageError(
  fault: StorageFault,
  path: string,
  problem: string,
  cause?: unknown,
): StorageError {
  return new StorageError(fault, path, problem, cause === undefined ? undefined : { cause });
}

/** Runs `work`, turning storage faults into StorageErrors about `path`. */
export function withStorageFaults<T>(path: string, action: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw asStorageError(error, path, action);
  }
}
