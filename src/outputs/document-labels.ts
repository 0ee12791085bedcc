import { DateTime } from "luxon";
import type { IsoDate, Weekday } from "../domain/calendar.ts";
import type { TestReason } from "../domain/plan-types.ts";
import type { Shift } from "../domain/roster.ts";
import type { ShiftHours } from "../domain/shift-hours.ts";

/**
 * Language of the documents people read (workbook, site sheets, calendars, LÆS-MIG/README).
 * Danish by default; the CSV and JSON contract files never change with it.
 */
export const DOCUMENT_LANGUAGES = ["da", "en"] as const;
export type DocumentLanguage = (typeof DOCUMENT_LANGUAGES)[number];

/** What a coordinator records per planned test (the workbook's list, the site sheet's boxes). */
export const OUTCOMES = ["taken", "declined", "absent"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The words of one language. Functions build the sentences that carry numbers or dates. */
export type DocumentLabels = {
  readonly language: DocumentLanguage;
  readonly weekdays: readonly [string, string, string, string, string, string, string];
  readonly shifts: Readonly<Record<Shift, string>>;
  readonly reasons: Readonly<Record<TestReason, string>>;
  readonly outcomes: Readonly<Record<Outcome, string>>;
  readonly status: Readonly<Record<"red" | "green", string>>;
  /** Display format of dates (luxon tokens) and the same for spreadsheet cells. */
  readonly dateFormat: string;
  readonly excelDateFormat: string;
  readonly decimalSeparator: string;
  readonly columns: {
    readonly date: string;
    readonly weekday: string;
    readonly shift: string;
    readonly employeeId: string;
    readonly name: string;
    readonly reason: string;
    readonly outcome: string;
    readonly sampleId: string;
    readonly site: string;
    readonly siteId: string;
    readonly kind: string;
    readonly total: string;
  };
  readonly siteKinds: Readonly<Record<"nursing-home" | "home-care", string>>;
  readonly testWeek: (week: number) => string;
  readonly page: (page: number, pages: number) => string;
  readonly tests: (count: number) => string;
  readonly continued: string;
};

const DA: DocumentLabels = {
  language: "da",
  weekdays: ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
  shifts: { day: "dag", evening: "aften", night: "nat" },
  reasons: {
    cycle: "cyklus",
    "red-week-1": "rød uge 1",
    "red-retest": "rød gentest",
    "new-starter": "nyansat",
    "make-up": "genplanlagt",
  },
  outcomes: { taken: "taget", declined: "afslået", absent: "fraværende" },
  status: { red: "rød", green: "grøn" },
  dateFormat: "dd-MM-yyyy",
  excelDateFormat: "dd-mm-yyyy",
  decimalSeparator: ",",
  columns: {
    date: "Dato",
    weekday: "Ugedag",
    shift: "Vagt",
    employeeId: "Medarbejdernr.",
    name: "Navn",
    reason: "Årsag",
    outcome: "Udfald",
    sampleId: "Prøve-ID",
    site: "Arbejdssted",
    siteId: "Sted-ID",
    kind: "Type",
    total: "I alt",
  },
  siteKinds: { "nursing-home": "plejehjem", "home-care": "hjemmepleje" },
  testWeek: (week) => `testuge ${week}`,
  page: (page, pages) => `side ${page} af ${pages}`,
  tests: (count) => (count === 1 ? "1 test" : `${count} test`),
  continued: "fortsat",
};

const EN: DocumentLabels = {
  language: "en",
  weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
  shifts: { day: "day", evening: "evening", night: "night" },
  reasons: {
    cycle: "cycle",
    "red-week-1": "red week 1",
    "red-retest": "red retest",
    "new-starter": "new starter",
    "make-up": "make-up",
  },
  outcomes: { taken: "taken", declined: "declined", absent: "absent" },
  status: { red: "red", green: "green" },
  dateFormat: "dd-MM-yyyy",
  excelDateFormat: "dd-mm-yyyy",
  decimalSeparator: ".",
  columns: {
    date: "Date",
    weekday: "Weekday",
    shift: "Shift",
    employeeId: "Employee ID",
    name: "Name",
    reason: "Reason",
    outcome: "Outcome",
    sampleId: "Sample ID",
    site: "Site",
    siteId: "Site ID",
    kind: "Kind",
    total: "Total",
  },
  siteKinds: { "nursing-home": "nursing home", "home-care": "home care" },
  testWeek: (week) => `test week ${week}`,
  page: (page, pages) => `page ${page} of ${pages}`,
  tests: (count) => (count === 1 ? "1 test" : `${count} tests`),
  continued: "continued",
};

/** The labels of `language`. */
export function labelsFor(language: DocumentLanguage): DocumentLabels {
  return language === "en" ? EN : DA;
}

/** Formatted dates: a week's documents show the same seven dates tens of thousands of times. */
const formattedDates = new Map<string, string>();

/** A date the way the reader writes it: `05-10-2020` (day-month-year, both languages). */
export function formatDate(date: IsoDate, labels: DocumentLabels): string {
  const key = `${labels.dateFormat} ${date}`;
  let text = formattedDates.get(key);
  if (text === undefined) {
    text = DateTime.fromISO(date, { zone: "utc" }).toFormat(labels.dateFormat);
    formattedDates.set(key, text);
  }
  return text;
}

/** The weekday's name (1 = Monday). */
export function weekdayName(weekday: Weekday, labels: DocumentLabels): string {
  return labels.weekdays[weekday - 1] ?? "";
}

/** `07:00–15:00`: the shift's time window. */
export function formatShiftWindow(shift: Shift, hours: ShiftHours): string {
  return `${hours[shift].start}–${hours[shift].end}`;
}

/** `dag 07:00–15:00`: the shift with its time window. */
export function formatShift(shift: Shift, hours: ShiftHours, labels: DocumentLabels): string {
  return `${labels.shifts[shift]} ${formatShiftWindow(shift, hours)}`;
}

/** A number with one decimal, in the reader's decimal separator (`45,3`). */
export function formatDecimal(value: number, labels: DocumentLabels): string {
  return value.toFixed(1).replace(".", labels.decimalSeparator);
}
