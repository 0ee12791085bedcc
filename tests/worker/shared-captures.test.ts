/*
 * Raw captures shared through a PostgreSQL store: installation A (its own data and out folders)
 * runs 2020-W40, fetching SSI's files of 30 September 2020 from a server on 127.0.0.1; the server
 * then goes away, and installation B (other data and out folders, the same store) replays the week
 * offline from A's capture. B's published folder is byte-identical to A's, and neither data
 * directory holds a capture file.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import { RUNS_MARKER } from "../../src/store/open-database.ts";
import { openPostgresStore } from "../../src/store/postgres-store.ts";
import { serveFile, startFaultServer, type FaultServer } from "../support/fault-server.ts";
import { clearProxyEnv } from "../support/http-test-settings.ts";
import { freshSchema, startTestPostgres, type TestPostgres } from "../support/postgres-server.ts";
import { createRunFixture, DEMO_SSI, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";

const W40: IsoWeek = { year: 2020, week: 40 };
const SERIES_PATH = "/ssi/Municipality_cases_time_series.csv";
const TEST_POS_PATH = "/ssi/Municipality_test_pos.csv";

let server: TestPostgres;
let ssi: FaultServer;
let fixture: RunFixture;
let schema: string;

beforeAll(async () => {
  clearProxyEnv();
  server = await startTestPostgres();
  ssi = await startFaultServer();
  const data = join(DEMO_SSI, "2020-09-30");
  ssi.setRoute(SERIES_PATH, { respond: serveFile(join(data, "Municipality_cases_time_series.csv")) });
  ssi.setRoute(TEST_POS_PATH, { respond: serveFile(join(data, "Municipality_test_pos.csv")) });
  schema = freshSchema("captures");
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    json.store = { type: "postgres", schema };
    json.source = { type: "ssi", timeSeries: ssi.urlOf(SERIES_PATH), testPos: ssi.urlOf(TEST_POS_PATH) };
  });
}, 60_000);

afterAll(async () => {
  fixture.cleanup();
  await server.stop();
}, 60_000);

/** Runs the CLI as installation `name`: its own data and out folders, the shared store. */
async function cliAs(name: string, args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const io = { stdout: () => undefined, stderr: (text: string) => void (stderr += text) };
  const env = {
    LOG_LEVEL: "silent",
    TESTROTA_DATABASE_URL: server.url,
    TESTROTA_DATA_DIR: join(fixture.dir, `data-${name}`),
    TESTROTA_OUT_DIR: join(fixture.dir, `out-${name}`),
  };
  const code = await runCli([...args, "--config", fixture.configFile], io, { env });
  return { code, stderr };
}

/** Every file under `dir`, by relative path, with its bytes. */
function filesIn(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  visit(dir);
  return files;
}

describe("raw captures in a shared PostgreSQL store", () => {
  it("an offline replay on installation B publishes what A's run published, byte for byte", async () => {
    const ran = await cliAs("a", ["run", "--week", "2020-W40"]);
    expect(ran.code, ran.stderr).toBe(0);

    expect(ssi.requests.map((r) => r.url.pathname).sort()).toEqual([SERIES_PATH, TEST_POS_PATH].sort());
    // The source is gone: B can only read the capture A left in the store.
    await ssi.close();

    const replayed = await cliAs("b", ["replay", "--from", "2020-W40", "--to", "2020-W40", "--offline"]);
    expect(replayed.code, replayed.stderr).toBe(0);

    const published = filesIn(join(fixture.dir, "out-a", "2020-W40"));
    const fromCapture = filesIn(join(fixture.dir, "out-b", "2020-W40"));
    expect([...published.keys()].sort()).toContain("classification.csv");
    expect([...fromCapture.keys()].sort()).toEqual([...published.keys()].sort());
    for (const [path, bytes] of published) {
      expect(fromCapture.get(path)?.equals(bytes), path).toBe(true);
    }

    // Both runs captured into the store (B's replay saved the payloads it read from A's capture);
    // the data directories hold the runs marker and no capture files.
    const store = await openPostgresStore({ url: server.url, schema });
    try {
      const [week] = await store.listRawCaptureWeeks();
      expect(week).toMatchObject({ week: W40, runs: 2, payloads: 4 });
      const runs = (await store.listAttempts(W40)).map((a) => [a.trigger, a.status, a.runId]);
      expect(runs.map(([trigger, status]) => [trigger, status])).toEqual([
        ["cli", "succeeded"],
        ["replay", "succeeded"],
      ]);
      const [first, last] = runs;
      const capturedByA = await store.loadRawCapture(W40, String(first?.[2]));
      const capturedByB = await store.loadRawCapture(W40, String(last?.[2]));
      expect(capturedByB.payloads).toEqual(capturedByA.payloads);
      expect(capturedByA.payloads.map((p) => p.name)).toEqual([
        "Municipality_cases_time_series.csv",
        "Municipality_test_pos.csv",
      ]);
    } finally {
      await store.close();
    }
    for (const name of ["a", "b"]) {
      const dataDir = join(fixture.dir, `data-${name}`);
      expect(existsSync(join(dataDir, RUNS_MARKER)), name).toBe(true);
      expect(existsSync(join(dataDir, "raw")), name).toBe(false);
    }
  }, 300_000);
});
