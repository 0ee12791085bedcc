import { DateTime } from "luxon";
import { dateInWeek, parseIsoWeek } from "../domain/calendar.ts";
import type { RecipientScope } from "../store/recipients.ts";

/*
 * The words of the portal and the notification mails, Danish by default (`documents.language`).
 * Sentences that carry numbers or names of municipalities are functions.
 */

export type Language = "da" | "en";

export type Places = {
  readonly municipalityName: (code: number) => string;
  readonly regionName: (code: number) => string;
};

export type Texts = {
  readonly language: Language;
  readonly locale: string;
  readonly skip: string;
  readonly loginTitle: string;
  readonly loginIntro: string;
  readonly tokenLabel: string;
  readonly tokenHint: string;
  readonly loginButton: string;
  readonly loginFailed: string;
  readonly logout: string;
  readonly signedInAs: string;
  readonly weeksTitle: string;
  readonly noWeeks: string;
  readonly allWeeks: string;
  readonly breadcrumb: string;
  readonly statusTitle: string;
  readonly changesTitle: string;
  readonly noChanges: string;
  readonly filesTitle: string;
  readonly noFiles: string;
  readonly sharedFiles: string;
  readonly sitesFolder: string;
  readonly notFoundTitle: string;
  readonly notFound: string;
  readonly tooManyTitle: string;
  readonly tooMany: string;
  readonly status: Readonly<Record<"red" | "green", string>>;
  readonly columns: {
    municipality: string;
    status: string;
    incidence: string;
    tests: string;
    change: string;
  };
  readonly events: Readonly<Record<string, string>>;
  readonly weekTitle: (week: string, testWeek: string) => string;
  readonly weekLink: (week: string, testWeek: string) => string;
  readonly counts: (red: number, green: number) => string;
  readonly countPills: (red: number, green: number) => readonly [string, string];
  readonly published: (generatedAt: string) => string;
  readonly wasStatus: (previous: "red" | "green") => string;
  readonly testsPlanned: (tests: number, testWeek: string) => string;
  readonly nationalTotals: (tests: number, deferred: number, gaps: number) => string;
  readonly pickups: (p: { pickups: number; sites: number; samples: number; kits: number }) => string;
  readonly lookaheadFolder: (week: string) => string;
  readonly municipalityFolder: (name: string, code: number) => string;
  readonly regionFolder: (name: string, code: number) => string;
  readonly scope: (scope: RecipientScope, places: Places) => string;
  /** What a site's files are, by extension. */
  readonly fileKinds: Readonly<Record<string, string>>;
  /** `Testugen: mandag 5. – søndag 11. oktober 2020`. */
  readonly testWeekDates: (testWeek: string) => string;
};

function weekDays(
  testWeek: string,
  locale: string,
  first: string,
  last: string,
): [string, string] | undefined {
  const week = parseIsoWeek(testWeek);
  if (week === undefined) return undefined;
  const day = (weekday: 1 | 7, format: string) =>
    DateTime.fromISO(dateInWeek(week, weekday)).setLocale(locale).toFormat(format);
  return [day(1, first), day(7, last)];
}

function weekNumber(week: string): string {
  return String(Number(week.slice(6)));
}

function listNames(codes: readonly number[], places: Places, and: string): string {
  const names = codes.map((code) => `${places.municipalityName(code)} (${code})`);
  return names.length <= 1
    ? (names[0] ?? "")
    : `${names.slice(0, -1).join(", ")} ${and} ${names.at(-1) ?? ""}`;
}

const DA: Texts = {
  language: "da",
  locale: "da-DK",
  skip: "Spring til indholdet",
  loginTitle: "Log ind",
  loginIntro:
    "Her henter kommunernes testkoordinatorer, regionernes logistik og de nationale myndigheder ugens testplaner. Du ser kun de filer, du har adgang til.",
  tokenLabel: "Adgangsnøgle",
  tokenHint: "Nøglen begynder med tr1. og er sendt til dig af driften. Den gemmes ikke i browseren.",
  loginButton: "Log ind",
  loginFailed: "Nøglen blev ikke godkendt. Tjek at den er kopieret helt, eller bed driften om en ny.",
  logout: "Log ud",
  signedInAs: "Logget ind som",
  weeksTitle: "Offentliggjorte uger",
  noWeeks: "Der er endnu ingen offentliggjorte uger.",
  allWeeks: "Alle uger",
  breadcrumb: "Brødkrumme",
  statusTitle: "Status",
  changesTitle: "Det er ændret",
  noChanges: "Ingen ændringer i status eller rødt forløb i denne uge.",
  filesTitle: "Filer",
  noFiles: "Der er ingen filer til dig i denne uge.",
  sharedFiles: "Ugens fælles filer",
  sitesFolder: "Arbejdssteder: testark (PDF) og kalendere (ICS)",
  notFoundTitle: "Ikke fundet",
  notFound: "Siden eller filen findes ikke, eller du har ikke adgang til den.",
  tooManyTitle: "For mange forsøg",
  tooMany: "Der er kommet for mange forespørgsler. Vent et minut, og prøv igen.",
  status: { red: "rød", green: "grøn" },
  columns: {
    municipality: "Kommune",
    status: "Status",
    incidence: "Incidens pr. 100.000",
    tests: "Test",
    change: "Ændring",
  },
  events: {
    "flow-started": "blev rød (uge −1: regionen kontaktes)",
    "week-1-next": "alle ansatte testes i testugen (uge 1)",
    "retest-next": "stadig rød ved kontrollen: alle ansatte testes igen",
    "flow-ended": "grøn ved kontrollen: tilbage til 6-ugers-cyklussen",
    "in-flow": "i rødt forløb",
  },
  weekTitle: (week, testWeek) =>
    `Uge ${weekNumber(week)} (${week}): testplan for uge ${weekNumber(testWeek)}`,
  weekLink: (week, testWeek) =>
    `Uge ${weekNumber(week)}, ${week.slice(0, 4)} – testplan for uge ${weekNumber(testWeek)}`,
  counts: (red, green) => `${red} røde og ${green} grønne kommuner`,
  countPills: (red, green) => [`${red} røde`, `${green} grønne`],
  published: (at) => {
    const time = DateTime.fromISO(at, { setZone: true }).setLocale("da");
    return time.isValid ? `Klassificeret ${time.toFormat("cccc d. LLLL yyyy 'kl.' HH.mm")}` : "";
  },
  wasStatus: (previous) => `var ${previous === "red" ? "rød" : "grøn"} ugen før`,
  testsPlanned: (tests, testWeek) => `${tests} planlagte test i uge ${weekNumber(testWeek)}`,
  nationalTotals: (tests, deferred, gaps) =>
    `${tests} planlagte test i alt, ${deferred} udskudt af kapacitetshensyn, ${gaps} over 6 uger mellem test`,
  pickups: (p) =>
    `${p.pickups} afhentninger fra ${p.sites} arbejdssteder: ${p.samples} prøver, ${p.kits} testsæt at levere`,
  lookaheadFolder: (week) => `Foreløbig plan for uge ${weekNumber(week)} (kan ændre sig)`,
  municipalityFolder: (name, code) => `${name} (${code})`,
  regionFolder: (name, code) => `${name} (${code})`,
  scope: (scope, places) =>
    scope.role === "municipality"
      ? `testkoordinator for ${listNames(scope.codes, places, "og")}`
      : scope.role === "region"
        ? `logistik, ${places.regionName(scope.codes[0] ?? 0)}`
        : "nationalt niveau (ingen navne)",
  fileKinds: { pdf: "testark (PDF)", ics: "kalender (ICS)" },
  testWeekDates: (testWeek) => {
    const days = weekDays(testWeek, "da", "cccc d. LLLL", "cccc d. LLLL yyyy");
    return days === undefined ? "" : `Testugen: ${days[0]} – ${days[1]}`;
  },
};

const EN: Texts = {
  language: "en",
  locale: "en-GB",
  skip: "Skip to content",
  loginTitle: "Sign in",
  loginIntro:
    "Municipal test coordinators, regional logistics and the national authorities fetch the week's test plans here. You see only the files you may see.",
  tokenLabel: "Access token",
  tokenHint: "The token starts with tr1. and was sent to you by operations. The browser does not keep it.",
  loginButton: "Sign in",
  loginFailed:
    "The token was not accepted. Check that it was copied completely, or ask operations for a new one.",
  logout: "Sign out",
  signedInAs: "Signed in as",
  weeksTitle: "Published weeks",
  noWeeks: "No week has been published yet.",
  allWeeks: "All weeks",
  breadcrumb: "Breadcrumb",
  statusTitle: "Status",
  changesTitle: "What changed",
  noChanges: "No change of status or red flow this week.",
  filesTitle: "Files",
  noFiles: "There are no files for you this week.",
  sharedFiles: "The week's shared files",
  sitesFolder: "Sites: test sheets (PDF) and calendars (ICS)",
  notFoundTitle: "Not found",
  notFound: "The page or file does not exist, or you may not see it.",
  tooManyTitle: "Too many requests",
  tooMany: "Too many requests arrived. Wait a minute and try again.",
  status: { red: "red", green: "green" },
  columns: {
    municipality: "Municipality",
    status: "Status",
    incidence: "Incidence per 100,000",
    tests: "Tests",
    change: "Change",
  },
  events: {
    "flow-started": "turned red (week −1: the region is contacted)",
    "week-1-next": "all staff tested in the test week (week 1)",
    "retest-next": "still red at the check: all staff tested again",
    "flow-ended": "green at the check: back to the 6-week cycle",
    "in-flow": "in a red flow",
  },
  weekTitle: (week, testWeek) =>
    `Week ${weekNumber(week)} (${week}): test plan for week ${weekNumber(testWeek)}`,
  weekLink: (week, testWeek) =>
    `Week ${weekNumber(week)}, ${week.slice(0, 4)} – test plan for week ${weekNumber(testWeek)}`,
  counts: (red, green) => `${red} red and ${green} green municipalities`,
  countPills: (red, green) => [`${red} red`, `${green} green`],
  published: (at) => {
    const time = DateTime.fromISO(at, { setZone: true }).setLocale("en-GB");
    return time.isValid ? `Classified ${time.toFormat("cccc d LLLL yyyy 'at' HH:mm")}` : "";
  },
  wasStatus: (previous) => `was ${previous} the week before`,
  testsPlanned: (tests, testWeek) => `${tests} tests planned in week ${weekNumber(testWeek)}`,
  nationalTotals: (tests, deferred, gaps) =>
    `${tests} tests planned in all, ${deferred} deferred for capacity, ${gaps} over 6 weeks between tests`,
  pickups: (p) =>
    `${p.pickups} pickups from ${p.sites} sites: ${p.samples} samples, ${p.kits} kits to deliver`,
  lookaheadFolder: (week) => `Provisional plan for week ${weekNumber(week)} (may change)`,
  municipalityFolder: (name, code) => `${name} (${code})`,
  regionFolder: (name, code) => `${name} (${code})`,
  scope: (scope, places) =>
    scope.role === "municipality"
      ? `test coordinator for ${listNames(scope.codes, places, "and")}`
      : scope.role === "region"
        ? `logistics, ${places.regionName(scope.codes[0] ?? 0)}`
        : "national level (no names)",
  fileKinds: { pdf: "test sheet (PDF)", ics: "calendar (ICS)" },
  testWeekDates: (testWeek) => {
    const days = weekDays(testWeek, "en-GB", "cccc d LLLL", "cccc d LLLL yyyy");
    return days === undefined ? "" : `Test week: ${days[0]} – ${days[1]}`;
  },
};

export function textsFor(language: Language): Texts {
  return language === "en" ? EN : DA;
}

/** A file size as people read it: `812 B`, `12,3 kB`, `1,4 MB` (Danish decimal comma). */
export function formatBytes(bytes: number, texts: Texts): string {
  if (bytes < 1000) return `${bytes} B`;
  const format = new Intl.NumberFormat(texts.locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  if (bytes < 1_000_000) return `${format.format(bytes / 1000)} kB`;
  return `${format.format(bytes / 1_000_000)} MB`;
}
