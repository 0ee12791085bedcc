import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import type { CycleSlot } from "../domain/plan-types.ts";
import { splitStaffKey, staffKey } from "../domain/roster.ts";
import { gunzipChecked } from "./raw-captures.ts";
import { blob, num, text, toCycleSlot, type Row } from "./row-codecs.ts";
import {
  decodeSlotSnapshot,
  MalformedSnapshot,
  packSlotSnapshotSync,
  UNPLACED_MUNICIPALITY,
  type PackedSnapshot,
  type SnapshotEntries,
} from "./slot-snapshots.ts";
import type { SqlExecutor } from "./sql-driver.ts";
import { storageError } from "./storage-fault.ts";

/*
 * The `slot_snapshots` rows of a week (see store/slot-snapshots.ts for the encoding): grouping a
 * plan's slots by municipality, writing and reading the rows, and migration 7, which turns the
 * `cycle_slots` rows of earlier schemas into snapshots.
 */

/** A week's slots by municipality (codes ascending), from keys made by `staffKey`. */
export function groupSlotsByMunicipality(
  weekText: string,
  slots: ReadonlyMap<string, CycleSlot>,
): SnapshotEntries[] {
  const groups = new Map<number, SnapshotEntries>();
  for (const [key, slot] of slots) {
    const who = splitStaffKey(key);
    if (who === undefined) throw new Error(`commitWeek ${weekText}: a cycle slot without a staff key`);
    let group = groups.get(who.municipalityCode);
    if (group === undefined) {
      group = { municipalityCode: who.municipalityCode, employeeIds: [], slots: [] };
      groups.set(who.municipalityCode, group);
    }
    group.employeeIds.push(who.employeeId);
    group.slots.push(slot);
  }
  return [...groups.values()].sort((a, b) => a.municipalityCode - b.municipalityCode);
}

const INSERT_SNAPSHOT = `INSERT INTO slot_snapshots (week, municipality_code, slots, sha256, bytes, gzip)
  VALUES (?, ?, ?, ?, ?, ?)`;

/** Replaces the week's snapshot rows (inside the week's transaction). */
export async function writeSlotSnapshots(
  db: SqlExecutor,
  weekText: string,
  rows: readonly PackedSnapshot[],
): Promise<void> {
  await db.run("DELETE FROM slot_snapshots WHERE week = ?", weekText);
  for (const row of rows) {
    await db.run(INSERT_SNAPSHOT, weekText, row.municipalityCode, row.slots, row.sha256, row.bytes, row.gzip);
  }
}

/** Snapshots unpacked at once on libuv's thread pool while earlier ones are decoded. */
const UNPACK_AHEAD = 8;

/**
 * The slots of the latest snapshot week before `weekText`, by staff key (see WeekState's
 * `loadSlotsBefore`). Each blob is checked against its SHA-256 and size; a damaged one is a
 * StorageError (`corrupt`) about `where` naming the week and municipality.
 */
export async function readSlotSnapshotsBefore(
  db: SqlExecutor,
  weekText: string,
  where: string,
  share: (value: string) => string,
  municipalityOfSite?: (siteId: string) => number | undefined,
): Promise<Map<string, CycleSlot>> {
  const rows = await db.all(
    `SELECT week, municipality_code, slots, sha256, bytes, gzip FROM slot_snapshots
     WHERE week = (SELECT MAX(week) FROM slot_snapshots WHERE week < ?)
     ORDER BY municipality_code`,
    weekText,
  );
  const slots = new Map<string, CycleSlot>();
  const labelOf = (row: Row): string => {
    const code = num(row, "municipality_code");
    const whose = code === UNPLACED_MUNICIPALITY ? "slots without a municipality" : `municipality ${code}`;
    return `cycle-slot snapshot of week ${text(row, "week")}, ${whose}`;
  };
  const unpack = (row: Row): Promise<Uint8Array> => {
    const check = { sha256: text(row, "sha256"), bytes: num(row, "bytes") };
    return gunzipChecked(blob(row, "gzip"), check, where, labelOf(row), "snapshot");
  };
  const pending: (Promise<Uint8Array> | undefined)[] = [];
  const start = (index: number): void => {
    const row = rows[index];
    if (row === undefined || pending[index] !== undefined) return;
    const promise = unpack(row);
    // Awaited in order below; marked handled here so that a later failure while an earlier one
    // throws is no unhandled rejection.
    promise.catch(() => undefined);
    pending[index] = promise;
  };
  for (const [index, row] of rows.entries()) {
    for (let ahead = index; ahead < index + UNPACK_AHEAD; ahead++) start(ahead);
    const encoded = await (pending[index] as Promise<Uint8Array>);
    pending[index] = undefined;
    const code = num(row, "municipality_code");
    try {
      let decoded: number;
      if (code === UNPLACED_MUNICIPALITY) {
        decoded = decodeSlotSnapshot(encoded, "", share, (employeeId, slot) => {
          const placed = municipalityOfSite?.(slot.siteId);
          if (placed !== undefined) slots.set(staffKey(placed, employeeId), slot);
        });
      } else {
        const prefix = staffKey(code, "");
        // The keys are laid out as prefix + id: the same texts as staffKey gives.
        if (staffKey(code, "x") !== `${prefix}x`) throw new Error("staffKey is no longer code:id");
        decoded = decodeSlotSnapshot(encoded, prefix, share, (key, slot) => slots.set(key, slot));
      }
      if (decoded !== num(row, "slots")) {
        throw new MalformedSnapshot(`${decoded} slots, the row says ${num(row, "slots")}`);
      }
    } catch (error) {
      if (!(error instanceof MalformedSnapshot)) throw error;
      throw storageError(
        "corrupt",
        where,
        `${labelOf(row)}: ${error.message}; the snapshot was altered`,
        error,
      );
    }
  }
  return slots;
}

/** Accumulates the `cycle_slots` rows of one (week, municipality) into snapshot entries. */
function entriesOf(code: number | null, rows: Iterable<Row>): SnapshotEntries {
  const entries: SnapshotEntries = {
    municipalityCode: code ?? UNPLACED_MUNICIPALITY,
    employeeIds: [],
    slots: [],
  };
  for (const row of rows) {
    entries.employeeIds.push(text(row, "employee_id"));
    entries.slots.push(toCycleSlot(row));
  }
  return entries;
}

const SLOT_COLUMNS = "employee_id, cycle_week, weekday, shift, site_id";
const GROUPS_SQL =
  "SELECT DISTINCT week, municipality_code FROM cycle_slots ORDER BY week, municipality_code";

/**
 * Migration 7 (SQLite): every (week, municipality) of `cycle_slots` becomes one snapshot row,
 * NULL municipalities (rows migration 5 could not place) the row of UNPLACED_MUNICIPALITY; then
 * the table goes. Runs inside the migration's transaction.
 */
export function moveCycleSlotsSqlite(db: DatabaseSync): void {
  const insert = db.prepare(INSERT_SNAPSHOT);
  const select = db.prepare(
    `SELECT ${SLOT_COLUMNS} FROM cycle_slots WHERE week = ? AND municipality_code IS ? ORDER BY employee_id`,
  );
  for (const group of db.prepare(GROUPS_SQL).all()) {
    const week = text(group, "week");
    const code = group.municipality_code === null ? null : num(group, "municipality_code");
    const row = packSlotSnapshotSync(entriesOf(code, select.iterate(week, code)));
    insert.run(week, row.municipalityCode, row.slots, row.sha256, row.bytes, row.gzip);
  }
  db.exec("DROP TABLE cycle_slots");
}

/** Migration 7 (PostgreSQL), as moveCycleSlotsSqlite, inside the migration's transaction. */
export async function moveCycleSlotsPostgres(client: pg.ClientBase): Promise<void> {
  const groups = (await client.query<Row>(GROUPS_SQL)).rows;
  for (const group of groups) {
    const week = text(group, "week");
    const code = group.municipality_code === null ? null : Number(group.municipality_code);
    const rows = await client.query<Row>(
      `SELECT ${SLOT_COLUMNS} FROM cycle_slots WHERE week = $1 AND municipality_code IS NOT DISTINCT FROM $2
       ORDER BY employee_id`,
      [week, code],
    );
    const row = packSlotSnapshotSync(entriesOf(code, rows.rows.map(numbersOf)));
    await client.query(
      `INSERT INTO slot_snapshots (week, municipality_code, slots, sha256, bytes, gzip)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [week, row.municipalityCode, row.slots, row.sha256, row.bytes, row.gzip],
    );
  }
  await client.query("DROP TABLE cycle_slots");
}

/** pg returns bigint columns as text; the row codecs want numbers. */
function numbersOf(row: Row): Row {
  return { ...row, cycle_week: Number(row.cycle_week), weekday: Number(row.weekday) };
}
