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
   * Shift bits (day 1, evening 2, night 4) that may be tested on each test day (the max-wait rule
   * of the pickups); every shift on every day when absent.
   */
  readonly shiftsOn?: Uint8Array | undefined;
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
 * `capacity` on which its shift may be tested (`shiftsOn`, see {@link WeekDemand}), counting it in
 * `loads`. The week's total was cut to its capacity before, so without shift limits every one
 * finds a day; with them, a test whose allowed days are all full is not placed (day −1). Returns
 * the items placed.
 */
function placeEarly(
  order: Int32Array,
  loads: Int32Array,
  capacity: number,
  day: Int32Array,
  shift: Uint8Array,
  shiftsOn: Uint8Array | undefined,
): Int32Array {
  const placed: number[] = [];
  for (const item of order) {
    const bit = 1 << (shift[item] ?? 0);
    // A shift allowed on no day at all is allowed on every day (as in `bundleBySite`).
    const limited = shiftsOn !== undefined && shiftsOn.some((mask) => (mask & bit) !== 0);
    const first = loads.findIndex(
      (load, d) => load < capacity && (!limited || ((shiftsOn[d] ?? 0) & bit) !== 0),
    );
    day[item] = first;
    if (first < 0) continue;
    loads[first] = (loads[first] ?? 0) + 1;
    placed.push(item);
  }
  return Int32Array.from(placed);
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
 * Moved, early and flexible tests go only on days their shift may be tested (`shiftsOn`); when
 * those days are full, the level rises up to the capacity, and what still does not fit is deferred.
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
  let movedCount = 0;
  const spare = loads.map((load) => capacity - load);
  const overflowBundles = bundleBySite(overflow, demand.site, demand.shift, new Map(), demand.shiftsOn);
  deferredCount += packBundles(overflowBundles, spare, day, { leaveOut: true });
  for (const item of overflow) {
    if ((day[item] ?? -1) < 0) continue;
    moved[item] = 1;
    movedCount += 1;
    loads[day[item] ?? 0] = (loads[day[item] ?? 0] ?? 0) + 1;
  }

  const earlyOrder = sortedByPriority(early, demand.compare);
  const earlyDays = placeEarly(earlyOrder, loads, capacity, day, demand.shift, demand.shiftsOn);
  deferredCount += earlyOrder.length - earlyDays.length;

  if (flexible.length > 0) {
    // The days each site already has fixed tests on (a day a test moved off is full anyway).
    const siteDays: SiteDays = new Map();
    fixedByDay.forEach((items, fixed) => {
      for (const item of items) addSiteDay(siteDays, demand.site[item] ?? 0, fixed);
    });
    for (const item of earlyDays) addSiteDay(siteDays, demand.site[item] ?? 0, day[item] ?? 0);
    const bundles = () => bundleBySite(flexible, demand.site, demand.shift, siteDays, demand.shiftsOn);
    let level = waterLevel(loads, flexible.length, capacity);
    for (;;) {
      const room = loads.map((load) => Math.max(0, level - load));
      const left = packBundles(bundles(), room, day, { leaveOut: true });
      // Without shift limits the level always fits; with them, raise it until it does or is full.
      if (left === 0 || level >= capacity) {
        deferredCount += left;
        break;
      }
      level = Math.min(capacity, level + Math.max(1, Math.ceil(left / testDays)));
    }
  }
  return { day, moved, movedCount, deferredCount };
}
