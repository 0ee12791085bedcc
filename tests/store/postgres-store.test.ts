/*
 * What only the PostgreSQL store has: migrations from every earlier schema version, a newer
 * schema refused, the write probe, the per-week advisory lock that names its live holder and dies
 * with its connection, credentials that never reach a message, and its storage faults (the
 * counterparts of the SQLite file's in storage-faults.test.ts): the server going away mid-commit,
 * a read-only server, a schema dropped under a running store.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../src/errors.ts";
import { openConfiguredStore } from "../../src/store/open-store.ts";
import { clientConfig } from "../../src/store/postgres-driver.ts";
import { PG_SCHEMA_VERSION } from "../../src/store/postgres-schema.ts";
import { describePostgres, openPostgresStore } from "../../src/store/postgres-store.ts";
import { SCHEMA_VERSION } from "../../src/store/schema.ts";
import { CADENCE, CLASSIFICATIONS, PLAN, SLOTS, W44, W45 } from "../fixtures/store/committed-week.ts";
import { freePort, freshSchema, startTestPostgres, type TestPostgres } from "../support/postgres-server.ts";

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await server.stop();
}, 60_000);

async function query(schema: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client(clientConfig({ url: server.url, schema }));
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("PostgreSQL schema", () => {
  it("has the SQLite store's version number", () => {
    expect(PG_SCHEMA_VERSION).toBe(SCHEMA_VERSION);
  });

  it.each([1, 2, 3, 4, 5])(
    "migrates a store of version %i to the current one, keeping its rows",
    async (from) => {
      const schema = freshSchema("upgrade");
      const old = await openPostgresStore({ url: server.url, schema }, { upTo: from });
      await old.close();
      expect(await query(schema, "SELECT version FROM schema_version")).toEqual([{ version: from }]);
      // Rows written at that version (every version has the ledger and the week tables).
      await query(
        schema,
        `INSERT INTO run_attempts (week, run_id, trigger, status, scheduled_for, started_at)
       VALUES ('2020-W43', 'old', 'cli', 'succeeded', 's', 't')`,
      );
      const store = await openPostgresStore({ url: server.url, schema });
      try {
        expect(await query(schema, "SELECT version FROM schema_version")).toEqual([
          { version: PG_SCHEMA_VERSION },
        ]);
        expect((await store.listRuns()).map((r) => r.runId)).toEqual(["old"]);
        await store.commitWeek({
          week: W44,
          runId: "r1",
          classifications: CLASSIFICATIONS,
          cadence: CADENCE,
          plan: PLAN,
          inputDigest: "d",
          rosters: [],
        });
        expect(await store.loadSlotsBefore(W45)).toEqual(SLOTS);
      } finally {
        await store.close();
      }
    },
  );

  it("refuses a schema written by a newer testrota, untouched", async () => {
    const schema = freshSchema("newer");
    await (await openPostgresStore({ url: server.url, schema })).close();
    await query(schema, "UPDATE schema_version SET version = 999");
    const opening = openPostgresStore({ url: server.url, schema });
    await expect(opening).rejects.toBeInstanceOf(StorageError);
    await expect(opening).rejects.toThrow(
      `schema version 999 is newer than this build supports (${PG_SCHEMA_VERSION}); run a newer testrota`,
    );
    expect(await query(schema, "SELECT version FROM schema_version")).toEqual([{ version: 999 }]);
  });
});

describe("PostgreSQL store", () => {
  it("is probed writable and names itself without the password", async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ url: server.url, schema });
    try {
      expect(store.kind).toBe("postgres");
      expect(store.path).toBe(`postgres://127.0.0.1:${server.port}/postgres (schema ${schema})`);
      expect(await store.probe()).toEqual({ writable: true });
    } finally {
      await store.close();
    }
    expect(await store.probe()).toEqual({ writable: false, problem: "state store is closed" });
  });

  it("a server that cannot be reached is a StorageError without the password", async () => {
    const port = await freePort();
    const opening = openPostgresStore({
      url: `postgres://postgres:s3cret@127.0.0.1:${port}/postgres`,
      schema: "x",
    });
    await expect(opening).rejects.toBeInstanceOf(StorageError);
    const error = (await opening.catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      new RegExp(`^postgres://127\\.0\\.0\\.1:${port}/postgres \\(schema x\\): `),
    );
    expect(error.message).not.toContain("s3cret");
  });

  it("one week's lock at a time: the loser learns the live holder; the lock dies with its connection", async () => {
    const schema = freshSchema();
    const a = await openPostgresStore({ url: server.url, schema });
    const b = await openPostgresStore({ url: server.url, schema });
    try {
      const first = await a.acquireRunLock({ name: "week:2020-W44", holder: { pid: 11, host: "a" }, now: 0 });
      if (!first.acquired) throw new Error("first lock not acquired");
      const lost = await b.acquireRunLock({ name: "week:2020-W44", holder: { pid: 22, host: "b" }, now: 0 });
      expect(lost).toMatchObject({ acquired: false, holder: { pid: 11, host: "a", name: "week:2020-W44" } });
      // Another week waits too (weeks build on each other), and learns who runs now.
      const other = await b.acquireRunLock({ name: "week:2020-W45", holder: { pid: 22, host: "b" }, now: 0 });
      expect(other).toMatchObject({ acquired: false, holder: { pid: 11, name: "week:2020-W44" } });
      expect(await b.readRunLockHolder("week:2020-W44")).toMatchObject({ pid: 11, host: "a" });

      // The holder's session ends (as when its replica dies): the lock goes with it. The timeout
      // makes pg_terminate_backend wait until the backend has exited (it only signals it
      // otherwise, and a busy server may still show its locks a moment later).
      await query(
        schema,
        `SELECT pg_terminate_backend(backend_pid::int, 10000) FROM run_lock_holders WHERE name = 'week:2020-W44'`,
      );
      expect(await b.readRunLockHolder("week:2020-W44")).toBeUndefined();
      const taken = await b.acquireRunLock({ name: "week:2020-W44", holder: { pid: 22, host: "b" }, now: 0 });
      expect(taken.acquired).toBe(true);
      if (taken.acquired) await taken.lock.release();
      await first.lock.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("the next holder removes the holder rows dead sessions left: a reused backend pid cannot revive one", async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ url: server.url, schema });
    try {
      const reconcile = await store.acquireRunLock({
        name: "data:reconcile",
        holder: { pid: 1, host: "a" },
        now: 0,
      });
      if (!reconcile.acquired) throw new Error("lock not acquired");
      await query(
        schema,
        `SELECT pg_terminate_backend(backend_pid::int, 10000) FROM run_lock_holders WHERE name = 'data:reconcile'`,
      );
      expect((await store.readRunLockHolders()).holders).toEqual([]);
      const run = await store.acquireRunLock({
        name: "week:2020-W44",
        holder: { pid: 2, host: "b" },
        now: 0,
      });
      if (!run.acquired) throw new Error("lock not acquired");
      expect(await query(schema, "SELECT name, pid FROM run_lock_holders")).toEqual([
        { name: "week:2020-W44", pid: 2 },
      ]);
      expect((await store.readRunLockHolders()).holders.map((h) => [h.name, h.pid, h.host])).toEqual([
        ["week:2020-W44", 2, "b"],
      ]);
      await run.lock.release();
      await reconcile.lock.release();
      expect((await store.readRunLockHolders()).holders).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("refuses to commit a run whose attempt another replica closed as crashed", async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ url: server.url, schema });
    try {
      await store.beginRun({
        week: W44,
        runId: "lost",
        trigger: "schedule",
        scheduledFor: "s",
        startedAt: "a",
      });
      // The week taken over: the new run's beginRun closes the lost one's attempt.
      await store.beginRun({ week: W44, runId: "new", trigger: "retry", scheduledFor: "s", startedAt: "b" });
      const input = {
        week: W44,
        classifications: CLASSIFICATIONS,
        cadence: CADENCE,
        plan: PLAN,
        inputDigest: "d",
      };
      await expect(store.commitWeek({ ...input, runId: "lost" })).rejects.toThrow(
        "state store: run lost of 2020-W44 is no longer running (its lock was lost and the week taken over); not committed",
      );
      expect(await store.lastCommittedWeek()).toBeUndefined();
      await store.commitWeek({ ...input, runId: "new" });
      expect(await store.lastCommittedWeek()).toEqual(W44);
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL storage faults", () => {
  const input = {
    week: W44,
    runId: "r1",
    classifications: CLASSIFICATIONS,
    cadence: CADENCE,
    plan: PLAN,
    inputDigest: "d",
  };

  it("the server going away mid-commit: a StorageError (74) naming the redacted store; the week before is intact", async () => {
    const schema = freshSchema("gone");
    const store = await openPostgresStore({ url: server.url, schema });
    const blocker = new pg.Client(clientConfig({ url: server.url, schema }));
    await blocker.connect();
    try {
      await store.commitWeek(input);
      // The re-commit of W44 (no classifications this time) is held at its last statement, after
      // its deletes, by a lock of another session; then its connection is cut, as a server
      // shutting down or crashing cuts it (57P01).
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE committed_weeks IN EXCLUSIVE MODE");
      const commit = store
        .commitWeek({ ...input, runId: "r2", classifications: [] })
        .catch((e: unknown) => e);
      let waiting: number[] = [];
      for (let attempt = 0; attempt < 2000 && waiting.length === 0; attempt += 1) {
        waiting = (
          await blocker.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
          )
        ).rows.map((row) => row.pid);
      }
      expect(waiting).toHaveLength(1);
      await blocker.query("SELECT pg_terminate_backend($1)", [waiting[0]]);
      const error = await commit;
      await blocker.query("ROLLBACK");

      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({
        fault: "io",
        exitCode: 74,
        path: describePostgres({ url: server.url, schema }),
      });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^postgres://127\\.0\\.0\\.1:${server.port}/postgres \\(schema ${schema}\\): the PostgreSQL server cannot be reached \\(.* while commitWeek\\)$`,
        ),
      );
      expect((error as Error).message).not.toContain("testrota-test");
      // Nothing of the cut commit stayed; the pool reconnects for the next call.
      expect(await store.loadClassifications(W44)).toEqual(CLASSIFICATIONS);
      expect(await query(schema, "SELECT run_id FROM committed_weeks")).toEqual([{ run_id: "r1" }]);
    } finally {
      await blocker.end();
      await store.close();
    }
  });

  it("a read-only server (a standby): opens its store, probes not writable, and a write is a StorageError (77)", async () => {
    const schema = freshSchema("standby");
    await (await openPostgresStore({ url: server.url, schema })).close();
    // A role whose every transaction is read-only: what a hot standby gives every session.
    await query(schema, "DROP ROLE IF EXISTS standby");
    await query(schema, "CREATE ROLE standby LOGIN SUPERUSER PASSWORD 'standby-secret'");
    await query(schema, "ALTER ROLE standby SET default_transaction_read_only = on");
    const url = `postgres://standby:standby-secret@127.0.0.1:${server.port}/postgres`;
    const where = describePostgres({ url, schema });

    const store = await openPostgresStore({ url, schema });
    try {
      expect(await store.probe()).toMatchObject({ writable: false });
      const error = await store
        .beginRun({ week: W44, runId: "r1", trigger: "cli", scheduledFor: "s", startedAt: "t" })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ fault: "read-only", exitCode: 77, path: where });
      expect((error as Error).message).toBe(
        `${where}: cannot be written (a read-only server, e.g. a standby, or no permission) (cannot execute UPDATE in a read-only transaction while beginRun)`,
      );
    } finally {
      await store.close();
    }
    // A store it would have to create or migrate: refused at the start, naming it.
    const fresh = freshSchema("standby");
    const opening = await openPostgresStore({ url, schema: fresh }).catch((e: unknown) => e);
    expect(opening).toBeInstanceOf(StorageError);
    expect(opening).toMatchObject({
      fault: "read-only",
      exitCode: 77,
      path: describePostgres({ url, schema: fresh }),
    });
    expect((opening as Error).message).not.toContain("standby-secret");
  });

  it("the schema dropped under a running store: the next write is a StorageError (66) naming it", async () => {
    const schema = freshSchema("dropped");
    const store = await openPostgresStore({ url: server.url, schema });
    try {
      await query(schema, `DROP SCHEMA ${schema} CASCADE`);
      const error = await store
        .beginRun({ week: W44, runId: "r1", trigger: "cli", scheduledFor: "s", startedAt: "t" })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({
        fault: "missing",
        exitCode: 66,
        path: describePostgres({ url: server.url, schema }),
      });
      expect((error as Error).message).toMatch(/while beginRun\)$/);
    } finally {
      await store.close();
    }
  });

  describe("a vanished store", () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), "testrota-pg-data-"));
    });
    afterEach(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    const open = (schema: string, reinitialise = false) =>
      openConfiguredStore(
        { dataDir, store: { type: "postgres", url: server.url, schema, poolSize: 2 } },
        { reinitialise },
      );
    const schemaExists = async (schema: string) =>
      (await query("public", `SELECT 1 FROM information_schema.schemata WHERE schema_name = '${schema}'`))
        .length > 0;

    it("a data directory that has seen runs and no schema: refused with 66 instead of starting over from warm-up", async () => {
      mkdirSync(join(dataDir, "raw", "2020-W44", "r0"), { recursive: true });
      const schema = freshSchema("vanished");
      const error = await open(schema).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({
        fault: "missing",
        exitCode: 66,
        path: describePostgres({ url: server.url, schema }),
      });
      expect((error as Error).message).toBe(
        `${describePostgres({ url: server.url, schema })}: the state store is missing (no testrota tables in schema ${schema}) although one existed (runs saved raw captures in raw/); restore it from a backup, copy the SQLite store with \`testrota store migrate\`, or start over from warm-up with --reinitialise`,
      );
      expect(await schemaExists(schema)).toBe(false);
      // With --reinitialise a new, empty store is started; from then on it is the store.
      await (await open(schema, true)).close();
      const store = await open(schema);
      expect(await store.listRuns()).toEqual([]);
      await store.close();
    });

    it("the runs marker (left by a run, raw captures now being in the store): refused too", async () => {
      writeFileSync(join(dataDir, "testrota.runs"), "marker\n");
      const schema = freshSchema("vanished");
      await expect(open(schema)).rejects.toThrow(
        /although one existed \(the marker testrota\.runs shows that runs were made from this data directory\)/,
      );
      expect(await schemaExists(schema)).toBe(false);
    });

    it("a SQLite store's marker in the data directory: refused too (copy it with store migrate)", async () => {
      writeFileSync(join(dataDir, "testrota.sqlite.created"), "marker\n");
      const schema = freshSchema("unmigrated");
      await expect(open(schema)).rejects.toThrow(
        /although one existed \(its marker testrota\.sqlite\.created is there\)/,
      );
    });

    it("a fresh data directory is no vanished store: the schema is created", async () => {
      const schema = freshSchema("first");
      const store = await open(schema);
      expect(await store.listRuns()).toEqual([]);
      await store.close();
      expect(await schemaExists(schema)).toBe(true);
    });
  });
});
