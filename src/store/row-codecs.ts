import type { CadenceState } from "../domain/cadence.ts";
import { parseIsoWeek, type IsoWeek, type Weekday } from "../domain/calendar.ts";
import type { Classification, OverrideAction, Status } from "../domain/classify.ts";
import type {
  CycleSlot,
  DeferralReport,
  DeferredTest,
  PlannedTest,
  TestReason,
} from "../domain/plan-types.ts";
import type { Shift, SiteKind } from "../domain/roster.ts";
import type { StoredOverride } from "./operator-state.ts";
import type { RunRecord, RunStatus } from "./run-ledger.ts";
import type { Row } from "./sql-driver.ts";

/*
 * Reading typed values out of the store's rows (SQLite or PostgreSQL). A column of the wrong type means the file was altered
 * or written by something else: the error names the column.
 */

export type { Row } from "./sql-driver.ts";

function columnError(column: string, expected: string): Error {
  return new Error(`state store: column ${column} is not ${expected}`);
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw columnError(column, "text");
  return value;
}

export function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

export function num(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "number") throw columnError(column, "a number");
  return value;
}

export function numOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}

/** A BLOB (SQLite) or bytea (PostgreSQL: a Buffer, itself a Uint8Array). */
export function blob(row: Row, column: string): Uint8Array {
  const value = row[column];
  if (!(value instanceof Uint8Array)) throw columnError(column, "bytes");
  return value;
}

export function week(row: Row, column: string): IsoWeek {
  const value = text(row, column);
  const parsed = parseIsoWeek(value);
  if (parsed === undefined) throw columnError(column, `an ISO week (got ${value})`);
  return parsed;
}

/** A JSON list of strings, or null. */
export function stringList(row: Row, column: string): string[] | null {
  const value = textOrNull(row, column);
  if (value === null) return null;
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw columnError(column, "a JSON list of strings");
  }
  return parsed;
}

/** The column value of a list of strings (JSON), or null. */
export function listOrNull(list: readonly string[] | null): string | null {
  return list === null ? null : JSON.stringify(list);
}

export function toCadenceState(row: Row): CadenceState {
  if (text(row, "phase") === "green") return { phase: "green" };
  return {
    phase: "red-flow",
    flowStart: week(row, "flow_start"),
    limitToSites: stringList(row, "limit_to_sites"),
  };
}

export function toRunRecord(row: Row): RunRecord {
  const summary = textOrNull(row, "summary");
  return {
    week: text(row, "week"),
    runId: text(row, "run_id"),
    trigger: text(row, "trigger"),
    status: text(row, "status") as RunStatus,
    scheduledFor: text(row, "scheduled_for"),
    startedAt: text(row, "started_at"),
    finishedAt: textOrNull(row, "finished_at"),
    error: textOrNull(row, "error"),
    summary: summary === null ? null : (JSON.parse(summary) as unknown),
  };
}

export function toStoredOverride(row: Row): StoredOverride {
  return {
    id: text(row, "id"),
    municipalityCode: num(row, "municipality_code"),
    from: week(row, "from_week"),
    to: week(row, "to_week"),
    action: text(row, "action") as OverrideAction,
    siteIds: stringList(row, "site_ids") ?? [],
    reason: text(row, "reason"),
    author: text(row, "author"),
    createdAt: text(row, "created_at"),
    removedAt: textOrNull(row, "removed_at"),
    removedBy: textOrNull(row, "removed_by"),
    removalNote: textOrNull(row, "removal_note"),
  };
}

export function toClassification(row: Row): Classification {
  return {
    week: week(row, "week"),
    code: num(row, "code"),
    name: text(row, "name"),
    regionCode: num(row, "region_code"),
    window: { start: text(row, "window_start"), end: text(row, "window_end") },
    cases7d: numOrNull(row, "cases_7d"),
    population: num(row, "population"),
    incidence: num(row, "incidence"),
    rawStatus: text(row, "raw_status") as Status,
    status: text(row, "status") as Status,
    overrideId: textOrNull(row, "override_id"),
    limitToSites: stringList(row, "limit_to_sites"),
  };
}

/** A planned test of a row; `share` may hand back one string for equal texts (see loadPlannedTests). */
export function toPlannedTest(row: Row, share: (value: string) => string = (value) => value): PlannedTest {
  return {
    employeeId: text(row, "employee_id"),
    siteId: share(text(row, "site_id")),
    municipalityCode: num(row, "municipality_code"),
    regionCode: num(row, "region_code"),
    date: share(text(row, "date")),
    weekday: num(row, "weekday") as Weekday,
    shift: share(text(row, "shift")) as Shift,
    reason: share(text(row, "reason")) as TestReason,
  };
}

/** A cycle slot of a row; `share` may hand back one string for equal texts (see loadSlotsBefore). */
export function toCycleSlot(row: Row, share: (value: string) => string = (value) => value): CycleSlot {
  return {
    cycleWeek: num(row, "cycle_week"),
    weekday: num(row, "weekday") as Weekday,
    shift: share(text(row, "shift")) as Shift,
    siteId: share(text(row, "site_id")),
  };
}

export function toDeferredTest(row: Row): DeferredTest {
  return {
    employeeId: text(row, "employee_id"),
    siteId: text(row, "site_id"),
    municipalityCode: num(row, "municipality_code"),
    reason: text(row, "reason") as TestReason,
    dueWeek: week(row, "due_week"),
    latestDate: text(row, "latest_date"),
  };
}

export function toDeferralReport(row: Row): DeferralReport {
  return {
    municipalityCode: num(row, "municipality_code"),
    regionCode: num(row, "region_code"),
    siteKind: text(row, "site_kind") as SiteKind,
    reason: text(row, "reason") as TestReason,
    count: num(row, "count"),
    gapViolations: num(row, "gap_violations"),
  };
}
