import { join } from "node:path";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDays,
  addWeeks,
  dateInWeek,
  daysBetween,
  formatIsoWeek,
  parseIsoWeek,
  weekRange,
  type IsoWeek,
} from "../../src/domain/calendar.ts";
import { isEmployedOn, type StaffMember } from "../../src/domain/roster.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { replayWeeks } from "../../src/commands/replay.ts";
import { createApp } from "../../src/worker/app.ts";
import type { RunReport } from "../../src/worker/run-report.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { readPublishedCsv } from "../support/published-files.ts";
import { createRunFixture, type RunFixture } from "../support/run-fixture.ts";

/*
 * A 14-week replay over the real SSI time series of 30 September 2020 (weeks 27–40: autumn 2020,
 * when municipality after municipality turned red). Every assertion reads the published files
 * and checks them against the national model stated independently here.
 */
const FROM: IsoWeek = { year: 2020, week: 27 };
const TO: IsoWeek = { year: 2020, week: 40 };
const ROSTER = { seed: 11, staffShare: 0.003, referenceDate: "2020-08-15" };

type RotaRow = { employeeId: string; siteId: string; date: string; shift: string; reason: string };

let fixture: RunFixture;
let reports: RunReport[];
let staff: StaffMember[];
let siteMunicipality: Map<string, number>;
let siteRegion: Map<string, number>;
let siteSessionMax: Map<string, number>;
/** Effective status per classification week, per municipality, from classification.csv. */
const statusByWeek = new Map<string, Map<number, string>>();
/** Rota rows per test week (folder W holds the rota of W+1). */
const rotaByTestWeek = new Map<string, RotaRow[]>();

/** Data rows of a published CSV (header dropped). */
function dataRows(path: string): string[][] {
  return readPublishedCsv(path).slice(1);
}

beforeAll(async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = ROSTER;
  });
  const config = fixture.config();
  const app = await createApp({ config, logger: createCapturingLogger("warn").logger });
  try {
    reports = await replayWeeks(app, FROM, TO, { offline: false });
  } finally {
    await app.close();
  }
  const municipalities = await readReference(config.reference);
  const input = generateDemoInput({ municipalities, ...ROSTER });
  staff = input.staff;
  const regionOf = new Map(municipalities.map((m) => [m.code, m.regionCode]));
  siteMunicipality = new Map(input.sites.map((s) => [s.id, s.municipalityCode]));
  siteRegion = new Map(input.sites.map((s) => [s.id, regionOf.get(s.municipalityCode) ?? 0]));
  siteSessionMax = new Map();
  for (const member of staff) {
    const key = `${member.siteId}|${member.shift}`;
    siteSessionMax.set(key, (siteSessionMax.get(key) ?? 0) + 1);
  }
  for (const week of weekRange(FROM, TO)) {
    const dir = join(fixture.outDir, formatIsoWeek(week));
    statusByWeek.set(
      formatIsoWeek(week),
      new Map(dataRows(join(dir, "classification.csv")).map((r) => [Number(r[0]), r[9] ?? ""])),
    );
    const rows: RotaRow[] = [];
    for (const m of municipalities) {
      for (const r of dataRows(join(dir, "municipalities", String(m.code), "rota.csv"))) {
        rows.push({
          employeeId: r[0] ?? "",
          siteId: r[2] ?? "",
          date: r[4] ?? "",
          shift: r[6] ?? "",
          reason: r[7] ?? "",
        });
      }
    }
    rotaByTestWeek.set(formatIsoWeek(addWeeks(week, 1)), rows);
  }
}, 300_000);

afterAll(() => fixture.cleanup());

type RedTestReason = "red-week-1" | "red-retest";

/*
 * Red flows of some municipalities in the replay, worked out by hand: `red` lists the weeks of
 * 2020 whose Wednesday classified the municipality red (from SSI's data, checked against
 * classification.csv below), `tests` the red tests of each test week by the national model: a
 * flow starts at the first red week S of a green municipality, week 1 (all staff) is S+2 whatever
 * S+1 shows, the checks are S+3, S+5, …: red → a retest the week after, green → the flow ends;
 * red weeks between checks start nothing. The rota of test week T is published in folder T−1.
 */
const FLOWS: { code: number; red: number[]; tests: Record<number, RedTestReason> }[] = [
  // København: S = 36, week 1 = 38; red at the check of 39: retest 40.
  { code: 101, red: [36, 37, 38, 39, 40], tests: { 38: "red-week-1", 40: "red-retest" } },
  // Brøndby: S = 30, week 1 = 32; red at 33: retest 34; green at 35: the flow ends.
  // S = 36, week 1 = 38; red at 39: retest 40.
  {
    code: 153,
    red: [30, 33, 34, 36, 37, 38, 39, 40],
    tests: { 32: "red-week-1", 34: "red-retest", 38: "red-week-1", 40: "red-retest" },
  },
  // Gentofte: S = 34, week 1 = 36; red at 37 and 39: retests 38 and 40.
  { code: 157, red: [34, 37, 38, 39, 40], tests: { 36: "red-week-1", 38: "red-retest", 40: "red-retest" } },
  // Glostrup: S = 33, week 1 = 35; red at 36, 38 and 40: retests 37, 39 and 41.
  {
    code: 161,
    red: [33, 35, 36, 37, 38, 39, 40],
    tests: { 35: "red-week-1", 37: "red-retest", 39: "red-retest", 41: "red-retest" },
  },
  // Solrød: S = 33, week 1 = 35; green at 36: ends. S = 38, week 1 = 40.
  { code: 269, red: [33, 38, 39, 40], tests: { 35: "red-week-1", 40: "red-week-1" } },
  // Kalundborg: red in 30 only: week 1 = 32 all the same; green at 33: ends.
  { code: 326, red: [30], tests: { 32: "red-week-1" } },
  // Silkeborg: S = 33, week 1 = 35; red at 36: retest 37; green at 38: ends. S = 39, week 1 = 41.
  {
    code: 740,
    red: [33, 34, 35, 36, 39, 40],
    tests: { 35: "red-week-1", 37: "red-retest", 41: "red-week-1" },
  },
  // Aarhus: S = 32, week 1 = 34; red at 35: retest 36; green at 37: ends. S = 38, week 1 = 40.
  {
    code: 751,
    red: [32, 33, 34, 35, 38, 39, 40],
    tests: { 34: "red-week-1", 36: "red-retest", 40: "red-week-1" },
  },
  // Halsnæs: never red, never a red test.
  { code: 260, red: [], tests: {} },
];

describe("replay of 14 weeks of autumn 2020", () => {
  it("ran every week and saw red municipalities", () => {
    expect(reports.map((r) => r.week)).toEqual(weekRange(FROM, TO).map(formatIsoWeek));
    expect(Math.max(...reports.map((r) => r.counts.red))).toBeGreaterThan(0);
  });

  it.each(FLOWS)("classifies municipality $code red in exactly the weeks of the table", ({ code, red }) => {
    const redWeeks = weekRange(FROM, TO)
      .filter((week) => statusByWeek.get(formatIsoWeek(week))?.get(code) === "red")
      .map((week) => week.week);
    expect(redWeeks).toEqual(red);
  });

  it.each(FLOWS)(
    "gives every staff member of $code the red tests $tests and no others",
    ({ code, tests }) => {
      const due = staff.filter((s) => siteMunicipality.get(s.siteId) === code);
      expect(due.length).toBeGreaterThan(0);
      for (const [testWeek, rows] of rotaByTestWeek) {
        const week = parseIsoWeek(testWeek);
        if (week === undefined) throw new Error(testWeek);
        const expected = tests[week.week];
        const tested = new Map(
          rows.filter((r) => siteMunicipality.get(r.siteId) === code).map((r) => [r.employeeId, r]),
        );
        for (const member of due) {
          const row = tested.get(member.employeeId);
          if (expected === undefined) {
            expect(row?.reason ?? "none", `${code} ${testWeek}`).not.toMatch(/^red/);
          } else if (row !== undefined || isEmployedOn(member, dateInWeek(week, 3))) {
            expect(row?.reason, `${code} ${testWeek}`).toBe(expected);
          }
        }
      }
    },
  );

  it("no staff member goes more than 6 weeks (42 days) between planned tests", () => {
    const dates = new Map<string, string[]>();
    for (const rows of rotaByTestWeek.values()) {
      for (const r of rows) dates.set(r.employeeId, [...(dates.get(r.employeeId) ?? []), r.date]);
    }
    const lastTestWeek = dateInWeek(addWeeks(TO, 1), 1);
    const firstTestWeek = dateInWeek(addWeeks(FROM, 1), 1);
    const violations: string[] = [];
    for (const member of staff) {
      const own = (dates.get(member.employeeId) ?? []).sort();
      // Start of the observed span: the first test week, or a later start date.
      let previous =
        member.startDate !== undefined && member.startDate > firstTestWeek
          ? member.startDate
          : addDays(firstTestWeek, -1);
      const end = addDays(lastTestWeek, 6);
      const until = member.endDate !== undefined && member.endDate < end ? member.endDate : end;
      for (const date of [...own, until]) {
        if (date > until) break;
        if (daysBetween(previous, date) > 42) violations.push(`${previous}→${date}`);
        previous = date;
      }
    }
    expect(violations).toEqual([]);
  });

  it("spreads each week's tests per region evenly over the five test days, within the largest site-shift session", () => {
    for (const [testWeek, rows] of rotaByTestWeek) {
      const loads = new Map<number, Map<string, number>>();
      const largest = new Map<number, number>();
      for (const r of rows) {
        const region = siteRegion.get(r.siteId) ?? 0;
        const perDay = loads.get(region) ?? new Map<string, number>();
        perDay.set(r.date, (perDay.get(r.date) ?? 0) + 1);
        loads.set(region, perDay);
        largest.set(
          region,
          Math.max(largest.get(region) ?? 0, siteSessionMax.get(`${r.siteId}|${r.shift}`) ?? 0),
        );
      }
      for (const [region, perDay] of loads) {
        // Five test days (Monday–Friday) in every region of the demo config.
        const counts = [...perDay.values()];
        while (counts.length < 5) counts.push(0);
        const even = counts.reduce((a, b) => a + b, 0) / 5;
        for (const count of counts) {
          expect(Math.abs(count - even), `${testWeek} ${region}`).toBeLessThanOrEqual(
            (largest.get(region) ?? 0) + 1,
          );
        }
      }
    }
  });

  it("tests no evening or night shift on a Friday: its samples would wait until Monday's run", () => {
    // Default pickups: morning runs Monday–Friday, a same-evening run on Friday, at most 24 h of
    // waiting. A Friday evening shift ends 23:00 and its samples reach the lab on Monday (61 h);
    // a Friday night shift ends Saturday 07:00 (53 h). Both are over 24 h, so never on a Friday.
    const fridayLate = [...rotaByTestWeek.values()]
      .flat()
      .filter((r) => r.shift !== "day" && DateTime.fromISO(r.date).weekday === 5);
    expect(fridayLate).toEqual([]);
    const fridays = [...rotaByTestWeek.values()].flat().filter((r) => DateTime.fromISO(r.date).weekday === 5);
    expect(fridays.length).toBeGreaterThan(0);
  });
});
