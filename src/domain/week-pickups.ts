import { addDays, classificationDate, addWeeks, type IsoDate, type IsoWeek } from "./calendar.ts";
import { DEFAULT_KIT_SETTINGS } from "./kit-deliveries.ts";
import { collectTestSessions, DEFAULT_PICKUP_DAY_SETTINGS, type TestSession } from "./pickup-days.ts";
import {
  planRegionPickupRoutes,
  type EarlierVisit,
  type RegionPickupPlan,
  type SiteStopInfo,
} from "./pickup-routes.ts";
import type { PlannedTest, RegionPlanSettings } from "./plan-types.ts";
import type { Shift, Site } from "./roster.ts";

/** One region's pickups of a test week: runs, stops, kits and (where configured) routes. */
export type RegionPickups = {
  readonly regionCode: number;
  readonly plan: RegionPickupPlan;
  /** False when the region has no routes configured: its stops have no route, order or ETA. */
  readonly routed: boolean;
  /** First date a stop of this plan may be on: the day after the rota is published. */
  readonly deliveryFrom: IsoDate;
  /**
   * Shifts that no test weekday keeps within the maximum wait; their staff are tested anyway and
   * their waits are in `plan.waitViolations` (never left out silently).
   */
  readonly shiftsWithoutTestDay: readonly Shift[];
};

export type WeekPickupInput = {
  readonly testWeek: IsoWeek;
  readonly regions: readonly RegionPlanSettings[];
  readonly sites: readonly Site[];
  /** The test week's tests (one per staff member tested). */
  readonly tests: readonly PickupTest[];
  /** The tests of the week before (the previous plan): their late runs join this plan's routes. */
  readonly earlierTests?: readonly PickupTest[] | undefined;
  /** Shifts without an allowed test day, per region code (see `RegionFrame`). */
  readonly shiftsWithoutTestDay?: ReadonlyMap<number, readonly Shift[]> | undefined;
  /** Plan routes for regions that configure them (default true; the look-ahead needs none). */
  readonly withRoutes?: boolean | undefined;
};

/**
 * The day after a test week's rota is published: the run of week W publishes the rota of W+1 on
 * Wednesday of W, so from Thursday of W the vans can take kits for it.
 */
export function deliveryStartOf(testWeek: IsoWeek): IsoDate {
  return addDays(classificationDate(addWeeks(testWeek, -1)), 1);
}

type PickupTest = Pick<PlannedTest, "siteId" | "regionCode" | "date" | "shift">;

/**
 * Tests by region code, each region's in their order, without those at sites no longer in the
 * sites list: one pass over a national week's tests instead of one per region.
 */
function groupByRegion(
  tests: readonly PickupTest[],
  known: ReadonlyMap<string, Site>,
): ReadonlyMap<number, readonly PickupTest[]> {
  const byRegion = new Map<number, PickupTest[]>();
  for (const test of tests) {
    if (!known.has(test.siteId)) continue;
    const list = byRegion.get(test.regionCode);
    if (list === undefined) byRegion.set(test.regionCode, [test]);
    else list.push(test);
  }
  return byRegion;
}

function sessionsOf(byRegion: ReadonlyMap<number, readonly PickupTest[]>, regionCode: number): TestSession[] {
  return collectTestSessions(byRegion.get(regionCode) ?? []);
}

/**
 * What routing needs of every site with coordinates. Routing only looks sites up by id, so the
 * sites of other regions and without tests may be in it; a site without coordinates is left out
 * (routing then refuses its stop).
 */
function listStopInfo(sites: readonly Site[]): Map<string, SiteStopInfo> {
  return new Map(
    sites.flatMap(({ id, municipalityCode, location, pickupHours }) =>
      location === undefined
        ? []
        : [[id, { municipalityCode, location, openingHours: pickupHours }] as const],
    ),
  );
}

/**
 * Plans every region's pickups of a test week (see `planRegionPickupRoutes`): which run collects
 * each session's samples, which visit brings its kits (delivery-only stops where none comes
 * first, from the day after publication), and the routes of every run where the region has labs
 * configured. The previous plan's stops on runs from that day on (its Thursday and Friday runs,
 * the Monday after) are planned again from its tests and join the same routes, so each run has
 * one set of routes; tests at sites no longer in the sites list are left to the earlier files.
 * Regions without pickup settings use `DEFAULT_PICKUP_DAY_SETTINGS`, without kit settings a 10 %
 * buffer.
 */
export function planWeekPickups(input: WeekPickupInput): RegionPickups[] {
  const deliveryFrom = deliveryStartOf(input.testWeek);
  const siteById = new Map(input.sites.map((site) => [site.id, site]));
  const sites = listStopInfo(input.sites);
  const tests = groupByRegion(input.tests, siteById);
  const earlierTests = groupByRegion(input.earlierTests ?? [], siteById);
  return input.regions.map((region) => {
    const pickupDays = region.pickups ?? DEFAULT_PICKUP_DAY_SETTINGS;
    const kits = region.kits ?? DEFAULT_KIT_SETTINGS;
    const routing = input.withRoutes === false ? undefined : region.routes;
    const sessions = sessionsOf(tests, region.code);
    const earlierSessions = sessionsOf(earlierTests, region.code);
    // Without earlier sessions this plans nothing and yields no visits.
    const earlierVisits: EarlierVisit[] = planRegionPickupRoutes({
      sessions: earlierSessions,
      sites,
      pickupDays,
      kits,
      deliveryFrom: addDays(deliveryFrom, -7),
    }).stops.filter((stop) => stop.run.date >= deliveryFrom);
    const plan = planRegionPickupRoutes({
      sessions,
      sites,
      pickupDays,
      kits,
      routing,
      deliveryFrom,
      earlierVisits,
    });
    return {
      regionCode: region.code,
      plan,
      routed: routing !== undefined,
      deliveryFrom,
      shiftsWithoutTestDay: input.shiftsWithoutTestDay?.get(region.code) ?? [],
    };
  });
}
