import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ATTENDANCE_LOOKBACK_WEEKS } from "../domain/attendance.ts";
import { addWeeks, formatIsoWeek, weekRange, type IsoWeek } from "../domain/calendar.ts";
import type { Municipality } from "../domain/reference.ts";
import { createCollectingSink, formatProblem } from "../roster/input-problems.ts";
import type { AttendanceReturn, ImportResult, StateStore } from "../store/state-store.ts";
import { readReturnFile } from "./read-returns.ts";

/** The author the audit trail records for returns picked up from the folder. */
export const FOLDER_AUTHOR = "attendance folder";

/** The folder the worker picks returns up from: `<dataDir>/attendance/<test week>/<code>.csv|xlsx`. */
export function attendanceFolder(dataDir: string, testWeek?: IsoWeek): string {
  return testWeek === undefined
    ? join(dataDir, "attendance")
    : join(dataDir, "attendance", formatIsoWeek(testWeek));
}

/** A file of the folder that was refused, with every problem (no staff data in them). */
export type RefusedReturn = { readonly file: string; readonly problems: readonly string[] };

export type PickUpResult = {
  readonly results: readonly ImportResult[];
  readonly refused: readonly RefusedReturn[];
  /** E.g. a file read as Windows-1252; never staff data. */
  readonly warnings: readonly string[];
};

async function sha256Of(path: string): Promise<string> {
  try {
    return createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  } catch {
    // Unreadable: readReturnFile reports it.
    return "";
  }
}

async function listReturnFiles(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && /\.(csv|xlsx)$/i.test(entry.name) && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((name) => join(folder, name));
  } catch {
    return [];
  }
}

/**
 * Picks up the returns dropped into `<dataDir>/attendance/<test week>/` for the test weeks a run
 * of `runWeek` looks back on, and imports the valid ones in one transaction. A file whose content
 * was imported before is left alone (the same file again changes nothing, and a correction
 * imported since with `attendance import` is not undone by the older file still lying there); a
 * changed file replaces the earlier return, audited. A file with a problem is refused whole and reported with every problem; the others
 * still count, so one municipality's broken file never holds back the rest.
 */
export async function pickUpAttendance(options: {
  readonly dataDir: string;
  readonly store: StateStore;
  readonly municipalities: readonly Municipality[];
  readonly runWeek: IsoWeek;
  /** When the import happens (ISO 8601), for the audit trail. */
  readonly at: string;
}): Promise<PickUpResult> {
  const { store } = options;
  const returns: AttendanceReturn[] = [];
  const refused: RefusedReturn[] = [];
  const warnings: string[] = [];
  const weeks = weekRange(addWeeks(options.runWeek, -ATTENDANCE_LOOKBACK_WEEKS), options.runWeek);
  for (const testWeek of weeks) {
    const files = await listReturnFiles(attendanceFolder(options.dataDir, testWeek));
    if (files.length === 0) continue;
    const context = {
      testWeek,
      municipalities: options.municipalities,
      planned: await store.loadPlannedTests(testWeek),
    };
    // A file whose content was imported once never comes back by itself: a correction imported
    // since (from the command line) stays; a changed file in the folder is a new return.
    const audit = await store.listAttendanceAudit(testWeek);
    const imported = new Set(audit.map((entry) => `${entry.municipalityCode}|${entry.newDigest}`));
    // A file imported before byte for byte is not even read again (most of the 12 weeks).
    const seenFiles = new Set(audit.map((entry) => entry.fileSha256));
    const seen = new Map<number, string>();
    for (const file of files) {
      if (seenFiles.has(await sha256Of(file))) continue;
      const sink = createCollectingSink();
      const entry = await readReturnFile(file, context, sink);
      warnings.push(...sink.warnings);
      const problems = sink.problems().map(formatProblem);
      const earlier = entry === undefined ? undefined : seen.get(entry.municipalityCode);
      if (earlier !== undefined) {
        problems.push(
          `${file}: a second return for the same municipality and week (the first is ${earlier}), expected one file per municipality`,
        );
      }
      if (entry === undefined || problems.length > 0) {
        refused.push({ file, problems });
        continue;
      }
      seen.set(entry.municipalityCode, file);
      if (!imported.has(`${entry.municipalityCode}|${entry.digest}`)) returns.push(entry);
    }
  }
  const results =
    returns.length === 0
      ? []
      : await store.importAttendance(returns, { author: FOLDER_AUTHOR, at: options.at });
  return { results, refused, warnings };
}
