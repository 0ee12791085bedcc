/**
 * Where a run spends its time, phase by phase (load, fetch, classify, plan, look-ahead, each
 * document family, store, publish). The figures are wall-clock seconds of this process and differ
 * from run to run, so they never go into a published file (byte-identical reruns): they go to one
 * log line per run, the worker's `testrota_run_phase_seconds` histogram and
 * `testrota run --timings FILE`.
 */

/** One phase's share of a run. */
export type PhaseTiming = { readonly phase: string; readonly seconds: number };

export type PhaseTimer = {
  /**
   * Runs `work` as `phase`. Phases nest: the time of an inner phase counts for the inner phase
   * only (exclusive time), so the phases add up to the time measured.
   */
  measure<T>(phase: string, work: () => Promise<T>): Promise<T>;
  measureSync<T>(phase: string, work: () => T): T;
  /** From now on the innermost open phase is `phase` (steps of one call, e.g. plan → look-ahead). */
  mark(phase: string): void;
  /** The phases so far, each once, in the order first entered. */
  phases(): PhaseTiming[];
};

/** A monotonic clock in milliseconds (`performance.now`; a fake in tests). */
export type MonotonicClock = () => number;

/** A timer that credits every moment to the innermost phase open at that moment. */
export function createPhaseTimer(now: MonotonicClock = () => performance.now()): PhaseTimer {
  const totals = new Map<string, number>();
  const open: string[] = [];
  let since = now();

  /** Credits the time since the last switch to the phase that was innermost during it. */
  function settle(): void {
    const at = now();
    const current = open.at(-1);
    if (current !== undefined) totals.set(current, (totals.get(current) ?? 0) + (at - since));
    since = at;
  }

  function enter(phase: string): number {
    settle();
    if (!totals.has(phase)) totals.set(phase, 0);
    open.push(phase);
    return open.length - 1;
  }

  /** Closes the phase opened at `depth` and any still open inside it. */
  function leave(depth: number): void {
    settle();
    open.length = depth;
  }

  return {
    async measure(phase, work) {
      const depth = enter(phase);
      try {
        return await work();
      } finally {
        leave(depth);
      }
    },
    measureSync(phase, work) {
      const depth = enter(phase);
      try {
        return work();
      } finally {
        leave(depth);
      }
    },
    mark(phase) {
      settle();
      if (!totals.has(phase)) totals.set(phase, 0);
      if (open.length === 0) open.push(phase);
      else open[open.length - 1] = phase;
    },
    phases() {
      return [...totals].map(([phase, ms]) => ({ phase, seconds: ms / 1000 }));
    },
  };
}

/** A timer that measures nothing (callers that do not ask for timings). */
export const noPhaseTimer: PhaseTimer = {
  measure: (_phase, work) => work(),
  measureSync: (_phase, work) => work(),
  mark: () => undefined,
  phases: () => [],
};

/** The sum of the phases, in seconds. */
export function totalSeconds(phases: readonly PhaseTiming[]): number {
  return phases.reduce((sum, p) => sum + p.seconds, 0);
}

/** The phases as one flat object (a log line, a JSON file), seconds to the millisecond. */
export function phaseRecord(phases: readonly PhaseTiming[]): Record<string, number> {
  return Object.fromEntries(phases.map(({ phase, seconds }) => [phase, Math.round(seconds * 1000) / 1000]));
}
