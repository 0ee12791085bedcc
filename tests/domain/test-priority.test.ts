import { describe, expect, it } from "vitest";
import type { DeferralReport } from "../../src/domain/plan-types.ts";
import {
  compareDeferralReports,
  createPlanningOrder,
  type PriorityFacts,
} from "../../src/domain/test-priority.ts";

type Status = PriorityFacts["status"];
const RED_60: Status = { status: "red", incidence: 60 };
const RED_30: Status = { status: "red", incidence: 30 };
const GREEN_90: Status = { status: "green", incidence: 90 };

function facts(overrides: Partial<PriorityFacts>): PriorityFacts {
  return { carriedOver: false, reason: "cycle", status: GREEN_90, siteKind: "home-care", ...overrides };
}

/** Sorts test indices 0 … n−1 by the planning order and returns their labels. */
function planningOrder(
  tests: readonly { label: string; facts: PriorityFacts; latest: number; site: number; member: number }[],
): string[] {
  const compare = createPlanningOrder(tests.length, (test) => (tests[test] as (typeof tests)[number]).facts, {
    latest: tests.map((t) => t.latest),
    site: tests.map((t) => t.site),
    member: tests.map((t) => t.member),
  });
  return Array.from({ length: tests.length }, (_, i) => i)
    .sort(compare)
    .map((i) => tests[i]?.label ?? "");
}

describe("createPlanningOrder", () => {
  it.each([
    {
      name: "carried over before everything else",
      first: facts({ carriedOver: true }),
      second: facts({ reason: "red-week-1", status: RED_60, siteKind: "nursing-home" }),
    },
    {
      name: "a red test (week 1) before a cycle test",
      first: facts({ reason: "red-week-1" }),
      second: facts({}),
    },
    {
      name: "a retest before a new starter's test",
      first: facts({ reason: "red-retest" }),
      second: facts({ reason: "new-starter" }),
    },
    {
      name: "a red municipality before a green one with higher incidence",
      first: facts({ status: RED_30 }),
      second: facts({ status: GREEN_90 }),
    },
    { name: "higher incidence first", first: facts({ status: RED_60 }), second: facts({ status: RED_30 }) },
    {
      name: "a known incidence before none (unknown municipality: green, 0)",
      first: facts({ status: { status: "green", incidence: 0.5 } }),
      second: facts({ status: undefined }),
    },
    {
      name: "a nursing home before home care",
      first: facts({ siteKind: "nursing-home" }),
      second: facts({ siteKind: "home-care" }),
    },
  ])("$name", ({ first, second }) => {
    // Listed second-first, with tie-breaks that favour the second: the rule must decide.
    expect(
      planningOrder([
        { label: "second", facts: second, latest: 0, site: 0, member: 0 },
        { label: "first", facts: first, latest: 9, site: 9, member: 9 },
      ]),
    ).toEqual(["first", "second"]);
  });

  it("breaks ties by the earliest 6-week limit, then site, then roster order", () => {
    const same = facts({ status: RED_60 });
    expect(
      planningOrder([
        { label: "limit 8, site 1, member 5", facts: same, latest: 8, site: 1, member: 5 },
        { label: "limit 2, site 3, member 9", facts: same, latest: 2, site: 3, member: 9 },
        { label: "limit 8, site 0, member 7", facts: same, latest: 8, site: 0, member: 7 },
        { label: "limit 8, site 1, member 4", facts: same, latest: 8, site: 1, member: 4 },
        { label: "limit -3, site 5, member 1", facts: same, latest: -3, site: 5, member: 1 },
      ]),
    ).toEqual([
      "limit -3, site 5, member 1",
      "limit 2, site 3, member 9",
      "limit 8, site 0, member 7",
      "limit 8, site 1, member 4",
      "limit 8, site 1, member 5",
    ]);
  });
});

describe("compareDeferralReports", () => {
  const statuses = new Map<number, Status>([
    [101, RED_60],
    [147, RED_30],
    [151, GREEN_90],
    [153, { status: "green", incidence: 90 }],
  ]);
  const line = (
    municipalityCode: number,
    siteKind: DeferralReport["siteKind"],
    reason: DeferralReport["reason"],
  ): DeferralReport => ({ municipalityCode, regionCode: 1084, siteKind, reason, count: 1, gapViolations: 0 });

  it("orders lines by red test, red municipality, incidence, nursing home, municipality code and reason", () => {
    const expected = [
      line(147, "home-care", "red-retest"), // red tests first: in a red municipality
      line(151, "home-care", "red-week-1"), // … then in a green one
      line(101, "nursing-home", "cycle"), // red municipality, 60
      line(101, "home-care", "cycle"),
      line(147, "nursing-home", "cycle"), // red municipality, 30
      line(147, "nursing-home", "new-starter"),
      line(151, "nursing-home", "cycle"), // green, 90, code 151 before 153
      line(153, "nursing-home", "cycle"),
      line(151, "home-care", "new-starter"),
      line(999, "nursing-home", "cycle"), // unknown municipality: green, 0
    ];
    const shuffled = [...expected].reverse();
    expect(shuffled.sort(compareDeferralReports((code) => statuses.get(code)))).toEqual(expected);
  });

  it("ranks a line as not carried over and compares two lines of the same key as equal", () => {
    const compare = compareDeferralReports((code) => statuses.get(code));
    expect(compare(line(101, "home-care", "cycle"), line(101, "home-care", "cycle"))).toBe(0);
    expect(Math.sign(compare(line(101, "home-care", "cycle"), line(147, "home-care", "cycle")))).toBe(-1);
    expect(Math.sign(compare(line(147, "home-care", "cycle"), line(101, "home-care", "cycle")))).toBe(1);
  });
});
