import { describe, expect, it } from "vitest";
import { addSiteDay, meanDaysPerSite, type SiteDays } from "../../src/domain/site-days.ts";

describe("addSiteDay", () => {
  it("records each site's days once, in the order first used", () => {
    const siteDays: SiteDays = new Map();
    addSiteDay(siteDays, 3, 4);
    addSiteDay(siteDays, 1, 2);
    addSiteDay(siteDays, 3, 0);
    addSiteDay(siteDays, 3, 4);
    addSiteDay(siteDays, 1, 2);
    expect([...siteDays]).toEqual([
      [3, [4, 0]],
      [1, [2]],
    ]);
  });
});

describe("meanDaysPerSite", () => {
  it.each([
    { name: "no sites: 0", siteDays: [], mean: 0 },
    // (2 + 1) days ÷ 2 sites = 1.5.
    {
      name: "two sites on 2 and 1 days: 1.5",
      siteDays: [[7, [0, 5]] as const, [9, [3]] as const],
      mean: 1.5,
    },
    // (3 + 1 + 1 + 1) ÷ 4 = 1.5.
    {
      name: "four sites on 3, 1, 1 and 1 days: 1.5",
      siteDays: [[1, [0, 1, 2]] as const, [2, [0]] as const, [3, [4]] as const, [4, [4]] as const],
      mean: 1.5,
    },
  ])("$name", ({ siteDays, mean }) => {
    expect(meanDaysPerSite(new Map(siteDays.map(([site, days]) => [site, [...days]])))).toBe(mean);
  });
});
