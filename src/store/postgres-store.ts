import type pg from "pg";
import { redactUrl } from "../lib/redact-url.ts";
import { createPool, createPostgresDriver, type PostgresConnection } from "./postgres-driver.ts";
import { createPostgresLocks } from "./postgres-locks.ts";
import { migratePostgres, PG_SCHEMA_VERSION, postgresSchemaVersion } from "./postgres-schema.ts";
import { createStoreQueries, type StateStore, type StoreProbe } from "./state-store.ts";
import { StorageError, type StorageFault } from "../errors.ts";
import { asStorageError, storageError } from "./storage-fault.ts";

/*
 * The PostgreSQL state store, for deployments of several replicas (docs/postgres.md): the same
 * queries as the SQLite store over a connection pool, its tables in a schema of their own, and a
 * run lock per week that every replica sees. The URL's credentials never leave this module: the
 * store names itself by the redacted URL.
 */

/** How the store names itself in messages and /readyz: server, database and schema, no password. */
export function describePostgres(connection: PostgresConnection): string {
  return `${redactUrl(connection.url)} (schema ${connection.schema})`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const READ_ONLY = "cannot be written (a read-only server, e.g. a standby, or no permission)";
const MISSING =
  "the store's tables are gone (its schema was dropped or emptied while in use); restore it from a backup";
const CORRUPT = "is corrupt (the server reports damaged data); restore it from a backup";

/** Connection faults: the socket (ECONNREFUSED…), a connection exception (08…), a shutdown (57P…). */
const CONNECTION_FAULT = /^(E[A-Z]+|08\w{3}|57P\w{2})$/;

/**
 * The server's SQLSTATEs that are storage faults, with the exit code of the SQLite file's like
 * fault: a standby or a role without rights cannot write (77), a full disk (74), the store's
 * schema gone under it (66), damaged pages (72).
 */
const SQLSTATE_FAULTS: ReadonlyMap<string, { fault: StorageFault; problem: string }> = new Map([
  ["25006", { fault: "read-only", problem: READ_ONLY }],
  ["42501", { fault: "read-only", problem: READ_ONLY }],
  ["53100", { fault: "full", problem: "the database server's disk is full; free space and run again" }],
  ["42P01", { fault: "missing", problem: MISSING }],
  ["3F000", { fault: "missing", problem: MISSING }],
  ["XX001", { fault: "corrupt", problem: CORRUPT }],
  ["XX002", { fault: "corrupt", problem: CORRUPT }],
]);

/**
 * `error` as a StorageError naming the store: the server out of reach or gone is an I/O fault
 * (exit 74, like a disk that fails), the SQLSTATEs above are theirs. pg's messages carry no
 * password; the URL is never quoted.
 */
function asPostgresFault(error: unknown, where: string, action: string): unknown {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && CONNECTION_FAULT.test(code)) {
    return storageError(
      "io",
      where,
      `the PostgreSQL server cannot be reached (${describe(error)} while ${action})`,
      error,
    );
  }
  const known = typeof code === "string" ? SQLSTATE_FAULTS.get(code) : undefined;
  if (known !== undefined) {
    return storageError(known.fault, where, `${known.problem} (${describe(error)} while ${action})`, error);
  }
  return asStorageError(error, where, action);
}

/** Wraps every method so a storage fault becomes a StorageError naming the (redacted) store. */
function guardFaults<T extends object>(parts: T, where: string): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value !== "function") {
      guarded[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await method(...args);
      } catch (error) {
        throw asPostgresFault(error, where, name);
      }
    };
  }
  return guarded as T;
}

export type OpenPostgresOptions = {
  /** Stop migrating at this version (tests of the upgrade from every earlier version). */
  readonly upTo?: number | undefined;
  /**
   * Why a store should exist (e.g. "runs saved raw captures in raw/"): then an absent schema is
   * refused as a vanished store (66) instead of starting over from warm-up, unless `reinitialise`.
   */
  readonly existedBefore?: string | undefined;
  readonly reinitialise?: boolean | undefined;
};

/** Refuses to create the schema of a store that should exist (see OpenPostgresOptions). */
async function checkNotVanished(
  client: pg.ClientBase,
  connection: PostgresConnection,
  where: string,
  options: OpenPostgresOptions,
): Promise<void> {
  if (options.existedBefore === undefined || options.reinitialise === true) return;
  if ((await postgresSchemaVersion(client, connection.schema)) > 0) return;
  throw storageError(
    "missing",
    where,
    `the state store is missing (no testrota tables in schema ${connection.schema}) although one existed (${options.existedBefore}); restore it from a backup, copy the SQLite store with \`testrota store migrate\`, or start over from warm-up with --reinitialise`,
  );
}

/**
 * Opens the PostgreSQL store: connects, creates the schema when absent and migrates it to this
 * build's version (refusing a newer one). Rejects when the server cannot be reached.
 */
export async function openPostgresStore(
  connection: PostgresConnection,
  options: OpenPostgresOptions = {},
): Promise<StateStore> {
  const where = describePostgres(connection);
  const pool = createPool(connection);
  try {
    const client = await pool.connect();
    let lost: Error | undefined;
    // A connection cut during the migration fails its statement; unheard, its event would end the process.
    const onLost = (error: Error) => {
      lost = error;
    };
    client.on("error", onLost);
    try {
      await checkNotVanished(client, connection, where, options);
      await migratePostgres(client, connection.schema, where, options.upTo ?? PG_SCHEMA_VERSION);
    } finally {
      client.off("error", onLost);
      client.release(lost);
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw asPostgresFault(error, where, "opening the store");
  }
  const driver = createPostgresDriver(pool);
  let closed = false;
  const parts = {
    ...createStoreQueries(driver, where),
    ...createPostgresLocks(driver, connection, where),
  };
  return {
    ...guardFaults(parts, where),
    kind: "postgres",
    path: where,
    async probe(timeoutMs = 200): Promise<StoreProbe> {
      if (closed) return { writable: false, problem: "state store is closed" };
      try {
        await driver.transaction(async (tx) => {
          // A standby (read-only) or a broken connection fails this; nothing is changed.
          await tx.run(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
          await tx.run("UPDATE schema_version SET version = version");
          throw new ProbeDone();
        });
      } catch (error) {
        if (error instanceof ProbeDone) return { writable: true };
        if ((error as { code?: string }).code === "55P03") {
          return { writable: true, note: "another process is writing" };
        }
        return { writable: false, problem: `state store not writable: ${describe(error)}` };
      }
      return { writable: true };
    },
    async close() {
      if (closed) return;
      closed = true;
      await driver.close();
    },
  };
}

/** Ends the probe's transaction by rolling it back. */
class ProbeDone extends Error {}
