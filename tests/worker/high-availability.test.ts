import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatIsoWeek, weekRange, type IsoWeek } from "../../src/domain/calendar.ts";
import { loadConfig } from "../../src/config.ts";
import { scheduledRunOf } from "../../src/domain/schedule.ts";
import { openPostgresStore } from "../../src/store/postgres-store.ts";
import { createApp, runForScheduler } from "../../src/worker/app.ts";
import { createScheduler, type SchedulerSettings } from "../../src/worker/scheduler.ts";
import { createLedgerView } from "../../src/worker/worker.ts";
import type { RunOutcome } from "../../src/worker/worker-types.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { createRunFixture, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";
import { freshSchema, startTestPostgres, type TestPostgres } from "../support/postgres-server.ts";

/*
 * Several replicas on one PostgreSQL store and one out folder (tests/fixtures/worker/ha-replica.ts,
 * each a separate process with its own data directory and the same clock): every week runs
 * exactly once, and a replica killed mid-run leaves no lock behind: another catches the week up.
 */

const REPLICA = join(import.meta.dirname, "../fixtures/worker/ha-replica.ts");
const FROM: IsoWeek = { year: 2020, week: 31 };
const TO: IsoWeek = { year: 2020, week: 40 };

type Exit = { code: number | null; signal: string | null; stdout: string; stderr: string };

let server: TestPostgres;
const fixtures: RunFixture[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  for (const fixture of fixtures) fixture.cleanup();
  await server.stop();
}, 60_000);

/** An installation whose store is the test server's schema `schema`. */
function installation(schema: string): RunFixture {
  const fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    json.store = { type: "postgres", schema };
  });
  fixtures.push(fixture);
  return fixture;
}

/** The environment of replica `name`: the test server's store, its own data directory. */
function replicaEnv(fixture: RunFixture, name: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TESTROTA_DATABASE_URL: server.url,
    TESTROTA_DATA_DIR: join(fixture.dir, `data-${name}`),
  };
}

/** Starts a replica process; `exit` settles when it ends, `child` is there to kill it. */
function startReplica(
  fixture: RunFixture,
  name: string,
  weeks: [IsoWeek, IsoWeek],
  killAt?: string,
): { child: ChildProcessByStdio<null, Readable, Readable>; exit: Promise<Exit> } {
  const args = [REPLICA, fixture.configFile, formatIsoWeek(weeks[0]), formatIsoWeek(weeks[1])];
  const child = spawn(process.execPath, killAt === undefined ? args : [...args, killAt], {
    stdio: ["ignore", "pipe", "pipe"],
    env: replicaEnv(fixture, name),
  });
  const exit = new Promise<Exit>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exit };
}

function replica(
  fixture: RunFixture,
  name: string,
  weeks: [IsoWeek, IsoWeek],
  killAt?: string,
): Promise<Exit> {
  return startReplica(fixture, name, weeks, killAt).exit;
}

/** Settles when the process prints `line` on stdout (the replica's "held <step>"). */
function printed(child: ChildProcessByStdio<null, Readable, Readable>, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split("\n").includes(line)) resolve();
    });
    child.once("exit", () => reject(new Error(`replica ended before printing "${line}"`)));
  });
}

/** The weeks a replica says it ran. */
function ranBy(exit: Exit): string[] {
  const line = exit.stdout.split("\n").find((l) => l.startsWith("ran"));
  return (line ?? "ran").split(" ").slice(1).filter(Boolean);
}

describe("replicas on one PostgreSQL store", () => {
  it("three replicas with the same clock run each of 10 weeks exactly once", async () => {
    const schema = freshSchema("ha");
    const fixture = installation(schema);
    const exits = await Promise.all(["a", "b", "c"].map((name) => replica(fixture, name, [FROM, TO])));
    for (const exit of exits) expect(exit.code, exit.stderr.slice(-2000)).toBe(0);

    const weeks = weekRange(FROM, TO).map(formatIsoWeek);
    // Between them the replicas ran every week once: no week twice, none left out.
    expect(exits.flatMap(ranBy).sort()).toEqual(weeks);
    const store = await openPostgresStore({ url: server.url, schema });
    try {
      for (const week of weekRange(FROM, TO)) {
        expect((await store.listAttempts(week)).map((a) => a.status)).toEqual(["succeeded"]);
      }
      expect((await store.listPublished()).map((p) => p.folder)).toEqual(weeks);
    } finally {
      await store.close();
    }
    for (const week of weeks) expect(existsSync(join(fixture.outDir, week, "manifest.json"))).toBe(true);
    expect(readdirSync(fixture.outDir).filter((name) => name.startsWith("."))).toEqual([]);
  }, 1_200_000);

  it("a replica SIGKILLed mid-run leaves the week to the next replica's tick", async () => {
    const schema = freshSchema("ha");
    const fixture = installation(schema);
    const killed = await replica(fixture, "a", [FROM, FROM], "run:fetched");
    expect(killed.signal, killed.stderr.slice(-2000)).toBe("SIGKILL");

    // The killed replica's lock died with its connection: the other one runs the week at once.
    const other = await replica(fixture, "b", [FROM, FROM]);
    expect(other.code, other.stderr.slice(-2000)).toBe(0);
    expect(ranBy(other)).toEqual([formatIsoWeek(FROM)]);
    expect(other.stderr).not.toContain("week held by another replica");
    const store = await openPostgresStore({ url: server.url, schema });
    try {
      expect((await store.listAttempts(FROM)).map((a) => a.status)).toEqual(["crashed", "succeeded"]);
    } finally {
      await store.close();
    }
    expect(existsSync(join(fixture.outDir, formatIsoWeek(FROM), "manifest.json"))).toBe(true);
  }, 300_000);

  it("a replica SIGKILLed mid-run while another is up: the other's scheduler takes the week over at its next look", async () => {
    const schema = freshSchema("ha");
    const fixture = installation(schema);
    const peer = startReplica(fixture, "a", [FROM, FROM], "hold:run:fetched");
    await printed(peer.child, "held run:fetched");

    // Replica b: the real scheduler over the real store, its clock on FROM's Wednesday run time.
    // Its look interval is shortened to 1.2 s (the scheduler takes minutes as a number).
    const config = loadConfig(fixture.configFile, replicaEnv(fixture, "b"));
    const { logger, lines } = createCapturingLogger("info");
    const app = await createApp({ config, logger });
    const settings: SchedulerSettings = {
      time: config.worker.time,
      zone: config.timezone,
      retryEveryMinutes: 0.02,
      lastAttempt: config.worker.lastAttempt,
      catchUpWeeks: 0,
      firstWeek: FROM,
    };
    let tookOver: (outcome: RunOutcome) => void = () => undefined;
    const outcome = new Promise<RunOutcome>((resolve) => (tookOver = resolve));
    const runWeek = runForScheduler(app);
    const scheduler = createScheduler({
      runWeek: async (week, options) => {
        const result = await runWeek(week, options);
        tookOver(result);
        return result;
      },
      ledger: createLedgerView(app.store),
      clock: () => scheduledRunOf(FROM, settings) + 30_000,
      settings,
      logger,
      cron: { schedule: () => ({ destroy: () => undefined }) },
    });
    try {
      await scheduler.start();
      await scheduler.inFlight();
      // The peer holds the week: b starts nothing and says it will look again.
      expect(lines.find((line) => line.msg.startsWith("weeks run by another process"))?.weeks).toEqual([
        formatIsoWeek(FROM),
      ]);
      expect((await app.store.listAttempts(FROM)).map((a) => a.status)).toEqual(["running"]);

      peer.child.kill("SIGKILL");
      expect((await peer.exit).signal).toBe("SIGKILL");
      // The peer's lock died with its connection; b's next look runs the week.
      const result = await outcome;
      expect([result.status, result.error]).toEqual(["succeeded", undefined]);
      await scheduler.inFlight();
      expect((await app.store.listAttempts(FROM)).map((a) => a.status)).toEqual(["crashed", "succeeded"]);
      expect(existsSync(join(fixture.outDir, formatIsoWeek(FROM), "manifest.json"))).toBe(true);
    } finally {
      await scheduler.stop();
      await app.close();
      peer.child.kill("SIGKILL");
    }
  }, 300_000);
});
