import { ATTENDANCE_LOOKBACK_WEEKS } from "../domain/attendance.ts";
import { addWeeks, formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { SqlDriver, SqlExecutor } from "./sql-driver.ts";

/**
 * Which rows of past weeks the store still needs, for `retention.weeks` = N and the latest
 * committed week L. The weeks L−N+1 … L stay re-runnable with identical files, and L+1 runnable:
 * - a run of W reads the cycle-slot snapshot and the deferred tests of the latest week before W,
 *   so those of the latest week before the first kept week are kept too;
 * - the weekly report of W counts the tests planned by the runs of W−11 … W−1 (test weeks W−10 …
 *   W), and the attendance review of W reads the planned tests of test weeks W−11 … W
 *   (ATTENDANCE_LOOKBACK_WEEKS), so planned tests are kept from 11 weeks before the first kept week.
 * Classifications, cadence states, deferral reports, committed weeks and the run ledger are a few
 * hundred rows a week and stay; so do the attendance returns and outcomes (a municipality's
 * first return is where its tracking starts).
 */
export type RetentionCutoff = {
  /** The first week kept re-runnable: L − N + 1. */
  readonly firstKept: IsoWeek;
  /** Planned tests of test weeks before this are prunable: (L − N + 1) − 11. */
  readonly plannedTestWeeksFrom: IsoWeek;
};

/** Rows prunable (or pruned) per table, and the weeks whose slot snapshots they held. */
export type PrunedRows = {
  /** The cycle slots in the prunable snapshots (not their rows: a snapshot row holds a municipality's). */
  readonly cycleSlots: number;
  readonly slotSnapshotWeeks: readonly string[];
  readonly deferredTests: number;
  readonly plannedTests: number;
};

export type Retention = {
  /** The rows older than `cutoff` that the store does not need, counted without deleting them. */
  countPrunableRows(cutoff: RetentionCutoff): Promise<PrunedRows>;
  /** Deletes them, in one transaction; returns what was deleted. */
  pruneRows(cutoff: RetentionCutoff): Promise<PrunedRows>;
};

/** Test weeks of planned tests a run of W reads before W: the report's history needs 10, attendance 11. */
const PLANNED_TEST_WEEKS_BEFORE = Math.max(10, ATTENDANCE_LOOKBACK_WEEKS - 1);

/** The cutoff for the latest committed week `latest` and `weeks` kept re-runnable (≥ 1). */
export function retentionCutoff(latest: IsoWeek, weeks: number): RetentionCutoff {
  const firstKept = addWeeks(latest, -(Math.max(1, Math.floor(weeks)) - 1));
  return { firstKept, plannedTestWeeksFrom: addWeeks(firstKept, -PLANNED_TEST_WEEKS_BEFORE) };
}

type Floors = { slots: string | null; deferred: string | null; plannedTestWeek: string };

/**
 * Week texts below which rows go: the latest snapshot and deferral week before the first kept
 * week stay (what re-running that week starts from); `YYYY-Www` texts sort chronologically.
 */
async function floorsOf(db: SqlExecutor, cutoff: RetentionCutoff): Promise<Floors> {
  const firstKept = formatIsoWeek(cutoff.firstKept);
  const latestBefore = async (sql: string): Promise<string | null> => {
    const row = await db.get(sql, firstKept);
    return typeof row?.week === "string" ? row.week : null;
  };
  return {
    slots: await latestBefore("SELECT MAX(week) AS week FROM slot_snapshots WHERE week < ?"),
    deferred: await latestBefore("SELECT MAX(week) AS week FROM classifications WHERE week < ?"),
    plannedTestWeek: formatIsoWeek(cutoff.plannedTestWeeksFrom),
  };
}

async function count(db: SqlExecutor, sql: string, week: string | null): Promise<number> {
  if (week === null) return 0;
  const row = await db.get(sql, week);
  return Number(row?.n ?? 0);
}

async function countRows(db: SqlExecutor, floors: Floors): Promise<PrunedRows> {
  const weeks =
    floors.slots === null
      ? []
      : (
          await db.all("SELECT DISTINCT week FROM slot_snapshots WHERE week < ? ORDER BY week", floors.slots)
        ).map((row) => String(row.week));
  return {
    // The slots the snapshots held (one row per municipality and week, see slot-snapshots.ts).
    cycleSlots: await count(
      db,
      "SELECT COALESCE(SUM(slots), 0) AS n FROM slot_snapshots WHERE week < ?",
      floors.slots,
    ),
    slotSnapshotWeeks: weeks,
    deferredTests: await count(
      db,
      "SELECT COUNT(*) AS n FROM deferred_tests WHERE week < ?",
      floors.deferred,
    ),
    plannedTests: await count(
      db,
      "SELECT COUNT(*) AS n FROM planned_tests WHERE test_week < ?",
      floors.plannedTestWeek,
    ),
  };
}

export function createRetention(db: SqlDriver): Retention {
  return {
    async countPrunableRows(cutoff) {
      return countRows(db, await floorsOf(db, cutoff));
    },
    pruneRows(cutoff) {
      return db.transaction(async (tx) => {
        const floors = await floorsOf(tx, cutoff);
        const pruned = await countRows(tx, floors);
        // Each delete is a range of the table's primary key (week or test week first).
        if (floors.slots !== null) await tx.run("DELETE FROM slot_snapshots WHERE week < ?", floors.slots);
        if (floors.deferred !== null)
          await tx.run("DELETE FROM deferred_tests WHERE week < ?", floors.deferred);
        await tx.run("DELETE FROM planned_tests WHERE test_week < ?", floors.plannedTestWeek);
        return pruned;
      });
    },
  };
}
