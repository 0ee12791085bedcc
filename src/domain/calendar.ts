import { DateTime } from "luxon";

/** An ISO-8601 week, e.g. 2020-W53 (2020 has 53 ISO weeks). */
export type IsoWeek = { readonly year: number; readonly week: number };

/** A calendar date as `YYYY-MM-DD`; zone-free, compares correctly as a string. */
export type IsoDate = string;

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const WEEKDAY_NAMES = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/** The classification day: every run classifies on the Wednesday of its ISO week. */
const CLASSIFICATION_WEEKDAY: Weekday = 3;

const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function mondayOf(week: IsoWeek): DateTime {
  return DateTime.fromObject({ weekYear: week.year, weekNumber: week.week, weekday: 1 }, { zone: "utc" });
}

function dateTimeOf(date: IsoDate): DateTime {
  return DateTime.fromISO(date, { zone: "utc" });
}

/** Parses `YYYY-Www`; returns undefined when the text is not an existing ISO week. */
export function parseIsoWeek(text: string): IsoWeek | undefined {
  const match = WEEK_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const week = { year: Number(match[1]), week: Number(match[2]) };
  // Luxon refuses a week number the week-year does not have (week 00, week 53 of most years).
  return mondayOf(week).isValid ? week : undefined;
}

/** Formats as `YYYY-Www`, e.g. `2020-W07`. */
export function formatIsoWeek(week: IsoWeek): string {
  return `${String(week.year).padStart(4, "0")}-W${String(week.week).padStart(2, "0")}`;
}

/** The week `count` weeks after `week` (negative counts go back); crosses 53-week years. */
export function addWeeks(week: IsoWeek, count: number): IsoWeek {
  const monday = mondayOf(week).plus({ weeks: count });
  return { year: monday.weekYear, week: monday.weekNumber };
}

/** Whole weeks from `from` to `to` (positive when `to` is later). */
export function weeksBetween(from: IsoWeek, to: IsoWeek): number {
  return Math.round(mondayOf(to).diff(mondayOf(from), "weeks").weeks);
}

/** Orders weeks chronologically (for sort). */
export function compareWeeks(a: IsoWeek, b: IsoWeek): number {
  return a.year !== b.year ? a.year - b.year : a.week - b.week;
}

/** Every week from `from` to `to`, both included; empty when `to` is before `from`. */
export function weekRange(from: IsoWeek, to: IsoWeek): IsoWeek[] {
  const count = weeksBetween(from, to);
  return Array.from({ length: Math.max(0, count + 1) }, (_, i) => addWeeks(from, i));
}

/** The date of `weekday` in `week`. */
export function dateInWeek(week: IsoWeek, weekday: Weekday): IsoDate {
  return (
    mondayOf(week)
      .plus({ days: weekday - 1 })
      .toISODate() ?? ""
  );
}

/** The Wednesday on which `week` is classified. */
export function classificationDate(week: IsoWeek): IsoDate {
  return dateInWeek(week, CLASSIFICATION_WEEKDAY);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return dateTimeOf(date).plus({ days }).toISODate() ?? "";
}

/** Calendar days from `from` to `to`. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round(dateTimeOf(to).diff(dateTimeOf(from), "days").days);
}

/** True when `text` is a real calendar date in `YYYY-MM-DD` form. */
export function isIsoDate(text: string): boolean {
  return DATE_PATTERN.test(text) && dateTimeOf(text).isValid;
}

/** The local calendar date of an instant in `zone` (e.g. Europe/Copenhagen). */
export function localDate(instantMs: number, zone: string): IsoDate {
  return DateTime.fromMillis(instantMs, { zone }).toISODate() ?? "";
}

/** The ISO week an instant falls in, in `zone`. */
export function weekAt(instantMs: number, zone: string): IsoWeek {
  const local = DateTime.fromMillis(instantMs, { zone });
  return { year: local.weekYear, week: local.weekNumber };
}

/** The UTC instant of a local wall-clock time on `date` in `zone` (DST-aware). */
export function instantAt(date: IsoDate, time: string, zone: string): number {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toMillis();
}

/** A window of calendar days, both ends included. */
export type DateWindow = { readonly start: IsoDate; readonly end: IsoDate };

/** Offsets of the classification window relative to the Wednesday D (default D−8 … D−2). */
export type WindowOffsets = { readonly startOffsetDays: number; readonly endOffsetDays: number };

export const DEFAULT_WINDOW: WindowOffsets = { startOffsetDays: -8, endOffsetDays: -2 };

/**
 * The 7 most recent complete days available on the classification Wednesday D of `week`.
 * SSI's file of D ends with D−1 (sometimes D) and its last rows are incomplete, so by default the
 * window is D−8 … D−2 (Tuesday to Monday), chosen by date, never by counting rows.
 */
export function classificationWindow(week: IsoWeek, offsets: WindowOffsets = DEFAULT_WINDOW): DateWindow {
  const wednesday = classificationDate(week);
  return {
    start: addDays(wednesday, offsets.startOffsetDays),
    end: addDays(wednesday, offsets.endOffsetDays),
  };
}
