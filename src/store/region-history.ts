import { addWeeks, formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { num, text, week } from "./row-codecs.ts";
import type { SqlExecutor } from "./sql-driver.ts";

/** One region in one committed week: what the weekly report's 12-week small multiples show. */
export type RegionWeekCounts = {
  /** The classification week of the run. */
  readonly week: IsoWeek;
  readonly regionCode: number;
  /** Municipalities of the region with effective status red in that week. */
  readonly redMunicipalities: number;
  /** Tests the run of that week planned for its test week (week + 1). */
  readonly testsPlanned: number;
};

export type RegionHistory = {
  /**
   * Red municipalities and tests planned per region for every committed week from `from` to `to`
   * (both included), ordered by week and region; weeks the store has no classification of are
   * left out. Counts only: no staff data leaves the store.
   */
  loadRegionHistory(from: IsoWeek, to: IsoWeek): Promise<RegionWeekCounts[]>;
};

/**
 * The history as two aggregate queries (COUNT … GROUP BY), so the store hands over a few dozen
 * rows instead of every planned test of 12 weeks.
 */
export function createRegionHistory(db: SqlExecutor): RegionHistory {
  return {
    async loadRegionHistory(from, to) {
      // ISO week texts (YYYY-Www) sort chronologically as strings.
      const red = await db.all(
        `SELECT week, region_code, CAST(SUM(CASE WHEN status = 'red' THEN 1 ELSE 0 END) AS INTEGER) AS red
         FROM classifications WHERE week BETWEEN ? AND ?
         GROUP BY week, region_code ORDER BY week, region_code`,
        formatIsoWeek(from),
        formatIsoWeek(to),
      );
      // The run of week W plans test week W+1: the range on test_week uses the primary key.
      const planned = await db.all(
        `SELECT run_week, region_code, COUNT(*) AS tests
         FROM planned_tests WHERE test_week BETWEEN ? AND ?
         GROUP BY run_week, region_code`,
        formatIsoWeek(addWeeks(from, 1)),
        formatIsoWeek(addWeeks(to, 1)),
      );
      const tests = new Map(
        planned.map((row) => [`${text(row, "run_week")}:${num(row, "region_code")}`, row]),
      );
      return red.map((row) => {
        const regionCode = num(row, "region_code");
        const counted = tests.get(`${text(row, "week")}:${regionCode}`);
        return {
          week: week(row, "week"),
          regionCode,
          redMunicipalities: num(row, "red"),
          testsPlanned: counted === undefined ? 0 : num(counted, "tests"),
        };
      });
    },
  };
}
