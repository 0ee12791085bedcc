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

/**
 * An independent statement of the national model: a flow starts at the first red week S of a
 * green municipality; week 1 = S+2; checks at S+3, S+5, …; each red check means a retest the
 * week after; a green check ends the flow and a later red week starts a new one.
 */
function expected(statuses: readonly Status[], start: IsoWeek = W40): Map<string, RedTestReason> {
  const tests = new Map<string, RedTestReason>();
  let flowStart: number | undefined;
  statuses.forEach((status, i) => {
    if (flowStart === undefined) {
      if (status === "red") flowStart = i;
      return;
    }
    const k = i - flowStart;
    if (k === 1) tests.set(formatIsoWeek(addWeeks(start, i + 1)), "red-week-1");
    if (k >= 3 && k % 2 === 1) {
      if (status === "red") tests.set(formatIsoWeek(addWeeks(start, i + 1)), "red-retest");
      else flowStart = undefined;
    }
  });
  return tests;
}

const cases: { name: string; statuses: Status[] }[] = [
  { name: "always green: no red tests", statuses: ["green", "green", "green", "green"] },
  {
    name: "red once: week 1 only, even when green again in week 0",
    statuses: ["red", "green", "green", "green", "green"],
  },
  { name: "red for long: week 1 then a retest every second week", statuses: Array<Status>(12).fill("red") },
  {
    name: "green at the first check ends the flow",
    statuses: ["red", "red", "red", "green", "red", "red", "red", "red"],
  },
  {
    name: "red between checks does not start a second flow",
    statuses: ["red", "green", "red", "red", "green", "green"],
  },
  {
    name: "red again after the flow ended starts a new flow",
    statuses: ["red", "red", "green", "green", "green", "red", "red", "red", "red"],
  },
];

describe("stepCadence", () => {
  it.each(cases)("$name", ({ statuses }) => {
    expect(simulate(statuses)).toEqual(expected(statuses));
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

  it("carries a limit-to-sites decision into the flow's tests", () => {
    const started = stepCadence(GREEN, W40, "red", ["S1"]);
    const week1 = stepCadence(started.state, addWeeks(W40, 1), "red", ["S1"]);
    expect(week1.redTestsNextWeek).toEqual({ reason: "red-week-1", limitToSites: ["S1"] });
    const check = stepCadence(week1.state, addWeeks(W40, 3), "red", null);
    expect(check.redTestsNextWeek).toEqual({ reason: "red-retest", limitToSites: null });
  });
});
