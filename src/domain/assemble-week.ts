import { reportAttendance, type AttendanceReport } from "./attendance-report.ts";
import { reviewAttendance, type AttendanceHistory } from "./attendance.ts";
import {
  addWeeks,
  classificationWindow,
  formatIsoWeek,
  type IsoWeek,
  type WindowOffsets,
} from "./calendar.ts";
import { GREEN, stepCadence, type CadenceEvent, type CadenceState } from "./cadence.ts";
import { classifyWeek, type Classification, type Override } from "./classify.ts";
import { observeWindow, type IncidenceDataset } from "./incidence.ts";
import type {
  CycleSlot,
  DeferredTest,
  PlannedTest,
  RedTestOrder,
  RegionPlanSettings,
  WeekPlan,
} from "./plan-types.ts";
import { planWeek, planWeekAndRoster } from "./planner.ts";
import type { Municipality } from "./reference.ts";
import type { Site, StaffMember } from "./roster.ts";

export type AssembleInput = {
  /** The classification week W; the plan is for W+1. */
  readonly week: IsoWeek;
  readonly dataset: IncidenceDataset;
  readonly municipalities: readonly Municipality[];
  readonly thresholdPer100k: number;
  readonly windowOffsets: WindowOffsets;
  readonly overrides: readonly Override[];
  /** Cadence after W−1, when the store has that week. */
  readonly previousCadence: ReadonlyMap<number, CadenceState> | undefined;
  /** Weeks of history to classify from the same data when no state for W−1 exists. */
  readonly warmUpWeeks: number;
  readonly regions: readonly RegionPlanSettings[];
  readonly cycleAnchor: IsoWeek;
  readonly sites: readonly Site[];
  readonly staff: readonly StaffMember[];
  readonly previousSlots: ReadonlyMap<string, CycleSlot>;
  readonly carriedOver: readonly DeferredTest[];
  /** The tests of week W (planned by the run of W−1): their late pickup runs join W+1's routes. */
  readonly previousTests?: readonly PlannedTest[] | undefined;
  /** Told as the work moves on: classify, plan, look-ahead (the caller times its phases). */
  readonly onStep?: ((step: "classify" | "plan" | "lookahead") => void) | undefined;
  /**
   * Attendance returned for the weeks before (see `reviewAttendance`): missed tests are made up.
   * None: every planned test counts as done (the planner's assumption before attendance).
   */
  readonly attendance?: { readonly history: AttendanceHistory; readonly graceWeeks: number } | undefined;
};

export type CadenceOrigin =
  | { readonly kind: "store"; readonly week: IsoWeek }
  | { readonly kind: "warm-up"; readonly weeks: readonly IsoWeek[] }
  | { readonly kind: "fresh" };

export type AssembledWeek = {
  readonly week: IsoWeek;
  readonly testWeek: IsoWeek;
  readonly classifications: readonly Classification[];
  readonly cadence: ReadonlyMap<number, CadenceState>;
  readonly events: ReadonlyMap<number, CadenceEvent>;
  readonly cadenceOrigin: CadenceOrigin;
  readonly redOrders: readonly RedTestOrder[];
  readonly plan: WeekPlan;
  /**
   * Provisional plan of W+2 (`lookahead/`): its green cycle share, carried-over tests and the
   * week-1 tests of flows that started in W, which follow from W's classification alone.
   * Retests of W+2 depend on the check of W+1 and are not in it; the run of W+1 publishes the
   * final rota of W+2. Its `slots` are empty when the plan skipped no roster row (nobody keeps
   * them: the run of W+1 plans from the plan's slots).
   */
  readonly lookahead: WeekPlan;
  /** Uptake, owed tests and the gap from the last taken test; only when attendance was given. */
  readonly attendance?: AttendanceReport | undefined;
};

export type AssembleResult =
  { readonly ok: true; readonly week: AssembledWeek } | { readonly ok: false; readonly problem: string };

type Stepped = {
  readonly states: Map<number, CadenceState>;
  readonly events: Map<number, CadenceEvent>;
  readonly redOrders: RedTestOrder[];
};

/** A municipality's effective status in a week, as the cadence reads it. */
type StatusOf = Pick<Classification, "code" | "status" | "limitToSites">;

/** Advances every municipality's cadence by its status in `week` (see `stepCadence`). */
function stepAll(
  states: ReadonlyMap<number, CadenceState>,
  week: IsoWeek,
  classifications: readonly StatusOf[],
): Stepped {
  const next = new Map<number, CadenceState>();
  const events = new Map<number, CadenceEvent>();
  const redOrders: RedTestOrder[] = [];
  for (const c of classifications) {
    const step = stepCadence(states.get(c.code) ?? GREEN, week, c.status, c.limitToSites);
    next.set(c.code, step.state);
    events.set(c.code, step.event);
    if (step.redTestsNextWeek !== null) {
      redOrders.push({
        municipalityCode: c.code,
        reason: step.redTestsNextWeek.reason,
        limitToSites: step.redTestsNextWeek.limitToSites,
      });
    }
  }
  return { states: next, events, redOrders };
}

function classifyAt(
  input: AssembleInput,
  week: IsoWeek,
): { ok: true; value: Classification[] } | { ok: false; problem: string } {
  const window = classificationWindow(week, input.windowOffsets);
  const observed = observeWindow(input.dataset, window, input.municipalities);
  if (!observed.ok) return { ok: false, problem: `week ${formatIsoWeek(week)}: ${observed.problem}` };
  return {
    ok: true,
    value: classifyWeek({
      week,
      observations: observed.observations,
      municipalities: input.municipalities,
      thresholdPer100k: input.thresholdPer100k,
      overrides: input.overrides,
    }),
  };
}

/**
 * Where the cadence of W starts from: the store's state after W−1 when there is one; otherwise
 * the same daily data is classified for up to `warmUpWeeks` earlier weeks (SSI's time series
 * carries its history), so a municipality that turned red in W−1 still gets its week-1 tests.
 * Pre-aggregated sources carry no history: every municipality then starts green.
 */
function startingCadence(input: AssembleInput): {
  states: ReadonlyMap<number, CadenceState>;
  origin: CadenceOrigin;
} {
  if (input.previousCadence !== undefined) {
    return { states: input.previousCadence, origin: { kind: "store", week: addWeeks(input.week, -1) } };
  }
  if (input.dataset.kind !== "daily" || input.warmUpWeeks === 0) {
    return { states: new Map(), origin: { kind: "fresh" } };
  }
  let states: ReadonlyMap<number, CadenceState> = new Map();
  const weeks: IsoWeek[] = [];
  for (let back = input.warmUpWeeks; back >= 1; back--) {
    const week = addWeeks(input.week, -back);
    const classified = classifyAt(input, week);
    // Weeks before the file's first day cannot be classified: the warm-up starts later.
    if (!classified.ok) continue;
    states = stepAll(states, week, classified.value).states;
    weeks.push(week);
  }
  return { states, origin: { kind: "warm-up", weeks } };
}

/**
 * The pure heart of a weekly run: classify W, advance every municipality's cadence, and plan
 * the rota of W+1 (green cycle share, week-1 tests of flows started in W−1, retests of
 * municipalities still red at W's check). No IO: the caller fetched and will publish.
 */
export function assembleWeek(input: AssembleInput): AssembleResult {
  input.onStep?.("classify");
  const classified = classifyAt(input, input.week);
  if (!classified.ok) return { ok: false, problem: classified.problem };
  const start = startingCadence(input);
  const stepped = stepAll(start.states, input.week, classified.value);
  const testWeek = addWeeks(input.week, 1);
  const statusByCode = new Map(
    classified.value.map((c) => [c.code, { status: c.status, incidence: c.incidence }]),
  );
  const frame = {
    cycleAnchor: input.cycleAnchor,
    regions: input.regions,
    municipalities: input.municipalities,
    sites: input.sites,
    staff: input.staff,
    statusByCode,
  };
  input.onStep?.("plan");
  const review =
    input.attendance === undefined
      ? undefined
      : reviewAttendance({ runWeek: input.week, ...input.attendance });
  // The plan hands its members to the look-ahead: the roster is read once for both weeks.
  const { plan, roster } = planWeekAndRoster({
    ...frame,
    testWeek,
    redOrders: stepped.redOrders,
    previousSlots: input.previousSlots,
    carriedOver: input.carriedOver,
    earlierTests: input.previousTests,
    missed: review?.missed,
  });
  // The look-ahead plans no make-ups: the misses of the test week are not known yet, and those of
  // earlier weeks are made up (or deferred, and so carried) by the plan itself.
  // The look-ahead's red tests are those W+1's run publishes even if every municipality is green
  // at its check: week 1 of the flows started in W. Retests wait for the check.
  input.onStep?.("lookahead");
  const allGreen = classified.value.map((c) => ({
    code: c.code,
    status: "green" as const,
    limitToSites: null,
  }));
  const lookahead = planWeek({
    ...frame,
    testWeek: addWeeks(input.week, 2),
    redOrders: stepAll(stepped.states, testWeek, allGreen).redOrders,
    previousSlots: plan.slots,
    sameRosterAs: roster,
    carriedOver: plan.deferred,
    earlierTests: plan.tests,
    // The look-ahead publishes a rota only: its pickups are planned next week, with routes.
    withRoutes: false,
    // Nobody keeps its slots; a plan that skipped no row has no identity twice in the roster.
    withSlots: plan.changes.skippedRows === 0 ? false : undefined,
  });
  return {
    ok: true,
    week: {
      week: input.week,
      testWeek,
      classifications: classified.value,
      cadence: stepped.states,
      events: stepped.events,
      cadenceOrigin: start.origin,
      redOrders: stepped.redOrders,
      plan,
      lookahead,
      attendance:
        review === undefined
          ? undefined
          : reportAttendance({ review, plan, staff: input.staff, sites: input.sites }),
    },
  };
}
