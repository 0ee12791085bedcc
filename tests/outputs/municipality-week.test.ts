import { describe, expect, it } from "vitest";
import type { AssembledWeek } from "../../src/domain/assemble-week.ts";
import type { CadenceEvent, CadenceState } from "../../src/domain/cadence.ts";
import { labelsFor } from "../../src/outputs/document-labels.ts";
import {
  buildMunicipalityFacts,
  buildWeekFrame,
  describeFlow,
  describeStatus,
  explainNoTests,
  type FlowFacts,
} from "../../src/outputs/municipality-week.ts";
import { FACTS, FRAME } from "./document-fixture.ts";

const DA = labelsFor("da");
const EN = labelsFor("en");

describe("buildWeekFrame and buildMunicipalityFacts", () => {
  const week = {
    week: { year: 2020, week: 53 },
    testWeek: { year: 2021, week: 1 },
    classifications: [
      {
        week: { year: 2020, week: 53 },
        code: 101,
        name: "København",
        regionCode: 1084,
        window: { start: "2020-12-22", end: "2020-12-28" },
        cases7d: 2000,
        population: 600_000,
        incidence: 333.3,
        rawStatus: "red",
        status: "red",
        overrideId: null,
        limitToSites: null,
      },
    ],
    cadence: new Map<number, CadenceState>([
      [101, { phase: "red-flow", flowStart: { year: 2020, week: 50 }, limitToSites: null }],
    ]),
    events: new Map<number, CadenceEvent>([[101, "retest-next"]]),
    plan: {
      deferrals: [
        {
          municipalityCode: 101,
          regionCode: 1084,
          siteKind: "home-care",
          reason: "cycle",
          count: 7,
          gapViolations: 0,
        },
      ],
    },
  } as unknown as AssembledWeek;

  it("frames a test week across the new year: week 53 classifies, 2021-W01 is tested", () => {
    expect(buildWeekFrame(week)).toEqual({
      classificationWeek: "2020-W53",
      classificationDate: "2020-12-30",
      testWeek: "2021-W01",
      testWeekNumber: 1,
      testDates: [
        "2021-01-04",
        "2021-01-05",
        "2021-01-06",
        "2021-01-07",
        "2021-01-08",
        "2021-01-09",
        "2021-01-10",
      ],
    });
  });

  it("counts the red flow's weeks from its start (W50 → the test week 2021-W01 is its week 3)", () => {
    const facts = buildMunicipalityFacts(
      week,
      [{ code: 101, name: "København", regionCode: 1084, population: 600_000, aliases: [] }],
      new Map([[101, 9000]]),
      new Map([[101, 8000]]),
    ).get(101);
    expect(facts).toMatchObject({
      flow: { kind: "red-flow", flowWeek: 3, limitToSites: null },
      staffCount: 9000,
      deferred: 7,
      tests: 8000,
    });
  });
});

describe("describeFlow: where the municipality stands, for the cover and read-me", () => {
  const cases: { name: string; flow: FlowFacts; da: string }[] = [
    {
      name: "green",
      flow: { kind: "green", endedAtCheck: false },
      da: "Grøn: medarbejderne testes hver 6. uge på deres faste plads i 6-ugers-cyklussen.",
    },
    {
      name: "green again at the check",
      flow: { kind: "green", endedAtCheck: true },
      da: "Det røde forløb er slut: kommunen var grøn ved kontrollen onsdag 30-09-2020. Medarbejderne testes igen hver 6. uge på deres faste plads i cyklussen.",
    },
    {
      name: "red week 3: still red at the check, retest",
      flow: { kind: "red-flow", flowWeek: 3, limitToSites: null },
      da: 'Rødt forløb, "uge 3": kommunen var stadig rød ved kontrollen onsdag 30-09-2020, så alle medarbejdere gentestes i denne testuge.',
    },
    {
      name: "red week 1 limited to named sites",
      flow: { kind: "red-flow", flowWeek: 1, limitToSites: ["S0492-NH01"] },
      da: 'Rødt forløb, "uge 1": alle medarbejdere testes i denne testuge. Kun de udpegede arbejdssteder er med i det røde forløb: S0492-NH01.',
    },
  ];
  it.each(cases)("$name", ({ flow, da }) => {
    expect(describeFlow({ ...FACTS, flow }, FRAME, DA)).toBe(da);
  });

  it("in English too", () => {
    expect(
      describeFlow({ ...FACTS, flow: { kind: "red-flow", flowWeek: 2, limitToSites: null } }, FRAME, EN),
    ).toBe(
      'Red flow, "week 2": no retest this week. The municipality is checked again on Wednesday 07-10-2020; if still red, everyone is retested in week 42.',
    );
  });
});

describe("explainNoTests", () => {
  it("is empty when there are tests", () => {
    expect(explainNoTests(FACTS, FRAME, DA)).toEqual([]);
  });

  it("names deferrals for lack of lab capacity", () => {
    const facts = { ...FACTS, tests: 0, deferred: 12, flow: { kind: "green", endedAtCheck: false } as const };
    expect(explainNoTests(facts, FRAME, EN)).toEqual([
      "No tests this week.",
      "Green: staff are tested every 6 weeks on their fixed slot in the 6-week cycle.",
      "No staff member's fixed slot in the 6-week cycle falls in week 41.",
      "12 tests were deferred for lack of lab capacity; they are planned first next week.",
    ]);
  });

  it("says when red tests were due but nobody covered is employed", () => {
    expect(explainNoTests({ ...FACTS, tests: 0 }, FRAME, DA)).toEqual([
      "Ingen test i denne uge.",
      'Rødt forløb, "uge 1": alle medarbejdere testes i denne testuge.',
      "Ingen af de medarbejdere, det røde forløb omfatter, er ansat på testdagene.",
    ]);
  });
});

describe("describeStatus", () => {
  it("gives status and incidence with a Danish decimal comma, and an override with the computed status", () => {
    expect(describeStatus({ ...FACTS, status: "green", overrideId: "STPS-2020-17" }, DA)).toBe(
      "grøn: 32,4 nye tilfælde pr. 100.000 indbyggere på 7 dage (22-09-2020 – 28-09-2020); afgørelse fra Styrelsen for Patientsikkerhed: STPS-2020-17 (beregnet: rød)",
    );
  });
});
