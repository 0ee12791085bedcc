import type { AttendanceReport, GapCounts, OwedCounts, UptakeCounts } from "../domain/attendance-report.ts";
import { formatIsoWeek } from "../domain/calendar.ts";

function uptakeJson(counts: UptakeCounts): Record<string, number> {
  return {
    planned: counts.planned,
    taken: counts.taken,
    declined: counts.declined,
    absent: counts.absent,
    not_reported: counts.notReported,
  };
}

function owedJson(counts: OwedCounts): Record<string, number> {
  return {
    missed: counts.missed,
    carried_forward: counts.makeUp + counts.covered + counts.deferred,
    make_up: counts.makeUp,
    covered_by_cycle_or_red: counts.covered,
    deferred: counts.deferred,
    waiting_for_cycle_slot: counts.waitingForSlot,
    left_roster: counts.gone,
  };
}

function gapJson(counts: GapCounts): Record<string, number> {
  return {
    assessed: counts.assessed,
    over_6_weeks: counts.over6Weeks,
    declined: counts.declined,
    missed: counts.missed,
    not_offered: counts.notOffered,
  };
}

/**
 * The `attendance` object of `summary.json` (counts only, snake_case, keys in a fixed order):
 * the uptake of the test week whose returns were due by this run, per municipality and site;
 * the missed tests and what this plan did with them (owed tests carried forward = make-up +
 * covered by a cycle or red test + deferred); and staff past 6 weeks since their last taken test,
 * those who declined apart — the gap figure that counts where attendance is returned.
 */
export function attendanceJsonOf(report: AttendanceReport): Record<string, unknown> {
  return {
    grace_weeks: report.graceWeeks,
    settled_week: formatIsoWeek(report.settledWeek),
    municipalities_returning: report.trackedMunicipalities,
    uptake: {
      test_week: formatIsoWeek(report.settledWeek),
      ...uptakeJson(report.uptake.total),
      municipalities: report.uptake.municipalities.map((m) => ({
        municipality_code: m.municipalityCode,
        returned: m.returned,
        ...uptakeJson(m),
        sites: m.sites.map((s) => ({ site_id: s.siteId, ...uptakeJson(s) })),
      })),
    },
    owed: {
      ...owedJson(report.owed),
      longest_days_since_taken_at_planned_test: report.owed.longestDaysSinceTakenAtTest,
      municipalities: report.owed.municipalities.map((m) => ({
        municipality_code: m.municipalityCode,
        ...owedJson(m),
      })),
    },
    gap: {
      as_of: report.asOf,
      ...gapJson(report.gap),
      max_days_over_limit: report.gap.maxDaysOverLimit,
      municipalities: report.gap.municipalities.map((m) => ({
        municipality_code: m.municipalityCode,
        ...gapJson(m),
      })),
    },
  };
}
