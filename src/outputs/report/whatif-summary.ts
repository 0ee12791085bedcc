import { compareWeeks, type IsoWeek } from "../../domain/calendar.ts";
import { formatWeek, weekOfDate } from "./format.ts";
import type { NeededCapacity, WhatIfRegion } from "./whatif-types.ts";

/**
 * The capacity per day that defers nothing: the peak daily demand, and the 95th percentile by the
 * nearest-rank method (the smallest demand that at least 95 % of the days do not exceed).
 * An empty period needs nothing.
 */
export function computeNeededCapacity(dailyDemand: readonly number[]): NeededCapacity {
  if (dailyDemand.length === 0) return { peak: 0, p95: 0 };
  const sorted = [...dailyDemand].sort((a, b) => a - b);
  const rank = Math.ceil(0.95 * sorted.length);
  return { peak: sorted.at(-1) ?? 0, p95: sorted[rank - 1] ?? 0 };
}

export type WhatIfWeek = {
  readonly week: IsoWeek;
  readonly demanded: number;
  readonly carriedIn: number;
  readonly planned: number;
  readonly deferred: number;
  /** The week's largest daily demand. */
  readonly peakDay: number;
  readonly testDays: number;
};

export type WhatIfRegionSummary = {
  /** New tests the rule demanded over the period (carried-over tests counted once). */
  readonly newTests: number;
  readonly planned: number;
  /** Deferrals: a test deferred in two weeks counts twice. */
  readonly deferred: number;
  /** Tests still owed after the period: what its last week deferred. */
  readonly outstandingAtEnd: number;
  /** Test days on which something was deferred. */
  readonly daysShort: number;
  readonly weeks: readonly WhatIfWeek[];
  /** Weeks in which the given capacity ran short (something deferred), in order. */
  readonly weeksShort: readonly IsoWeek[];
};

/**
 * Checks a region's days (dates ascending, counts whole and non-negative, demanded = planned +
 * deferred) and sums them per ISO week. Throws when the replay broke the invariant: the report
 * would otherwise show numbers that do not add up.
 */
export function summarizeWhatIfRegion(region: WhatIfRegion): WhatIfRegionSummary {
  const weeks = new Map<string, { -readonly [K in keyof WhatIfWeek]: WhatIfWeek[K] }>();
  let previous = "";
  for (const [index, day] of region.days.entries()) {
    const where = `what-if region ${region.code} days[${index}] (${day.date})`;
    for (const value of [day.demanded, day.carriedIn, day.planned, day.deferred]) {
      if (!Number.isInteger(value) || value < 0)
        throw new Error(`${where}: counts must be whole numbers ≥ 0`);
    }
    if (day.demanded !== day.planned + day.deferred) {
      throw new Error(
        `${where}: demanded ${day.demanded} ≠ planned ${day.planned} + deferred ${day.deferred}`,
      );
    }
    if (day.carriedIn > day.demanded)
      throw new Error(`${where}: carried in ${day.carriedIn} > demanded ${day.demanded}`);
    if (day.date <= previous)
      throw new Error(`${where}: dates must ascend, got ${day.date} after ${previous}`);
    previous = day.date;
    const week = weekOfDate(day.date);
    const key = formatWeek(week);
    const sum = weeks.get(key) ?? {
      week,
      demanded: 0,
      carriedIn: 0,
      planned: 0,
      deferred: 0,
      peakDay: 0,
      testDays: 0,
    };
    sum.demanded += day.demanded;
    sum.carriedIn += day.carriedIn;
    sum.planned += day.planned;
    sum.deferred += day.deferred;
    sum.peakDay = Math.max(sum.peakDay, day.demanded);
    sum.testDays += 1;
    weeks.set(key, sum);
  }
  const list = [...weeks.values()].sort((a, b) => compareWeeks(a.week, b.week));
  const total = (pick: (w: WhatIfWeek) => number) => list.reduce((sum, w) => sum + pick(w), 0);
  return {
    newTests: total((w) => w.demanded - w.carriedIn),
    planned: total((w) => w.planned),
    deferred: total((w) => w.deferred),
    // The planner defers what does not fit a week into the next week: the last week's deferred
    // tests are owed after the period.
    outstandingAtEnd: list.at(-1)?.deferred ?? 0,
    daysShort: region.days.filter((d) => d.deferred > 0).length,
    weeks: list,
    weeksShort: list.filter((w) => w.deferred > 0).map((w) => w.week),
  };
}
