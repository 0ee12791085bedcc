import { describe, expect, it } from "vitest";
import {
  DEFAULT_SHIFT_HOURS,
  findShiftHoursProblem,
  sessionInstants,
  sessionTimes,
} from "../../src/domain/shift-hours.ts";

const ZONE = "Europe/Copenhagen";

describe("sessionTimes", () => {
  const cases = [
    { name: "day ends the same day", shift: "day", times: ["2020-10-05", "07:00", "2020-10-05", "15:00"] },
    {
      name: "evening ends the same day",
      shift: "evening",
      times: ["2020-10-05", "15:00", "2020-10-05", "23:00"],
    },
    {
      name: "night ends the next morning",
      shift: "night",
      times: ["2020-10-05", "23:00", "2020-10-06", "07:00"],
    },
    {
      name: "a night on New Year's Eve ends in the new year",
      shift: "night",
      date: "2020-12-31",
      times: ["2020-12-31", "23:00", "2021-01-01", "07:00"],
    },
  ] as const;
  it.each(cases)("$name", (c) => {
    const t = sessionTimes("date" in c ? c.date : "2020-10-05", c.shift, DEFAULT_SHIFT_HOURS);
    expect([t.startDate, t.start, t.endDate, t.end]).toEqual(c.times);
  });
});

describe("sessionInstants in Copenhagen", () => {
  const cases = [
    // Summer time (UTC+2) until Sunday 25 October 2020 03:00, then winter time (UTC+1).
    {
      name: "a summer day shift",
      date: "2020-10-23",
      shift: "day",
      start: "2020-10-23T05:00:00Z",
      end: "2020-10-23T13:00:00Z",
    },
    {
      name: "the night of the change lasts 9 hours",
      date: "2020-10-24",
      shift: "night",
      start: "2020-10-24T21:00:00Z",
      end: "2020-10-25T06:00:00Z",
    },
    {
      name: "a winter day shift",
      date: "2020-10-25",
      shift: "day",
      start: "2020-10-25T06:00:00Z",
      end: "2020-10-25T14:00:00Z",
    },
    // Clocks go forward on Sunday 28 March 2021 at 02:00: that night lasts 7 hours.
    {
      name: "the spring night lasts 7 hours",
      date: "2021-03-27",
      shift: "night",
      start: "2021-03-27T22:00:00Z",
      end: "2021-03-28T05:00:00Z",
    },
  ] as const;
  it.each(cases)("$name", ({ date, shift, start, end }) => {
    const { startMs, endMs } = sessionInstants(date, shift, DEFAULT_SHIFT_HOURS, ZONE);
    expect([new Date(startMs).toISOString(), new Date(endMs).toISOString()]).toEqual([
      start.replace("Z", ".000Z"),
      end.replace("Z", ".000Z"),
    ]);
  });
});

describe("findShiftHoursProblem", () => {
  it("accepts the defaults", () => {
    expect(findShiftHoursProblem(DEFAULT_SHIFT_HOURS)).toBeUndefined();
  });

  const cases = [
    {
      name: "a time that is not HH:MM",
      hours: { ...DEFAULT_SHIFT_HOURS, day: { start: "7:00", end: "15:00" } },
      problem: 'day.start: got "7:00", expected a time HH:MM (00:00–23:59)',
    },
    {
      name: "an hour past 23",
      hours: { ...DEFAULT_SHIFT_HOURS, night: { start: "23:00", end: "24:00" } },
      problem: 'night.end: got "24:00", expected a time HH:MM (00:00–23:59)',
    },
    {
      name: "a window of no length",
      hours: { ...DEFAULT_SHIFT_HOURS, evening: { start: "15:00", end: "15:00" } },
      problem: "evening: starts and ends at 15:00, expected a window of some length",
    },
  ];
  it.each(cases)("$name", ({ hours, problem }) => {
    expect(findShiftHoursProblem(hours)).toBe(problem);
  });
});
