import { DateTime } from "luxon";
import { addDays, dateInWeek, instantAt, type IsoDate, type IsoWeek, type Weekday } from "./calendar.ts";
import { compareSiteIds } from "./routing.ts";
import type { Shift } from "./roster.ts";
import { parseClockMinutes } from "./route-clock.ts";

/** A region drives a morning run on every pickup day and, on chosen days, a same-evening run. */
export type PickupRunKind = "morning" | "evening";

/** When a run's vans leave the lab and by when they must be back (local `HH:MM`). */
export type RunTimes = { readonly departure: string; readonly latestArrival: string };

/**
 * Working hours of the three shifts (local `HH:MM`); an end at or before the start is the next
 * morning (the night shift). Tests are taken during the shift and the samples handed over at its
 * end, so a session's samples are ready at the shift's end and its kits are needed at its start.
 */
export type ShiftHours = Readonly<Record<Shift, { readonly start: string; readonly end: string }>>;

/** The usual Danish care shifts: day 07–15, evening 15–23, night 23–07. */
export const DEFAULT_SHIFT_HOURS: ShiftHours = {
  day: { start: "07:00", end: "15:00" },
  evening: { start: "15:00", end: "23:00" },
  night: { start: "23:00", end: "07:00" },
};

/** A region's pickup calendar (config, round 2: `regions[].pickups`). */
export type PickupDaySettings = {
  /** Zone of all wall-clock times (waits are counted in real hours, across DST changes). */
  readonly timezone: string;
  /** Weekdays with a morning run. */
  readonly pickupWeekdays: readonly Weekday[];
  readonly morningRun: RunTimes;
  /** Pickup weekdays that also have a run the same evening (for that day's day-shift samples). */
  readonly sameEveningWeekdays: readonly Weekday[];
  readonly eveningRun: RunTimes;
  /** Longest a session's samples may wait: from the end of the shift to the collecting van's latest arrival at the lab. */
  readonly maxWaitHours: number;
  readonly shiftHours: ShiftHours;
};

/**
 * Defaults: morning runs Monday–Friday 07:30 (back by 12:00), no weekend pickups, one same-evening
 * run on Friday 15:30 (back by 19:00) so that Friday's day shift need not wait for Monday, and at
 * most 24 hours of waiting. Under these defaults Friday evening and night shifts cannot be tested
 * (their samples would wait until Monday): `listAllowedTestWeekdays` tells the planner so.
 */
export const DEFAULT_PICKUP_DAY_SETTINGS: PickupDaySettings = {
  timezone: "Europe/Copenhagen",
  pickupWeekdays: [1, 2, 3, 4, 5],
  morningRun: { departure: "07:30", latestArrival: "12:00" },
  sameEveningWeekdays: [5],
  eveningRun: { departure: "15:30", latestArrival: "19:00" },
  maxWaitHours: 24,
  shiftHours: DEFAULT_SHIFT_HOURS,
};

/** One run of a region's vans: a day and a departure. */
export type PickupRun = {
  readonly date: IsoDate;
  readonly kind: PickupRunKind;
  readonly departure: string;
  readonly latestArrival: string;
};

/** A stable text key of a run, e.g. `2020-10-02 evening`. */
export function formatRunKey(run: Pick<PickupRun, "date" | "kind">): string {
  return `${run.date} ${run.kind}`;
}

/** ISO dates compare correctly as text. */
function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RUN_ORDER: Readonly<Record<PickupRunKind, number>> = { morning: 0, evening: 1 };

/** Orders runs chronologically: by date, the morning run before the evening run. */
export function compareRuns(
  a: Pick<PickupRun, "date" | "kind">,
  b: Pick<PickupRun, "date" | "kind">,
): number {
  return compareDates(a.date, b.date) || RUN_ORDER[a.kind] - RUN_ORDER[b.kind];
}

/** The tests of one site in one shift on one date: the unit samples are collected and kits sent for. */
export type TestSession = {
  readonly siteId: string;
  readonly date: IsoDate;
  readonly shift: Shift;
  readonly tests: number;
};

const SHIFT_ORDER: Readonly<Record<Shift, number>> = { day: 0, evening: 1, night: 2 };
const MS_PER_HOUR = 3_600_000;
/** How far ahead a pickup is looked for; beyond two weeks a calendar is plainly misconfigured. */
const SEARCH_DAYS = 14;

/** Orders sessions by date, shift (day, evening, night) and site id. */
export function compareSessions(a: TestSession, b: TestSession): number {
  return (
    compareDates(a.date, b.date) ||
    SHIFT_ORDER[a.shift] - SHIFT_ORDER[b.shift] ||
    compareSiteIds(a.siteId, b.siteId)
  );
}

/** Sums planned tests (one row per test) into sessions per site, date and shift, sorted. */
export function collectTestSessions(
  tests: readonly { readonly siteId: string; readonly date: IsoDate; readonly shift: Shift }[],
): TestSession[] {
  const byKey = new Map<string, { siteId: string; date: IsoDate; shift: Shift; tests: number }>();
  for (const test of tests) {
    const key = `${test.siteId}\u0000${test.date}\u0000${test.shift}`;
    const session = byKey.get(key);
    if (session === undefined)
      byKey.set(key, { siteId: test.siteId, date: test.date, shift: test.shift, tests: 1 });
    else session.tests += 1;
  }
  return [...byKey.values()].sort(compareSessions);
}

/** The instant a session's samples are ready: the end of its shift (the next day for a night shift). */
export function sessionReadyAt(settings: PickupDaySettings, date: IsoDate, shift: Shift): number {
  const hours = settings.shiftHours[shift];
  const overnight = parseClockMinutes(hours.end) <= parseClockMinutes(hours.start);
  return instantAt(overnight ? addDays(date, 1) : date, hours.end, settings.timezone);
}

/** The instant a session starts, by which its kits must be on site. */
export function sessionStartsAt(settings: PickupDaySettings, date: IsoDate, shift: Shift): number {
  return instantAt(date, settings.shiftHours[shift].start, settings.timezone);
}

/** Instant the run's vans leave the lab. */
export function runDepartsAt(settings: PickupDaySettings, run: PickupRun): number {
  return instantAt(run.date, run.departure, settings.timezone);
}

/** Instant by which the run's vans are back at the lab (every stop of the run is visited before it). */
export function runEndsAt(settings: PickupDaySettings, run: PickupRun): number {
  return instantAt(run.date, run.latestArrival, settings.timezone);
}

function isoWeekdayOf(date: IsoDate): Weekday {
  return DateTime.fromISO(date, { zone: "utc" }).weekday as Weekday;
}

/** The runs of one date: the morning run on a pickup weekday, then its same-evening run if any. */
function runsOn(settings: PickupDaySettings, date: IsoDate): PickupRun[] {
  const weekday = isoWeekdayOf(date);
  if (!settings.pickupWeekdays.includes(weekday)) return [];
  const runs: PickupRun[] = [{ date, kind: "morning", ...settings.morningRun }];
  if (settings.sameEveningWeekdays.includes(weekday))
    runs.push({ date, kind: "evening", ...settings.eveningRun });
  return runs;
}

/** Every run from `from` to `to` (both dates included), in chronological order. */
export function listPickupRuns(settings: PickupDaySettings, from: IsoDate, to: IsoDate): PickupRun[] {
  const runs: PickupRun[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) runs.push(...runsOn(settings, date));
  return runs;
}

/** Which run collects a session's samples and how long they wait (hours, real time). */
export type SampleCollection = {
  readonly run: PickupRun;
  /** From the end of the shift to the latest arrival of the collecting run at the lab: an upper bound. */
  readonly waitHours: number;
};

/**
 * (a) The run that collects the samples of a session on `date` in `shift`: the first run whose
 * vans leave the lab at or after the end of the shift (samples are handed over when the shift
 * ends). Waiting is counted to the run's latest arrival at the lab, so the real wait is at most
 * this. Throws when no pickup weekday comes within two weeks (a calendar without pickups).
 */
export function findPickupRun(settings: PickupDaySettings, date: IsoDate, shift: Shift): SampleCollection {
  const readyAt = sessionReadyAt(settings, date, shift);
  for (let offset = 0; offset <= SEARCH_DAYS; offset++) {
    for (const run of runsOn(settings, addDays(date, offset))) {
      if (runDepartsAt(settings, run) >= readyAt) {
        return { run, waitHours: (runEndsAt(settings, run) - readyAt) / MS_PER_HOUR };
      }
    }
  }
  throw new RangeError(
    `findPickupRun: no pickup run within ${SEARCH_DAYS} days after ${date}, expected pickup weekdays`,
  );
}

/** True when a session on `date` in `shift` would have its samples collected within the maximum wait. */
export function isTestSlotAllowed(settings: PickupDaySettings, date: IsoDate, shift: Shift): boolean {
  return findPickupRun(settings, date, shift).waitHours <= settings.maxWaitHours;
}

/**
 * (b) The weekdays of `week` on which a session in `shift` keeps within the maximum wait: the
 * planner intersects them with the region's test weekdays. With the defaults a Friday day shift
 * is allowed (same-evening run) but Friday evening and night shifts are not (Monday is > 24 h away).
 */
export function listAllowedTestWeekdays(settings: PickupDaySettings, week: IsoWeek, shift: Shift): Weekday[] {
  const weekdays: Weekday[] = [1, 2, 3, 4, 5, 6, 7];
  return weekdays.filter((weekday) => isTestSlotAllowed(settings, dateInWeek(week, weekday), shift));
}

/** A van's call at a site on one run; `collects` lists the sessions whose samples it takes. */
export type PickupVisit = {
  readonly siteId: string;
  readonly run: PickupRun;
  readonly collects: readonly {
    readonly date: IsoDate;
    readonly shift: Shift;
    readonly samples: number;
    /** The session's wait, an upper bound (see `findPickupRun`). */
    readonly waitHours: number;
  }[];
};

/** (c) A session whose samples wait longer than the maximum: reported, never dropped. */
export type WaitViolation = {
  readonly siteId: string;
  readonly date: IsoDate;
  readonly shift: Shift;
  readonly samples: number;
  readonly run: PickupRun;
  readonly waitHours: number;
  readonly maxWaitHours: number;
};

export type PickupDayPlan = {
  /** One visit per site and run, in run order, then by site id. */
  readonly visits: readonly PickupVisit[];
  readonly violations: readonly WaitViolation[];
};

/**
 * Plans which run collects each session's samples (see `findPickupRun`) and groups them into one
 * visit per site and run. Sessions whose samples would wait longer than `maxWaitHours` are still
 * collected (at the first possible run) and reported with the hours waited.
 */
export function planPickupDays(sessions: readonly TestSession[], settings: PickupDaySettings): PickupDayPlan {
  const visits = new Map<
    string,
    { siteId: string; run: PickupRun; collects: PickupVisit["collects"][number][] }
  >();
  const violations: WaitViolation[] = [];
  // Many sites share a date and shift: each is looked up once (the zone arithmetic is the cost).
  const collections = new Map<string, SampleCollection>();
  for (const session of [...sessions].sort(compareSessions)) {
    if (session.tests <= 0) continue;
    const slot = `${session.date} ${session.shift}`;
    const collection = collections.get(slot) ?? findPickupRun(settings, session.date, session.shift);
    collections.set(slot, collection);
    const { run, waitHours } = collection;
    const key = `${formatRunKey(run)}\u0000${session.siteId}`;
    const visit = visits.get(key) ?? { siteId: session.siteId, run, collects: [] };
    visit.collects.push({ date: session.date, shift: session.shift, samples: session.tests, waitHours });
    visits.set(key, visit);
    if (waitHours > settings.maxWaitHours) {
      violations.push({
        siteId: session.siteId,
        date: session.date,
        shift: session.shift,
        samples: session.tests,
        run,
        waitHours,
        maxWaitHours: settings.maxWaitHours,
      });
    }
  }
  const ordered = [...visits.values()].sort(
    (a, b) => compareRuns(a.run, b.run) || compareSiteIds(a.siteId, b.siteId),
  );
  return { visits: ordered, violations };
}
