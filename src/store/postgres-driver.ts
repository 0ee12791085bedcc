import pg from "pg";
import type { Row, SqlDriver, SqlExecutor, SqlParam } from "./sql-driver.ts";

/*
 * The PostgreSQL driver over a `pg` pool. Every connection works in the store's own schema
 * (search_path), bigint and numeric come back as numbers (counts, epoch ms; all far below 2^53),
 * and the `?` placeholders of the shared SQL are numbered `$1…` here.
 */

/** Numbers the `?` placeholders (`$1`, `$2`…), leaving quoted text and identifiers alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = "";
  let quote: string | undefined;
  for (const char of sql) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      out += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      out += char;
    } else if (char === "?") {
      n += 1;
      out += `$${n}`;
    } else {
      out += char;
    }
  }
  return out;
}

const INT8 = 20;
const NUMERIC = 1700;

/** Type parsers: bigint and numeric as numbers, the rest as `pg` parses them. */
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    const parser: unknown =
      format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid);
    return parser;
  },
};

export type PostgresConnection = {
  readonly url: string;
  readonly schema: string;
  readonly poolSize?: number | undefined;
};

/** A connection's settings: the URL, the schema as search path, the store's type parsers. */
export function clientConfig(connection: PostgresConnection): pg.ClientConfig {
  return {
    connectionString: connection.url,
    options: `-c search_path=${connection.schema}`,
    types: TYPES,
    application_name: "testrota",
  };
}

export function createPool(connection: PostgresConnection): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(connection), max: connection.poolSize ?? 5 });
  // An idle connection that drops (server restart, failover) is replaced on the next query; its
  // error must not end the process.
  pool.on("error", () => undefined);
  return pool;
}

function executorOf(client: pg.Pool | pg.PoolClient): SqlExecutor {
  const query = async (sql: string, params: readonly SqlParam[]) =>
    client.query<Row>(numberPlaceholders(sql), [...params]);
  return {
    all: async (sql, ...params) => (await query(sql, params)).rows,
    get: async (sql, ...params) => (await query(sql, params)).rows[0],
    run: async (sql, ...params) => (await query(sql, params)).rowCount ?? 0,
    each: async (sql, params, visit) => {
      for (const row of (await query(sql, params)).rows) visit(row);
    },
  };
}

/** The PostgreSQL driver over `pool`; a transaction has a connection of its own. */
export function createPostgresDriver(pool: pg.Pool): SqlDriver {
  return {
    dialect: "postgres",
    ...executorOf(pool),
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: unknown;
      // A connection cut while checked out (the server restarting, the backend terminated) is
      // also an 'error' event of the client, which the pool only listens to while it is idle:
      // unheard, it would end the process. The statement under way fails with it anyway.
      const onLost = (error: unknown) => {
        broken = error;
      };
      client.on("error", onLost);
      try {
        await client.query("BEGIN");
        const result = await work(executorOf(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.off("error", onLost);
        // A connection lost or whose rollback failed is closed rather than given back to the pool.
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    close: () => pool.end(),
  };
}
