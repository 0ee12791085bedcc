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

describe("bundleBySite and packBundles with shifts limited to some days", () => {
  it("packs a site's evening and night staff on their days first, and its day staff beside them", () => {
    // One site: member 0 on days, 1 in the evening, 2 at night. Evening and night may not go on
    // day 2 (bits: day 1, evening 2, night 4).
    const bundles = bundleBySite([0, 1, 2], [0, 0, 0], [0, 1, 2], new Map(), Uint8Array.from([7, 7, 1]));
    expect(bundles.map((b) => [b.groups.map((g) => [...g]), [...(b.allowed ?? [])]])).toEqual([
      [
        [[0], [], []],
        [1, 1, 1],
      ],
      [
        [[], [1], [2]],
        [1, 1, 0],
      ],
    ]);
    const dayOf = new Int32Array(3).fill(-1);
    // Day 2 is the tightest fit for one member alone; the site's other day wins.
    expect(packBundles(bundles, Int32Array.from([5, 5, 2]), dayOf)).toBe(0);
    expect([...dayOf]).toEqual([0, 0, 0]);
  });

  it("keeps one bundle per site when every shift may go on every day", () => {
    const bundles = bundleBySite([0, 1], [3, 3], [0, 2], new Map([[3, [1]]]), Uint8Array.from([7, 7]));
    expect(bundles).toEqual([{ groups: [[0], [], [1]], preferredDays: [1] }]);
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

describe("bundleBySite with some shifts limited to some days", () => {
  it("gives a site no bundle for the shifts it has no one in, and its own days or none", () => {
    // Day 0 takes every shift, day 1 only the day shift: day staff may go on [1, 1], evening and
    // night staff on [1, 0]. Site 5 has only day staff (one bundle), site 8 only evening and night
    // staff (one bundle), site 6 one evening member; only site 5 has days already.
    //           item: 0  1  2  3  4
    const siteOf = [5, 5, 8, 8, 6];
    const shiftOf = [0, 0, 1, 2, 1];
    const bundles = bundleBySite(
      [0, 1, 2, 3, 4],
      siteOf,
      shiftOf,
      new Map([[5, [2]]]),
      Uint8Array.from([7, 1]),
    );
    expect(bundles).toEqual([
      { groups: [[0, 1], [], []], preferredDays: [2], allowed: Uint8Array.from([1, 1]), site: 5 },
      { groups: [[], [2], [3]], preferredDays: [], allowed: Uint8Array.from([1, 0]), site: 8 },
      { groups: [[], [4], []], preferredDays: [], allowed: Uint8Array.from([1, 0]), site: 6 },
    ]);
  });
});

describe("packBundles when room runs out", () => {
  it.each([
    {
      // 5 members, room [1, 3]: 3 go to the roomier day 1; of the 2 left 1 fills day 0; the last
      // finds no room anywhere and goes to the first day of equal (0) room, day 0: 1 over.
      name: "the roomiest day first, then the first of equally full days",
      sizes: [[5]],
      room: [1, 3],
      expected: [1, 1, 1, 0, 0],
      overflow: 1,
      roomAfter: [-1, 0],
    },
    {
      // The 5: 2 on day 1, 1 on day 0, its last 2 over on day 0 (room [-2, 0]). Each single member
      // then goes to the day least over: day 1 (0 > -2), then day 1 again (-1 > -2).
      name: "members beyond the room go to the allowed day least over",
      sizes: [[5], [1], [1]],
      room: [1, 2],
      expected: [1, 1, 0, 0, 0, 1, 1],
      overflow: 4,
      roomAfter: [-2, -2],
    },
  ])("$name", ({ sizes, room, expected, overflow, roomAfter }) => {
    const dayOf = new Int32Array(expected.length).fill(-1);
    const rooms = Int32Array.from(room);
    expect(packBundles(bundlesOf(sizes), rooms, dayOf)).toBe(overflow);
    expect([...dayOf]).toEqual(expected);
    expect([...rooms]).toEqual(roomAfter);
  });

  it("with leaveOut marks the members left over as not placed (−1), whatever the array held", () => {
    // Group sizes 1 and 3, room 2: 2 of 4 in proportion, 1 × 2/4 = 0.5 and 3 × 2/4 = 1.5 → 0 and 1,
    // the equal remainders (0.5) go to the first shift: members 0 and 1 on day 0; 2 and 3 left out.
    const dayOf = Int32Array.from([9, 9, 9, 9]);
    const room = Int32Array.from([2]);
    expect(packBundles(bundlesOf([[1, 3]]), room, dayOf, { leaveOut: true })).toBe(2);
    expect([...dayOf]).toEqual([0, 0, -1, -1]);
    expect([...room]).toEqual([0]);
  });

  it("does not keep bundles without a site on each other's days", () => {
    // The 3 takes day 0 (the tightest fit of [5, 8, 1]), leaving [2, 8, 1]; the single member,
    // not of the same site, goes to its own tightest fit, day 2 — not to day 0.
    const dayOf = new Int32Array(4).fill(-1);
    const room = Int32Array.from([5, 8, 1]);
    expect(packBundles(bundlesOf([[3], [1]]), room, dayOf)).toBe(0);
    expect([...dayOf]).toEqual([0, 0, 0, 2]);
    expect([...room]).toEqual([2, 8, 0]);
  });
});
