import {
  addDays,
  dateInWeek,
  daysBetween,
  weeksBetween,
  type IsoDate,
  type IsoWeek,
  type Weekday,
} from "./calendar.ts";
import { ALL_SHIFTS } from "./group-packing.ts";
import { findPickupRun, listAllowedTestWeekdays } from "./pickup-days.ts";
import type { PlanInput, RegionPlanSettings } from "./plan-types.ts";
import { SHIFTS, type Shift, type SiteKind } from "./roster.ts";

/** The green cycle: every staff member is tested once every 6 weeks. */
export const CYCLE_WEEKS = 6;
/**
 * The 6-week gap in days: no staff member goes more than 42 days between two tests, and a new
 * starter's first test is at most 42 days after the start date (day 42 itself still counts).
 */
export const GAP_DAYS = 42;

/** Dates are looked up by offset from the test week's Monday in this range (covers every rule). */
const FIRST_OFFSET = -GAP_DAYS - 7;
const LAST_OFFSET = GAP_DAYS + 14;

/** Non-negative remainder: weeks before the anchor still land in cycle weeks 0–5. */
function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/**
 * The week of the 6-week cycle that `week` is: weeks since the anchor (week 0) modulo 6, never
 * negative, counted in ISO weeks (so across 53-week years too).
 */
export function cycleWeekOf(cycleAnchor: IsoWeek, week: IsoWeek): number {
  return modulo(weeksBetween(cycleAnchor, week), CYCLE_WEEKS);
}

/** Dates around the test week by offset in days from its Monday, computed once per plan. */
export type WeekCalendar = {
  readonly monday: IsoDate;
  readonly dateAt: (offset: number) => IsoDate;
  readonly offsetOf: (date: IsoDate) => number;
};

function createWeekCalendar(week: IsoWeek): WeekCalendar {
  const monday = dateInWeek(week, 1);
  const dates: IsoDate[] = [];
  const offsets = new Map<IsoDate, number>();
  for (let offset = FIRST_OFFSET; offset <= LAST_OFFSET; offset++) {
    const date = addDays(monday, offset);
    dates.push(date);
    offsets.set(date, offset);
  }
  return {
    monday,
    dateAt: (offset) => dates[offset - FIRST_OFFSET] ?? addDays(monday, offset),
    offsetOf: (date) => offsets.get(date) ?? daysBetween(monday, date),
  };
}

/**
 * One region's test days. Cycle days are the region's test days of the 6-week cycle in the order
 * they next occur from the test week: day 0 is the first test day of the test week, days
 * `0 … testDays − 1` are the test week itself, day `cycleDays − 1` the last test day five weeks on.
 */
export type RegionFrame = {
  readonly settings: RegionPlanSettings;
  /** The region's test weekdays, ascending, each once. */
  readonly weekdays: readonly Weekday[];
  readonly testDays: number;
  readonly cycleDays: number;
  /** Test-day index of an ISO weekday, -1 when the region does not test that day. */
  readonly testDayOf: Int32Array;
  /** Days from the test week's Monday to each cycle day's next occurrence. */
  readonly offsetOfDay: Int32Array;
  /** For a deadline `o` days after the Monday: the last cycle day occurring by then, -1 if none. */
  readonly lastDayBy: Int32Array;
  /**
   * Per test day, the shifts that may be tested on it, as bits of the shift codes (day 1, evening
   * 2, night 4): those whose samples are collected within the pickups' maximum wait.
   */
  readonly shiftsOn: Uint8Array;
  /**
   * Shifts that no test weekday keeps within the maximum wait: their staff are still tested, on
   * the test days with the shortest wait (never left out), and the pickup plan reports the waits.
   */
  readonly shiftsWithoutTestDay: readonly Shift[];
};

/**
 * Which shifts may be tested on each of `weekdays`: with pickup settings, a shift only on the
 * weekdays `listAllowedTestWeekdays` gives for the test week. A shift allowed on none of them goes
 * on those with the shortest wait (and is listed, so the plan can say so).
 */
function allowShifts(
  settings: RegionPlanSettings,
  testWeek: IsoWeek,
  weekdays: readonly Weekday[],
): { masks: Map<Weekday, number>; without: Shift[] } {
  const masks = new Map<Weekday, number>(weekdays.map((weekday) => [weekday, ALL_SHIFTS]));
  const pickups = settings.pickups;
  if (pickups === undefined || weekdays.length === 0) return { masks, without: [] };
  const without: Shift[] = [];
  for (const weekday of weekdays) masks.set(weekday, 0);
  SHIFTS.forEach((shift, code) => {
    const allowed = new Set(listAllowedTestWeekdays(pickups, testWeek, shift));
    let days = weekdays.filter((weekday) => allowed.has(weekday));
    if (days.length === 0) {
      without.push(shift);
      const waits = weekdays.map(
        (weekday) => findPickupRun(pickups, dateInWeek(testWeek, weekday), shift).waitHours,
      );
      const shortest = Math.min(...waits);
      days = weekdays.filter((_, index) => waits[index] === shortest);
    }
    for (const weekday of days) masks.set(weekday, (masks.get(weekday) ?? 0) | (1 << code));
  });
  return { masks, without };
}

function createRegionFrame(settings: RegionPlanSettings, testWeek: IsoWeek): RegionFrame {
  const configured = [...new Set(settings.testWeekdays)]
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= 7)
    .sort((a, b) => a - b);
  const { masks, without } = allowShifts(settings, testWeek, configured);
  // A test weekday on which no shift keeps within the maximum wait is no test day this week.
  const weekdays = configured.filter((weekday) => (masks.get(weekday) ?? 0) !== 0);
  const testDays = weekdays.length;
  const cycleDays = CYCLE_WEEKS * testDays;
  const testDayOf = Int32Array.from({ length: 8 }, (_, weekday) => weekdays.indexOf(weekday as Weekday));
  const offsetOfDay = Int32Array.from(
    { length: cycleDays },
    (_, day) => 7 * Math.floor(day / testDays) + (weekdays[day % testDays] ?? 1) - 1,
  );
  let day = -1;
  const lastDayBy = Int32Array.from({ length: 7 * CYCLE_WEEKS }, (_, offset) => {
    while (day + 1 < cycleDays && (offsetOfDay[day + 1] ?? 0) <= offset) day++;
    return day;
  });
  const shiftsOn = Uint8Array.from(weekdays, (weekday) => masks.get(weekday) ?? ALL_SHIFTS);
  return {
    settings,
    weekdays,
    testDays,
    cycleDays,
    testDayOf,
    offsetOfDay,
    lastDayBy,
    shiftsOn,
    shiftsWithoutTestDay: without,
  };
}

/** True when staff of shift code `shift` (0 day, 1 evening, 2 night) may be tested on `testDay`. */
export function allowsShift(region: RegionFrame, testDay: number, shift: number): boolean {
  return (((region.shiftsOn[testDay] ?? 0) >> shift) & 1) === 1;
}

/** `shiftsOn` repeated over the region's cycle days; undefined when every shift may go on every day. */
export function cycleShiftsOn(region: RegionFrame): Uint8Array | undefined {
  if (region.shiftsOn.every((mask) => mask === ALL_SHIFTS)) return undefined;
  return Uint8Array.from(
    { length: region.cycleDays },
    (_, day) => region.shiftsOn[day % region.testDays] ?? 0,
  );
}

/** Sites by dense index, with their region (index into the plan's regions, -1 when none), municipality and kind. */
export type SiteTable = {
  readonly indexById: Map<string, number>;
  readonly ids: string[];
  readonly region: Int32Array;
  readonly municipality: Int32Array;
  readonly kind: SiteKind[];
};

function indexSites(input: PlanInput, regionIndex: ReadonlyMap<number, number>): SiteTable {
  const regionOfMunicipality = new Map(
    input.municipalities.map((m) => [m.code, regionIndex.get(m.regionCode) ?? -1]),
  );
  const count = input.sites.length;
  const table: SiteTable = {
    indexById: new Map(),
    ids: [],
    region: new Int32Array(count),
    municipality: new Int32Array(count),
    kind: [],
  };
  for (const site of input.sites) {
    // A repeated site id is the same site: its first row counts.
    if (table.indexById.has(site.id)) continue;
    const index = table.ids.length;
    table.indexById.set(site.id, index);
    table.ids.push(site.id);
    table.region[index] = regionOfMunicipality.get(site.municipalityCode) ?? -1;
    table.municipality[index] = site.municipalityCode;
    table.kind.push(site.kind === "nursing-home" ? "nursing-home" : "home-care");
  }
  return table;
}

/** Everything a plan looks up by index: the test week's dates, the regions and the sites. */
export type PlanFrame = {
  readonly testWeek: IsoWeek;
  readonly calendar: WeekCalendar;
  /** Week of the 6-week cycle the test week is (see {@link cycleWeekOf}). */
  readonly cycleWeek: number;
  /** Regions that test on at least one weekday (of settings repeating a code, the first such). */
  readonly regions: readonly RegionFrame[];
  readonly sites: SiteTable;
};

/** Weeks from the test week to the next occurrence of week `cycleWeek` of the cycle (0–5, 0: the test week). */
export function weeksUntil(frame: PlanFrame, cycleWeek: number): number {
  return modulo(cycleWeek - frame.cycleWeek, CYCLE_WEEKS);
}

/** The week of the cycle and the weekday of a region's cycle day (see {@link RegionFrame}). */
export function slotPlaceOf(
  frame: PlanFrame,
  region: RegionFrame,
  day: number,
): { readonly cycleWeek: number; readonly weekday: Weekday } {
  return {
    cycleWeek: (frame.cycleWeek + Math.floor(day / region.testDays)) % CYCLE_WEEKS,
    weekday: region.weekdays[day % region.testDays] ?? 1,
  };
}

/** True when both lists plan the same regions in the same order (so a site table fits both). */
function isSameRegionList(a: readonly RegionFrame[], b: readonly RegionFrame[]): boolean {
  return (
    a.length === b.length && a.every((region, index) => region.settings.code === b[index]?.settings.code)
  );
}

/**
 * Builds the plan's frame: the test week's calendar, its week of the cycle, one frame per
 * region (settings without a test weekday plan nothing; of settings repeating a region code the
 * first that tests counts) and the site table joined to those regions through the municipalities.
 * `earlier`: the frame of another week's plan over the same sites, municipalities and region
 * settings; its site table is taken over when the same regions test in both weeks.
 */
export function createPlanFrame(input: PlanInput, earlier?: PlanFrame): PlanFrame {
  const regions: RegionFrame[] = [];
  const regionIndex = new Map<number, number>();
  for (const settings of input.regions) {
    const region = createRegionFrame(settings, input.testWeek);
    if (regionIndex.has(settings.code) || region.testDays === 0) continue;
    regionIndex.set(settings.code, regions.length);
    regions.push(region);
  }
  return {
    testWeek: input.testWeek,
    calendar: createWeekCalendar(input.testWeek),
    cycleWeek: cycleWeekOf(input.cycleAnchor, input.testWeek),
    regions,
    sites:
      earlier !== undefined && isSameRegionList(regions, earlier.regions)
        ? earlier.sites
        : indexSites(input, regionIndex),
  };
}
