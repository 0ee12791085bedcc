import { describe, expect, it } from "vitest";
import { DEFAULT_PICKUP_DAY_SETTINGS, type TestSession } from "../../src/domain/pickup-days.ts";
import {
  planRegionPickupRoutes,
  type PlannedStop,
  type RegionPickupInput,
  type RegionPickupPlan,
  type SiteStopInfo,
} from "../../src/domain/pickup-routes.ts";

/** A matcher for a worked-out figure with float rounding: equal to about 4 decimals. */
function near(value: number): number {
  return expect.closeTo(value, 4) as number;
}

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

/**
 * The plan of INPUT, made inside each test (not once per describe) so that mutation testing runs
 * the code under test with each mutant active.
 */
function planInput(): { plan: RegionPickupPlan; stops: PlannedStop[] } {
  const plan = planRegionPickupRoutes(INPUT);
  return { plan, stops: plan.runs.flatMap((run) => run.stops) };
}

describe("planRegionPickupRoutes", () => {
  it("collects every session's samples exactly once", () => {
    const { stops } = planInput();
    const collected = stops.flatMap((stop) =>
      stop.collects.map((c) => `${stop.siteId} ${c.date} ${c.shift} ${c.samples}`),
    );
    expect(collected.sort()).toEqual(
      SESSIONS.map((s) => `${s.siteId} ${s.date} ${s.shift} ${s.tests}`).sort(),
    );
  });

  it("visits each site at most once per run and numbers its routes 1…n", () => {
    const { plan } = planInput();
    for (const run of plan.runs) {
      const ids = run.stops.map((stop) => stop.siteId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(run.routes.map((route) => route.number)).toEqual(run.routes.map((_, i) => i + 1));
      for (const stop of run.stops) expect(stop.routeCount).toBe(run.routes.length);
    }
  });

  it("brings every session's kits (tests + 10 %, rounded up), delivery-only stops where needed", () => {
    const { stops } = planInput();
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
    const { stops } = planInput();
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
    const { plan } = planInput();
    for (const run of plan.runs) {
      for (const route of run.routes) {
        const etas = route.stops.map((stop) => stop.arrival);
        expect(etas).toEqual([...etas].sort((a, b) => a - b));
      }
    }
  });

  it("reports nothing for a feasible week", () => {
    const { plan } = planInput();
    expect(plan.waitViolations).toEqual([]);
    expect(plan.unservedKits).toEqual([]);
    expect(plan.runs.flatMap((run) => run.violations)).toEqual([]);
  });

  it("rejects a region without a depot and a stop without coordinates", () => {
    expect(() => planRegionPickupRoutes({ ...INPUT, routing: { ...ROUTING, depots: [] } })).toThrow(/depot/);
    expect(() => planRegionPickupRoutes({ ...INPUT, sites: new Map() })).toThrow(/coordinates/);
  });
});

describe("planRegionPickupRoutes on a worked-out week", () => {
  // Two labs 3° of longitude apart; every site 0.5° due north of its lab. 0.5° of a meridian is
  // 55.59754 km, × 1.3 = 72.27680 road km, at 50 km/h = 86.73216 min each way.
  const WEST = { name: "West lab", location: { latitude: 55.5, longitude: 12 }, vehicles: 2 };
  const EAST = {
    name: "East lab",
    location: { latitude: 55.5, longitude: 15 },
    vehicles: 1,
    municipalityCodes: [400],
  };
  const WEEK_SITES = new Map<string, SiteStopInfo>([
    ["A", { municipalityCode: 101, location: { latitude: 56, longitude: 12 } }],
    ["B", { municipalityCode: 101, location: { latitude: 55, longitude: 12 } }],
    [
      "E",
      {
        municipalityCode: 400,
        location: { latitude: 56, longitude: 15 },
        openingHours: { open: "06:00", close: "08:30" },
      },
    ],
  ]);
  const run = (date: string, kind: "morning" | "evening") =>
    kind === "morning"
      ? { date, kind, departure: "07:30", latestArrival: "12:00" }
      : { date, kind, departure: "15:30", latestArrival: "19:00" };
  const FRI_EVENING = run("2020-10-02", "evening");
  const MON = run("2020-10-05", "morning");
  const TUE = run("2020-10-06", "morning");
  const WED = run("2020-10-07", "morning");
  const FRI = run("2020-10-09", "morning");
  const EARLIER_COLLECT = { date: "2020-10-02", shift: "evening", samples: 4, waitHours: 61 } as const;
  const EARLIER_KITS = { date: "2020-10-05", shift: "evening", kits: 3 } as const;
  const WEEK_INPUT: RegionPickupInput = {
    sessions: [
      { siteId: "E", date: "2020-10-08", shift: "evening", tests: 5 },
      { siteId: "E", date: "2020-10-06", shift: "day", tests: 6 },
      { siteId: "A", date: "2020-10-06", shift: "day", tests: 20 },
      { siteId: "B", date: "2020-10-05", shift: "day", tests: 10 },
    ],
    sites: WEEK_SITES,
    pickupDays: DEFAULT_PICKUP_DAY_SETTINGS,
    kits: { bufferPercent: 10 },
    routing: { depots: [WEST, EAST], stopMinutes: 10, speedKmh: 50, roadFactor: 1.3 },
    deliveryFrom: "2020-10-02",
    // Last week's plan already sends a van to A on Monday morning, with kits for Monday evening.
    earlierVisits: [{ siteId: "A", run: MON, collects: [EARLIER_COLLECT], kits: [EARLIER_KITS] }],
  };

  it("lists every stop by run, then site id, with what it collects and brings", () => {
    // Samples: a day shift (07–15) rides the next morning run; waits to 12:00 are 21 h. E's
    // Thursday evening (ends 23:00) rides Friday morning: 13 h. Kits (tests + 10 %, rounded up)
    // ride the last visit back at the lab before the session starts (day 07:00, evening 15:00):
    // B Mon day 11 kits: no visit of B before → delivery-only on Friday evening (back 19:00);
    // A Tue day 22: the earlier plan's Monday visit; E Tue day 7: no visit of E before →
    // delivery-only Monday morning; E Thu evening 6: E's Wednesday pickup (back Wed 12:00).
    const plan = planRegionPickupRoutes(WEEK_INPUT);
    expect(plan.stops).toEqual([
      {
        siteId: "B",
        run: FRI_EVENING,
        collects: [],
        kits: [{ date: "2020-10-05", shift: "day", kits: 11 }],
        fromEarlierPlan: false,
      },
      {
        siteId: "A",
        run: MON,
        collects: [EARLIER_COLLECT],
        kits: [EARLIER_KITS, { date: "2020-10-06", shift: "day", kits: 22 }],
        fromEarlierPlan: true,
      },
      {
        siteId: "E",
        run: MON,
        collects: [],
        kits: [{ date: "2020-10-06", shift: "day", kits: 7 }],
        fromEarlierPlan: false,
      },
      {
        siteId: "B",
        run: TUE,
        collects: [{ date: "2020-10-05", shift: "day", samples: 10, waitHours: 21 }],
        kits: [],
        fromEarlierPlan: false,
      },
      {
        siteId: "A",
        run: WED,
        collects: [{ date: "2020-10-06", shift: "day", samples: 20, waitHours: 21 }],
        kits: [],
        fromEarlierPlan: false,
      },
      {
        siteId: "E",
        run: WED,
        collects: [{ date: "2020-10-06", shift: "day", samples: 6, waitHours: 21 }],
        kits: [{ date: "2020-10-08", shift: "evening", kits: 6 }],
        fromEarlierPlan: false,
      },
      {
        siteId: "E",
        run: FRI,
        collects: [{ date: "2020-10-08", shift: "evening", samples: 5, waitHours: 13 }],
        kits: [],
        fromEarlierPlan: false,
      },
    ]);
    expect(plan.allocations).toEqual([
      {
        siteId: "B",
        date: "2020-10-05",
        shift: "day",
        tests: 10,
        kits: 11,
        run: FRI_EVENING,
        deliveryOnly: true,
      },
      { siteId: "A", date: "2020-10-06", shift: "day", tests: 20, kits: 22, run: MON, deliveryOnly: false },
      { siteId: "E", date: "2020-10-06", shift: "day", tests: 6, kits: 7, run: MON, deliveryOnly: true },
      { siteId: "E", date: "2020-10-08", shift: "evening", tests: 5, kits: 6, run: WED, deliveryOnly: false },
    ]);
    expect(plan.waitViolations).toEqual([]);
    expect(plan.unservedKits).toEqual([]);
  });

  it("numbers routes on across labs and reports a late site under its route's number", () => {
    // Monday: West lab's route to A is route 1, East lab's route to E route 2. Each van arrives
    // 07:30 + 86.73216 = 536.73216 (08:56.73); E closes 08:30 (510): 26.73216 min after closing.
    // Friday: only E, so East lab's route is route 1.
    const plan = planRegionPickupRoutes(WEEK_INPUT);
    expect(plan.runs.map((r) => r.run)).toEqual([FRI_EVENING, MON, TUE, WED, FRI]);
    const monday = plan.runs[1];
    expect(
      monday?.routes.map((route) => [route.number, route.depot.name, route.stops.map((s) => s.siteId)]),
    ).toEqual([
      [1, "West lab", ["A"]],
      [2, "East lab", ["E"]],
    ]);
    expect(monday?.violations).toEqual([
      { kind: "after-closing", route: 2, minutes: near(26.73216), siteId: "E" },
    ]);
    expect(
      monday?.stops.map((s) => [s.siteId, s.depot, s.route, s.routeCount, s.order, s.fromEarlierPlan]),
    ).toEqual([
      ["A", "West lab", 1, 2, 1, true],
      ["E", "East lab", 2, 2, 1, false],
    ]);
    expect(monday?.stops.map((s) => s.eta)).toEqual([near(536.73216), near(536.73216)]);
    const friday = plan.runs[4];
    expect(friday?.routes.map((route) => [route.number, route.depot.name])).toEqual([[1, "East lab"]]);
    expect(friday?.violations).toEqual([
      { kind: "after-closing", route: 1, minutes: near(26.73216), siteId: "E" },
    ]);
    // Friday evening: B alone, leaves 15:30 (930), arrives 930 + 86.73216, no lateness.
    expect(plan.runs[0]?.stops.map((s) => [s.siteId, s.route, s.eta])).toEqual([["B", 1, near(1016.73216)]]);
    expect(plan.runs[0]?.violations).toEqual([]);
  });

  it.each([
    {
      name: "West lab listed first",
      depots: [WEST, { ...EAST, municipalityCodes: undefined }],
      lab: "West lab",
    },
    {
      name: "East lab listed first",
      depots: [{ ...EAST, municipalityCodes: undefined }, WEST],
      lab: "East lab",
    },
  ])("gives a site exactly between two labs to the one listed first: $name", ({ depots, lab }) => {
    // M lies on the labs' parallel, 1.5° of longitude from each: the same great-circle distance.
    const plan = planRegionPickupRoutes({
      ...WEEK_INPUT,
      sessions: [{ siteId: "M", date: "2020-10-06", shift: "day", tests: 1 }],
      sites: new Map([["M", { municipalityCode: 101, location: { latitude: 55.5, longitude: 13.5 } }]]),
      routing: { depots, stopMinutes: 10, speedKmh: 50, roadFactor: 1.3 },
      earlierVisits: undefined,
    });
    const stops = plan.runs.flatMap((r) => r.stops);
    // Kits on Monday morning (delivery-only), samples on Wednesday morning.
    expect(stops.map((s) => [s.run.date, s.siteId, s.depot])).toEqual([
      ["2020-10-05", "M", lab],
      ["2020-10-07", "M", lab],
    ]);
  });
});
