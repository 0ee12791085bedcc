import type { AssembledWeek } from "../domain/assemble-week.ts";
import type { AttendanceReport } from "../domain/attendance-report.ts";
import type { CadenceEvent } from "../domain/cadence.ts";
import { formatIsoWeek } from "../domain/calendar.ts";
import type { DeferralReport, RegionQuality, SlotChanges } from "../domain/plan-types.ts";

/**
 * What one run decided, without staff data: printed by the CLI, logged, written as
 * `summary.json` and kept in the run ledger.
 */
export type RunReport = {
  readonly week: string;
  readonly testWeek: string;
  readonly runId: string;
  readonly trigger: string;
  readonly generatedAt: string;
  readonly outputDir: string;
  /** False when the published folder already held byte-identical files. */
  readonly changed: boolean;
  readonly source: {
    readonly name: string;
    readonly lastDate: string | null;
    readonly window: { start: string; end: string };
  };
  readonly cadenceOrigin: string;
  readonly counts: {
    readonly municipalities: number;
    readonly red: number;
    readonly green: number;
    readonly overridden: number;
    readonly staffCount: number;
    readonly tests: number;
    readonly testsByReason: Readonly<Record<string, number>>;
    readonly deferred: number;
    readonly gapViolations: number;
  };
  readonly redFlow: readonly { readonly code: number; readonly name: string; readonly event: CadenceEvent }[];
  /** The provisional rota of the week after the test week (`lookahead/`). */
  readonly lookahead: { readonly testWeek: string; readonly tests: number };
  /** What the roster changed in the cycle slots since the previous run (stability). */
  readonly planChanges: SlotChanges;
  readonly deferrals: readonly DeferralReport[];
  readonly quality: readonly RegionQuality[];
  /** Uptake, owed tests and the gap from the last taken test; only once attendance is returned. */
  readonly attendance?: AttendanceReport | undefined;
};

/** What the week decided: the report without the run's identity and its published folder. */
export type WeekOutcome = Omit<RunReport, "runId" | "trigger" | "generatedAt" | "outputDir" | "changed">;

/** The run's identity and where its files went, known once the week is published. */
export type RunIdentity = {
  readonly runId: string;
  readonly trigger: string;
  readonly generatedAt: string;
  readonly outputDir: string;
  readonly changed: boolean;
};

/** Tests deferred, summed over the deferral reports. */
export function countDeferred(deferrals: readonly DeferralReport[]): number {
  return deferrals.reduce((sum, d) => sum + d.count, 0);
}

function describeOrigin(origin: AssembledWeek["cadenceOrigin"]): string {
  if (origin.kind === "store") return `store (after ${formatIsoWeek(origin.week)})`;
  if (origin.kind === "warm-up") return `warm-up from the data (${origin.weeks.length} weeks)`;
  return "fresh (all green)";
}

/** Counts and decisions of an assembled week (no staff data). */
export function describeWeek(input: {
  readonly assembled: AssembledWeek;
  readonly sourceName: string;
  readonly lastDate: string | null;
  readonly staffCount: number;
}): WeekOutcome {
  const { assembled } = input;
  const { classifications, plan } = assembled;
  const testsByReason: Record<string, number> = {
    cycle: 0,
    "new-starter": 0,
    "red-week-1": 0,
    "red-retest": 0,
    "make-up": 0,
  };
  for (const test of plan.tests) testsByReason[test.reason] = (testsByReason[test.reason] ?? 0) + 1;
  const first = classifications[0];
  return {
    week: formatIsoWeek(assembled.week),
    testWeek: formatIsoWeek(assembled.testWeek),
    source: {
      name: input.sourceName,
      lastDate: input.lastDate,
      window: { start: first?.window.start ?? "", end: first?.window.end ?? "" },
    },
    cadenceOrigin: describeOrigin(assembled.cadenceOrigin),
    counts: {
      municipalities: classifications.length,
      red: classifications.filter((c) => c.status === "red").length,
      green: classifications.filter((c) => c.status === "green").length,
      overridden: classifications.filter((c) => c.overrideId !== null).length,
      staffCount: input.staffCount,
      tests: plan.tests.length,
      testsByReason,
      deferred: countDeferred(plan.deferrals),
      gapViolations: plan.deferrals.reduce((sum, d) => sum + d.gapViolations, 0),
    },
    redFlow: classifications
      .map((c) => ({ code: c.code, name: c.name, event: assembled.events.get(c.code) ?? "none" }))
      .filter((f) => f.event !== "none"),
    lookahead: {
      testWeek: formatIsoWeek(assembled.lookahead.testWeek),
      tests: assembled.lookahead.tests.length,
    },
    planChanges: plan.changes,
    deferrals: plan.deferrals,
    quality: plan.quality,
    ...(assembled.attendance === undefined ? {} : { attendance: assembled.attendance }),
  };
}

/** The run report, built once the week is published (keys in the order `--json` prints them). */
export function createRunReport(outcome: WeekOutcome, run: RunIdentity): RunReport {
  const { week, testWeek, ...decided } = outcome;
  return {
    week,
    testWeek,
    runId: run.runId,
    trigger: run.trigger,
    generatedAt: run.generatedAt,
    outputDir: run.outputDir,
    changed: run.changed,
    ...decided,
  };
}

function ratio(value: number): string {
  return value.toFixed(3);
}

/** A short human summary: week, red/green, tests planned, where the files are. */
export function formatRunSummary(report: RunReport): string {
  const c = report.counts;
  const reasons = Object.entries(c.testsByReason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  const flows = report.redFlow.filter((f) => f.event !== "none" && f.event !== "in-flow");
  const lines = [
    `testrota ${report.week}: classified ${c.municipalities} municipalities (window ${report.source.window.start}…${report.source.window.end}): ${c.red} red, ${c.green} green${c.overridden > 0 ? `, ${c.overridden} under an override` : ""}`,
    `  rota for ${report.testWeek}: ${c.tests} tests for ${c.staffCount} staff (${reasons || "none"}), ${c.deferred} deferred, ${c.gapViolations} gap violations`,
  ];
  const EVENT_TEXT: Partial<Record<CadenceEvent, string>> = {
    "flow-started": "turned red (week −1)",
    "week-1-next": "all staff tested next week (week 1)",
    "retest-next": "still red at the check: retest next week",
    "flow-ended": "green at the check: back to the 6-week cycle",
  };
  for (const [event, text] of Object.entries(EVENT_TEXT)) {
    const names = flows.filter((f) => f.event === event).map((f) => f.name);
    if (names.length === 0) continue;
    const shown = names.slice(0, 5).join(", ");
    lines.push(
      `  ${text}: ${names.length} (${shown}${names.length > 5 ? `, +${names.length - 5} more` : ""})`,
    );
  }
  lines.push(
    `  provisional look-ahead for ${report.lookahead.testWeek}: ${report.lookahead.tests} tests (lookahead/; retests follow next week's check)`,
  );
  const ch = report.planChanges;
  lines.push(
    `  cycle slots: ${ch.kept} kept, ${ch.added} added, ${ch.removed} removed, ${ch.moved} moved${ch.skippedRows > 0 ? `, ${ch.skippedRows} roster rows not planned` : ""}`,
  );
  const worst = report.quality.reduce(
    (acc, q) => ({
      cycle: Math.max(acc.cycle, q.cyclePeakRatio),
      red: Math.max(acc.red, q.redWeekPeakRatio),
    }),
    { cycle: 0, red: 0 },
  );
  if (report.quality.length > 0) {
    lines.push(
      `  evenness (peak ÷ even share, worst region): cycle ${ratio(worst.cycle)}, red weeks ${ratio(worst.red)}`,
    );
  }
  const attendance = report.attendance;
  if (attendance !== undefined) {
    const u = attendance.uptake.total;
    const o = attendance.owed;
    const g = attendance.gap;
    lines.push(
      `  attendance of ${formatIsoWeek(attendance.settledWeek)} (${attendance.trackedMunicipalities} municipalities returning): ${u.taken} taken, ${u.declined} declined, ${u.absent} absent, ${u.notReported} not reported of ${u.planned}`,
      `  owed tests carried forward: ${o.makeUp + o.covered + o.deferred} (${o.makeUp} make-up, ${o.covered} by a cycle or red test, ${o.deferred} deferred); past 6 weeks since the last taken test on ${attendance.asOf}: ${g.over6Weeks - g.declined} (+${g.declined} who declined)`,
    );
  }
  lines.push(
    `  files: ${report.outputDir}${report.changed ? "" : " (unchanged: identical to the published week)"}`,
  );
  return lines.join("\n");
}
