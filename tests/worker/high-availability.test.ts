import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatIsoWeek, weekRange, type IsoWeek } from "../../src/domain/calendar.ts";
import { openPostgresStore } from "../../src/store/postgres-store.ts";
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

function replica(
  fixture: RunFixture,
  name: string,
  weeks: [IsoWeek, IsoWeek],
  killAt?: string,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const args = [REPLICA, fixture.configFile, formatIsoWeek(weeks[0]), formatIsoWeek(weeks[1])];
    const child = spawn(process.execPath, killAt === undefined ? args : [...args, killAt], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        TESTROTA_DATABASE_URL: server.url,
        TESTROTA_DATA_DIR: join(fixture.dir, `data-${name}`),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
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
});
