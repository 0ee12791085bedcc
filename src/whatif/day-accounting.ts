import { dateInWeek, formatIsoWeek, type IsoDate, type IsoWeek } from "../domain/calendar.ts";
import type { DeferredTest, RegionPlanSettings, WeekPlan } from "../domain/plan-types.ts";
import { staffKeyOf } from "../domain/roster.ts";
import type { WhatIfDay } from "../outputs/report/whatif-types.ts";

type DayCounts = { demanded: number; carriedIn: number; planned: number; deferred: number };

/** The test days of a region in a test week, in date order (its configured test weekdays). */
export function regionTestDays(settings: RegionPlanSettings, testWeek: IsoWeek): IsoDate[] {
  return [...new Set(settings.testWeekdays)].sort((a, b) => a - b).map((day) => dateInWeek(testWeek, day));
}

/** The day of the week's test days whose demand is lowest so far (the earliest of equals). */
function leastDemanded(counts: readonly DayCounts[]): DayCounts | undefined {
  let least: DayCounts | undefined;
  for (const day of counts) if (least === undefined || day.demanded < least.demanded) least = day;
  return least;
}

export type WeekAccountingInput = {
  readonly plan: WeekPlan;
  readonly regions: readonly RegionPlanSettings[];
  /** Region of each municipality (deferred tests name only their municipality). */
  readonly regionOf: ReadonlyMap<number, number>;
  /**
   * The staff (`staffKey`: municipality and employee id) whose tests this week's plan was handed
   * as carried over (last week's deferred).
   */
  readonly carriedOver: ReadonlySet<string>;
};

/**
 * One test week of the replay per region and test day, as the what-if report counts it:
 * - `planned`: the plan's tests of the day;
 * - `deferred`: the plan's deferred tests (the planner defers what does not fit the week, lowest
 *   priority first). Each is put on the day it belonged to: a test tied to a day (its cycle slot
 *   falls in this week, so its 6-week limit is that day) on that day, any other the way the
 *   planner spreads flexible tests (onto the day with the least demand so far);
 * - `demanded` = planned + deferred: the tests the rule put on the day;
 * - `carriedIn`: of those, tests owed from an earlier week (last week's deferred).
 *
 * Asserts the planner's own books: per region, planned and deferred equal the plan's quality
 * figures (`testWeekTotal`, `deferred`), so demand = planned + deferred holds in every region
 * and week; a planned test off the region's test days is an error too.
 */
export function accountWeek(input: WeekAccountingInput): Map<number, WhatIfDay[]> {
  const { plan } = input;
  const where = `what-if ${formatIsoWeek(plan.testWeek)}`;
  const byRegion = new Map<number, Map<IsoDate, DayCounts>>();
  for (const region of input.regions) {
    const days = new Map<IsoDate, DayCounts>();
    for (const date of regionTestDays(region, plan.testWeek)) {
      days.set(date, { demanded: 0, carriedIn: 0, planned: 0, deferred: 0 });
    }
    byRegion.set(region.code, days);
  }
  for (const test of plan.tests) {
    const day = byRegion.get(test.regionCode)?.get(test.date);
    if (day === undefined) {
      throw new Error(
        `${where}: a test planned on ${test.date}, not a test day of region ${test.regionCode}`,
      );
    }
    day.planned += 1;
    day.demanded += 1;
    if (input.carriedOver.has(staffKeyOf(test))) day.carriedIn += 1;
  }
  const flexible: { test: DeferredTest; days: Map<IsoDate, DayCounts> }[] = [];
  for (const test of plan.deferred) {
    const days = byRegion.get(input.regionOf.get(test.municipalityCode) ?? -1);
    if (days === undefined) {
      throw new Error(`${where}: a deferred test of municipality ${test.municipalityCode}, in no region`);
    }
    const tied = days.get(test.latestDate);
    if (tied === undefined) flexible.push({ test, days });
    else place(tied, test, input.carriedOver);
  }
  for (const { test, days } of flexible) {
    const day = leastDemanded([...days.values()]);
    if (day !== undefined) place(day, test, input.carriedOver);
  }
  const result = new Map<number, WhatIfDay[]>();
  for (const [regionCode, days] of byRegion) {
    const list = [...days].map(([date, counts]) => ({ date, ...counts }));
    checkBooks(where, regionCode, list, plan);
    result.set(regionCode, list);
  }
  return result;
}

function place(day: DayCounts, test: DeferredTest, carriedOver: ReadonlySet<string>): void {
  day.deferred += 1;
  day.demanded += 1;
  if (carriedOver.has(staffKeyOf(test))) day.carriedIn += 1;
}

function checkBooks(where: string, regionCode: number, days: readonly WhatIfDay[], plan: WeekPlan): void {
  const quality = plan.quality.find((q) => q.regionCode === regionCode);
  const planned = days.reduce((sum, day) => sum + day.planned, 0);
  const deferred = days.reduce((sum, day) => sum + day.deferred, 0);
  const demanded = days.reduce((sum, day) => sum + day.demanded, 0);
  const expected = { planned: quality?.testWeekTotal ?? 0, deferred: quality?.deferred ?? 0 };
  if (planned !== expected.planned || deferred !== expected.deferred || demanded !== planned + deferred) {
    throw new Error(
      `${where} region ${regionCode}: counted demand ${demanded} = planned ${planned} + deferred ${deferred}, expected planned ${expected.planned} and deferred ${expected.deferred} (the plan's figures)`,
    );
  }
}
