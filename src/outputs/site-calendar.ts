import ical, { ICalCalendarMethod } from "ical-generator";
import type { Shift } from "../domain/roster.ts";
import { sessionInstants, type ShiftHours } from "../domain/shift-hours.ts";
import { formatShift, labelsFor } from "./document-labels.ts";
import type { SiteSheetInput } from "./site-sheet-pdf.ts";

/** Session instants by date, shift, window and zone: a week has 21 of them, asked for per site. */
const instants = new Map<string, { readonly startMs: number; readonly endMs: number }>();

function cachedSessionInstants(
  date: string,
  shift: Shift,
  hours: ShiftHours,
  zone: string,
): { readonly startMs: number; readonly endMs: number } {
  const key = `${date} ${shift} ${hours[shift].start} ${hours[shift].end} ${zone}`;
  let value = instants.get(key);
  if (value === undefined) {
    value = sessionInstants(date, shift, hours, zone);
    instants.set(key, value);
  }
  return value;
}

/**
 * The stable UID of a session's event: the same site, date and shift give the same UID in every
 * run, so a calendar imported again after a re-published week updates its events instead of
 * adding them twice.
 */
export function sessionUid(siteId: string, date: string, shift: string): string {
  return `${encodeURIComponent(siteId)}-${date}-${shift}@testrota`;
}

/**
 * `sites/<site>.ics`: one event per session of the site in the test week, from the shift's start
 * to its end (local times in the configured zone, written as UTC instants, so no time zone
 * definition is needed and DST changes come out right). The summary gives the number of tests,
 * never names: a calendar is easily shared. DTSTAMP is the run's `generatedAt` (byte-identical
 * reruns).
 */
export function renderSiteCalendar(input: SiteSheetInput): Uint8Array {
  const labels = labelsFor(input.settings.language);
  const da = labels.language === "da";
  const { site, municipality, frame, settings } = input;
  const stamp = new Date(settings.generatedAt);
  const calendar = ical({
    name: da
      ? `Test ${site.siteName} (${site.siteId}) – ${frame.testWeek}`
      : `Tests ${site.siteName} (${site.siteId}) – ${frame.testWeek}`,
    prodId: { company: "testrota", product: "site calendar", language: labels.language.toUpperCase() },
    method: ICalCalendarMethod.PUBLISH,
    x: { "X-WR-TIMEZONE": settings.timezone },
  });
  for (const session of site.sessions) {
    const { startMs, endMs } = cachedSessionInstants(
      session.date,
      session.shift,
      settings.shiftHours,
      settings.timezone,
    );
    const count = labels.tests(session.people.length);
    const shift = formatShift(session.shift, settings.shiftHours, labels);
    calendar.createEvent({
      id: sessionUid(site.siteId, session.date, session.shift),
      stamp,
      start: new Date(startMs),
      end: new Date(endMs),
      summary: da ? `Covid-19-test: ${count} (${shift})` : `COVID-19 tests: ${count} (${shift})`,
      location: `${site.siteName}, ${site.address}`,
      description: da
        ? `${count} på ${site.siteName}, ${municipality.name} Kommune, ${labels.testWeek(frame.testWeekNumber)} (${frame.testWeek}). Navnelisten står i arbejdsstedets PDF (sites/${site.fileStem}.pdf) og i rota.xlsx.`
        : `${count} at ${site.siteName}, ${municipality.name}, ${labels.testWeek(frame.testWeekNumber)} (${frame.testWeek}). The list of names is in the site's PDF (sites/${site.fileStem}.pdf) and in rota.xlsx.`,
      sequence: 0,
    });
  }
  return new TextEncoder().encode(calendar.toString());
}
