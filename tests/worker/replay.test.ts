import { join } from "node:path";
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

/** Red-test weeks per municipality from the effective statuses, by the model's own words. */
function expectedRedWeeks(code: number): Map<string, "red-week-1" | "red-retest"> {
  const weeks = weekRange(FROM, TO);
  const result = new Map<string, "red-week-1" | "red-retest">();
  let flowStart: number | undefined;
  weeks.forEach((week, i) => {
    const status = statusByWeek.get(formatIsoWeek(week))?.get(code);
    if (flowStart === undefined) {
      if (status === "red") flowStart = i;
      return;
    }
    const k = i - flowStart;
    if (k === 1) result.set(formatIsoWeek(addWeeks(week, 1)), "red-week-1");
    if (k >= 3 && k % 2 === 1) {
      if (status === "red") result.set(formatIsoWeek(addWeeks(week, 1)), "red-retest");
      else flowStart = undefined;
    }
  });
  return result;
}

describe("replay of 14 weeks of autumn 2020", () => {
  it("ran every week and saw red municipalities", () => {
    expect(reports.map((r) => r.week)).toEqual(weekRange(FROM, TO).map(formatIsoWeek));
    expect(Math.max(...reports.map((r) => r.counts.red))).toBeGreaterThan(0);
  });

  it("tests every staff member of a municipality in week 1 (W+2) and again in W+4 when still red at W+3", () => {
    // Flows already running before the replay began are left out: the first classified week
    // may be inside one (its start is in the warm-up).
    const firstWeek = formatIsoWeek(FROM);
    let checked = 0;
    for (const code of new Set(siteMunicipality.values())) {
      if (statusByWeek.get(firstWeek)?.get(code) === "red") continue;
      for (const [testWeek, reason] of expectedRedWeeks(code)) {
        const rows = rotaByTestWeek.get(testWeek);
        if (rows === undefined) continue;
        const week = parseIsoWeek(testWeek);
        if (week === undefined) continue;
        const tested = new Map(
          rows.filter((r) => siteMunicipality.get(r.siteId) === code).map((r) => [r.employeeId, r]),
        );
        const due = staff.filter((s) => siteMunicipality.get(s.siteId) === code);
        for (const member of due) {
          const row = tested.get(member.employeeId);
          const employed = row === undefined ? isEmployedOn(member, dateInWeek(week, 3)) : true;
          if (!employed) continue;
          expect(row?.reason, `${code} ${testWeek}`).toBe(reason);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

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

  it("spreads each week's tests per (region, shift) over the test days within the largest site-shift session", () => {
    for (const [testWeek, rows] of rotaByTestWeek) {
      const loads = new Map<string, Map<string, number>>();
      const largest = new Map<string, number>();
      for (const r of rows) {
        const key = `${siteRegion.get(r.siteId) ?? 0}|${r.shift}`;
        const perDay = loads.get(key) ?? new Map<string, number>();
        perDay.set(r.date, (perDay.get(r.date) ?? 0) + 1);
        loads.set(key, perDay);
        largest.set(key, Math.max(largest.get(key) ?? 0, siteSessionMax.get(`${r.siteId}|${r.shift}`) ?? 0));
      }
      for (const [key, perDay] of loads) {
        // Five test days (Monday–Friday) in every region of the demo config.
        const counts = [...perDay.values()];
        while (counts.length < 5) counts.push(0);
        const even = counts.reduce((a, b) => a + b, 0) / 5;
        for (const count of counts) {
          expect(Math.abs(count - even), `${testWeek} ${key}`).toBeLessThanOrEqual(
            (largest.get(key) ?? 0) + 1,
          );
        }
      }
    }
  });
});
