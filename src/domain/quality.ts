import type { RegionQuality } from "./plan-types.ts";
import type { Shift } from "./roster.ts";

/** Tests (or slots) per day, one entry per test day. */
export type DayLoads = readonly number[] | Int32Array;

/**
 * Peak daily load ÷ the even share ⌈total ÷ days⌉, the bound raised only to the largest session
 * that cannot be split (`unsplittable`). 1 when there is no load: nothing is uneven.
 */
export function peakRatio(loads: DayLoads, unsplittable: number): number {
  let total = 0;
  let peak = 0;
  for (const load of loads) {
    total += load;
    peak = Math.max(peak, load);
  }
  if (total === 0) return 1;
  return peak / Math.max(Math.ceil(total / loads.length), unsplittable);
}

export type RegionQualityInput = {
  readonly regionCode: number;
  /** Slots per test day of the 6-week cycle (after this plan). */
  readonly cycleLoads: DayLoads;
  /** Tests planned per test day of the test week. */
  readonly weekLoads: DayLoads;
  /** True when the test week carries red tests in this region. */
  readonly hasRedLoad: boolean;
  readonly shiftTotals: Readonly<Record<Shift, number>>;
  readonly pickups: number;
  readonly deferred: number;
  readonly gapViolations: number;
  readonly cyclePickupsPerSite: number;
};

/**
 * The quality figures of one region's plan (see {@link RegionQuality}): the planner splits
 * sessions down to single tests, so the unsplittable unit is one test.
 */
export function measureRegionQuality(input: RegionQualityInput): RegionQuality {
  let weekTotal = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const load of input.weekLoads) {
    weekTotal += load;
    min = Math.min(min, load);
    max = Math.max(max, load);
  }
  let cycleTotal = 0;
  for (const load of input.cycleLoads) cycleTotal += load;
  const unsplittable = weekTotal > 0 || cycleTotal > 0 ? 1 : 0;
  return {
    regionCode: input.regionCode,
    cyclePeakRatio: peakRatio(input.cycleLoads, unsplittable),
    redWeekPeakRatio: input.hasRedLoad ? peakRatio(input.weekLoads, unsplittable) : 1,
    largestUnsplittableSession: unsplittable,
    testWeekDailySpread: { min: Number.isFinite(min) ? min : 0, max },
    shiftTotals: input.shiftTotals,
    pickupsInTestWeek: input.pickups,
    deferred: input.deferred,
    gapViolations: input.gapViolations,
    testWeekTotal: weekTotal,
    cycleTotal,
    cycleTestDays: input.cycleLoads.length,
    cyclePickupsPerSite: input.cyclePickupsPerSite,
  };
}
