/*
 * Incidence sources over HTTP, end to end: the composition root (`createApp`) with the
 * configured `ssi` source pointing at a real node:http server on 127.0.0.1 that serves SSI's
 * published files of 30 September 2020 byte for byte (tests/support/fault-server.ts), through
 * the production undici client. The expectation is the same installation reading the bundled
 * files from disk, so any difference comes from the HTTP path.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { describeFailure } from "../../src/cli.ts";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import { SourceError } from "../../src/errors.ts";
import { replayWeeks } from "../../src/commands/replay.ts";
import { createApp, type App } from "../../src/worker/app.ts";
import { createCapturingLogger, type CapturedLog } from "../support/capturing-logger.ts";
import { serveFile, startFaultServer, type Fault, type FaultServer } from "../support/fault-server.ts";
import { clearProxyEnv } from "../support/http-test-settings.ts";
import { createRunFixture, DEMO_SSI, type RunFixture } from "../support/run-fixture.ts";

const W39: IsoWeek = { year: 2020, week: 39 };
const W40: IsoWeek = { year: 2020, week: 40 };
const SMALL_ROSTER = { seed: 7, staffShare: 0.004, referenceDate: "2020-09-30" };
const DATA = join(DEMO_SSI, "2020-09-30");
const SERIES_PATH = "/ssi/2020-09-30/Municipality_cases_time_series.csv";
const TEST_POS_PATH = "/ssi/2020-09-30/Municipality_test_pos.csv";
/** An access token in the query, as a real feed might need: it must never be printed or logged. */
const SECRET = "s3cret-token-value";
const FAST_HTTP = {
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 2_000,
  bodyTimeoutMs: 2_000,
  deadlineMs: 3_000,
  maxAttempts: 3,
  minBackoffMs: 10,
  maxBackoffMs: 40,
};

let server: FaultServer;
let serverOpen = false;
let fixtures: RunFixture[] = [];
/** classification.csv of 2020-W40 from the bundled files on disk. */
let fromDisk: Buffer;

function useFixture(patch?: (json: Record<string, unknown>) => void): RunFixture {
  const fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    patch?.(json);
  });
  fixtures.push(fixture);
  return fixture;
}

/** A fixture whose source is the SSI pair on the fault server, with a token in each URL. */
function useHttpFixture(): RunFixture {
  return useFixture((json) => {
    json.source = {
      type: "ssi",
      timeSeries: `${server.urlOf(SERIES_PATH)}?token=${SECRET}`,
      testPos: `${server.urlOf(TEST_POS_PATH)}?token=${SECRET}`,
    };
    json.http = FAST_HTTP;
  });
}

function serveGoodPair(): void {
  server.setRoute(SERIES_PATH, { respond: serveFile(join(DATA, "Municipality_cases_time_series.csv")) });
  server.setRoute(TEST_POS_PATH, { respond: serveFile(join(DATA, "Municipality_test_pos.csv")) });
}

async function withApp<T>(
  fixture: RunFixture,
  fn: (app: App, lines: CapturedLog[]) => Promise<T>,
): Promise<T> {
  const { logger, lines } = createCapturingLogger("debug");
  const app = await createApp({ config: fixture.config(), logger });
  try {
    return await fn(app, lines);
  } finally {
    await app.close();
  }
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

function snapshot(dir: string): Map<string, Buffer> {
  return new Map(listFiles(dir).map((file) => [file, readFileSync(join(dir, file))]));
}

function classificationOf(fixture: RunFixture, week = "2020-W40"): Buffer {
  return readFileSync(join(fixture.outDir, week, "classification.csv"));
}

beforeAll(async () => {
  const disk = useFixture();
  await withApp(disk, (app) => app.runWeek(W40, { trigger: "cli" }));
  fromDisk = classificationOf(disk);
  disk.cleanup();
  fixtures = [];
});

beforeEach(async () => {
  clearProxyEnv();
  server = await startFaultServer();
  serverOpen = true;
});

afterEach(async () => {
  if (serverOpen) await server.close();
  serverOpen = false;
  vi.unstubAllEnvs();
  for (const fixture of fixtures) fixture.cleanup();
  fixtures = [];
});

describe("the ssi source over HTTP", () => {
  it("publishes a classification.csv byte-identical to the one from the bundled files", async () => {
    serveGoodPair();
    const fx = useHttpFixture();
    const { report, lines } = await withApp(fx, async (app, logLines) => ({
      report: await app.runWeek(W40, { trigger: "cli" }),
      lines: logLines,
    }));
    expect(report.week).toBe("2020-W40");
    expect(classificationOf(fx).equals(fromDisk)).toBe(true);
    expect(
      fromDisk
        .toString("utf8")
        .split("\r\n")
        .filter((l) => l !== ""),
    ).toHaveLength(99);
    // Each file was fetched once, with the token; the token never reached the logs.
    for (const path of [SERIES_PATH, TEST_POS_PATH]) {
      const requests = server.requestsTo(path);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.url.searchParams.get("token")).toBe(SECRET);
    }
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(server.unhandled).toEqual([]);
  });

  it("a source answering 500 forever fails the run with exit 69; nothing published, last week intact", async () => {
    serveGoodPair();
    const fx = useHttpFixture();
    await withApp(fx, (app) => app.runWeek(W39, { trigger: "cli" }));
    const publishedDir = join(fx.outDir, "2020-W39");
    const before = snapshot(publishedDir);
    expect(before.has("classification.csv")).toBe(true);

    const down: Fault = { kind: "status", status: 500 };
    server.setRoute(SERIES_PATH, {
      respond: serveFile(join(DATA, "Municipality_cases_time_series.csv")),
      faults: Array.from({ length: 10 }, () => down),
    });
    server.setRoute(TEST_POS_PATH, {
      respond: serveFile(join(DATA, "Municipality_test_pos.csv")),
      faults: Array.from({ length: 10 }, () => down),
    });
    const countsBefore = [SERIES_PATH, TEST_POS_PATH].map((path) => server.requestsTo(path).length);
    const { error, run, lines } = await withApp(fx, async (app, logLines) => ({
      error: await app.runWeek(W40, { trigger: "cli" }).catch((e: unknown) => e),
      run: await app.store.getRun(W40),
      lines: logLines,
    }));

    expect(error).toBeInstanceOf(SourceError);
    const failure = describeFailure(error);
    expect(failure.code).toBe(69);
    expect(failure.message).not.toContain("\n");
    // The two files are fetched in parallel: the first to give up names its URL (redacted).
    const named = [SERIES_PATH, TEST_POS_PATH].filter((path) =>
      failure.message.includes(`${server.urlOf(path)}?token=REDACTED`),
    );
    expect(named).toHaveLength(1);
    expect(failure.message).toContain("500");
    expect(failure.message).not.toContain(SECRET);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    // maxAttempts 3: the file that failed the run was asked exactly three times, the other at most.
    const attempts = [SERIES_PATH, TEST_POS_PATH].map(
      (path, i) => server.requestsTo(path).length - (countsBefore[i] ?? 0),
    );
    expect(attempts[named[0] === SERIES_PATH ? 0 : 1]).toBe(3);
    expect(Math.max(...attempts)).toBeLessThanOrEqual(3);

    expect(existsSync(join(fx.outDir, "2020-W40"))).toBe(false);
    expect(readdirSync(fx.outDir)).toEqual(["2020-W39"]);
    const after = snapshot(publishedDir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, bytes] of before) expect(after.get(file)?.equals(bytes), file).toBe(true);
    expect(run?.status).toBe("failed");
    expect(run?.error).not.toContain(SECRET);
  });

  it("a server that truncates the time-series body fails the run and publishes nothing", async () => {
    serveGoodPair();
    const truncate: Fault = { kind: "truncate" };
    server.setRoute(SERIES_PATH, {
      respond: serveFile(join(DATA, "Municipality_cases_time_series.csv")),
      faults: Array.from({ length: 10 }, () => truncate),
    });
    const fx = useHttpFixture();
    const { error, run } = await withApp(fx, async (app) => ({
      error: await app.runWeek(W40, { trigger: "cli" }).catch((e: unknown) => e),
      run: await app.store.getRun(W40),
    }));
    expect(error).toBeInstanceOf(SourceError);
    const failure = describeFailure(error);
    expect(failure.code).toBe(69);
    expect(failure.message).toContain(server.urlOf(SERIES_PATH));
    expect(failure.message).not.toContain(SECRET);
    expect(server.requestsTo(SERIES_PATH)).toHaveLength(3);
    expect(existsSync(join(fx.outDir, "2020-W40"))).toBe(false);
    expect(run?.status).toBe("failed");
  });
});

describe("replay --offline", () => {
  it("reproduces the online run's classification.csv from the captures, with the server gone", async () => {
    serveGoodPair();
    const fx = useHttpFixture();
    const runId = await withApp(fx, async (app) => {
      const report = await app.runWeek(W40, { trigger: "cli" });
      // The run's two SSI files are captured in the store, under its run id.
      const captured = await app.store.loadRawCapture(W40);
      expect(captured.runId).toBe(report.runId);
      expect(captured.payloads.map((p) => p.name)).toEqual([
        "Municipality_cases_time_series.csv",
        "Municipality_test_pos.csv",
      ]);
      return report.runId;
    });
    const online = classificationOf(fx);
    expect(online.equals(fromDisk)).toBe(true);

    await server.close();
    serverOpen = false;
    const requestsBefore = server.requests.length;
    const reports = await withApp(fx, (app) => replayWeeks(app, W40, W40, { offline: true }));
    expect(reports.map((r) => r.week)).toEqual(["2020-W40"]);
    expect(server.requests.length).toBe(requestsBefore);
    expect(classificationOf(fx).equals(online)).toBe(true);
    expect(reports[0]?.runId).not.toBe(runId);
  });
});
