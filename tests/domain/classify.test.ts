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

/** An observation with its incidence written out by hand (never recomputed here). */
function observe(cases7d: number | null, population: number, incidence: number): Observation {
  return { code: TOWN.code, window: WINDOW, cases7d, population, incidence };
}

function override(
  action: Override["action"],
  from = WEEK,
  to = WEEK,
  siteIds: string[] = [],
  id = `stps-${action}`,
): Override {
  return { id, municipalityCode: TOWN.code, from, to, action, siteIds, reason: "test" };
}

const statusCases = [
  // 10 × 100,000 ÷ 50,000 = 20.0 exactly: the threshold is inclusive.
  { name: "10 cases in 50,000 (20.0 exactly) is red", observation: observe(10, 50_000, 20), raw: "red" },
  // 9 × 100,000 ÷ 45,001 = 900,000 ÷ 45,001 = 19.9995…: below 20 (20 × 45,001 = 900,020 > 900,000).
  {
    name: "9 cases in 45,001 (19.9995…) is green",
    observation: observe(9, 45_001, 19.999_555_565_431_88),
    raw: "green",
  },
  // 9 × 100,000 ÷ 45,000 = 20.0 exactly, but a source summing nine daily incidences of one case
  // (100,000 ÷ 45,000 = 2.222… each) in floating point reads 19.999999999999996: the case count
  // decides (900,000 ≥ 20 × 45,000 = 900,000), so 20.0 is not lost to rounding.
  {
    name: "9 cases in 45,000 is red although the float incidence reads 19.999999999999996",
    observation: observe(9, 45_000, 19.999_999_999_999_996),
    raw: "red",
  },
  // 7 × 100,000 ÷ 35,001 = 19.9994…: one more inhabitant and 7 cases are green.
  {
    name: "7 cases in 35,001 (19.9994…) is green",
    observation: observe(7, 35_001, 19.999_428_587_754_64),
    raw: "green",
  },
  { name: "incidence-only source at 20 is red", observation: observe(null, 50_000, 20), raw: "red" },
  {
    name: "incidence-only source at 19.99 is green",
    observation: observe(null, 50_000, 19.99),
    raw: "green",
  },
  { name: "no cases is green", observation: observe(0, 50_000, 0), raw: "green" },
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

  const W40: IsoWeek = { year: 2020, week: 40 };
  const W43: IsoWeek = { year: 2020, week: 43 };
  const W45: IsoWeek = { year: 2020, week: 45 };
  const W50: IsoWeek = { year: 2020, week: 50 };
  // The town has 30 cases in 50,000 (60.0 per 100,000: red) or 1 case (2.0: green) in week 44.
  const overrideCases = [
    {
      name: "keep-green suspends a switch to red",
      cases: 30,
      overrides: [override("keep-green")],
      raw: "red",
      status: "green",
      limit: null,
      applied: "stps-keep-green",
    },
    {
      name: "force-red makes a green municipality red",
      cases: 1,
      overrides: [override("force-red")],
      raw: "green",
      status: "red",
      limit: null,
      applied: "stps-force-red",
    },
    {
      name: "limit-to-sites keeps red and names the sites",
      cases: 30,
      overrides: [override("limit-to-sites", WEEK, WEEK, ["S1", "S2"])],
      raw: "red",
      status: "red",
      limit: ["S1", "S2"],
      applied: "stps-limit-to-sites",
    },
    {
      name: "limit-to-sites on a green municipality changes nothing (but is recorded)",
      cases: 1,
      overrides: [override("limit-to-sites", WEEK, WEEK, ["S1"])],
      raw: "green",
      status: "green",
      limit: null,
      applied: "stps-limit-to-sites",
    },
    {
      name: "an override that ended the week before (W40–W43) does not apply in W44",
      cases: 30,
      overrides: [override("keep-green", W40, W43)],
      raw: "red",
      status: "red",
      limit: null,
      applied: null,
    },
    {
      name: "an override from the week after (W45–W50) does not apply in W44",
      cases: 30,
      overrides: [override("keep-green", W45, W50)],
      raw: "red",
      status: "red",
      limit: null,
      applied: null,
    },
    {
      name: "an override ending in W44 (W40–W44) applies in W44",
      cases: 30,
      overrides: [override("keep-green", W40, WEEK)],
      raw: "red",
      status: "green",
      limit: null,
      applied: "stps-keep-green",
    },
    {
      name: "an override starting in W44 (W44–W50) applies in W44",
      cases: 30,
      overrides: [override("keep-green", WEEK, W50)],
      raw: "red",
      status: "green",
      limit: null,
      applied: "stps-keep-green",
    },
    {
      name: "overlapping overrides: the last listed wins (force-red W44 after keep-green W40–W50)",
      cases: 30,
      overrides: [
        override("keep-green", W40, W50, [], "first"),
        override("force-red", WEEK, WEEK, [], "last"),
      ],
      raw: "red",
      status: "red",
      limit: null,
      applied: "last",
    },
    {
      name: "overlapping overrides: the last listed wins (keep-green W40–W50 after force-red W44)",
      cases: 1,
      overrides: [
        override("force-red", WEEK, WEEK, [], "first"),
        override("keep-green", W40, W50, [], "last"),
      ],
      raw: "green",
      status: "green",
      limit: null,
      applied: "last",
    },
    {
      name: "overlapping overrides: a later one not in force yet leaves the earlier one in force",
      cases: 30,
      overrides: [override("keep-green", W40, W50, [], "first"), override("force-red", W45, W50, [], "last")],
      raw: "red",
      status: "green",
      limit: null,
      applied: "first",
    },
    {
      name: "an override for another municipality does not apply",
      cases: 30,
      overrides: [{ ...override("keep-green"), municipalityCode: 147 }],
      raw: "red",
      status: "red",
      limit: null,
      applied: null,
    },
  ];

  it.each(overrideCases)("$name", ({ cases, overrides, raw, status, limit, applied }) => {
    const [c] = classifyWeek({
      week: WEEK,
      observations: [observe(cases, 50_000, cases * 2)],
      municipalities: [TOWN],
      thresholdPer100k: 20,
      overrides,
    });
    expect(c?.rawStatus).toBe(raw);
    expect(c?.status).toBe(status);
    expect(c?.limitToSites).toEqual(limit);
    expect(c?.overrideId).toBe(applied);
  });

  it("returns the municipality's record with its window, figures, both statuses and the override applied", () => {
    const overrides = [override("keep-green", WEEK, WEEK, [], "stps-7")];
    expect(
      classifyWeek({
        week: WEEK,
        observations: [observe(30, 50_000, 60)],
        municipalities: [TOWN],
        thresholdPer100k: 20,
        overrides,
      }),
    ).toEqual([
      {
        week: WEEK,
        code: 101,
        name: "København",
        regionCode: 1084,
        window: WINDOW,
        cases7d: 30,
        population: 50_000,
        incidence: 60,
        rawStatus: "red",
        status: "green",
        overrideId: "stps-7",
        limitToSites: null,
      },
    ]);
  });

  it("refuses to classify a municipality without an observation", () => {
    expect(() =>
      classifyWeek({
        week: WEEK,
        observations: [],
        municipalities: [TOWN],
        thresholdPer100k: 20,
        overrides: [],
      }),
    ).toThrow("no observation for municipality 101");
  });

  it("uses the configured threshold", () => {
    const [c] = classifyWeek({
      week: WEEK,
      observations: [observe(10, 50_000, 20)],
      municipalities: [TOWN],
      thresholdPer100k: 25,
      overrides: [],
    });
    expect(c?.status).toBe("green");
  });
});
