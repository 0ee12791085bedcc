import ICAL from "ical.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderSiteCalendar } from "../../src/outputs/site-calendar.ts";
import { groupSiteSessions, type SiteSessions } from "../../src/outputs/site-sessions.ts";
import type { SiteSheetInput } from "../../src/outputs/site-sheet-pdf.ts";
import type { RotaRow } from "../../src/outputs/rota-files.ts";
import type { WeekFrame } from "../../src/outputs/municipality-week.ts";
import { FRAME, ROWS, SITES, settings } from "./document-fixture.ts";

type ParsedEvent = {
  uid: string;
  summary: string;
  location: string;
  description: string;
  start: string;
  end: string;
  stamp: string;
};

function parseEvents(bytes: Uint8Array): { calendar: ICAL.Component; events: ParsedEvent[] } {
  const jcal = ICAL.parse(new TextDecoder().decode(bytes)) as unknown[];
  const calendar = new ICAL.Component(jcal);
  const events = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      location: event.location,
      description: event.description,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      stamp: String(component.getFirstPropertyValue("dtstamp")),
    };
  });
  return { calendar, events };
}

function input(site: SiteSessions, frame: WeekFrame = FRAME): SiteSheetInput {
  return { municipality: { code: 492, name: "Ærø" }, frame, site, settings: settings() };
}

const [HC01, NH01] = groupSiteSessions(ROWS, SITES) as [SiteSessions, SiteSessions, SiteSessions];

describe("site calendar (.ics), parsed with ical.js", () => {
  it("has one event per session, from the shift's start to its end in Copenhagen time", () => {
    const { calendar, events } = parseEvents(renderSiteCalendar(input(NH01)));
    expect(calendar.getFirstPropertyValue("method")).toBe("PUBLISH");
    // 5 October 2020 is summer time (UTC+2): the day shift 07:00–15:00 is 05:00–13:00 UTC; the
    // night shift of Tuesday 6 October runs 23:00 to 07:00 on Wednesday.
    expect(events).toEqual([
      {
        uid: "S0492-NH01-2020-10-05-day@testrota",
        summary: "Covid-19-test: 3 test (dag 07:00–15:00)",
        location: "Plejecenter Søbækken, Vestergade 9, 5970 Ærøskøbing",
        description:
          "3 test på Plejecenter Søbækken, Ærø Kommune, testuge 41 (2020-W41). Navnelisten står i arbejdsstedets PDF (sites/S0492-NH01.pdf) og i rota.xlsx.",
        start: "2020-10-05T05:00:00.000Z",
        end: "2020-10-05T13:00:00.000Z",
        stamp: "2020-09-30T08:00:00Z",
      },
      {
        uid: "S0492-NH01-2020-10-06-night@testrota",
        summary: "Covid-19-test: 1 test (nat 23:00–07:00)",
        location: "Plejecenter Søbækken, Vestergade 9, 5970 Ærøskøbing",
        description:
          "1 test på Plejecenter Søbækken, Ærø Kommune, testuge 41 (2020-W41). Navnelisten står i arbejdsstedets PDF (sites/S0492-NH01.pdf) og i rota.xlsx.",
        start: "2020-10-06T21:00:00.000Z",
        end: "2020-10-07T05:00:00.000Z",
        stamp: "2020-09-30T08:00:00Z",
      },
    ]);
  });

  it("carries no names or employee ids (a calendar is easily shared)", () => {
    const text = new TextDecoder().decode(renderSiteCalendar(input(HC01)));
    for (const person of HC01.sessions.flatMap((s) => s.people)) {
      expect(text).not.toContain(person.employeeId);
      for (const part of person.name.split(" ")) expect(text).not.toContain(part);
    }
  });

  it("keeps each session's UID when the week is published again with other people", () => {
    const before = parseEvents(renderSiteCalendar(input(HC01))).events;
    const fewer = { ...HC01, sessions: HC01.sessions.map((s) => ({ ...s, people: s.people.slice(0, 1) })) };
    const after = parseEvents(renderSiteCalendar(input(fewer))).events;
    expect(after.map((e) => e.uid)).toEqual(before.map((e) => e.uid));
    expect(after.map((e) => e.summary)).toEqual([
      "Covid-19-test: 1 test (aften 15:00–23:00)",
      "Covid-19-test: 1 test (dag 07:00–15:00)",
    ]);
  });

  it("gets local times right across the change to winter time (Sunday 25 October 2020)", () => {
    const frame: WeekFrame = {
      classificationWeek: "2020-W42",
      classificationDate: "2020-10-14",
      testWeek: "2020-W43",
      testWeekNumber: 43,
      testDates: [
        "2020-10-19",
        "2020-10-20",
        "2020-10-21",
        "2020-10-22",
        "2020-10-23",
        "2020-10-24",
        "2020-10-25",
      ],
    };
    const row = (employeeId: string, date: string, weekday: 5 | 6 | 7, shift: "day" | "night"): RotaRow => ({
      employeeId,
      name: "Kåre",
      siteId: "S0492-NH01",
      siteName: "Plejecenter Søbækken",
      date,
      weekday,
      shift,
      reason: "cycle",
    });
    const site = groupSiteSessions(
      [
        row("E1", "2020-10-23", 5, "day"),
        row("E2", "2020-10-24", 6, "night"),
        row("E3", "2020-10-25", 7, "day"),
      ],
      [SITES[0] as (typeof SITES)[number]],
    )[0] as SiteSessions;
    const { events } = parseEvents(renderSiteCalendar(input(site, frame)));
    expect(events.map((e) => [e.start, e.end])).toEqual([
      // Friday, summer time: 07:00 and 15:00 are 05:00 and 13:00 UTC.
      ["2020-10-23T05:00:00.000Z", "2020-10-23T13:00:00.000Z"],
      // Saturday night: 23:00 summer time (21:00 UTC) to 07:00 winter time (06:00 UTC), 9 hours.
      ["2020-10-24T21:00:00.000Z", "2020-10-25T06:00:00.000Z"],
      // Sunday, winter time: 07:00 and 15:00 are 06:00 and 14:00 UTC.
      ["2020-10-25T06:00:00.000Z", "2020-10-25T14:00:00.000Z"],
    ]);
  });
});

describe("site calendar is byte-identical for identical input", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("whenever it is written: DTSTAMP is the run's generatedAt", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2021-03-01T12:00:00Z"));
    const first = renderSiteCalendar(input(NH01));
    vi.setSystemTime(new Date("2024-07-15T18:31:17Z"));
    const second = renderSiteCalendar(input(NH01));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });
});
