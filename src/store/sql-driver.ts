import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

/*
 * The one seam between the state store's queries and a database: the sub-stores (ledger, week
 * state, delivery…) speak SQL common to SQLite and PostgreSQL through this small asynchronous
 * interface, and each database has a driver. Placeholders are `?`; the PostgreSQL driver numbers
 * them. Integers come back as numbers, text as strings, bytes as a Uint8Array (a Buffer from
 * PostgreSQL), NULL as null, whatever the database.
 */

/** A bound parameter; bytes go into a BLOB (SQLite) or bytea (PostgreSQL) column. */
export type SqlParam = string | number | null | Uint8Array;

/** One result row, by column name. */
export type Row = Record<string, unknown>;

/** Runs statements (outside a transaction: each on its own; inside one: as part of it). */
export type SqlExecutor = {
  all(sql: string, ...params: SqlParam[]): Promise<Row[]>;
  get(sql: string, ...params: SqlParam[]): Promise<Row | undefined>;
  /** Runs a write; resolves to the number of rows it changed. */
  run(sql: string, ...params: SqlParam[]): Promise<number>;
  /**
   * Visits the rows one at a time, for result sets too large to hold as row objects at once (a
   * slot snapshot has a row per staff member).
   */
  each(sql: string, params: readonly SqlParam[], visit: (row: Row) => void): Promise<void>;
};

export type SqlDialect = "sqlite" | "postgres";

export type SqlDriver = SqlExecutor & {
  readonly dialect: SqlDialect;
  /**
   * Runs `work` in one write transaction: committed when it resolves, rolled back when it
   * throws. Statements of the transaction go through `tx`; no other statement of this driver
   * runs meanwhile.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/**
 * The SQLite driver over an open `node:sqlite` connection. One connection serves the process, so
 * statements are serialised: a statement issued while another task's transaction is open waits for
 * it instead of joining it. Prepared statements are kept per SQL text.
 */
export function createSqliteDriver(db: DatabaseSync): SqlDriver {
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const bind = (params: readonly SqlParam[]): SQLInputValue[] => [...params];
  const direct: SqlExecutor = {
    all: (sql, ...params) => Promise.resolve(prepare(sql).all(...bind(params))),
    get: (sql, ...params) => Promise.resolve(prepare(sql).get(...bind(params))),
    run: (sql, ...params) => Promise.resolve(Number(prepare(sql).run(...bind(params)).changes)),
    each: (sql, params, visit) => {
      for (const row of prepare(sql).iterate(...bind(params))) visit(row);
      return Promise.resolve();
    },
  };

  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work);
    queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  return {
    dialect: "sqlite",
    all: (sql, ...params) => exclusive(() => direct.all(sql, ...params)),
    get: (sql, ...params) => exclusive(() => direct.get(sql, ...params)),
    run: (sql, ...params) => exclusive(() => direct.run(sql, ...params)),
    each: (sql, params, visit) => exclusive(() => direct.each(sql, params, visit)),
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return exclusive(async () => {
        // IMMEDIATE takes the write lock up front, so a concurrent writer (another process)
        // waits (busy_timeout) instead of failing halfway through.
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await work(direct);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          if (db.isTransaction) db.exec("ROLLBACK");
          throw error;
        }
      });
    },
    close() {
      return exclusive(() => {
        if (db.isOpen) db.close();
        return Promise.resolve();
      });
    },
  };
}
