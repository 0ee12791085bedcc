import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { clientConfig } from "../../src/store/postgres-driver.ts";
import { openPostgresStore } from "../../src/store/postgres-store.ts";
import { applyMigration } from "../../src/store/schema.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { freshSchema, startTestPostgres, type TestPostgres } from "./postgres-server.ts";
import type { StoreLocation } from "./store-location.ts";

export type { StoreLocation } from "./store-location.ts";

/*
 * The state store's test suite runs against both implementations: `describe.each(storeKinds())`
 * with `kind.create()` for an empty store per test. Calling `storeKinds()` at a test file's top
 * level starts one PostgreSQL server for the file (beforeAll) and stops it (afterAll).
 */

/** One empty store of a test: open it (again, after close) and read its raw rows. */
export type StoreUnderTest = {
  open(): Promise<StateStore>;
  /** Every row of `table` as JSON text, in the table's natural order (the rows compared, not the dialect). */
  rows(table: string): Promise<string[]>;
  /**
   * Runs `sql` (the SQL both stores speak) on a connection of its own, beside the store's; the
   * rows by column name, integers as numbers.
   */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Creates the store's tables as schema `version` left them (an earlier release), empty and closed. */
  createAtVersion(version: number): Promise<void>;
  /** Where the store is, for a child process: open it there with `openStoreAt`. */
  readonly location: StoreLocation;
  /** Removes what the store left (its folder or schema). */
  cleanup(): Promise<void>;
};

export type StoreKind = {
  readonly name: "sqlite" | "postgres";
  create(): StoreUnderTest;
};

/** The tables of the store, in the order a dump compares them. */
export const STORE_TABLES = [
  "run_attempts",
  "committed_weeks",
  "classifications",
  "cadence_states",
  "planned_tests",
  "slot_snapshots",
  "deferred_tests",
  "deferral_reports",
  "overrides",
  "pause_events",
  "week_locks",
  "recipients",
  "recipient_events",
  "downloads",
  "notification_outbox",
  "attendance_returns",
  "attendance_outcomes",
  "attendance_audit",
  "good_rosters",
  "raw_captures",
] as const;

/** A row as text: its values in column order, numbers as numbers (so the two stores compare). */
function rowText(row: Record<string, unknown>): string {
  return JSON.stringify(
    Object.values(row).map((value) => (typeof value === "bigint" ? Number(value) : value)),
  );
}

/** A row's values by column name, integers as numbers. */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([name, value]) => [name, typeof value === "bigint" ? Number(value) : value]),
  );
}

function sqliteKind(): StoreKind {
  return {
    name: "sqlite",
    create() {
      const dir = mkdtempSync(join(tmpdir(), "testrota-store-"));
      const path = join(dir, "testrota.sqlite");
      let last: ReturnType<typeof openStateStore> | undefined;
      return {
        open: () => {
          last = openStateStore(path);
          return Promise.resolve(last);
        },
        rows(table) {
          const db = (last ?? openStateStore(path)).db;
          return Promise.resolve(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all().map(rowText));
        },
        query(sql) {
          const db = new DatabaseSync(path);
          try {
            return Promise.resolve(db.prepare(sql).all().map(plainRow));
          } finally {
            db.close();
          }
        },
        createAtVersion(version) {
          const db = new DatabaseSync(path);
          try {
            for (let index = 0; index < version; index++) applyMigration(db, index);
            db.exec(`PRAGMA user_version = ${version}`);
          } finally {
            db.close();
          }
          return Promise.resolve();
        },
        location: { type: "sqlite", path },
        async cleanup() {
          await last?.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function postgresKind(server: () => TestPostgres): StoreKind {
  return {
    name: "postgres",
    create() {
      const schema = freshSchema();
      const stores: StateStore[] = [];
      const connection = () => ({ url: server().url, schema });
      const query = async (sql: string) => {
        const client = new pg.Client(clientConfig(connection()));
        await client.connect();
        try {
          return (await client.query<Record<string, unknown>>(sql)).rows;
        } finally {
          await client.end();
        }
      };
      return {
        async open() {
          const store = await openPostgresStore(connection());
          stores.push(store);
          return store;
        },
        async rows(table) {
          const client = new pg.Client(clientConfig(connection()));
          await client.connect();
          try {
            // ctid: the physical order, as close to SQLite's rowid order as PostgreSQL has.
            const result = await client.query<Record<string, unknown>>(
              `SELECT * FROM ${table} ORDER BY ctid`,
            );
            return result.rows.map(rowText);
          } finally {
            await client.end();
          }
        },
        query,
        async createAtVersion(version) {
          await (await openPostgresStore(connection(), { upTo: version })).close();
        },
        get location() {
          return { type: "postgres" as const, ...connection() };
        },
        async cleanup() {
          for (const store of stores) await store.close();
          const client = new pg.Client(clientConfig(connection()));
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  };
}

/**
 * The store implementations under test. Call at the top level of a test file: it starts the
 * file's PostgreSQL server before its tests and stops it after them.
 */
export function storeKinds(): StoreKind[] {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  const running = (): TestPostgres => {
    if (server === undefined) throw new Error("the test PostgreSQL server is not running");
    return server;
  };
  return [sqliteKind(), postgresKind(running)];
}

/**
 * For the tests of the calling `describe`: a fresh empty store of `kind` for each test, closed and
 * removed after it. `under()` is the running test's store; `open()` closes the store it opened
 * before, if any, and opens it again (as a restarted process does); `opened()` is the store opened
 * last, opened now if none is.
 */
export function useStoreUnderTest(kind: StoreKind): {
  readonly under: () => StoreUnderTest;
  readonly open: () => Promise<StateStore>;
  readonly opened: () => Promise<StateStore>;
} {
  let current: StoreUnderTest | undefined;
  let store: StateStore | undefined;
  beforeEach(() => {
    current = kind.create();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await current?.cleanup();
    current = undefined;
  });
  const under = (): StoreUnderTest => {
    if (current === undefined) throw new Error("the store under test exists only while a test runs");
    return current;
  };
  async function open(): Promise<StateStore> {
    await store?.close();
    store = await under().open();
    return store;
  }
  return { under, open, opened: async () => store ?? (await open()) };
}
