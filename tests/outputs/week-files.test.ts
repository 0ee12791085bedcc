import { afterEach, describe, expect, it, vi } from "vitest";
import type { AssembledWeek } from "../../src/domain/assemble-week.ts";
import type { CadenceEvent, CadenceState } from "../../src/domain/cadence.ts";
import type { Classification } from "../../src/domain/classify.ts";
import type { PlannedTest, WeekPlan } from "../../src/domain/plan-types.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import type { Site, StaffMember } from "../../src/domain/roster.ts";
import { renderWeekFiles, type WeekFilesInput } from "../../src/outputs/week-files.ts";
import { SITES as AERO_SITES } from "./document-fixture.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

// Ærø (492, red, in its red week 1) has two sites with tests and one without; Læsø (825, green)
// has staff but no cycle share this week; Fanø (563) has no staff on the roster at all.
const MUNICIPALITIES: Municipality[] = [
  { code: 492, name: "Ærø", regionCode: 1083, population: 6_000, aliases: [] },
  { code: 563, name: "Fanø", regionCode: 1083, population: 3_400, aliases: [] },
  { code: 825, name: "Læsø", regionCode: 1081, population: 1_800, aliases: [] },
];
const SITES: Site[] = [
  ...AERO_SITES,
  {
    id: "S0825-NH01",
    municipalityCode: 825,
    kind: "nursing-home",
    name: "Plejehjemmet Byrum",
    address: "Byrum 1",
  },
];
const STAFF: StaffMember[] = [
  { municipalityCode: 492, employeeId: "E492-0001", name: "Bodil Kjær", siteId: "S0492-NH01", shift: "day" },
  {
    municipalityCode: 492,
    employeeId: "E492-0007",
    name: "Åse Ærenlund",
    siteId: "S0492-NH01",
    shift: "night",
  },
  {
    municipalityCode: 492,
    employeeId: "E492-0101",
    name: "Jørgen Læsø",
    siteId: "S0492-HC01",
    shift: "evening",
  },
  {
    municipalityCode: 492,
    employeeId: "E492-0150",
    name: "Vagn Østerby",
    siteId: "S0492-NH02",
    shift: "day",
  },
  { municipalityCode: 825, employeeId: "E825-0001", name: "Karen Byrum", siteId: "S0825-NH01", shift: "day" },
];

function test(
  employeeId: string,
  siteId: string,
  date: string,
  weekday: 1 | 2 | 4,
  shift: "day" | "evening" | "night",
): PlannedTest {
  return {
    employeeId,
    siteId,
    municipalityCode: 492,
    regionCode: 1083,
    date,
    weekday,
    shift,
    reason: "red-week-1",
  };
}

function plan(testWeek: { year: number; week: number }, tests: PlannedTest[]): WeekPlan {
  return weekPlanOf(testWeek, { tests });
}

function classification(code: number, name: string, regionCode: number, incidence: number): Classification {
  const status = incidence >= 20 ? "red" : "green";
  return {
    week: { year: 2020, week: 40 },
    code,
    name,
    regionCode,
    window: { start: "2020-09-22", end: "2020-09-28" },
    cases7d: null,
    population: 1000,
    incidence,
    rawStatus: status,
    status,
    overrideId: null,
    limitToSites: null,
  };
}

function assembled(): AssembledWeek {
  return {
    week: { year: 2020, week: 40 },
    testWeek: { year: 2020, week: 41 },
    classifications: [
      classification(492, "Ærø", 1083, 32.4),
      classification(563, "Fanø", 1083, 0),
      classification(825, "Læsø", 1081, 0),
    ],
    cadence: new Map<number, CadenceState>([
      [492, { phase: "red-flow", flowStart: { year: 2020, week: 39 }, limitToSites: null }],
      [563, { phase: "green" }],
      [825, { phase: "green" }],
    ]),
    events: new Map<number, CadenceEvent>([
      [492, "week-1-next"],
      [563, "none"],
      [825, "none"],
    ]),
    cadenceOrigin: { kind: "fresh" },
    redOrders: [],
    plan: plan({ year: 2020, week: 41 }, [
      test("E492-0001", "S0492-NH01", "2020-10-05", 1, "day"),
      test("E492-0007", "S0492-NH01", "2020-10-06", 2, "night"),
      test("E492-0101", "S0492-HC01", "2020-10-08", 4, "evening"),
    ]),
    lookahead: plan({ year: 2020, week: 42 }, [test("E492-0150", "S0492-NH02", "2020-10-12", 1, "day")]),
  };
}

function input(): WeekFilesInput {
  return {
    assembled: assembled(),
    municipalities: MUNICIPALITIES,
    regionCodes: [1081, 1083],
    sites: SITES,
    staff: STAFF,
    generatedAt: new Date("2020-09-30T08:00:00.000Z"),
    summary: { week: "2020-W40", counts: { tests: 3 } },
  };
}

// The BOM is kept (ignoreBOM), so the tests see it is there.
const text = (bytes: Uint8Array | undefined) =>
  new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes ?? new Uint8Array());

describe("renderWeekFiles: the documents of a week folder", () => {
  it("writes each municipality's workbook, read-me, and a PDF and calendar per site with tests", async () => {
    const files = await renderWeekFiles(input());
    expect([...files.keys()].sort()).toEqual(
      [
        "LÆS-MIG.txt",
        "README.txt",
        "classification.csv",
        "lookahead/2020-W42/FORELØBIG-LÆS-MIG.txt",
        "lookahead/2020-W42/PROVISIONAL-README.txt",
        "lookahead/2020-W42/municipalities/492/FORELØBIG-rota.csv",
        "lookahead/2020-W42/municipalities/563/FORELØBIG-rota.csv",
        "lookahead/2020-W42/municipalities/825/FORELØBIG-rota.csv",
        "municipalities/492/LÆS-MIG.txt",
        "municipalities/492/rota.csv",
        "municipalities/492/rota.xlsx",
        "municipalities/492/sites/S0492-HC01.ics",
        "municipalities/492/sites/S0492-HC01.pdf",
        "municipalities/492/sites/S0492-NH01.ics",
        "municipalities/492/sites/S0492-NH01.pdf",
        "municipalities/563/LÆS-MIG.txt",
        "municipalities/563/rota.csv",
        "municipalities/563/rota.xlsx",
        "municipalities/825/LÆS-MIG.txt",
        "municipalities/825/rota.csv",
        "municipalities/825/rota.xlsx",
        "regions/1081/pickups.csv",
        "regions/1081/pickups.json",
        "regions/1083/pickups.csv",
        "regions/1083/pickups.json",
        "summary.json",
      ].sort(),
    );
  });

  it("says in the folder's read-me which classification it is from and which test week it covers", async () => {
    const files = await renderWeekFiles(input());
    const danish = text(files.get("LÆS-MIG.txt"));
    expect(danish.startsWith("\uFEFFLÆS MIG – testrota, mappe 2020-W40\r\n")).toBe(true);
    expect(danish).toContain("Mappen er fra klassifikationen onsdag 30-09-2020 (uge 40).");
    expect(danish).toContain(
      "Den indeholder den ENDELIGE testplan for TESTUGE 41: mandag 05-10-2020 – søndag 11-10-2020.",
    );
    // 2 of the 4 sites have tests.
    expect(danish).toContain("2 af 4 arbejdssteder har test i uge 41.");
    const english = text(files.get("README.txt"));
    expect(english).toContain(
      "It holds the FINAL test rota of TEST WEEK 41: Monday 05-10-2020 – Sunday 11-10-2020.",
    );
    expect(english).toContain("PROVISIONAL (FORELØBIG) rota of week 42");
  });

  it("explains each municipality's week in its own folder, and why there are no tests", async () => {
    const files = await renderWeekFiles(input());
    const aero = text(files.get("municipalities/492/LÆS-MIG.txt"));
    expect(aero).toContain('Rødt forløb, "uge 1": alle medarbejdere testes i denne testuge.');
    expect(aero).toContain("3 test på 2 arbejdssteder.");
    expect(aero).toMatch(/S0492-HC01 {2}Hjemmeplejen Ærø \(1 test\) → sites\/S0492-HC01\.pdf, \.ics/);
    expect(aero).toContain(
      "Arbejdssteder uden test (ingen PDF, ingen kalender)\r\n  S0492-NH02  Plejehjemmet Østergården",
    );
    expect(text(files.get("municipalities/563/LÆS-MIG.txt"))).toContain(
      "Ingen test i denne uge: kommunen har ingen medarbejdere på personalelisten (roster).",
    );
    expect(text(files.get("municipalities/825/LÆS-MIG.txt"))).toContain(
      "Ingen test i denne uge. Grøn: medarbejderne testes hver 6. uge på deres faste plads i 6-ugers-cyklussen. Ingen medarbejders faste plads i 6-ugers-cyklussen falder i uge 41.",
    );
  });

  it("marks the look-ahead provisional in its file names and the first line of its read-me", async () => {
    const files = await renderWeekFiles(input());
    expect(text(files.get("lookahead/2020-W42/FORELØBIG-LÆS-MIG.txt")).split("\r\n")[0]).toBe(
      "\uFEFFFORELØBIG – testplan for uge 42 (2020-W42), IKKE endelig",
    );
    expect(text(files.get("lookahead/2020-W42/PROVISIONAL-README.txt")).split("\r\n")[0]).toBe(
      "\uFEFFPROVISIONAL (FORELØBIG) – test rota of week 42 (2020-W42), NOT final",
    );
    // The CSV keeps the contract's header as its first line, so CSV readers still read it.
    expect(text(files.get("lookahead/2020-W42/municipalities/492/FORELØBIG-rota.csv")).split("\r\n")).toEqual(
      [
        "\uFEFFemployee_id;name;site_id;site_name;date;weekday;shift;reason",
        "E492-0150;Vagn Østerby;S0492-NH02;Plejehjemmet Østergården;2020-10-12;monday;day;red-week-1",
        "",
      ],
    );
  });

  it("keeps names and employee ids in the municipality's own folder, and out of calendars", async () => {
    const files = await renderWeekFiles(input());
    for (const [path, bytes] of files) {
      const content = Buffer.from(bytes).toString("latin1") + text(bytes);
      const own =
        path.startsWith("municipalities/492/") || path.startsWith("lookahead/2020-W42/municipalities/492/");
      for (const member of STAFF.filter((s) => s.employeeId.startsWith("E492"))) {
        if (!own || path.endsWith(".ics")) {
          expect(content, path).not.toContain(member.employeeId);
          expect(content, path).not.toContain(member.name ?? "");
        }
      }
    }
  });
});

describe("renderWeekFiles is byte-identical on a rerun", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("for every file (xlsx, pdf, ics, txt, csv), whenever it runs", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2021-03-01T12:00:00Z"));
    const first = await renderWeekFiles(input());
    vi.setSystemTime(new Date("2024-07-15T18:31:17Z"));
    const second = await renderWeekFiles(input());
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [path, bytes] of first) {
      expect(Buffer.from(second.get(path) ?? new Uint8Array()).equals(Buffer.from(bytes)), path).toBe(true);
    }
  });
});
