import { describe, expect, it } from "vitest";
import type { CycleSlot } from "../../src/domain/plan-types.ts";
import { createSlotLookup } from "../../src/domain/slot-lookup.ts";

/** Slot of employee number `n` of municipality 101: cycle week n mod 6, Monday, day shift, site `S<n>`. */
function slotOf(n: number): CycleSlot {
  return { cycleWeek: n % 6, weekday: 1, shift: "day", siteId: `S${n}` };
}

const keyOf = (n: number): string => `101:E${String(n).padStart(3, "0")}`;

/** Twenty slots, E000 … E019, in the store's order (by employee id). */
const SLOTS = new Map(Array.from({ length: 20 }, (_, n) => [keyOf(n), slotOf(n)]));

describe("createSlotLookup", () => {
  it.each([
    {
      name: "every identity in the slots' order",
      asked: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
    },
    { name: "new staff in between (not in the slots)", asked: [0, 100, 1, 2, 101, 102, 3, 4] },
    { name: "staff gone from the roster (entries passed over)", asked: [0, 2, 5, 6, 19] },
    { name: "more staff gone than the walk skips", asked: [0, 1, 15, 16, 17, 2, 3] },
    {
      name: "the reverse order",
      asked: [19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    },
    { name: "the same identity twice", asked: [0, 0, 1, 1, 2] },
  ])("$name: answers as the map does", ({ asked }) => {
    const lookup = createSlotLookup(SLOTS);
    // Employee numbers 0–19 have slots, the others none.
    expect(asked.map((n) => lookup(keyOf(n)))).toEqual(asked.map((n) => (n < 20 ? slotOf(n) : undefined)));
  });

  it("answers from an empty map", () => {
    expect(createSlotLookup(new Map())(keyOf(0))).toBeUndefined();
  });
});
