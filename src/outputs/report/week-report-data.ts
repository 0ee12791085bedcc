import { dateInWeek, type IsoWeek } from "../../domain/calendar.ts";
import type { Classification } from "../../domain/classify.ts";
import type {
  DeferralReport,
  PlannedTest,
  RegionPlanSettings,
  RegionQuality,
} from "../../domain/plan-types.ts";
import type { Shift } from "../../domain/roster.ts";
import type { RegionDayLoad, RegionHistoryPoint, RegionWeekLoad } from "./report-types.ts";

export type RegionLoadsInput = {
  readonly testWeek: IsoWeek;
  /** The regions' planning settings (test weekdays, lab capacity). */
  readonly regions: readonly RegionPlanSettings[];
  readonly tests: readonly PlannedTest[];
  readonly quality: readonly RegionQuality[];
  readonly deferrals: readonly DeferralReport[];
};

/**
 * Counts a week plan's tests per region, test day and shift for the report (`WeekPlan.tests`,
 * `.quality`, `.deferrals`). Every configured test weekday appears, with zeros when nothing is
 * planned; a region without quality figures (no plan) is left out.
 */
export function summarizeRegionLoads(input: RegionLoadsInput): RegionWeekLoad[] {
  const counts = new Map<string, Record<Shift, number>>();
  for (const test of input.tests) {
    const key = `${test.regionCode}:${test.date}`;
    const row = counts.get(key) ?? { day: 0, evening: 0, night: 0 };
    row[test.shift] += 1;
    counts.set(key, row);
  }
  return input.regions.flatMap((region) => {
    const quality = input.quality.find((q) => q.regionCode === region.code);
    if (quality === undefined) return [];
    const weekdays = [...new Set(region.testWeekdays)].sort((a, b) => a - b);
    const days: RegionDayLoad[] = weekdays.map((weekday) => {
      const date = dateInWeek(input.testWeek, weekday);
      return {
        date,
        weekday,
        byShift: counts.get(`${region.code}:${date}`) ?? { day: 0, evening: 0, night: 0 },
      };
    });
    return [
      {
        regionCode: region.code,
        labCapacityPerDay: region.labCapacityPerDay,
        days,
        quality,
        deferrals: input.deferrals.filter((d) => d.regionCode === region.code),
      },
    ];
  });
}

/**
 * One week of the 12-week history per region: municipalities with effective status red (from
 * that week's classification) and the tests that week's run planned (tests of its test week).
 */
export function summarizeRegionWeek(
  week: IsoWeek,
  regionCodes: readonly number[],
  classifications: readonly Classification[],
  testsPlannedByRegion: ReadonlyMap<number, number>,
): RegionHistoryPoint[] {
  return regionCodes.map((regionCode) => ({
    week,
    regionCode,
    redMunicipalities: classifications.filter((c) => c.regionCode === regionCode && c.status === "red")
      .length,
    testsPlanned: testsPlannedByRegion.get(regionCode) ?? 0,
  }));
}

/** Tests per region, e.g. of `WeekPlan.tests` or the store's planned tests of one test week. */
export function countTestsByRegion(tests: readonly Pick<PlannedTest, "regionCode">[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const test of tests) counts.set(test.regionCode, (counts.get(test.regionCode) ?? 0) + 1);
  return counts;
}
