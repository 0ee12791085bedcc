import { DateTime } from "luxon";
import type { IsoDate, IsoWeek } from "../../domain/calendar.ts";
import type { ReportLanguage } from "./report-types.ts";

/**
 * Number and date formatting for the reports, written out by hand instead of `Intl`: the bytes of
 * a report must not depend on the ICU data of the machine that renders it (determinism).
 */

const SEPARATORS: Record<ReportLanguage, { readonly group: string; readonly decimal: string }> = {
  da: { group: ".", decimal: "," },
  en: { group: ",", decimal: "." },
};

function groupDigits(digits: string, separator: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** A number with `decimals` decimals: `1.234,5` in Danish, `1,234.5` in English. */
export function formatNumber(value: number, language: ReportLanguage, decimals = 0): string {
  const { group, decimal } = SEPARATORS[language];
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = "0", fraction] = fixed.split(".");
  const sign = value < 0 && Number(fixed) !== 0 ? "−" : "";
  return `${sign}${groupDigits(whole, group)}${fraction === undefined ? "" : `${decimal}${fraction}`}`;
}

/** A share as a whole percentage: `40 %` in Danish, `40%` in English. */
export function formatPercent(share: number, language: ReportLanguage): string {
  const number = formatNumber(share * 100, language, 0);
  return language === "da" ? `${number} %` : `${number}%`;
}

const MONTHS: Record<ReportLanguage, readonly string[]> = {
  da: [
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
  en: [
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
};

const WEEKDAYS: Record<ReportLanguage, readonly string[]> = {
  da: ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
  en: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
};

function partsOf(date: IsoDate): { year: number; month: number; day: number; weekday: number } {
  const parsed = DateTime.fromISO(date, { zone: "utc" });
  if (!parsed.isValid) throw new Error(`report: date ${JSON.stringify(date)} is not YYYY-MM-DD`);
  return { year: parsed.year, month: parsed.month, day: parsed.day, weekday: parsed.weekday };
}

/** `30. september 2020` / `30 September 2020`. */
export function formatDate(date: IsoDate, language: ReportLanguage): string {
  const { year, month, day } = partsOf(date);
  const name = MONTHS[language][month - 1] ?? "";
  return language === "da" ? `${day}. ${name} ${year}` : `${day} ${name} ${year}`;
}

/** `5/10` (Danish day/month) or `5 Oct`: short axis labels. */
export function formatShortDate(date: IsoDate, language: ReportLanguage): string {
  const { month, day } = partsOf(date);
  return language === "da" ? `${day}/${month}` : `${day} ${(MONTHS.en[month - 1] ?? "").slice(0, 3)}`;
}

/** The weekday of a date: `mandag` / `Monday`. */
export function formatWeekday(date: IsoDate, language: ReportLanguage): string {
  return WEEKDAYS[language][partsOf(date).weekday - 1] ?? "";
}

/** Three-letter weekday for axis labels: `man` / `Mon`. */
export function formatShortWeekday(date: IsoDate, language: ReportLanguage): string {
  return formatWeekday(date, language).slice(0, 3);
}

/** `mandag 5. oktober 2020` / `Monday 5 October 2020`. */
export function formatLongDate(date: IsoDate, language: ReportLanguage): string {
  return `${formatWeekday(date, language)} ${formatDate(date, language)}`;
}

/** `2020-W40`. */
export function formatWeek(week: IsoWeek): string {
  return `${String(week.year).padStart(4, "0")}-W${String(week.week).padStart(2, "0")}`;
}

/** The ISO week a date falls in. */
export function weekOfDate(date: IsoDate): IsoWeek {
  const parsed = DateTime.fromISO(date, { zone: "utc" });
  return { year: parsed.weekYear, week: parsed.weekNumber };
}

/**
 * A timestamp as written in the files (ISO 8601 with its offset, e.g. `2020-09-30T10:00:00.000+02:00`)
 * in its own offset: `30. september 2020 kl. 10:00` / `30 September 2020, 10:00`.
 */
export function formatTimestamp(timestamp: string, language: ReportLanguage): string {
  const parsed = DateTime.fromISO(timestamp, { setZone: true });
  if (!parsed.isValid)
    throw new Error(`report: generated-at ${JSON.stringify(timestamp)} is not an ISO 8601 timestamp`);
  const date = formatDate(parsed.toISODate() ?? "", language);
  const time = `${String(parsed.hour).padStart(2, "0")}:${String(parsed.minute).padStart(2, "0")}`;
  return language === "da" ? `${date} kl. ${time}` : `${date}, ${time}`;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML/SVG element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}
