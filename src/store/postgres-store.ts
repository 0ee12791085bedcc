import { redactUrl } from "../lib/redact-url.ts";
import { createPool, createPostgresDriver, type PostgresConnection } from "./postgres-driver.ts";
import { createPostgresLocks } from "./postgres-locks.ts";
import { migratePostgres, PG_SCHEMA_VERSION } from "./postgres-schema.ts";
import { createStoreQueries, type StateStore, type StoreProbe } from "./state-store.ts";
import { StorageError } from "../errors.ts";
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

/** Connection faults: the socket (ECONNREFUSED…), a connection exception (08…), a shutdown (57P…). */
const CONNECTION_FAULT = /^(E[A-Z]+|08\w{3}|57P\w{2})$/;

/**
 * `error` as a StorageError naming the store: the server out of reach or gone is an I/O fault
 * (exit 74, like a disk that fails). pg's messages carry no password; the URL is never quoted.
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

/**
 * Opens the PostgreSQL store: connects, creates the schema when absent and migrates it to this
 * build's version (refusing a newer one). Rejects when the server cannot be reached.
 */
export async function openPostgresStore(
  connection: PostgresConnection,
  options: { readonly upTo?: number } = {},
): Promise<StateStore> {
  const where = describePostgres(connection);
  const pool = createPool(connection);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, connection.schema, where, options.upTo ?? PG_SCHEMA_VERSION);
    } finally {
      client.release();
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
