import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bundleBySite, packBundles, type SiteBundle } from "../../src/domain/group-packing.ts";
import { propertyRuns } from "../support/property-runs.ts";

/** Bundles with consecutive member ids from group sizes. */
function bundlesOf(
  sizes: readonly (readonly number[])[],
  preferred: readonly (readonly number[])[] = [],
): SiteBundle[] {
  let next = 0;
  return sizes.map((groups, index) => ({
    groups: groups.map((size) => Array.from({ length: size }, () => next++)),
    preferredDays: preferred[index] ?? [],
  }));
}

describe("packBundles", () => {
  it("places every member within the room given, when there is enough room", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 3 }), { maxLength: 12 }),
        fc.array(fc.nat({ max: 60 }), { minLength: 1, maxLength: 10 }),
        fc.nat({ max: 20 }),
        (sizes, extraRoom, seedDay) => {
          const bundles = bundlesOf(
            sizes,
            sizes.map((_, i) => [(seedDay + i) % extraRoom.length]),
          );
          const members = sizes.flat().reduce((a, b) => a + b, 0);
          // Spread exactly `members` plus extra room over the days.
          const room = Int32Array.from(extraRoom);
          for (let i = 0; i < members; i++) room[i % room.length] = (room[i % room.length] ?? 0) + 1;
          const initial = Int32Array.from(room);
          const dayOf = new Int32Array(members).fill(-1);
          expect(packBundles(bundles, room, dayOf)).toBe(0);
          const used = new Int32Array(room.length);
          for (const day of dayOf) {
            expect(day).toBeGreaterThanOrEqual(0);
            used[day] = (used[day] ?? 0) + 1;
          }
          used.forEach((count, day) => {
            expect(count).toBeLessThanOrEqual(initial[day] ?? 0);
            expect(room[day]).toBe((initial[day] ?? 0) - count);
          });
        },
      ),
      propertyRuns(200),
    );
  });

  it.each([
    {
      name: "a site goes whole to the day with the least room that fits it",
      sizes: [[4, 2]],
      room: [10, 6, 7],
      preferred: [],
      expected: [1, 1, 1, 1, 1, 1],
    },
    {
      // Day 0 takes 2 of 5: one of each shift (3 × 2/5 = 1.2, 2 × 2/5 = 0.8, largest remainder).
      name: "a site fills its preferred day first, the rest goes where it fits",
      sizes: [[3, 2]],
      room: [2, 9, 3],
      preferred: [[0]],
      expected: [0, 2, 2, 0, 2],
    },
    {
      // 4 of 8 on day 0, each shift in proportion: 5 × 4/8 = 2.5 → 3 (tie to the first), 3 × 4/8 = 1.5 → 1.
      name: "a site that fits nowhere fills the roomiest day and continues, splitting each shift in proportion",
      sizes: [[5, 3]],
      room: [4, 4],
      preferred: [],
      expected: [0, 0, 0, 1, 1, 0, 1, 1],
    },
  ])("$name", ({ sizes, room, preferred, expected }) => {
    const dayOf = new Int32Array(expected.length).fill(-1);
    packBundles(bundlesOf(sizes, preferred), Int32Array.from(room), dayOf);
    expect([...dayOf]).toEqual(expected);
  });

  it.each([
    // Best fit: the least room that still takes the whole site (2 of [2, 5, 3] → day 0).
    {
      name: "best fit takes the tightest day, even the first",
      sizes: [[2]],
      room: [2, 5, 3],
      expected: [0, 0],
    },
    { name: "best fit skips a day too small", sizes: [[2]], room: [5, 1, 3], expected: [2, 2] },
    { name: "of equally tight days, the first", sizes: [[2]], room: [3, 3], expected: [0, 0] },
    {
      // Largest site first: the 3 takes day 0 (first of two equal fits), the 2 then day 1.
      name: "the largest site is placed first",
      sizes: [[2], [3]],
      room: [3, 3],
      expected: [1, 1, 0, 0, 0],
    },
    {
      // Equal sites in the order given: the first takes the tight day 0, the second day 1.
      name: "equal sites in the order given",
      sizes: [[2], [2]],
      room: [2, 3],
      expected: [0, 0, 1, 1],
    },
    {
      // 3 shifts of 1 each and room for 1 per day: a tie of remainders goes to the first shift.
      name: "a split in three equal shifts goes shift by shift",
      sizes: [[1, 1, 1]],
      room: [1, 1, 1],
      expected: [0, 1, 2],
    },
    {
      // Preferred day 1 has room 2 of the 3; the last goes to the tightest fitting day (2, room 1).
      name: "a preferred day full or missing is skipped",
      sizes: [[3]],
      room: [5, 2, 1, 0],
      preferred: [[3, 9, 1]],
      expected: [1, 1, 2],
    },
  ])("$name", ({ sizes, room, preferred, expected }) => {
    const dayOf = new Int32Array(expected.length).fill(-1);
    const rooms = Int32Array.from(room);
    expect(packBundles(bundlesOf(sizes, preferred ?? []), rooms, dayOf)).toBe(0);
    expect([...dayOf]).toEqual(expected);
  });

  it("places nothing and counts everyone when there is no day", () => {
    const dayOf = new Int32Array(3).fill(-1);
    expect(packBundles(bundlesOf([[2, 1]]), new Int32Array(0), dayOf)).toBe(3);
    expect([...dayOf]).toEqual([-1, -1, -1]);
  });

  it("reports members placed beyond the room when room runs out", () => {
    const dayOf = new Int32Array(5).fill(-1);
    const room = Int32Array.from([1, 2]);
    expect(packBundles(bundlesOf([[5]]), room, dayOf)).toBe(2);
    expect([...room].reduce((a, b) => a + b, 0)).toBe(-2);
  });
});

describe("bundleBySite", () => {
  it("bundles items by site in order of first appearance, one group per shift, with the site's days", () => {
    //           item: 0  1  2  3  4  5
    const siteOf = [7, 3, 7, 3, 7, 9];
    const shiftOf = [0, 2, 2, 1, 0, 1];
    const siteDays = new Map([
      [7, [4, 1]],
      [9, [0]],
    ]);
    expect(bundleBySite([4, 0, 1, 2, 3, 5], siteOf, shiftOf, siteDays)).toEqual([
      { groups: [[4, 0], [], [2]], preferredDays: [4, 1] },
      { groups: [[], [3], [1]], preferredDays: [] },
      { groups: [[], [5], []], preferredDays: [0] },
    ]);
  });
});
