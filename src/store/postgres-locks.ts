import { randomUUID } from "node:crypto";
import pg from "pg";
import { clientConfig, type PostgresConnection } from "./postgres-driver.ts";
import type { LockRow, RunLockHolder } from "./run-lock.ts";
import { num, text, type Row } from "./row-codecs.ts";
import type { SqlDriver } from "./sql-driver.ts";
import type { StoreLocks } from "./state-store.ts";

/*
 * One run per week across replicas: a week's run holds a session-level advisory lock on a
 * connection of its own for the whole run. The server releases it when that connection ends,
 * however it ends (the replica killed, its node gone, the network cut), so a dead replica never
 * blocks a week: another takes the week at its next tick. Beside the week's lock a run holds the
 * store-wide lock, as does work that must exclude every run (reconcile at start-up, prune): weeks
 * build on each other (a week plans from the state the week before committed), so runs of
 * different weeks never overlap either, as with the SQLite store's one lock per data directory. Who holds a lock is in `run_lock_holders` (PostgreSQL only, migration 2), a row
 * counting only while its backend
 * still holds the lock (pg_locks), so a loser names the live holder, never a dead one.
 */

/** The store-wide lock's key within the store's namespace (week keys are year*100+week > 0). */
const STORE_WIDE = 0;

/** A 31-bit FNV-1a hash: the namespace of a schema's locks, or the key of a name not a week. */
function hash31(textValue: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(textValue)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

/** The advisory lock key of a lock name: `week:2020-W44` → 202044, others hashed. */
export function lockKey(name: string): number {
  const week = /^week:(\d{4})-W(\d{2})$/.exec(name);
  if (week !== null) return Number(week[1]) * 100 + Number(week[2]);
  return 1_000_000 + (hash31(name) % 1_000_000_000);
}

/** Live holders: rows whose backend still holds an advisory lock of this store. */
const LIVE_HOLDERS = `SELECT h.* FROM run_lock_holders h
  WHERE EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
    AND l.pid = h.backend_pid AND l.classid::bigint = ? AND l.objsubid = 2)
  ORDER BY h.name`;

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

function toLockRow(row: Row, live: ReadonlySet<string>): LockRow {
  const token = text(row, "token");
  const heartbeatAt = num(row, "heartbeat_at");
  const isLive = live.has(token);
  return {
    name: text(row, "name"),
    token,
    holder: { pid: num(row, "pid"), host: text(row, "host"), purpose: text(row, "purpose") },
    acquiredAt: num(row, "acquired_at"),
    heartbeatAt,
    live: isLive,
    expiresAt: isLive ? Number.MAX_SAFE_INTEGER : heartbeatAt,
  };
}

/** The run locks of the PostgreSQL store `connection.schema`, over `db` for the rows. */
export function createPostgresLocks(
  db: SqlDriver,
  connection: PostgresConnection,
  where: string,
): StoreLocks {
  const namespace = hash31(`testrota:${connection.schema}`);
  async function liveHolders(): Promise<RunLockHolder[]> {
    return (await db.all(LIVE_HOLDERS, namespace)).map(toHolder);
  }

  async function holderOf(name: string): Promise<RunLockHolder | undefined> {
    const live = await liveHolders();
    // A lock blocked by the store-wide one is held by whoever runs or works right now.
    return live.find((h) => h.name === name) ?? live[0];
  }

  return {
    async acquireRunLock(request) {
      const client = new pg.Client(clientConfig(connection));
      // The lock lives as long as this connection: its loss ends the lock, which the run learns
      // at its next write (the ledger refuses a second running attempt of the week).
      client.on("error", () => undefined);
      await client.connect();
      const tryLock = async (key: number) =>
        (
          await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [
            namespace,
            key,
          ])
        ).rows[0]?.locked === true;
      let acquired: boolean;
      try {
        // The week's own lock first: a loser of the same week names that week's holder.
        acquired = request.name.startsWith("week:")
          ? (await tryLock(lockKey(request.name))) && (await tryLock(STORE_WIDE))
          : await tryLock(STORE_WIDE);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      if (!acquired) {
        await client.end().catch(() => undefined);
        return { acquired: false, where, holder: await holderOf(request.name) };
      }
      const holder: RunLockHolder = {
        token: randomUUID(),
        name: request.name,
        pid: request.holder.pid,
        host: request.holder.host,
        purpose: request.holder.purpose ?? request.name,
        startedAt: new Date(request.now).toISOString(),
      };
      // Holding the store-wide lock, this is the one live holder: other rows were left by sessions
      // that died. Gone, they cannot pass for live when the server reuses their backend's pid.
      await client.query("DELETE FROM run_lock_holders WHERE name <> $1", [holder.name]);
      await client.query(
        `INSERT INTO run_lock_holders (name, token, pid, host, purpose, started_at, backend_pid)
         VALUES ($1, $2, $3, $4, $5, $6, pg_backend_pid())
         ON CONFLICT (name) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
           purpose = excluded.purpose, started_at = excluded.started_at, backend_pid = excluded.backend_pid`,
        [holder.name, holder.token, holder.pid, holder.host, holder.purpose, holder.startedAt],
      );
      let released = false;
      return {
        acquired: true,
        lock: {
          holder,
          async release() {
            if (released) return;
            released = true;
            try {
              await client.query("DELETE FROM run_lock_holders WHERE token = $1", [holder.token]);
            } catch {
              // The lock ends with the connection below; a row left counts only while held.
            } finally {
              await client.end().catch(() => undefined);
            }
          },
        },
      };
    },

    readRunLockHolder: (name) => holderOf(name),

    async readRunLockHolders() {
      return { where, holders: await liveHolders() };
    },

    async claimWeekLockRow(lock, now) {
      const live = new Set((await liveHolders()).map((h) => h.token));
      return db.transaction(async (tx) => {
        // Rows of this lock's name are a predecessor's; others only when their holder is gone.
        const rows = (await tx.all("SELECT * FROM week_locks ORDER BY name")).map((row) =>
          toLockRow(row, live),
        );
        const stale = rows.filter((row) => row.name === lock.name || !row.live);
        for (const row of stale) await tx.run("DELETE FROM week_locks WHERE token = ?", row.token);
        await tx.run(
          `INSERT INTO week_locks (name, token, pid, host, purpose, acquired_at, heartbeat_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          lock.name,
          lock.token,
          lock.pid,
          lock.host,
          lock.purpose,
          now,
          now,
        );
        return stale;
      });
    },

    async beatWeekLockRow(token, now) {
      await db.run("UPDATE week_locks SET heartbeat_at = ? WHERE token = ?", now, token);
    },

    async releaseWeekLockRow(token) {
      return (await db.run("DELETE FROM week_locks WHERE token = ?", token)) > 0;
    },

    async listRowLocks() {
      const live = new Set((await liveHolders()).map((h) => h.token));
      return (await db.all("SELECT * FROM week_locks ORDER BY name")).map((row) => toLockRow(row, live));
    },
  };
}
