import type { DeferralReport, DeferredTest, PlanInput } from "./plan-types.ts";
import type { SiteKind } from "./roster.ts";
import { compareDeferralReports } from "./test-priority.ts";

/** A test the week could not take, with what its report line needs. */
export type DeferredEntry = {
  readonly test: DeferredTest;
  readonly regionCode: number;
  readonly siteKind: SiteKind;
  /** The deferral breaks the 6-week gap (its limit falls in or before the test week). */
  readonly violation: boolean;
};

/**
 * Deferred tests per municipality, site kind and reason, with their counts and gap violations,
 * in priority order (see `compareDeferralReports`): nothing is deferred silently.
 */
export function reportDeferrals(
  entries: readonly DeferredEntry[],
  statusByCode: PlanInput["statusByCode"],
): DeferralReport[] {
  const byKey = new Map<string, { report: DeferralReport; count: number; violations: number }>();
  for (const entry of entries) {
    const test = entry.test;
    const key = `${test.municipalityCode}|${entry.siteKind}|${test.reason}`;
    let group = byKey.get(key);
    if (group === undefined) {
      group = {
        report: {
          municipalityCode: test.municipalityCode,
          regionCode: entry.regionCode,
          siteKind: entry.siteKind,
          reason: test.reason,
          count: 0,
          gapViolations: 0,
        },
        count: 0,
        violations: 0,
      };
      byKey.set(key, group);
    }
    group.count += 1;
    if (entry.violation) group.violations += 1;
  }
  return [...byKey.values()]
    .map((group) => ({ ...group.report, count: group.count, gapViolations: group.violations }))
    .sort(compareDeferralReports((code) => statusByCode.get(code)));
}
