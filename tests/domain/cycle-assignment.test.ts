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
