import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { PlannedTest } from "../../src/domain/plan-types.ts";
import type { Site, StaffMember } from "../../src/domain/roster.ts";
import {
  buildRotaRows,
  buildRotaRowsOfWeeks,
  renderRotaCsv,
  type RotaRow,
} from "../../src/outputs/rota-files.ts";

const HEADER = ["employee_id", "name", "site_id", "site_name", "date", "weekday", "shift", "reason"];

// 2020-W45: Monday 2 November … Sunday 8 November.
const ROWS: RotaRow[] = [
  {
    employeeId: "E9",
    name: "Ida",
    siteId: "S2",
    siteName: "Hjemmeplejen Syd",
    date: "2020-11-03",
    weekday: 2,
    shift: "night",
    reason: "cycle",
  },
  {
    employeeId: "E2",
    name: "Bo",
    siteId: "S2",
    siteName: "Hjemmeplejen Syd",
    date: "2020-11-02",
    weekday: 1,
    shift: "evening",
    reason: "red-week-1",
  },
  {
    employeeId: "E5",
    name: "",
    siteId: "S1",
    siteName: "Plejecenter; Nord",
    date: "2020-11-02",
    weekday: 1,
    shift: "evening",
    reason: "cycle",
  },
  {
    employeeId: "E1",
    name: 'Åse "Aase" Øst',
    siteId: "S1",
    siteName: "Plejecenter; Nord",
    date: "2020-11-02",
    weekday: 1,
    shift: "night",
    reason: "new-starter",
  },
  {
    employeeId: "E3",
    name: "Carl",
    siteId: "S1",
    siteName: "Plejecenter; Nord",
    date: "2020-11-02",
    weekday: 1,
    shift: "day",
    reason: "red-retest",
  },
  {
    employeeId: "E4",
    name: "Dorte",
    siteId: "S1",
    siteName: "Plejecenter; Nord",
    date: "2020-11-02",
    weekday: 1,
    shift: "evening",
    reason: "cycle",
  },
];

// By date, shift (day, evening, night), site, employee.
const EXPECTED = [
  ["E3", "Carl", "S1", "Plejecenter; Nord", "2020-11-02", "monday", "day", "red-retest"],
  ["E4", "Dorte", "S1", "Plejecenter; Nord", "2020-11-02", "monday", "evening", "cycle"],
  ["E5", "", "S1", "Plejecenter; Nord", "2020-11-02", "monday", "evening", "cycle"],
  ["E2", "Bo", "S2", "Hjemmeplejen Syd", "2020-11-02", "monday", "evening", "red-week-1"],
  ["E1", 'Åse "Aase" Øst', "S1", "Plejecenter; Nord", "2020-11-02", "monday", "night", "new-starter"],
  ["E9", "Ida", "S2", "Hjemmeplejen Syd", "2020-11-03", "tuesday", "night", "cycle"],
];

describe("renderRotaCsv", () => {
  it("writes the contract columns, rows sorted by date, shift, site and employee", () => {
    const parsed = parse(Buffer.from(renderRotaCsv(ROWS)), { bom: true, delimiter: ";" });
    expect(parsed).toEqual([HEADER, ...EXPECTED]);
  });
});

describe("buildRotaRows", () => {
  const sites: Site[] = [
    { id: "S1", municipalityCode: 101, kind: "nursing-home", name: "Egebakken", address: "Skolevej 1" },
    {
      id: "S2",
      municipalityCode: 825,
      kind: "home-care",
      name: "Læsø Hjemmepleje",
      address: "Doktorvejen 2",
    },
  ];
  const staff: StaffMember[] = [
    { municipalityCode: 101, employeeId: "E1", name: "Anna", siteId: "S1", shift: "day" },
    { municipalityCode: 825, employeeId: "E2", siteId: "S2", shift: "night" },
  ];
  const test = (employeeId: string, siteId: string, municipalityCode: number): PlannedTest => ({
    employeeId,
    siteId,
    municipalityCode,
    regionCode: 1084,
    date: "2020-11-03",
    weekday: 2,
    shift: "day",
    reason: "cycle",
  });

  it("groups rows by municipality so each folder holds only its own staff", () => {
    const rows = buildRotaRows([test("E1", "S1", 101), test("E2", "S2", 825)], staff, sites);
    expect([...rows.keys()].sort()).toEqual([101, 825]);
    expect(rows.get(101)).toEqual([
      {
        employeeId: "E1",
        name: "Anna",
        siteId: "S1",
        siteName: "Egebakken",
        date: "2020-11-03",
        weekday: 2,
        shift: "day",
        reason: "cycle",
      },
    ]);
    expect(rows.get(825)?.map((r) => [r.employeeId, r.name])).toEqual([["E2", ""]]);
  });

  it("builds each week's rows from one roster pass, telling the same employee id in two municipalities apart", () => {
    // E1 is an id in both 101 and 825's HR systems: two people, each tested in their own week.
    const roster: StaffMember[] = [
      ...staff,
      { municipalityCode: 825, employeeId: "E1", name: "Bo", siteId: "S2", shift: "evening" },
    ];
    const [testWeek, lookahead] = buildRotaRowsOfWeeks(
      [[test("E1", "S1", 101)], [test("E1", "S2", 825), test("E2", "S2", 825)]],
      roster,
      sites,
    );
    expect([...(testWeek ?? new Map()).keys()]).toEqual([101]);
    expect(testWeek?.get(101)?.map((r) => [r.employeeId, r.name, r.siteName])).toEqual([
      ["E1", "Anna", "Egebakken"],
    ]);
    expect([...(lookahead ?? new Map()).keys()]).toEqual([825]);
    expect(lookahead?.get(825)?.map((r) => [r.employeeId, r.name, r.siteName])).toEqual([
      ["E1", "Bo", "Læsø Hjemmepleje"],
      ["E2", "", "Læsø Hjemmepleje"],
    ]);
  });

  it("refuses a test of an unknown employee without naming the employee", () => {
    expect(() => buildRotaRows([test("E404", "S1", 101)], staff, sites)).toThrow(/site S1/);
    expect(() => buildRotaRows([test("E404", "S1", 101)], staff, sites)).not.toThrow(/E404/);
  });
});
