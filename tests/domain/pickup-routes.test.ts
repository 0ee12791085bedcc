import { describe, expect, it } from "vitest";
import { DEFAULT_PICKUP_DAY_SETTINGS, type TestSession } from "../../src/domain/pickup-days.ts";
import {
  planRegionPickupRoutes,
  type RegionPickupInput,
  type SiteStopInfo,
} from "../../src/domain/pickup-routes.ts";

const MAIN = { name: "KMA Hvidovre", location: { latitude: 55.649, longitude: 12.473 }, vehicles: 2 };
const ISLAND = {
  name: "Bornholms Hospital",
  location: { latitude: 55.096, longitude: 14.706 },
  vehicles: 1,
  municipalityCodes: [400],
};

const SITES = new Map<string, SiteStopInfo>([
  ["A", { municipalityCode: 101, location: { latitude: 55.68, longitude: 12.57 } }],
  ["B", { municipalityCode: 101, location: { latitude: 55.7, longitude: 12.55 } }],
  ["C", { municipalityCode: 147, location: { latitude: 55.68, longitude: 12.53 } }],
  ["D", { municipalityCode: 151, location: { latitude: 55.73, longitude: 12.36 } }],
  ["E", { municipalityCode: 400, location: { latitude: 55.1, longitude: 14.9 } }],
]);

const SESSIONS: TestSession[] = [
  // Red week 1 at A: everyone on Monday.
  { siteId: "A", date: "2020-10-05", shift: "day", tests: 40 },
  { siteId: "A", date: "2020-10-05", shift: "evening", tests: 20 },
  { siteId: "A", date: "2020-10-05", shift: "night", tests: 9 },
  { siteId: "B", date: "2020-10-06", shift: "day", tests: 12 },
  { siteId: "B", date: "2020-10-08", shift: "evening", tests: 5 },
  { siteId: "C", date: "2020-10-09", shift: "day", tests: 7 },
  { siteId: "D", date: "2020-10-07", shift: "night", tests: 3 },
  { siteId: "E", date: "2020-10-06", shift: "day", tests: 6 },
];

const ROUTING = { depots: [MAIN, ISLAND], stopMinutes: 10, speedKmh: 45, roadFactor: 1.3 };

const INPUT: RegionPickupInput = {
  sessions: SESSIONS,
  sites: SITES,
  pickupDays: DEFAULT_PICKUP_DAY_SETTINGS,
  kits: { bufferPercent: 10 },
  routing: ROUTING,
  deliveryFrom: "2020-10-01",
};

describe("planRegionPickupRoutes", () => {
  const plan = planRegionPickupRoutes(INPUT);
  const stops = plan.runs.flatMap((run) => run.stops);

  it("collects every session's samples exactly once", () => {
    const collected = stops.flatMap((stop) =>
      stop.collects.map((c) => `${stop.siteId} ${c.date} ${c.shift} ${c.samples}`),
    );
    expect(collected.sort()).toEqual(
      SESSIONS.map((s) => `${s.siteId} ${s.date} ${s.shift} ${s.tests}`).sort(),
    );
  });

  it("visits each site at most once per run and numbers its routes 1…n", () => {
    for (const run of plan.runs) {
      const ids = run.stops.map((stop) => stop.siteId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(run.routes.map((route) => route.number)).toEqual(run.routes.map((_, i) => i + 1));
      for (const stop of run.stops) expect(stop.routeCount).toBe(run.routes.length);
    }
  });

  it("brings every session's kits (tests + 10 %, rounded up), delivery-only stops where needed", () => {
    const kits = stops.flatMap((stop) =>
      stop.kits.map((k) => `${stop.siteId} ${k.date} ${k.shift} ${k.kits}`),
    );
    expect(kits.sort()).toEqual(
      [
        "A 2020-10-05 day 44",
        "A 2020-10-05 evening 22",
        "A 2020-10-05 night 10",
        "B 2020-10-06 day 14",
        "B 2020-10-08 evening 6",
        "C 2020-10-09 day 8",
        "D 2020-10-07 night 4",
        "E 2020-10-06 day 7",
      ].sort(),
    );
    // A's red week 1 has no earlier visit: its kits come on Friday's evening run before.
    const friday = stops.find((stop) => stop.siteId === "A" && stop.run.date === "2020-10-02");
    expect(friday?.run.kind).toBe("evening");
    expect(friday?.collects).toEqual([]);
    expect(friday?.kits).toHaveLength(3);
  });

  it("sends Bornholm's site to its own depot and everything else to the main lab", () => {
    for (const stop of stops) expect(stop.depot).toBe(stop.siteId === "E" ? ISLAND.name : MAIN.name);
  });

  it.each([
    {
      name: "without a municipality list, a site goes to the nearest depot",
      island: { ...ISLAND, municipalityCodes: undefined },
      expected: { A: MAIN.name, B: MAIN.name, C: MAIN.name, D: MAIN.name, E: ISLAND.name },
    },
    {
      name: "a listed municipality goes to its depot however far",
      island: { ...ISLAND, municipalityCodes: [101] },
      expected: { A: ISLAND.name, B: ISLAND.name, C: MAIN.name, D: MAIN.name, E: ISLAND.name },
    },
  ])("$name", ({ island, expected }) => {
    const other = planRegionPickupRoutes({ ...INPUT, routing: { ...ROUTING, depots: [MAIN, island] } });
    const depotBySite = Object.fromEntries(
      other.runs.flatMap((run) => run.stops.map((s) => [s.siteId, s.depot])),
    );
    expect(depotBySite).toEqual(expected);
  });

  it("gives ETAs that rise along each route", () => {
    for (const run of plan.runs) {
      for (const route of run.routes) {
        const etas = route.stops.map((stop) => stop.arrival);
        expect(etas).toEqual([...etas].sort((a, b) => a - b));
      }
    }
  });

  it("reports nothing for a feasible week", () => {
    expect(plan.waitViolations).toEqual([]);
    expect(plan.unservedKits).toEqual([]);
    expect(plan.runs.flatMap((run) => run.violations)).toEqual([]);
  });

  it("rejects a region without a depot and a stop without coordinates", () => {
    expect(() => planRegionPickupRoutes({ ...INPUT, routing: { ...ROUTING, depots: [] } })).toThrow(/depot/);
    expect(() => planRegionPickupRoutes({ ...INPUT, sites: new Map() })).toThrow(/coordinates/);
  });
});
