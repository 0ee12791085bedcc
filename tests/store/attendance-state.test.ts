import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import type { PlannedTest, WeekPlan } from "../../src/domain/plan-types.ts";
import type { AttendanceReturn, StateStore } from "../../src/store/state-store.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

const W = (week: number): IsoWeek => ({ year: 2020, week });

function test(employeeId: string, municipalityCode: number, date: string): PlannedTest {
  return {
    employeeId,
    siteId: `S${municipalityCode}`,
    municipalityCode,
    regionCode: 1084,
    date,
    weekday: 1,
    shift: "day",
    reason: "cycle",
  };
}

function plan(testWeek: IsoWeek, tests: PlannedTest[]): WeekPlan {
  return weekPlanOf(testWeek, { tests });
}

async function commit(store: StateStore, runWeek: number, tests: PlannedTest[]): Promise<void> {
  await store.commitWeek({
    week: W(runWeek),
    runId: `run-${runWeek}`,
    classifications: [],
    cadence: new Map(),
    plan: plan(W(runWeek + 1), tests),
    inputDigest: "d".repeat(64),
  });
}

function aReturn(
  week: number,
  code: number,
  digest: string,
  outcome: "taken" | "absent" = "taken",
): AttendanceReturn {
  return {
    testWeek: W(week),
    municipalityCode: code,
    digest,
    fileName: `${code}.csv`,
    fileSha256: `sha-${digest}`,
    format: "csv",
    outcomes: [
      {
        municipalityCode: code,
        employeeId: "E1",
        date: "2020-10-05",
        shift: "day",
        outcome,
        sampleId: "P-1",
      },
    ],
    counts: {
      rows: 2,
      taken: outcome === "taken" ? 1 : 0,
      declined: 0,
      absent: outcome === "absent" ? 1 : 0,
      blank: 1,
    },
  };
}

describe.each(storeKinds())("$name store", (kind) => {
  let dir: string;
  let store: StateStore;
  let under: StoreUnderTest;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "attendance-state-"));
    under = kind.create();
    store = await under.open();
  });
  afterEach(async () => {
    await under.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const BY = { author: "kl-anne", at: "2020-10-13T09:00:00.000Z" };

  describe("attendance in the store", () => {
    it("imports a return, leaves the same content alone and replaces a correction, audited", async () => {
      expect((await store.importAttendance([aReturn(41, 350, "a")], BY)).map((r) => r.action)).toEqual([
        "imported",
      ]);
      const again = await store.importAttendance([aReturn(41, 350, "a")], { ...BY, author: "someone-else" });
      expect(again).toMatchObject([{ action: "unchanged", previousDigest: "a" }]);
      const corrected = await store.importAttendance([aReturn(41, 350, "b", "absent")], {
        author: "kl-bo",
        at: "2020-10-14T09:00:00.000Z",
      });
      expect(corrected).toMatchObject([
        {
          action: "replaced",
          digest: "b",
          previousDigest: "a",
          counts: { taken: 0, absent: 1 },
          previousCounts: { taken: 1, absent: 0 },
        },
      ]);
      expect(await store.listAttendanceReturns(W(41))).toMatchObject([
        { municipalityCode: 350, digest: "b", author: "kl-bo", importedAt: "2020-10-14T09:00:00.000Z" },
      ]);
      expect(await store.listAttendanceAudit()).toEqual([
        {
          testWeek: W(41),
          municipalityCode: 350,
          action: "imported",
          author: "kl-anne",
          at: "2020-10-13T09:00:00.000Z",
          fileName: "350.csv",
          fileSha256: "sha-a",
          oldDigest: null,
          newDigest: "a",
          oldCounts: null,
          newCounts: { rows: 2, taken: 1, declined: 0, absent: 0, blank: 1 },
        },
        {
          testWeek: W(41),
          municipalityCode: 350,
          action: "replaced",
          author: "kl-bo",
          at: "2020-10-14T09:00:00.000Z",
          fileName: "350.csv",
          fileSha256: "sha-b",
          oldDigest: "a",
          newDigest: "b",
          oldCounts: { rows: 2, taken: 1, declined: 0, absent: 0, blank: 1 },
          newCounts: { rows: 2, taken: 0, declined: 0, absent: 1, blank: 1 },
        },
      ]);
      // The outcomes are those of the correction only.
      // Columns: test_week, municipality_code, employee_id, date, shift, outcome, sample_id.
      const rows = (await under.rows("attendance_outcomes")).map((row) =>
        (JSON.parse(row) as unknown[]).slice(5),
      );
      expect(rows).toEqual([["absent", "P-1"]]);
    });

    it("imports several returns in one transaction: a failure leaves none", async () => {
      const broken = {
        ...aReturn(41, 352, "c"),
        outcomes: [{ ...aReturn(41, 352, "c").outcomes[0], outcome: "maybe" }],
      };
      await expect(
        store.importAttendance([aReturn(41, 350, "a"), broken as AttendanceReturn], BY),
      ).rejects.toThrow();
      expect(await store.listAttendanceReturns()).toEqual([]);
      expect(await store.listAttendanceAudit()).toEqual([]);
    });

    it("gives a run the history of the tracked municipalities in its window", async () => {
      // Runs of W40 and W41 planned test weeks 41 and 42 for municipalities 350 and 360.
      await commit(store, 40, [test("E1", 350, "2020-10-05"), test("E9", 360, "2020-10-05")]);
      await commit(store, 41, [test("E1", 350, "2020-10-12"), test("E9", 360, "2020-10-12")]);
      expect(await store.loadAttendanceHistory(W(41), W(42))).toEqual({
        trackedFrom: new Map(),
        returns: [],
        outcomes: [],
        planned: [],
      });
      await store.importAttendance([aReturn(41, 350, "a", "absent")], BY);
      const history = await store.loadAttendanceHistory(W(41), W(42));
      expect(history.trackedFrom).toEqual(new Map([[350, W(41)]]));
      expect(history.returns).toEqual([{ municipalityCode: 350, testWeek: W(41) }]);
      expect(history.outcomes).toEqual([
        { municipalityCode: 350, employeeId: "E1", date: "2020-10-05", shift: "day", outcome: "absent" },
      ]);
      // Only municipality 350 returns attendance: 360's tests are not loaded.
      expect(history.planned.map((t) => `${t.employeeId} ${t.date} ${t.testWeek.week}`)).toEqual([
        "E1 2020-10-05 41",
        "E1 2020-10-12 42",
      ]);
      // A run of an earlier week does not see returns of later weeks.
      expect((await store.loadAttendanceHistory(W(35), W(40))).trackedFrom.size).toBe(0);
    });
  });
});
