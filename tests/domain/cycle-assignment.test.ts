import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignCycleDays, evenDayQuotas } from "../../src/domain/cycle-assignment.ts";
import { propertyRuns } from "../support/property-runs.ts";

describe("evenDayQuotas", () => {
  it("gives every day ⌊N ÷ D⌋ or ⌈N ÷ D⌉, sums to N and keeps every block of a week within 1", () => {
    fc.assert(
      fc.property(fc.nat({ max: 100_000 }), fc.integer({ min: 1, max: 7 }), (total, testDays) => {
        const days = 6 * testDays;
        const quotas = [...evenDayQuotas(total, days)];
        expect(quotas.reduce((a, b) => a + b, 0)).toBe(total);
        for (const quota of quotas)
          expect([Math.floor(total / days), Math.ceil(total / days)]).toContain(quota);
        const weeks = Array.from({ length: 6 }, (_, w) =>
          quotas.slice(w * testDays, (w + 1) * testDays).reduce((a, b) => a + b, 0),
        );
        expect(Math.max(...weeks) - Math.min(...weeks)).toBeLessThanOrEqual(1);
      }),
      propertyRuns(),
    );
  });
});

describe("assignCycleDays", () => {
  it("meets every deadline that leaves room, keeps kept loads and reports the impossible ones as late", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat({ max: 8 }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.integer({ min: -1, max: 29 }), { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 2 })), { maxLength: 80 }),
        (testDays, keptLoads, lastDays, freeMembers) => {
          const days = 6 * testDays;
          const loads = Int32Array.from(keptLoads.slice(0, days));
          const before = Int32Array.from(loads);
          const count = lastDays.length + freeMembers.length;
          const siteOf = Int32Array.from([
            ...lastDays.map((_, i) => i % 3),
            ...freeMembers.map(([site]) => site),
          ]);
          const shiftOf = Uint8Array.from([
            ...lastDays.map(() => 0),
            ...freeMembers.map(([, shift]) => shift),
          ]);
          const dayOf = new Int32Array(count).fill(-1);
          const deadlines = lastDays.map((lastDay, member) => ({
            member,
            lastDay: Math.min(lastDay, days - 1),
          }));
          const free = freeMembers.map((_, i) => lastDays.length + i);
          const { late } = assignCycleDays({
            days,
            loads,
            siteDays: new Map(),
            deadlines,
            free,
            siteOf,
            shiftOf,
            dayOf,
          });
          expect(late).toBe(deadlines.filter((d) => d.lastDay < 0).length);
          for (const { member, lastDay } of deadlines) {
            if (lastDay >= 0) expect(dayOf[member]).toBeLessThanOrEqual(lastDay);
          }
          for (const day of dayOf) expect(day >= 0 && day < days).toBe(true);
          const added = new Int32Array(days);
          for (const day of dayOf) added[day] = (added[day] ?? 0) + 1;
          for (let day = 0; day < days; day++)
            expect(loads[day]).toBe((before[day] ?? 0) + (added[day] ?? 0));
          // Without deadlines, new slots never push a day above its even share.
          if (deadlines.length === 0) {
            const total = before.reduce((a, b) => a + b, 0) + count;
            const even = Math.ceil(total / days);
            for (let day = 0; day < days; day++) {
              if ((added[day] ?? 0) > 0) expect(loads[day]).toBeLessThanOrEqual(even);
            }
          }
        },
      ),
      propertyRuns(200),
    );
  });

  it("puts a new starter on their site's existing session day when it is early enough", () => {
    // Every day holds 10 slots except the site's day 4 (9): the even share leaves room on day 4 only.
    const loads = new Int32Array(30).fill(10);
    loads[4] = 9;
    const dayOf = new Int32Array(2).fill(-1);
    assignCycleDays({
      days: 30,
      loads,
      siteDays: new Map([[7, [4]]]),
      deadlines: [
        { member: 0, lastDay: 10 },
        { member: 1, lastDay: 3 },
      ],
      free: [],
      siteOf: Int32Array.from([7, 7]),
      shiftOf: Uint8Array.from([0, 0]),
      dayOf,
    });
    // Day 4 is the site's day and early enough for member 0; member 1 must be on day 0–3.
    expect(dayOf[0]).toBe(4);
    expect(dayOf[1]).toBeLessThanOrEqual(3);
  });
});

describe("assignCycleDays: deadlines by hand", () => {
  /*
   * Six cycle days holding kept slots [0, 1, 0, 0, 2, 0], one member with a deadline (site 7)
   * and 11 free members (site 9): 15 slots, even shares ⌊15 ÷ 6⌋ = 2 plus one on days 1, 3 and
   * 5 ([2, 3, 2, 3, 2, 3]), so the room is [2, 2, 2, 3, 0, 3].
   */
  function deadlineDay(lastDay: number, siteDays: number[] = []): { day: number; late: number } {
    const dayOf = new Int32Array(12).fill(-1);
    const { late } = assignCycleDays({
      days: 6,
      loads: Int32Array.from([0, 1, 0, 0, 2, 0]),
      siteDays: new Map(siteDays.length === 0 ? [] : [[7, siteDays]]),
      deadlines: [{ member: 0, lastDay }],
      free: Array.from({ length: 11 }, (_, i) => i + 1),
      siteOf: Int32Array.from([7, ...new Array<number>(11).fill(9)]),
      shiftOf: new Uint8Array(12),
      dayOf,
    });
    return { day: dayOf[0] ?? -1, late };
  }

  it.each([
    { name: "no session day: the roomiest day by the deadline (day 3)", lastDay: 5, siteDays: [], day: 3 },
    { name: "the deadline day itself counts", lastDay: 3, siteDays: [], day: 3 },
    { name: "of equally roomy days the first", lastDay: 2, siteDays: [], day: 0 },
    { name: "the site's session day before a roomier one", lastDay: 5, siteDays: [1], day: 1 },
    { name: "not a session day without room", lastDay: 5, siteDays: [4], day: 3 },
    { name: "the roomiest of the site's session days", lastDay: 5, siteDays: [1, 5], day: 5 },
    { name: "the roomiest of the site's session days, listed first", lastDay: 5, siteDays: [5, 1], day: 5 },
    { name: "of equally roomy session days the first listed", lastDay: 5, siteDays: [2, 0], day: 2 },
    { name: "not a session day after the deadline", lastDay: 2, siteDays: [3], day: 0 },
    { name: "a session day on the deadline", lastDay: 2, siteDays: [2], day: 2 },
  ])("$name", ({ lastDay, siteDays, day }) => {
    expect(deadlineDay(lastDay, siteDays)).toEqual({ day, late: 0 });
  });

  it("puts a member no day is early enough for on the first day and counts them late", () => {
    expect(deadlineDay(-1)).toEqual({ day: 0, late: 1 });
  });

  /*
   * Two members with deadlines and two free ones (site 9) over six days holding kept slots
   * [0, 0, 2, 2, 2, 2]: 12 slots, 2 a day, so the room is [2, 2, 0, 0, 0, 0].
   */
  function deadlineDays(
    deadlines: { member: number; lastDay: number }[],
    siteOf: [number, number],
  ): [number, number] {
    const dayOf = new Int32Array(4).fill(-1);
    assignCycleDays({
      days: 6,
      loads: Int32Array.from([0, 0, 2, 2, 2, 2]),
      siteDays: new Map(),
      deadlines,
      free: [2, 3],
      siteOf: Int32Array.from([...siteOf, 9, 9]),
      shiftOf: new Uint8Array(4),
      dayOf,
    });
    return [dayOf[0] ?? -1, dayOf[1] ?? -1];
  }

  it("serves the earliest deadline first", () => {
    // Member 1 (deadline day 0) takes day 0 first; member 0 then finds day 1 roomier.
    expect(
      deadlineDays(
        [
          { member: 0, lastDay: 5 },
          { member: 1, lastDay: 0 },
        ],
        [7, 8],
      ),
    ).toEqual([1, 0]);
  });

  it("serves equal deadlines in member order, each taking room from the next", () => {
    expect(
      deadlineDays(
        [
          { member: 1, lastDay: 5 },
          { member: 0, lastDay: 5 },
        ],
        [7, 8],
      ),
    ).toEqual([0, 1]);
  });

  it("puts a second member of a site on the day the first one took", () => {
    expect(
      deadlineDays(
        [
          { member: 0, lastDay: 5 },
          { member: 1, lastDay: 5 },
        ],
        [7, 7],
      ),
    ).toEqual([0, 0]);
  });

  it("adds the new slots to the loads and the sites' days", () => {
    /*
     * Kept [1, 0, 0, 0, 0, 0] plus one deadline member (site 7) and two free ones (site 8):
     * 4 slots, shares [0, 1, 1, 0, 1, 1], room [−1, 1, 1, 0, 1, 1]. The deadline member takes
     * day 1 (the first roomiest); site 8 (2) fits no day whole: one on day 2 (the roomiest
     * left), the other on the tightest day that takes it, day 4.
     */
    const loads = Int32Array.from([1, 0, 0, 0, 0, 0]);
    const siteDays = new Map([[5, [0]]]);
    const dayOf = new Int32Array(3).fill(-1);
    const { late } = assignCycleDays({
      days: 6,
      loads,
      siteDays,
      deadlines: [{ member: 0, lastDay: 5 }],
      free: [1, 2],
      siteOf: Int32Array.from([7, 8, 8]),
      shiftOf: new Uint8Array(3),
      dayOf,
    });
    expect(late).toBe(0);
    expect([...dayOf]).toEqual([1, 2, 4]);
    expect([...loads]).toEqual([1, 1, 1, 0, 1, 0]);
    expect([...siteDays]).toEqual([
      [5, [0]],
      [7, [1]],
      [8, [2, 4]],
    ]);
  });
});

describe("evenDayQuotas by hand", () => {
  it.each([
    // 15 over 6: 2 each plus one on days 1, 3, 5 (⌊(d + 1) × 3 ÷ 6⌋ − ⌊d × 3 ÷ 6⌋).
    { total: 15, days: 6, quotas: [2, 3, 2, 3, 2, 3] },
    // 4 over 6: one on days 1, 2, 4, 5.
    { total: 4, days: 6, quotas: [0, 1, 1, 0, 1, 1] },
    { total: 12, days: 6, quotas: [2, 2, 2, 2, 2, 2] },
    { total: 1, days: 30, quotas: [...new Array<number>(29).fill(0), 1] },
    { total: 5, days: 0, quotas: [] },
  ])("$total over $days days", ({ total, days, quotas }) => {
    expect([...evenDayQuotas(total, days)]).toEqual(quotas);
  });
});
