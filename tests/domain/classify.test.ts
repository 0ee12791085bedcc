import { describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import { classifyWeek, type Override } from "../../src/domain/classify.ts";
import type { Observation } from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";

const WEEK: IsoWeek = { year: 2020, week: 44 };
const WINDOW = { start: "2020-10-20", end: "2020-10-26" };
const TOWN: Municipality = {
  code: 101,
  name: "København",
  regionCode: 1084,
  population: 50_000,
  aliases: [],
};

function observe(
  cases7d: number | null,
  population: number,
  incidence = ((cases7d ?? 0) * 100_000) / population,
): Observation {
  return { code: TOWN.code, window: WINDOW, cases7d, population, incidence };
}

function override(action: Override["action"], from = WEEK, to = WEEK, siteIds: string[] = []): Override {
  return { id: `stps-${action}`, municipalityCode: TOWN.code, from, to, action, siteIds, reason: "test" };
}

const statusCases = [
  // 10 cases in 50,000 = exactly 20.0 per 100,000: the threshold is inclusive.
  { name: "exactly 20.0 is red", observation: observe(10, 50_000), raw: "red" },
  { name: "just below 20 is green", observation: observe(9, 45_001), raw: "green" },
  { name: "20.0 from 7 in 35,000 is red (no float drift)", observation: observe(7, 35_000), raw: "red" },
  { name: "incidence-only source at 20 is red", observation: observe(null, 50_000, 20), raw: "red" },
  {
    name: "incidence-only source at 19.99 is green",
    observation: observe(null, 50_000, 19.99),
    raw: "green",
  },
  { name: "no cases is green", observation: observe(0, 50_000), raw: "green" },
] as const;

describe("classifyWeek", () => {
  it.each(statusCases)("$name", ({ observation, raw }) => {
    const [c] = classifyWeek({
      week: WEEK,
      observations: [observation],
      municipalities: [TOWN],
      thresholdPer100k: 20,
      overrides: [],
    });
    expect(c?.rawStatus).toBe(raw);
    expect(c?.status).toBe(raw);
    expect(c?.overrideId).toBeNull();
  });

  const overrideCases = [
    {
      name: "keep-green suspends a switch to red",
      cases: 30,
      overrides: [override("keep-green")],
      raw: "red",
      status: "green",
      limit: null,
    },
    {
      name: "force-red makes a green municipality red",
      cases: 1,
      overrides: [override("force-red")],
      raw: "green",
      status: "red",
      limit: null,
    },
    {
      name: "limit-to-sites keeps red and names the sites",
      cases: 30,
      overrides: [override("limit-to-sites", WEEK, WEEK, ["S1", "S2"])],
      raw: "red",
      status: "red",
      limit: ["S1", "S2"],
    },
    {
      name: "limit-to-sites on a green municipality changes nothing",
      cases: 1,
      overrides: [override("limit-to-sites", WEEK, WEEK, ["S1"])],
      raw: "green",
      status: "green",
      limit: null,
    },
    {
      name: "an override outside its weeks does not apply",
      cases: 30,
      overrides: [override("keep-green", { year: 2020, week: 40 }, { year: 2020, week: 43 })],
      raw: "red",
      status: "red",
      limit: null,
    },
  ] as const;

  it.each(overrideCases)("$name", ({ cases, overrides, raw, status, limit }) => {
    const [c] = classifyWeek({
      week: WEEK,
      observations: [observe(cases, 50_000)],
      municipalities: [TOWN],
      thresholdPer100k: 20,
      overrides,
    });
    expect(c?.rawStatus).toBe(raw);
    expect(c?.status).toBe(status);
    expect(c?.limitToSites).toEqual(limit);
    const applies = overrides.some((o) => o.from.week <= WEEK.week && WEEK.week <= o.to.week);
    expect(c?.overrideId).toBe(applies ? overrides[0]?.id : null);
  });

  it("uses the configured threshold", () => {
    const [c] = classifyWeek({
      week: WEEK,
      observations: [observe(10, 50_000)],
      municipalities: [TOWN],
      thresholdPer100k: 25,
      overrides: [],
    });
    expect(c?.status).toBe("green");
  });
});
