import { describe, expect, it } from "vitest";
import type { AttendanceReport } from "../../../src/domain/attendance-report.ts";
import { renderAttendanceSection } from "../../../src/outputs/report/attendance-section.ts";

const REPORT: AttendanceReport = {
  graceWeeks: 1,
  settledWeek: { year: 2020, week: 41 },
  asOf: "2020-10-11",
  trackedMunicipalities: 2,
  uptake: {
    total: { planned: 200, taken: 176, declined: 14, absent: 8, notReported: 2 },
    municipalities: [
      {
        municipalityCode: 492,
        returned: false,
        planned: 20,
        taken: 18,
        declined: 0,
        absent: 0,
        notReported: 2,
        sites: [],
      },
      {
        municipalityCode: 101,
        returned: true,
        planned: 180,
        taken: 158,
        declined: 14,
        absent: 8,
        notReported: 0,
        sites: [],
      },
    ],
  },
  owed: {
    missed: 10,
    makeUp: 6,
    covered: 3,
    deferred: 1,
    waitingForSlot: 0,
    gone: 0,
    longestDaysSinceTakenAtTest: 56,
    municipalities: [
      { municipalityCode: 101, missed: 8, makeUp: 5, covered: 2, deferred: 1, waitingForSlot: 0, gone: 0 },
      { municipalityCode: 492, missed: 2, makeUp: 1, covered: 1, deferred: 0, waitingForSlot: 0, gone: 0 },
    ],
  },
  gap: {
    assessed: 900,
    over6Weeks: 31,
    declined: 22,
    missed: 9,
    notOffered: 0,
    maxDaysOverLimit: 9,
    municipalities: [
      { municipalityCode: 101, assessed: 800, over6Weeks: 29, declined: 21, missed: 8, notOffered: 0 },
      { municipalityCode: 492, assessed: 100, over6Weeks: 2, declined: 1, missed: 1, notOffered: 0 },
    ],
  },
};

const NAMES = new Map([
  [101, "København"],
  [492, "Ærø"],
]);

function cells(html: string): string[][] {
  return [...html.matchAll(/<tr><th scope="row">([^<]*)<\/th>(.*?)<\/tr>/g)].map((m) => [
    m[1] ?? "",
    ...[...(m[2] ?? "").matchAll(/<td class="num">([^<]*)<\/td>/g)].map((c) => c[1] ?? ""),
  ]);
}

describe("the weekly report's attendance section", () => {
  it("figures and one row per municipality returning attendance, by name (Danish)", () => {
    const html = renderAttendanceSection(REPORT, NAMES, "da");
    expect(html).toContain('<span class="value">88 %</span><span class="label">test taget i 2020-W41</span>');
    expect(html).toContain(
      '<span class="value">10</span><span class="label">skyldige test planlagt eller udskudt</span>',
    );
    expect(html).toContain(
      '<span class="value">9</span><span class="label">over 6 uger siden sidste test (+ afslag)</span>',
    );
    expect(cells(html)).toEqual([
      ["København", "180", "88 %", "14", "8", "0", "8", "8", "21"],
      ["Ærø", "20", "90 %", "0", "0", "2 (intet svar)", "2", "1", "1"],
    ]);
  });

  it("in English", () => {
    const html = renderAttendanceSection(REPORT, NAMES, "en");
    expect(html).toContain('<span class="label">tests taken in 2020-W41</span>');
    expect(cells(html)[1]).toEqual(["Ærø", "20", "90%", "0", "0", "2 (no return)", "2", "1", "1"]);
  });
});
