import type {
  AttendanceHistory,
  AttendanceOutcome,
  RecordedTest,
  ReportedOutcome,
} from "../domain/attendance.ts";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { Shift } from "../domain/roster.ts";
import { num, text, textOrNull, toPlannedTest, week, type Row } from "./row-codecs.ts";
import type { SqlDriver, SqlExecutor } from "./sql-driver.ts";

/** What one return holds: its test rows by outcome, and rows left blank (not reported). */
export type AttendanceCounts = {
  readonly rows: number;
  readonly taken: number;
  readonly declined: number;
  readonly absent: number;
  readonly blank: number;
};

/** An outcome as stored, with the sample ID the coordinator wrote (if any). */
export type StoredOutcome = ReportedOutcome & { readonly sampleId: string | null };

/** One municipality's validated return for one test week (see src/attendance). */
export type AttendanceReturn = {
  readonly testWeek: IsoWeek;
  readonly municipalityCode: number;
  /** SHA-256 of the return's content (its outcomes, sorted): the same content is the same return. */
  readonly digest: string;
  /** The file's name without its folder (audit only). */
  readonly fileName: string;
  /** SHA-256 of the file's bytes (audit; the folder pickup skips a file it has imported before). */
  readonly fileSha256: string;
  readonly format: "csv" | "xlsx";
  readonly outcomes: readonly StoredOutcome[];
  readonly counts: AttendanceCounts;
};

/** `imported`: the first return of the week; `replaced`: a corrected one; `unchanged`: the same content again. */
export type ImportAction = "imported" | "replaced" | "unchanged";

export type ImportResult = {
  readonly testWeek: IsoWeek;
  readonly municipalityCode: number;
  readonly action: ImportAction;
  readonly digest: string;
  readonly previousDigest: string | null;
  readonly counts: AttendanceCounts;
  readonly previousCounts: AttendanceCounts | null;
};

export type RecordedReturn = {
  readonly testWeek: IsoWeek;
  readonly municipalityCode: number;
  readonly digest: string;
  readonly fileName: string;
  readonly format: "csv" | "xlsx";
  readonly author: string;
  readonly importedAt: string;
  readonly counts: AttendanceCounts;
};

export type AttendanceAuditEntry = {
  readonly testWeek: IsoWeek;
  readonly municipalityCode: number;
  readonly action: "imported" | "replaced";
  readonly author: string;
  readonly at: string;
  readonly fileName: string;
  readonly fileSha256: string;
  readonly oldDigest: string | null;
  readonly newDigest: string;
  readonly oldCounts: AttendanceCounts | null;
  readonly newCounts: AttendanceCounts;
};

/**
 * Attendance returned by the coordinators: one return per municipality and test week (a corrected
 * file replaces the earlier one, audited with who, when, both digests and counts), and the history
 * a run reviews. Outcomes and sample IDs are staff data: they stay in the store.
 */
export type AttendanceState = {
  /** Records the returns in one transaction: all of them, or none when one fails. */
  importAttendance(
    returns: readonly AttendanceReturn[],
    by: { readonly author: string; readonly at: string },
  ): Promise<ImportResult[]>;
  /** The returns on record, by test week and municipality; of one test week when given. */
  listAttendanceReturns(testWeek?: IsoWeek): Promise<RecordedReturn[]>;
  /** The audit trail, oldest first; of one test week when given. */
  listAttendanceAudit(testWeek?: IsoWeek): Promise<AttendanceAuditEntry[]>;
  /**
   * What a run reviews for test weeks `from` … `to`: the municipalities returning attendance (from
   * their first return up to `to`), the returns and outcomes in the window, and the final planned
   * tests of those municipalities in the window. Empty, and cheap, while nobody returns attendance.
   */
  loadAttendanceHistory(from: IsoWeek, to: IsoWeek): Promise<AttendanceHistory>;
};

function countsOf(row: Row): AttendanceCounts {
  return {
    rows: num(row, "rows"),
    taken: num(row, "taken"),
    declined: num(row, "declined"),
    absent: num(row, "absent"),
    blank: num(row, "blank"),
  };
}

function countsFromJson(value: string | null): AttendanceCounts | null {
  if (value === null) return null;
  const parsed = JSON.parse(value) as Record<string, unknown>;
  const field = (name: keyof AttendanceCounts): number => {
    const n = parsed[name];
    if (typeof n !== "number") throw new Error(`state store: attendance counts without ${name}`);
    return n;
  };
  return {
    rows: field("rows"),
    taken: field("taken"),
    declined: field("declined"),
    absent: field("absent"),
    blank: field("blank"),
  };
}

function toRecordedReturn(row: Row): RecordedReturn {
  return {
    testWeek: week(row, "test_week"),
    municipalityCode: num(row, "municipality_code"),
    digest: text(row, "digest"),
    fileName: text(row, "file_name"),
    format: text(row, "format") === "xlsx" ? "xlsx" : "csv",
    author: text(row, "author"),
    importedAt: text(row, "imported_at"),
    counts: countsOf(row),
  };
}

async function replaceReturn(
  db: SqlExecutor,
  entry: AttendanceReturn,
  by: { readonly author: string; readonly at: string },
): Promise<ImportResult> {
  const weekText = formatIsoWeek(entry.testWeek);
  const code = entry.municipalityCode;
  const previous = await db.get(
    "SELECT * FROM attendance_returns WHERE test_week = ? AND municipality_code = ?",
    weekText,
    code,
  );
  const previousDigest = previous === undefined ? null : text(previous, "digest");
  const previousCounts = previous === undefined ? null : countsOf(previous);
  const base = {
    testWeek: entry.testWeek,
    municipalityCode: code,
    digest: entry.digest,
    counts: entry.counts,
  };
  if (previousDigest === entry.digest) {
    return { ...base, action: "unchanged", previousDigest, previousCounts };
  }
  await db.run(
    "DELETE FROM attendance_outcomes WHERE test_week = ? AND municipality_code = ?",
    weekText,
    code,
  );
  for (const o of entry.outcomes) {
    await db.run(
      `INSERT INTO attendance_outcomes (test_week, municipality_code, employee_id, date, shift, outcome, sample_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      weekText,
      code,
      o.employeeId,
      o.date,
      o.shift,
      o.outcome,
      o.sampleId,
    );
  }
  const { rows, taken, declined, absent, blank } = entry.counts;
  await db.run(
    `INSERT INTO attendance_returns (test_week, municipality_code, digest, file_name, format, author, imported_at,
       rows, taken, declined, absent, blank)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (test_week, municipality_code) DO UPDATE SET digest = excluded.digest,
       file_name = excluded.file_name, format = excluded.format, author = excluded.author,
       imported_at = excluded.imported_at, rows = excluded.rows, taken = excluded.taken,
       declined = excluded.declined, absent = excluded.absent, blank = excluded.blank`,
    weekText,
    code,
    entry.digest,
    entry.fileName,
    entry.format,
    by.author,
    by.at,
    rows,
    taken,
    declined,
    absent,
    blank,
  );
  const action = previous === undefined ? "imported" : "replaced";
  await db.run(
    `INSERT INTO attendance_audit (test_week, municipality_code, action, author, at, file_name, file_sha256,
       old_digest, new_digest, old_counts, new_counts)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    weekText,
    code,
    action,
    by.author,
    by.at,
    entry.fileName,
    entry.fileSha256,
    previousDigest,
    entry.digest,
    previousCounts === null ? null : JSON.stringify(previousCounts),
    JSON.stringify(entry.counts),
  );
  return { ...base, action, previousDigest, previousCounts };
}

export function createAttendanceState(db: SqlDriver): AttendanceState {
  return {
    importAttendance(returns, by) {
      return db.transaction(async (tx) => {
        const results: ImportResult[] = [];
        for (const entry of returns) results.push(await replaceReturn(tx, entry, by));
        return results;
      });
    },

    async listAttendanceReturns(testWeek) {
      const rows =
        testWeek === undefined
          ? await db.all("SELECT * FROM attendance_returns ORDER BY test_week, municipality_code")
          : await db.all(
              "SELECT * FROM attendance_returns WHERE test_week = ? ORDER BY municipality_code",
              formatIsoWeek(testWeek),
            );
      return rows.map(toRecordedReturn);
    },

    async listAttendanceAudit(testWeek) {
      const rows =
        testWeek === undefined
          ? await db.all("SELECT * FROM attendance_audit ORDER BY seq")
          : await db.all(
              "SELECT * FROM attendance_audit WHERE test_week = ? ORDER BY seq",
              formatIsoWeek(testWeek),
            );
      return rows.map((row) => ({
        testWeek: week(row, "test_week"),
        municipalityCode: num(row, "municipality_code"),
        action: text(row, "action") === "replaced" ? "replaced" : "imported",
        author: text(row, "author"),
        at: text(row, "at"),
        fileName: text(row, "file_name"),
        fileSha256: text(row, "file_sha256"),
        oldDigest: textOrNull(row, "old_digest"),
        newDigest: text(row, "new_digest"),
        oldCounts: countsFromJson(textOrNull(row, "old_counts")),
        newCounts: countsFromJson(text(row, "new_counts")) as AttendanceCounts,
      }));
    },

    async loadAttendanceHistory(from, to) {
      // ISO week texts (YYYY-Www) sort chronologically as strings.
      const fromText = formatIsoWeek(from);
      const toText = formatIsoWeek(to);
      const trackedFrom = new Map<number, IsoWeek>(
        (
          await db.all(
            `SELECT municipality_code, MIN(test_week) AS first_week FROM attendance_returns
             WHERE test_week <= ? GROUP BY municipality_code ORDER BY municipality_code`,
            toText,
          )
        ).map((row): [number, IsoWeek] => [num(row, "municipality_code"), week(row, "first_week")]),
      );
      if (trackedFrom.size === 0) return { trackedFrom, returns: [], outcomes: [], planned: [] };
      const returns = (
        await db.all(
          `SELECT test_week, municipality_code FROM attendance_returns
           WHERE test_week BETWEEN ? AND ? ORDER BY test_week, municipality_code`,
          fromText,
          toText,
        )
      ).map((row) => ({
        testWeek: week(row, "test_week"),
        municipalityCode: num(row, "municipality_code"),
      }));
      const outcomes = (
        await db.all(
          `SELECT municipality_code, employee_id, date, shift, outcome FROM attendance_outcomes
           WHERE test_week BETWEEN ? AND ? ORDER BY test_week, municipality_code, employee_id, date, shift`,
          fromText,
          toText,
        )
      ).map((row): ReportedOutcome => ({
        municipalityCode: num(row, "municipality_code"),
        employeeId: text(row, "employee_id"),
        date: text(row, "date"),
        shift: text(row, "shift") as Shift,
        outcome: text(row, "outcome") as AttendanceOutcome,
      }));
      const planned = (
        await db.all(
          `SELECT * FROM planned_tests
           WHERE test_week BETWEEN ? AND ?
             AND municipality_code IN (SELECT municipality_code FROM attendance_returns WHERE test_week <= ?)
           ORDER BY test_week, seq`,
          fromText,
          toText,
          toText,
        )
      ).map((row): RecordedTest => ({ ...toPlannedTest(row), testWeek: week(row, "test_week") }));
      return { trackedFrom, returns, outcomes, planned };
    },
  };
}
