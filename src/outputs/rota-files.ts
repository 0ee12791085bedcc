import { WEEKDAY_NAMES, type IsoDate, type Weekday } from "../domain/calendar.ts";
import type { PlannedTest, TestReason } from "../domain/plan-types.ts";
import { SHIFTS, type Shift, type Site, type StaffMember } from "../domain/roster.ts";
import { renderCsv } from "./csv-file.ts";
import { compareText } from "./compare-text.ts";

/** Column contract of `rota.csv` (add columns at the end, never rename). */
export const ROTA_COLUMNS = [
  "employee_id",
  "name",
  "site_id",
  "site_name",
  "date",
  "weekday",
  "shift",
  "reason",
] as const;

/** One planned test as the municipal coordinator sees it. */
export type RotaRow = {
  readonly employeeId: string;
  /** Empty when the HR export carries no name. */
  readonly name: string;
  readonly siteId: string;
  readonly siteName: string;
  readonly date: IsoDate;
  /** ISO weekday of `date`, as planned (carried, not recomputed: rotas run to millions of rows). */
  readonly weekday: Weekday;
  readonly shift: Shift;
  readonly reason: TestReason;
};

/**
 * The rota rows of each municipality (keyed by municipality code), so that every municipality's
 * folder holds only its own staff. Staff are looked up by identity (municipality and employee
 * id, see `staffKey`): the same employee id in another municipality's roster is another person.
 * A test of an employee or site unknown to the roster is a bug upstream and throws.
 */
export function buildRotaRows(
  tests: readonly PlannedTest[],
  staff: readonly StaffMember[],
  sites: readonly Site[],
): Map<number, RotaRow[]> {
  return buildRotaRowsOfWeeks([tests], staff, sites)[0] ?? new Map<number, RotaRow[]>();
}

/**
 * {@link buildRotaRows} for several weeks' tests (the test week and the look-ahead) with one
 * pass over the roster: a national roster is far larger than the weeks' tests together.
 */
export function buildRotaRowsOfWeeks(
  weeks: readonly (readonly PlannedTest[])[],
  staff: readonly StaffMember[],
  sites: readonly Site[],
): Map<number, RotaRow[]>[] {
  // Only the tested staff are looked up, by municipality and then employee id (the identity, see
  // `staffKey`), without building a key text per roster row.
  const tested = new Map<number, Map<string, StaffMember | undefined>>();
  for (const tests of weeks) {
    for (const test of tests) {
      const ids = tested.get(test.municipalityCode) ?? new Map<string, StaffMember | undefined>();
      tested.set(test.municipalityCode, ids);
      ids.set(test.employeeId, undefined);
    }
  }
  for (const member of staff) {
    const ids = tested.get(member.municipalityCode);
    if (ids?.has(member.employeeId) === true) ids.set(member.employeeId, member);
  }
  const siteById = new Map(sites.map((site) => [site.id, site]));
  return weeks.map((tests) => {
    const byMunicipality = new Map<number, RotaRow[]>();
    for (const test of tests) {
      const member = tested.get(test.municipalityCode)?.get(test.employeeId);
      const site = siteById.get(test.siteId);
      // The message names the site only: employee ids must not reach logs through errors.
      if (member === undefined || site === undefined) {
        throw new Error(`rota: a planned test at site ${test.siteId} refers to an unknown employee or site`);
      }
      const rows = byMunicipality.get(test.municipalityCode) ?? [];
      rows.push({
        employeeId: test.employeeId,
        name: member.name ?? "",
        siteId: site.id,
        siteName: site.name,
        date: test.date,
        weekday: test.weekday,
        shift: test.shift,
        reason: test.reason,
      });
      byMunicipality.set(test.municipalityCode, rows);
    }
    return byMunicipality;
  });
}

/** Each shift's place in the day (day, evening, night), looked up once per comparison. */
const SHIFT_ORDER: Readonly<Record<Shift, number>> = Object.fromEntries(
  SHIFTS.map((shift, index) => [shift, index]),
) as Record<Shift, number>;

/** Rows by date, then shift in the day's order (day, evening, night), then site, then employee. */
function sortRotaRows(rows: readonly RotaRow[]): RotaRow[] {
  return [...rows].sort(
    (a, b) =>
      compareText(a.date, b.date) ||
      SHIFT_ORDER[a.shift] - SHIFT_ORDER[b.shift] ||
      compareText(a.siteId, b.siteId) ||
      compareText(a.employeeId, b.employeeId),
  );
}

function toCells(row: RotaRow): string[] {
  const weekday = WEEKDAY_NAMES[row.weekday - 1] ?? "";
  return [row.employeeId, row.name, row.siteId, row.siteName, row.date, weekday, row.shift, row.reason];
}

/** `rota.csv` of one municipality (columns {@link ROTA_COLUMNS}, weekday as an English name). */
export function renderRotaCsv(rows: readonly RotaRow[]): Uint8Array {
  return renderCsv(ROTA_COLUMNS, sortRotaRows(rows).map(toCells));
}
