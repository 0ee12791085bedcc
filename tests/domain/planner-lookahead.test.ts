import { describe, expect, it } from "vitest";
import type { CycleSlot, PlanInput, PlannedTest, WeekPlan } from "../../src/domain/plan-types.ts";
import { planWeek, planWeekAndRoster } from "../../src/domain/planner.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { staffKey, type Shift, type Site, type StaffMember } from "../../src/domain/roster.ts";

/*
 * The plan of 2020-W41 and the look-ahead of 2020-W42 over the same roster, worked out by hand.
 * W41 (Monday 2020-10-05) is week 4 of the 6-week cycle counted from 2020-W01, W42 (Monday
 * 2020-10-12) week 5. Region 1084 tests Monday to Friday. Every member has a slot from the
 * week before, so all are kept in W41:
 * - A (NH1, day, cycle week 4 Monday): tested Monday 2020-10-05 in W41, not in W42;
 * - B (NH1, day, cycle week 5 Tuesday): tested Tuesday 2020-10-13 in W42;
 * - C (HC1, day, cycle week 5 Wednesday): leaves on 2020-10-09 (Friday of W41), so W42 drops
 *   the slot (one removed) and plans no test; without an end date, tested Wednesday 2020-10-14;
 * - E (NH2 of municipality 147, evening, cycle week 5 Thursday): tested Thursday 2020-10-15.
 */
const W41 = { year: 2020, week: 41 };
const W42 = { year: 2020, week: 42 };
const MUNICIPALITIES: Municipality[] = [
  { code: 101, name: "København", regionCode: 1084, population: 1, aliases: [] },
  { code: 147, name: "Frederiksberg", regionCode: 1084, population: 1, aliases: [] },
];
const SITES: Site[] = [
  { id: "NH1", municipalityCode: 101, kind: "nursing-home", name: "NH1", address: "a" },
  { id: "HC1", municipalityCode: 101, kind: "home-care", name: "HC1", address: "b" },
  { id: "NH2", municipalityCode: 147, kind: "nursing-home", name: "NH2", address: "c" },
];
const REGIONS = [{ code: 1084, testWeekdays: [1, 2, 3, 4, 5] as const, labCapacityPerDay: 100 }];

type Row = {
  id: string;
  site: string;
  municipality: number;
  shift: Shift;
  slot: CycleSlot;
  endDate?: string;
};
const A: Row = {
  id: "A",
  site: "NH1",
  municipality: 101,
  shift: "day",
  slot: { cycleWeek: 4, weekday: 1, shift: "day", siteId: "NH1" },
};
const B: Row = {
  id: "B",
  site: "NH1",
  municipality: 101,
  shift: "day",
  slot: { cycleWeek: 5, weekday: 2, shift: "day", siteId: "NH1" },
};
const C: Row = {
  id: "C",
  site: "HC1",
  municipality: 101,
  shift: "day",
  slot: { cycleWeek: 5, weekday: 3, shift: "day", siteId: "HC1" },
};
const C_LEAVING: Row = { ...C, endDate: "2020-10-09" };
const E: Row = {
  id: "E",
  site: "NH2",
  municipality: 147,
  shift: "evening",
  slot: { cycleWeek: 5, weekday: 4, shift: "evening", siteId: "NH2" },
};

function inputOf(rows: readonly Row[]): PlanInput {
  const staff: StaffMember[] = rows.map((row) => ({
    municipalityCode: row.municipality,
    employeeId: row.id,
    siteId: row.site,
    shift: row.shift,
    ...(row.endDate === undefined ? {} : { endDate: row.endDate }),
  }));
  return {
    testWeek: W41,
    cycleAnchor: { year: 2020, week: 1 },
    regions: REGIONS,
    municipalities: MUNICIPALITIES,
    sites: SITES,
    staff,
    redOrders: [],
    statusByCode: new Map(),
    previousSlots: new Map(rows.map((row) => [staffKey(row.municipality, row.id), row.slot])),
    carriedOver: [],
  };
}

function testsOf(plan: WeekPlan): string[] {
  return plan.tests.map(
    (t: PlannedTest) => `${t.municipalityCode}:${t.employeeId} ${t.date} ${t.shift} ${t.reason}`,
  );
}

const B_TEST = "101:B 2020-10-13 day cycle";
const C_TEST = "101:C 2020-10-14 day cycle";
const E_TEST = "147:E 2020-10-15 evening cycle";

describe("planWeekAndRoster: the look-ahead planned from the plan's members", () => {
  it.each([
    {
      name: "a leaver in the middle of the roster",
      rows: [A, B, C_LEAVING, E],
      tests: [B_TEST, E_TEST],
      kept: 3,
    },
    {
      name: "a leaver at the end of the roster",
      rows: [A, B, E, C_LEAVING],
      tests: [B_TEST, E_TEST],
      kept: 3,
    },
    { name: "nobody leaving", rows: [A, B, C, E], tests: [B_TEST, C_TEST, E_TEST], kept: 4 },
  ])("$name: the same week as read from the roster", ({ rows, tests, kept }) => {
    const input = inputOf(rows);
    const { plan, roster } = planWeekAndRoster(input);
    expect(testsOf(plan)).toEqual(["101:A 2020-10-05 day cycle"]);
    expect(plan.changes).toMatchObject({ kept: 4, added: 0, moved: 0, removed: 0, skippedRows: 0 });
    expect(roster).toBeDefined();
    const next = { ...input, testWeek: W42, previousSlots: plan.slots, withSlots: false };
    const shared = planWeekAndRoster({ ...next, sameRosterAs: roster });
    const read = planWeek(next);
    for (const lookahead of [shared.plan, read]) {
      // Staff are listed in site order (NH1, HC1, NH2) within the week's days.
      expect(testsOf(lookahead)).toEqual(tests);
      expect(lookahead.changes).toMatchObject({
        kept,
        added: 0,
        moved: 0,
        removed: 4 - kept,
        skippedRows: 0,
      });
      expect(lookahead.slots.size).toBe(0);
    }
    // The member list is shared while nobody left between the weeks, copied otherwise.
    expect(shared.roster?.members.list === roster?.members.list).toBe(kept === 4);
    // The plan is untouched by the look-ahead that reused its members.
    expect([...plan.slots.keys()]).toEqual(rows.map((row) => staffKey(row.municipality, row.id)));
    expect(roster?.members.list.map((member) => member.employeeId)).toEqual(rows.map((row) => row.id));
  });

  it("reads the roster itself when handed members of another roster or other previous slots", () => {
    const input = inputOf([A, B, C, E]);
    const { plan, roster } = planWeekAndRoster(input);
    const next = {
      ...input,
      testWeek: W42,
      previousSlots: plan.slots,
      withSlots: false,
      sameRosterAs: roster,
    };
    // A copy of the roster without C: the plan's members would bring C's test back.
    const otherStaff = planWeekAndRoster({ ...next, staff: input.staff.filter((m) => m.employeeId !== "C") });
    expect(testsOf(otherStaff.plan)).toEqual([B_TEST, E_TEST]);
    expect(otherStaff.plan.changes).toMatchObject({ kept: 3, removed: 1 });
    // Other previous slots: B's slot moved to cycle week 0 Tuesday, so B is not tested in W42.
    const otherSlots = new Map(plan.slots);
    otherSlots.set(staffKey(101, "B"), { cycleWeek: 0, weekday: 2, shift: "day", siteId: "NH1" });
    const moved = planWeekAndRoster({ ...next, previousSlots: otherSlots });
    expect(testsOf(moved.plan)).toEqual([C_TEST, E_TEST]);
  });

  it("gives no members when the plan skipped a roster row", () => {
    const input = inputOf([A, B]);
    const withUnknownSite = {
      ...input,
      staff: [
        ...input.staff,
        { municipalityCode: 101, employeeId: "X", siteId: "GONE", shift: "day" as const },
      ],
    };
    const { plan, roster } = planWeekAndRoster(withUnknownSite);
    expect(plan.changes.skippedRows).toBe(1);
    expect(roster).toBeUndefined();
  });
});
