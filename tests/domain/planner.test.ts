import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  addWeeks,
  dateInWeek,
  daysBetween,
  formatIsoWeek,
  weeksBetween,
  type IsoDate,
  type IsoWeek,
} from "../../src/domain/calendar.ts";
import { GREEN, stepCadence, type CadenceState } from "../../src/domain/cadence.ts";
import type { CycleSlot, PlanInput, RegionPlanSettings, WeekPlan } from "../../src/domain/plan-types.ts";
import { cycleWeekOf, planWeek } from "../../src/domain/planner.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { staffKey, staffKeyOf, type Site, type StaffMember } from "../../src/domain/roster.ts";
import { buildWorld, simulateWeeks, worldArbitrary, type SimulatedWeek } from "../support/plan-simulation.ts";
import { propertyRuns } from "../support/property-runs.ts";

const ANCHOR: IsoWeek = { year: 2020, week: 1 };
const FIRST_RUN: IsoWeek = { year: 2020, week: 36 };

function mod6(value: number): number {
  return ((value % 6) + 6) % 6;
}

function isEmployed(member: StaffMember, date: IsoDate): boolean {
  return (member.startDate ?? "") <= date && (member.endDate ?? "9999-12-31") >= date;
}

const testDatesCache = new Map<string, IsoDate[]>();

function regionTestDates(region: RegionPlanSettings, week: IsoWeek): IsoDate[] {
  const key = `${formatIsoWeek(week)}|${region.testWeekdays.join(",")}`;
  let dates = testDatesCache.get(key);
  if (dates === undefined) {
    dates = [...new Set(region.testWeekdays)].sort((a, b) => a - b).map((d) => dateInWeek(week, d));
    testDatesCache.set(key, dates);
  }
  return dates;
}

/** Dates of a week by ISO weekday (1–7), cached: the checks look them up per staff member. */
const weekDateCache = new Map<string, IsoDate[]>();
function dateOf(week: IsoWeek, weekday: number): IsoDate {
  const key = formatIsoWeek(week);
  let dates = weekDateCache.get(key);
  if (dates === undefined) {
    dates = [1, 2, 3, 4, 5, 6, 7].map((d) => dateInWeek(week, d as 1));
    weekDateCache.set(key, dates);
  }
  return dates[weekday - 1] ?? "";
}

/** Independent view of one simulated week: who is active, where, and which tests they owe. */
function describeWeek(week: SimulatedWeek, previous: SimulatedWeek | undefined) {
  const { input, plan } = week;
  const monday = dateInWeek(input.testWeek, 1);
  const siteById = new Map(input.sites.map((s) => [s.id, s]));
  const regionOfMunicipality = new Map(input.municipalities.map((m) => [m.code, m.regionCode]));
  const regionByCode = new Map(input.regions.map((r) => [r.code, r]));
  const regionOf = (member: StaffMember): RegionPlanSettings => {
    const site = siteById.get(member.siteId) as Site;
    return regionByCode.get(regionOfMunicipality.get(site.municipalityCode) ?? 0) as RegionPlanSettings;
  };
  const active = input.staff.filter((m) => m.endDate === undefined || m.endDate >= monday);
  const cycleWeek = mod6(weeksBetween(input.cycleAnchor, input.testWeek));
  const redOf = (member: StaffMember) => {
    const site = siteById.get(member.siteId) as Site;
    const order = input.redOrders.find((o) => o.municipalityCode === site.municipalityCode);
    return order !== undefined && (order.limitToSites === null || order.limitToSites.includes(member.siteId))
      ? order
      : undefined;
  };
  const carriedIds = new Set((previous?.plan.deferred ?? []).map((d) => d.employeeId));
  const demand = new Set<string>();
  for (const member of active) {
    const slot = plan.slots.get(staffKeyOf(member));
    const dates = regionTestDates(regionOf(member), input.testWeek);
    const employedSomeDay = dates.some((date) => isEmployed(member, date));
    const slotDate = slot === undefined ? undefined : dateOf(input.testWeek, slot.weekday);
    const cycleDue = slot !== undefined && slot.cycleWeek === cycleWeek && isEmployed(member, slotDate ?? "");
    if (cycleDue || (redOf(member) !== undefined && employedSomeDay) || carriedIds.has(member.employeeId)) {
      demand.add(member.employeeId);
    }
  }
  return { monday, active, cycleWeek, redOf, regionOf, demand, siteById, carriedIds };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Peak ratio as the issue defines it: peak ÷ ⌈total ÷ days⌉ (1 without load). */
function expectedPeakRatio(loads: readonly number[]): number {
  const total = loads.reduce((a, b) => a + b, 0);
  return total === 0 ? 1 : Math.max(...loads) / Math.ceil(total / loads.length);
}

function cycleLoadsOf(plan: WeekPlan, input: PlanInput, region: RegionPlanSettings): number[] {
  const weekdays = [...new Set(region.testWeekdays)].sort((a, b) => a - b);
  const regionOfSite = new Map(
    input.sites.map((s) => [
      s.id,
      input.municipalities.find((m) => m.code === s.municipalityCode)?.regionCode,
    ]),
  );
  const loads = new Map<string, number>();
  for (let w = 0; w < 6; w++) for (const d of weekdays) loads.set(`${w}-${d}`, 0);
  for (const slot of plan.slots.values()) {
    if (regionOfSite.get(slot.siteId) !== region.code) continue;
    const key = `${slot.cycleWeek}-${slot.weekday}`;
    loads.set(key, (loads.get(key) ?? 0) + 1);
  }
  return [...loads.values()];
}

function weekLoadsOf(plan: WeekPlan, input: PlanInput, region: RegionPlanSettings): number[] {
  const perDate = countBy(
    plan.tests.filter((t) => t.regionCode === region.code),
    (t) => t.date,
  );
  return regionTestDates(region, input.testWeek).map((date) => perDate.get(date) ?? 0);
}

/** Test dates per employee over the whole simulation. */
function testDatesById(weeks: readonly SimulatedWeek[]): Map<string, IsoDate[]> {
  const dates = new Map<string, IsoDate[]>();
  for (const { plan } of weeks) {
    for (const test of plan.tests)
      dates.set(test.employeeId, [...(dates.get(test.employeeId) ?? []), test.date]);
  }
  for (const list of dates.values()) list.sort();
  return dates;
}

/**
 * Gaps as the rule states them: the first test within 42 days of the start (or of the first
 * test week for staff already employed), consecutive tests at most 42 days apart, and no
 * stretch of more than 42 days without a test while employed up to the end of the simulation.
 */
function gapBreaches(weeks: readonly SimulatedWeek[]): string[] {
  const first = weeks[0];
  const last = weeks.at(-1);
  if (first === undefined || last === undefined) return [];
  const firstMonday = dateInWeek(first.input.testWeek, 1);
  const end = dateInWeek(last.input.testWeek, 7);
  const initialIds = new Set(first.input.staff.map((m) => m.employeeId));
  const latestRecord = new Map<string, StaffMember>();
  for (const { input } of weeks)
    for (const member of input.staff) latestRecord.set(member.employeeId, member);
  const dates = testDatesById(weeks);
  const breaches: string[] = [];
  for (const [id, member] of latestRecord) {
    const reference = initialIds.has(id) ? addDays(firstMonday, -1) : (member.startDate ?? firstMonday);
    const until = member.endDate !== undefined && member.endDate < end ? member.endDate : end;
    const tested = dates.get(id) ?? [];
    let before = reference;
    for (const date of tested) {
      if (daysBetween(before, date) > 42)
        breaches.push(`${id}: tested ${date}, ${daysBetween(before, date)} days after ${before}`);
      before = date;
    }
    if (daysBetween(before, until) > 42) breaches.push(`${id}: untested from ${before} to ${until}`);
  }
  return breaches;
}

const simulationArbitrary = fc.record({
  world: worldArbitrary,
  seed: fc.integer(),
  redChance: fc.double({ min: 0, max: 0.4, noNaN: true }),
  limitChance: fc.constantFrom(0, 0.3),
});

describe("cycleWeekOf", () => {
  it.each([
    { name: "the anchor week is cycle week 0", week: { year: 2020, week: 1 }, expected: 0 },
    { name: "7 weeks later is cycle week 1", week: { year: 2020, week: 8 }, expected: 1 },
    { name: "a week before the anchor is cycle week 5", week: { year: 2019, week: 52 }, expected: 5 },
    { name: "across the 53-week year 2020", week: { year: 2021, week: 1 }, expected: 53 % 6 },
  ])("$name", ({ week, expected }) => {
    expect(cycleWeekOf(ANCHOR, week)).toBe(expected);
  });
});

describe("planWeek over simulated weeks with ample capacity", () => {
  it("tests every active staff member exactly as owed, keeps every gap within 42 days and reports quality honestly", () => {
    fc.assert(
      fc.property(simulationArbitrary, (spec) => {
        const world = buildWorld(spec.world, 1_000_000);
        const weeks = simulateWeeks({
          world,
          firstRunWeek: FIRST_RUN,
          cycleAnchor: ANCHOR,
          weeks: 13,
          seed: spec.seed,
          redChance: spec.redChance,
          churn: true,
          limitChance: spec.limitChance,
        });
        // Per-member findings are collected and asserted once (thousands of expect calls are slow).
        const problems: string[] = [];
        const check = (ok: boolean, what: string): void => {
          if (!ok) problems.push(what);
        };
        weeks.forEach((week, index) => {
          const { input, plan } = week;
          const view = describeWeek(week, weeks[index - 1]);
          const label = formatIsoWeek(input.testWeek);
          // Every active member has a slot on their own site and shift, on a test weekday of the region.
          expect(plan.slots.size, label).toBe(new Set(view.active.map((m) => m.employeeId)).size);
          for (const member of view.active) {
            const slot = plan.slots.get(staffKeyOf(member));
            check(
              slot !== undefined &&
                slot.siteId === member.siteId &&
                slot.shift === member.shift &&
                view.regionOf(member).testWeekdays.includes(slot.weekday),
              `${label} ${member.employeeId}: slot ${JSON.stringify(slot)}`,
            );
          }
          // Planned = owed, at most once per person, nothing deferred.
          const ids = plan.tests.map((t) => t.employeeId);
          expect(new Set(ids).size).toBe(ids.length);
          expect(new Set(ids)).toEqual(view.demand);
          expect(plan.deferred).toEqual([]);
          const byId = new Map(input.staff.map((m) => [m.employeeId, m]));
          for (const test of plan.tests) {
            const member = byId.get(test.employeeId) as StaffMember;
            const slot = plan.slots.get(staffKeyOf(test)) as CycleSlot;
            const red = view.redOf(member);
            const slotDate = dateOf(input.testWeek, slot.weekday);
            const cycleDue = slot.cycleWeek === view.cycleWeek && isEmployed(member, slotDate);
            const newStarter =
              member.startDate !== undefined && daysBetween(member.startDate, test.date) <= 42;
            const reason = red?.reason ?? (newStarter ? "new-starter" : "cycle");
            check(
              test.siteId === member.siteId &&
                test.shift === member.shift &&
                view.regionOf(member).testWeekdays.includes(test.weekday) &&
                isEmployed(member, test.date) &&
                (!cycleDue || test.date === slotDate) &&
                test.reason === reason,
              `${label}: test ${JSON.stringify(test)} (slot ${JSON.stringify(slot)}, expected reason ${reason})`,
            );
          }
          // Quality: ratios recomputed here from the plan's slots and tests.
          for (const region of input.regions) {
            const quality = plan.quality.find((q) => q.regionCode === region.code);
            expect(quality?.gapViolations).toBe(0);
            expect(quality?.deferred).toBe(0);
            expect(quality?.cyclePeakRatio).toBeCloseTo(
              expectedPeakRatio(cycleLoadsOf(plan, input, region)),
              9,
            );
            const hasRed = plan.tests.some((t) => t.regionCode === region.code && t.reason.startsWith("red"));
            const weekRatio = hasRed ? expectedPeakRatio(weekLoadsOf(plan, input, region)) : 1;
            expect(quality?.redWeekPeakRatio).toBeCloseTo(weekRatio, 9);
          }
          // Stability: slots kept unless the member changed site or shift.
          const previous = weeks[index - 1];
          if (previous !== undefined) {
            for (const member of view.active) {
              const before = previous.plan.slots.get(staffKeyOf(member));
              if (before !== undefined && before.siteId === member.siteId && before.shift === member.shift) {
                check(
                  plan.slots.get(staffKeyOf(member)) === before,
                  `${label} ${member.employeeId}: slot not kept`,
                );
              }
            }
          }
        });
        expect(gapBreaches(weeks)).toEqual([]);
        // Exactly once per 6-week cycle for staff with an unchanged slot, employed all along.
        const records = weeks.map((w) => new Map(w.input.staff.map((m) => [m.employeeId, m])));
        const testsById = weeks.map((w) => countBy(w.plan.tests, (t) => t.employeeId));
        const testList = testDatesById(weeks);
        for (let k = 0; k + 6 <= weeks.length; k++) {
          const window = weeks.slice(k, k + 6);
          const from = dateInWeek(window[0]!.input.testWeek, 1);
          const to = dateInWeek(window[5]!.input.testWeek, 7);
          for (const member of window[0]!.input.staff) {
            const id = member.employeeId;
            const versions = records.slice(k, k + 6).map((byId) => byId.get(id));
            if (versions.some((r) => r === undefined || !isEmployed(r, from) || !isEmployed(r, to))) continue;
            if (versions.some((r) => r?.siteId !== member.siteId || r.shift !== member.shift)) continue;
            const slots = window.map((w) => JSON.stringify(w.plan.slots.get(staffKeyOf(member))));
            if (slots.some((slot) => slot !== slots[0])) continue;
            const slot = window[0]!.plan.slots.get(staffKeyOf(member)) as CycleSlot;
            const slotDates = window
              .filter((w) => cycleWeekOf(ANCHOR, w.input.testWeek) === slot.cycleWeek)
              .map((w) => dateOf(w.input.testWeek, slot.weekday));
            const dates = (testList.get(id) ?? []).filter((date) => date >= from && date <= to);
            const redInWindow = window.some((w) =>
              w.plan.tests.some((t) => t.employeeId === id && t.reason.startsWith("red")),
            );
            check(
              slotDates.length === 1 &&
                dates.filter((date) => slotDates.includes(date)).length === 1 &&
                (redInWindow || dates.length === 1) &&
                testsById.slice(k, k + 6).every((counts) => (counts.get(id) ?? 0) <= 1),
              `${id}: tests ${dates.join(",")} in ${from}…${to}, slot dates ${slotDates.join(",")}`,
            );
          }
        }
        expect(problems).toEqual([]);
      }),
      propertyRuns(40),
    );
  });

  it("spreads a first assignment evenly: every cycle day at ⌈N ÷ D⌉ or ⌊N ÷ D⌋, weeks within 1, sites split only at day boundaries", () => {
    fc.assert(
      fc.property(worldArbitrary, (spec) => {
        const world = buildWorld(spec, 1_000_000);
        const [week] = simulateWeeks({
          world,
          firstRunWeek: FIRST_RUN,
          cycleAnchor: ANCHOR,
          weeks: 1,
          seed: 1,
          redChance: 0,
          churn: false,
          limitChance: 0,
        });
        const { input, plan } = week as SimulatedWeek;
        for (const region of input.regions) {
          const loads = cycleLoadsOf(plan, input, region);
          const total = loads.reduce((a, b) => a + b, 0);
          const days = loads.length;
          expect(Math.max(...loads)).toBe(Math.ceil(total / days));
          expect(Math.min(...loads)).toBe(Math.floor(total / days));
          const testDays = days / 6;
          const weekSums = Array.from({ length: 6 }, (_, w) =>
            loads.slice(w * testDays, (w + 1) * testDays).reduce((a, b) => a + b, 0),
          );
          expect(Math.max(...weekSums) - Math.min(...weekSums)).toBeLessThanOrEqual(1);
          const regionSites = input.sites.filter(
            (s) =>
              input.municipalities.find((m) => m.code === s.municipalityCode)?.regionCode === region.code,
          );
          const siteDays = new Set(
            [...plan.slots.values()]
              .filter((s) => regionSites.some((site) => site.id === s.siteId))
              .map((s) => `${s.siteId}|${s.cycleWeek}|${s.weekday}`),
          );
          // Best fit by site: each day is split off at most once, so sessions ≤ sites + cycle days.
          expect(siteDays.size).toBeLessThanOrEqual(
            regionSites.filter((site) => [...plan.slots.values()].some((s) => s.siteId === site.id)).length +
              days,
          );
        }
      }),
      propertyRuns(60),
    );
  });
});

describe("planWeek under capacity pressure", () => {
  it("never exceeds capacity, loses nothing (planned + deferred = owed), defers by priority and reports every broken gap", () => {
    fc.assert(
      fc.property(simulationArbitrary, fc.integer({ min: 1, max: 12 }), (spec, capacity) => {
        const world = buildWorld(spec.world, capacity);
        const weeks = simulateWeeks({
          world,
          firstRunWeek: FIRST_RUN,
          cycleAnchor: ANCHOR,
          weeks: 12,
          seed: spec.seed,
          redChance: spec.redChance,
          churn: true,
          limitChance: spec.limitChance,
        });
        let reported = 0;
        weeks.forEach((week, index) => {
          const { input, plan } = week;
          const previous = weeks[index - 1];
          const view = describeWeek(week, previous);
          const planned = plan.tests.map((t) => t.employeeId);
          const deferred = plan.deferred.map((d) => d.employeeId);
          expect(new Set(planned).size).toBe(planned.length);
          expect(new Set(deferred).size).toBe(deferred.length);
          expect(planned.filter((id) => deferred.includes(id))).toEqual([]);
          const activeIds = new Set(view.active.map((m) => m.employeeId));
          // Owed: the cycle and red tests of the week and every carried-over test of someone still here.
          const owed = new Set([...view.demand].filter((id) => activeIds.has(id)));
          // No longer owed: gone from the roster, or not employed on any test day and not a future starter.
          const notOwedAnyMore = [...view.carriedIds].filter((id) => {
            if (!activeIds.has(id)) return true;
            const member = view.active.find((m) => m.employeeId === id) as StaffMember;
            const dates = regionTestDates(view.regionOf(member), input.testWeek);
            const futureStarter = member.startDate !== undefined && member.startDate > (dates.at(-1) ?? "");
            return !futureStarter && !dates.some((d) => isEmployed(member, d));
          });
          for (const id of notOwedAnyMore) owed.delete(id);
          expect(new Set([...planned, ...deferred])).toEqual(owed);
          expect(plan.changes.carriedOverDropped).toBe(notOwedAnyMore.length);
          for (const [key, count] of countBy(plan.tests, (t) => `${t.regionCode}|${t.date}`)) {
            expect(count, key).toBeLessThanOrEqual(capacity);
          }
          // Priority: within a region, nothing deferred outranks anything planned.
          const byId = new Map(input.staff.map((m) => [m.employeeId, m]));
          const rank = (id: string, reason: string): number[] => {
            const member = byId.get(id) as StaffMember;
            const site = view.siteById.get(member.siteId) as Site;
            const status = input.statusByCode.get(site.municipalityCode);
            return [
              view.carriedIds.has(id) ? 0 : 1,
              reason.startsWith("red") ? 0 : 1,
              status?.status === "red" ? 0 : 1,
              -(status?.incidence ?? 0),
              site.kind === "nursing-home" ? 0 : 1,
            ];
          };
          const compare = (a: number[], b: number[]): number => {
            for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
            return 0;
          };
          for (const region of input.regions) {
            const plannedRanks = plan.tests
              .filter((t) => t.regionCode === region.code)
              .map((t) => rank(t.employeeId, t.reason));
            const deferredRanks = plan.deferred
              .filter((d) => view.regionOf(byId.get(d.employeeId) as StaffMember).code === region.code)
              .filter((d) => {
                const member = byId.get(d.employeeId) as StaffMember;
                return regionTestDates(region, input.testWeek).some((date) => isEmployed(member, date));
              })
              .map((d) => rank(d.employeeId, d.reason));
            for (const p of plannedRanks)
              for (const d of deferredRanks) expect(compare(p, d)).toBeLessThanOrEqual(0);
          }
          // Reports: counts add up, a deferred test past its 6-week limit is a violation.
          const sunday = dateInWeek(input.testWeek, 7);
          const overdue = plan.deferred.filter((d) => d.latestDate <= sunday).length;
          expect(plan.deferrals.reduce((n, r) => n + r.count, 0)).toBe(plan.deferred.length);
          expect(plan.deferrals.reduce((n, r) => n + r.gapViolations, 0)).toBe(overdue);
          expect(plan.quality.reduce((n, q) => n + q.deferred, 0)).toBe(plan.deferred.length);
          const violations = plan.quality.reduce((n, q) => n + q.gapViolations, 0);
          expect(violations).toBeGreaterThanOrEqual(overdue);
          reported += violations;
        });
        // A gap is only ever broken with a violation reported (each report accounts for at most one breach).
        expect(gapBreaches(weeks).length).toBeLessThanOrEqual(reported);
      }),
      propertyRuns(40),
    );
  });
});

describe("planWeek examples", () => {
  const region: RegionPlanSettings = {
    code: 1084,
    testWeekdays: [1, 2, 3, 4, 5],
    labCapacityPerDay: 1000,
  };
  const municipalities: Municipality[] = [
    { code: 101, name: "København", regionCode: 1084, population: 632_340, aliases: [] },
    { code: 147, name: "Frederiksberg", regionCode: 1084, population: 104_305, aliases: [] },
  ];
  const sites: Site[] = [
    { id: "NH1", municipalityCode: 101, kind: "nursing-home", name: "NH1", address: "a" },
    { id: "HC1", municipalityCode: 101, kind: "home-care", name: "HC1", address: "b" },
    { id: "NH2", municipalityCode: 147, kind: "nursing-home", name: "NH2", address: "c" },
  ];
  const testWeek: IsoWeek = { year: 2020, week: 41 };
  const cycleWeek = cycleWeekOf(ANCHOR, testWeek);
  const municipalityOf = (siteId: string): number => (siteId === "NH2" ? 147 : 101);
  const staffAt = (siteId: string, count: number, prefix = siteId): StaffMember[] =>
    Array.from({ length: count }, (_, i) => ({
      municipalityCode: municipalityOf(siteId),
      employeeId: `${prefix}-${i}`,
      siteId,
      shift: "day",
    }));
  const baseInput: PlanInput = {
    testWeek,
    cycleAnchor: ANCHOR,
    regions: [region],
    municipalities,
    sites,
    staff: [],
    redOrders: [],
    statusByCode: new Map([
      [101, { status: "red", incidence: 60 }],
      [147, { status: "red", incidence: 30 }],
    ]),
    previousSlots: new Map(),
    carriedOver: [],
  };
  const slotThisWeek = (siteId: string, weekday: 1 | 2 | 3 | 4 | 5): CycleSlot => ({
    cycleWeek,
    weekday,
    shift: "day",
    siteId,
  });

  it("defers by priority when a week's demand exceeds capacity: red before green, higher incidence, nursing homes first", () => {
    const staff = [...staffAt("NH1", 4), ...staffAt("HC1", 4), ...staffAt("NH2", 4)];
    // Everyone's cycle slot is Monday of this week; 101 and 147 are red (week 1); capacity 2 × 5 days.
    const previousSlots = new Map(staff.map((m) => [staffKeyOf(m), slotThisWeek(m.siteId, 1)]));
    const plan = planWeek({
      ...baseInput,
      regions: [{ ...region, labCapacityPerDay: 2 }],
      staff,
      previousSlots,
      redOrders: [
        { municipalityCode: 101, reason: "red-week-1", limitToSites: null },
        { municipalityCode: 147, reason: "red-week-1", limitToSites: null },
      ],
    });
    // 12 owed, 10 fit the week: the two lowest in priority (Frederiksberg, incidence 30) wait.
    expect(plan.tests).toHaveLength(10);
    expect(plan.deferred.map((d) => d.employeeId)).toEqual(["NH2-2", "NH2-3"]);
    expect(plan.deferrals).toEqual([
      {
        municipalityCode: 147,
        regionCode: 1084,
        siteKind: "nursing-home",
        reason: "red-week-1",
        count: 2,
        gapViolations: 2,
      },
    ]);
    // Monday holds 2; the other 8 moved within the week off their cycle day: reported as violations.
    const perDay = countBy(plan.tests, (t) => t.date);
    expect([...perDay.values()].every((n) => n <= 2)).toBe(true);
    expect(plan.quality[0]?.gapViolations).toBe(8 + 2);
    const mondayTests = plan.tests.filter((t) => t.weekday === 1).map((t) => t.employeeId);
    expect(mondayTests).toEqual(["NH1-0", "NH1-1"]);
  });

  it("plans carried-over tests first the next week", () => {
    const staff = [...staffAt("NH1", 3), ...staffAt("NH2", 3)];
    const nextWeek = addWeeks(testWeek, 1);
    const carried = staffAt("NH2", 2).map((m) => ({
      employeeId: m.employeeId,
      siteId: "NH2",
      municipalityCode: 147,
      reason: "cycle" as const,
      dueWeek: testWeek,
      latestDate: dateInWeek(testWeek, 1),
    }));
    // Next week the NH1 staff are due; only one test fits: the carried-over ones go first.
    const previousSlots = new Map<string, CycleSlot>([
      ...staffAt("NH1", 3).map((m): [string, CycleSlot] => [
        staffKeyOf(m),
        { ...slotThisWeek("NH1", 2), cycleWeek: (cycleWeek + 1) % 6 },
      ]),
      ...staffAt("NH2", 3).map((m): [string, CycleSlot] => [
        staffKeyOf(m),
        { ...slotThisWeek("NH2", 3), cycleWeek: (cycleWeek + 3) % 6 },
      ]),
    ]);
    const plan = planWeek({
      ...baseInput,
      testWeek: nextWeek,
      regions: [{ ...region, testWeekdays: [2], labCapacityPerDay: 2 }],
      staff,
      previousSlots,
      carriedOver: carried,
    });
    expect(plan.tests.map((t) => t.employeeId).sort()).toEqual(["NH2-0", "NH2-1"]);
    expect(plan.deferred.map((d) => d.employeeId)).toEqual(["NH1-0", "NH1-1", "NH1-2"]);
  });

  it("keeps slots, removes leavers, moves changed staff within their 6-week gap and reports the changes", () => {
    const staff: StaffMember[] = [
      { municipalityCode: 101, employeeId: "keep", siteId: "NH1", shift: "day" },
      {
        municipalityCode: 101,
        employeeId: "left",
        siteId: "NH1",
        shift: "day",
        endDate: addDays(dateInWeek(testWeek, 1), -1),
      },
      { municipalityCode: 101, employeeId: "moved", siteId: "HC1", shift: "evening" },
      {
        municipalityCode: 147,
        employeeId: "new",
        siteId: "NH2",
        shift: "night",
        startDate: addDays(dateInWeek(testWeek, 1), -30),
      },
    ];
    const previousSlots = new Map<string, CycleSlot>([
      ["101:keep", { cycleWeek: (cycleWeek + 2) % 6, weekday: 4, shift: "day", siteId: "NH1" }],
      ["101:left", { cycleWeek: (cycleWeek + 2) % 6, weekday: 4, shift: "day", siteId: "NH1" }],
      ["101:moved", { cycleWeek: (cycleWeek + 1) % 6, weekday: 2, shift: "day", siteId: "NH1" }],
      ["147:gone", { cycleWeek: 0, weekday: 1, shift: "day", siteId: "NH2" }],
    ]);
    const plan = planWeek({ ...baseInput, staff, previousSlots });
    expect(plan.changes).toEqual({
      kept: 1,
      added: 1,
      removed: 2,
      moved: 1,
      carriedOverDropped: 0,
      skippedRows: 0,
    });
    expect(plan.slots.get("101:keep")).toBe(previousSlots.get("101:keep"));
    expect([...plan.slots.keys()].sort()).toEqual(["101:keep", "101:moved", "147:new"]);
    const monday = dateInWeek(testWeek, 1);
    const nextOccurrence = (slot: CycleSlot): number =>
      mod6(slot.cycleWeek - cycleWeek) * 7 + slot.weekday - 1;
    // The moved member's next test comes no later than the old slot's (Tuesday next week).
    const moved = plan.slots.get("101:moved") as CycleSlot;
    expect(moved).toMatchObject({ shift: "evening", siteId: "HC1" });
    expect(nextOccurrence(moved)).toBeLessThanOrEqual(8);
    // The new starter started 30 days before Monday: first test within 12 days of Monday.
    const starter = plan.slots.get("147:new") as CycleSlot;
    expect(daysBetween(addDays(monday, -30), addDays(monday, nextOccurrence(starter)))).toBeLessThanOrEqual(
      42,
    );
  });

  it("replaces a cycle test by the red test on the same slot day and tests limited sites only", () => {
    const staff = [...staffAt("NH1", 2), ...staffAt("HC1", 2)];
    const previousSlots = new Map<string, CycleSlot>([
      ["101:NH1-0", slotThisWeek("NH1", 3)],
      ["101:NH1-1", { ...slotThisWeek("NH1", 3), cycleWeek: (cycleWeek + 2) % 6 }],
      ["101:HC1-0", slotThisWeek("HC1", 4)],
      ["101:HC1-1", { ...slotThisWeek("HC1", 4), cycleWeek: (cycleWeek + 2) % 6 }],
    ]);
    const plan = planWeek({
      ...baseInput,
      staff,
      previousSlots,
      redOrders: [{ municipalityCode: 101, reason: "red-retest", limitToSites: ["NH1"] }],
    });
    const byId = new Map(plan.tests.map((t) => [t.employeeId, t]));
    expect(byId.get("NH1-0")).toMatchObject({ reason: "red-retest", date: dateInWeek(testWeek, 3) });
    expect(byId.get("NH1-1")?.reason).toBe("red-retest");
    expect(byId.get("HC1-0")).toMatchObject({ reason: "cycle", date: dateInWeek(testWeek, 4) });
    expect(byId.has("HC1-1")).toBe(false);
    expect(plan.slots.get("101:NH1-0")).toEqual(slotThisWeek("NH1", 3));
  });

  it("counts roster rows it cannot plan: an identity twice in one municipality, an unknown site, another municipality's site", () => {
    const plan = planWeek({
      ...baseInput,
      staff: [
        { municipalityCode: 101, employeeId: "a", siteId: "NH1", shift: "day" },
        { municipalityCode: 101, employeeId: "a", siteId: "HC1", shift: "day" },
        { municipalityCode: 101, employeeId: "b", siteId: "nowhere", shift: "day" },
        // NH1 is a site of 101: a row of 147's roster cannot be planned there.
        { municipalityCode: 147, employeeId: "c", siteId: "NH1", shift: "day" },
      ],
    });
    expect(plan.changes.skippedRows).toBe(3);
    expect([...plan.slots.keys()]).toEqual(["101:a"]);
  });

  it("keys its slots by the staff keys the caller passes (staffKeys), a repeated key skipped as one identity", () => {
    // The keys are the caller's strings: here deliberately not staffKey's form, to see them used.
    const plan = planWeek({
      ...baseInput,
      staff: [
        { municipalityCode: 101, employeeId: "a", siteId: "NH1", shift: "day" },
        { municipalityCode: 101, employeeId: "a", siteId: "HC1", shift: "day" },
        { municipalityCode: 101, employeeId: "b", siteId: "HC1", shift: "night" },
      ],
      staffKeys: ["key-a", "key-a", "key-b"],
    });
    expect(plan.changes.skippedRows).toBe(1);
    expect([...plan.slots.keys()]).toEqual(["key-a", "key-b"]);
    expect(plan.slots.get("key-a")).toMatchObject({ siteId: "NH1", shift: "day" });
    expect(plan.slots.get("key-b")).toMatchObject({ siteId: "HC1", shift: "night" });
  });

  it("plans the same employee id in two municipalities as two people, each at their own site", () => {
    // Two HR systems both numbering from 1; 101 and 147 are red (week 1): everyone is tested.
    const plan = planWeek({
      ...baseInput,
      staff: [
        { municipalityCode: 101, employeeId: "1", siteId: "NH1", shift: "day" },
        { municipalityCode: 147, employeeId: "1", siteId: "NH2", shift: "night" },
      ],
      redOrders: [
        { municipalityCode: 101, reason: "red-week-1", limitToSites: null },
        { municipalityCode: 147, reason: "red-week-1", limitToSites: null },
      ],
    });
    expect(plan.changes.skippedRows).toBe(0);
    expect(
      plan.tests.map((t) => [t.municipalityCode, t.employeeId, t.siteId, t.shift, t.reason]).sort(),
    ).toEqual([
      [101, "1", "NH1", "day", "red-week-1"],
      [147, "1", "NH2", "night", "red-week-1"],
    ]);
    expect([...plan.slots.keys()].sort()).toEqual([staffKey(101, "1"), staffKey(147, "1")]);
    expect(plan.slots.get("147:1")).toMatchObject({ siteId: "NH2", shift: "night" });
  });
});

describe("red flow over consecutive weeks", () => {
  it("tests all staff of a municipality turning red in W+2, again in W+4 while red at W+3, and not after it turns green", () => {
    const world = buildWorld(
      {
        regions: [
          {
            weekdays: [1, 2, 3, 4, 5],
            municipalities: [
              {
                incidence: 10,
                sites: [
                  { kind: "nursing-home", staff: [12, 6, 3] },
                  { kind: "home-care", staff: [9, 4, 2] },
                ],
              },
              { incidence: 40, sites: [{ kind: "nursing-home", staff: [10, 5, 3] }] },
              { incidence: 5, sites: [{ kind: "home-care", staff: [8, 4, 2] }] },
            ],
          },
        ],
      },
      10_000,
    );
    const [steady, turning, brief] = world.municipalities.map((m) => m.code) as [number, number, number];
    // Classification weeks from 2020-W36: `turning` is red from run 3 to run 7, `brief` red at run 3 only.
    const red = new Map<number, Set<number>>([
      [turning, new Set([3, 4, 5, 6, 7])],
      [brief, new Set([3])],
    ]);
    const weeks: SimulatedWeek[] = [];
    let states = new Map<number, CadenceState>();
    let previous: WeekPlan | undefined;
    {
      for (let run = 0; run < 14; run++) {
        const runWeek = addWeeks(FIRST_RUN, run);
        const next = new Map(states);
        const redOrders: PlanInput["redOrders"][number][] = [];
        for (const m of world.municipalities) {
          const status = red.get(m.code)?.has(run) === true ? "red" : "green";
          const step = stepCadence(states.get(m.code) ?? GREEN, runWeek, status, null);
          next.set(m.code, step.state);
          if (step.redTestsNextWeek !== null)
            redOrders.push({ municipalityCode: m.code, ...step.redTestsNextWeek });
        }
        states = next;
        const input: PlanInput = {
          testWeek: addWeeks(runWeek, 1),
          cycleAnchor: ANCHOR,
          regions: world.regions,
          municipalities: world.municipalities,
          sites: world.sites,
          staff: world.staff,
          redOrders,
          statusByCode: new Map(),
          previousSlots: previous?.slots ?? new Map(),
          carriedOver: previous?.deferred ?? [],
        };
        previous = planWeek(input);
        weeks.push({ input, plan: previous, statuses: new Map() });
      }
      const staffOf = (code: number): string[] =>
        world.staff
          .filter((m) => world.sites.find((s) => s.id === m.siteId)?.municipalityCode === code)
          .map((m) => m.employeeId)
          .sort();
      const redTested = (testWeek: IsoWeek, code: number, reason: string): string[] => {
        const week = weeks.find(
          (w) => formatIsoWeek(w.input.testWeek) === formatIsoWeek(testWeek),
        ) as SimulatedWeek;
        const ids = new Set(staffOf(code));
        return week.plan.tests
          .filter((t) => ids.has(t.employeeId) && t.reason === reason)
          .map((t) => t.employeeId)
          .sort();
      };
      const flowStart = addWeeks(FIRST_RUN, 3);
      // Red from W to W+4: week 1 in W+2, retest in W+4 (red at the W+3 check), none in W+6 (green at W+5).
      expect(redTested(addWeeks(flowStart, 2), turning, "red-week-1")).toEqual(staffOf(turning));
      expect(redTested(addWeeks(flowStart, 4), turning, "red-retest")).toEqual(staffOf(turning));
      expect(redTested(addWeeks(flowStart, 6), turning, "red-retest")).toEqual([]);
      // `brief` was green again in week 0: week-1 tests still go ahead, no retest after the green check.
      expect(redTested(addWeeks(flowStart, 2), brief, "red-week-1")).toEqual(staffOf(brief));
      expect(redTested(addWeeks(flowStart, 4), brief, "red-retest")).toEqual([]);
      // Nobody in `steady` ever gets a red test, and every gap holds.
      expect(
        weeks
          .flatMap((w) => w.plan.tests)
          .filter((t) => staffOf(steady).includes(t.employeeId) && t.reason.startsWith("red")),
      ).toEqual([]);
      expect(gapBreaches(weeks)).toEqual([]);
    }
  });
});

describe("planWeek: the 42-day starter boundary", () => {
  // Test week 2020-W41: Monday 2020-10-05, week 40 after the anchor 2020-W01, so cycle week 4.
  const municipality: Municipality = {
    code: 101,
    name: "København",
    regionCode: 1084,
    population: 632_340,
    aliases: [],
  };
  const site: Site = { id: "NH1", municipalityCode: 101, kind: "nursing-home", name: "NH1", address: "a" };
  const region = (testWeekdays: RegionPlanSettings["testWeekdays"]): RegionPlanSettings => ({
    code: 1084,
    testWeekdays,
    labCapacityPerDay: 100,
  });
  /*
   * One new starter (no slot yet), started n days before the Monday. Day 42 after the start is
   * the last day of their first test. With Tuesday/Thursday testing:
   * - n = 41 (start 08-25): day 42 is Tuesday 10-06: tested that day, `new-starter`;
   * - n = 42 (start 08-24): day 42 is Monday 10-05, no test day: the earliest one, Tuesday
   *   (day 43), reported as a gap violation; a test on day 43 is no longer `new-starter`;
   * - n = 43 (start 08-23): day 42 was Sunday 10-04, before the test week: an ordinary slot, on
   *   the cycle's even share (one slot: the cycle's last test day, Thursday five weeks on).
   * With Monday–Friday testing, n = 41 and 42 are tested on Monday 10-05 (day 42 or 41 after the
   * start, the roomiest early-enough day), n = 43 gets the last day, Friday five weeks on.
   */
  it.each([
    {
      n: 41,
      start: "2020-08-25",
      weekdays: [2, 4],
      slot: [4, 2],
      test: ["2020-10-06", "new-starter"],
      late: 0,
    },
    { n: 42, start: "2020-08-24", weekdays: [2, 4], slot: [4, 2], test: ["2020-10-06", "cycle"], late: 1 },
    { n: 43, start: "2020-08-23", weekdays: [2, 4], slot: [3, 4], test: null, late: 0 },
    {
      n: 41,
      start: "2020-08-25",
      weekdays: [1, 2, 3, 4, 5],
      slot: [4, 1],
      test: ["2020-10-05", "new-starter"],
      late: 0,
    },
    {
      n: 42,
      start: "2020-08-24",
      weekdays: [1, 2, 3, 4, 5],
      slot: [4, 1],
      test: ["2020-10-05", "new-starter"],
      late: 0,
    },
    { n: 43, start: "2020-08-23", weekdays: [1, 2, 3, 4, 5], slot: [3, 5], test: null, late: 0 },
    // Starting on the Monday or later: every cycle day is at most 41 days away, an ordinary slot.
    { n: 0, start: "2020-10-05", weekdays: [1, 2, 3, 4, 5], slot: [3, 5], test: null, late: 0 },
    { n: -3, start: "2020-10-08", weekdays: [2, 4], slot: [3, 4], test: null, late: 0 },
  ] as const)(
    "a new starter from $start ($n days before the Monday), testing on weekdays $weekdays",
    ({ start, weekdays, slot, test, late }) => {
      const plan = planWeek({
        testWeek: { year: 2020, week: 41 },
        cycleAnchor: ANCHOR,
        regions: [region(weekdays)],
        municipalities: [municipality],
        sites: [site],
        staff: [{ municipalityCode: 101, employeeId: "new", siteId: "NH1", shift: "day", startDate: start }],
        redOrders: [],
        statusByCode: new Map(),
        previousSlots: new Map(),
        carriedOver: [],
      });
      expect(plan.slots.get("101:new")).toEqual({
        cycleWeek: slot[0],
        weekday: slot[1],
        shift: "day",
        siteId: "NH1",
      });
      expect(plan.tests.map((t) => [t.date, t.reason])).toEqual(test === null ? [] : [test]);
      expect(plan.quality[0]?.gapViolations).toBe(late);
      expect(plan.changes.added).toBe(1);
    },
  );

  it.each([
    // A kept slot on Wednesday 10-07 of the test week: `new-starter` when the start is at most 42
    // days before (08-26 or later), `cycle` from 43 days on (08-25).
    { start: "2020-08-26", reason: "new-starter" },
    { start: "2020-08-25", reason: "cycle" },
  ])("a kept slot's test 42 days after a start of $start is $reason", ({ start, reason }) => {
    const slot: CycleSlot = { cycleWeek: 4, weekday: 3, shift: "day", siteId: "NH1" };
    const plan = planWeek({
      testWeek: { year: 2020, week: 41 },
      cycleAnchor: ANCHOR,
      regions: [region([1, 2, 3, 4, 5])],
      municipalities: [municipality],
      sites: [site],
      staff: [{ municipalityCode: 101, employeeId: "kept", siteId: "NH1", shift: "day", startDate: start }],
      redOrders: [],
      statusByCode: new Map(),
      previousSlots: new Map([["101:kept", slot]]),
      carriedOver: [],
    });
    expect(plan.tests.map((t) => [t.employeeId, t.date, t.reason])).toEqual([["kept", "2020-10-07", reason]]);
    expect(plan.slots.get("101:kept")).toBe(slot);
  });
});

describe("planWeek: deferral report order", () => {
  it("lists red tests first, then red municipalities, higher incidence, nursing homes, municipality code and reason", () => {
    // One test day (Monday) with room for one test; everyone's slot is this Monday (cycle week 4
    // of 2020-W41), so all but the first in priority are deferred, each past its 6-week limit.
    const town = (code: number): Municipality => ({
      code,
      name: `M${code}`,
      regionCode: 1084,
      population: 50_000,
      aliases: [],
    });
    const site = (id: string, code: number, kind: Site["kind"]): Site => ({
      id,
      municipalityCode: code,
      kind,
      name: id,
      address: "x",
    });
    const sites = [
      site("HC151", 151, "home-care"),
      site("HC157", 157, "home-care"),
      site("HC153", 153, "home-care"),
      site("NH153", 153, "nursing-home"),
      site("HC101", 101, "home-care"),
      site("NH101", 101, "nursing-home"),
      site("HC155", 155, "home-care"),
      site("NH147", 147, "nursing-home"),
    ];
    const staff: StaffMember[] = sites.flatMap((s) => [
      { municipalityCode: s.municipalityCode, employeeId: `${s.id}-0`, siteId: s.id, shift: "day" as const },
      { municipalityCode: s.municipalityCode, employeeId: `${s.id}-1`, siteId: s.id, shift: "day" as const },
    ]);
    // Started 7 days before the Monday: a `new-starter` test.
    staff.push({
      municipalityCode: 101,
      employeeId: "NH101-new",
      siteId: "NH101",
      shift: "day",
      startDate: "2020-09-28",
    });
    const plan = planWeek({
      testWeek: { year: 2020, week: 41 },
      cycleAnchor: ANCHOR,
      regions: [{ code: 1084, testWeekdays: [1], labCapacityPerDay: 1 }],
      municipalities: [101, 147, 151, 153, 155, 157].map(town),
      sites,
      staff,
      // 147 retests; 101 and 155 are red without red tests this week (their week 0).
      redOrders: [{ municipalityCode: 147, reason: "red-retest", limitToSites: null }],
      statusByCode: new Map([
        [101, { status: "red", incidence: 60 }],
        [147, { status: "red", incidence: 30 }],
        [151, { status: "green", incidence: 15 }],
        [153, { status: "green", incidence: 18 }],
        [155, { status: "red", incidence: 90 }],
        [157, { status: "green", incidence: 15 }],
      ]),
      previousSlots: new Map(
        staff.map((m) => [staffKeyOf(m), { cycleWeek: 4, weekday: 1, shift: "day", siteId: m.siteId }]),
      ),
      carriedOver: [],
    });
    expect(plan.tests.map((t) => [t.employeeId, t.reason])).toEqual([["NH147-0", "red-retest"]]);
    const line = (municipalityCode: number, siteKind: Site["kind"], reason: string, count: number) => ({
      municipalityCode,
      regionCode: 1084,
      siteKind,
      reason,
      count,
      gapViolations: count,
    });
    expect(plan.deferrals).toEqual([
      line(147, "nursing-home", "red-retest", 1), // red test
      line(155, "home-care", "cycle", 2), // red municipality, incidence 90
      line(101, "nursing-home", "cycle", 2), // red, 60, nursing home
      line(101, "nursing-home", "new-starter", 1), // … same, by reason
      line(101, "home-care", "cycle", 2),
      line(153, "nursing-home", "cycle", 2), // green, 18
      line(153, "home-care", "cycle", 2),
      line(151, "home-care", "cycle", 2), // green, 15, by municipality code
      line(157, "home-care", "cycle", 2),
    ]);
    // The deferred tests themselves follow the planning order (roster order within a site).
    expect(plan.deferred.map((d) => d.employeeId)).toEqual([
      "NH147-1",
      "HC155-0",
      "HC155-1",
      "NH101-0",
      "NH101-1",
      "NH101-new",
      "HC101-0",
      "HC101-1",
      "NH153-0",
      "NH153-1",
      "HC153-0",
      "HC153-1",
      "HC151-0",
      "HC151-1",
      "HC157-0",
      "HC157-1",
    ]);
    expect(plan.deferred[0]).toEqual({
      employeeId: "NH147-1",
      siteId: "NH147",
      municipalityCode: 147,
      reason: "red-retest",
      dueWeek: { year: 2020, week: 41 },
      latestDate: "2020-10-05",
    });
  });
});
