/**
 * The planner's pickups end to end (issue 12): test days chosen under the maximum wait, every stop
 * on one route, ETAs that add up, lateness reported, kits at an earlier visit. The world is three
 * municipalities of Region Sjælland with the seeded demo roster placed inside their boundaries;
 * every expectation is recomputed here from the rules (haversine, shift hours, run times), not
 * read back from the code under test.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PICKUP_DAY_SETTINGS } from "../../src/domain/pickup-days.ts";
import type { PickupStop } from "../../src/domain/pickup-routes.ts";
import type { PlanInput, PlannedTest, RegionPlanSettings, WeekPlan } from "../../src/domain/plan-types.ts";
import { cycleWeekOf, planWeek } from "../../src/domain/planner.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { staffKey, type Shift, type Site, type StaffMember } from "../../src/domain/roster.ts";
import { deliveryStartOf, planWeekPickups, type RegionPickups } from "../../src/domain/week-pickups.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readBoundaries } from "../../src/roster/read-boundaries.ts";

const MUNICIPALITIES: Municipality[] = [
  { code: 336, name: "Stevns", regionCode: 1085, population: 22_500, aliases: [] },
  { code: 320, name: "Faxe", regionCode: 1085, population: 36_500, aliases: [] },
  { code: 370, name: "Næstved", regionCode: 1085, population: 82_800, aliases: [] },
];
const SLAGELSE = { latitude: 55.4023, longitude: 11.358 };
const ROUTES = {
  depots: [{ name: "KMA Slagelse", location: SLAGELSE, vehicles: 4 }],
  stopMinutes: 10,
  speedKmh: 50,
  roadFactor: 1.3,
};
const REGION: RegionPlanSettings = {
  code: 1085,
  testWeekdays: [1, 2, 3, 4, 5],
  labCapacityPerDay: 5000,
  pickups: DEFAULT_PICKUP_DAY_SETTINGS,
  routes: ROUTES,
  kits: { bufferPercent: 10 },
};
const TEST_WEEK = { year: 2020, week: 41 };
const SHIFT_HOURS: Record<Shift, { start: string; end: string }> = {
  day: { start: "07:00", end: "15:00" },
  evening: { start: "15:00", end: "23:00" },
  night: { start: "23:00", end: "07:00" },
};

let sites: Site[];
let staff: StaffMember[];

function inputFor(region: RegionPlanSettings, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    testWeek: TEST_WEEK,
    cycleAnchor: { year: 2020, week: 1 },
    regions: [region],
    municipalities: MUNICIPALITIES,
    sites,
    staff,
    // Faxe in its red week 1: all its staff this week, each site's first session included.
    redOrders: [{ municipalityCode: 320, reason: "red-week-1", limitToSites: null }],
    statusByCode: new Map([[320, { status: "red", incidence: 40 }]]),
    previousSlots: new Map(),
    carriedOver: [],
    ...extra,
  };
}

function pickupsOf(plan: WeekPlan): RegionPickups {
  const pickups = plan.pickups[0];
  if (pickups === undefined) throw new Error("no pickups");
  return pickups;
}

/** ISO weekday (1 Monday … 7 Sunday) of a date, by the UTC calendar. */
function weekdayOf(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

function addDays(date: string, days: number): string {
  const value = new Date(`${date}T00:00:00Z`);
  value.setUTCDate(value.getUTCDate() + days);
  return value.toISOString().slice(0, 10);
}

/** Hours between two local wall times in Copenhagen in October 2020 (no DST change that week). */
function hoursBetween(fromDate: string, fromTime: string, toDate: string, toTime: string): number {
  const at = (date: string, time: string) => Date.parse(`${date}T${time}:00Z`);
  return (at(toDate, toTime) - at(fromDate, fromTime)) / 3_600_000;
}

/** When a session's samples are ready: the end of the shift, the next morning for the night. */
function readyAt(date: string, shift: Shift): { date: string; time: string } {
  return { date: shift === "night" ? addDays(date, 1) : date, time: SHIFT_HOURS[shift].end };
}

function haversineKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(":").map(Number);
  return hours * 60 + minutes;
}

/** Sessions of the plan's tests: tests per site, date and shift. */
function sessionsOf(tests: readonly PlannedTest[]): Map<string, number> {
  const sessions = new Map<string, number>();
  for (const test of tests) {
    const key = `${test.siteId} ${test.date} ${test.shift}`;
    sessions.set(key, (sessions.get(key) ?? 0) + 1);
  }
  return sessions;
}

beforeAll(async () => {
  const boundaries = await readBoundaries();
  const demo = generateDemoInput({
    municipalities: MUNICIPALITIES,
    seed: 12,
    referenceDate: "2020-09-30",
    boundaries,
  });
  sites = demo.sites;
  staff = demo.staff;
});

describe("test days under the maximum wait (defaults: Monday–Friday runs, Friday evening run, 24 h)", () => {
  let plan: WeekPlan;
  beforeAll(() => {
    plan = planWeek(inputFor(REGION));
  });

  it("tests Friday's evening and night staff on other days, and everyone still once", () => {
    expect(plan.tests.length).toBeGreaterThan(0);
    // A Friday evening shift's samples would wait from 23:00 until Monday noon (61 h), a night
    // shift's from Saturday 07:00 (53 h): neither is chosen.
    expect(plan.tests.filter((t) => t.weekday === 5 && t.shift !== "day")).toEqual([]);
    expect(plan.tests.filter((t) => t.weekday === 5).length).toBeGreaterThan(0);
    const faxe = staff.filter((member) => member.siteId.startsWith("S0320-") && member.endDate === undefined);
    const tested = new Set(plan.tests.map((t) => t.employeeId));
    expect(faxe.every((member) => tested.has(member.employeeId))).toBe(true);
  });

  it("drives no weekend run and keeps every sample within 24 h (worked out from the run times)", () => {
    const { plan: pickups } = pickupsOf(plan);
    for (const stop of pickups.stops) expect(weekdayOf(stop.run.date)).toBeLessThanOrEqual(5);
    expect(pickups.waitViolations).toEqual([]);
    for (const stop of pickups.stops) {
      if (stop.fromEarlierPlan) continue;
      for (const collected of stop.collects) {
        const ready = readyAt(collected.date, collected.shift);
        const wait = hoursBetween(ready.date, ready.time, stop.run.date, stop.run.latestArrival);
        expect(wait).toBeCloseTo(collected.waitHours, 6);
        expect(wait).toBeLessThanOrEqual(24);
        // The van leaves the lab after the shift has ended.
        expect(
          hoursBetween(ready.date, ready.time, stop.run.date, stop.run.departure),
        ).toBeGreaterThanOrEqual(0);
      }
    }
    // Friday's day shift goes with Friday's own evening run (15:00 → 19:00: 4 h).
    const friday = pickups.stops.flatMap((stop) =>
      stop.collects
        .filter((c) => c.date === "2020-10-09")
        .map((c) => [stop.run.date, stop.run.kind, c.waitHours]),
    );
    expect(friday.length).toBeGreaterThan(0);
    for (const entry of friday) expect(entry).toEqual(["2020-10-09", "evening", 4]);
  });

  it("moves a kept slot off a Friday its night shift may no longer be tested on", () => {
    const member = staff.find(
      (m) => m.shift === "night" && m.startDate === undefined && m.endDate === undefined,
    );
    if (member === undefined) throw new Error("no night staff");
    const slot = {
      cycleWeek: cycleWeekOf({ year: 2020, week: 1 }, TEST_WEEK),
      weekday: 5 as const,
      shift: "night" as const,
      siteId: member.siteId,
    };
    // Slots are keyed by the staff identity: (municipality of the site, employee id).
    const municipality = sites.find((site) => site.id === member.siteId)?.municipalityCode;
    if (municipality === undefined) throw new Error(`no site ${member.siteId}`);
    const moved = planWeek(
      inputFor(REGION, {
        staff: [member],
        redOrders: [],
        previousSlots: new Map([[staffKey(municipality, member.employeeId), slot]]),
      }),
    );
    expect(moved.changes).toMatchObject({ kept: 0, moved: 1 });
    expect([...moved.slots.values()].map((s) => s.weekday)).not.toContain(5);
    // Its next test still comes by the old slot's day (the 6-week gap), in this test week.
    expect(moved.tests.map((t) => t.weekday < 5)).toEqual([true]);
  });

  it("puts every stop of every run on exactly one route, and collects every session once", () => {
    const { plan: pickups } = pickupsOf(plan);
    for (const run of pickups.runs) {
      const expected = pickups.stops
        .filter((stop) => stop.run.date === run.run.date && stop.run.kind === run.run.kind)
        .map((stop) => stop.siteId)
        .sort();
      const onRoutes = run.routes.flatMap((route) => route.stops.map((stop) => stop.siteId)).sort();
      expect(onRoutes).toEqual(expected);
      expect(new Set(onRoutes).size).toBe(onRoutes.length);
    }
    expect(pickups.runs.length).toBe(new Set(pickups.stops.map((s) => `${s.run.date} ${s.run.kind}`)).size);
    const collected = new Map<string, number>();
    for (const stop of pickups.stops) {
      for (const c of stop.collects) collected.set(`${stop.siteId} ${c.date} ${c.shift}`, c.samples);
    }
    expect(collected).toEqual(sessionsOf(plan.tests));
  });

  it("gives ETAs that rise along each route and add up: road km ÷ speed, 10 minutes a stop", () => {
    const { plan: pickups } = pickupsOf(plan);
    const location = new Map(sites.map((site) => [site.id, site.location]));
    for (const run of pickups.runs) {
      for (const route of run.routes) {
        let clock = minutesOf(run.run.departure);
        let at = SLAGELSE;
        let km = 0;
        for (const stop of route.stops) {
          const here = location.get(stop.siteId);
          if (here === undefined) throw new Error(`no location for ${stop.siteId}`);
          const leg = haversineKm(at, here) * 1.3;
          clock += (leg / 50) * 60;
          expect(stop.arrival).toBeCloseTo(clock, 6);
          expect(stop.legKm).toBeCloseTo(leg, 6);
          // The demo's pickup hours (06:00/07:00–22:00) never make a van wait in these runs.
          expect(stop.waitMinutes).toBe(0);
          clock += 10;
          km += leg;
          at = here;
        }
        const back = haversineKm(at, SLAGELSE) * 1.3;
        expect(route.returnAt).toBeCloseTo(clock + (back / 50) * 60, 6);
        expect(route.distanceKm).toBeCloseTo(km + back, 6);
        const arrivals = route.stops.map((stop) => stop.arrival);
        expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
        // The stops of the plan carry the same order and ETA as the route.
        for (const stop of route.stops) {
          const planned = run.stops.find((s) => s.siteId === stop.siteId);
          expect([planned?.route, planned?.order, planned?.eta]).toEqual([
            route.number,
            stop.order,
            stop.arrival,
          ]);
        }
      }
    }
  });

  it("brings every session's kits (tests + 10 %, rounded up) at a visit whose run is back before the session", () => {
    const { plan: pickups } = pickupsOf(plan);
    const sessions = sessionsOf(plan.tests);
    const brought = new Map<string, { stop: PickupStop; kits: number }>();
    for (const stop of pickups.stops) {
      for (const k of stop.kits) brought.set(`${stop.siteId} ${k.date} ${k.shift}`, { stop, kits: k.kits });
    }
    expect([...brought.keys()].sort()).toEqual([...sessions.keys()].sort());
    for (const [key, tests] of sessions) {
      const [, date = "", shift = "day"] = key.split(" ") as [string, string, Shift];
      const { stop, kits } = brought.get(key) as { stop: PickupStop; kits: number };
      expect(kits).toBe(Math.ceil((tests * 11) / 10));
      // The run is back at the lab (latest arrival) no later than the shift starts …
      expect(
        hoursBetween(stop.run.date, stop.run.latestArrival, date, SHIFT_HOURS[shift].start),
      ).toBeGreaterThanOrEqual(0);
      // … and leaves after the rota is published (the Wednesday of the week before).
      expect(stop.run.date >= "2020-10-01").toBe(true);
    }
    expect(pickups.unservedKits).toEqual([]);
  });

  it("brings the kits of a site's first Monday session on a delivery-only stop of Friday's evening run", () => {
    const { plan: pickups } = pickupsOf(plan);
    const mondayDay = pickups.stops.flatMap((stop) =>
      stop.kits.filter((k) => k.date === "2020-10-05" && k.shift === "day").map(() => stop),
    );
    expect(mondayDay.length).toBeGreaterThan(0);
    for (const stop of mondayDay) {
      expect(stop.run).toMatchObject({ date: "2020-10-02", kind: "evening" });
      expect(stop.collects).toEqual([]);
    }
    expect(deliveryStartOf(TEST_WEEK)).toBe("2020-10-01");
  });
});

describe("what cannot be done in time is reported", () => {
  it("reports every route back after the latest arrival, with its minutes and all its stops", () => {
    const tight: RegionPlanSettings = {
      ...REGION,
      pickups: { ...DEFAULT_PICKUP_DAY_SETTINGS, morningRun: { departure: "07:30", latestArrival: "08:30" } },
      routes: { ...ROUTES, depots: [{ ...ROUTES.depots[0]!, vehicles: 1 }] },
    };
    const pickups = pickupsOf(planWeek(inputFor(tight)));
    let late = 0;
    for (const run of pickups.plan.runs) {
      const latest = minutesOf(run.run.latestArrival);
      for (const route of run.routes) {
        const violation = run.violations.find((v) => v.kind === "late-at-lab" && v.route === route.number);
        if (route.returnAt > latest + 1e-6) {
          late += 1;
          expect(violation).toEqual({
            kind: "late-at-lab",
            route: route.number,
            minutes: route.returnAt - latest,
            siteIds: route.stops.map((stop) => stop.siteId),
          });
        } else expect(violation).toBeUndefined();
      }
    }
    // One van from Slagelse cannot reach Stevns and back in an hour: lateness must show.
    expect(late).toBeGreaterThan(0);
  });

  it("tests a shift that no test day allows on its shortest waits, and reports each of them", () => {
    const weekend: RegionPlanSettings = { ...REGION, testWeekdays: [5, 6] };
    const plan = planWeek(inputFor(weekend, { redOrders: [] }));
    const pickups = pickupsOf(plan);
    expect(pickups.shiftsWithoutTestDay).toEqual(["evening", "night"]);
    // Day shift: Friday (4 h; Saturday's would wait 45 h). Evening: Saturday 23:00 → Monday 12:00
    // is 37 h, Friday's 61 h. Night: Sunday 07:00 → Monday 12:00 is 29 h, Friday's 53 h.
    expect(new Set(plan.tests.map((t) => `${t.weekday} ${t.shift}`))).toEqual(
      new Set(["5 day", "6 evening", "6 night"]),
    );
    const lateShifts = plan.tests.filter((t) => t.shift !== "day");
    expect(lateShifts.length).toBeGreaterThan(0);
    const sessions = sessionsOf(lateShifts);
    expect(
      pickups.plan.waitViolations
        .map((v) => [`${v.siteId} ${v.date} ${v.shift}`, v.samples, v.waitHours])
        .sort(),
    ).toEqual(
      [...sessions].map(([key, samples]) => [key, samples, key.endsWith("evening") ? 37 : 29]).sort(),
    );
  });

  it("plans stops and kits without routes for a region without labs configured", () => {
    const pickups = pickupsOf(planWeek(inputFor({ ...REGION, routes: undefined })));
    expect(pickups.routed).toBe(false);
    expect(pickups.plan.runs).toEqual([]);
    expect(pickups.plan.stops.length).toBeGreaterThan(0);
  });
});

describe("the previous week's stops on the same runs", () => {
  it("joins the runs both plans use, and lets their visits bring this week's kits", () => {
    const previous = planWeek(inputFor(REGION, { testWeek: { year: 2020, week: 40 } }));
    const plan = planWeek(inputFor(REGION, { earlierTests: previous.tests }));
    const { plan: pickups } = pickupsOf(plan);
    const earlier = pickups.stops.filter((stop) => stop.fromEarlierPlan);
    expect(earlier.length).toBeGreaterThan(0);
    // Only runs from the day after publication (Thursday 1 October) on.
    for (const stop of earlier) expect(stop.run.date >= "2020-10-01").toBe(true);
    // Week 40's Friday day shift is collected on Friday 2 October's evening run, in this file too.
    const fridayDay = sessionsOf(previous.tests.filter((t) => t.date === "2020-10-02" && t.shift === "day"));
    const collectedFriday = new Map(
      earlier
        .filter((stop) => stop.run.date === "2020-10-02" && stop.run.kind === "evening")
        .flatMap((stop) =>
          stop.collects.map((c) => [`${stop.siteId} ${c.date} ${c.shift}`, c.samples] as const),
        ),
    );
    expect(collectedFriday).toEqual(fridayDay);
    // Each run still has one set of routes: every stop once.
    for (const run of pickups.runs) {
      const ids = run.routes.flatMap((route) => route.stops.map((stop) => stop.siteId));
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

describe("planWeekPickups on a hand-made region of two sites", () => {
  // Test week 2020-W41: its rota is published Wednesday 30 September, deliveries from Thursday
  // 1 October; the earlier plan (week 40) was published a week before, deliveries from 24 September.
  const place = (latitude: number, longitude: number) =>
    ({ latitude, longitude, source: "site", approximate: false }) as const;
  const SITES: Site[] = [
    {
      id: "S1",
      municipalityCode: 320,
      kind: "nursing-home",
      name: "A",
      address: "a",
      location: place(55.3, 11.7),
    },
    {
      id: "S2",
      municipalityCode: 320,
      kind: "nursing-home",
      name: "B",
      address: "b",
      location: place(55.25, 11.76),
    },
    { id: "S3", municipalityCode: 320, kind: "home-care", name: "C", address: "c" },
  ];
  const SMALL: RegionPlanSettings = {
    code: 1085,
    testWeekdays: [1, 2, 3, 4, 5],
    labCapacityPerDay: 100,
    routes: { ...ROUTES, depots: [{ ...ROUTES.depots[0]!, vehicles: 1 }] },
  };
  const test = (siteId: string, regionCode: number, date: string, shift: Shift) => ({
    siteId,
    regionCode,
    date,
    shift,
  });
  // Two tests of S1 on Monday day; one of S2 for another region and one at a site not in the list:
  // both are left out.
  const TESTS = [
    test("S1", 1085, "2020-10-05", "day"),
    test("S2", 1084, "2020-10-05", "day"),
    test("S9", 1085, "2020-10-05", "day"),
    test("S1", 1085, "2020-10-05", "day"),
  ];
  const EARLIER = [test("S1", 1085, "2020-09-30", "day"), test("S2", 1085, "2020-10-02", "evening")];
  const label = (stop: PickupStop) => ({
    at: `${stop.siteId} ${stop.run.date} ${stop.run.kind}`,
    collects: stop.collects,
    kits: stop.kits,
    earlier: stop.fromEarlierPlan,
  });

  it("joins the earlier plan's stops from the day after publication and uses them for kits", () => {
    const [pickups, ...rest] = planWeekPickups({
      testWeek: TEST_WEEK,
      regions: [SMALL],
      sites: SITES,
      tests: TESTS,
      earlierTests: EARLIER,
      shiftsWithoutTestDay: new Map([[1085, ["night"] as Shift[]]]),
    });
    expect(rest).toEqual([]);
    expect(pickups?.regionCode).toBe(1085);
    expect(pickups?.deliveryFrom).toBe("2020-10-01");
    expect(pickups?.routed).toBe(true);
    expect(pickups?.shiftsWithoutTestDay).toEqual(["night"]);
    // Earlier plan: S1's Wednesday 30 September day shift (ready 15:00) goes on Thursday 1 October's
    // morning run (back 12:00: 21 h) — on the publication's next day, so it is kept. S2's Friday
    // evening (ready 23:00) goes on Monday's run (back 12:00: 61 h); its kits (1 + 10 % → 2) come on
    // a delivery-only stop on the last run back before Friday 15:00: Friday morning (from 24
    // September on, that plan's own delivery start). S1's Wednesday kits came on Tuesday 29
    // September, before 1 October: not in this plan.
    // This plan: S1's two Monday tests (kits 2 + 10 % → 3) use the Thursday visit (back Thursday
    // 12:00, before Monday 07:00); their samples go on Tuesday's run (21 h).
    expect(pickups?.plan.stops.map(label)).toEqual([
      {
        at: "S1 2020-10-01 morning",
        collects: [{ date: "2020-09-30", shift: "day", samples: 1, waitHours: 21 }],
        kits: [{ date: "2020-10-05", shift: "day", kits: 3 }],
        earlier: true,
      },
      {
        at: "S2 2020-10-02 morning",
        collects: [],
        kits: [{ date: "2020-10-02", shift: "evening", kits: 2 }],
        earlier: true,
      },
      {
        at: "S2 2020-10-05 morning",
        collects: [{ date: "2020-10-02", shift: "evening", samples: 1, waitHours: 61 }],
        kits: [],
        earlier: true,
      },
      {
        at: "S1 2020-10-06 morning",
        collects: [{ date: "2020-10-05", shift: "day", samples: 2, waitHours: 21 }],
        kits: [],
        earlier: false,
      },
    ]);
    expect(pickups?.plan.runs.map((run) => `${run.run.date} ${run.run.kind} ${run.stops.length}`)).toEqual([
      "2020-10-01 morning 1",
      "2020-10-02 morning 1",
      "2020-10-05 morning 1",
      "2020-10-06 morning 1",
    ]);
  });

  it("plans without routes when asked, and without earlier tests gives the first kits their own stop", () => {
    const [pickups] = planWeekPickups({
      testWeek: TEST_WEEK,
      regions: [SMALL],
      sites: SITES,
      tests: TESTS,
      withRoutes: false,
    });
    expect(pickups?.routed).toBe(false);
    expect(pickups?.plan.runs).toEqual([]);
    expect(pickups?.shiftsWithoutTestDay).toEqual([]);
    // No visit of S1 before Monday 07:00: a delivery-only stop on Friday's evening run (back 19:00).
    expect(pickups?.plan.stops.map(label)).toEqual([
      {
        at: "S1 2020-10-02 evening",
        collects: [],
        kits: [{ date: "2020-10-05", shift: "day", kits: 3 }],
        earlier: false,
      },
      {
        at: "S1 2020-10-06 morning",
        collects: [{ date: "2020-10-05", shift: "day", samples: 2, waitHours: 21 }],
        kits: [],
        earlier: false,
      },
    ]);
  });

  it("refuses to route a stop at a site without coordinates", () => {
    expect(() =>
      planWeekPickups({
        testWeek: TEST_WEEK,
        regions: [SMALL],
        sites: SITES,
        tests: [test("S3", 1085, "2020-10-05", "day")],
      }),
    ).toThrow("planRegionPickupRoutes: site S3 has no coordinates");
  });
});
