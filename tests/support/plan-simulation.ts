import fc from "fast-check";
import {
  addDays,
  addWeeks,
  dateInWeek,
  type IsoDate,
  type IsoWeek,
  type Weekday,
} from "../../src/domain/calendar.ts";
import { GREEN, stepCadence, type CadenceState } from "../../src/domain/cadence.ts";
import type { Status } from "../../src/domain/classify.ts";
import type { PlanInput, RedTestOrder, RegionPlanSettings, WeekPlan } from "../../src/domain/plan-types.ts";
import { planWeek } from "../../src/domain/planner.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { SHIFTS, type Shift, type Site, type SiteKind, type StaffMember } from "../../src/domain/roster.ts";
import { createSeededRandom } from "../../src/roster/seeded-random.ts";

/** A random planning world: regions with test weekdays, municipalities, sites and staff per shift. */
export type WorldSpec = {
  readonly regions: readonly {
    readonly weekdays: readonly number[];
    readonly municipalities: readonly {
      readonly incidence: number;
      readonly sites: readonly {
        readonly kind: SiteKind;
        readonly staff: readonly [number, number, number];
      }[];
    }[];
  }[];
};

const siteArbitrary = fc.record({
  kind: fc.constantFrom<SiteKind>("nursing-home", "home-care"),
  staff: fc.tuple(fc.nat({ max: 14 }), fc.nat({ max: 8 }), fc.nat({ max: 5 })),
});

/** Worlds of 1–3 regions, 1–3 municipalities each, 1–3 sites each, up to 27 staff per site. */
export const worldArbitrary: fc.Arbitrary<WorldSpec> = fc.record({
  regions: fc.array(
    fc.record({
      weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
      municipalities: fc.array(
        fc.record({
          incidence: fc.double({ min: 0, max: 80, noNaN: true }),
          sites: fc.array(siteArbitrary, { minLength: 1, maxLength: 3 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

export type World = {
  readonly regions: RegionPlanSettings[];
  readonly municipalities: Municipality[];
  readonly sites: Site[];
  readonly staff: StaffMember[];
  readonly incidence: ReadonlyMap<number, number>;
};

/** Builds the world's reference data and initial roster (no start or end dates). */
export function buildWorld(spec: WorldSpec, capacity: number): World {
  const regions: RegionPlanSettings[] = [];
  const municipalities: Municipality[] = [];
  const sites: Site[] = [];
  const staff: StaffMember[] = [];
  const incidence = new Map<number, number>();
  spec.regions.forEach((region, r) => {
    const code = 1081 + r;
    regions.push({
      code,
      testWeekdays: region.weekdays as Weekday[],
      labCapacityPerDay: capacity,
    });
    region.municipalities.forEach((municipality, m) => {
      const municipalityCode = 100 + r * 10 + m;
      municipalities.push({
        code: municipalityCode,
        name: `M${municipalityCode}`,
        regionCode: code,
        population: 50_000,
        aliases: [],
      });
      incidence.set(municipalityCode, municipality.incidence);
      municipality.sites.forEach((site, s) => {
        const siteId = `S${municipalityCode}-${s}`;
        sites.push({ id: siteId, municipalityCode, kind: site.kind, name: siteId, address: "x" });
        site.staff.forEach((count, shiftIndex) => {
          for (let i = 0; i < count; i++) {
            staff.push({
              municipalityCode,
              employeeId: `E${siteId}-${shiftIndex}-${i}`,
              siteId,
              shift: SHIFTS[shiftIndex] as Shift,
            });
          }
        });
      });
    });
  });
  return { regions, municipalities, sites, staff, incidence };
}

export type SimulatedWeek = {
  readonly input: PlanInput;
  readonly plan: WeekPlan;
  /** The cadence status of each municipality classified in the run week (testWeek − 1). */
  readonly statuses: ReadonlyMap<number, Status>;
};

export type SimulationOptions = {
  readonly world: World;
  readonly firstRunWeek: IsoWeek;
  readonly cycleAnchor: IsoWeek;
  readonly weeks: number;
  readonly seed: number;
  /** Chance per municipality and week to be red (a sticky chain: red stays red with 0.6). */
  readonly redChance: number;
  /** Roster churn per week: new starters, leavers, movers (shares of the roster). */
  readonly churn: boolean;
  /** Chance that a flow starts under a limit-to-sites decision. */
  readonly limitChance: number;
};

/**
 * Runs the weekly loop like the worker: classify week W (random statuses), step the cadence,
 * change the roster a little, plan W+1 with the previous plan's slots and deferred tests.
 */
export function simulateWeeks(options: SimulationOptions): SimulatedWeek[] {
  const random = createSeededRandom(options.seed);
  const { world } = options;
  let staff = [...world.staff];
  const sitesByMunicipality = new Map<number, Site[]>();
  for (const site of world.sites) {
    sitesByMunicipality.set(site.municipalityCode, [
      ...(sitesByMunicipality.get(site.municipalityCode) ?? []),
      site,
    ]);
  }
  const cadence = new Map<number, CadenceState>();
  const statusNow = new Map<number, Status>();
  const weeks: SimulatedWeek[] = [];
  let previous: WeekPlan | undefined;
  let serial = 0;
  for (let i = 0; i < options.weeks; i++) {
    const runWeek = addWeeks(options.firstRunWeek, i);
    const testWeek = addWeeks(runWeek, 1);
    const monday = dateInWeek(testWeek, 1);
    const redOrders: RedTestOrder[] = [];
    for (const municipality of world.municipalities) {
      const wasRed = statusNow.get(municipality.code) === "red";
      const status: Status = random() < (wasRed ? 0.6 : options.redChance) ? "red" : "green";
      statusNow.set(municipality.code, status);
      const sites = sitesByMunicipality.get(municipality.code) ?? [];
      const limit =
        random() < options.limitChance
          ? sites.filter((_, index) => index % 2 === 0).map((site) => site.id)
          : null;
      const step = stepCadence(cadence.get(municipality.code) ?? GREEN, runWeek, status, limit);
      cadence.set(municipality.code, step.state);
      if (step.redTestsNextWeek !== null) {
        redOrders.push({ municipalityCode: municipality.code, ...step.redTestsNextWeek });
      }
    }
    if (options.churn && i > 0) staff = churnRoster(staff, world.sites, monday, random, () => (serial += 1));
    const input: PlanInput = {
      testWeek,
      cycleAnchor: options.cycleAnchor,
      regions: world.regions,
      municipalities: world.municipalities,
      sites: world.sites,
      staff,
      redOrders,
      statusByCode: new Map(
        world.municipalities.map((m) => [
          m.code,
          { status: statusNow.get(m.code) ?? "green", incidence: world.incidence.get(m.code) ?? 0 },
        ]),
      ),
      previousSlots: previous?.slots ?? new Map(),
      carriedOver: previous?.deferred ?? [],
    };
    const plan = planWeek(input);
    weeks.push({ input, plan, statuses: new Map(statusNow) });
    previous = plan;
  }
  return weeks;
}

/**
 * One week of roster changes around `monday`: ~3 % new starters (start within two weeks either
 * side), ~2 % leavers (end date in the coming days), ~2 % movers (another site of the same
 * municipality, or another shift). Leavers whose end date passed are removed from the file.
 */
function churnRoster(
  staff: readonly StaffMember[],
  sites: readonly Site[],
  monday: IsoDate,
  random: () => number,
  nextSerial: () => number,
): StaffMember[] {
  const municipalityOf = new Map(sites.map((site) => [site.id, site.municipalityCode]));
  const next: StaffMember[] = [];
  for (const member of staff) {
    if (member.endDate !== undefined && member.endDate < addDays(monday, -14)) continue;
    const roll = random();
    if (member.endDate === undefined && roll < 0.02) {
      next.push({ ...member, endDate: addDays(monday, Math.floor(random() * 14) - 3) });
    } else if (member.endDate === undefined && roll < 0.04) {
      const municipality = municipalityOf.get(member.siteId);
      const options = sites.filter((site) => site.municipalityCode === municipality);
      const site = options[Math.floor(random() * options.length)] ?? sites[0];
      const shift = random() < 0.5 ? member.shift : (SHIFTS[Math.floor(random() * 3)] as Shift);
      next.push({ ...member, siteId: site?.id ?? member.siteId, shift });
    } else next.push(member);
  }
  const starters = Math.max(random() < 0.5 ? 1 : 0, Math.round(staff.length * 0.03 * random() * 2));
  for (let i = 0; i < starters && sites.length > 0; i++) {
    const site = sites[Math.floor(random() * sites.length)] as Site;
    next.push({
      municipalityCode: site.municipalityCode,
      employeeId: `N${nextSerial()}`,
      siteId: site.id,
      shift: SHIFTS[Math.floor(random() * 3)] as Shift,
      startDate: addDays(monday, Math.floor(random() * 29) - 14),
    });
  }
  return next;
}
