import type { CadenceEvent } from "../../domain/cadence.ts";
import type { OverrideAction, Status } from "../../domain/classify.ts";
import type { SiteKind, Shift } from "../../domain/roster.ts";
import type { TestReason } from "../../domain/plan-types.ts";
import type { ReportLanguage } from "./report-types.ts";

/** Words shared by both reports. */
export type CommonTexts = {
  readonly status: Readonly<Record<Status, string>>;
  readonly shift: Readonly<Record<Shift, string>>;
  readonly siteKind: Readonly<Record<SiteKind, string>>;
  readonly reason: Readonly<Record<TestReason, string>>;
  readonly overrideAction: Readonly<Record<OverrideAction, string>>;
  readonly event: Readonly<Record<CadenceEvent, string>>;
  readonly skipLink: string;
  readonly noStaffData: string;
  readonly showTable: string;
  readonly none: string;
  readonly week: string;
  readonly date: string;
  readonly region: string;
  readonly municipality: string;
  readonly total: string;
  readonly capacity: string;
  readonly perDay: string;
  readonly tests: string;
};

const DA: CommonTexts = {
  status: { red: "Rød", green: "Grøn" },
  shift: { day: "Dag", evening: "Aften", night: "Nat" },
  siteKind: { "nursing-home": "Plejehjem", "home-care": "Hjemmepleje" },
  reason: {
    cycle: "6-ugers cyklus",
    "new-starter": "Nyansat",
    "red-week-1": "Rød uge 1",
    "red-retest": "Rød gentest",
    "make-up": "Genplanlagt (manglende test)",
  },
  overrideAction: {
    "keep-green": "Forbliver grøn",
    "force-red": "Tvunget rød",
    "limit-to-sites": "Kun udvalgte steder",
  },
  event: {
    none: "Ingen ændring",
    "flow-started": "Skiftet til rød: rødt forløb startet (uge −1)",
    "week-1-next": "Alle ansatte testes i testugen (uge 1)",
    "retest-next": "Stadig rød ved kontrollen: ny test af alle i testugen",
    "flow-ended": "Grøn ved kontrollen: tilbage til 6-ugers cyklus",
    "in-flow": "I rødt forløb",
  },
  skipLink: "Spring til indholdet",
  noStaffData:
    "Rapporten indeholder kun antal og kommunetal: ingen navne eller medarbejdernumre. Dem finder kommunerne i deres egne testplaner.",
  showTable: "Vis tallene som tabel",
  none: "Ingen",
  week: "Uge",
  date: "Dato",
  region: "Region",
  municipality: "Kommune",
  total: "I alt",
  capacity: "Kapacitet",
  perDay: "pr. dag",
  tests: "test",
};

const EN: CommonTexts = {
  status: { red: "Red", green: "Green" },
  shift: { day: "Day", evening: "Evening", night: "Night" },
  siteKind: { "nursing-home": "Nursing home", "home-care": "Home care" },
  reason: {
    cycle: "6-week cycle",
    "new-starter": "New starter",
    "red-week-1": "Red week 1",
    "red-retest": "Red retest",
    "make-up": "Make-up (missed test)",
  },
  overrideAction: {
    "keep-green": "Kept green",
    "force-red": "Forced red",
    "limit-to-sites": "Limited to sites",
  },
  event: {
    none: "No change",
    "flow-started": "Turned red: red flow started (week −1)",
    "week-1-next": "All staff tested in the test week (week 1)",
    "retest-next": "Still red at the check: all staff retested in the test week",
    "flow-ended": "Green at the check: back to the 6-week cycle",
    "in-flow": "In a red flow",
  },
  skipLink: "Skip to content",
  noStaffData:
    "This report holds counts and municipality figures only: no names or employee ids. Municipalities find those in their own rotas.",
  showTable: "Show the figures as a table",
  none: "None",
  week: "Week",
  date: "Date",
  region: "Region",
  municipality: "Municipality",
  total: "Total",
  capacity: "Capacity",
  perDay: "per day",
  tests: "tests",
};

/** Shared words in the report language. */
export function commonTexts(language: ReportLanguage): CommonTexts {
  return language === "da" ? DA : EN;
}

/** Picks the Danish or the English wording of one phrase. */
export function say(language: ReportLanguage, danish: string, english: string): string {
  return language === "da" ? danish : english;
}
