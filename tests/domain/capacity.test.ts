import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { placeWeek, waterLevel } from "../../src/domain/capacity.ts";
import { propertyRuns } from "../support/property-runs.ts";

describe("waterLevel", () => {
  it.each([
    { name: "fills the lowest days first", loads: [5, 1, 3], amount: 4, capacity: 10, expected: 4 },
    { name: "nothing to add keeps level 0", loads: [2, 2], amount: 0, capacity: 10, expected: 0 },
    { name: "an even week rises by ⌈amount ÷ days⌉", loads: [3, 3, 3], amount: 7, capacity: 10, expected: 6 },
    { name: "never above capacity", loads: [9, 9], amount: 10, capacity: 10, expected: 10 },
  ])("$name", ({ loads, amount, capacity, expected }) => {
    expect(waterLevel(Int32Array.from(loads), amount, capacity)).toBe(expected);
  });
});

describe("placeWeek", () => {
  it("keeps every day within capacity, defers only beyond the week's capacity, by priority, and moves fixed tests only off over-full days", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 15 }),
        fc.array(
          fc.record({
            day: fc.integer({ min: -1, max: 4 }),
            site: fc.nat({ max: 5 }),
            shift: fc.nat({ max: 2 }),
          }),
          {
            maxLength: 60,
          },
        ),
        (testDays, capacity, raw) => {
          const items = raw.map((item) => ({ ...item, day: item.day < 0 ? -1 : item.day % testDays }));
          const placement = placeWeek(
            {
              count: items.length,
              fixedDay: Int32Array.from(items.map((i) => i.day)),
              site: Int32Array.from(items.map((i) => i.site)),
              shift: Uint8Array.from(items.map((i) => i.shift)),
              // Priority = index order: earlier items first.
              compare: (a, b) => a - b,
            },
            testDays,
            capacity,
          );
          const kept = Math.min(items.length, testDays * capacity);
          expect(placement.deferredCount).toBe(items.length - kept);
          // The deferred are exactly the lowest in priority.
          items.forEach((_, index) => expect((placement.day[index] ?? -1) < 0).toBe(index >= kept));
          const loads = new Array<number>(testDays).fill(0);
          for (const day of placement.day) if (day >= 0) loads[day] = (loads[day] ?? 0) + 1;
          for (const load of loads) expect(load).toBeLessThanOrEqual(capacity);
          const fixedPerDay = new Array<number>(testDays).fill(0);
          items.forEach((item, index) => {
            if (index < kept && item.day >= 0) fixedPerDay[item.day] = (fixedPerDay[item.day] ?? 0) + 1;
          });
          let moved = 0;
          items.forEach((item, index) => {
            if (index >= kept || item.day < 0) return;
            if (placement.day[index] !== item.day) {
              moved += 1;
              expect(fixedPerDay[item.day]).toBeGreaterThan(capacity);
            }
          });
          expect(placement.movedCount).toBe(moved);
          expect(moved).toBe(fixedPerDay.reduce((sum, n) => sum + Math.max(0, n - capacity), 0));
        },
      ),
      propertyRuns(300),
    );
  });

  it("water-fills flexible tests on top of the fixed load: the peak is the even share of the week", () => {
    const fixed = [0, 0, 0, 0, 1, 1, 2];
    const flexible = 8;
    const placement = placeWeek(
      {
        count: fixed.length + flexible,
        fixedDay: Int32Array.from([...fixed, ...new Array<number>(flexible).fill(-1)]),
        site: Int32Array.from({ length: fixed.length + flexible }, (_, i) => i),
        shift: new Uint8Array(fixed.length + flexible),
        compare: (a, b) => a - b,
      },
      3,
      100,
    );
    const loads = [0, 0, 0];
    for (const day of placement.day) loads[day] = (loads[day] ?? 0) + 1;
    // 15 tests over 3 days: 5 each, the fixed 4 / 2 / 1 topped up to the level.
    expect(loads).toEqual([5, 5, 5]);
  });
});

describe("placeWeek by hand", () => {
  /** Places tests given as [fixed day or -1, site, shift], in priority order (index order). */
  function place(tests: [number, number, number][], testDays: number, capacity: number) {
    const placement = placeWeek(
      {
        count: tests.length,
        fixedDay: Int32Array.from(tests.map(([day]) => day)),
        site: Int32Array.from(tests.map(([, site]) => site)),
        shift: Uint8Array.from(tests.map(([, , shift]) => shift)),
        compare: (a, b) => a - b,
      },
      testDays,
      capacity,
    );
    return {
      day: [...placement.day],
      moved: [...placement.moved],
      movedCount: placement.movedCount,
      deferredCount: placement.deferredCount,
    };
  }

  it("takes a week exactly at capacity whole", () => {
    expect(
      place(
        [
          [0, 1, 0],
          [0, 1, 0],
          [1, 1, 0],
          [1, 1, 0],
        ],
        2,
        2,
      ),
    ).toEqual({
      day: [0, 0, 1, 1],
      moved: [0, 0, 0, 0],
      movedCount: 0,
      deferredCount: 0,
    });
  });

  it("defers the lowest in priority beyond the week's capacity, and no more", () => {
    // 5 tests, 2 days × 2: the fifth waits.
    expect(
      place(
        [
          [0, 1, 0],
          [0, 1, 0],
          [1, 1, 0],
          [1, 1, 0],
          [-1, 1, 0],
        ],
        2,
        2,
      ),
    ).toEqual({
      day: [0, 0, 1, 1, -1],
      moved: [0, 0, 0, 0, 0],
      movedCount: 0,
      deferredCount: 1,
    });
  });

  it("keeps a day exactly at capacity and moves only what is beyond it", () => {
    // Day 0 holds 3 fixed tests, capacity 2: the third in priority moves to day 1 (room 2).
    expect(
      place(
        [
          [0, 1, 0],
          [0, 1, 0],
          [0, 2, 0],
          [2, 3, 0],
          [2, 3, 0],
        ],
        3,
        2,
      ),
    ).toEqual({
      day: [0, 0, 1, 2, 2],
      moved: [0, 0, 1, 0, 0],
      movedCount: 1,
      deferredCount: 0,
    });
  });

  it("puts a flexible test on a day its site already has tests on, when the level leaves room there", () => {
    /*
     * Fixed: site 5 on day 2, site 6 on days 0 and 1. Two flexible tests (site 5 and site 7):
     * loads [1, 1, 1] + 2 → level 2, room [1, 1, 1]. Site 5 takes its own day 2; site 7 the
     * first day left that fits, day 0.
     */
    expect(
      place(
        [
          [2, 5, 0],
          [0, 6, 0],
          [1, 6, 0],
          [-1, 5, 0],
          [-1, 7, 0],
        ],
        3,
        10,
      ).day,
    ).toEqual([2, 0, 1, 2, 0]);
  });

  it("splits flexible tests of one site over the lowest days in proportion to its shifts", () => {
    // 4 flexible tests of site 1 (2 day, 2 night) over 2 empty days: level 2, one of each per day.
    expect(
      place(
        [
          [-1, 1, 0],
          [-1, 1, 0],
          [-1, 1, 2],
          [-1, 1, 2],
        ],
        2,
        10,
      ).day,
    ).toEqual([0, 1, 0, 1]);
  });
});
