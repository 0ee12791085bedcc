/*
 * undici's own per-attempt timeouts, on fake time. undici measures its headers and body timeouts
 * with a shared tick timer that it creates on first use, so the fake timers are installed before
 * this file's first request (each test file runs in its own process) and the test advances them
 * once the server holds the request: the timeout fires without a real wait.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHttpClient } from "../../src/sources/http-client.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { serveFile, startFaultServer, type FaultServer } from "../support/fault-server.ts";
import { clearProxyEnv, FAST_HTTP_SETTINGS, TEST_USER_AGENT } from "../support/http-test-settings.ts";

const TIME_SERIES = fileURLToPath(
  new URL("../../config/demo/ssi/2020-09-09/Municipality_cases_time_series.csv", import.meta.url),
);
const PATH = "/ssi/Municipality_cases_time_series.csv";

let server: FaultServer;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  clearProxyEnv();
  server = await startFaultServer();
});

afterEach(() => {
  expect(server.unhandled).toEqual([]);
});

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await server.close();
});

describe("createHttpClient on fake time", () => {
  it("retries a headers timeout, then succeeds", async () => {
    server.setRoute(PATH, { respond: serveFile(TIME_SERIES), faults: [{ kind: "hang" }] });
    const { logger, lines } = createCapturingLogger();
    const waits: number[] = [];
    const client = createHttpClient(
      { ...FAST_HTTP_SETTINGS, headersTimeoutMs: 300 },
      {
        logger,
        userAgent: TEST_USER_AGENT,
        sleep: (ms) => (waits.push(ms), Promise.resolve()),
        random: () => 0,
      },
    );
    try {
      const pending = client.getBytes(server.urlOf(PATH));
      await server.requestArrived(PATH);
      // undici's timer ticks every 499 ms: the 300 ms timeout is seen within two ticks.
      await vi.advanceTimersByTimeAsync(1_000);
      const bytes = await pending;
      expect(Buffer.from(bytes).equals(readFileSync(TIME_SERIES))).toBe(true);
      expect(server.requestsTo(PATH)).toHaveLength(2);
      const failed = lines.find((line) => line.msg === "http attempt failed");
      expect(failed?.["error"]).toMatch(/Headers Timeout/i);
      // One wait between the attempts: the first backoff step (10 ms) with zero jitter, halved.
      expect(waits).toEqual([5]);
    } finally {
      await client.close();
    }
  });
});
