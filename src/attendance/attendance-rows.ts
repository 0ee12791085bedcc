import { createHash } from "node:crypto";
import { z } from "zod";
import type { AttendanceOutcome } from "../domain/attendance.ts";
import { addDays, dateInWeek, formatIsoWeek, type IsoDate, type IsoWeek } from "../domain/calendar.ts";
import type { PlannedTest } from "../domain/plan-types.ts";
import type { Municipality } from "../domain/reference.ts";
import { SHIFTS, type Shift } from "../domain/roster.ts";
import { describeValue, MAX_ID_LENGTH } from "../roster/field-text.ts";
import type { ProblemSink } from "../roster/input-problems.ts";
import { parseRosterDate } from "../roster/roster-rows.ts";
import { validateRow, type RowSpec } from "../roster/validate-row.ts";
import type { AttendanceReturn, StoredOutcome } from "../store/state-store.ts";

export const ATTENDANCE_REQUIRED_COLUMNS = ["employee_id", "date", "shift", "outcome"] as const;
export const ATTENDANCE_OPTIONAL_COLUMNS = ["sample_id"] as const;
export type AttendanceColumn =
  (typeof ATTENDANCE_REQUIRED_COLUMNS)[number] | (typeof ATTENDANCE_OPTIONAL_COLUMNS)[number] | "site_id";

const ID_RULE = { maxLength: MAX_ID_LENGTH, id: true };

/**
 * Every cell of a return may hold staff data (a file whose header does not match its rows puts
 * names under `outcome`), so no value is ever quoted in a message, only described.
 */
export const ATTENDANCE_ROW: RowSpec<AttendanceColumn> = {
  columns: [...ATTENDANCE_REQUIRED_COLUMNS, ...ATTENDANCE_OPTIONAL_COLUMNS, "site_id"],
  optional: new Set(["sample_id", "outcome", "site_id"]),
  text: {
    employee_id: ID_RULE,
    date: ID_RULE,
    shift: ID_RULE,
    outcome: { maxLength: MAX_ID_LENGTH },
    sample_id: ID_RULE,
    site_id: ID_RULE,
  },
  describe: (_column, value) => describeValue(value),
};

/** The outcome words accepted, in English and Danish (the workbook's list), any letter case. */
const OUTCOME_WORDS: Readonly<Record<string, AttendanceOutcome>> = {
  taken: "taken",
  taget: "taken",
  declined: "declined",
  afslået: "declined",
  afslaaet: "declined",
  absent: "absent",
  fraværende: "absent",
  fravaerende: "absent",
};

/** Shift codes, and the Danish words the workbook shows. */
const SHIFT_WORDS: Readonly<Record<string, Shift>> = {
  day: "day",
  evening: "evening",
  night: "night",
  dag: "day",
  aften: "evening",
  nat: "night",
};

const DATE_EXPECTED = "a date YYYY-MM-DD (or DD-MM-YYYY / DD.MM.YYYY)";

function createAttendanceRowSchema() {
  return z.object({
    employee_id: z.string().min(1, { error: "a non-empty employee id" }),
    date: z
      .string()
      .refine((text) => parseRosterDate(text) !== undefined, { error: DATE_EXPECTED })
      .transform((text) => parseRosterDate(text) ?? text),
    shift: z
      .string()
      .refine((text) => SHIFT_WORDS[text.toLowerCase()] !== undefined, {
        error: `${SHIFTS.join(", ")} (or dag, aften, nat)`,
      })
      .transform((text) => SHIFT_WORDS[text.toLowerCase()] ?? "day"),
    // Blank: the test was not reported (it counts as such once the grace has passed).
    outcome: z
      .string()
      .refine((text) => OUTCOME_WORDS[text.trim().toLowerCase()] !== undefined, {
        error: "taken, declined or absent (or taget, afslået, fraværende), or blank when not known",
      })
      .transform((text) => OUTCOME_WORDS[text.trim().toLowerCase()] ?? "taken")
      .optional(),
    sample_id: z.string().optional(),
    site_id: z.string().optional(),
  });
}

/** One row of a return as read from its file: the cells by column, where it is (file, line). */
export type AttendanceRawRow = {
  /** The file as messages name it (for a workbook: the file and the sheet). */
  readonly file: string;
  readonly line: number;
  readonly cells: Partial<Record<AttendanceColumn, string>>;
};

/** What a return is checked against: its test week and municipality, and the tests planned there. */
export type ReturnTarget = {
  readonly testWeek: IsoWeek;
  readonly municipality: Municipality;
  /** The final rota of the municipality for the test week (every planned test). */
  readonly planned: readonly PlannedTest[];
};

function testKey(employeeId: string, date: IsoDate, shift: Shift): string {
  return `${employeeId}|${date}|${shift}`;
}

/** The digest of a return's content: its outcomes sorted, so the same answers give the same digest. */
function digestOutcomes(outcomes: readonly StoredOutcome[]): string {
  const lines = outcomes
    .map((o) => [o.employeeId, o.date, o.shift, o.outcome, o.sampleId ?? ""].join(";"))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

/**
 * Checks the rows of one municipality's return for one test week and returns it, or undefined
 * when any row was refused (every problem goes to `sink` with file, line and column). A row must
 * name a test of the rota: an employee id with a test planned in the municipality that week, on
 * that date (within the test week) and shift (and, in a workbook, at that site); each test once.
 * A blank outcome means not reported. Messages never quote a value of the file.
 */
export function checkReturnRows(
  rows: readonly AttendanceRawRow[],
  target: ReturnTarget,
  source: { readonly fileName: string; readonly fileSha256: string; readonly format: "csv" | "xlsx" },
  sink: ProblemSink,
): AttendanceReturn | undefined {
  const schema = createAttendanceRowSchema();
  const monday = dateInWeek(target.testWeek, 1);
  const sunday = addDays(monday, 6);
  const weekText = formatIsoWeek(target.testWeek);
  const rota = `the rota of ${target.municipality.code} ${target.municipality.name} for test week ${weekText}`;
  const planned = new Map(target.planned.map((t) => [testKey(t.employeeId, t.date, t.shift), t]));
  const testsPerEmployee = new Map<string, number>();
  for (const t of target.planned)
    testsPerEmployee.set(t.employeeId, (testsPerEmployee.get(t.employeeId) ?? 0) + 1);
  const firstSeen = new Map<string, { readonly file: string; readonly line: number }>();
  const outcomes: StoredOutcome[] = [];
  const counts = { rows: 0, taken: 0, declined: 0, absent: 0, blank: 0 };
  let refused = false;
  for (const row of rows) {
    const parsed = validateRow(
      row.file,
      { line: row.line, fields: [] },
      row.cells,
      ATTENDANCE_ROW,
      schema,
      sink,
    );
    if (parsed === undefined) {
      refused = true;
      continue;
    }
    const report = (column: AttendanceColumn, message: string): void => {
      sink.report({ file: row.file, line: row.line, column, message });
      refused = true;
    };
    if (parsed.date < monday || parsed.date > sunday) {
      report(
        "date",
        `expected a date in test week ${weekText} (${monday} … ${sunday}), found ${parsed.date}`,
      );
      continue;
    }
    const count = testsPerEmployee.get(parsed.employee_id);
    if (count === undefined) {
      report("employee_id", `expected an employee id with a test in ${rota}, found an id with none`);
      continue;
    }
    const key = testKey(parsed.employee_id, parsed.date, parsed.shift);
    const test = planned.get(key);
    if (test === undefined) {
      report(
        "date",
        `expected the date and shift of a test planned for this employee (${count === 1 ? "1 test" : `${count} tests`} in ${rota}), found ${parsed.date} ${parsed.shift}: never planned`,
      );
      continue;
    }
    if (parsed.site_id !== undefined && parsed.site_id !== test.siteId) {
      report("site_id", "expected the site of the planned test, found another site id");
      continue;
    }
    // The id itself is not repeated in the message: employee ids never reach logs.
    const earlier = firstSeen.get(key);
    if (earlier !== undefined) {
      const where = earlier.file === row.file ? `line ${earlier.line}` : `${earlier.file}:${earlier.line}`;
      report("employee_id", `expected each test once, found the test of ${where} again`);
      continue;
    }
    firstSeen.set(key, { file: row.file, line: row.line });
    counts.rows += 1;
    if (parsed.outcome === undefined) {
      counts.blank += 1;
      continue;
    }
    counts[parsed.outcome] += 1;
    const sampleId = parsed.sample_id?.trim() ?? "";
    outcomes.push({
      municipalityCode: target.municipality.code,
      employeeId: parsed.employee_id,
      date: parsed.date,
      shift: parsed.shift,
      outcome: parsed.outcome,
      sampleId: sampleId === "" ? null : sampleId,
    });
  }
  if (refused) return undefined;
  return {
    testWeek: target.testWeek,
    municipalityCode: target.municipality.code,
    digest: digestOutcomes(outcomes),
    fileName: source.fileName,
    fileSha256: source.fileSha256,
    format: source.format,
    outcomes,
    counts,
  };
}
