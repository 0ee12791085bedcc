/*
 * What only the PostgreSQL store has: migrations from every earlier schema version, a newer
 * schema refused, the write probe, the per-week advisory lock that names its live holder and dies
 * with its connection, and credentials that never reach a message.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StorageError } from "../../src/errors.ts";
import { clientConfig } from "../../src/store/postgres-driver.ts";
import { PG_SCHEMA_VERSION } from "../../src/store/postgres-schema.ts";
import { openPostgresStore } from "../../src/store/postgres-store.ts";
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

  it.each([1, 2, 3, 4])(
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

      // The holder's session ends (as when its replica dies): the lock goes with it.
      await query(
        schema,
        `SELECT pg_terminate_backend(backend_pid::int) FROM run_lock_holders WHERE name = 'week:2020-W44'`,
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
