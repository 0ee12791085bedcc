import { describe, expect, it } from "vitest";
import { createPlanFrame, slotPlaceOf, weeksUntil } from "../../src/domain/plan-frame.ts";
import type { PlanInput, RegionPlanSettings } from "../../src/domain/plan-types.ts";

function region(code: number, testWeekdays: number[]): RegionPlanSettings {
  return {
    code,
    testWeekdays: testWeekdays as RegionPlanSettings["testWeekdays"],
    labCapacityPerDay: 10,
    pickupTime: "08:00",
    pickupDayOffset: 1,
  };
}

function input(overrides: Partial<PlanInput>): PlanInput {
  return {
    // Monday 2020-10-05; week 40 after the anchor 2020-W01: cycle week 4.
    testWeek: { year: 2020, week: 41 },
    cycleAnchor: { year: 2020, week: 1 },
    regions: [region(1084, [1, 2, 3, 4, 5])],
    municipalities: [
      { code: 101, name: "København", regionCode: 1084, population: 1, aliases: [] },
      { code: 851, name: "Aalborg", regionCode: 1081, population: 1, aliases: [] },
    ],
    sites: [],
    staff: [],
    redOrders: [],
    statusByCode: new Map(),
    previousSlots: new Map(),
    carriedOver: [],
    ...overrides,
  };
}

describe("createPlanFrame: regions", () => {
  it("keeps each test weekday once, in order, and drops what is not a weekday", () => {
    const [frame] = createPlanFrame(input({ regions: [region(1084, [5, 1, 3, 3, 0, 8, 2.5])] })).regions;
    expect(frame?.weekdays).toEqual([1, 3, 5]);
    expect(frame?.testDays).toBe(3);
    expect(frame?.cycleDays).toBe(18);
    // Test-day index by ISO weekday 0…7: Monday 0, Wednesday 1, Friday 2.
    expect([...(frame?.testDayOf ?? [])]).toEqual([-1, 0, -1, 1, -1, 2, -1, -1]);
    // Monday, Wednesday, Friday of the test week and the five weeks after it.
    expect([...(frame?.offsetOfDay ?? [])]).toEqual([
      0, 2, 4, 7, 9, 11, 14, 16, 18, 21, 23, 25, 28, 30, 32, 35, 37, 39,
    ]);
    // The last cycle day on or before each offset 0…41 from the Monday.
    expect([...(frame?.lastDayBy ?? [])]).toEqual([
      0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10, 10, 11, 11, 11, 12, 12, 13, 13,
      14, 14, 14, 15, 15, 16, 16, 17, 17, 17,
    ]);
  });

  it("has no cycle day before the first test weekday", () => {
    const [frame] = createPlanFrame(input({ regions: [region(1084, [2, 4])] })).regions;
    // Tuesday is offset 1, Thursday 3; the last Thursday (day 11) is offset 38.
    expect([...(frame?.lastDayBy ?? [])].slice(0, 5)).toEqual([-1, 0, 0, 1, 1]);
    expect([...(frame?.lastDayBy ?? [])].slice(36)).toEqual([10, 10, 11, 11, 11, 11]);
  });

  it("plans a region code once, with the first settings that test at all", () => {
    const frame = createPlanFrame(
      input({
        regions: [region(1084, []), region(1084, [2]), region(1081, [1]), region(1084, [3])],
      }),
    );
    expect(frame.regions.map((r) => [r.settings.code, r.weekdays])).toEqual([
      [1084, [2]],
      [1081, [1]],
    ]);
  });
});

describe("createPlanFrame: sites", () => {
  it("indexes sites once, with their region, municipality and kind", () => {
    const frame = createPlanFrame(
      input({
        regions: [region(1081, [1]), region(1084, [1])],
        sites: [
          { id: "A", municipalityCode: 101, kind: "home-care", name: "A", address: "a" },
          { id: "B", municipalityCode: 851, kind: "nursing-home", name: "B", address: "b" },
          { id: "A", municipalityCode: 851, kind: "nursing-home", name: "A again", address: "a" },
          { id: "C", municipalityCode: 999, kind: "nursing-home", name: "C", address: "c" },
        ],
      }),
    );
    const { sites } = frame;
    expect(sites.ids).toEqual(["A", "B", "C"]);
    expect([...sites.indexById]).toEqual([
      ["A", 0],
      ["B", 1],
      ["C", 2],
    ]);
    // Regions by index: 1081 is 0, 1084 is 1; municipality 999 is in no region.
    expect([...sites.region].slice(0, 3)).toEqual([1, 0, -1]);
    expect([...sites.municipality].slice(0, 3)).toEqual([101, 851, 999]);
    expect(sites.kind).toEqual(["home-care", "nursing-home", "nursing-home"]);
  });
});

describe("createPlanFrame: calendar and cycle week", () => {
  const frame = createPlanFrame(input({}));

  it("is for cycle week 4 of 2020-W41 (40 weeks after the anchor, 40 mod 6 = 4)", () => {
    expect(frame.cycleWeek).toBe(4);
    expect(frame.testWeek).toEqual({ year: 2020, week: 41 });
    expect(frame.calendar.monday).toBe("2020-10-05");
  });

  it.each([
    { offset: -100, date: "2020-06-27" },
    { offset: -49, date: "2020-08-17" },
    { offset: -42, date: "2020-08-24" },
    { offset: 0, date: "2020-10-05" },
    { offset: 6, date: "2020-10-11" },
    { offset: 50, date: "2020-11-24" },
    { offset: 56, date: "2020-11-30" },
    { offset: 88, date: "2021-01-01" },
  ])("day $offset from the Monday is $date, and back", ({ offset, date }) => {
    expect(frame.calendar.dateAt(offset)).toBe(date);
    expect(frame.calendar.offsetOf(date)).toBe(offset);
  });

  it.each([
    { cycleWeek: 4, weeks: 0 },
    { cycleWeek: 5, weeks: 1 },
    { cycleWeek: 0, weeks: 2 },
    { cycleWeek: 3, weeks: 5 },
  ])("cycle week $cycleWeek next comes $weeks weeks after the test week", ({ cycleWeek, weeks }) => {
    expect(weeksUntil(frame, cycleWeek)).toBe(weeks);
  });

  it.each([
    { day: 0, place: { cycleWeek: 4, weekday: 2 } },
    { day: 1, place: { cycleWeek: 4, weekday: 4 } },
    { day: 2, place: { cycleWeek: 5, weekday: 2 } },
    { day: 5, place: { cycleWeek: 0, weekday: 4 } },
    { day: 11, place: { cycleWeek: 3, weekday: 4 } },
  ])("cycle day $day of a Tuesday/Thursday region is $place", ({ day, place }) => {
    const tuesdayThursday = createPlanFrame(input({ regions: [region(1084, [2, 4])] }));
    const [frameRegion] = tuesdayThursday.regions;
    if (frameRegion === undefined) throw new Error("no region");
    expect(slotPlaceOf(tuesdayThursday, frameRegion, day)).toEqual(place);
  });
});
