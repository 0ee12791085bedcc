import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { SHIFTS, type Shift, type StaffMember } from "../domain/roster.ts";
import type { GoodRosterFile, StoredRoster } from "../roster/roster-isolation.ts";
import { num, text, week, type Row } from "./row-codecs.ts";
import type { SqlExecutor } from "./sql-driver.ts";

/**
 * Each municipality's last roster file read without a problem (roster isolation: a municipality
 * whose file is missing or bad the next week is planned from this one). The rows hold names and
 * employee ids: they stay in the state store of the data directory, like the cycle slots, and are
 * never logged or published except in the municipality's own rota.
 */
export type GoodRosters = {
  /** The last good roster of `municipalityCode`; undefined when none was ever stored. */
  loadGoodRoster(municipalityCode: number): Promise<StoredRoster | undefined>;
};

/** One staff row as stored: [employee id, name, site id, shift, start date, end date]. */
type StoredRow = [string, string | null, string, string, string | null, string | null];

function isStoredRow(value: unknown): value is StoredRow {
  if (!Array.isArray(value) || value.length !== 6) return false;
  const [id, name, site, shift, start, end] = value as unknown[];
  const textOrNull = (item: unknown) => item === null || typeof item === "string";
  return (
    typeof id === "string" &&
    textOrNull(name) &&
    typeof site === "string" &&
    SHIFTS.includes(shift as Shift) &&
    textOrNull(start) &&
    textOrNull(end)
  );
}

function encodeStaff(staff: readonly StaffMember[]): string {
  const rows: StoredRow[] = staff.map((m) => [
    m.employeeId,
    m.name ?? null,
    m.siteId,
    m.shift,
    m.startDate ?? null,
    m.endDate ?? null,
  ]);
  return JSON.stringify(rows);
}

function decodeStaff(row: Row): StaffMember[] {
  const municipalityCode = num(row, "municipality_code");
  const parsed: unknown = JSON.parse(text(row, "staff"));
  if (!Array.isArray(parsed) || !parsed.every(isStoredRow)) {
    throw new Error(
      `state store: column staff of good_rosters ${municipalityCode} is not a list of staff rows`,
    );
  }
  return parsed.map(([employeeId, name, siteId, shift, startDate, endDate]) => ({
    municipalityCode,
    employeeId,
    name: name ?? undefined,
    siteId,
    shift: shift as Shift,
    startDate: startDate ?? undefined,
    endDate: endDate ?? undefined,
  }));
}

/**
 * Records the roster files a committed run of `runWeek` read without a problem; called inside the
 * week's commit transaction, so a run that fails keeps the previous ones. A file with the digest
 * already stored only moves its week forward (never back: re-running an older week does not make
 * the stored roster look older); another file replaces the stored rows.
 */
export async function saveGoodRosters(
  db: SqlExecutor,
  runWeek: IsoWeek,
  files: readonly GoodRosterFile[],
): Promise<void> {
  const weekText = formatIsoWeek(runWeek);
  for (const file of files) {
    const row = await db.get(
      "SELECT week, file_sha256 FROM good_rosters WHERE municipality_code = ?",
      file.municipalityCode,
    );
    if (row !== undefined && text(row, "file_sha256") === file.sha256) {
      await db.run(
        "UPDATE good_rosters SET week = ? WHERE municipality_code = ? AND week < ?",
        weekText,
        file.municipalityCode,
        weekText,
      );
    } else {
      await db.run(
        `INSERT INTO good_rosters (municipality_code, week, file_sha256, staff) VALUES (?, ?, ?, ?)
         ON CONFLICT (municipality_code) DO UPDATE SET week = excluded.week,
           file_sha256 = excluded.file_sha256, staff = excluded.staff`,
        file.municipalityCode,
        weekText,
        file.sha256,
        encodeStaff(file.staff),
      );
    }
  }
}

export function createGoodRosters(db: SqlExecutor): GoodRosters {
  return {
    async loadGoodRoster(municipalityCode) {
      const row = await db.get("SELECT * FROM good_rosters WHERE municipality_code = ?", municipalityCode);
      if (row === undefined) return undefined;
      return {
        municipalityCode,
        week: week(row, "week"),
        sha256: text(row, "file_sha256"),
        staff: decodeStaff(row),
      };
    },
  };
}
