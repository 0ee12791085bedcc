/*
 * `testrota store migrate --to postgres://…`: a SQLite store with rows in every table is copied
 * into an empty PostgreSQL schema; every table reads back the same, row for row, and through the
 * store's own readers; identity sequences go on after the copied rows; a filled schema is refused.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { COPIED_TABLES } from "../../src/store/copy-store.ts";
import { clientConfig } from "../../src/store/postgres-driver.ts";
import { openPostgresStore } from "../../src/store/postgres-store.ts";
import { openStateStore, type SqliteStateStore } from "../../src/store/sqlite-store.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { CADENCE, CLASSIFICATIONS, PLAN, W44, W45 } from "../fixtures/store/committed-week.ts";
import { freshSchema, startTestPostgres, type TestPostgres } from "../support/postgres-server.ts";
import { createRunFixture, type RunFixture } from "../support/run-fixture.ts";

let server: TestPostgres;
let fixture: RunFixture;

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await server.stop();
}, 60_000);
beforeEach(() => {
  fixture = createRunFixture();
});
afterEach(() => {
  fixture.cleanup();
});

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = { code: 0, stdout: "", stderr: "" };
  const io = {
    stdout: (text: string) => void (result.stdout += text),
    stderr: (text: string) => void (result.stderr += text),
  };
  result.code = await runCli([...args, "--config", fixture.configFile], io, { env: { LOG_LEVEL: "silent" } });
  return result;
}

/** Something in every table the migration copies. */
async function fill(store: StateStore): Promise<void> {
  await store.beginRun({ week: W44, runId: "r1", trigger: "schedule", scheduledFor: "s", startedAt: "a" });
  await store.finishRun({ week: W44, runId: "r1", status: "failed", finishedAt: "b", error: "source down" });
  await store.beginRun({ week: W44, runId: "r2", trigger: "retry", scheduledFor: "s", startedAt: "c" });
  await store.commitWeek({
    week: W44,
    runId: "r2",
    classifications: CLASSIFICATIONS,
    cadence: CADENCE,
    plan: PLAN,
    inputDigest: "d".repeat(64),
    published: { folder: "2020-W44", digest: "e".repeat(64), previousDigest: null },
    rosters: [{ municipalityCode: 101, sha256: "f".repeat(64), staff: [] }],
  });
  await store.finishRun({
    week: W44,
    runId: "r2",
    status: "succeeded",
    finishedAt: "d",
    summary: { red: 1 },
  });
  const override = { municipalityCode: 101, from: W44, to: W45, siteIds: [], reason: "r", author: "ops" };
  await store.addOverride({ ...override, id: "o1", action: "keep-green", createdAt: "t1" });
  await store.addOverride({ ...override, id: "o2", action: "force-red", createdAt: "t2" });
  await store.removeOverride("o1", { author: "ops", removedAt: "t3", note: "over" });
  await store.setPaused({ paused: true, note: "strike", author: "ops", at: "t4" });
  await store.setPaused({ paused: false, note: "over", author: "ops", at: "t5" });
  const recipient = { role: "municipality", codes: [101], email: "k@example.invalid", label: "K" } as const;
  await store.addRecipient({
    ...recipient,
    id: "m-101",
    tokenHash: "a".repeat(64),
    expiresAt: null,
    author: "ops",
    at: "t6",
  });
  await store.rotateRecipientToken("m-101", { tokenHash: "b".repeat(64), author: "ops", at: "t7" });
  await store.recordDownload({
    recipientId: "m-101",
    week: "2020-W44",
    path: "101/rota.pdf",
    bytes: 1234,
    at: "t8",
  });
  const note = {
    week: "2020-W44",
    channel: "mail",
    target: "m-101",
    payload: "{}",
    createdAt: "t9",
  } as const;
  await store.enqueueNotifications([
    { ...note, key: "k1", dueAt: 10 },
    { ...note, key: "k2", dueAt: 20 },
  ]);
  const outcome = { municipalityCode: 101, employeeId: "E0001", date: "2020-11-03", shift: "day" } as const;
  await store.importAttendance(
    [
      {
        testWeek: W45,
        municipalityCode: 101,
        digest: "g",
        fileName: "101.csv",
        fileSha256: "h",
        format: "csv",
        outcomes: [{ ...outcome, outcome: "taken", sampleId: "P-1" }],
        counts: { rows: 1, taken: 1, declined: 0, absent: 0, blank: 0 },
      },
    ],
    { author: "coordinator", at: "t10" },
  );
  await store.saveRawCapture({
    week: W44,
    runId: "r2",
    capturedAt: "2020-10-28T11:00:00.000Z",
    payloads: [
      {
        name: "Municipality_test_pos.csv",
        origin: "https://ssi.example/test_pos",
        bytes: encoder.encode("101;1\r\n"),
      },
      { name: "empty.csv", origin: "/data/empty.csv", bytes: new Uint8Array() },
    ],
  });
}

const encoder = new TextEncoder();

/** A capture as testrota wrote it before schema 6: files in the data directory. */
function writeFileCapture(dataDir: string): void {
  const dir = join(dataDir, "raw", "2020-W43", "r0");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "series.csv.gz"), gzipSync(encoder.encode("a;b\n")));
  const entry = {
    name: "series.csv",
    origin: "/data/series.csv",
    file: "series.csv.gz",
    // sha256sum of the 4 bytes "a;b\n".
    sha256: "9a8be2eb1604c06722f17a9bbdb1160123efa0dcf87979013ead941593977af2",
    bytes: 4,
  };
  writeFileSync(
    join(dir, "manifest.json"),
    JSON.stringify({ week: "2020-W43", runId: "r0", payloads: [entry] }),
  );
}

/** A column value both stores write alike: integers as numbers, bytes as hex. */
function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return value;
}

/** A table's rows as JSON objects with sorted keys, in a stable order (the two stores compare). */
function normalise(rows: readonly Record<string, unknown>[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(row)
            .map(([key, value]) => [key, plainValue(value)] as const)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        ),
      ),
    )
    .sort();
}

async function postgresRows(schema: string, table: string): Promise<string[]> {
  const client = new pg.Client(clientConfig({ url: server.url, schema }));
  await client.connect();
  try {
    return normalise((await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`)).rows);
  } finally {
    await client.end();
  }
}

/** What the store's readers return, for both stores alike. */
async function readBack(store: StateStore) {
  return {
    runs: await store.listRuns(),
    classifications: await store.loadClassifications(W44),
    cadence: await store.loadCadence(W44),
    tests: await store.loadPlannedTests(W45),
    slots: await store.loadSlotsBefore(W45),
    deferred: await store.loadDeferredBefore(W45),
    deferrals: await store.loadDeferralReports(W44),
    published: await store.listPublished(),
    overrides: await store.listOverrides({ includeRemoved: true }),
    paused: await store.getPaused(),
    recipients: await store.listRecipients({ includeRemoved: true }),
    events: await store.listRecipientEvents(),
    downloads: await store.listDownloads(),
    notifications: await store.listNotifications(),
    returns: await store.listAttendanceReturns(),
    audit: await store.listAttendanceAudit(),
    roster: await store.loadGoodRoster(101),
    capturedWeeks: await store.listRawCaptureWeeks(),
    capture: await store.loadRawCapture(W44),
  };
}

describe("store migrate", () => {
  it("copies every table of the SQLite store into PostgreSQL, row for row", async () => {
    const sqlite: SqliteStateStore = openStateStore(join(fixture.dataDir, "testrota.sqlite"));
    await fill(sqlite);
    await sqlite.close();
    // A capture an earlier version kept as files: moved into the SQLite store, then copied.
    writeFileCapture(fixture.dataDir);

    const schema = freshSchema("migrate");
    const migrated = await cli(["store", "migrate", "--to", server.url, "--schema", schema, "--json"]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(existsSync(join(fixture.dataDir, "raw"))).toBe(false);

    // What was copied: the SQLite store as the migration left it.
    const source = openStateStore(join(fixture.dataDir, "testrota.sqlite"));
    const expected = await readBack(source);
    const sqliteRows = new Map<string, string[]>();
    for (const table of COPIED_TABLES) {
      sqliteRows.set(table, normalise(source.db.prepare(`SELECT * FROM ${table}`).all()));
    }
    await source.close();
    expect(expected.capturedWeeks.map((w) => [w.week.week, w.runs, w.payloads, w.bytes])).toEqual([
      [43, 1, 1, 4],
      [44, 1, 2, 7],
    ]);
    const summary = JSON.parse(migrated.stdout) as { to: string; tables: { table: string; rows: number }[] };
    // The password never shows: the target is named by its redacted URL.
    expect(summary.to).toBe(`postgres://127.0.0.1:${server.port}/postgres (schema ${schema})`);
    expect(migrated.stdout).not.toContain("testrota-test");
    for (const table of COPIED_TABLES) {
      const rows = sqliteRows.get(table) ?? [];
      expect(rows.length, `${table} has rows to copy`).toBeGreaterThan(0);
      expect(summary.tables.find((t) => t.table === table)?.rows).toBe(rows.length);
      expect(await postgresRows(schema, table), table).toEqual(rows);
    }

    const postgres = await openPostgresStore({ url: server.url, schema });
    try {
      expect(await readBack(postgres)).toEqual(expected);
      const moved = await postgres.loadRawCapture({ year: 2020, week: 43 });
      expect(moved.payloads.map((p) => [p.name, p.origin, new TextDecoder().decode(p.bytes)])).toEqual([
        ["series.csv", "/data/series.csv", "a;b\n"],
      ]);
      // Identity sequences go on after the copied rows: a new override comes last.
      await postgres.addOverride({
        municipalityCode: 825,
        from: W45,
        to: W45,
        siteIds: [],
        reason: "r",
        author: "ops",
        id: "o3",
        action: "keep-green",
        createdAt: "t11",
      });
      expect((await postgres.listOverrides({ includeRemoved: true })).map((o) => o.id)).toEqual([
        "o1",
        "o2",
        "o3",
      ]);
    } finally {
      await postgres.close();
    }

    // A schema that holds a store already is refused, untouched.
    const again = await cli(["store", "migrate", "--to", server.url, "--schema", schema]);
    expect(again.code).toBe(64);
    expect(again.stderr).toContain(`already holds a store (run_attempts: 2 rows), expected an empty schema`);
  }, 120_000);

  it("refuses a target that is not a PostgreSQL URL", async () => {
    const result = await cli(["store", "migrate", "--to", "mysql://u:secret@h/db"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--to: got "mysql://h/db", expected a postgres:// or postgresql:// URL');
    expect(result.stderr).not.toContain("secret");
  });
});
