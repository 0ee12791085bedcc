import { describe, expect, it } from "vitest";
import { addWeeks, formatIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import { GREEN, stepCadence, type CadenceState, type RedTestReason } from "../../src/domain/cadence.ts";
import type { Status } from "../../src/domain/classify.ts";

const W40: IsoWeek = { year: 2020, week: 40 };

/** Runs the cadence over a status per week; returns the red test reason for each *test* week. */
function simulate(statuses: readonly Status[], start: IsoWeek = W40): Map<string, RedTestReason> {
  let state: CadenceState = GREEN;
  const tests = new Map<string, RedTestReason>();
  statuses.forEach((status, i) => {
    const week = addWeeks(start, i);
    const step = stepCadence(state, week, status, null);
    state = step.state;
    if (step.redTestsNextWeek) tests.set(formatIsoWeek(addWeeks(week, 1)), step.redTestsNextWeek.reason);
  });
  return tests;
}

const R: Status = "red";
const G: Status = "green";

/**
 * Status per classification week from 2020-W40 and the red tests each scenario must publish,
 * worked out by hand from the national model: a flow starts at the first red week S of a green
 * municipality ("week −1"); S+1 is week 0 (planning), S+2 week 1 (all staff tested, whatever S+1
 * showed); the checks are at S+3, S+5, …: a red check means a retest the week after, a green one
 * ends the flow; red weeks between checks change nothing; a later red week starts a new flow.
 */
const cases: { name: string; statuses: Status[]; tests: Record<string, RedTestReason> }[] = [
  { name: "always green: no red tests", statuses: [G, G, G, G], tests: {} },
  {
    // S = W40: week 1 = W42; the check at W43 is green.
    name: "red once: week 1 only, even when green again in week 0",
    statuses: [R, G, G, G, G],
    tests: { "2020-W42": "red-week-1" },
  },
  {
    // S = W40, red at every check W43, W45, W47, W49, W51: retests W44 … W52 (2020 has 53 weeks).
    name: "red for long: week 1 then a retest every second week",
    statuses: [R, R, R, R, R, R, R, R, R, R, R, R],
    tests: {
      "2020-W42": "red-week-1",
      "2020-W44": "red-retest",
      "2020-W46": "red-retest",
      "2020-W48": "red-retest",
      "2020-W50": "red-retest",
      "2020-W52": "red-retest",
    },
  },
  {
    // S = W40 (week 1 W42), green at the W43 check; red W44 starts a new flow: week 1 W46, red
    // at its W47 check: retest W48.
    name: "green at the first check ends the flow",
    statuses: [R, R, R, G, R, R, R, R],
    tests: { "2020-W42": "red-week-1", "2020-W46": "red-week-1", "2020-W48": "red-retest" },
  },
  {
    // S = W40 (week 1 W42); red in W42 and W44 between checks starts nothing; red at the W43
    // check: retest W44; green at the W45 check ends the flow.
    name: "red between checks does not start a second flow",
    statuses: [R, G, R, R, G, G],
    tests: { "2020-W42": "red-week-1", "2020-W44": "red-retest" },
  },
  {
    // S = W40 (week 1 W42), green at the W43 check; red again W45: week 1 W47, red at the W48
    // check: retest W49.
    name: "red again after the flow ended starts a new flow",
    statuses: [R, R, G, G, G, R, R, R, R],
    tests: { "2020-W42": "red-week-1", "2020-W47": "red-week-1", "2020-W49": "red-retest" },
  },
];

/**
 * One flow week by week (the status is the one classified on the week's Wednesday; the tests are
 * the red tests planned for that week, published by the previous week's run).
 */
const FLOW_WEEKS: { week: string; flowWeek: string; status: Status; tests: RedTestReason | null }[] = [
  { week: "2020-W40", flowWeek: "−1: turns red, the flow starts", status: R, tests: null },
  { week: "2020-W41", flowWeek: "0: planning (green again changes nothing)", status: G, tests: null },
  { week: "2020-W42", flowWeek: "1: all staff tested", status: G, tests: "red-week-1" },
  { week: "2020-W43", flowWeek: "2: check, still red", status: R, tests: null },
  { week: "2020-W44", flowWeek: "3: retest", status: R, tests: "red-retest" },
  { week: "2020-W45", flowWeek: "4: check, green: the flow ends", status: G, tests: null },
  { week: "2020-W46", flowWeek: "green, no retest; red: a new flow starts", status: R, tests: null },
  { week: "2020-W47", flowWeek: "0 of the new flow", status: G, tests: null },
  { week: "2020-W48", flowWeek: "1 of the new flow", status: G, tests: "red-week-1" },
  { week: "2020-W49", flowWeek: "2 of the new flow, check: green", status: G, tests: null },
  { week: "2020-W50", flowWeek: "green again, no retest", status: G, tests: null },
];

describe("stepCadence", () => {
  it.each(cases)("$name", ({ statuses, tests }) => {
    expect(Object.fromEntries(simulate(statuses))).toEqual(tests);
  });

  it("follows one flow week by week: week −1, 0, 1, 2, 3, 4 and a new flow", () => {
    const tests = simulate(FLOW_WEEKS.map((row) => row.status));
    const planned = FLOW_WEEKS.map((row) => ({ ...row, tests: tests.get(row.week) ?? null }));
    expect(planned).toEqual(FLOW_WEEKS);
  });

  it("turning red in week W gives week-1 tests in W+2 and a retest in W+4 when still red at W+3", () => {
    const tests = simulate(["red", "red", "red", "red", "green", "green"]);
    expect(tests.get(formatIsoWeek(addWeeks(W40, 2)))).toBe("red-week-1");
    expect(tests.get(formatIsoWeek(addWeeks(W40, 4)))).toBe("red-retest");
    expect([...tests.keys()]).toHaveLength(2);
  });

  it("counts weeks across the 53-week year 2020", () => {
    const start: IsoWeek = { year: 2020, week: 52 };
    const tests = simulate(["red", "red", "red", "red"], start);
    expect([...tests.entries()]).toEqual([
      ["2021-W01", "red-week-1"],
      ["2021-W03", "red-retest"],
    ]);
  });

  const W41: IsoWeek = { year: 2020, week: 41 };
  const flowFrom = (week: IsoWeek, limitToSites: string[] | null = null): CadenceState => ({
    phase: "red-flow",
    flowStart: week,
    limitToSites,
  });
  it.each([
    {
      name: "green and green: nothing",
      previous: GREEN,
      week: W40,
      status: G,
      step: { state: { phase: "green" }, redTestsNextWeek: null, event: "none" },
    },
    {
      name: "green turning red: the flow starts, no tests yet (week 0 comes first)",
      previous: GREEN,
      week: W40,
      status: R,
      step: { state: flowFrom(W40), redTestsNextWeek: null, event: "flow-started" },
    },
    {
      name: "one week into the flow: week 1 next, even when green",
      previous: flowFrom(W40),
      week: W41,
      status: G,
      step: {
        state: flowFrom(W40),
        redTestsNextWeek: { reason: "red-week-1", limitToSites: null },
        event: "week-1-next",
      },
    },
    {
      name: "two weeks into the flow: nothing",
      previous: flowFrom(W40),
      week: addWeeks(W40, 2),
      status: R,
      step: { state: flowFrom(W40), redTestsNextWeek: null, event: "in-flow" },
    },
    {
      name: "the check three weeks in, still red: retest next",
      previous: flowFrom(W40),
      week: addWeeks(W40, 3),
      status: R,
      step: {
        state: flowFrom(W40),
        redTestsNextWeek: { reason: "red-retest", limitToSites: null },
        event: "retest-next",
      },
    },
    {
      name: "the check three weeks in, green: the flow ends",
      previous: flowFrom(W40),
      week: addWeeks(W40, 3),
      status: G,
      step: { state: { phase: "green" }, redTestsNextWeek: null, event: "flow-ended" },
    },
    {
      name: "four weeks in: nothing, whatever the status",
      previous: flowFrom(W40),
      week: addWeeks(W40, 4),
      status: G,
      step: { state: flowFrom(W40), redTestsNextWeek: null, event: "in-flow" },
    },
    {
      name: "the check five weeks in, green: the flow ends",
      previous: flowFrom(W40),
      week: addWeeks(W40, 5),
      status: G,
      step: { state: { phase: "green" }, redTestsNextWeek: null, event: "flow-ended" },
    },
    {
      // Never stepped backwards in practice; an odd week count alone is no check.
      name: "a week before the flow's start: nothing",
      previous: flowFrom(W41),
      week: W40,
      status: G,
      step: { state: flowFrom(W41), redTestsNextWeek: null, event: "in-flow" },
    },
  ])("$name", ({ previous, week, status, step }) => {
    expect(stepCadence(previous, week, status, null)).toEqual(step);
  });

  it("carries a limit-to-sites decision into the flow's tests", () => {
    const started = stepCadence(GREEN, W40, "red", ["S1"]);
    const week1 = stepCadence(started.state, addWeeks(W40, 1), "red", ["S1"]);
    expect(week1.redTestsNextWeek).toEqual({ reason: "red-week-1", limitToSites: ["S1"] });
    const check = stepCadence(week1.state, addWeeks(W40, 3), "red", null);
    expect(check.redTestsNextWeek).toEqual({ reason: "red-retest", limitToSites: null });
  });
});
