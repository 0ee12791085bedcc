import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addWeeks, formatIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import type { Classification } from "../../src/domain/classify.ts";
import type { CycleSlot, DeferredTest, PlannedTest, WeekPlan } from "../../src/domain/plan-types.ts";
import { staffKey } from "../../src/domain/roster.ts";
import { pruneOldWeeks } from "../../src/store/prune.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

// One municipality (101, region 1084) and two staff members, committed every week from 2020-W20
// to 2020-W36 except W33 (a week the worker did not run). Each week's run plans one test per
// region-week, keeps both staff members' cycle slots and carries one deferred test.
const FIRST: IsoWeek = { year: 2020, week: 20 };
const LAST: IsoWeek = { year: 2020, week: 36 };
const SKIPPED = "2020-W33";

function weeks(): IsoWeek[] {
  const all: IsoWeek[] = [];
  for (let week = FIRST; week.week <= LAST.week; week = addWeeks(week, 1)) {
    if (formatIsoWeek(week) !== SKIPPED) all.push(week);
  }
  return all;
}

function classification(week: IsoWeek): Classification {
  return {
    week,
    code: 101,
    name: "København",
    regionCode: 1084,
    window: { start: "2020-05-05", end: "2020-05-11" },
    cases7d: 10,
    population: 632_340,
    incidence: 1.6,
    rawStatus: "green",
    status: "green",
    overrideId: null,
    limitToSites: null,
  };
}

function plan(week: IsoWeek): WeekPlan {
  const testWeek = addWeeks(week, 1);
  const test: PlannedTest = {
    employeeId: "E101-1",
    siteId: "S1",
    municipalityCode: 101,
    regionCode: 1084,
    date: "2020-05-12",
    weekday: 2,
    shift: "day",
    reason: "cycle",
  };
  // The slot's cycle week tells the snapshots apart: the week number of the run.
  const slot = (employee: number): [string, CycleSlot] => [
    staffKey(101, `E101-${employee}`),
    { cycleWeek: week.week % 6, weekday: 1, shift: "day", siteId: `S${week.week}` },
  ];
  const deferred: DeferredTest = {
    employeeId: "E101-2",
    siteId: "S1",
    municipalityCode: 101,
    reason: "cycle",
    dueWeek: testWeek,
    latestDate: `run ${formatIsoWeek(week)}`,
  };
  return weekPlanOf(testWeek, { tests: [test], slots: new Map([slot(1), slot(2)]), deferred: [deferred] });
}

const KINDS = storeKinds();

describe.each(KINDS)("pruneOldWeeks ($name store)", (kind) => {
  let dir: string;
  let under: StoreUnderTest;
  let store: StateStore;

  async function weeksIn(table: string, column = "week"): Promise<string[]> {
    const rows = await under.query(`SELECT DISTINCT ${column} AS week FROM ${table} ORDER BY ${column}`);
    return rows.map((row) => String(row.week));
  }

  async function capturedWeeks(): Promise<string[]> {
    return (await store.listRawCaptureWeeks()).map((captured) => formatIsoWeek(captured.week));
  }

  beforeEach(async () => {
    // The data directory may still hold a capture folder of an earlier version that could not be
    // moved into the store (here one of W21).
    dir = mkdtempSync(join(tmpdir(), "testrota-retention-"));
    under = kind.create();
    store = await under.open();
    for (const week of weeks()) {
      await store.commitWeek({
        week,
        runId: `run-${week.week}`,
        classifications: [classification(week)],
        cadence: new Map([[101, { phase: "green" }]]),
        plan: plan(week),
        inputDigest: "d".repeat(64),
      });
      // The raw capture of each week's run, as the run saves it.
      await store.saveRawCapture({
        week,
        runId: `run-${week.week}`,
        capturedAt: `${formatIsoWeek(week)}-capture`,
        payloads: [{ name: "series.csv", origin: "/ssi/series.csv", bytes: new TextEncoder().encode("x") }],
      });
    }
    const leftOver = join(dir, "raw", "2020-W21", "run-old");
    mkdirSync(leftOver, { recursive: true });
    writeFileSync(join(leftOver, "manifest.json"), "{}");
  });

  afterEach(async () => {
    await under.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the latest weeks re-runnable: their snapshots, the week before, and 12 weeks of planned tests", async () => {
    // retention.weeks 2, latest W36: W35 and W36 stay re-runnable. Re-running W35 reads the state
    // of W34; the report of W35 counts the tests planned by the runs of W24…W34 (test weeks
    // W25…W35) and its attendance review reads the planned tests of test weeks W24…W35.
    const report = await pruneOldWeeks({ store, dataDir: dir, weeks: 2 });
    expect(report).toMatchObject({ latestWeek: "2020-W36", firstKeptWeek: "2020-W35", dryRun: false });
    expect(await weeksIn("slot_snapshots")).toEqual(["2020-W34", "2020-W35", "2020-W36"]);
    expect(await weeksIn("deferred_tests")).toEqual(["2020-W34", "2020-W35", "2020-W36"]);
    const testWeeks = await weeksIn("planned_tests", "test_week");
    expect(testWeeks[0]).toBe("2020-W24");
    expect(testWeeks.at(-1)).toBe("2020-W37");
    // Run weeks W20…W22 (test weeks W21…W23) went; so did the slots of W20…W32 (13 snapshots,
    // W33 was never run) and their deferred tests.
    expect(report.rows).toEqual({
      cycleSlots: 26,
      slotSnapshotWeeks: weeks()
        .map(formatIsoWeek)
        .filter((w) => w < "2020-W34"),
      deferredTests: 13,
      plannedTests: 3,
    });
    // Classifications and cadence states are kept for every committed week.
    expect(await weeksIn("classifications")).toHaveLength(weeks().length);
    expect(await weeksIn("cadence_states")).toHaveLength(weeks().length);
    expect(await capturedWeeks()).toEqual(["2020-W35", "2020-W36"]);
    expect(report.rawCaptureWeeks).toEqual(
      weeks()
        .map(formatIsoWeek)
        .filter((w) => w < "2020-W35"),
    );
    expect(readdirSync(join(dir, "raw"))).toEqual([]);
  });

  it("leaves what re-running the first kept week and the next week read", async () => {
    await pruneOldWeeks({ store, dataDir: dir, weeks: 2 });
    // Re-running W35 and W36, and running W37, start from the week before each.
    expect((await store.loadSlotsBefore({ year: 2020, week: 35 })).get(staffKey(101, "E101-1"))?.siteId).toBe(
      "S34",
    );
    expect((await store.loadSlotsBefore({ year: 2020, week: 37 })).get(staffKey(101, "E101-1"))?.siteId).toBe(
      "S36",
    );
    expect((await store.loadDeferredBefore({ year: 2020, week: 35 })).map((d) => d.latestDate)).toEqual([
      "run 2020-W34",
    ]);
    expect(await store.loadCadence({ year: 2020, week: 34 })).toEqual(new Map([[101, { phase: "green" }]]));
    // The 12-week history of W35's report: W24…W34, one test each except the week not run.
    const history = await store.loadRegionHistory({ year: 2020, week: 24 }, { year: 2020, week: 34 });
    expect(history.map((h) => [formatIsoWeek(h.week), h.testsPlanned])).toEqual(
      weeks()
        .filter((w) => w.week >= 24 && w.week <= 34)
        .map((w) => [formatIsoWeek(w), 1]),
    );
  });

  it("keeps the snapshot a re-run reads when the week before the first kept week was not run", async () => {
    // Latest W36, retention 3: W34 is the first kept week; it reads W32 (W33 was not run).
    await pruneOldWeeks({ store, dataDir: dir, weeks: 3 });
    expect(await weeksIn("slot_snapshots")).toEqual(["2020-W32", "2020-W34", "2020-W35", "2020-W36"]);
    expect((await store.loadSlotsBefore({ year: 2020, week: 34 })).get(staffKey(101, "E101-2"))?.siteId).toBe(
      "S32",
    );
  });

  it("with --dry-run counts the same and removes nothing; a second prune finds nothing", async () => {
    const counted = await pruneOldWeeks({ store, dataDir: dir, weeks: 2, dryRun: true });
    expect(await weeksIn("slot_snapshots")).toHaveLength(weeks().length);
    expect(await capturedWeeks()).toHaveLength(weeks().length);
    expect(readdirSync(join(dir, "raw"))).toEqual(["2020-W21"]);
    const pruned = await pruneOldWeeks({ store, dataDir: dir, weeks: 2 });
    expect(pruned.rows).toEqual(counted.rows);
    expect(pruned.rawCaptureWeeks).toEqual(counted.rawCaptureWeeks);
    const again = await pruneOldWeeks({ store, dataDir: dir, weeks: 2 });
    expect(again.rows).toEqual({ cycleSlots: 0, slotSnapshotWeeks: [], deferredTests: 0, plannedTests: 0 });
    expect(again.rawCaptureWeeks).toEqual([]);
  });

  it("does nothing on a store without a committed week", async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), "testrota-retention-empty-"));
    const emptyStore = kind.create();
    try {
      const empty = await emptyStore.open();
      expect(await pruneOldWeeks({ store: empty, dataDir: emptyDir, weeks: 1 })).toMatchObject({
        latestWeek: null,
        rawCaptureWeeks: [],
      });
    } finally {
      await emptyStore.cleanup();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
