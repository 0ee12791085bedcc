import { addDays, type IsoDate } from "./calendar.ts";
import type { Pickup } from "./plan-types.ts";

/** A site's test sessions in the test week: samples per test date. */
export type SiteWeekSessions = {
  readonly regionCode: number;
  readonly municipalityCode: number;
  readonly siteId: string;
  /** One entry per test date with at least one test, dates ascending. */
  readonly sessions: readonly { readonly date: IsoDate; readonly samples: number }[];
};

/** The region's pickup settings (from config). */
export type PickupSettings = {
  readonly pickupTime: string;
  /** Days after the test date the samples are collected (1 = next morning). */
  readonly pickupDayOffset: number;
};

/**
 * The pickups of one site in the test week: one per test date, `pickupDayOffset` days later.
 * Kits rule: the driver who collects the samples brings the kits for the site's next session
 * that can still use them, i.e. its next test date in the same test week that is after the test
 * date and on or after the pickup date (as many kits as tests planned then). After the site's
 * last session of the week the driver replaces what was used, one kit per sample taken.
 * `dateAfter` adds days to a date (defaults to the calendar's; callers may pass a cached one).
 */
export function planSitePickups(
  site: SiteWeekSessions,
  settings: PickupSettings,
  dateAfter: (date: IsoDate, days: number) => IsoDate = addDays,
): Pickup[] {
  return site.sessions.map((session) => {
    const pickupDate = dateAfter(session.date, settings.pickupDayOffset);
    const next = site.sessions.find((later) => later.date > session.date && later.date >= pickupDate);
    return {
      regionCode: site.regionCode,
      municipalityCode: site.municipalityCode,
      siteId: site.siteId,
      testDate: session.date,
      pickupDate,
      pickupTime: settings.pickupTime,
      samples: session.samples,
      kitsToDeliver: next === undefined ? session.samples : next.samples,
    };
  });
}
