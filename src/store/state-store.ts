import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLOutputValue } from "node:sqlite";
import type { CadenceState } from "../domain/cadence.ts";
import { formatIsoWeek, parseIsoWeek, type IsoWeek, type Weekday } from "../domain/calendar.ts";
import type { Classification, Override, OverrideAction, Status } from "../domain/classify.ts";
import type {
  CycleSlot,
  DeferralReport,
  DeferredTest,
  PlannedTest,
  TestReason,
  WeekPlan,
} from "../domain/plan-types.ts";
import type { Shift, SiteKind } from "../domain/roster.ts";
import { InputError } from "../errors.ts";

export type RunStatus = "running" | "succeeded" | "failed" | "aborted";

/** One attempt at a week's run, as kept in the ledger (every attempt is kept). */
export type RunRecord = {
  readonly week: string;
  readonly runId: string;
  readonly trigger: string;
  readonly status: RunStatus;
  /** ISO instant the run was due (the Wednesday's scheduled time). */
  readonly scheduledFor: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
  readonly summary: unknown;
};

export type BeginRunInput = {
  readonly week: IsoWeek;
  readonly runId: string;
  readonly trigger: string;
  readonly scheduledFor: string;
  readonly startedAt: string;
};

export type FinishRunInput = {
  readonly week: IsoWeek;
  readonly runId: string;
  readonly status: Exclude<RunStatus, "running">;
  readonly finishedAt: string;
  readonly error?: string | undefined;
  readonly summary?: unknown;
};

export type CommitWeekInput = {
  /** The classification week W (the run of W publishes the rota of `plan.testWeek`). */
  readonly week: IsoWeek;
  readonly runId: string;
  readonly classifications: readonly Classification[];
  /** Cadence state of every municipality after W's classification. */
  readonly cadence: ReadonlyMap<number, CadenceState>;
  readonly plan: WeekPlan;
  /** SHA-256 over every input of the run, kept to show what the week was decided from. */
  readonly inputDigest: string;
  /**
   * Makes the week's files visible (synchronous rename). Runs inside the transaction: if it
   * throws, nothing is recorded; if the commit fails after it, the files are already out but the
   * next run of the same week republishes identical files.
   */
  readonly publish: () => void;
};

/** An operator-managed override with its audit trail. */
export type StoredOverride = Override & {
  readonly author: string;
  readonly createdAt: string;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
  readonly removalNote: string | null;
};

export type NewOverride = Override & { readonly author: string; readonly createdAt: string };

export type OverrideRemoval = { readonly author: string; readonly removedAt: string; readonly note: string };

export type PauseInput = {
  readonly paused: boolean;
  readonly note: string;
  readonly author: string;
  readonly at: string;
};

/** The pause flag; author, note and time are null when it was never set. */
export type PauseState = {
  readonly paused: boolean;
  readonly note: string | null;
  readonly author: string | null;
  readonly at: string | null;
};

export type StateStore = {
  /** The open database, for helpers that add their own tables (e.g. the run lock). */
  readonly db: DatabaseSync;
  readonly path: string;
  beginRun(input: BeginRunInput): void;
  finishRun(input: FinishRunInput): void;
  getRun(week: IsoWeek): RunRecord | undefined;
  listRuns(limit?: number): RunRecord[];
  listAttempts(week: IsoWeek): RunRecord[];
  commitWeek(input: CommitWeekInput): void;
  loadClassifications(week: IsoWeek): Classification[];
  loadCadence(week: IsoWeek): Map<number, CadenceState> | undefined;
  loadPlannedTests(testWeek: IsoWeek): PlannedTest[];
  /** Cycle slots after the latest committed week before `week` (what `week` plans from). */
  loadSlotsBefore(week: IsoWeek): Map<string, CycleSlot>;
  /** Tests still owed after the latest committed week before `week` (what `week` must carry). */
  loadDeferredBefore(week: IsoWeek): DeferredTest[];
  loadDeferralReports(week: IsoWeek): DeferralReport[];
  lastCommittedWeek(): IsoWeek | undefined;
  addOverride(override: NewOverride): void;
  removeOverride(id: string, removal: OverrideRemoval): void;
  listOverrides(options?: { readonly includeRemoved?: boolean }): StoredOverride[];
  setPaused(input: PauseInput): void;
  getPaused(): PauseState;
  close(): void;
};

/**
 * Schema migrations, applied in order; `PRAGMA user_version` holds how many have run.
 * Append new migrations, never edit a released one.
 */
/** Weeks of cycle-slot snapshots kept (re-runs of recent weeks start from the week before). */
const SLOT_SNAPSHOTS = 4;

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE run_attempts (
    attempt INTEGER PRIMARY KEY AUTOINCREMENT,
    week TEXT NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'aborted')),
    scheduled_for TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    summary TEXT
  );
  CREATE INDEX run_attempts_by_week ON run_attempts (week, attempt);

  CREATE TABLE committed_weeks (
    week TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    test_week TEXT NOT NULL,
    input_digest TEXT NOT NULL
  );

  CREATE TABLE classifications (
    week TEXT NOT NULL,
    code INTEGER NOT NULL,
    name TEXT NOT NULL,
    region_code INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    cases_7d INTEGER,
    population INTEGER NOT NULL,
    incidence REAL NOT NULL,
    raw_status TEXT NOT NULL CHECK (raw_status IN ('red', 'green')),
    status TEXT NOT NULL CHECK (status IN ('red', 'green')),
    override_id TEXT,
    limit_to_sites TEXT,
    PRIMARY KEY (week, code)
  );

  CREATE TABLE cadence_states (
    week TEXT NOT NULL,
    code INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('green', 'red-flow')),
    flow_start TEXT,
    limit_to_sites TEXT,
    PRIMARY KEY (week, code)
  );

  CREATE TABLE planned_tests (
    test_week TEXT NOT NULL,
    seq INTEGER NOT NULL,
    run_week TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    region_code INTEGER NOT NULL,
    date TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    shift TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (test_week, seq)
  );

  CREATE TABLE cycle_slots (
    week TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    cycle_week INTEGER NOT NULL,
    weekday INTEGER NOT NULL,
    shift TEXT NOT NULL,
    site_id TEXT NOT NULL,
    PRIMARY KEY (week, employee_id)
  );

  CREATE TABLE deferred_tests (
    week TEXT NOT NULL,
    seq INTEGER NOT NULL,
    employee_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    reason TEXT NOT NULL,
    due_week TEXT NOT NULL,
    latest_date TEXT NOT NULL,
    PRIMARY KEY (week, seq)
  );

  CREATE TABLE deferral_reports (
    week TEXT NOT NULL,
    seq INTEGER NOT NULL,
    municipality_code INTEGER NOT NULL,
    region_code INTEGER NOT NULL,
    site_kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    gap_violations INTEGER NOT NULL,
    PRIMARY KEY (week, seq)
  );

  CREATE TABLE overrides (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    municipality_code INTEGER NOT NULL,
    from_week TEXT NOT NULL,
    to_week TEXT NOT NULL,
    action TEXT NOT NULL,
    site_ids TEXT NOT NULL,
    reason TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT,
    removal_note TEXT
  );

  CREATE TABLE pause_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
    note TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL
  );
  `,
];

type Row = Record<string, SQLOutputValue>;

function columnError(column: string, expected: string): Error {
  return new Error(`state store: column ${column} is not ${expected}`);
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw columnError(column, "text");
  return value;
}

function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

function num(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "number") throw columnError(column, "a number");
  return value;
}

function numOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}

function week(row: Row, column: string): IsoWeek {
  const value = text(row, column);
  const parsed = parseIsoWeek(value);
  if (parsed === undefined) throw columnError(column, `an ISO week (got ${value})`);
  return parsed;
}

function stringList(row: Row, column: string): string[] | null {
  const value = textOrNull(row, column);
  if (value === null) return null;
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw columnError(column, "a JSON list of strings");
  }
  return parsed;
}

function listOrNull(list: readonly string[] | null): string | null {
  return list === null ? null : JSON.stringify(list);
}

function toRunRecord(row: Row): RunRecord {
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

function toCadenceState(row: Row): CadenceState {
  if (text(row, "phase") === "green") return { phase: "green" };
  return {
    phase: "red-flow",
    flowStart: week(row, "flow_start"),
    limitToSites: stringList(row, "limit_to_sites"),
  };
}

function toStoredOverride(row: Row): StoredOverride {
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

/** Applies the migrations not yet run, each in its own transaction with the version bump. */
function migrate(db: DatabaseSync, path: string): void {
  const version = num(db.prepare("PRAGMA user_version").get() ?? {}, "user_version");
  if (version > MIGRATIONS.length) {
    throw new InputError(
      { file: path },
      `schema version ${version} is newer than this build supports (${MIGRATIONS.length}); use a newer testrota`,
    );
  }
  for (const [index, sql] of MIGRATIONS.entries()) {
    if (index < version) continue;
    runInTransaction(db, () => {
      db.exec(sql);
      // PRAGMA takes no bound parameters; the value is a loop index, never input.
      db.exec(`PRAGMA user_version = ${index + 1}`);
    });
  }
}

function runInTransaction(db: DatabaseSync, work: () => void): void {
  // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout)
  // instead of failing halfway through.
  db.exec("BEGIN IMMEDIATE");
  try {
    work();
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Opens (creating when absent) the SQLite state file at `path`: WAL journal, a busy timeout so
 * that a second process waits for the write lock, and the schema migrated to this build's version.
 * Staff ids live here (private state); they must never be logged from it.
 */
export function openStateStore(path: string): StateStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { timeout: 5_000, enableForeignKeyConstraints: true });
  try {
    db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed week must survive a power cut, its files are already published.
    db.exec("PRAGMA synchronous = FULL");
    migrate(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return createStore(db, path);
}

function createStore(db: DatabaseSync, path: string): StateStore {
  function overrideProblem(id: string, problem: string): InputError {
    return new InputError({ file: path, path: `overrides.${id}` }, problem);
  }

  function replaceWeekRows(input: CommitWeekInput): void {
    const weekText = formatIsoWeek(input.week);
    const testWeekText = formatIsoWeek(input.plan.testWeek);

    db.prepare("DELETE FROM classifications WHERE week = ?").run(weekText);
    const insertClassification = db.prepare(
      `INSERT INTO classifications (week, code, name, region_code, window_start, window_end, cases_7d,
         population, incidence, raw_status, status, override_id, limit_to_sites)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of input.classifications) {
      if (formatIsoWeek(c.week) !== weekText) {
        throw new Error(`commitWeek ${weekText}: classification of ${formatIsoWeek(c.week)} given`);
      }
      insertClassification.run(
        weekText,
        c.code,
        c.name,
        c.regionCode,
        c.window.start,
        c.window.end,
        c.cases7d,
        c.population,
        c.incidence,
        c.rawStatus,
        c.status,
        c.overrideId,
        listOrNull(c.limitToSites),
      );
    }

    db.prepare("DELETE FROM cadence_states WHERE week = ?").run(weekText);
    const insertCadence = db.prepare(
      "INSERT INTO cadence_states (week, code, phase, flow_start, limit_to_sites) VALUES (?, ?, ?, ?, ?)",
    );
    for (const [code, state] of input.cadence) {
      if (state.phase === "green") insertCadence.run(weekText, code, "green", null, null);
      else {
        insertCadence.run(
          weekText,
          code,
          "red-flow",
          formatIsoWeek(state.flowStart),
          listOrNull(state.limitToSites),
        );
      }
    }

    db.prepare("DELETE FROM planned_tests WHERE test_week = ?").run(testWeekText);
    const insertTest = db.prepare(
      `INSERT INTO planned_tests (test_week, seq, run_week, employee_id, site_id, municipality_code,
         region_code, date, weekday, shift, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const [seq, t] of input.plan.tests.entries()) {
      insertTest.run(
        testWeekText,
        seq,
        weekText,
        t.employeeId,
        t.siteId,
        t.municipalityCode,
        t.regionCode,
        t.date,
        t.weekday,
        t.shift,
        t.reason,
      );
    }

    // Slots and deferred tests are kept per run week, so that re-running a week starts from what
    // the week before it left (same inputs → same plan, same reported changes). Slot snapshots of
    // all but the latest SLOT_SNAPSHOTS weeks are pruned: they are the bulk of the store.
    db.prepare("DELETE FROM cycle_slots WHERE week = ?").run(weekText);
    const insertSlot = db.prepare(
      "INSERT INTO cycle_slots (week, employee_id, cycle_week, weekday, shift, site_id) VALUES (?, ?, ?, ?, ?, ?)",
    );
    for (const [employeeId, slot] of input.plan.slots) {
      insertSlot.run(weekText, employeeId, slot.cycleWeek, slot.weekday, slot.shift, slot.siteId);
    }
    db.prepare(
      `DELETE FROM cycle_slots WHERE week NOT IN
         (SELECT DISTINCT week FROM cycle_slots ORDER BY week DESC LIMIT ${SLOT_SNAPSHOTS})`,
    ).run();

    db.prepare("DELETE FROM deferred_tests WHERE week = ?").run(weekText);
    const insertDeferred = db.prepare(
      `INSERT INTO deferred_tests (week, seq, employee_id, site_id, municipality_code, reason, due_week, latest_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const [seq, d] of input.plan.deferred.entries()) {
      insertDeferred.run(
        weekText,
        seq,
        d.employeeId,
        d.siteId,
        d.municipalityCode,
        d.reason,
        formatIsoWeek(d.dueWeek),
        d.latestDate,
      );
    }

    db.prepare("DELETE FROM deferral_reports WHERE week = ?").run(weekText);
    const insertReport = db.prepare(
      `INSERT INTO deferral_reports (week, seq, municipality_code, region_code, site_kind, reason, count,
         gap_violations)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const [seq, r] of input.plan.deferrals.entries()) {
      insertReport.run(
        weekText,
        seq,
        r.municipalityCode,
        r.regionCode,
        r.siteKind,
        r.reason,
        r.count,
        r.gapViolations,
      );
    }

    db.prepare(
      `INSERT INTO committed_weeks (week, run_id, test_week, input_digest) VALUES (?, ?, ?, ?)
       ON CONFLICT (week) DO UPDATE SET run_id = excluded.run_id, test_week = excluded.test_week,
         input_digest = excluded.input_digest`,
    ).run(weekText, input.runId, testWeekText, input.inputDigest);
  }

  return {
    db,
    path,

    beginRun(input) {
      db.prepare(
        `INSERT INTO run_attempts (week, run_id, trigger, status, scheduled_for, started_at)
         VALUES (?, ?, ?, 'running', ?, ?)`,
      ).run(formatIsoWeek(input.week), input.runId, input.trigger, input.scheduledFor, input.startedAt);
    },

    finishRun(input) {
      const result = db
        .prepare(
          `UPDATE run_attempts SET status = ?, finished_at = ?, error = ?, summary = ?
           WHERE run_id = ? AND week = ? AND status = 'running'`,
        )
        .run(
          input.status,
          input.finishedAt,
          input.error ?? null,
          input.summary === undefined ? null : JSON.stringify(input.summary),
          input.runId,
          formatIsoWeek(input.week),
        );
      if (Number(result.changes) !== 1) {
        throw new Error(`state store: no running attempt ${input.runId} of ${formatIsoWeek(input.week)}`);
      }
    },

    getRun(w) {
      const row = db
        .prepare("SELECT * FROM run_attempts WHERE week = ? ORDER BY attempt DESC LIMIT 1")
        .get(formatIsoWeek(w));
      return row === undefined ? undefined : toRunRecord(row);
    },

    listRuns(limit = 20) {
      return db
        .prepare("SELECT * FROM run_attempts ORDER BY attempt DESC LIMIT ?")
        .all(limit)
        .map(toRunRecord);
    },

    listAttempts(w) {
      return db
        .prepare("SELECT * FROM run_attempts WHERE week = ? ORDER BY attempt")
        .all(formatIsoWeek(w))
        .map(toRunRecord);
    },

    commitWeek(input) {
      if (db.isTransaction) throw new Error("state store: commitWeek called inside a transaction");
      runInTransaction(db, () => {
        replaceWeekRows(input);
        input.publish();
      });
    },

    loadClassifications(w) {
      return db
        .prepare("SELECT * FROM classifications WHERE week = ? ORDER BY code")
        .all(formatIsoWeek(w))
        .map((row): Classification => ({
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
        }));
    },

    loadCadence(w) {
      const weekText = formatIsoWeek(w);
      if (db.prepare("SELECT 1 FROM committed_weeks WHERE week = ?").get(weekText) === undefined)
        return undefined;
      const rows = db.prepare("SELECT * FROM cadence_states WHERE week = ? ORDER BY code").all(weekText);
      return new Map(rows.map((row) => [num(row, "code"), toCadenceState(row)]));
    },

    loadPlannedTests(testWeek) {
      return db
        .prepare("SELECT * FROM planned_tests WHERE test_week = ? ORDER BY seq")
        .all(formatIsoWeek(testWeek))
        .map((row): PlannedTest => ({
          employeeId: text(row, "employee_id"),
          siteId: text(row, "site_id"),
          municipalityCode: num(row, "municipality_code"),
          regionCode: num(row, "region_code"),
          date: text(row, "date"),
          weekday: num(row, "weekday") as Weekday,
          shift: text(row, "shift") as Shift,
          reason: text(row, "reason") as TestReason,
        }));
    },

    loadSlotsBefore(w) {
      const rows = db
        .prepare(
          `SELECT * FROM cycle_slots
           WHERE week = (SELECT MAX(week) FROM cycle_slots WHERE week < ?)
           ORDER BY employee_id`,
        )
        .all(formatIsoWeek(w));
      return new Map(
        rows.map((row): [string, CycleSlot] => [
          text(row, "employee_id"),
          {
            cycleWeek: num(row, "cycle_week"),
            weekday: num(row, "weekday") as Weekday,
            shift: text(row, "shift") as Shift,
            siteId: text(row, "site_id"),
          },
        ]),
      );
    },

    loadDeferredBefore(w) {
      // ISO week texts (YYYY-Www) sort chronologically as strings.
      return db
        .prepare(
          `SELECT * FROM deferred_tests
           WHERE week = (SELECT MAX(week) FROM classifications WHERE week < ?)
           ORDER BY seq`,
        )
        .all(formatIsoWeek(w))
        .map((row): DeferredTest => ({
          employeeId: text(row, "employee_id"),
          siteId: text(row, "site_id"),
          municipalityCode: num(row, "municipality_code"),
          reason: text(row, "reason") as TestReason,
          dueWeek: week(row, "due_week"),
          latestDate: text(row, "latest_date"),
        }));
    },

    loadDeferralReports(w) {
      return db
        .prepare("SELECT * FROM deferral_reports WHERE week = ? ORDER BY seq")
        .all(formatIsoWeek(w))
        .map((row): DeferralReport => ({
          municipalityCode: num(row, "municipality_code"),
          regionCode: num(row, "region_code"),
          siteKind: text(row, "site_kind") as SiteKind,
          reason: text(row, "reason") as TestReason,
          count: num(row, "count"),
          gapViolations: num(row, "gap_violations"),
        }));
    },

    lastCommittedWeek() {
      // `YYYY-Www` text sorts chronologically, so the latest week is the greatest text.
      const row = db.prepare("SELECT week FROM committed_weeks ORDER BY week DESC LIMIT 1").get();
      return row === undefined ? undefined : week(row, "week");
    },

    addOverride(o) {
      if (db.prepare("SELECT 1 FROM overrides WHERE id = ?").get(o.id) !== undefined) {
        throw overrideProblem(
          o.id,
          "an override with this id exists (removed ones keep their id); expected a new id",
        );
      }
      db.prepare(
        `INSERT INTO overrides (id, municipality_code, from_week, to_week, action, site_ids, reason, author,
           created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        o.id,
        o.municipalityCode,
        formatIsoWeek(o.from),
        formatIsoWeek(o.to),
        o.action,
        JSON.stringify(o.siteIds),
        o.reason,
        o.author,
        o.createdAt,
      );
    },

    removeOverride(id, removal) {
      // Soft delete: the decision and who withdrew it stay in the audit trail.
      const result = db
        .prepare(
          `UPDATE overrides SET removed_at = ?, removed_by = ?, removal_note = ?
           WHERE id = ? AND removed_at IS NULL`,
        )
        .run(removal.removedAt, removal.author, removal.note, id);
      if (Number(result.changes) !== 1) {
        throw overrideProblem(id, "no active override with this id; expected the id of an active override");
      }
    },

    listOverrides(options = {}) {
      // Insertion order matters: when several overrides apply, the last one listed wins.
      const sql =
        options.includeRemoved === true
          ? "SELECT * FROM overrides ORDER BY seq"
          : "SELECT * FROM overrides WHERE removed_at IS NULL ORDER BY seq";
      return db.prepare(sql).all().map(toStoredOverride);
    },

    setPaused(input) {
      db.prepare("INSERT INTO pause_events (paused, note, author, at) VALUES (?, ?, ?, ?)").run(
        input.paused ? 1 : 0,
        input.note,
        input.author,
        input.at,
      );
    },

    getPaused() {
      const row = db.prepare("SELECT * FROM pause_events ORDER BY seq DESC LIMIT 1").get();
      if (row === undefined) return { paused: false, note: null, author: null, at: null };
      return {
        paused: num(row, "paused") === 1,
        note: text(row, "note"),
        author: text(row, "author"),
        at: text(row, "at"),
      };
    },

    close() {
      if (db.isOpen) db.close();
    },
  };
}
