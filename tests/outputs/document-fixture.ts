// Hand-made data of one municipality's week for the document tests: Ærø (492), classified on
// Wednesday 30 September 2020 (2020-W40), test week 2020-W41 (Monday 5 – Sunday 11 October).
import type { Site } from "../../src/domain/roster.ts";
import { DEFAULT_SHIFT_HOURS } from "../../src/domain/shift-hours.ts";
import type { DocumentSettings } from "../../src/outputs/document-settings.ts";
import type { MunicipalityFacts, WeekFrame } from "../../src/outputs/municipality-week.ts";
import type { RotaRow } from "../../src/outputs/rota-files.ts";

export const GENERATED_AT = "2020-09-30T08:00:00.000Z";

export const FRAME: WeekFrame = {
  classificationWeek: "2020-W40",
  classificationDate: "2020-09-30",
  testWeek: "2020-W41",
  testWeekNumber: 41,
  testDates: [
    "2020-10-05",
    "2020-10-06",
    "2020-10-07",
    "2020-10-08",
    "2020-10-09",
    "2020-10-10",
    "2020-10-11",
  ],
};

export const SITES: Site[] = [
  {
    id: "S0492-NH01",
    municipalityCode: 492,
    kind: "nursing-home",
    name: "Plejecenter Søbækken",
    address: "Vestergade 9, 5970 Ærøskøbing",
  },
  {
    id: "S0492-HC01",
    municipalityCode: 492,
    kind: "home-care",
    name: "Hjemmeplejen Ærø",
    address: "Møllevejen 2, 5960 Marstal",
  },
  {
    id: "S0492-NH02",
    municipalityCode: 492,
    kind: "nursing-home",
    name: "Plejehjemmet Østergården",
    address: "Østergade 1, 5960 Marstal",
  },
];

const NH01 = { siteId: "S0492-NH01", siteName: "Plejecenter Søbækken" };
const HC01 = { siteId: "S0492-HC01", siteName: "Hjemmeplejen Ærø" };

/** Eight tests: two sessions at Søbækken, two at Hjemmeplejen Ærø; nobody at Østergården. */
export const ROWS: RotaRow[] = [
  {
    ...NH01,
    employeeId: "E492-0007",
    name: "Åse Ærenlund",
    date: "2020-10-06",
    weekday: 2,
    shift: "night",
    reason: "red-week-1",
  },
  {
    ...NH01,
    employeeId: "E492-0002",
    name: "Søren Østergård",
    date: "2020-10-05",
    weekday: 1,
    shift: "day",
    reason: "cycle",
  },
  {
    ...NH01,
    employeeId: "E492-0001",
    name: "Bodil Kjær",
    date: "2020-10-05",
    weekday: 1,
    shift: "day",
    reason: "new-starter",
  },
  {
    ...NH01,
    employeeId: "E492-0003",
    name: "",
    date: "2020-10-05",
    weekday: 1,
    shift: "day",
    reason: "cycle",
  },
  {
    ...HC01,
    employeeId: "E492-0104",
    name: "Anne-Mette Christiansen-Østergaard Bøgelund",
    date: "2020-10-08",
    weekday: 4,
    shift: "evening",
    reason: "red-retest",
  },
  {
    ...HC01,
    employeeId: "E492-0101",
    name: "Jørgen Læsø",
    date: "2020-10-08",
    weekday: 4,
    shift: "evening",
    reason: "cycle",
  },
  {
    ...HC01,
    employeeId: "E492-0102",
    name: "Ida Nørgaard",
    date: "2020-10-09",
    weekday: 5,
    shift: "day",
    reason: "cycle",
  },
  {
    ...HC01,
    employeeId: "E492-0103",
    name: "Mads Sørensen",
    date: "2020-10-09",
    weekday: 5,
    shift: "day",
    reason: "cycle",
  },
];

export const FACTS: MunicipalityFacts = {
  code: 492,
  name: "Ærø",
  status: "red",
  rawStatus: "red",
  incidence: 32.4,
  window: { start: "2020-09-22", end: "2020-09-28" },
  overrideId: null,
  flow: { kind: "red-flow", flowWeek: 1, limitToSites: null },
  staffCount: 120,
  deferred: 0,
  tests: ROWS.length,
};

export function settings(
  language: "da" | "en" = "da",
  contact = "Testkoordinator Ærø, tlf. 63 52 50 00",
): DocumentSettings {
  return {
    language,
    shiftHours: DEFAULT_SHIFT_HOURS,
    timezone: "Europe/Copenhagen",
    contact,
    generatedAt: GENERATED_AT,
  };
}
