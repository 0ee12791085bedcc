import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import { quoteIdentifier } from "./postgres-schema.ts";

/*
 * `testrota store migrate`: every table of a SQLite store copied into an empty PostgreSQL store of
 * the same schema version, row for row and in one transaction (all or nothing). Identity columns
 * keep their values (the order of overrides, events and attempts is their meaning), and their
 * sequences continue after the highest copied value; raw captures and slot snapshots keep their
 * compressed bytes as they are. The week lock rows are not copied: they belong to the SQLite store's run lock, and a
 * running week cannot be migrated anyway.
 */

/** The tables copied, parents of nothing: any order works; this one follows the migrations. */
export const COPIED_TABLES = [
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

/** Identity columns, whose sequences must go on after the copied rows. */
const IDENTITY: Readonly<Record<string, string>> = {
  run_attempts: "attempt",
  overrides: "seq",
  pause_events: "seq",
  recipient_events: "seq",
  downloads: "seq",
  notification_outbox: "seq",
  attendance_audit: "seq",
};

/** Rows per INSERT: well below PostgreSQL's 65 535 bound parameters for the widest table (14). */
const BATCH = 1_000;
/** Bytes of BLOB values per INSERT: a raw capture row can hold megabytes. */
const BATCH_BYTES = 8 * 1024 * 1024;

export type CopiedTable = { readonly table: string; readonly rows: number };

/** Row counts of `tables` in the target that are not empty (an empty target has none). */
export async function nonEmptyTables(target: pg.ClientBase, schema: string): Promise<CopiedTable[]> {
  const found: CopiedTable[] = [];
  for (const table of COPIED_TABLES) {
    const result = await target.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${quoteIdentifier(schema)}.${table}`,
    );
    const rows = Number(result.rows[0]?.n ?? 0);
    if (rows > 0) found.push({ table, rows });
  }
  return found;
}

async function insertBatch(
  target: pg.ClientBase,
  table: string,
  columns: readonly string[],
  batch: readonly Record<string, unknown>[],
): Promise<void> {
  const values: unknown[] = [];
  const tuples = batch.map((row) => {
    const placeholders = columns.map((column) => {
      const value = row[column];
      values.push(typeof value === "bigint" ? Number(value) : value);
      return `$${values.length}`;
    });
    return `(${placeholders.join(", ")})`;
  });
  await target.query(
    `INSERT INTO ${table} (${columns.map(quoteIdentifier).join(", ")}) VALUES ${tuples.join(", ")}`,
    values,
  );
}

/** The bytes of a row's BLOB values (raw captures), to bound a batch's size. */
function blobBytes(row: Record<string, unknown>): number {
  let bytes = 0;
  for (const value of Object.values(row)) if (value instanceof Uint8Array) bytes += value.byteLength;
  return bytes;
}

async function copyTable(source: DatabaseSync, target: pg.ClientBase, table: string): Promise<number> {
  // Row by row from SQLite (a year of raw captures need not fit in memory), in batches bounded by
  // rows and by bytes.
  let columns: string[] | undefined;
  let batch: Record<string, unknown>[] = [];
  let batchBytes = 0;
  let copied = 0;
  for (const row of source.prepare(`SELECT * FROM ${table} ORDER BY rowid`).iterate()) {
    columns ??= Object.keys(row);
    batch.push(row);
    batchBytes += blobBytes(row);
    copied += 1;
    if (batch.length >= BATCH || batchBytes >= BATCH_BYTES) {
      await insertBatch(target, table, columns, batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (columns === undefined) return 0;
  if (batch.length > 0) await insertBatch(target, table, columns, batch);
  const identity = IDENTITY[table];
  if (identity !== undefined) {
    await target.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${identity}), 1), MAX(${identity}) IS NOT NULL)
       FROM ${table}`,
      [table, identity],
    );
  }
  return copied;
}

/**
 * Copies every table of `source` into the store in `schema` over `target` (an empty store of the
 * same schema version) in one transaction; returns the rows copied per table.
 */
export async function copySqliteToPostgres(
  source: DatabaseSync,
  target: pg.ClientBase,
  schema: string,
): Promise<CopiedTable[]> {
  const copied: CopiedTable[] = [];
  await target.query("BEGIN");
  try {
    await target.query(`SET LOCAL search_path = ${quoteIdentifier(schema)}`);
    for (const table of COPIED_TABLES) copied.push({ table, rows: await copyTable(source, target, table) });
    await target.query("COMMIT");
  } catch (error) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return copied;
}
