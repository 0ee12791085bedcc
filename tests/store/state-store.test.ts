import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WeekPlan } from "../../src/domain/plan-types.ts";
import { InputError, StorageError } from "../../src/errors.ts";
import { SCHEMA_VERSION } from "../../src/store/schema.ts";
import { openStateStore, type SqliteStateStore } from "../../src/store/sqlite-store.ts";
import type { CommitWeekInput, StateStore } from "../../src/store/state-store.ts";
import { STORE_TABLES, storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";

import { CADENCE, CLASSIFICATIONS, PLAN, SLOTS, W44, W45, W46 } from "../fixtures/store/committed-week.ts";

function commitInput(overrides: Partial<CommitWeekInput> = {}): CommitWeekInput {
  return {
    week: W44,
    runId: "run-a",
    classifications: CLASSIFICATIONS,
    cadence: CADENCE,
    plan: PLAN,
    inputDigest: "d".repeat(64),
    publish: () => undefined,
    ...overrides,
  };
}

describe("openStateStore (SQLite)", () => {
  let dir: string;
  let path: string;
  let store: SqliteStateStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "state-store-"));
    path = join(dir, "nested", "state.sqlite");
    store = openStateStore(path);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the parent folder, a WAL database and the current schema version", () => {
    const mode = store.db.prepare("PRAGMA journal_mode").get();
    expect(mode?.journal_mode).toBe("wal");
    const version = store.db.prepare("PRAGMA user_version").get();
    expect(Number(version?.user_version)).toBeGreaterThanOrEqual(1);
    const timeout = store.db.prepare("PRAGMA busy_timeout").get();
    expect(Number(timeout?.timeout)).toBeGreaterThan(0);
  });

  it("reopens an existing file without re-running migrations", async () => {
    await store.addOverride({
      id: "o1",
      municipalityCode: 101,
      from: W44,
      to: W46,
      action: "keep-green",
      siteIds: [],
      reason: "controlled outbreak",
      author: "ops",
      createdAt: "2020-10-28T08:00:00Z",
    });
    await store.close();
    store = openStateStore(path);
    expect((await store.listOverrides()).map((o) => o.id)).toEqual(["o1"]);
  });

  it("refuses a database written by a newer schema", async () => {
    await store.close();
    const raw = new DatabaseSync(path);
    raw.exec("PRAGMA user_version = 999");
    raw.close();
    expect(() => openStateStore(path)).toThrow(StorageError);
    expect(() => openStateStore(path)).toThrow(
      `${path}: schema version 999 is newer than this build supports (${SCHEMA_VERSION}); run a newer testrota`,
    );
    store = openStateStore(join(dir, "other.sqlite"));
  });

  it("calls publish inside the transaction", async () => {
    let inTransaction: boolean | undefined;
    await store.commitWeek(
      commitInput({
        publish: () => {
          inTransaction = store.db.isTransaction;
        },
      }),
    );
    expect(inTransaction).toBe(true);
    expect(store.db.isTransaction).toBe(false);
  });
});

const KINDS = storeKinds();

describe.each(KINDS)("$name store", (kind) => {
  let under: StoreUnderTest;
  let store: StateStore;
  beforeEach(async () => {
    under = kind.create();
    store = await under.open();
  });
  afterEach(async () => {
    await under.cleanup();
  });

  async function reopen(): Promise<void> {
    await store.close();
    store = await under.open();
  }

  /** Every row of every table except the run ledger, order-independent. */
  async function dumpState(): Promise<Record<string, string[]>> {
    const tables = STORE_TABLES.filter((name) => name !== "run_attempts");
    return Object.fromEntries(
      await Promise.all(tables.map(async (name) => [name, (await under.rows(name)).sort()] as const)),
    );
  }

  describe("commitWeek and readers", () => {
    it("round-trips every part of a committed week through the file", async () => {
      await store.commitWeek(commitInput());
      await reopen();

      expect(await store.loadClassifications(W44)).toEqual(CLASSIFICATIONS);
      expect(await store.loadCadence(W44)).toEqual(CADENCE);
      expect(await store.loadPlannedTests(W45)).toEqual(PLAN.tests);
      expect(await store.loadSlotsBefore(W45)).toEqual(SLOTS);
      expect((await store.loadSlotsBefore(W44)).size).toBe(0);
      expect(await store.loadDeferredBefore(W45)).toEqual(PLAN.deferred);
      expect(await store.loadDeferredBefore(W44)).toEqual([]);
      expect(await store.loadDeferralReports(W44)).toEqual(PLAN.deferrals);
      expect(await store.lastCommittedWeek()).toEqual(W44);
    });

    it("knows nothing of weeks never committed", async () => {
      expect(await store.lastCommittedWeek()).toBeUndefined();
      expect(await store.loadCadence(W44)).toBeUndefined();
      expect(await store.loadClassifications(W44)).toEqual([]);
      expect(await store.loadPlannedTests(W45)).toEqual([]);
      expect((await store.loadSlotsBefore(W45)).size).toBe(0);
      expect(await store.loadDeferredBefore(W45)).toEqual([]);
    });

    it("keeps an empty cadence distinct from a week never committed", async () => {
      await store.commitWeek(commitInput({ cadence: new Map() }));
      expect(await store.loadCadence(W44)).toEqual(new Map());
    });

    it("re-committing the same week leaves exactly the same rows", async () => {
      await store.commitWeek(commitInput());
      const first = await dumpState();
      await store.commitWeek(commitInput());
      expect(await dumpState()).toEqual(first);
      expect(await store.loadPlannedTests(W45)).toHaveLength(PLAN.tests.length);
    });

    it("a re-run of a week replaces its rows instead of adding to them", async () => {
      await store.commitWeek(commitInput());
      const smaller: WeekPlan = {
        ...PLAN,
        tests: PLAN.tests.slice(1),
        slots: new Map([...SLOTS].slice(1)),
        deferred: [],
        deferrals: [],
      };
      await store.commitWeek(commitInput({ classifications: CLASSIFICATIONS.slice(1), plan: smaller }));
      expect(await store.loadClassifications(W44)).toEqual(CLASSIFICATIONS.slice(1));
      expect(await store.loadPlannedTests(W45)).toEqual(PLAN.tests.slice(1));
      expect([...(await store.loadSlotsBefore(W45)).keys()]).toEqual(["825:E0002"]);
      expect(await store.loadDeferredBefore(W45)).toEqual([]);
      expect(await store.loadDeferralReports(W44)).toEqual([]);
    });

    it("keeps earlier weeks when a later week is committed", async () => {
      await store.commitWeek(commitInput());
      const w45Classifications = CLASSIFICATIONS.map((c) => ({ ...c, week: W45 }));
      await store.commitWeek(
        commitInput({
          week: W45,
          runId: "run-b",
          classifications: w45Classifications,
          cadence: new Map([[825, { phase: "green" }]]),
          plan: { ...PLAN, testWeek: W46 },
        }),
      );
      expect(await store.loadClassifications(W44)).toEqual(CLASSIFICATIONS);
      expect(await store.loadClassifications(W45)).toEqual(w45Classifications);
      expect(await store.loadCadence(W44)).toEqual(CADENCE);
      expect(await store.loadPlannedTests(W45)).toEqual(PLAN.tests);
      expect(await store.loadPlannedTests(W46)).toEqual(PLAN.tests);
      expect(await store.lastCommittedWeek()).toEqual(W45);
    });

    it("records nothing when publish throws and keeps the previously committed rows", async () => {
      await store.commitWeek(commitInput());
      const before = await dumpState();
      const failure = new Error("disk full");
      const publish = vi.fn(() => {
        throw failure;
      });

      const changedPlan: WeekPlan = { ...PLAN, tests: [], slots: new Map(), deferred: [] };
      await expect(
        store.commitWeek(commitInput({ runId: "run-b", plan: changedPlan, publish })),
      ).rejects.toThrow(failure);
      await expect(
        store.commitWeek(
          commitInput({
            week: W45,
            runId: "run-c",
            classifications: CLASSIFICATIONS.map((c) => ({ ...c, week: W45 })),
            plan: { ...changedPlan, testWeek: W46 },
            publish,
          }),
        ),
      ).rejects.toThrow(failure);

      expect(publish).toHaveBeenCalledTimes(2);
      expect(await dumpState()).toEqual(before);
      expect(await store.loadCadence(W45)).toBeUndefined();
      expect(await store.lastCommittedWeek()).toEqual(W44);
      expect(await store.loadSlotsBefore(W45)).toEqual(SLOTS);
    });

    it("refuses classifications of another week", async () => {
      await expect(store.commitWeek(commitInput({ week: W45 }))).rejects.toThrow(/2020-W45.*2020-W44/);
      expect(await store.loadCadence(W45)).toBeUndefined();
    });
  });

  describe("run ledger", () => {
    it("keeps every attempt and reports the latest per week", async () => {
      const scheduledFor = "2020-10-28T05:00:00.000Z";
      await store.beginRun({
        week: W44,
        runId: "r1",
        trigger: "schedule",
        scheduledFor,
        startedAt: "2020-10-28T05:00:01Z",
      });
      expect(await store.getRun(W44)).toMatchObject({
        runId: "r1",
        status: "running",
        finishedAt: null,
        error: null,
      });

      await store.finishRun({
        week: W44,
        runId: "r1",
        status: "failed",
        finishedAt: "2020-10-28T05:01:00Z",
        error: "boom",
      });
      await store.beginRun({
        week: W44,
        runId: "r2",
        trigger: "catch-up",
        scheduledFor,
        startedAt: "2020-10-28T06:00:00Z",
      });
      const summary = { week: "2020-W44", counts: { red: 1, green: 97 } };
      await store.finishRun({
        week: W44,
        runId: "r2",
        status: "succeeded",
        finishedAt: "2020-10-28T06:02:00Z",
        summary,
      });
      await store.beginRun({
        week: W45,
        runId: "r3",
        trigger: "cli",
        scheduledFor,
        startedAt: "2020-11-04T05:00:00Z",
      });

      await reopen();

      expect(await store.getRun(W44)).toEqual({
        week: "2020-W44",
        runId: "r2",
        trigger: "catch-up",
        status: "succeeded",
        scheduledFor,
        startedAt: "2020-10-28T06:00:00Z",
        finishedAt: "2020-10-28T06:02:00Z",
        error: null,
        summary,
      });
      expect((await store.listAttempts(W44)).map((r) => [r.runId, r.status, r.error])).toEqual([
        ["r1", "failed", "boom"],
        ["r2", "succeeded", null],
      ]);
      expect((await store.listRuns()).map((r) => r.runId)).toEqual(["r3", "r2", "r1"]);
      expect((await store.listRuns(2)).map((r) => r.runId)).toEqual(["r3", "r2"]);
      expect(await store.getRun(W46)).toBeUndefined();
    });

    it("refuses to finish an attempt that is not running", async () => {
      await store.beginRun({ week: W44, runId: "r1", trigger: "cli", scheduledFor: "x", startedAt: "y" });
      await store.finishRun({ week: W44, runId: "r1", status: "aborted", finishedAt: "z" });
      await expect(
        store.finishRun({ week: W44, runId: "r1", status: "succeeded", finishedAt: "z" }),
      ).rejects.toThrow(/no running attempt r1/);
      await expect(
        store.finishRun({ week: W44, runId: "nope", status: "failed", finishedAt: "z" }),
      ).rejects.toThrow();
      expect((await store.getRun(W44))?.status).toBe("aborted");
    });

    it("refuses a run id used before", async () => {
      await store.beginRun({ week: W44, runId: "r1", trigger: "cli", scheduledFor: "x", startedAt: "y" });
      await expect(
        store.beginRun({ week: W45, runId: "r1", trigger: "cli", scheduledFor: "x", startedAt: "y" }),
      ).rejects.toThrow();
    });
  });

  describe("overrides", () => {
    const base = {
      municipalityCode: 101,
      from: W44,
      to: W46,
      siteIds: [] as string[],
      reason: "STPS decision",
      author: "anna@stps",
    };

    it("lists active overrides in the order added and keeps removed ones for audit", async () => {
      await store.addOverride({ ...base, id: "o1", action: "keep-green", createdAt: "2020-10-27T10:00:00Z" });
      await store.addOverride({
        ...base,
        id: "o2",
        action: "limit-to-sites",
        siteIds: ["S0101-NH01"],
        createdAt: "2020-10-27T11:00:00Z",
      });
      await store.addOverride({
        ...base,
        id: "o3",
        action: "force-red",
        municipalityCode: 825,
        createdAt: "2020-10-27T12:00:00Z",
      });
      await store.removeOverride("o1", {
        author: "bo@stps",
        removedAt: "2020-10-29T09:00:00Z",
        note: "outbreak over",
      });

      await reopen();

      expect((await store.listOverrides()).map((o) => o.id)).toEqual(["o2", "o3"]);
      const all = await store.listOverrides({ includeRemoved: true });
      expect(all.map((o) => o.id)).toEqual(["o1", "o2", "o3"]);
      expect(all[0]).toEqual({
        ...base,
        id: "o1",
        action: "keep-green",
        createdAt: "2020-10-27T10:00:00Z",
        removedAt: "2020-10-29T09:00:00Z",
        removedBy: "bo@stps",
        removalNote: "outbreak over",
      });
      expect(all[1]).toMatchObject({
        siteIds: ["S0101-NH01"],
        removedAt: null,
        removedBy: null,
        removalNote: null,
      });
    });

    it.each([
      {
        name: "adding an id already used",
        act: (s: StateStore) => s.addOverride({ ...base, id: "o1", action: "force-red", createdAt: "t" }),
      },
      {
        name: "removing an unknown id",
        act: (s: StateStore) => s.removeOverride("zz", { author: "a", removedAt: "t", note: "n" }),
      },
      {
        name: "removing twice",
        act: async (s: StateStore) => {
          await s.removeOverride("o1", { author: "a", removedAt: "t", note: "n" });
          await s.removeOverride("o1", { author: "a", removedAt: "t", note: "n" });
        },
      },
    ])("rejects $name with an InputError naming the override", async ({ act }) => {
      await store.addOverride({ ...base, id: "o1", action: "keep-green", createdAt: "2020-10-27T10:00:00Z" });
      let caught: unknown;
      try {
        await act(store);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InputError);
      expect((caught as InputError).message).toMatch(/overrides\.(o1|zz)/);
    });
  });

  describe("pause flag", () => {
    it("is off until set, then follows the latest change across reopen", async () => {
      expect(await store.getPaused()).toEqual({ paused: false, note: null, author: null, at: null });
      await store.setPaused({ paused: true, note: "lab strike", author: "ops", at: "2020-10-27T08:00:00Z" });
      expect(await store.getPaused()).toEqual({
        paused: true,
        note: "lab strike",
        author: "ops",
        at: "2020-10-27T08:00:00Z",
      });
      await store.setPaused({ paused: false, note: "resumed", author: "ops2", at: "2020-10-30T08:00:00Z" });
      await reopen();
      expect(await store.getPaused()).toEqual({
        paused: false,
        note: "resumed",
        author: "ops2",
        at: "2020-10-30T08:00:00Z",
      });
    });
  });
});
