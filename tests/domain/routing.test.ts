import { describe, expect, it } from "vitest";
import { measureGreatCircleKm, type GeoPoint } from "../../src/domain/geo.ts";
import {
  compareSiteIds,
  planRoutes,
  type RoutePlan,
  type RouteSettings,
  type RouteStopInput,
} from "../../src/domain/routing.ts";
import { createSeededRandom } from "../../src/roster/seeded-random.ts";

/** A matcher for a worked-out figure with float rounding: equal to about 5 decimals. */
function near(value: number): number {
  return expect.closeTo(value, 5) as number;
}

const DEPOT: GeoPoint = { latitude: 55.5, longitude: 12 };
const SETTINGS: RouteSettings = {
  depot: DEPOT,
  vehicles: 1,
  stopMinutes: 10,
  speedKmh: 50,
  roadFactor: 1.3,
  departure: "07:30",
  latestArrival: "12:00",
};
/** Minutes after midnight of 07:30. */
const DEPARTURE = 450;

function stop(
  siteId: string,
  latitude: number,
  longitude: number,
  extra: Partial<RouteStopInput> = {},
): RouteStopInput {
  return { siteId, location: { latitude, longitude }, ...extra };
}

/** Independent of the planner: road minutes between two points at the settings' factor and speed. */
function legMinutes(a: GeoPoint, b: GeoPoint, settings: RouteSettings = SETTINGS): number {
  return ((measureGreatCircleKm(a, b) * settings.roadFactor) / settings.speedKmh) * 60;
}

/** Duration of visiting `points` in this order from the depot and back (no opening hours). */
function tourMinutes(points: readonly GeoPoint[], settings: RouteSettings = SETTINGS): number {
  let total = 0;
  let previous = settings.depot;
  for (const point of points) {
    total += legMinutes(previous, point, settings) + settings.stopMinutes;
    previous = point;
  }
  return total + legMinutes(previous, settings.depot, settings);
}

/** Shortest tour over all orders (Heap's algorithm, every permutation): the true optimum for a few stops. */
function bruteForceTour(points: readonly GeoPoint[]): number {
  const n = points.length;
  if (n === 0) return 0;
  const all = [SETTINGS.depot, ...points];
  const leg = all.map((a) => all.map((b) => legMinutes(a, b)));
  const order = Array.from({ length: n }, (_, i) => i + 1);
  const cost = (): number => {
    let total = (leg[0]?.[order[0] as number] ?? 0) + (leg[order[n - 1] as number]?.[0] ?? 0);
    for (let i = 1; i < n; i++) total += leg[order[i - 1] as number]?.[order[i] as number] ?? 0;
    return total + n * SETTINGS.stopMinutes;
  };
  let best = cost();
  const counters = Array<number>(n).fill(0);
  for (let i = 1; i < n;) {
    if ((counters[i] ?? 0) < i) {
      const j = i % 2 === 0 ? 0 : (counters[i] ?? 0);
      [order[j], order[i]] = [order[i] as number, order[j] as number];
      best = Math.min(best, cost());
      counters[i] = (counters[i] ?? 0) + 1;
      i = 1;
    } else {
      counters[i] = 0;
      i += 1;
    }
  }
  return best;
}

/** Shortest longest route when the points are split over at most `vehicles` routes, by brute force. */
function bruteForceMakespan(points: readonly GeoPoint[], vehicles: number): number {
  const bestBySubset = new Map<number, number>();
  for (let mask = 1; mask < 1 << points.length; mask++) {
    bestBySubset.set(mask, bruteForceTour(points.filter((_, i) => (mask & (1 << i)) !== 0)));
  }
  let best = Infinity;
  const assign = (i: number, masks: number[]): void => {
    if (i === points.length) {
      best = Math.min(
        best,
        Math.max(...masks.map((mask) => (mask === 0 ? 0 : (bestBySubset.get(mask) ?? 0)))),
      );
      return;
    }
    for (let v = 0; v < vehicles; v++) {
      masks[v] = (masks[v] ?? 0) | (1 << i);
      assign(i + 1, masks);
      masks[v] = (masks[v] ?? 0) & ~(1 << i);
    }
  };
  assign(0, Array<number>(vehicles).fill(0));
  return best;
}

/**
 * Random stops within about ±35 km of the depot (a region's radius), ids S00, S01, …; with
 * `offCentre` the lab sits at the southern edge of the area instead, as many labs do.
 */
function randomStops(seed: number, count: number, offCentre = false): RouteStopInput[] {
  const random = createSeededRandom(seed);
  const north = offCentre ? 0.3 : 0;
  return Array.from({ length: count }, (_, i) =>
    stop(
      `S${String(i).padStart(2, "0")}`,
      DEPOT.latitude + north + (random() - 0.5) * 0.6,
      DEPOT.longitude + (random() - 0.5),
    ),
  );
}

function allStopIds(plan: RoutePlan): string[] {
  return plan.routes.flatMap((route) => route.stops.map((s) => s.siteId));
}

describe("planRoutes against brute force (≤ 8 stops, every order tried)", () => {
  it("orders one route within 5 % of the optimum on 300 fixed-seed instances (half with the lab off-centre)", () => {
    let worst = 1;
    let sum = 0;
    for (let instance = 0; instance < 300; instance++) {
      const stops = randomStops(1000 + instance, 1 + (instance % 8), instance >= 150);
      const plan = planRoutes(stops, { ...SETTINGS, latestArrival: "23:00" });
      const route = plan.routes[0];
      expect(plan.routes).toHaveLength(1);
      const byId = new Map(stops.map((s) => [s.siteId, s.location]));
      const heuristic = tourMinutes(route?.stops.map((s) => byId.get(s.siteId) as GeoPoint) ?? []);
      expect(route?.durationMinutes).toBeCloseTo(heuristic, 6);
      const ratio = heuristic / bruteForceTour(stops.map((s) => s.location));
      worst = Math.max(worst, ratio);
      sum += ratio;
    }
    console.log(
      `one route, 300 instances of 1–8 stops: tour duration/optimum worst ${worst.toFixed(4)}, mean ${(sum / 300).toFixed(4)}`,
    );
    expect(worst).toBeLessThanOrEqual(1.05);
  });

  it.each([{ vehicles: 2 }, { vehicles: 3 }])(
    "splits over $vehicles vans with the longest route within 5 % of the optimum (80 instances)",
    ({ vehicles }) => {
      let worst = 1;
      let sum = 0;
      for (let instance = 0; instance < 80; instance++) {
        const stops = randomStops(2000 + 100 * vehicles + instance, 2 + (instance % 7), instance % 2 === 1);
        // Every van is late, so the plan minimises the longest route over all `vehicles` vans.
        const plan = planRoutes(stops, { ...SETTINGS, vehicles, latestArrival: "07:31" });
        const heuristic = Math.max(...plan.routes.map((route) => route.durationMinutes));
        const ratio =
          heuristic /
          bruteForceMakespan(
            stops.map((s) => s.location),
            vehicles,
          );
        worst = Math.max(worst, ratio);
        sum += ratio;
      }
      console.log(
        `${vehicles} vans, 80 instances of 2–8 stops (half with the lab off-centre): longest route/optimum worst ${worst.toFixed(4)}, mean ${(sum / 80).toFixed(4)}`,
      );
      expect(worst).toBeLessThanOrEqual(1.05);
    },
  );
});

describe("planRoutes known cases", () => {
  it("zero stops: no routes, no violations", () => {
    expect(planRoutes([], SETTINGS)).toEqual({ routes: [], violations: [] });
  });

  it("one stop 0.5° north: out and back, ETA = departure + 86.73 min", () => {
    // 0.5° of latitude = 55.59754 km great circle, × 1.3 = 72.27680 km, at 50 km/h = 86.73216 min.
    const plan = planRoutes([stop("S1", 56, 12)], SETTINGS);
    expect(plan.routes).toHaveLength(1);
    const [only] = plan.routes[0]?.stops ?? [];
    expect(only?.order).toBe(1);
    expect(only?.legKm).toBeCloseTo(72.2768, 3);
    expect(only?.arrival).toBeCloseTo(DEPARTURE + 86.73216, 4);
    expect(only?.departure).toBeCloseTo(DEPARTURE + 96.73216, 4);
    expect(plan.routes[0]?.returnAt).toBeCloseTo(DEPARTURE + 183.46433, 4);
    expect(plan.routes[0]?.distanceKm).toBeCloseTo(144.5536, 3);
    expect(plan.violations).toEqual([]);
  });

  it("collinear stops due north of the lab are visited in one sweep out (or back), never zig-zag", () => {
    // On one meridian, a great circle: the legs add up exactly.
    const stops = [stop("C", 55.8, 12), stop("A", 55.6, 12), stop("D", 55.9, 12), stop("B", 55.7, 12)];
    const plan = planRoutes(stops, { ...SETTINGS, latestArrival: "23:00" });
    const ids = allStopIds(plan);
    expect([
      ["A", "B", "C", "D"],
      ["D", "C", "B", "A"],
    ]).toContainEqual(ids);
    // Out to the farthest and back: twice the distance to D, road factor 1.3.
    const farthest = measureGreatCircleKm(DEPOT, { latitude: 55.9, longitude: 12 });
    expect(plan.routes[0]?.distanceKm).toBeCloseTo(2 * farthest * 1.3, 6);
  });

  it("two sites at the same address are consecutive stops with a 0 km leg between them", () => {
    const stops = [stop("S2", 55.8, 12.2), stop("S1", 55.8, 12.2), stop("S3", 55.6, 12.5)];
    const plan = planRoutes(stops, { ...SETTINGS, latestArrival: "23:00" });
    const ids = allStopIds(plan);
    const later = Math.max(ids.indexOf("S1"), ids.indexOf("S2"));
    expect(later - Math.min(ids.indexOf("S1"), ids.indexOf("S2"))).toBe(1);
    expect(plan.routes[0]?.stops[later]?.legKm).toBe(0);
  });

  it("uses as few vans as meet the latest arrival", () => {
    const stops = [stop("N", 55.55, 12), stop("S", 55.45, 12)];
    expect(planRoutes(stops, { ...SETTINGS, vehicles: 3 }).routes).toHaveLength(1);
  });

  it("waits for opening hours and reports a site reached after closing", () => {
    // Arrival 07:30 + 86.73 min = 08:56.73 at both sites below (each alone on its route).
    const open = planRoutes(
      [stop("S1", 56, 12, { openingHours: { open: "09:00", close: "15:00" } })],
      SETTINGS,
    );
    const waited = open.routes[0]?.stops[0];
    expect(waited?.waitMinutes).toBeCloseTo(3.26784, 4);
    expect(waited?.serviceStart).toBe(540);
    expect(open.violations).toEqual([]);

    const closed = planRoutes(
      [stop("S1", 56, 12, { openingHours: { open: "06:00", close: "08:30" } })],
      SETTINGS,
    );
    expect(closed.violations).toHaveLength(1);
    expect(closed.violations[0]).toMatchObject({ kind: "after-closing", route: 1, siteId: "S1" });
    expect(closed.violations[0]?.minutes).toBeCloseTo(26.73216, 4);
  });

  it.each([
    {
      name: "one van, sites 0.5° north and south: back at 13:36.93, 216.93 min late",
      vehicles: 1,
      // Lab → N 86.73, N → S 173.46 (1° = 111.19508 km × 1.3 at 50 km/h), S → lab 86.73, 2 × 10 min on site.
      late: [{ route: 1, minutes: 216.92865, siteIds: 2 }],
    },
    {
      name: "two vans: each route back at 10:33.46, both 33.46 min late",
      vehicles: 2,
      late: [
        { route: 1, minutes: 33.46433, siteIds: 1 },
        { route: 2, minutes: 33.46433, siteIds: 1 },
      ],
    },
  ])("reports late routes with their stops and minutes: $name", ({ vehicles, late }) => {
    const plan = planRoutes([stop("N", 56, 12), stop("S", 55, 12)], {
      ...SETTINGS,
      latestArrival: "10:00",
      vehicles,
    });
    expect(plan.violations).toHaveLength(late.length);
    late.forEach((expected, i) => {
      const violation = plan.violations[i];
      expect(violation?.kind).toBe("late-at-lab");
      expect(violation?.route).toBe(expected.route);
      expect(violation?.minutes).toBeCloseTo(expected.minutes, 3);
      if (violation?.kind === "late-at-lab") expect(violation.siteIds).toHaveLength(expected.siteIds);
    });
    expect(allStopIds(plan).sort()).toEqual(["N", "S"]);
  });

  it.each([
    {
      name: "no vans",
      settings: { ...SETTINGS, vehicles: 0 },
      message: "planRoutes: vehicles 0, expected a whole number ≥ 1",
    },
    {
      name: "a depot without valid coordinates",
      settings: { ...SETTINGS, depot: { latitude: 95, longitude: 12 } },
      message: "planRoutes: depot has no valid coordinates",
    },
    {
      name: "latest arrival before departure",
      settings: { ...SETTINGS, latestArrival: "07:00" },
      message: "planRoutes: latest arrival 07:00 is not after departure 07:30",
    },
    {
      name: "latest arrival equal to departure",
      settings: { ...SETTINGS, latestArrival: "07:30" },
      message: "planRoutes: latest arrival 07:30 is not after departure 07:30",
    },
    {
      name: "a bad clock time",
      settings: { ...SETTINGS, departure: "7:30" },
      message: 'clock time "7:30", expected HH:MM (00:00–23:59)',
    },
  ])("rejects $name", ({ settings, message }) => {
    expect(() => planRoutes([stop("S1", 56, 12)], settings)).toThrow(new RangeError(message));
  });

  it("rejects the same site twice, a site without valid coordinates and opening hours that end before they start", () => {
    expect(() => planRoutes([stop("S1", 56, 12), stop("S1", 55, 12)], SETTINGS)).toThrow(/twice/);
    expect(() => planRoutes([stop("S1", 95, 12)], SETTINGS)).toThrow(/coordinates/);
    expect(() =>
      planRoutes([stop("S1", 56, 12, { openingHours: { open: "15:00", close: "09:00" } })], SETTINGS),
    ).toThrow(/opening before closing/);
    // Opening and closing at the same minute is no opening at all.
    expect(() =>
      planRoutes([stop("S1", 56, 12, { openingHours: { open: "09:00", close: "09:00" } })], SETTINGS),
    ).toThrow(
      new RangeError("planRoutes: site S1 opens 09:00 and closes 09:00, expected opening before closing"),
    );
  });

  it("gives two sites at one address, listed in either order, to the lower site id first, all figures worked out", () => {
    // Lab 55.5° N 12° E → 55.8° N 12° E: 0.3° of a meridian = 3 × 111.19508 km = 33.358524 km,
    // × 1.3 = 43.366081 road km, at 50 km/h = 52.039297 min. 10 min per stop, 0 km between them.
    // Departure 07:30 = 450: S1 arrives 502.039297, leaves 512.039297; S2 arrives 512.039297,
    // leaves 522.039297; back 52.039297 later at 574.078594 (124.078594 min, 86.732162 km).
    const expected: RoutePlan = {
      routes: [
        {
          number: 1,
          departure: 450,
          stops: [
            {
              siteId: "S1",
              order: 1,
              legKm: near(43.366081),
              legMinutes: near(52.039297),
              arrival: near(502.039297),
              waitMinutes: 0,
              serviceStart: near(502.039297),
              departure: near(512.039297),
              minutesAfterClose: 0,
            },
            {
              siteId: "S2",
              order: 2,
              legKm: 0,
              legMinutes: 0,
              arrival: near(512.039297),
              waitMinutes: 0,
              serviceStart: near(512.039297),
              departure: near(522.039297),
              minutesAfterClose: 0,
            },
          ],
          returnLegKm: near(43.366081),
          returnLegMinutes: near(52.039297),
          returnAt: near(574.078594),
          distanceKm: near(86.732162),
          durationMinutes: near(124.078594),
          minutesLate: 0,
        },
      ],
      violations: [],
    };
    const s1 = stop("S1", 55.8, 12);
    const s2 = stop("S2", 55.8, 12);
    expect(planRoutes([s2, s1], SETTINGS)).toEqual(expected);
    expect(planRoutes([s1, s2], SETTINGS)).toEqual(expected);
  });

  it("numbers routes by bearing from the lab, clockwise from north, whatever the site ids", () => {
    // Four sites about 22 km north, east, south and west of the lab: alone each route takes about
    // 2 × 34.7 + 10 = 79 min, two sites on one route at least 2 × 34.4 + 48.8 + 20 = 137 min; by
    // 09:10 (100 min) every site needs its own van. Ids run against the bearings (D north … A west).
    const stops = [stop("A", 55.5, 11.65), stop("B", 55.3, 12), stop("C", 55.5, 12.35), stop("D", 55.7, 12)];
    const plan = planRoutes(stops, { ...SETTINGS, vehicles: 4, latestArrival: "09:10" });
    expect(plan.routes.map((route) => [route.number, route.stops.map((s) => s.siteId)])).toEqual([
      [1, ["D"]],
      [2, ["C"]],
      [3, ["B"]],
      [4, ["A"]],
    ]);
    expect(plan.violations).toEqual([]);
  });

  it.each([
    {
      name: "the near sites' A first",
      near: ["A", "C", "D"],
      far: "B",
      expected: [["A", "C", "D"], ["B"]],
    },
    {
      name: "the far site's A first",
      near: ["B", "C", "D"],
      far: "A",
      expected: [["A"], ["B", "C", "D"]],
    },
  ])("numbers routes on the same bearing by their lowest site id: $name", ({ near, far, expected }) => {
    // Four sites due north (bearing exactly 0), three near at 0.1°, 0.2° and 0.3° and one far at
    // 0.4° from the lab. 0.1° is 11.119508 km × 1.3 at 50 km/h = 17.346432 min. The far one alone:
    // 8 × 17.346432 + 10 = 148.77 min, back 09:58.77; the near three together: 6 × 17.346432 + 30
    // = 134.08 min; all four on one van: 178.77 min, past 10:00; the far one with any other site:
    // ≥ 158.77 min. So the far site rides alone and the near three share the other van; the route
    // holding the lowest id (A) is route 1.
    const stops = [
      stop(near[0] as string, 55.6, 12),
      stop(near[1] as string, 55.7, 12),
      stop(near[2] as string, 55.8, 12),
      stop(far, 55.9, 12),
    ];
    const plan = planRoutes(stops, { ...SETTINGS, vehicles: 2, latestArrival: "10:00" });
    expect(plan.routes.map((route) => route.stops.map((s) => s.siteId).sort())).toEqual(expected);
    const farRoute = plan.routes.find((route) => route.stops.length === 1);
    expect(farRoute?.returnAt).toBeCloseTo(DEPARTURE + 148.771456, 5);
    expect(plan.violations).toEqual([]);
  });
});

describe("compareSiteIds", () => {
  it.each([
    { a: "S1", b: "S2", result: -1 },
    { a: "S2", b: "S1", result: 1 },
    { a: "S1", b: "S1", result: 0 },
    // By UTF-16 code unit: "Z" (90) before "a" (97), "S10" before "S9"; a locale compare differs.
    { a: "Z", b: "a", result: -1 },
    { a: "S9", b: "S10", result: 1 },
  ])("$a vs $b → $result", ({ a, b, result }) => {
    expect(compareSiteIds(a, b)).toBe(result);
  });
});

describe("planRoutes invariants on region-sized runs", () => {
  const cases = [
    { name: "12 stops, 2 vans", seed: 1, count: 12, vehicles: 2, latestArrival: "12:00" },
    { name: "30 stops, 3 vans", seed: 2, count: 30, vehicles: 3, latestArrival: "12:00" },
    { name: "45 stops, 4 vans, too few for 12:00", seed: 3, count: 45, vehicles: 4, latestArrival: "10:00" },
    { name: "45 stops, 6 vans", seed: 4, count: 45, vehicles: 6, latestArrival: "12:00" },
  ];

  it.each(cases)("$name: every stop on exactly one route, ETAs add up, lateness reported", (c) => {
    const stops = randomStops(c.seed, c.count);
    const settings = { ...SETTINGS, vehicles: c.vehicles, latestArrival: c.latestArrival };
    const plan = planRoutes(stops, settings);
    const byId = new Map(stops.map((s) => [s.siteId, s.location]));

    expect(allStopIds(plan).sort()).toEqual(stops.map((s) => s.siteId).sort());
    expect(plan.routes.length).toBeLessThanOrEqual(c.vehicles);
    const latest = Number(c.latestArrival.slice(0, 2)) * 60 + Number(c.latestArrival.slice(3));
    for (const route of plan.routes) {
      let clock = DEPARTURE;
      let previous = DEPOT;
      route.stops.forEach((s, i) => {
        const location = byId.get(s.siteId) as GeoPoint;
        expect(s.order).toBe(i + 1);
        expect(s.arrival).toBeCloseTo(clock + legMinutes(previous, location), 6);
        expect(s.arrival).toBeGreaterThanOrEqual(clock);
        expect(s.departure).toBeCloseTo(s.arrival + 10, 6);
        clock = s.departure;
        previous = location;
      });
      expect(route.returnAt).toBeCloseTo(clock + legMinutes(previous, DEPOT), 6);
      const late = plan.violations.find((v) => v.kind === "late-at-lab" && v.route === route.number);
      if (route.returnAt > latest + 1e-9) {
        expect(late?.minutes).toBeCloseTo(route.returnAt - latest, 6);
      } else {
        expect(late).toBeUndefined();
      }
    }
  });

  it("gives the same plan for the same stops in any input order", () => {
    const stops = randomStops(5, 25);
    const settings = { ...SETTINGS, vehicles: 3 };
    const reversed = planRoutes([...stops].reverse(), settings);
    const shuffled = planRoutes([...stops.slice(10), ...stops.slice(0, 10)], settings);
    expect(reversed).toEqual(planRoutes(stops, settings));
    expect(shuffled).toEqual(reversed);
  });
});
