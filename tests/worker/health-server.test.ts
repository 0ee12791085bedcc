import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import { probeStoreWritable } from "../../src/store/sqlite-store.ts";
import { assessReadiness, startHealthServer, type HealthServer } from "../../src/worker/health-server.ts";
import {
  createMetrics,
  recordFetchAttempt,
  recordRunOutcome,
  type WorkerMetrics,
} from "../../src/worker/metrics.ts";

function w(text: string): IsoWeek {
  const week = parseIsoWeek(text);
  if (week === undefined) throw new Error(`bad week ${text}`);
  return week;
}

let dir: string;
let db: DatabaseSync;
let server: HealthServer | undefined;
let metrics: WorkerMetrics;
let ledgerReadable = true;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "testrota-health-"));
  db = new DatabaseSync(join(dir, "state.db"), { timeout: 5_000 });
  db.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (a)");
  ledgerReadable = true;
  metrics = createMetrics();
  server = await startHealthServer({
    host: "127.0.0.1",
    port: 0,
    registry: metrics.registry,
    readiness: () =>
      assessReadiness({
        store: { kind: "sqlite", probe: (timeoutMs) => Promise.resolve(probeStoreWritable(db, timeoutMs)) },
        leading: () => false,
        lastRun: () => {
          if (!ledgerReadable) return Promise.reject(new Error("no such table: run_attempts"));
          return Promise.resolve({ week: "2020-W40", status: "succeeded" });
        },
        paused: () => Promise.resolve(false),
      }),
  });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  if (db.isOpen) db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string, init?: RequestInit) {
  const response = await fetch(`${server?.url ?? ""}${path}`, init);
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    text: await response.text(),
  };
}

describe("health server", () => {
  it("listens on 127.0.0.1 with a free port", () => {
    expect(server?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server?.port).toBeGreaterThan(0);
  });

  it("/healthz answers 200 ok", async () => {
    const response = await get("/healthz");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ status: "ok" });
  });

  it("/readyz is 200 with the last run when the store is writable and the ledger readable", async () => {
    const response = await get("/readyz");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      status: "ready",
      reasons: [],
      storeType: "sqlite",
      store: "writable",
      leading: false,
      lastRun: { week: "2020-W40", status: "succeeded" },
      paused: false,
    });
  });

  it("/readyz is 503 with the reason when the run ledger cannot be read", async () => {
    ledgerReadable = false;
    const response = await get("/readyz");
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toMatchObject({
      status: "not-ready",
      reasons: ["run ledger unreadable: no such table: run_attempts"],
    });
  });

  it("/readyz is 503 when the store is closed", async () => {
    db.close();
    const response = await get("/readyz");
    expect(response.status).toBe(503);
    expect((JSON.parse(response.text) as { reasons: string[] }).reasons).toEqual(["state store is closed"]);
  });

  it("/metrics lists the worker's metrics with values after a recorded outcome", async () => {
    recordRunOutcome(
      metrics,
      {
        week: w("2020-W40"),
        runId: "r1",
        status: "succeeded",
        durationMs: 2_500,
        summary: { red: 7, green: 91, tests: 1234, deferred: 5, rostersIsolated: 2 },
      },
      Date.parse("2020-09-30T08:00:03Z"),
    );
    recordRunOutcome(
      metrics,
      { week: w("2020-W41"), runId: "r2", status: "failed", durationMs: 100, error: "source down" },
      0,
    );
    recordFetchAttempt(metrics, false);
    recordFetchAttempt(metrics, true);
    const response = await get("/metrics");
    expect(response.status).toBe(200);
    expect(response.type).toContain("text/plain");
    const lines = response.text.split("\n");
    const expected = [
      'testrota_runs_total{outcome="succeeded"} 1',
      'testrota_runs_total{outcome="failed"} 1',
      "testrota_run_duration_seconds_count 2",
      "testrota_run_duration_seconds_sum 2.6",
      `testrota_last_success_timestamp_seconds{week="2020-W40"} ${Date.parse("2020-09-30T08:00:03Z") / 1000}`,
      "testrota_fetch_attempts_total 2",
      "testrota_fetch_failures_total 1",
      'testrota_municipalities{status="red"} 7',
      'testrota_municipalities{status="green"} 91',
      "testrota_tests_planned 1234",
      "testrota_tests_deferred 5",
      "testrota_rosters_isolated 2",
    ];
    for (const line of expected) expect(lines).toContain(line);
    // Default process metrics are there too.
    expect(response.text).toContain("process_cpu_user_seconds_total");
    expect(response.text).toContain("nodejs_heap_size_used_bytes");
  });

  it("keeps last-success series for the latest few weeks only", async () => {
    for (const week of ["2020-W38", "2020-W39", "2020-W40", "2020-W41", "2020-W42"]) {
      recordRunOutcome(
        metrics,
        { week: w(week), runId: week, status: "succeeded", durationMs: 1 },
        Date.parse("2020-10-14T08:00:00Z"),
      );
    }
    const text = (await get("/metrics")).text;
    const weeks = [...text.matchAll(/testrota_last_success_timestamp_seconds\{week="([^"]+)"\}/g)].map(
      (m) => m[1],
    );
    expect(weeks).toEqual(["2020-W39", "2020-W40", "2020-W41", "2020-W42"]);
  });

  it("unknown paths are 404 and other methods 405", async () => {
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/healthz", { method: "POST" })).status).toBe(405);
  });

  it("a second server on the same port fails to start", async () => {
    await expect(
      startHealthServer({
        host: "127.0.0.1",
        port: server?.port ?? 0,
        registry: metrics.registry,
        readiness: () => Promise.resolve({ ready: true, reasons: [], details: {} }),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("probeStoreWritable", () => {
  it("a writable store passes and nothing changes", () => {
    db.exec("PRAGMA user_version = 7");
    expect(probeStoreWritable(db)).toEqual({ writable: true });
    expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: 7 });
    expect(db.prepare("PRAGMA busy_timeout").get()).toEqual({ timeout: 5_000 });
  });

  it("a read-only connection fails", () => {
    const readOnly = new DatabaseSync(join(dir, "state.db"), { readOnly: true });
    try {
      const probe = probeStoreWritable(readOnly);
      expect(probe.writable).toBe(false);
      expect(probe.writable ? "" : probe.problem).toMatch(/^state store not writable: .*readonly/);
    } finally {
      readOnly.close();
    }
  });

  it("another process writing is reported, not failed, and does not block long", () => {
    const other = new DatabaseSync(join(dir, "state.db"));
    other.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      expect(probeStoreWritable(db, 50)).toEqual({ writable: true, note: "another process is writing" });
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  });
});
