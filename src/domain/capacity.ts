import { bundleBySite, packBundles } from "./group-packing.ts";
import { addSiteDay, type SiteDays } from "./site-days.ts";

/**
 * One region's tests owed in the test week, as parallel arrays (one entry per test, at most one
 * per staff member). A fixed test belongs on one test day (a cycle slot, or a red test replacing
 * that week's cycle test); a flexible one may go on any test day of the week (red tests of staff
 * whose cycle test is another week, tests carried over from earlier weeks).
 */
export type WeekDemand = {
  readonly count: number;
  /** Test-day index in the week (0 = first test weekday) or -1 for a flexible test. */
  readonly fixedDay: Int32Array;
  readonly site: Int32Array;
  readonly shift: Uint8Array;
  /** Priority order: negative when test `a` goes before test `b` (see `createPlanningOrder`). */
  readonly compare: (a: number, b: number) => number;
  /**
   * 1 for flexible tests that go as early in the week as capacity allows (make-up tests: the
   * person is already late), instead of being spread over the week. None when absent.
   */
  readonly early?: Uint8Array | undefined;
};

/** Where each test of a region's week went (see {@link placeWeek}). */
export type WeekPlacement = {
  /** Test-day index of each test, or -1 when deferred. */
  readonly day: Int32Array;
  /** 1 for fixed tests moved off their day because that day was over capacity. */
  readonly moved: Uint8Array;
  readonly movedCount: number;
  readonly deferredCount: number;
};

function sortedByPriority(items: Iterable<number>, compare: (a: number, b: number) => number): Int32Array {
  return Int32Array.from(items).sort(compare);
}

/**
 * The lowest water level λ (≤ capacity) such that filling every day up to λ takes `amount` tests:
 * red and carried-over tests go on top of the fixed load where it is lowest, so the peak is
 * ⌈week total ÷ test days⌉ unless fixed tests alone make a day higher.
 */
export function waterLevel(loads: Int32Array, amount: number, capacity: number): number {
  const roomAt = (level: number): number => loads.reduce((sum, load) => sum + Math.max(0, level - load), 0);
  // Binary search; when even the capacity does not take `amount`, the capacity.
  let low = 0;
  let high = capacity;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (roomAt(middle) >= amount) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Puts each early test, in the given (priority) order, on the earliest test day with room below
 * `capacity`, counting it in `loads`. The week's total was cut to its capacity before, so every
 * one finds a day. Returns the items placed.
 */
function placeEarly(order: Int32Array, loads: Int32Array, capacity: number, day: Int32Array): Int32Array {
  let first = 0;
  for (const item of order) {
    while (first < loads.length - 1 && (loads[first] ?? 0) >= capacity) first++;
    day[item] = first;
    loads[first] = (loads[first] ?? 0) + 1;
  }
  return order;
}

/**
 * Places one region's tests of the week within the lab capacity per test day:
 * 1. when the week's demand exceeds capacity × test days, the tests of lowest priority beyond it
 *    are deferred (returned as day −1): nothing is dropped;
 * 2. a day whose fixed tests alone exceed capacity moves its lowest-priority tests to other days
 *    of the same week (best fit by site; each counts as a move, as it leaves its 6-week day);
 * 3. early tests (make-ups), in priority order, go on the earliest test day with room left;
 * 4. flexible tests are water-filled on top ({@link waterLevel}) and packed by site and shift,
 *    preferring days the site already has tests on ({@link packBundles}).
 */
export function placeWeek(demand: WeekDemand, testDays: number, capacity: number): WeekPlacement {
  const count = demand.count;
  const day = new Int32Array(count);
  const moved = new Uint8Array(count);
  const kept = new Uint8Array(count).fill(1);
  let deferredCount = 0;
  const weekCapacity = testDays * capacity;
  if (count > weekCapacity) {
    const order = sortedByPriority(
      Array.from({ length: count }, (_, i) => i),
      demand.compare,
    );
    for (let rank = Math.max(0, weekCapacity); rank < count; rank++) kept[order[rank] ?? 0] = 0;
    deferredCount = count - Math.max(0, weekCapacity);
  }

  const loads = new Int32Array(testDays);
  const flexible: number[] = [];
  const early: number[] = [];
  const fixedByDay: number[][] = Array.from({ length: testDays }, () => []);
  for (let item = 0; item < count; item++) {
    if (kept[item] === 0) {
      day[item] = -1;
      continue;
    }
    const fixed = demand.fixedDay[item] ?? -1;
    day[item] = fixed;
    if (fixed < 0) (demand.early?.[item] === 1 ? early : flexible).push(item);
    else {
      (fixedByDay[fixed] as number[]).push(item);
      loads[fixed] = (loads[fixed] ?? 0) + 1;
    }
  }

  const overflow: number[] = [];
  fixedByDay.forEach((items, fixed) => {
    if (items.length <= capacity) return;
    const order = sortedByPriority(items, demand.compare);
    for (let rank = capacity; rank < order.length; rank++) overflow.push(order[rank] ?? 0);
    loads[fixed] = capacity;
  });
  const spare = loads.map((load) => capacity - load);
  packBundles(bundleBySite(overflow, demand.site, demand.shift, new Map()), spare, day);
  for (const item of overflow) {
    moved[item] = 1;
    loads[day[item] ?? 0] = (loads[day[item] ?? 0] ?? 0) + 1;
  }

  const earlyDays = placeEarly(sortedByPriority(early, demand.compare), loads, capacity, day);

  if (flexible.length > 0) {
    const level = waterLevel(loads, flexible.length, capacity);
    const room = loads.map((load) => Math.max(0, level - load));
    // The days each site already has fixed tests on (a day a test moved off is full anyway).
    const siteDays: SiteDays = new Map();
    fixedByDay.forEach((items, fixed) => {
      for (const item of items) addSiteDay(siteDays, demand.site[item] ?? 0, fixed);
    });
    for (const item of earlyDays) addSiteDay(siteDays, demand.site[item] ?? 0, day[item] ?? 0);
    packBundles(bundleBySite(flexible, demand.site, demand.shift, siteDays), room, day);
  }
  return { day, moved, movedCount: overflow.length, deferredCount };
}
