import type { CycleSlot } from "./plan-types.ts";

/** Entries skipped at most to find the one asked for (slots of staff gone from the roster). */
const MAX_SKIP = 8;
/** After this many lookups in a row that the walk could not answer, it stops trying. */
const MAX_MISSES = 64;

/**
 * A lookup of slots by identity (`staffKey`) that walks `slots` in their order alongside the
 * questions. Last week's slots come sorted by municipality and employee id, and a roster read
 * municipality by municipality lists its staff mostly in the same order, so the next entry is
 * usually the one asked for: a string comparison instead of a hash look-up in a million-entry
 * map (the plan's costliest step per roster row). Any other identity is looked up in the map,
 * so the answer is always `slots.get(key)`, whatever the order; slots skipped on the way (staff
 * gone from the roster) are passed over, and the walk gives up when the orders do not match.
 */
export function createSlotLookup(
  slots: ReadonlyMap<string, CycleSlot>,
): (key: string) => CycleSlot | undefined {
  const entries = slots.entries();
  let next = entries.next();
  let misses = 0;
  return (key) => {
    if (next.done === true || misses >= MAX_MISSES) return slots.get(key);
    if (next.value[0] === key) {
      const slot = next.value[1];
      next = entries.next();
      misses = 0;
      return slot;
    }
    const slot = slots.get(key);
    if (slot === undefined) return slot;
    // The identity is further on: skip the entries before it (their staff have left the roster).
    for (let skip = 0; skip < MAX_SKIP && next.done !== true; skip++) {
      next = entries.next();
      if (next.done !== true && next.value[0] === key) {
        next = entries.next();
        misses = 0;
        return slot;
      }
    }
    misses += 1;
    return slot;
  };
}
