import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatIsoWeek, parseIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import type { LedgerStatus } from "../../src/domain/schedule.ts";
import { AbortedError } from "../../src/errors.ts";
import type { CronScheduler } from "../../src/worker/scheduler.ts";
import {
  createLedgerView,
  startWorker,
  type RunningWorker,
  type WorkerSettings,
} from "../../src/worker/worker.ts";
import type { LedgerView, RunOutcome, RunWeek } from "../../src/worker/worker-types.ts";
import { acquireRunLock, readRunLockHolder } from "../../src/store/run-lock.ts";
import { probeStoreWritable } from "../../src/store/sqlite-store.ts";
import { weekLockName } from "../../src/worker/lock.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";

function w(text: string): IsoWeek {
  const week = parseIsoWeek(text);
  if (week === undefined) throw new Error(`bad week ${text}`);
  return week;
}

// The worker believes it is Wednesday 30 September 2020, 12:00 in Copenhagen; time runs on.
const START = Date.parse("2020-09-30T10:00:00Z");
const realStart = Date.now();
const clock = () => START + (Date.now() - realStart);

const noCron: CronScheduler = { schedule: () => ({ destroy: () => undefined }) };

function settings(shutdownGraceSeconds: number): WorkerSettings {
  return {
    time: "10:00",
    zone: "Europe/Copenhagen",
    retryEveryMinutes: 60,
    lastAttempt: "20:00",
    catchUpWeeks: 1,
    firstWeek: w("2020-W40"),
    host: "127.0.0.1",
    port: 0,
    shutdownGraceSeconds,
  };
}

type RunControl = {
  started: Promise<AbortSignal>;
  /** The run ends by itself after this many ms (undefined: only when aborted). */
  finishAfterMs?: number;
  honoursAbort: boolean;
  sawAbortAt?: number;
};

function createRun(control: Omit<RunControl, "started">, statuses: Map<string, LedgerStatus>) {
  let markStarted: (signal: AbortSignal) => void = () => undefined;
  const run: RunControl = { ...control, started: new Promise((resolve) => (markStarted = resolve)) };
  const runWeek: RunWeek = (week, options) => {
    const started = Date.now();
    statuses.set(formatIsoWeek(week), "running");
    markStarted(options.signal);
    return new Promise<RunOutcome>((resolve) => {
      const finish = (status: RunOutcome["status"], error?: string) => {
        statuses.set(formatIsoWeek(week), status === "skipped" ? "failed" : status);
        resolve({
          week,
          runId: "run-1",
          status,
          durationMs: Date.now() - started,
          ...(error ? { error } : {}),
          summary: { red: 3, green: 95, tests: 40, deferred: 0 },
        });
      };
      if (run.finishAfterMs !== undefined) setTimeout(() => finish("succeeded"), run.finishAfterMs);
      options.signal.addEventListener("abort", () => {
        run.sawAbortAt = Date.now();
        if (run.honoursAbort) finish("aborted", String((options.signal.reason as Error).message));
      });
    });
  };
  return { run, runWeek };
}

let dir: string;
let db: DatabaseSync;
let worker: RunningWorker | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "testrota-worker-"));
  db = new DatabaseSync(join(dir, "state.db"), { timeout: 5_000 });
});

afterEach(async () => {
  await worker?.stop("test cleanup");
  worker = undefined;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(grace: number, control: Omit<RunControl, "started">, abortWaitMs?: number) {
  const statuses = new Map<string, LedgerStatus>();
  const ledger: LedgerView = {
    lastOutcome: (week) => Promise.resolve(statuses.get(formatIsoWeek(week))),
    isPaused: () => Promise.resolve(false),
  };
  const { run, runWeek } = createRun(control, statuses);
  const { logger, lines } = createCapturingLogger();
  worker = await startWorker({
    settings: settings(grace),
    runWeek,
    ledger,
    clock,
    logger,
    store: { kind: "sqlite", probe: (timeoutMs) => Promise.resolve(probeStoreWritable(db, timeoutMs)) },
    cron: noCron,
    abortWaitMs,
  });
  return { run, lines, statuses };
}

describe("startWorker / stop", () => {
  it("stop() mid-run with no grace aborts the run through its signal, then resolves", async () => {
    const { run, statuses } = await start(0, { honoursAbort: true });
    const signal = await run.started;
    expect(signal.aborted).toBe(false);
    const stopAt = Date.now();
    await worker?.stop("SIGTERM");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(AbortedError);
    expect(run.sawAbortAt).toBeGreaterThanOrEqual(stopAt);
    expect(statuses.get("2020-W40")).toBe("aborted");
    await expect(worker?.done).resolves.toBeUndefined();
  });

  it("the grace period is honoured: a run that ends within it is not aborted", async () => {
    const { run, statuses } = await start(2, { honoursAbort: true, finishAfterMs: 300 });
    const signal = await run.started;
    await worker?.stop("SIGTERM");
    expect(signal.aborted).toBe(false);
    expect(statuses.get("2020-W40")).toBe("succeeded");
    expect(
      worker?.metrics && (await worker.metrics.registry.getSingleMetricAsString("testrota_runs_total")),
    ).toContain('testrota_runs_total{outcome="succeeded"} 1');
  });

  it("a run still going after the grace period is aborted only then", async () => {
    const { run, lines } = await start(1, { honoursAbort: true });
    const signal = await run.started;
    const stopAt = Date.now();
    await worker?.stop("SIGTERM");
    expect(signal.aborted).toBe(true);
    // Not before the grace second, and not much later.
    expect((run.sawAbortAt ?? 0) - stopAt).toBeGreaterThanOrEqual(990);
    expect((run.sawAbortAt ?? 0) - stopAt).toBeLessThan(3_000);
    expect(lines.some((line) => line.level === "warn" && String(line.msg).includes("aborting it"))).toBe(
      true,
    );
  });

  it("a run that ignores the abort does not hold up the shutdown forever", async () => {
    const { run, lines } = await start(0, { honoursAbort: false }, 200);
    await run.started;
    const stopAt = Date.now();
    await worker?.stop("SIGTERM");
    expect(Date.now() - stopAt).toBeLessThan(2_000);
    expect(
      lines.some((line) => line.level === "error" && String(line.msg).includes("did not stop in time")),
    ).toBe(true);
  });

  it("serves /healthz and /readyz while running and closes the port on stop", async () => {
    const { run } = await start(0, { honoursAbort: true, finishAfterMs: 0 });
    await run.started;
    const url = worker?.url ?? "";
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", paused: false });
    await worker?.stop("SIGTERM");
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("stop is idempotent", async () => {
    const { run } = await start(0, { honoursAbort: true, finishAfterMs: 0 });
    await run.started;
    await Promise.all([worker?.stop("SIGTERM"), worker?.stop("SIGINT")]);
    await worker?.stop("again");
    await expect(worker?.done).resolves.toBeUndefined();
  });
});

describe("createLedgerView", () => {
  function storeWith(status: LedgerStatus | undefined) {
    return {
      getRun: () => Promise.resolve(status === undefined ? undefined : { status }),
      getPaused: () => Promise.resolve({ paused: true }),
      readRunLockHolder: () => Promise.resolve(readRunLockHolder(dir)),
    };
  }

  it.each([
    { status: "succeeded" as const, expected: "succeeded" },
    { status: "failed" as const, expected: "failed" },
    { status: "crashed" as const, expected: "crashed" },
    { status: undefined, expected: undefined },
  ])("passes $status through", async ({ status, expected }) => {
    expect(await createLedgerView(storeWith(status)).lastOutcome(w("2020-W40"))).toBe(expected);
  });

  it("running while the week's run lock is held stays running; otherwise it reads as crashed (the process died)", async () => {
    const view = createLedgerView(storeWith("running"));
    expect(await view.lastOutcome(w("2020-W40"))).toBe("crashed");
    const held = acquireRunLock({
      dataDir: dir,
      name: weekLockName(w("2020-W40")),
      holder: { pid: 1, host: "h" },
      now: START,
    });
    if (!held.acquired) throw new Error("run lock not acquired");
    try {
      expect(await view.lastOutcome(w("2020-W40"))).toBe("running");
      // The lock is held, but for another week: W41's `running` record was left by a crash.
      expect(await view.lastOutcome(w("2020-W41"))).toBe("crashed");
    } finally {
      held.lock.release();
    }
    expect(await view.lastOutcome(w("2020-W40"))).toBe("crashed");
    expect(await view.isPaused()).toBe(true);
  });
});
