import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { PlannedTest } from "../domain/plan-types.ts";
import type { Municipality } from "../domain/reference.ts";
import { describeReadFailure, readInputTable, decodeInputText } from "../roster/input-file.ts";
import type { ProblemSink } from "../roster/input-problems.ts";
import { rawRowOf } from "../roster/validate-row.ts";
import type { AttendanceReturn } from "../store/state-store.ts";
import {
  ATTENDANCE_OPTIONAL_COLUMNS,
  ATTENDANCE_REQUIRED_COLUMNS,
  ATTENDANCE_ROW,
  checkReturnRows,
  type AttendanceRawRow,
} from "./attendance-rows.ts";
import type { WorkbookReturn } from "./read-workbook.ts";

/** What returns are read against: the test week, the municipalities and the week's final rota. */
export type ReturnContext = {
  readonly testWeek: IsoWeek;
  readonly municipalities: readonly Municipality[];
  /** Every final planned test of the test week (all municipalities). */
  readonly planned: readonly PlannedTest[];
  /** The municipality of every file (`--municipality`); else from the file itself. */
  readonly municipalityCode?: number | undefined;
};

/** The code a file name gives, `350.csv` → 350 (undefined for other names). */
function codeOfFileName(path: string): number | undefined {
  const stem = basename(path, extname(path));
  return /^\d{1,4}$/.test(stem) ? Number(stem) : undefined;
}

function formatOf(path: string): "csv" | "xlsx" | undefined {
  const extension = extname(path).toLowerCase();
  return extension === ".csv" ? "csv" : extension === ".xlsx" ? "xlsx" : undefined;
}

/**
 * The municipality a return is for: `--municipality`, else the workbook's keywords, else the file
 * name `<code>.csv|xlsx`; sources that disagree, or a code not in the reference, are problems.
 */
function municipalityOf(
  path: string,
  context: ReturnContext,
  fromWorkbook: number | undefined,
  sink: ProblemSink,
): Municipality | undefined {
  const flag = context.municipalityCode;
  if (flag !== undefined && fromWorkbook !== undefined && flag !== fromWorkbook) {
    sink.report({
      file: path,
      message: `the workbook is the rota of municipality ${fromWorkbook}, expected municipality ${flag} (--municipality)`,
    });
    return undefined;
  }
  const code = flag ?? fromWorkbook ?? codeOfFileName(path);
  if (code === undefined) {
    sink.report({
      file: path,
      message:
        "expected the municipality code as the file name (e.g. 350.csv) or --municipality CODE, found neither",
    });
    return undefined;
  }
  const municipality = context.municipalities.find((m) => m.code === code);
  if (municipality === undefined) {
    sink.report({
      file: path,
      message: `expected one of the ${context.municipalities.length} municipality codes of the reference, found ${code}`,
    });
  }
  return municipality;
}

function csvRows(path: string, bytes: Buffer, sink: ProblemSink): AttendanceRawRow[] | undefined {
  const input = decodeInputText(path, bytes, sink);
  if (input === undefined) return undefined;
  const table = readInputTable(
    path,
    input.text,
    { required: ATTENDANCE_REQUIRED_COLUMNS, optional: [...ATTENDANCE_OPTIONAL_COLUMNS, "site_id"] },
    sink,
  );
  if (table === undefined) return undefined;
  return table.rows.map((row) => ({
    file: path,
    line: row.line,
    cells: rawRowOf(ATTENDANCE_ROW, table, row),
  }));
}

/**
 * Reads one return: a CSV `employee_id;date;shift;outcome[;sample_id]` (UTF-8, or Windows-1252
 * with a warning; header names in any letter case; unknown columns ignored) or the returned
 * workbook (`rota.xlsx` read back by its hidden key columns, see `readWorkbookReturn`), and checks
 * it against the week's rota (see `checkReturnRows`). Every problem goes to `sink` with file and
 * line; undefined when the file is refused.
 */
export async function readReturnFile(
  path: string,
  context: ReturnContext,
  sink: ProblemSink,
): Promise<AttendanceReturn | undefined> {
  let reported = 0;
  const counted: ProblemSink = {
    report(problem) {
      reported += 1;
      sink.report(problem);
    },
    warn: (warning) => sink.warn(warning),
  };
  const entry = await readCheckedReturn(path, context, counted);
  // A file with any problem (a malformed record the table reader skipped, too) is refused whole.
  return reported === 0 ? entry : undefined;
}

async function readCheckedReturn(
  path: string,
  context: ReturnContext,
  sink: ProblemSink,
): Promise<AttendanceReturn | undefined> {
  const format = formatOf(path);
  if (format === undefined) {
    sink.report({
      file: path,
      message: "expected a .csv or .xlsx file (a CSV return or the returned workbook)",
    });
    return undefined;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    sink.report({ file: path, message: `${describeReadFailure(error)}, expected an attendance return` });
    return undefined;
  }
  let rows: readonly AttendanceRawRow[] | undefined;
  let workbook: WorkbookReturn | undefined;
  if (format === "csv") rows = csvRows(path, bytes, sink);
  else {
    // exceljs is loaded only when a workbook is returned (most runs read none).
    const { readWorkbookReturn } = await import("./read-workbook.ts");
    workbook = await readWorkbookReturn(path, bytes, sink);
    rows = workbook?.rows;
  }
  if (rows === undefined) return undefined;
  if (workbook?.week !== undefined && workbook.week !== formatIsoWeek(context.testWeek)) {
    sink.report({
      file: path,
      message: `the workbook is the rota of test week ${workbook.week}, expected test week ${formatIsoWeek(context.testWeek)} (--week)`,
    });
    return undefined;
  }
  const municipality = municipalityOf(path, context, workbook?.municipalityCode, sink);
  if (municipality === undefined) return undefined;
  const planned = context.planned.filter((t) => t.municipalityCode === municipality.code);
  if (planned.length === 0) {
    sink.report({
      file: path,
      message: `the rota of ${municipality.code} ${municipality.name} for test week ${formatIsoWeek(context.testWeek)} has no tests, expected the return of a week with tests`,
    });
    return undefined;
  }
  return checkReturnRows(
    rows,
    { testWeek: context.testWeek, municipality, planned },
    { fileName: basename(path), fileSha256: createHash("sha256").update(bytes).digest("hex"), format },
    sink,
  );
}

/**
 * Reads the returns of one test week (see `readReturnFile`); two files for the same municipality
 * are a problem (which one would count?). Returns the valid returns in the order given.
 */
export async function readReturnFiles(
  paths: readonly string[],
  context: ReturnContext,
  sink: ProblemSink,
): Promise<AttendanceReturn[]> {
  const returns: AttendanceReturn[] = [];
  const fileOf = new Map<number, string>();
  for (const path of paths) {
    const entry = await readReturnFile(path, context, sink);
    if (entry === undefined) continue;
    const earlier = fileOf.get(entry.municipalityCode);
    if (earlier !== undefined) {
      sink.report({
        file: path,
        message: `a second return for municipality ${entry.municipalityCode} in test week ${formatIsoWeek(context.testWeek)} (the first is ${earlier}), expected one file per municipality`,
      });
      continue;
    }
    fileOf.set(entry.municipalityCode, path);
    returns.push(entry);
  }
  return returns;
}
