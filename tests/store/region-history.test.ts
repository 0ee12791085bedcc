import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addWeeks, type IsoWeek } from "../../src/domain/calendar.ts";
import type { Classification, Status } from "../../src/domain/classify.ts";
import type { PlannedTest, WeekPlan } from "../../src/domain/plan-types.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

const W44: IsoWeek = { year: 2020, week: 44 };
const W45: IsoWeek = { year: 2020, week: 45 };
const W46: IsoWeek = { year: 2020, week: 46 };
const W47: IsoWeek = { year: 2020, week: 47 };

/** Four municipalities in two regions: 101 and 147 in Hovedstaden (1084), 825 and 851 in Nordjylland (1081). */
const MUNICIPALITIES = [
  { code: 101, regionCode: 1084 },
  { code: 147, regionCode: 1084 },
  { code: 825, regionCode: 1081 },
  { code: 851, regionCode: 1081 },
] as const;

function classify(week: IsoWeek, statuses: readonly Status[]): Classification[] {
  return MUNICIPALITIES.map((m, i) => ({
    week,
    code: m.code,
    name: `M${m.code}`,
    regionCode: m.regionCode,
    window: { start: "2020-10-20", end: "2020-10-26" },
    cases7d: 0,
    population: 10_000,
    incidence: 0,
    rawStatus: "green",
    status: statuses[i] ?? "green",
    overrideId: null,
    limitToSites: null,
  }));
}

function tests(perRegion: Readonly<Record<number, number>>): PlannedTest[] {
  return Object.entries(perRegion).flatMap(([region, count]) =>
    Array.from({ length: count }, (_, i) => ({
      employeeId: `E${region}-${i}`,
      siteId: "S",
      municipalityCode: Number(region) === 1084 ? 101 : 825,
      regionCode: Number(region),
      date: "2020-11-03",
      weekday: 2 as const,
      shift: "day" as const,
      reason: "cycle" as const,
    })),
  );
}

function plan(testWeek: IsoWeek, planned: PlannedTest[]): WeekPlan {
  return weekPlanOf(testWeek, { tests: planned });
}

describe.each(storeKinds())("$name store", (kind) => {
  let dir: string;
  let store: StateStore;
  let under: StoreUnderTest;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "testrota-history-"));
    under = kind.create();
    store = await under.open();
    const commit = (week: IsoWeek, statuses: Status[], perRegion: Record<number, number>) =>
      store.commitWeek({
        week,
        runId: `run-${week.week}`,
        classifications: classify(week, statuses),
        cadence: new Map(),
        plan: plan(addWeeks(week, 1), tests(perRegion)),
        inputDigest: "d".repeat(64),
      });
    // W44: 101, 147 and 825 red; W45 not run; W46: only 851 red, no tests for Hovedstaden.
    await commit(W44, ["red", "red", "red", "green"], { 1084: 7, 1081: 3 });
    await commit(W46, ["green", "green", "green", "red"], { 1081: 2 });
    // W47 is outside the range asked for below.
    await commit(W47, ["red", "red", "red", "red"], { 1084: 50, 1081: 50 });
  });

  afterEach(async () => {
    await under.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("loadRegionHistory", () => {
    it("counts red municipalities and the tests each week's run planned, per region, weeks in order", async () => {
      expect(await store.loadRegionHistory(W44, W46)).toEqual([
        { week: W44, regionCode: 1081, redMunicipalities: 1, testsPlanned: 3 },
        { week: W44, regionCode: 1084, redMunicipalities: 2, testsPlanned: 7 },
        { week: W46, regionCode: 1081, redMunicipalities: 1, testsPlanned: 2 },
        { week: W46, regionCode: 1084, redMunicipalities: 0, testsPlanned: 0 },
      ]);
    });

    it("leaves out weeks the store has not committed, and is empty before the first run", async () => {
      expect(await store.loadRegionHistory(W45, W45)).toEqual([]);
      expect(await store.loadRegionHistory({ year: 2020, week: 30 }, { year: 2020, week: 43 })).toEqual([]);
    });

    it("counts a re-run week once, as it stands now", async () => {
      await store.commitWeek({
        week: W46,
        runId: "run-46b",
        classifications: classify(W46, ["red", "green", "green", "red"]),
        cadence: new Map(),
        plan: plan(W47, tests({ 1084: 4, 1081: 1 })),
        inputDigest: "e".repeat(64),
      });
      expect(await store.loadRegionHistory(W46, W46)).toEqual([
        { week: W46, regionCode: 1081, redMunicipalities: 1, testsPlanned: 1 },
        { week: W46, regionCode: 1084, redMunicipalities: 1, testsPlanned: 4 },
      ]);
    });
  });
});
