import { DateTime } from "luxon";
import { dateInWeek, parseIsoWeek } from "../domain/calendar.ts";
import { isInScope } from "../portal/scope.ts";
import {
  hasChanged,
  municipalitiesOf,
  type MunicipalityStatus,
  type PickupTotals,
  type WeekOverview,
} from "../portal/week-overview.ts";
import type { RecipientScope } from "../store/recipients.ts";

/*
 * What a recipient is told when a week is published: plain-text mail in the documents'
 * language, or a JSON body for a webhook. Built only from the week's nameless files (summary,
 * classification, pickup totals, rota row counts, manifest): no staff name or id can be in it.
 */

export type Language = "da" | "en";

export type ManifestEntry = { readonly path: string; readonly sha256: string; readonly bytes: number };

/** The published week as the messages need it. */
export type WeekFacts = {
  readonly overview: WeekOverview;
  /** SHA-256 of the week's manifest.json: which publication of the week this is. */
  readonly digest: string;
  readonly manifest: readonly ManifestEntry[];
  /** Rows of each municipality's final rota (counted, never read out). */
  readonly testsByMunicipality: ReadonlyMap<number, number>;
  readonly pickupsByRegion: ReadonlyMap<number, PickupTotals>;
  readonly regionNames: ReadonlyMap<number, string>;
};

export type MailMessage = { readonly subject: string; readonly text: string };

type Words = {
  readonly locale: string;
  readonly status: Readonly<Record<"red" | "green", string>>;
  readonly events: Readonly<Record<string, string>>;
  readonly subject: (week: string, testWeek: string, update: boolean) => string;
  readonly opening: (
    classified: string,
    week: string,
    testWeek: string,
    dates: string,
    update: boolean,
  ) => string;
  readonly municipality: (m: MunicipalityStatus, incidence: string) => string;
  readonly was: (status: string) => string;
  readonly tests: (count: number, testWeek: string) => string;
  readonly pickups: (name: string, code: number, p: PickupTotals, dates: string) => string;
  readonly changesIn: string;
  readonly noChanges: string;
  readonly country: (red: number, green: number) => string;
  readonly totals: (tests: number, deferred: number) => string;
  readonly link: string;
  readonly privacy: string;
};

function weekNumber(week: string): string {
  return String(Number(week.slice(6)));
}

const DA: Words = {
  locale: "da",
  status: { red: "rød", green: "grøn" },
  events: {
    "flow-started": "Blev rød: regionen kontaktes (uge −1).",
    "week-1-next": "Alle ansatte testes i testugen (uge 1).",
    "retest-next": "Stadig rød ved kontrollen: alle ansatte testes igen.",
    "flow-ended": "Grøn ved kontrollen: tilbage til 6-ugers-cyklussen.",
    "in-flow": "I rødt forløb.",
  },
  subject: (week, testWeek, update) =>
    `testrota: uge ${weekNumber(week)} ${update ? "er opdateret" : "er offentliggjort"} – testplan for uge ${weekNumber(testWeek)}`,
  opening: (classified, week, testWeek, dates, update) =>
    `${update ? "Ugens filer er offentliggjort igen med ændringer" : "Ugens filer er offentliggjort"}: klassifikationen ${classified} (uge ${weekNumber(week)}) og den endelige testplan for uge ${weekNumber(testWeek)} (${dates}).`,
  municipality: (m, incidence) =>
    `${m.name} (${m.code}): ${DA.status[m.status]}, incidens ${incidence} pr. 100.000`,
  was: (status) => `var ${status} ugen før`,
  tests: (count, testWeek) => `${count} planlagte test i uge ${weekNumber(testWeek)}.`,
  pickups: (name, code, p, dates) =>
    `${name} (${code}): ${p.pickups} afhentninger fra ${p.sites} arbejdssteder${dates}: ${p.samples} prøver, ${p.kits} testsæt at levere.`,
  changesIn: "Ændringer:",
  noChanges: "Ingen kommuner skiftede status eller rødt forløb.",
  country: (red, green) => `Hele landet: ${red} røde og ${green} grønne kommuner.`,
  totals: (tests, deferred) => `${tests} planlagte test i alt, ${deferred} udskudt af kapacitetshensyn.`,
  link: "Se status og hent filerne i portalen (log ind med din adgangsnøgle):",
  privacy:
    "Denne mail indeholder ingen navne eller medarbejdernumre. Filer med medarbejdere findes kun i portalen, for den kommune de hører til.",
};

const EN: Words = {
  locale: "en-GB",
  status: { red: "red", green: "green" },
  events: {
    "flow-started": "Turned red: the region is contacted (week −1).",
    "week-1-next": "All staff are tested in the test week (week 1).",
    "retest-next": "Still red at the check: all staff are tested again.",
    "flow-ended": "Green at the check: back to the 6-week cycle.",
    "in-flow": "In a red flow.",
  },
  subject: (week, testWeek, update) =>
    `testrota: week ${weekNumber(week)} ${update ? "updated" : "published"} – test plan for week ${weekNumber(testWeek)}`,
  opening: (classified, week, testWeek, dates, update) =>
    `${update ? "The week's files were published again with changes" : "The week's files are published"}: the classification of ${classified} (week ${weekNumber(week)}) and the final test plan for week ${weekNumber(testWeek)} (${dates}).`,
  municipality: (m, incidence) =>
    `${m.name} (${m.code}): ${EN.status[m.status]}, incidence ${incidence} per 100,000`,
  was: (status) => `was ${status} the week before`,
  tests: (count, testWeek) => `${count} tests planned in week ${weekNumber(testWeek)}.`,
  pickups: (name, code, p, dates) =>
    `${name} (${code}): ${p.pickups} pickups from ${p.sites} sites${dates}: ${p.samples} samples, ${p.kits} kits to deliver.`,
  changesIn: "Changes:",
  noChanges: "No municipality changed status or red flow.",
  country: (red, green) => `The whole country: ${red} red and ${green} green municipalities.`,
  totals: (tests, deferred) => `${tests} tests planned in all, ${deferred} deferred for capacity.`,
  link: "See the status and download the files in the portal (sign in with your access token):",
  privacy:
    "This mail holds no names or employee ids. Files with staff exist only in the portal, for their own municipality.",
};

function wordsFor(language: Language): Words {
  return language === "en" ? EN : DA;
}

function formatDay(date: string, words: Words, format: string): string {
  const day = DateTime.fromISO(date, { setZone: true }).setLocale(words.locale);
  return day.isValid ? day.toFormat(format) : date;
}

function testWeekDates(testWeek: string, words: Words): string {
  const week = parseIsoWeek(testWeek);
  if (week === undefined) return testWeek;
  return `${formatDay(dateInWeek(week, 1), words, "d. LLLL")} – ${formatDay(dateInWeek(week, 7), words, "d. LLLL yyyy")}`;
}

function incidenceText(m: MunicipalityStatus, language: Language): string {
  return language === "da" ? m.incidence.replace(".", ",") : m.incidence;
}

function municipalityLine(m: MunicipalityStatus, words: Words, language: Language): string {
  const change =
    m.previousStatus !== null && m.previousStatus !== m.status
      ? ` (${words.was(words.status[m.previousStatus])})`
      : "";
  const event = words.events[m.event];
  const override = m.override === "" ? "" : ` STPS: ${m.override}.`;
  return `${words.municipality(m, incidenceText(m, language))}${change}.${event === undefined ? "" : ` ${event}`}${override}`;
}

/** The week's portal page. */
export function weekUrl(baseUrl: string, week: string): string {
  return `${baseUrl}/weeks/${week}`;
}

/** The mail to one recipient about a published week (plain text, no names). */
export function renderMail(input: {
  readonly scope: RecipientScope;
  readonly facts: WeekFacts;
  readonly baseUrl: string;
  readonly language: Language;
  readonly update: boolean;
}): MailMessage {
  const { scope, facts, language } = input;
  const { overview } = facts;
  const words = wordsFor(language);
  const classified = formatDay(
    overview.generatedAt,
    words,
    language === "da" ? "cccc d. LLLL yyyy" : "cccc d LLLL yyyy",
  );
  const lines = [
    words.opening(
      classified,
      overview.week,
      overview.testWeek,
      testWeekDates(overview.testWeek, words),
      input.update,
    ),
    "",
  ];
  const mine = municipalitiesOf(overview, scope);
  if (scope.role === "municipality") {
    for (const m of mine) {
      const tests = facts.testsByMunicipality.get(m.code);
      lines.push(
        `${municipalityLine(m, words, language)}${tests === undefined ? "" : ` ${words.tests(tests, overview.testWeek)}`}`,
      );
    }
  } else {
    if (scope.role === "region") {
      const code = scope.codes[0] ?? 0;
      const pickups = facts.pickupsByRegion.get(code);
      if (pickups !== undefined) {
        const dates =
          pickups.firstDate === null
            ? ""
            : ` ${formatDay(pickups.firstDate, words, "d/M")}–${formatDay(pickups.lastDate ?? pickups.firstDate, words, "d/M")}`;
        lines.push(words.pickups(facts.regionNames.get(code) ?? String(code), code, pickups, dates), "");
      }
    } else {
      lines.push(words.totals(overview.tests, overview.deferred), "");
    }
    const changed = mine.filter((m) => hasChanged(m));
    lines.push(changed.length === 0 ? words.noChanges : words.changesIn);
    for (const m of changed) lines.push(`- ${municipalityLine(m, words, language)}`);
  }
  lines.push(
    "",
    words.country(overview.red, overview.green),
    "",
    words.link,
    weekUrl(input.baseUrl, overview.week),
    "",
    words.privacy,
    "",
    "-- ",
    "testrota",
  );
  return {
    subject: words.subject(overview.week, overview.testWeek, input.update),
    text: `${lines.join("\n")}\n`,
  };
}

function pickupsJson(totals: PickupTotals | undefined): Record<string, unknown> | null {
  if (totals === undefined) return null;
  return {
    pickups: totals.pickups,
    sites: totals.sites,
    samples: totals.samples,
    kits_to_deliver: totals.kits,
    first_date: totals.firstDate,
    last_date: totals.lastDate,
  };
}

/** The JSON body of a webhook about a published week: status and the files of its scope. */
export function renderWebhookBody(input: {
  readonly scope: RecipientScope;
  readonly facts: WeekFacts;
  readonly baseUrl: string;
  readonly delivery: string;
  readonly update: boolean;
}): string {
  const { scope, facts, baseUrl } = input;
  const { overview } = facts;
  const files = facts.manifest
    .filter((entry) => isInScope(scope, entry.path))
    .map((entry) => ({
      path: entry.path,
      bytes: entry.bytes,
      sha256: entry.sha256,
      url: `${baseUrl}/weeks/${overview.week}/files/${entry.path.split("/").map(encodeURIComponent).join("/")}`,
    }));
  const municipalities = municipalitiesOf(overview, scope).map((m) => ({
    code: m.code,
    name: m.name,
    region_code: m.regionCode,
    status: m.status,
    previous_status: m.previousStatus,
    incidence_per_100k: m.incidence,
    event: m.event,
    override: m.override === "" ? null : m.override,
    ...(scope.role === "municipality" ? { tests: facts.testsByMunicipality.get(m.code) ?? null } : {}),
  }));
  const body = {
    event: "week.published",
    delivery: input.delivery,
    update: input.update,
    week: overview.week,
    test_week: overview.testWeek,
    generated_at: overview.generatedAt,
    digest: facts.digest,
    portal_url: weekUrl(baseUrl, overview.week),
    scope: { role: scope.role, codes: scope.codes },
    counts: { red: overview.red, green: overview.green },
    municipalities,
    ...(scope.role === "region"
      ? { pickups: pickupsJson(facts.pickupsByRegion.get(scope.codes[0] ?? 0)) }
      : {}),
    files,
  };
  return JSON.stringify(body);
}
