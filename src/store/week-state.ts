import type { CadenceState } from "../domain/cadence.ts";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { Classification } from "../domain/classify.ts";
import type { CycleSlot, DeferralReport, DeferredTest, PlannedTest, WeekPlan } from "../domain/plan-types.ts";
import {
  listOrNull,
  num,
  text,
  textOrNull,
  toCadenceState,
  toClassification,
  toDeferralReport,
  toDeferredTest,
  toPlannedTest,
  week,
} from "./row-codecs.ts";
import type { GoodRosterFile } from "../roster/roster-isolation.ts";
import { saveGoodRosters } from "./good-rosters.ts";
import {
  groupSlotsByMunicipality,
  readSlotSnapshotsBefore,
  writeSlotSnapshots,
} from "./slot-snapshot-rows.ts";
import { packSlotSnapshots, type PackedSnapshot } from "./slot-snapshots.ts";
import type { SqlDriver, SqlExecutor } from "./sql-driver.ts";

/** A hook called at named points of a commit, so tests can kill the process exactly there. */
export type StepHook = (step: string) => void;

/**
 * The week folder a commit publishes: `digest` is the SHA-256 of its `manifest.json`, which lists
 * every file with its own SHA-256; `previousDigest` is what the folder held before (null: none).
 */
export type PublishedDigest = {
  /** The folder name, the classification week (e.g. `2020-W44`). */
  readonly folder: string;
  readonly digest: string;
  readonly previousDigest: string | null;
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
   * The prepared week folder, recorded with the week; the folder is swapped in only after the
   * commit (see `publishWeek` in outputs/publish.ts), and reconciled on start if that was cut short.
   */
  readonly published?: PublishedDigest | undefined;
  /**
   * Older path: makes the week's files visible (synchronous rename) inside the transaction, before
   * COMMIT. A crash or a failed COMMIT after it leaves files out that the store does not know;
   * prefer `published`.
   */
  readonly publish?: (() => void) | undefined;
  readonly onStep?: StepHook | undefined;
  /**
   * The roster files the run read without a problem, kept as each municipality's last good
   * roster (see good-rosters.ts); left out (the demo's generated roster), nothing is kept.
   */
  readonly rosters?: readonly GoodRosterFile[] | undefined;
};

/** A committed week and the digest of the folder it published (null: recorded before digests). */
export type PublishedWeek = {
  readonly folder: string;
  readonly digest: string | null;
  readonly previousDigest: string | null;
};

/**
 * What the weekly runs decide and the next run starts from: classifications, cadence states,
 * planned tests, cycle slots, deferred tests and deferral reports, one commit per week.
 */
export type WeekState = {
  commitWeek(input: CommitWeekInput): Promise<void>;
  loadClassifications(week: IsoWeek): Promise<Classification[]>;
  loadCadence(week: IsoWeek): Promise<Map<number, CadenceState> | undefined>;
  loadPlannedTests(testWeek: IsoWeek): Promise<PlannedTest[]>;
  /**
   * Cycle slots after the latest committed week before `week` (what `week` plans from), by
   * `staffKey(municipalityCode, employeeId)`. A slot stored before identities had a municipality
   * whose site the store could not place (see migration 5) takes its site's municipality from
   * `municipalityOfSite`; without it, or for a site no longer known, the slot is left out.
   */
  loadSlotsBefore(
    week: IsoWeek,
    municipalityOfSite?: (siteId: string) => number | undefined,
  ): Promise<Map<string, CycleSlot>>;
  /** Tests still owed after the latest committed week before `week` (what `week` must carry). */
  loadDeferredBefore(week: IsoWeek): Promise<DeferredTest[]>;
  loadDeferralReports(week: IsoWeek): Promise<DeferralReport[]>;
  lastCommittedWeek(): Promise<IsoWeek | undefined>;
  /** Every committed week with the digest of its published folder, oldest first. */
  listPublished(): Promise<PublishedWeek[]>;
};

/**
 * Keeps each distinct text once: the store hands out a new string per row and column, and a
 * national week repeats a few thousand site ids, dates and shifts over a million rows.
 */
function createTextPool(): <T extends string>(value: T) => T {
  const pool = new Map<string, string>();
  return <T extends string>(value: T): T => {
    const known = pool.get(value);
    if (known !== undefined) return known as T;
    pool.set(value, value);
    return value;
  };
}

async function replaceWeekRows(
  db: SqlExecutor,
  input: CommitWeekInput,
  snapshots: readonly PackedSnapshot[],
): Promise<void> {
  const weekText = formatIsoWeek(input.week);
  const testWeekText = formatIsoWeek(input.plan.testWeek);

  await db.run("DELETE FROM classifications WHERE week = ?", weekText);
  const insertClassification = `INSERT INTO classifications (week, code, name, region_code, window_start, window_end, cases_7d,
       population, incidence, raw_status, status, override_id, limit_to_sites)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  for (const c of input.classifications) {
    if (formatIsoWeek(c.week) !== weekText) {
      throw new Error(`commitWeek ${weekText}: classification of ${formatIsoWeek(c.week)} given`);
    }
    await db.run(
      insertClassification,
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

  await db.run("DELETE FROM cadence_states WHERE week = ?", weekText);
  const insertCadence =
    "INSERT INTO cadence_states (week, code, phase, flow_start, limit_to_sites) VALUES (?, ?, ?, ?, ?)";
  for (const [code, state] of input.cadence) {
    if (state.phase === "green") await db.run(insertCadence, weekText, code, "green", null, null);
    else {
      await db.run(
        insertCadence,
        weekText,
        code,
        "red-flow",
        formatIsoWeek(state.flowStart),
        listOrNull(state.limitToSites),
      );
    }
  }

  await db.run("DELETE FROM planned_tests WHERE test_week = ?", testWeekText);
  const insertTest = `INSERT INTO planned_tests (test_week, seq, run_week, employee_id, site_id, municipality_code,
       region_code, date, weekday, shift, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  for (const [seq, t] of input.plan.tests.entries()) {
    await db.run(
      insertTest,
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
  // the week before it left (same inputs → same plan, same reported changes). Old snapshots, the
  // bulk of the store, are pruned after the run by the retention (store/retention.ts).
  await writeSlotSnapshots(db, weekText, snapshots);

  await db.run("DELETE FROM deferred_tests WHERE week = ?", weekText);
  const insertDeferred = `INSERT INTO deferred_tests (week, seq, employee_id, site_id, municipality_code, reason, due_week, latest_date)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
  for (const [seq, d] of input.plan.deferred.entries()) {
    await db.run(
      insertDeferred,
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

  await db.run("DELETE FROM deferral_reports WHERE week = ?", weekText);
  const insertReport = `INSERT INTO deferral_reports (week, seq, municipality_code, region_code, site_kind, reason, count,
       gap_violations)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
  for (const [seq, r] of input.plan.deferrals.entries()) {
    await db.run(
      insertReport,
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

  if (input.rosters !== undefined) await saveGoodRosters(db, input.week, input.rosters);

  const published = input.published ?? null;
  if (published !== null && published.folder !== weekText) {
    throw new Error(`commitWeek ${weekText}: published folder ${published.folder} given`);
  }
  await db.run(
    `INSERT INTO committed_weeks (week, run_id, test_week, input_digest, published_digest, previous_digest)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (week) DO UPDATE SET run_id = excluded.run_id, test_week = excluded.test_week,
       input_digest = excluded.input_digest, published_digest = excluded.published_digest,
       previous_digest = excluded.previous_digest`,
    weekText,
    input.runId,
    testWeekText,
    input.inputDigest,
    published?.digest ?? null,
    published?.previousDigest ?? null,
  );
}

/**
 * With several replicas (PostgreSQL), a run whose lock connection dropped may have lost its week
 * to another replica, which then closed its attempt as crashed: such a run must not commit. A run
 * the ledger does not know (tools, tests) is not checked. The row lock orders this check against
 * the other replica's beginRun.
 */
async function checkStillRunning(tx: SqlExecutor, input: CommitWeekInput): Promise<void> {
  const row = await tx.get("SELECT status FROM run_attempts WHERE run_id = ? FOR UPDATE", input.runId);
  if (row !== undefined && text(row, "status") !== "running") {
    throw new Error(
      `state store: run ${input.runId} of ${formatIsoWeek(input.week)} is no longer running (its lock was lost and the week taken over); not committed`,
    );
  }
}

/** The week state over `db`; `where` names the store in storage errors. */
export function createWeekState(db: SqlDriver, where: string): WeekState {
  return {
    async commitWeek(input) {
      const step = input.onStep ?? (() => undefined);
      // Encoded and compressed before the transaction: it holds the write lock only for the rows.
      const weekText = formatIsoWeek(input.week);
      const snapshots = await packSlotSnapshots(groupSlotsByMunicipality(weekText, input.plan.slots));
      await db.transaction(async (tx) => {
        step("record:begin");
        if (db.dialect === "postgres") await checkStillRunning(tx, input);
        await replaceWeekRows(tx, input, snapshots);
        step("record:rows");
        input.publish?.();
      });
      step("record:committed");
    },

    async loadClassifications(w) {
      return (
        await db.all("SELECT * FROM classifications WHERE week = ? ORDER BY code", formatIsoWeek(w))
      ).map(toClassification);
    },

    async loadCadence(w) {
      const weekText = formatIsoWeek(w);
      if ((await db.get("SELECT 1 FROM committed_weeks WHERE week = ?", weekText)) === undefined)
        return undefined;
      const rows = await db.all("SELECT * FROM cadence_states WHERE week = ? ORDER BY code", weekText);
      return new Map(rows.map((row) => [num(row, "code"), toCadenceState(row)]));
    },

    async loadPlannedTests(testWeek) {
      // Row by row, each repeated text kept once: a week holds a test per row (300,000 at German
      // scale), and the rows as objects all at once would outlive the young generation.
      const once = createTextPool();
      const tests: PlannedTest[] = [];
      await db.each(
        "SELECT * FROM planned_tests WHERE test_week = ? ORDER BY seq",
        [formatIsoWeek(testWeek)],
        (row) => {
          tests.push(toPlannedTest(row, once));
        },
      );
      return tests;
    },

    loadSlotsBefore(w, municipalityOfSite) {
      // Each site id and shift is kept once, not once per slot (memory, see docs/performance.md).
      return readSlotSnapshotsBefore(db, formatIsoWeek(w), where, createTextPool(), municipalityOfSite);
    },

    async loadDeferredBefore(w) {
      // ISO week texts (YYYY-Www) sort chronologically as strings.
      const rows = await db.all(
        `SELECT * FROM deferred_tests
         WHERE week = (SELECT MAX(week) FROM classifications WHERE week < ?)
         ORDER BY seq`,
        formatIsoWeek(w),
      );
      return rows.map(toDeferredTest);
    },

    async loadDeferralReports(w) {
      return (
        await db.all("SELECT * FROM deferral_reports WHERE week = ? ORDER BY seq", formatIsoWeek(w))
      ).map(toDeferralReport);
    },

    async lastCommittedWeek() {
      // `YYYY-Www` text sorts chronologically, so the latest week is the greatest text.
      const row = await db.get("SELECT week FROM committed_weeks ORDER BY week DESC LIMIT 1");
      return row === undefined ? undefined : week(row, "week");
    },

    async listPublished() {
      const rows = await db.all(
        "SELECT week, published_digest, previous_digest FROM committed_weeks ORDER BY week",
      );
      return rows.map((row) => ({
        folder: text(row, "week"),
        digest: textOrNull(row, "published_digest"),
        previousDigest: textOrNull(row, "previous_digest"),
      }));
    },
  };
}
