import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { LockError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { acquireRowLock, releaseRowLock, type LockHolder } from "../store/run-lock.ts";
import type { Clock } from "../clock.ts";

/*
 * One writer per data directory. Two locks, both released in `finally`:
 * 1. an OS-level lock file `<dataDir>/testrota.lock`, created exclusively (O_EXCL), naming its
 *    holder; a file left by a dead process on this host is taken over with a warning;
 * 2. a row per week in the state store (see store/run-lock.ts), which also holds when the data
 *    directory is shared between hosts and expires if its holder vanished.
 */

export const LOCK_FILE_NAME = "testrota.lock";

/** What the lock file says about its holder. */
export type LockFileContent = {
  readonly pid: number;
  readonly host: string;
  /** ISO instant. */
  readonly startedAt: string;
  readonly purpose: string;
};

export type HeldLockFile = {
  readonly path: string;
  readonly content: LockFileContent;
  /** Removes the file if it is still ours; safe to call twice. */
  release(): void;
};

export type LockFileOptions = {
  readonly dataDir: string;
  /** What the holder does, e.g. `run 2020-W44`. */
  readonly purpose: string;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** A holder on another host cannot be probed: its lock is stale only after this long. */
  readonly foreignStaleAfterMs?: number | undefined;
};

export type RunLockOptions = {
  readonly dataDir: string;
  readonly db: DatabaseSync;
  readonly week: IsoWeek;
  /** Defaults to this process on this host. */
  readonly holder?: LockHolder | undefined;
  /** Wall-clock time for lock ages; use the real clock, not a simulated one. */
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Lifetime of the store row; a run longer than this can be taken over. */
  readonly ttlMs?: number | undefined;
};

const DEFAULT_FOREIGN_STALE_MS = 6 * 60 * 60 * 1000;
const DEFAULT_ROW_TTL_MS = 6 * 60 * 60 * 1000;
/** A lock file still empty or half-written after this long was left by a crash. */
const UNREADABLE_STALE_MS = 10_000;
const TAKEOVER_STALE_MS = 30_000;
const MAX_ATTEMPTS = 3;

/**
 * Locks this process holds (file paths and row names): a lock naming our own pid that is not
 * listed here was left by a former process that had the same pid (e.g. a restarted container).
 */
const heldHere = new Set<string>();

/** The lock file's path in `dataDir`. */
export function lockFilePath(dataDir: string): string {
  return join(dataDir, LOCK_FILE_NAME);
}

/** True when a process with `pid` exists on this host (EPERM: exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function parseContent(text: string): LockFileContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockFileContent>;
    if (typeof value.pid !== "number" || typeof value.host !== "string") return undefined;
    return {
      pid: value.pid,
      host: value.host,
      startedAt: typeof value.startedAt === "string" ? value.startedAt : "an unknown time",
      purpose: typeof value.purpose === "string" ? value.purpose : "unknown",
    };
  } catch {
    return undefined;
  }
}

/** The holder named by `<dataDir>/testrota.lock`, or undefined when there is none (or it is unreadable). */
export function readLockFile(dataDir: string): LockFileContent | undefined {
  try {
    return parseContent(readFileSync(lockFilePath(dataDir), "utf8"));
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

function describeActivity(purpose: string): string {
  const run = /^run (\d{4}-W\d{2})$/.exec(purpose);
  return run ? `week ${run[1]} is being run` : `the data directory is in use (${purpose})`;
}

function heldMessage(path: string, holder: LockFileContent): string {
  return `${describeActivity(holder.purpose)} by pid ${holder.pid} on host ${holder.host} since ${holder.startedAt} (lock file ${path})`;
}

type Staleness = { readonly stale: true; readonly why: string } | { readonly stale: false };

function judge(path: string, text: string, now: number, foreignStaleAfterMs: number): Staleness {
  const holder = parseContent(text);
  if (holder === undefined) {
    // O_EXCL creation and the write of the content are two steps: a fresh empty file is being written.
    const age = now - statSync(path).mtimeMs;
    if (age > UNREADABLE_STALE_MS) return { stale: true, why: "unreadable lock file" };
    throw new LockError(
      `${path}: lock file is being written by another process; expected it to name its holder`,
    );
  }
  if (holder.host === hostname()) {
    if (holder.pid === process.pid && !heldHere.has(path)) {
      return {
        stale: true,
        why: `pid ${holder.pid} is this process: left by a former process with the same pid`,
      };
    }
    if (!isProcessAlive(holder.pid))
      return { stale: true, why: `pid ${holder.pid} is not running on this host` };
    return { stale: false };
  }
  const started = Date.parse(holder.startedAt);
  if (Number.isFinite(started) && now - started > foreignStaleAfterMs) {
    return {
      stale: true,
      why: `holder on host ${holder.host} started more than ${Math.round(foreignStaleAfterMs / 60_000)} min ago`,
    };
  }
  return { stale: false };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Replaces a stale lock file whose text is `expected`. A `.takeover` mutex file makes sure two
 * processes that both found the same stale file do not both take it over.
 */
function takeOver(path: string, expected: string, content: string, now: number): boolean {
  const mutex = `${path}.takeover`;
  try {
    writeFileSync(mutex, String(process.pid), { flag: "wx" });
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
    const age = now - statSync(mutex).mtimeMs;
    if (age <= TAKEOVER_STALE_MS) return false;
    unlinkSync(mutex);
    return false;
  }
  try {
    if (readText(path) !== expected) return false;
    unlinkSync(path);
    try {
      writeFileSync(path, content, { flag: "wx" });
      return true;
    } catch (error) {
      if (errorCode(error) === "EEXIST") return false;
      throw error;
    }
  } finally {
    unlinkSync(mutex);
  }
}

/**
 * Takes `<dataDir>/testrota.lock` (O_EXCL). A file left by a process that is no longer alive on
 * this host (or, for another host, older than `foreignStaleAfterMs`) is taken over with a
 * warning; a live holder makes this throw a LockError naming it.
 */
export function acquireLockFile(options: LockFileOptions): HeldLockFile {
  const clock = options.clock ?? Date.now;
  const path = lockFilePath(options.dataDir);
  mkdirSync(options.dataDir, { recursive: true });
  const content: LockFileContent = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date(clock()).toISOString(),
    purpose: options.purpose,
  };
  const text = `${JSON.stringify(content)}\n`;
  const held = (): HeldLockFile => {
    heldHere.add(path);
    let released = false;
    return {
      path,
      content,
      release() {
        if (released) return;
        released = true;
        heldHere.delete(path);
        // Remove only our own file: never one a successor wrote after judging us stale.
        if (readText(path) === text) unlinkSync(path);
      },
    };
  };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    try {
      writeFileSync(path, text, { flag: "wx" });
      return held();
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const existing = readText(path);
    if (existing === undefined) continue;
    let verdict: Staleness;
    try {
      verdict = judge(path, existing, clock(), options.foreignStaleAfterMs ?? DEFAULT_FOREIGN_STALE_MS);
    } catch (error) {
      if (errorCode(error) === "ENOENT") continue;
      throw error;
    }
    if (!verdict.stale) {
      const holder = parseContent(existing);
      throw new LockError(holder ? heldMessage(path, holder) : `${path}: held by another process`);
    }
    if (takeOver(path, existing, text, clock())) {
      options.logger?.warn(
        { lockFile: path, previous: parseContent(existing), reason: verdict.why },
        "stale lock file taken over",
      );
      return held();
    }
  }
  const holder = readLockFile(options.dataDir);
  throw new LockError(
    holder
      ? heldMessage(path, holder)
      : `${path}: could not take the lock after ${MAX_ATTEMPTS} attempts (another process is competing for it)`,
  );
}

/**
 * Runs `fn` holding the data directory's lock file and the store's lock row of `week`; both are
 * released in `finally`. The loser gets a LockError like
 * "week 2020-W44 is being run by pid 123 on host x since 2020-10-28T09:00:00.000Z".
 */
export async function withRunLock<T>(options: RunLockOptions, fn: () => Promise<T>): Promise<T> {
  const clock = options.clock ?? Date.now;
  const key = formatIsoWeek(options.week);
  const purpose = `run ${key}`;
  const holder: LockHolder = { ...(options.holder ?? { pid: process.pid, host: hostname() }), purpose };
  const file = acquireLockFile({ dataDir: options.dataDir, purpose, clock, logger: options.logger });
  try {
    const name = `week:${key}`;
    const rowKey = `${options.dataDir}#${name}`;
    const result = acquireRowLock(options.db, {
      name,
      holder,
      now: clock(),
      ttlMs: options.ttlMs ?? DEFAULT_ROW_TTL_MS,
      isStale: (other) =>
        other.host === hostname() &&
        (other.pid === process.pid ? !heldHere.has(rowKey) : !isProcessAlive(other.pid)),
    });
    if (!result.acquired) {
      const other = result.current.holder;
      throw new LockError(
        `week ${key} is being run by pid ${other.pid} on host ${other.host} since ${new Date(result.current.acquiredAt).toISOString()} (store lock ${name})`,
      );
    }
    if (result.tookOverFrom !== undefined) {
      options.logger?.warn(
        {
          lock: name,
          previous: result.tookOverFrom.holder,
          expiredAt: new Date(result.tookOverFrom.expiresAt).toISOString(),
        },
        "stale store lock taken over",
      );
    }
    heldHere.add(rowKey);
    try {
      return await fn();
    } finally {
      heldHere.delete(rowKey);
      releaseRowLock(options.db, name, holder);
    }
  } finally {
    file.release();
  }
}
