import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { formatIsoWeek } from "../domain/calendar.ts";
import type { PhaseTiming } from "../lib/phase-timer.ts";
import type { AttendanceSummary, RunOutcome } from "./worker-types.ts";

/*
 * Prometheus metrics of the worker, on a registry of its own (nothing is registered on
 * prom-client's global registry, nothing happens on import).
 */

export type WorkerMetrics = {
  readonly registry: Registry;
  readonly runsTotal: Counter<"outcome">;
  readonly runDuration: Histogram;
  /** Seconds of each phase of a run (load, fetch, classify, plan, …, store, publish). */
  readonly runPhases: Histogram<"phase">;
  readonly lastSuccess: Gauge<"week">;
  readonly fetchAttempts: Counter;
  readonly fetchFailures: Counter;
  readonly municipalities: Gauge<"status">;
  readonly testsPlanned: Gauge;
  readonly testsDeferred: Gauge;
  readonly rostersIsolated: Gauge;
  /** Notifications (mail, webhook) delivered, failed attempts, given up, and still pending. */
  readonly notificationsSent: Counter<"channel">;
  readonly notificationsFailed: Counter<"channel">;
  readonly notificationsAbandoned: Counter<"channel">;
  readonly notificationsPending: Gauge<"channel">;
  /** Tests of the settled test week by what came back (taken, declined, absent, not_reported). */
  readonly attendanceTests: Gauge<"outcome">;
  /** Owed tests carried forward (`state`: planned this week, deferred). */
  readonly testsOwed: Gauge<"state">;
  /** Staff past 6 weeks since their last taken test (`declined`: "true" for those who declined). */
  readonly staffOver6Weeks: Gauge<"declined">;
  /** Weeks that currently have a last-success series, oldest first. */
  readonly successWeeks: string[];
  readonly keepWeeks: number;
};

export type MetricsOptions = {
  /** Process metrics (CPU, memory, event loop, GC); on by default. */
  readonly defaultMetrics?: boolean | undefined;
  /** How many weeks keep a `testrota_last_success_timestamp_seconds` series (default 4). */
  readonly keepWeeks?: number | undefined;
};

/** A fresh registry with the worker's metrics (and, by default, Node's process metrics). */
export function createMetrics(options: MetricsOptions = {}): WorkerMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    runsTotal: new Counter({
      name: "testrota_runs_total",
      help: "Week runs by outcome (succeeded, failed, aborted, skipped).",
      labelNames: ["outcome"],
      registers,
    }),
    runDuration: new Histogram({
      name: "testrota_run_duration_seconds",
      help: "Duration of week runs.",
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    runPhases: new Histogram({
      name: "testrota_run_phase_seconds",
      help: "Seconds each phase of a week run took (load, fetch, classify, plan, lookahead, files, workbook, site-sheet, site-calendar, routes, publish, store, prune).",
      labelNames: ["phase"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    lastSuccess: new Gauge({
      name: "testrota_last_success_timestamp_seconds",
      help: "When the week's run last succeeded (Unix time), for the latest few weeks.",
      labelNames: ["week"],
      registers,
    }),
    fetchAttempts: new Counter({
      name: "testrota_fetch_attempts_total",
      help: "Fetches of the incidence source, one per run attempt (retries inside a fetch are not counted).",
      registers,
    }),
    fetchFailures: new Counter({
      name: "testrota_fetch_failures_total",
      help: "Fetches of the incidence source that failed (after their retries).",
      registers,
    }),
    municipalities: new Gauge({
      name: "testrota_municipalities",
      help: "Municipalities by effective status in the last successful run.",
      labelNames: ["status"],
      registers,
    }),
    testsPlanned: new Gauge({
      name: "testrota_tests_planned",
      help: "Tests planned by the last successful run.",
      registers,
    }),
    testsDeferred: new Gauge({
      name: "testrota_tests_deferred",
      help: "Tests deferred for lack of capacity by the last successful run.",
      registers,
    }),
    rostersIsolated: new Gauge({
      name: "testrota_rosters_isolated",
      help: "Municipalities whose roster file was missing or bad in the last successful run (planned from their last good roster, or without a rota).",
      registers,
    }),
    notificationsSent: new Counter({
      name: "testrota_notifications_sent_total",
      help: "Notifications of published weeks delivered, by channel (mail, webhook).",
      labelNames: ["channel"],
      registers,
    }),
    notificationsFailed: new Counter({
      name: "testrota_notifications_failed_total",
      help: "Delivery attempts of notifications that failed (each is retried with backoff), by channel.",
      labelNames: ["channel"],
      registers,
    }),
    notificationsAbandoned: new Counter({
      name: "testrota_notifications_abandoned_total",
      help: "Notifications given up after notifications.maxAttempts failed attempts, by channel.",
      labelNames: ["channel"],
      registers,
    }),
    notificationsPending: new Gauge({
      name: "testrota_notifications_pending",
      help: "Notifications waiting in the outbox (first attempt or retry), by channel.",
      labelNames: ["channel"],
      registers,
    }),
    attendanceTests: new Gauge({
      name: "testrota_attendance_tests",
      help: "Tests of the last settled test week by outcome returned (taken, declined, absent, not_reported), last successful run.",
      labelNames: ["outcome"],
      registers,
    }),
    testsOwed: new Gauge({
      name: "testrota_tests_owed",
      help: "Owed tests (missed: absent or not reported) carried forward by the last successful run, planned or deferred.",
      labelNames: ["state"],
      registers,
    }),
    staffOver6Weeks: new Gauge({
      name: "testrota_staff_over_6_weeks",
      help: "Staff past 6 weeks since their last taken test (attendance returned), those who declined apart.",
      labelNames: ["declined"],
      registers,
    }),
    successWeeks: [],
    keepWeeks: Math.max(1, options.keepWeeks ?? 4),
  };
}

/** Records one run: outcome count and duration; on success the week's timestamp and counts. */
export function recordRunOutcome(metrics: WorkerMetrics, outcome: RunOutcome, finishedAtMs: number): void {
  metrics.runsTotal.inc({ outcome: outcome.status });
  if (outcome.status === "skipped") return;
  metrics.runDuration.observe(outcome.durationMs / 1000);
  observePhases(metrics, outcome.phases ?? []);
  if (outcome.status !== "succeeded") return;
  const week = formatIsoWeek(outcome.week);
  metrics.lastSuccess.set({ week }, finishedAtMs / 1000);
  const weeks = metrics.successWeeks;
  if (!weeks.includes(week)) {
    weeks.push(week);
    weeks.sort();
  }
  // Keep the series count bounded: one label value per week would grow forever.
  while (weeks.length > metrics.keepWeeks) {
    const oldest = weeks.shift();
    if (oldest !== undefined) metrics.lastSuccess.remove({ week: oldest });
  }
  if (outcome.summary !== undefined) {
    metrics.municipalities.set({ status: "red" }, outcome.summary.red);
    metrics.municipalities.set({ status: "green" }, outcome.summary.green);
    metrics.testsPlanned.set(outcome.summary.tests);
    metrics.testsDeferred.set(outcome.summary.deferred);
    metrics.rostersIsolated.set(outcome.summary.rostersIsolated ?? 0);
    recordAttendance(metrics, outcome.summary.attendance);
  }
}

/** The attendance gauges; a run without attendance leaves them unset (no series). */
function recordAttendance(metrics: WorkerMetrics, attendance: AttendanceSummary | undefined): void {
  if (attendance === undefined) return;
  metrics.attendanceTests.set({ outcome: "taken" }, attendance.taken);
  metrics.attendanceTests.set({ outcome: "declined" }, attendance.declined);
  metrics.attendanceTests.set({ outcome: "absent" }, attendance.absent);
  metrics.attendanceTests.set({ outcome: "not_reported" }, attendance.notReported);
  metrics.testsOwed.set({ state: "planned" }, attendance.owed - attendance.owedDeferred);
  metrics.testsOwed.set({ state: "deferred" }, attendance.owedDeferred);
  metrics.staffOver6Weeks.set({ declined: "false" }, attendance.over6Weeks);
  metrics.staffOver6Weeks.set({ declined: "true" }, attendance.over6WeeksDeclined);
}

/** Records the phases of one run (failed runs too: where the time went before the failure). */
export function observePhases(metrics: WorkerMetrics, phases: readonly PhaseTiming[]): void {
  for (const { phase, seconds } of phases) metrics.runPhases.observe({ phase }, seconds);
}

/** Counts one fetch of the incidence source (a run's whole fetch, retries included). */
export function recordFetchAttempt(metrics: WorkerMetrics, failed: boolean): void {
  metrics.fetchAttempts.inc();
  if (failed) metrics.fetchFailures.inc();
}
