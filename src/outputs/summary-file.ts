import type { AttendanceReport } from "../domain/attendance-report.ts";
import type { DateWindow } from "../domain/calendar.ts";
import { attendanceJsonOf } from "./attendance-summary.ts";
import type { DeferralReport, RegionQuality, SlotChanges } from "../domain/plan-types.ts";

/** Keys that would carry staff data; summaries hold counts and municipality figures only. */
const STAFF_KEYS = new Set(["employeeid", "employee_id", "staff", "staffname", "staff_name", "members"]);

/** What `summary.json` reports about a run (counts and municipality figures, no staff data). */
export type SummaryInput = {
  readonly week: string;
  readonly testWeek: string;
  /** The week's scheduled run time, ISO with offset (not the clock: byte-identical reruns). */
  readonly generatedAt: string;
  readonly source: { readonly name: string; readonly lastDate: string | null };
  /** The configured classification window of the week. */
  readonly window: DateWindow;
  readonly cadenceOrigin: string;
  readonly counts: Readonly<Record<string, unknown>>;
  readonly redFlow: readonly unknown[];
  readonly planChanges: SlotChanges;
  readonly lookahead: { readonly testWeek: string; readonly tests: number; readonly deferred: number };
  readonly deferrals: readonly DeferralReport[];
  readonly quality: readonly RegionQuality[];
  readonly inputs: { readonly digest: string; readonly roster: string };
  /** Uptake, owed tests and the gap from the last taken test; only once attendance is returned. */
  readonly attendance?: AttendanceReport | undefined;
};

/**
 * The `summary.json` object: snake_case keys in their published order (the order is part of the
 * file's bytes, so reruns stay byte-identical).
 */
export function summaryJsonOf(input: SummaryInput): Record<string, unknown> {
  return {
    week: input.week,
    test_week: input.testWeek,
    generated_at: input.generatedAt,
    source: { name: input.source.name, data_last_date: input.source.lastDate, window: input.window },
    cadence_origin: input.cadenceOrigin,
    counts: input.counts,
    red_flow: input.redFlow,
    plan_changes: input.planChanges,
    lookahead: {
      test_week: input.lookahead.testWeek,
      provisional: true,
      tests: input.lookahead.tests,
      deferred: input.lookahead.deferred,
    },
    deferrals: input.deferrals,
    quality: input.quality,
    inputs: { digest: input.inputs.digest, roster: input.inputs.roster },
    ...(input.attendance === undefined ? {} : { attendance: attendanceJsonOf(input.attendance) }),
  };
}

function assertNoStaffKeys(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertNoStaffKeys(item, `${path}[${index}]`));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (STAFF_KEYS.has(key.toLowerCase())) {
        throw new Error(`summary: key ${path}.${key} would carry staff data; summaries hold counts only`);
      }
      assertNoStaffKeys(item, `${path}.${key}`);
    }
  }
}

/**
 * `summary.json`: the object as given (keys in their insertion order, so the caller fixes the
 * order), 2-space indent, trailing newline. Refuses keys that carry staff ids or names.
 */
export function renderSummaryJson(summary: unknown): Uint8Array {
  assertNoStaffKeys(summary, "$");
  return new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`);
}
