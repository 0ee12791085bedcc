import type { DatabaseSync } from "node:sqlite";

/*
 * A lock row per name (e.g. `week:2020-W44`) in the state store, so that two processes on one
 * store (the worker and a CLI `run`) never run the same week. A row expires: a holder that died
 * without releasing blocks the week only until `expires_at`.
 */

/** Who holds a lock: process id and host name, plus what it is doing. */
export type LockHolder = {
  readonly pid: number;
  readonly host: string;
  readonly purpose?: string | undefined;
};

export type LockRow = {
  readonly name: string;
  readonly holder: LockHolder;
  /** Epoch ms. */
  readonly acquiredAt: number;
  /** Epoch ms; after this the lock may be taken by anyone. */
  readonly expiresAt: number;
};

export type RowLockRequest = {
  readonly name: string;
  readonly holder: LockHolder;
  /** Epoch ms now. */
  readonly now: number;
  readonly ttlMs: number;
  /** Says whether an unexpired holder is known to be gone (e.g. a dead pid on this host). */
  readonly isStale?: ((holder: LockHolder) => boolean) | undefined;
};

export type RowLockResult =
  | { readonly acquired: true; readonly tookOverFrom?: LockRow | undefined }
  | { readonly acquired: false; readonly current: LockRow };

type RawRow = { name: string; holder: string; acquired_at: number; expires_at: number };

/** Creates the `locks` table when it does not exist yet. */
export function ensureLockTable(db: DatabaseSync): void {
  db.exec(`CREATE TABLE IF NOT EXISTS locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`);
}

function parseHolder(text: string): LockHolder {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return {
      pid: typeof value.pid === "number" ? value.pid : -1,
      host: typeof value.host === "string" ? value.host : "unknown",
      purpose: typeof value.purpose === "string" ? value.purpose : undefined,
    };
  } catch {
    return { pid: -1, host: "unknown", purpose: text };
  }
}

function toRow(raw: RawRow): LockRow {
  return {
    name: raw.name,
    holder: parseHolder(raw.holder),
    acquiredAt: Number(raw.acquired_at),
    expiresAt: Number(raw.expires_at),
  };
}

function readRow(db: DatabaseSync, name: string): LockRow | undefined {
  const raw = db
    .prepare("SELECT name, holder, acquired_at, expires_at FROM locks WHERE name = ?")
    .get(name) as RawRow | undefined;
  return raw === undefined ? undefined : toRow(raw);
}

function holderText(holder: LockHolder): string {
  return JSON.stringify({ pid: holder.pid, host: holder.host, purpose: holder.purpose });
}

/**
 * Takes the lock row `name` unless an unexpired, live holder has it. Runs in `BEGIN IMMEDIATE`,
 * so two processes deciding at once are serialised by SQLite's write lock.
 */
export function acquireRowLock(db: DatabaseSync, request: RowLockRequest): RowLockResult {
  ensureLockTable(db);
  const expiresAt = request.now + request.ttlMs;
  const text = holderText(request.holder);
  db.exec("BEGIN IMMEDIATE");
  try {
    const previous = readRow(db, request.name);
    const result = db
      .prepare(
        `INSERT INTO locks (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET
           holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
         WHERE locks.expires_at < ?`,
      )
      .run(request.name, text, request.now, expiresAt, request.now);
    let outcome: RowLockResult;
    if (Number(result.changes) === 1) {
      outcome = { acquired: true, tookOverFrom: previous };
    } else if (previous !== undefined && request.isStale?.(previous.holder) === true) {
      db.prepare("UPDATE locks SET holder = ?, acquired_at = ?, expires_at = ? WHERE name = ?").run(
        text,
        request.now,
        expiresAt,
        request.name,
      );
      outcome = { acquired: true, tookOverFrom: previous };
    } else {
      outcome = {
        acquired: false,
        current: previous ?? toRow({ name: request.name, holder: "{}", acquired_at: 0, expires_at: 0 }),
      };
    }
    db.exec("COMMIT");
    return outcome;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** Releases `name` if `holder` still holds it; true when a row was removed. */
export function releaseRowLock(db: DatabaseSync, name: string, holder: LockHolder): boolean {
  ensureLockTable(db);
  const result = db.prepare("DELETE FROM locks WHERE name = ? AND holder = ?").run(name, holderText(holder));
  return Number(result.changes) > 0;
}

/** Every lock row, expired ones included (for `testrota status`). */
export function listRowLocks(db: DatabaseSync): LockRow[] {
  ensureLockTable(db);
  const rows = db
    .prepare("SELECT name, holder, acquired_at, expires_at FROM locks ORDER BY name")
    .all() as RawRow[];
  return rows.map(toRow);
}
