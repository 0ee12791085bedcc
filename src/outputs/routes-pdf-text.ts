import { DateTime } from "luxon";
import type { IsoDate } from "../domain/calendar.ts";
import type { PickupRunKind } from "../domain/pickup-days.ts";
import type { PlannedStop } from "../domain/pickup-routes.ts";
import type { Shift } from "../domain/roster.ts";

/** Human documents are in Danish by default; English for operators who ask for it. */
export type RoutesPdfLanguage = "da" | "en";

/** Every word the route sheets print, per language (written out, not from the platform's ICU). */
export type RoutesPdfLabels = {
  readonly title: string;
  readonly weekdays: readonly string[];
  readonly weekdaysShort: readonly string[];
  readonly months: readonly string[];
  /** Between day and month in a long date: `6. oktober`, `6 October`. */
  readonly daySeparator: string;
  readonly runs: Readonly<Record<PickupRunKind, string>>;
  readonly shifts: Readonly<Record<Shift, string>>;
  readonly route: (number: number, count: number) => string;
  readonly vehicle: (number: number) => string;
  readonly testWeek: (week: string) => string;
  readonly departure: (depot: string, time: string) => string;
  readonly latestArrival: (time: string) => string;
  readonly plannedReturn: (time: string) => string;
  readonly distance: (km: number, stops: number) => string;
  readonly columns: readonly [string, string, string, string, string, string, string];
  readonly deliveryOnly: string;
  readonly kitsFor: string;
  readonly phone: string;
  readonly access: string;
  readonly late: (back: string, minutes: number, latest: string, stops: number) => string;
  readonly afterClosing: (order: number, site: string, minutes: number) => string;
  readonly continued: string;
  readonly approximate: string;
  readonly noNames: string;
  readonly depotLabel: string;
  readonly noRuns: string;
};

const DANISH: RoutesPdfLabels = {
  title: "Ruteark",
  weekdays: ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
  weekdaysShort: ["man", "tir", "ons", "tor", "fre", "lør", "søn"],
  daySeparator: ". ",
  months: [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
  ],
  runs: { morning: "morgenkørsel", evening: "aftenkørsel" },
  shifts: { day: "dag", evening: "aften", night: "nat" },
  route: (n, m) => `Rute ${n} af ${m}`,
  vehicle: (n) => `Bil ${n}`,
  testWeek: (week) => `testuge ${week}`,
  departure: (depot, time) => `Afgang ${depot} kl. ${time}`,
  latestArrival: (time) => `retur senest ${time}`,
  plannedReturn: (time) => `beregnet retur ${time}`,
  distance: (km, stops) => `${km} km · ${stops} stop`,
  columns: ["#", "ETA", "Sted", "Adresse", "Kontakt og adgang", "Prøver", "Kits"],
  deliveryOnly: "kun kits",
  kitsFor: "til",
  phone: "Tlf.",
  access: "Adgang:",
  late: (back, minutes, latest, stops) =>
    `FOR SENT: bilen er tilbage ${back}, ${minutes} min efter seneste ankomst ${latest}. Prøverne fra alle ${stops} stop når laboratoriet for sent.`,
  afterClosing: (order, site, minutes) =>
    `EFTER LUKKETID: stop ${order} (${site}) nås ${minutes} min efter lukketid.`,
  continued: "(fortsat)",
  approximate: "≈ omtrentlig position (postnummer eller kommune): ETA er et skøn.",
  noNames: "Kun antal prøver og kits, ingen personoplysninger.",
  depotLabel: "L",
  noRuns: "Ingen kørsler i denne uge.",
};

const ENGLISH: RoutesPdfLabels = {
  title: "Route sheet",
  weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
  weekdaysShort: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  daySeparator: " ",
  months: [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ],
  runs: { morning: "morning run", evening: "evening run" },
  shifts: { day: "day", evening: "evening", night: "night" },
  route: (n, m) => `Route ${n} of ${m}`,
  vehicle: (n) => `Van ${n}`,
  testWeek: (week) => `test week ${week}`,
  departure: (depot, time) => `Leaves ${depot} at ${time}`,
  latestArrival: (time) => `back by ${time}`,
  plannedReturn: (time) => `planned return ${time}`,
  distance: (km, stops) => `${km} km · ${stops} stops`,
  columns: ["#", "ETA", "Site", "Address", "Contact and access", "Samples", "Kits"],
  deliveryOnly: "kits only",
  kitsFor: "for",
  phone: "Tel.",
  access: "Access:",
  late: (back, minutes, latest, stops) =>
    `LATE: the van is back at ${back}, ${minutes} min after the latest arrival ${latest}. The samples of all ${stops} stops reach the lab late.`,
  afterClosing: (order, site, minutes) =>
    `AFTER CLOSING: stop ${order} (${site}) is reached ${minutes} min after closing.`,
  continued: "(continued)",
  approximate: "≈ approximate position (postcode or municipality): the ETA is an estimate.",
  noNames: "Counts of samples and kits only, no personal data.",
  depotLabel: "L",
  noRuns: "No runs this week.",
};

/** The labels of a language. */
export function selectLabels(language: RoutesPdfLanguage): RoutesPdfLabels {
  return language === "en" ? ENGLISH : DANISH;
}

function dateParts(date: IsoDate): { weekday: number; day: number; month: number; year: number } {
  const value = DateTime.fromISO(date, { zone: "utc" });
  return { weekday: value.weekday, day: value.day, month: value.month, year: value.year };
}

/** `tirsdag 6. oktober 2020` / `Tuesday 6 October 2020`. */
export function formatLongDate(labels: RoutesPdfLabels, date: IsoDate): string {
  const { weekday, day, month, year } = dateParts(date);
  return `${labels.weekdays[weekday - 1]} ${day}${labels.daySeparator}${labels.months[month - 1]} ${year}`;
}

/** `tir 6/10` (day/month, as Danes write it; the English sheet uses the same order). */
export function formatShortDate(labels: RoutesPdfLabels, date: IsoDate): string {
  const { weekday, day, month } = dateParts(date);
  return `${labels.weekdaysShort[weekday - 1]} ${day}/${month}`;
}

/** Counts per session grouped by date: `man 5/10 dag 12, aften 4; tir 6/10 nat 3`. */
function describeSessions(
  labels: RoutesPdfLabels,
  sessions: readonly { readonly date: IsoDate; readonly shift: Shift; readonly count: number }[],
): string {
  const byDate = new Map<IsoDate, string[]>();
  for (const session of sessions) {
    byDate.set(session.date, [
      ...(byDate.get(session.date) ?? []),
      `${labels.shifts[session.shift]} ${session.count}`,
    ]);
  }
  return [...byDate]
    .map(([date, parts]) => `${formatShortDate(labels, date)} ${parts.join(", ")}`)
    .join("; ");
}

/** The samples cell: the total, then per session (`–` for a delivery-only stop). */
export function describeSamples(
  labels: RoutesPdfLabels,
  stop: PlannedStop,
): { total: string; detail: string } {
  if (stop.collects.length === 0) return { total: "–", detail: "" };
  const total = stop.collects.reduce((sum, c) => sum + c.samples, 0);
  return {
    total: String(total),
    detail: describeSessions(
      labels,
      stop.collects.map((c) => ({ date: c.date, shift: c.shift, count: c.samples })),
    ),
  };
}

/** The kits cell: the total, then which session they are for. */
export function describeKits(labels: RoutesPdfLabels, stop: PlannedStop): { total: string; detail: string } {
  if (stop.kits.length === 0) return { total: "–", detail: "" };
  const total = stop.kits.reduce((sum, k) => sum + k.kits, 0);
  return {
    total: String(total),
    detail: `${labels.kitsFor} ${describeSessions(
      labels,
      stop.kits.map((k) => ({ date: k.date, shift: k.shift, count: k.kits })),
    )}`,
  };
}
