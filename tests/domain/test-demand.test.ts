import { describe, expect, it } from "vitest";
import type { DeferredTest, RedTestOrder } from "../../src/domain/plan-types.ts";
import { indexCarriedOver, indexRedOrders } from "../../src/domain/test-demand.ts";

function order(reason: RedTestOrder["reason"], limitToSites: string[] | null, code = 101): RedTestOrder {
  return { municipalityCode: code, reason, limitToSites };
}

describe("indexRedOrders", () => {
  it.each([
    {
      name: "one order for all sites",
      orders: [order("red-week-1", null)],
      reason: "red-week-1",
      sites: null,
    },
    { name: "one limited order", orders: [order("red-retest", ["S1"])], reason: "red-retest", sites: ["S1"] },
    {
      name: "two limits add up; the first order's reason counts",
      orders: [order("red-retest", ["S1"]), order("red-week-1", ["S2", "S1"])],
      reason: "red-retest",
      sites: ["S1", "S2"],
    },
    {
      name: "all sites win over a later limit",
      orders: [order("red-week-1", null), order("red-retest", ["S1"])],
      reason: "red-week-1",
      sites: null,
    },
    {
      name: "all sites win over an earlier limit",
      orders: [order("red-week-1", ["S1"]), order("red-retest", null)],
      reason: "red-week-1",
      sites: null,
    },
  ])("$name", ({ orders, reason, sites }) => {
    const byCode = indexRedOrders([...orders, order("red-retest", ["S9"], 147)]);
    const merged = byCode.get(101);
    expect(merged?.reason).toBe(reason);
    expect(merged?.sites === null || merged?.sites === undefined ? merged?.sites : [...merged.sites]).toEqual(
      sites,
    );
    expect([...(byCode.get(147)?.sites ?? [])]).toEqual(["S9"]);
    expect([...byCode.keys()]).toEqual([101, 147]);
  });
});

describe("indexCarriedOver", () => {
  const test = (employeeId: string, latestDate: string, dueWeek: number): DeferredTest => ({
    employeeId,
    siteId: "S1",
    municipalityCode: 101,
    reason: "cycle",
    dueWeek: { year: 2020, week: dueWeek },
    latestDate,
  });

  it("keeps one owed test per person: the earliest latest date, the first of equal ones", () => {
    const byId = indexCarriedOver([
      test("a", "2020-10-09", 40),
      test("b", "2020-10-02", 39),
      test("a", "2020-10-02", 38),
      test("a", "2020-10-02", 37),
      test("a", "2020-10-20", 36),
      test("b", "2020-10-03", 35),
    ]);
    expect([...byId.entries()].map(([id, t]) => [id, t.latestDate, t.dueWeek.week])).toEqual([
      ["a", "2020-10-02", 38],
      ["b", "2020-10-02", 39],
    ]);
  });
});
