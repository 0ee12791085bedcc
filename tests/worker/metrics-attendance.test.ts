import { describe, expect, it } from "vitest";
import { createMetrics, recordRunOutcome } from "../../src/worker/metrics.ts";
import type { RunOutcome } from "../../src/worker/worker-types.ts";

const OUTCOME: RunOutcome = {
  week: { year: 2020, week: 42 },
  runId: "r1",
  status: "succeeded",
  durationMs: 1000,
  summary: { red: 3, green: 95, tests: 1200, deferred: 4 },
};

describe("attendance gauges on /metrics", () => {
  it("a run with attendance sets uptake, owed and staff past 6 weeks", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    recordRunOutcome(
      metrics,
      {
        ...OUTCOME,
        summary: {
          ...(OUTCOME.summary ?? { red: 0, green: 0, tests: 0, deferred: 0 }),
          attendance: {
            taken: 880,
            declined: 70,
            absent: 50,
            notReported: 12,
            owed: 62,
            owedDeferred: 5,
            over6Weeks: 40,
            over6WeeksDeclined: 66,
          },
        },
      },
      2_000_000,
    );
    const text = await metrics.registry.metrics();
    for (const line of [
      'testrota_attendance_tests{outcome="taken"} 880',
      'testrota_attendance_tests{outcome="declined"} 70',
      'testrota_attendance_tests{outcome="absent"} 50',
      'testrota_attendance_tests{outcome="not_reported"} 12',
      'testrota_tests_owed{state="planned"} 57',
      'testrota_tests_owed{state="deferred"} 5',
      'testrota_staff_over_6_weeks{declined="false"} 40',
      'testrota_staff_over_6_weeks{declined="true"} 66',
    ]) {
      expect(text).toContain(line);
    }
  });

  it("a run without attendance leaves them without series", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    recordRunOutcome(metrics, OUTCOME, 2_000_000);
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/testrota_attendance_tests\{/);
    expect(text).not.toMatch(/testrota_tests_owed\{/);
  });
});
