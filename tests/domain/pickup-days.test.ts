import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  collectTestSessions,
  compareRuns,
  DEFAULT_PICKUP_DAY_SETTINGS,
  DEFAULT_SHIFT_HOURS,
  findPickupRun,
  formatRunKey,
  isTestSlotAllowed,
  listAllowedTestWeekdays,
  listPickupRuns,
  type PickupDaySettings,
  planPickupDays,
  sessionReadyAt,
  type TestSession,
} from "../../src/domain/pickup-days.ts";
import { SHIFTS, type Shift } from "../../src/domain/roster.ts";

const DEFAULTS = DEFAULT_PICKUP_DAY_SETTINGS;
const WEEK_41 = { year: 2020, week: 41 }; // Monday 2020-10-05 … Sunday 2020-10-11

describe("listPickupRuns with the defaults", () => {
  it("has a morning run Monday–Friday, a same-evening run on Friday and nothing at the weekend", () => {
    const runs = listPickupRuns(DEFAULTS, "2020-10-03", "2020-10-12");
    expect(runs.map((run) => `${run.date} ${run.kind} ${run.departure}-${run.latestArrival}`)).toEqual([
      "2020-10-05 morning 07:30-12:00",
      "2020-10-06 morning 07:30-12:00",
      "2020-10-07 morning 07:30-12:00",
      "2020-10-08 morning 07:30-12:00",
      "2020-10-09 morning 07:30-12:00",
      "2020-10-09 evening 15:30-19:00",
      "2020-10-12 morning 07:30-12:00",
    ]);
  });

  it("never picks up on a Saturday or Sunday over a whole year", () => {
    const runs = listPickupRuns(DEFAULTS, "2020-01-01", "2020-12-31");
    const weekdays = new Set(runs.map((run) => DateTime.fromISO(run.date).weekday));
    expect([...weekdays].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("findPickupRun (a): test date and shift → collecting run", () => {
  // Shifts 07–15, 15–23, 23–07: samples are ready at the shift's end. Waits are counted to the
  // run's latest arrival at the lab (12:00 morning, 19:00 evening), worked out by hand.
  it.each([
    {
      name: "Monday day → Tuesday morning",
      date: "2020-10-05",
      shift: "day",
      run: "2020-10-06 morning",
      hours: 21,
    },
    {
      name: "Monday evening → Tuesday morning",
      date: "2020-10-05",
      shift: "evening",
      run: "2020-10-06 morning",
      hours: 13,
    },
    {
      name: "Monday night (ends 07:00 Tuesday) → Tuesday morning",
      date: "2020-10-05",
      shift: "night",
      run: "2020-10-06 morning",
      hours: 5,
    },
    {
      name: "Thursday night → Friday morning",
      date: "2020-10-08",
      shift: "night",
      run: "2020-10-09 morning",
      hours: 5,
    },
    {
      name: "Friday day → Friday's same-evening run",
      date: "2020-10-09",
      shift: "day",
      run: "2020-10-09 evening",
      hours: 4,
    },
    {
      name: "Friday evening → Monday morning",
      date: "2020-10-09",
      shift: "evening",
      run: "2020-10-12 morning",
      hours: 61,
    },
    {
      name: "Friday night (ends Saturday 07:00) → Monday morning",
      date: "2020-10-09",
      shift: "night",
      run: "2020-10-12 morning",
      hours: 53,
    },
    {
      name: "Saturday day → Monday morning",
      date: "2020-10-10",
      shift: "day",
      run: "2020-10-12 morning",
      hours: 45,
    },
    {
      name: "Sunday day → Monday morning",
      date: "2020-10-11",
      shift: "day",
      run: "2020-10-12 morning",
      hours: 21,
    },
    // Summer time ends on Sunday 2020-10-25 (03:00 → 02:00): the weekend has an extra hour.
    {
      name: "Friday evening across the DST change: 62 real hours",
      date: "2020-10-23",
      shift: "evening",
      run: "2020-10-26 morning",
      hours: 62,
    },
  ] as const)("$name ($hours h)", ({ date, shift, run, hours }) => {
    const collection = findPickupRun(DEFAULTS, date, shift);
    expect(`${collection.run.date} ${collection.run.kind}`).toBe(run);
    expect(collection.waitHours).toBeCloseTo(hours, 9);
  });

  it("without a same-evening run Friday's day shift waits until Monday (69 h)", () => {
    const collection = findPickupRun({ ...DEFAULTS, sameEveningWeekdays: [] }, "2020-10-09", "day");
    expect(collection.run.date).toBe("2020-10-12");
    expect(collection.waitHours).toBeCloseTo(69, 9);
  });

  it("rejects a calendar without pickup days", () => {
    expect(() => findPickupRun({ ...DEFAULTS, pickupWeekdays: [] }, "2020-10-05", "day")).toThrow(RangeError);
  });
});

describe("listAllowedTestWeekdays (b): weekdays whose samples keep within the maximum wait", () => {
  it.each([
    // Sunday is allowed: Monday's morning run is within 24 h of every Sunday shift's end.
    {
      name: "defaults, day shift: Friday allowed by the same-evening run",
      settings: DEFAULTS,
      shift: "day",
      weekdays: [1, 2, 3, 4, 5, 7],
    },
    {
      name: "defaults, evening shift: not Friday",
      settings: DEFAULTS,
      shift: "evening",
      weekdays: [1, 2, 3, 4, 7],
    },
    {
      name: "defaults, night shift: not Friday",
      settings: DEFAULTS,
      shift: "night",
      weekdays: [1, 2, 3, 4, 7],
    },
    {
      name: "no same-evening run: no Friday day shift either",
      settings: { ...DEFAULTS, sameEveningWeekdays: [] },
      shift: "day",
      weekdays: [1, 2, 3, 4, 7],
    },
    {
      name: "72 h allowed: every weekday",
      settings: { ...DEFAULTS, maxWaitHours: 72 },
      shift: "evening",
      weekdays: [1, 2, 3, 4, 5, 6, 7],
    },
  ] as { name: string; settings: PickupDaySettings; shift: Shift; weekdays: number[] }[])(
    "$name",
    ({ settings, shift, weekdays }) => {
      expect(listAllowedTestWeekdays(settings, WEEK_41, shift)).toEqual(weekdays);
    },
  );
});

describe("planPickupDays (c)", () => {
  it("groups sessions into one visit per site and run and reports waits over the maximum", () => {
    const sessions: TestSession[] = [
      { siteId: "S2", date: "2020-10-05", shift: "evening", tests: 4 },
      { siteId: "S1", date: "2020-10-05", shift: "day", tests: 10 },
      { siteId: "S1", date: "2020-10-05", shift: "night", tests: 2 },
      { siteId: "S1", date: "2020-10-09", shift: "day", tests: 6 },
      { siteId: "S1", date: "2020-10-09", shift: "evening", tests: 3 },
      { siteId: "S2", date: "2020-10-07", shift: "day", tests: 0 },
    ];
    const plan = planPickupDays(sessions, DEFAULTS);
    expect(
      plan.visits.map((v) => ({ site: v.siteId, run: `${v.run.date} ${v.run.kind}`, collects: v.collects })),
    ).toEqual([
      {
        site: "S1",
        run: "2020-10-06 morning",
        collects: [
          { date: "2020-10-05", shift: "day", samples: 10, waitHours: 21 },
          { date: "2020-10-05", shift: "night", samples: 2, waitHours: 5 },
        ],
      },
      {
        site: "S2",
        run: "2020-10-06 morning",
        collects: [{ date: "2020-10-05", shift: "evening", samples: 4, waitHours: 13 }],
      },
      {
        site: "S1",
        run: "2020-10-09 evening",
        collects: [{ date: "2020-10-09", shift: "day", samples: 6, waitHours: 4 }],
      },
      {
        site: "S1",
        run: "2020-10-12 morning",
        collects: [{ date: "2020-10-09", shift: "evening", samples: 3, waitHours: 61 }],
      },
    ]);
    expect(plan.violations).toHaveLength(1);
    expect(plan.violations[0]).toMatchObject({
      siteId: "S1",
      date: "2020-10-09",
      shift: "evening",
      samples: 3,
      maxWaitHours: 24,
    });
    expect(plan.violations[0]?.waitHours).toBeCloseTo(61, 9);
  });

  it("Friday samples of every shift either wait ≤ 24 h or are reported with the hours", () => {
    const sessions = SHIFTS.map((shift, i) => ({ siteId: `S${i}`, date: "2020-10-09", shift, tests: 5 }));
    const plan = planPickupDays(sessions, DEFAULTS);
    for (const session of sessions) {
      const { waitHours } = findPickupRun(DEFAULTS, session.date, session.shift);
      const reported = plan.violations.find((v) => v.siteId === session.siteId);
      if (waitHours <= 24) expect(reported).toBeUndefined();
      else expect(reported?.waitHours).toBeCloseTo(waitHours, 9);
    }
    expect(plan.violations.map((v) => v.shift)).toEqual(["evening", "night"]);
  });
});

describe("collectTestSessions", () => {
  it("sums tests per site, date and shift, ordered by date, shift and site", () => {
    const tests = [
      { siteId: "S2", date: "2020-10-06", shift: "day" as const },
      { siteId: "S1", date: "2020-10-06", shift: "night" as const },
      { siteId: "S1", date: "2020-10-06", shift: "day" as const },
      { siteId: "S1", date: "2020-10-05", shift: "evening" as const },
      { siteId: "S1", date: "2020-10-06", shift: "day" as const },
    ];
    expect(collectTestSessions(tests)).toEqual([
      { siteId: "S1", date: "2020-10-05", shift: "evening", tests: 1 },
      { siteId: "S1", date: "2020-10-06", shift: "day", tests: 2 },
      { siteId: "S2", date: "2020-10-06", shift: "day", tests: 1 },
      { siteId: "S1", date: "2020-10-06", shift: "night", tests: 1 },
    ]);
  });
});

describe("boundaries of the pickup calendar", () => {
  it("orders the morning run before the evening run of the same date, and dates first", () => {
    // Same date: morning (0) before evening (1); a later date after any run of an earlier one.
    expect(
      compareRuns({ date: "2020-10-09", kind: "morning" }, { date: "2020-10-09", kind: "evening" }),
    ).toBe(-1);
    expect(
      compareRuns({ date: "2020-10-09", kind: "evening" }, { date: "2020-10-09", kind: "morning" }),
    ).toBe(1);
    expect(
      compareRuns({ date: "2020-10-09", kind: "evening" }, { date: "2020-10-09", kind: "evening" }),
    ).toBe(0);
    expect(
      compareRuns({ date: "2020-10-08", kind: "evening" }, { date: "2020-10-09", kind: "morning" }),
    ).toBe(-1);
  });

  it("a shift ending at its own start time lasts 24 hours: samples ready the next day", () => {
    // Day shift 07:00–07:00: Monday's samples are ready Tuesday 07:00; Tuesday's 07:30 run
    // takes them, back by 12:00 → 5 h. (Read as same-day 07:00, Monday's 07:30 run would take them.)
    const settings = {
      ...DEFAULTS,
      shiftHours: { ...DEFAULT_SHIFT_HOURS, day: { start: "07:00", end: "07:00" } },
    };
    expect(sessionReadyAt(settings, "2020-10-05", "day")).toBe(Date.UTC(2020, 9, 6, 5, 0));
    const collection = findPickupRun(settings, "2020-10-05", "day");
    expect(formatRunKey(collection.run)).toBe("2020-10-06 morning");
    expect(collection.waitHours).toBe(5);
  });

  it("a van leaving exactly when the shift ends still collects its samples", () => {
    // Night shift 23:00–07:30: Monday night's samples are ready Tuesday 07:30, the very minute the
    // Tuesday morning run leaves; back by 12:00 → 4.5 h (not Wednesday's run, 28.5 h).
    const settings = {
      ...DEFAULTS,
      shiftHours: { ...DEFAULT_SHIFT_HOURS, night: { start: "23:00", end: "07:30" } },
    };
    const collection = findPickupRun(settings, "2020-10-05", "night");
    expect(formatRunKey(collection.run)).toBe("2020-10-06 morning");
    expect(collection.waitHours).toBe(4.5);
  });

  it("names the date and the two-week search in its error", () => {
    expect(() => findPickupRun({ ...DEFAULTS, pickupWeekdays: [] }, "2020-10-05", "day")).toThrow(
      "findPickupRun: no pickup run within 14 days after 2020-10-05, expected pickup weekdays",
    );
  });

  it("a wait exactly at the maximum is allowed and not reported", () => {
    // Monday day shift: ready 15:00, Tuesday's run back by 12:00 → 21 h = maxWaitHours.
    const settings = { ...DEFAULTS, maxWaitHours: 21 };
    expect(isTestSlotAllowed(settings, "2020-10-05", "day")).toBe(true);
    expect(isTestSlotAllowed({ ...DEFAULTS, maxWaitHours: 20 }, "2020-10-05", "day")).toBe(false);
    const plan = planPickupDays([{ siteId: "S1", date: "2020-10-05", shift: "day", tests: 3 }], settings);
    expect(plan.violations).toEqual([]);
  });

  it("orders sessions given in reverse before collecting them, and visits by run then site", () => {
    // S1 Tuesday day → Wednesday 07:30 run (21 h); S2 Monday day → Tuesday run (21 h);
    // S2 Monday night → Tuesday run (ready 07:00, back 12:00: 5 h); S1 Monday evening → Tuesday
    // run (ready 23:00, 13 h). Visits: Tuesday S1, Tuesday S2, Wednesday S1. With max 12 h
    // every session but the night one is reported, in date/shift/site order.
    const sessions: TestSession[] = [
      { siteId: "S1", date: "2020-10-06", shift: "day", tests: 1 },
      { siteId: "S2", date: "2020-10-05", shift: "night", tests: 2 },
      { siteId: "S1", date: "2020-10-05", shift: "evening", tests: 3 },
      { siteId: "S2", date: "2020-10-05", shift: "day", tests: 4 },
    ];
    const plan = planPickupDays(sessions, { ...DEFAULTS, maxWaitHours: 12 });
    expect(
      plan.visits.map((v) => ({ site: v.siteId, run: formatRunKey(v.run), collects: v.collects })),
    ).toEqual([
      {
        site: "S1",
        run: "2020-10-06 morning",
        collects: [{ date: "2020-10-05", shift: "evening", samples: 3, waitHours: 13 }],
      },
      {
        site: "S2",
        run: "2020-10-06 morning",
        collects: [
          { date: "2020-10-05", shift: "day", samples: 4, waitHours: 21 },
          { date: "2020-10-05", shift: "night", samples: 2, waitHours: 5 },
        ],
      },
      {
        site: "S1",
        run: "2020-10-07 morning",
        collects: [{ date: "2020-10-06", shift: "day", samples: 1, waitHours: 21 }],
      },
    ]);
    expect(plan.violations.map((v) => `${v.siteId} ${v.date} ${v.shift} ${v.waitHours}`)).toEqual([
      "S2 2020-10-05 day 21",
      "S1 2020-10-05 evening 13",
      "S1 2020-10-06 day 21",
    ]);
  });
});
