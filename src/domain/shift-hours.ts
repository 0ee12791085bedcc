import { addDays, instantAt, type IsoDate } from "./calendar.ts";
import type { Shift } from "./roster.ts";

/** A wall-clock time of day, `HH:MM` (24-hour). */
export type ClockTime = string;

/** When a shift starts and ends; an end at or before the start falls on the next day. */
export type ShiftWindow = { readonly start: ClockTime; readonly end: ClockTime };

/** The time window of each shift (later configurable per region). */
export type ShiftHours = Readonly<Record<Shift, ShiftWindow>>;

/**
 * Testing happens in working time, in all three shifts: by default day 07:00–15:00,
 * evening 15:00–23:00 and night 23:00–07:00 the next morning.
 */
export const DEFAULT_SHIFT_HOURS: ShiftHours = {
  day: { start: "07:00", end: "15:00" },
  evening: { start: "15:00", end: "23:00" },
  night: { start: "23:00", end: "07:00" },
};

/** A session's local start and end: the night shift ends on the calendar day after it starts. */
export type SessionTimes = {
  readonly startDate: IsoDate;
  readonly start: ClockTime;
  readonly endDate: IsoDate;
  readonly end: ClockTime;
};

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** True when `text` is a wall-clock time `HH:MM` between 00:00 and 23:59. */
export function isClockTime(text: string): boolean {
  return CLOCK_TIME.test(text);
}

/**
 * The first problem with a set of shift hours (a time that is not `HH:MM`, or a shift that starts
 * and ends at the same time), or undefined when every window is usable.
 */
export function findShiftHoursProblem(hours: ShiftHours): string | undefined {
  for (const [shift, window] of Object.entries(hours)) {
    for (const edge of ["start", "end"] as const) {
      if (!isClockTime(window[edge])) {
        return `${shift}.${edge}: got ${JSON.stringify(window[edge])}, expected a time HH:MM (00:00–23:59)`;
      }
    }
    if (window.start === window.end) {
      return `${shift}: starts and ends at ${window.start}, expected a window of some length`;
    }
  }
  return undefined;
}

/**
 * The local start and end of the session of `shift` on `date`. A window whose end is at or before
 * its start runs past midnight (the night shift), so it ends on the next calendar day.
 */
export function sessionTimes(date: IsoDate, shift: Shift, hours: ShiftHours): SessionTimes {
  const window = hours[shift];
  // `HH:MM` strings compare as times of day.
  const endDate = window.end <= window.start ? addDays(date, 1) : date;
  return { startDate: date, start: window.start, endDate, end: window.end };
}

/**
 * The UTC instants (milliseconds) a session starts and ends, from its local wall-clock times in
 * `zone` (e.g. Europe/Copenhagen): a night shift across the autumn change to winter time lasts
 * nine hours, across the spring change seven.
 */
export function sessionInstants(
  date: IsoDate,
  shift: Shift,
  hours: ShiftHours,
  zone: string,
): { readonly startMs: number; readonly endMs: number } {
  const times = sessionTimes(date, shift, hours);
  return {
    startMs: instantAt(times.startDate, times.start, zone),
    endMs: instantAt(times.endDate, times.end, zone),
  };
}
