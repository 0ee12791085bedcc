import { assembleWeek, type AssembledWeek } from "../domain/assemble-week.ts";
import {
  dateInWeek,
  formatIsoWeek,
  weekRange,
  type IsoWeek,
  type WindowOffsets,
} from "../domain/calendar.ts";
import type { CadenceState } from "../domain/cadence.ts";
import type { Override } from "../domain/classify.ts";
import type { IncidenceDataset } from "../domain/incidence.ts";
import type { CycleSlot, DeferredTest, RegionPlanSettings } from "../domain/plan-types.ts";
import type { Municipality } from "../domain/reference.ts";
import { staffKeyOf, type Site, type StaffMember } from "../domain/roster.ts";
import { SourceError } from "../errors.ts";
import type { NeededCapacity, WhatIfDay } from "../outputs/report/whatif-types.ts";
import { computeNeededCapacity } from "../outputs/report/whatif-summary.ts";
import { accountWeek } from "./day-accounting.ts";

export type CapacityReplayInput = {
  /** First and last classification week replayed (both included); the test weeks are one later. */
  readonly from: IsoWeek;
  readonly to: IsoWeek;
  readonly dataset: IncidenceDataset;
  /** The incidence source's name, for errors about the history's coverage. */
  readonly sourceName: string;
  readonly municipalities: readonly Municipality[];
  readonly sites: readonly Site[];
  readonly staff: readonly StaffMember[];
  readonly thresholdPer100k: number;
  readonly windowOffsets: WindowOffsets;
  readonly warmUpWeeks: number;
  readonly cycleAnchor: IsoWeek;
  readonly overrides: readonly Override[];
  /** The configured regions (test weekdays, pickups); their capacity is replaced below. */
  readonly regions: readonly RegionPlanSettings[];
  /** Lab capacity per test day per region for the replay. */
  readonly capacityPerDay: ReadonlyMap<number, number>;
  /** Called after each replayed week (progress). */
  readonly onWeek?: ((done: number, total: number, week: IsoWeek) => void) | undefined;
};

export type CapacityReplayRegion = {
  readonly code: number;
  readonly capacityPerDay: number;
  /** From the replay without a capacity limit: its daily loads' peak and 95th percentile. */
  readonly needed: NeededCapacity;
  /** Every test day of the period in the replay with the given capacity. */
  readonly days: readonly WhatIfDay[];
};

export type CapacityReplay = {
  readonly regions: readonly CapacityReplayRegion[];
  /** Staff whose 6-week limit passed while a deferred test was owed, per municipality code. */
  readonly staffOverSixWeeks: ReadonlyMap<number, number>;
  /** Classification weeks replayed. */
  readonly weeks: number;
};

/** What one replay carries from week to week: what the store hands the next run. */
type Chain = {
  cadence: ReadonlyMap<number, CadenceState> | undefined;
  slots: ReadonlyMap<string, CycleSlot>;
  deferred: readonly DeferredTest[];
};

const START: Chain = { cadence: undefined, slots: new Map(), deferred: [] };

/**
 * Replays `from`…`to` week by week twice in one pass, both through the pure domain exactly as
 * the weekly runs would (cadence, cycle slots and deferred tests carried from one week to the
 * next, as the store would hand them over; the first week warms up from the data like a fresh
 * installation):
 * - once without a capacity limit (every region's capacity = the whole roster): nothing is
 *   deferred, and its daily loads give the capacity that would have deferred nothing;
 * - once with the given capacity: what was planned and deferred per region and test day, and the
 *   staff pushed past their 6-week limit by deferrals.
 * Nothing is stored or rendered per week: the replay is the domain's work alone.
 */
export function replayCapacity(input: CapacityReplayInput): CapacityReplay {
  const weeks = weekRange(input.from, input.to);
  const unlimitedCapacity = Math.max(1, input.staff.length);
  const unlimited = input.regions.map((r) => ({ ...r, labCapacityPerDay: unlimitedCapacity }));
  const limited = input.regions.map((r) => ({
    ...r,
    labCapacityPerDay: input.capacityPerDay.get(r.code) ?? r.labCapacityPerDay,
  }));
  const regionOf = new Map(input.municipalities.map((m) => [m.code, m.regionCode]));
  const loads = new Map(input.regions.map((r) => [r.code, [] as number[]]));
  const days = new Map(input.regions.map((r) => [r.code, [] as WhatIfDay[]]));
  const gaps = createGapTracker();
  let free: Chain = START;
  let bound: Chain = START;
  for (const [index, week] of weeks.entries()) {
    const open = assemble(input, week, unlimited, free);
    if (open.plan.deferred.length > 0) {
      throw new Error(`what-if ${formatIsoWeek(week)}: the replay without a capacity limit deferred tests`);
    }
    for (const [code, list] of accountWeek({
      plan: open.plan,
      regions: unlimited,
      regionOf,
      carriedOver: new Set(),
    })) {
      loads.get(code)?.push(...list.map((day) => day.planned));
    }
    const carried = new Set(bound.deferred.map((test) => staffKeyOf(test)));
    const capped = assemble(input, week, limited, bound);
    for (const [code, list] of accountWeek({
      plan: capped.plan,
      regions: limited,
      regionOf,
      carriedOver: carried,
    })) {
      days.get(code)?.push(...list);
    }
    gaps.record(capped);
    free = next(open);
    bound = next(capped);
    input.onWeek?.(index + 1, weeks.length, week);
  }
  return {
    regions: limited.map((region) => ({
      code: region.code,
      capacityPerDay: region.labCapacityPerDay,
      needed: computeNeededCapacity(loads.get(region.code) ?? []),
      days: days.get(region.code) ?? [],
    })),
    staffOverSixWeeks: gaps.countByMunicipality(),
    weeks: weeks.length,
  };
}

function assemble(
  input: CapacityReplayInput,
  week: IsoWeek,
  regions: readonly RegionPlanSettings[],
  chain: Chain,
): AssembledWeek {
  const result = assembleWeek({
    week,
    dataset: input.dataset,
    municipalities: input.municipalities,
    thresholdPer100k: input.thresholdPer100k,
    windowOffsets: input.windowOffsets,
    overrides: input.overrides,
    previousCadence: chain.cadence,
    warmUpWeeks: input.warmUpWeeks,
    regions,
    cycleAnchor: input.cycleAnchor,
    sites: input.sites,
    staff: input.staff,
    previousSlots: chain.slots,
    carriedOver: chain.deferred,
  });
  if (!result.ok) {
    throw new SourceError(
      input.sourceName,
      `${result.problem} (the what-if needs history covering the window of every week from --from to --to)`,
    );
  }
  return result.week;
}

function next(week: AssembledWeek): Chain {
  return { cadence: week.cadence, slots: week.plan.slots, deferred: week.plan.deferred };
}

/**
 * Staff pushed past 6 weeks between tests by deferrals: a deferred test's latest date is the
 * last day it may happen without breaking the 6-week gap (the planner's rule); once a week with
 * the test still deferred reaches that date, the member counts, once, under the municipality of
 * the deferred test.
 */
function createGapTracker(): {
  record(week: AssembledWeek): void;
  countByMunicipality(): Map<number, number>;
} {
  const counted = new Map<string, number>();
  return {
    record(week) {
      const sunday = dateInWeek(week.testWeek, 7);
      for (const test of week.plan.deferred) {
        const key = staffKeyOf(test);
        if (test.latestDate <= sunday && !counted.has(key)) {
          counted.set(key, test.municipalityCode);
        }
      }
    },
    countByMunicipality() {
      const counts = new Map<number, number>();
      for (const code of counted.values()) counts.set(code, (counts.get(code) ?? 0) + 1);
      return counts;
    },
  };
}
