import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { formatIsoWeek, parseIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import {
  decideCatchUp,
  nextWednesdayRuns,
  retryTimes,
  scheduledRunOf,
  wednesdayCronExpression,
  weekToRunAt,
  type LedgerStatus,
} from "../../src/domain/schedule.ts";

const CPH = "Europe/Copenhagen";

function w(text: string): IsoWeek {
  const week = parseIsoWeek(text);
  if (week === undefined) throw new Error(`bad week ${text}`);
  return week;
}

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

// Copenhagen is UTC+1 in winter and UTC+2 in summer; summer time starts on the last Sunday of
// March and ends on the last Sunday of October (2020: 29 March / 25 October; 2026: 29 March /
// 25 October). So 10:00 local is 09:00Z in winter and 08:00Z in summer; 02:30 is 01:30Z / 00:30Z.
const wednesdayRuns = [
  {
    name: "2020-W13 (25 Mar, before spring-forward) 10:00",
    week: "2020-W13",
    time: "10:00",
    utc: "2020-03-25T09:00:00.000Z",
  },
  {
    name: "2020-W14 (1 Apr, after spring-forward) 10:00",
    week: "2020-W14",
    time: "10:00",
    utc: "2020-04-01T08:00:00.000Z",
  },
  {
    name: "2020-W43 (21 Oct, before fall-back) 10:00",
    week: "2020-W43",
    time: "10:00",
    utc: "2020-10-21T08:00:00.000Z",
  },
  {
    name: "2020-W44 (28 Oct, after fall-back) 10:00",
    week: "2020-W44",
    time: "10:00",
    utc: "2020-10-28T09:00:00.000Z",
  },
  { name: "2026-W13 (25 Mar) 10:00", week: "2026-W13", time: "10:00", utc: "2026-03-25T09:00:00.000Z" },
  { name: "2026-W14 (1 Apr) 10:00", week: "2026-W14", time: "10:00", utc: "2026-04-01T08:00:00.000Z" },
  { name: "2026-W43 (21 Oct) 10:00", week: "2026-W43", time: "10:00", utc: "2026-10-21T08:00:00.000Z" },
  { name: "2026-W44 (28 Oct) 10:00", week: "2026-W44", time: "10:00", utc: "2026-10-28T09:00:00.000Z" },
  {
    name: "2020-W13 02:30 (the hour that is skipped on the DST Sunday)",
    week: "2020-W13",
    time: "02:30",
    utc: "2020-03-25T01:30:00.000Z",
  },
  { name: "2020-W14 02:30", week: "2020-W14", time: "02:30", utc: "2020-04-01T00:30:00.000Z" },
  {
    name: "2020-W43 02:30 (the hour that repeats on the DST Sunday)",
    week: "2020-W43",
    time: "02:30",
    utc: "2020-10-21T00:30:00.000Z",
  },
  { name: "2020-W44 02:30", week: "2020-W44", time: "02:30", utc: "2020-10-28T01:30:00.000Z" },
  {
    name: "2020-W53 (30 Dec, 53-week year) 10:00",
    week: "2020-W53",
    time: "10:00",
    utc: "2020-12-30T09:00:00.000Z",
  },
];

describe("scheduledRunOf", () => {
  it.each(wednesdayRuns)("$name", ({ week, time, utc }) => {
    expect(iso(scheduledRunOf(w(week), { time, zone: CPH }))).toBe(utc);
  });

  // Iran changed clocks at midnight on a Wednesday in 2016 and 2017, so a run time inside the
  // gap or the fold really happens on a run day there.
  it("a run time inside a spring-forward gap on the Wednesday itself runs once, just after the jump", () => {
    // 22 March 2017, Tehran: 00:00 (+03:30) jumps to 01:00 (+04:30); 00:30 does not exist.
    // The jump happens at 2017-03-21T20:30Z; 30 minutes into the gap is 21:00Z.
    expect(iso(scheduledRunOf(w("2017-W12"), { time: "00:30", zone: "Asia/Tehran" }))).toBe(
      "2017-03-21T21:00:00.000Z",
    );
  });

  it("a run time inside a fall-back fold on the Wednesday itself resolves to one of its two instants", () => {
    // 21 September 2016, Tehran: 24:00 (+04:30) goes back to 23:00 (+03:30); 23:30 happens at
    // 19:00Z and again at 20:00Z.
    const run = iso(scheduledRunOf(w("2016-W38"), { time: "23:30", zone: "Asia/Tehran" }));
    expect(["2016-09-21T19:00:00.000Z", "2016-09-21T20:00:00.000Z"]).toContain(run);
  });
});

describe("nextWednesdayRuns", () => {
  const cases = [
    {
      name: "across spring-forward 2020",
      after: "2020-03-24T12:00:00Z",
      time: "10:00",
      expected: ["2020-03-25T09:00:00.000Z", "2020-04-01T08:00:00.000Z", "2020-04-08T08:00:00.000Z"],
    },
    {
      name: "across fall-back 2020",
      after: "2020-10-20T00:00:00Z",
      time: "10:00",
      expected: ["2020-10-21T08:00:00.000Z", "2020-10-28T09:00:00.000Z", "2020-11-04T09:00:00.000Z"],
    },
    {
      name: "across spring-forward 2026",
      after: "2026-03-23T00:00:00Z",
      time: "10:00",
      expected: ["2026-03-25T09:00:00.000Z", "2026-04-01T08:00:00.000Z", "2026-04-08T08:00:00.000Z"],
    },
    {
      name: "across fall-back 2026",
      after: "2026-10-19T00:00:00Z",
      time: "10:00",
      expected: ["2026-10-21T08:00:00.000Z", "2026-10-28T09:00:00.000Z", "2026-11-04T09:00:00.000Z"],
    },
    {
      name: "exactly at a run: the next one is a week later",
      after: "2020-09-30T08:00:00.000Z",
      time: "10:00",
      expected: ["2020-10-07T08:00:00.000Z"],
    },
    {
      name: "one millisecond before a run: that run",
      after: "2020-09-30T07:59:59.999Z",
      time: "10:00",
      expected: ["2020-09-30T08:00:00.000Z"],
    },
    {
      name: "Thursday 00:30 local (still Wednesday in UTC)",
      after: "2020-09-30T22:30:00Z",
      time: "10:00",
      expected: ["2020-10-07T08:00:00.000Z"],
    },
    {
      name: "02:30 across fall-back 2026",
      after: "2026-10-20T00:00:00Z",
      time: "02:30",
      expected: ["2026-10-21T00:30:00.000Z", "2026-10-28T01:30:00.000Z"],
    },
  ];
  it.each(cases)("$name", ({ after, time, expected }) => {
    expect(nextWednesdayRuns(at(after), { time, zone: CPH }, expected.length).map(iso)).toEqual(expected);
  });

  // Walking from fire to fire over the DST weeks must hit every Wednesday exactly once.
  const sweeps = [
    { name: "Copenhagen 10:00, spring 2020", zone: CPH, time: "10:00", from: "2020-03-01", to: "2020-04-30" },
    { name: "Copenhagen 10:00, autumn 2020", zone: CPH, time: "10:00", from: "2020-10-01", to: "2020-11-30" },
    { name: "Copenhagen 02:30, spring 2026", zone: CPH, time: "02:30", from: "2026-03-01", to: "2026-04-30" },
    { name: "Copenhagen 02:30, autumn 2026", zone: CPH, time: "02:30", from: "2026-10-01", to: "2026-11-30" },
    {
      name: "Tehran 00:30 (gap on Wed 22 Mar 2017)",
      zone: "Asia/Tehran",
      time: "00:30",
      from: "2017-03-01",
      to: "2017-04-15",
    },
    {
      name: "Tehran 23:30 (fold on Wed 21 Sep 2016)",
      zone: "Asia/Tehran",
      time: "23:30",
      from: "2016-09-01",
      to: "2016-10-15",
    },
  ];
  it.each(sweeps)("one fire per Wednesday: $name", ({ zone, time, from, to }) => {
    const start = DateTime.fromISO(from, { zone });
    const end = DateTime.fromISO(to, { zone }).endOf("day");
    const fires: string[] = [];
    let t = start.toMillis();
    for (;;) {
      const [next] = nextWednesdayRuns(t, { time, zone }, 1);
      if (next === undefined || next > end.toMillis()) break;
      expect(next).toBeGreaterThan(t);
      fires.push(DateTime.fromMillis(next, { zone }).toISODate() ?? "");
      t = next;
    }
    const wednesdays: string[] = [];
    for (let day = start; day <= end; day = day.plus({ days: 1 })) {
      if (day.weekday === 3) wednesdays.push(day.toISODate() ?? "");
    }
    expect(fires).toEqual(wednesdays);
  });
});

describe("weekToRunAt", () => {
  const cases = [
    { name: "Wednesday noon: that week", now: "2020-09-30T12:00:00+02:00", week: "2020-W40" },
    {
      name: "Wednesday exactly at the run time: that week",
      now: "2020-09-30T10:00:00+02:00",
      week: "2020-W40",
    },
    {
      name: "Wednesday a second before: the week before",
      now: "2020-09-30T09:59:59+02:00",
      week: "2020-W39",
    },
    { name: "Tuesday: the week before", now: "2020-09-29T23:00:00+02:00", week: "2020-W39" },
    {
      name: "Monday of the next week, before its Wednesday",
      now: "2020-10-05T00:30:00+02:00",
      week: "2020-W40",
    },
    {
      name: "after fall-back, Wednesday 09:30 winter time: the week before",
      now: "2020-10-28T09:30:00+01:00",
      week: "2020-W43",
    },
    { name: "Monday 4 Jan 2021: still 2020-W53", now: "2021-01-04T12:00:00+01:00", week: "2020-W53" },
    {
      name: "Wednesday 6 Jan 2021 after 10:00: 2021-W01",
      now: "2021-01-06T10:00:00+01:00",
      week: "2021-W01",
    },
  ];
  it.each(cases)("$name", ({ now, week }) => {
    expect(formatIsoWeek(weekToRunAt(at(now), { time: "10:00", zone: CPH }))).toBe(week);
  });
});

describe("decideCatchUp", () => {
  const cases: {
    name: string;
    now: string;
    catchUpWeeks: number;
    firstWeek?: string;
    ledger: Record<string, LedgerStatus>;
    run: string[];
    missed: string[];
  }[] = [
    {
      name: "fresh install on Wednesday noon",
      now: "2020-09-30T12:00:00+02:00",
      catchUpWeeks: 1,
      firstWeek: "2020-W40",
      ledger: {},
      run: ["2020-W40"],
      missed: [],
    },
    {
      name: "Wednesday before the run time: only last week, if it is not done",
      now: "2020-09-30T09:00:00+02:00",
      catchUpWeeks: 1,
      firstWeek: "2020-W38",
      ledger: { "2020-W38": "succeeded" },
      run: ["2020-W39"],
      missed: [],
    },
    {
      name: "restart on Thursday after a missed Wednesday",
      now: "2020-10-08T08:00:00+02:00",
      catchUpWeeks: 1,
      firstWeek: "2020-W38",
      ledger: { "2020-W38": "succeeded", "2020-W39": "succeeded", "2020-W40": "succeeded" },
      run: ["2020-W41"],
      missed: [],
    },
    {
      name: "a running week is not started again",
      now: "2020-10-08T08:00:00+02:00",
      catchUpWeeks: 1,
      firstWeek: "2020-W40",
      ledger: { "2020-W40": "succeeded", "2020-W41": "running" },
      run: [],
      missed: [],
    },
    {
      name: "failed and aborted weeks inside the window run again, oldest first",
      now: "2020-10-22T08:00:00+02:00",
      catchUpWeeks: 2,
      firstWeek: "2020-W38",
      ledger: {
        "2020-W38": "succeeded",
        "2020-W39": "succeeded",
        "2020-W40": "succeeded",
        "2020-W41": "failed",
        "2020-W42": "aborted",
      },
      run: ["2020-W41", "2020-W42", "2020-W43"],
      missed: [],
    },
    {
      name: "weeks older than the window are reported, not run",
      now: "2020-10-22T08:00:00+02:00",
      catchUpWeeks: 0,
      firstWeek: "2020-W39",
      ledger: { "2020-W39": "succeeded", "2020-W41": "failed" },
      run: ["2020-W43"],
      missed: ["2020-W40", "2020-W41", "2020-W42"],
    },
    {
      name: "no first week: nothing is reported",
      now: "2020-10-22T08:00:00+02:00",
      catchUpWeeks: 0,
      ledger: {},
      run: ["2020-W43"],
      missed: [],
    },
    {
      name: "clock jumped back into weeks that already succeeded",
      now: "2020-09-30T11:00:00+02:00",
      catchUpWeeks: 1,
      firstWeek: "2020-W38",
      ledger: {
        "2020-W38": "succeeded",
        "2020-W39": "succeeded",
        "2020-W40": "succeeded",
        "2020-W41": "succeeded",
      },
      run: [],
      missed: [],
    },
    {
      name: "clock before the first week: nothing",
      now: "2020-09-30T11:00:00+02:00",
      catchUpWeeks: 1,
      firstWeek: "2020-W45",
      ledger: {},
      run: [],
      missed: [],
    },
    {
      name: "across the year boundary of a 53-week year",
      now: "2021-01-06T12:00:00+01:00",
      catchUpWeeks: 1,
      firstWeek: "2020-W50",
      ledger: { "2020-W50": "succeeded", "2020-W51": "succeeded" },
      run: ["2020-W53", "2021-W01"],
      missed: ["2020-W52"],
    },
  ];
  it.each(cases)("$name", ({ now, catchUpWeeks, firstWeek, ledger, run, missed }) => {
    const decision = decideCatchUp(
      at(now),
      {
        time: "10:00",
        zone: CPH,
        catchUpWeeks,
        firstWeek: firstWeek === undefined ? undefined : w(firstWeek),
      },
      (week) => ledger[formatIsoWeek(week)],
    );
    expect(decision.run.map(formatIsoWeek)).toEqual(run);
    expect(decision.reportedMissed.map(formatIsoWeek)).toEqual(missed);
  });
});

describe("retryTimes", () => {
  const cases = [
    {
      name: "hourly until 20:00 in summer time",
      week: "2020-W40",
      retryEveryMinutes: 60,
      lastAttempt: "20:00",
      expected: Array.from(
        { length: 10 },
        (_, i) => `2020-09-30T${String(9 + i).padStart(2, "0")}:00:00.000Z`,
      ),
    },
    {
      name: "every 90 minutes until 13:00 in winter time",
      week: "2020-W44",
      retryEveryMinutes: 90,
      lastAttempt: "13:00",
      expected: ["2020-10-28T10:30:00.000Z", "2020-10-28T12:00:00.000Z"],
    },
    {
      name: "last attempt at the run time: no retry",
      week: "2020-W40",
      retryEveryMinutes: 60,
      lastAttempt: "10:00",
      expected: [],
    },
    {
      name: "last attempt before the run time: no retry",
      week: "2020-W40",
      retryEveryMinutes: 30,
      lastAttempt: "09:00",
      expected: [],
    },
    {
      name: "retries switched off (0 minutes)",
      week: "2020-W40",
      retryEveryMinutes: 0,
      lastAttempt: "20:00",
      expected: [],
    },
    {
      name: "a negative interval means no retry",
      week: "2020-W40",
      retryEveryMinutes: -15,
      lastAttempt: "20:00",
      expected: [],
    },
  ];
  it.each(cases)("$name", ({ week, retryEveryMinutes, lastAttempt, expected }) => {
    expect(
      retryTimes(w(week), { time: "10:00", zone: CPH, retryEveryMinutes, lastAttempt }).map(iso),
    ).toEqual(expected);
  });
});

describe("wednesdayCronExpression", () => {
  it.each([
    { time: "10:00", expected: "0 10 * * 3" },
    { time: "02:30", expected: "30 2 * * 3" },
    { time: "00:05", expected: "5 0 * * 3" },
  ])("$time → $expected", ({ time, expected }) => {
    expect(wednesdayCronExpression(time)).toBe(expected);
  });
});
