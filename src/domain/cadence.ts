import { weeksBetween, type IsoWeek } from "./calendar.ts";
import type { Status } from "./classify.ts";

/**
 * Where a municipality is in the national model:
 * - `green`: the 6-week cycle only;
 * - `red-flow`: it turned red on the Wednesday of `flowStart` ("week −1"). W+1 is "week 0"
 *   (planning), W+2 "week 1" (all staff tested), W+3 "week 2" (check), W+4 "week 3" (retest if
 *   still red at the check), and so on every second week while red.
 */
export type CadenceState =
  | { readonly phase: "green" }
  | {
      readonly phase: "red-flow";
      readonly flowStart: IsoWeek;
      readonly limitToSites: readonly string[] | null;
    };

export const GREEN: CadenceState = { phase: "green" };

/** Reasons of the red flow's tests: week 1 (all staff), then a retest after each red check. */
export const RED_TEST_REASONS = ["red-week-1", "red-retest"] as const;
export type RedTestReason = (typeof RED_TEST_REASONS)[number];

/** True for the tests of a red flow (week 1, retest), false for the green cycle's. */
export function isRedTestReason(reason: string): reason is RedTestReason {
  return (RED_TEST_REASONS as readonly string[]).includes(reason);
}

export type CadenceEvent = "none" | "flow-started" | "week-1-next" | "retest-next" | "flow-ended" | "in-flow";

export type CadenceStep = {
  readonly state: CadenceState;
  /** Red tests the run of this week publishes for the next week (the test week), if any. */
  readonly redTestsNextWeek: {
    readonly reason: RedTestReason;
    readonly limitToSites: readonly string[] | null;
  } | null;
  readonly event: CadenceEvent;
};

/**
 * Advances one municipality's cadence by the effective status classified on the Wednesday of
 * `week`. The run of `week` publishes the rota for `week + 1`, so this returns the red tests of
 * that next week:
 * - green → red at W starts a flow; W+1 is week 0, so nothing yet;
 * - at W = start + 1 the week-1 tests (W+1 = start + 2) follow from the start alone: they go
 *   ahead even if the municipality is green again in week 0;
 * - at odd weeks from the start (3, 5, …) the municipality is checked: still red → retest the
 *   next week; green → the flow ends and the 6-week cycle carries on;
 * - a municipality already in a red flow never starts a new one.
 */
export function stepCadence(
  previous: CadenceState,
  week: IsoWeek,
  status: Status,
  limitToSites: readonly string[] | null,
): CadenceStep {
  if (previous.phase === "green") {
    if (status === "red") {
      return {
        state: { phase: "red-flow", flowStart: week, limitToSites },
        redTestsNextWeek: null,
        event: "flow-started",
      };
    }
    return { state: GREEN, redTestsNextWeek: null, event: "none" };
  }
  const sinceStart = weeksBetween(previous.flowStart, week);
  if (sinceStart === 1) {
    return {
      state: previous,
      redTestsNextWeek: { reason: "red-week-1", limitToSites: previous.limitToSites },
      event: "week-1-next",
    };
  }
  if (sinceStart >= 3 && sinceStart % 2 === 1) {
    if (status === "green") return { state: GREEN, redTestsNextWeek: null, event: "flow-ended" };
    // A check that finds it still red may carry a new site limit (or lift one).
    const state: CadenceState = { phase: "red-flow", flowStart: previous.flowStart, limitToSites };
    return { state, redTestsNextWeek: { reason: "red-retest", limitToSites }, event: "retest-next" };
  }
  return { state: previous, redTestsNextWeek: null, event: "in-flow" };
}
