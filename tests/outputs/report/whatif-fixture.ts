import { addDays, dateInWeek, weekRange, type IsoWeek } from "../../../src/domain/calendar.ts";
import type { Municipality, Region } from "../../../src/domain/reference.ts";
import { computeNeededCapacity } from "../../../src/outputs/report/whatif-summary.ts";
import type { WhatIfData, WhatIfDay, WhatIfRegion } from "../../../src/outputs/report/whatif-types.ts";
import { createSeededRandom } from "../../../src/roster/seeded-random.ts";

export const WHATIF_FROM: IsoWeek = { year: 2020, week: 36 };
export const WHATIF_TO: IsoWeek = { year: 2021, week: 10 };

/** Configured lab capacity per region (config/testrota.json) and staff per region of the demo roster. */
const REGION_SETTINGS: Readonly<Record<number, { capacity: number; staff: number; waveShift: number }>> = {
  1081: { capacity: 1500, staff: 10_046, waveShift: 1 },
  1082: { capacity: 3500, staff: 22_529, waveShift: 0 },
  1083: { capacity: 3000, staff: 20_746, waveShift: 2 },
  1084: { capacity: 5000, staff: 31_513, waveShift: -1 },
  1085: { capacity: 2000, staff: 14_224, waveShift: 0 },
};

/** Share of a region's municipalities red in week `index` of the period: the wave of autumn 2020. */
function redShare(index: number, shift: number): number {
  const t = (index - 15 - shift) / 4;
  return Math.min(1, 0.06 + 0.8 * Math.exp(-t * t));
}

type Simulated = { readonly demand: number[]; readonly days: WhatIfDay[] };

/**
 * A realistic synthetic replay: each test day carries the region's green cycle share (staff ÷ 30
 * test days) plus red tests (every second week all staff of the red municipalities, spread over
 * the week's 5 test days), with a little day-to-day noise; what exceeds the capacity is deferred
 * and carried to the next week (spread over its test days), as the planner defers per week.
 */
function simulate(
  settings: { capacity: number; staff: number; waveShift: number },
  capacity: number,
  seed: number,
): Simulated {
  const random = createSeededRandom(seed);
  const demand: number[] = [];
  const days: WhatIfDay[] = [];
  let carry = 0;
  for (const [index, week] of weekRange(WHATIF_FROM, WHATIF_TO).entries()) {
    const red = (redShare(index, settings.waveShift) * settings.staff) / 2 / 5;
    let deferredThisWeek = 0;
    for (let weekday = 1; weekday <= 5; weekday++) {
      const own = Math.round(settings.staff / 30 + red * (0.9 + 0.2 * random()));
      demand.push(own);
      // Last week's deferred tests, spread over the 5 test days (the first days take the remainder).
      const carriedIn = Math.floor(carry / 5) + (weekday <= carry % 5 ? 1 : 0);
      const demanded = own + carriedIn;
      const planned = Math.min(demanded, capacity);
      deferredThisWeek += demanded - planned;
      days.push({
        date: dateInWeek(week, weekday as 1 | 2 | 3 | 4 | 5),
        demanded,
        carriedIn,
        planned,
        deferred: demanded - planned,
      });
    }
    carry = deferredThisWeek;
  }
  return { demand, days };
}

/** The what-if data of 2020-W36 … 2021-W10 for the five regions, capacity scaled by `scale`. */
export function buildWhatIfData(
  regions: readonly Region[],
  municipalities: readonly Municipality[],
  scale: number,
): WhatIfData {
  const whatIfRegions: WhatIfRegion[] = regions.map((region) => {
    const settings = REGION_SETTINGS[region.code];
    if (settings === undefined) throw new Error(`no settings for region ${region.code}`);
    const capacity = Math.round(settings.capacity * scale);
    const replay = simulate(settings, capacity, region.code);
    const unlimited = simulate(settings, Number.MAX_SAFE_INTEGER, region.code);
    return {
      code: region.code,
      name: region.name,
      capacityPerDay: capacity,
      needed: computeNeededCapacity(unlimited.demand),
      days: replay.days,
    };
  });
  // Staff pushed past 6 weeks: about 3 % of a region's deferred tests, shared by population.
  const gaps = municipalities.flatMap((m) => {
    const region = whatIfRegions.find((r) => r.code === m.regionCode);
    const deferred = region?.days.reduce((sum, d) => sum + d.deferred, 0) ?? 0;
    const regionPopulation = municipalities
      .filter((o) => o.regionCode === m.regionCode)
      .reduce((sum, o) => sum + o.population, 0);
    const count = Math.round((deferred * 0.03 * m.population) / Math.max(1, regionPopulation) / 10);
    return count > 0
      ? [{ municipalityCode: m.code, name: m.name, regionCode: m.regionCode, staffOverSixWeeks: count }]
      : [];
  });
  return {
    from: WHATIF_FROM,
    to: WHATIF_TO,
    generatedAt: `${addDays(dateInWeek(WHATIF_TO, 3), 0)}T10:00:00.000+01:00`,
    source: "syntetisk smittebølge som i efteråret 2020 (eksempeldata)",
    roster: "demo-personale (seed 2020)",
    capacity: scale === 1 ? { kind: "configured" } : { kind: "scaled", scale },
    regions: whatIfRegions,
    gaps,
  };
}
