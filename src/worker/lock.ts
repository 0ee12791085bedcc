import { hostname } from "node:os";
import { systemClock, type Clock } from "../clock.ts";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { LedgerStatus } from "../domain/schedule.ts";
import { LockError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { readRunLockHolder, runLockPath, type LockHolder, type RunLockHolder } from "../store/run-lock.ts";
import type { StateStore } from "../store/state-store.ts";
import { asStorageError } from "../store/storage-fault.ts";

/*
 * One run per week: a run holds the store's run lock, which dies with its holder however it ends
 * (SQLite: `<dataDir>/run.lock`, an OS lock, one run per data directory, see store/run-lock.ts;
 * PostgreSQL: a session advisory lock per week, see store/postgres-locks.ts), plus a row for its
 * week in the state store with a unique owner token and a heartbeat, for `status`. A week recorded
 * as running whose lock is not held was left by a crash and reads as `crashed`: it is due again.
 */

export { RUN_LOCK_FILE } from "../store/run-lock.ts";

/** What `status` shows about the holder of the run lock. */
export type LockFileContent = {
  readonly pid: number;
  readonly host: string;
  /** ISO instant. */
  readonly startedAt: string;
  readonly purpose: string;
};

export type RunLockOptions = {
  /** The state store: it keeps the run lock and the week's lock row. */
  readonly store: StoreWithLocks;
  readonly week: IsoWeek;
  /** Defaults to this process on this host. */
  readonly holder?: LockHolder | undefined;
  /** Wall-clock time for lock times and heartbeats; use the real clock, not a simulated one. */
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** How often the week row's heartbeat is written (default 30 s). */
  readonly heartbeatMs?: number | undefined;
};

/** The parts of the store a lock uses. */
export type StoreWithLocks = Pick<
  StateStore,
  "path" | "acquireRunLock" | "claimWeekLockRow" | "beatWeekLockRow" | "releaseWeekLockRow"
>;

const DEFAULT_HEARTBEAT_MS = 30_000;

/** The name of a week's lock, e.g. `week:2020-W44` (the one place this name is spelt). */
export function weekLockName(week: IsoWeek): string {
  return `week:${formatIsoWeek(week)}`;
}

/** The run lock's path in `dataDir`. */
export function lockFilePath(dataDir: string): string {
  return runLockPath(dataDir);
}

/** The live holder of the data directory's run lock, or undefined when it is free. */
export function readLockFile(dataDir: string): LockFileContent | undefined {
  const holder = readRunLockHolder(dataDir);
  if (holder === undefined) return undefined;
  return { pid: holder.pid, host: holder.host, startedAt: holder.startedAt, purpose: holder.purpose };
}

/**
 * The ledger status of `week` as the scheduler must see it: `running` only while a live process
 * holds the week's lock; a `running` record without one was left by a crash.
 */
export function ledgerStatusOf(
  status: LedgerStatus | undefined,
  week: IsoWeek,
  holder: RunLockHolder | undefined,
): LedgerStatus | undefined {
  if (status !== "running") return status;
  return holder?.name === weekLockName(week) ? "running" : "crashed";
}

function describeActivity(holder: RunLockHolder | undefined): string {
  const week = /^week:(\d{4}-W\d{2})$/.exec(holder?.name ?? "")?.[1];
  return week !== undefined ? `week ${week} is being run` : "the data directory is in use";
}

function heldMessage(path: string, holder: RunLockHolder | undefined): string {
  if (holder === undefined) return `the data directory is in use by another process (lock ${path})`;
  const purpose = /^week:/.test(holder.name) ? "" : ` (${holder.purpose})`;
  return `${describeActivity(holder)}${purpose} by pid ${holder.pid} on host ${holder.host} since ${holder.startedAt} (lock ${path})`;
}

type LockScope = { readonly name: string; readonly purpose: string };

async function withLock<T>(
  options: Omit<RunLockOptions, "week">,
  scope: LockScope,
  fn: () => Promise<T>,
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const self = options.holder ?? { pid: process.pid, host: hostname() };
  const { store } = options;
  const result = await store.acquireRunLock({
    name: scope.name,
    holder: { ...self, purpose: scope.purpose },
    now: clock(),
  });
  if (!result.acquired) throw new LockError(heldMessage(result.where, result.holder));
  const { lock } = result;
  try {
    let crashed;
    try {
      crashed = await store.claimWeekLockRow(lock.holder, clock());
    } catch (error) {
      throw asStorageError(error, store.path, "recording the run lock");
    }
    for (const row of crashed) {
      options.logger?.warn(
        { lock: row.name, previous: row.holder, lastHeartbeat: new Date(row.heartbeatAt).toISOString() },
        "lock row of a run whose process is gone removed (the run crashed)",
      );
    }
    const heartbeat = setInterval(() => {
      store.beatWeekLockRow(lock.holder.token, clock()).catch((error: unknown) => {
        options.logger?.warn(
          { err: asStorageError(error, store.path, "heartbeat") },
          "lock heartbeat failed",
        );
      });
    }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    heartbeat.unref();
    try {
      return await fn();
    } finally {
      clearInterval(heartbeat);
      try {
        await store.releaseWeekLockRow(lock.holder.token);
      } catch (error) {
        // The lock is released below regardless; a row left here reads as not live.
        options.logger?.warn({ err: asStorageError(error, store.path, "releasing") }, "lock row not removed");
      }
    }
  } finally {
    await lock.release();
  }
}

/**
 * Runs `fn` holding the data directory's run lock and the store's lock row of `week`; both are
 * released in `finally`, and by the OS if the process dies. The loser gets a LockError like
 * "week 2020-W44 is being run by pid 123 on host x since 2020-10-28T09:00:00.000Z (lock …/run.lock)".
 */
export function withRunLock<T>(options: RunLockOptions, fn: () => Promise<T>): Promise<T> {
  const name = weekLockName(options.week);
  return withLock(options, { name, purpose: `run ${formatIsoWeek(options.week)}` }, fn);
}

/**
 * Runs `fn` holding the data directory's run lock for something other than a week's run (e.g.
 * `reconcile` at start-up): no run of any week can start meanwhile.
 */
export function withDataDirLock<T>(
  options: Omit<RunLockOptions, "week"> & { readonly purpose: string },
  fn: () => Promise<T>,
): Promise<T> {
  return withLock(options, { name: `data:${options.purpose}`, purpose: options.purpose }, fn);
}
