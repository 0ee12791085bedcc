/*
 * How the production path is exercised: the real client (undici EnvHttpProxyAgent + retry
 * interceptor, no injected dispatcher) talks to a real node:http server on 127.0.0.1
 * (tests/support/fault-server.ts) that injects faults per attempt. msw cannot intercept undici
 * requests sent through a custom dispatcher, so nothing here is mocked below the socket.
 * Time is injected: waits between attempts go through a recording `sleep` that returns at once,
 * Retry-After dates are measured from a fixed clock, the deadline is a signal the test aborts,
 * and undici's own headers timeout is tested on fake timers in http-client-timeouts.test.ts.
 * No test waits for a retry in real time.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortedError, SourceError } from "../../src/errors.ts";
import { createHttpClient, type HttpClient, type HttpSettings } from "../../src/sources/http-client.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { clearProxyEnv, FAST_HTTP_SETTINGS, TEST_USER_AGENT } from "../support/http-test-settings.ts";
import { serveFile, startFaultServer, type FaultServer } from "../support/fault-server.ts";
import { startRecordingProxy, type RecordingProxy } from "../support/recording-proxy.ts";

const TIME_SERIES = fileURLToPath(
  new URL("../../config/demo/ssi/2020-09-09/Municipality_cases_time_series.csv", import.meta.url),
);
const timeSeriesBytes = readFileSync(TIME_SERIES);

const FAST: HttpSettings = { ...FAST_HTTP_SETTINGS, maxResponseBytes: 1_000_000 };
const USER_AGENT = TEST_USER_AGENT;
const PATH = "/ssi/Municipality_cases_time_series.csv";

let server: FaultServer;
let proxy: RecordingProxy | undefined;
let client: HttpClient | undefined;

/** 2020-10-28 10:00:00 UTC: the fixed "now" of every client here. */
const NOW = Date.UTC(2020, 9, 28, 10, 0, 0);

function makeClient(
  settings: Partial<HttpSettings> = {},
  extra: Partial<Parameters<typeof createHttpClient>[1]> = {},
) {
  const captured = createCapturingLogger();
  const waits: number[] = [];
  client = createHttpClient(
    { ...FAST, ...settings },
    {
      logger: captured.logger,
      userAgent: USER_AGENT,
      clock: () => NOW,
      sleep: (ms) => (waits.push(ms), Promise.resolve()),
      ...extra,
    },
  );
  return { client, lines: captured.lines, waits };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

beforeEach(async () => {
  clearProxyEnv();
  server = await startFaultServer({ [PATH]: { respond: serveFile(TIME_SERIES) } });
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server.close();
  await proxy?.close();
  proxy = undefined;
  vi.unstubAllEnvs();
  expect(server.unhandled).toEqual([]);
});

describe("createHttpClient", () => {
  it("returns the exact bytes and sends the User-Agent", async () => {
    const { client } = makeClient();
    const bytes = await client.getBytes(server.urlOf(PATH));
    expect(Buffer.from(bytes).equals(timeSeriesBytes)).toBe(true);
    expect(server.requestsTo(PATH)).toHaveLength(1);
    expect(server.requestsTo(PATH)[0]?.headers["user-agent"]).toBe(USER_AGENT);
  });

  it("retries a 500 and succeeds on the second request, logging both attempts", async () => {
    server.setRoute(PATH, { respond: serveFile(TIME_SERIES), faults: [{ kind: "status", status: 500 }] });
    const { client, lines } = makeClient();
    const bytes = await client.getBytes(server.urlOf(PATH));
    expect(Buffer.from(bytes).equals(timeSeriesBytes)).toBe(true);
    expect(server.requestsTo(PATH)).toHaveLength(2);
    const attempts = lines.filter((line) => line.msg.startsWith("http attempt"));
    expect(attempts.map((line) => [line.level, line["attempt"], line["status"]])).toEqual([
      ["warn", 1, 500],
      ["info", 2, 200],
    ]);
    for (const line of attempts) {
      expect(line["url"]).toBe(server.urlOf(PATH));
      expect(typeof line["durationMs"]).toBe("number");
    }
  });

  it("honours Retry-After: 1 on a 429 (waits a second) and then succeeds", async () => {
    server.setRoute(PATH, {
      respond: serveFile(TIME_SERIES),
      faults: [{ kind: "status", status: 429, headers: { "retry-after": "1" } }],
    });
    const { client, waits } = makeClient({ maxBackoffMs: 5_000 });
    const bytes = await client.getBytes(server.urlOf(PATH));
    expect(bytes.length).toBe(timeSeriesBytes.length);
    expect(server.requestsTo(PATH)).toHaveLength(2);
    expect(waits).toEqual([1_000]);
  });

  it("honours Retry-After as an HTTP date (from the injected clock) and caps it at maxBackoffMs", async () => {
    const inThirtySeconds = new Date(NOW + 30_000).toUTCString();
    server.setRoute(PATH, {
      respond: serveFile(TIME_SERIES),
      faults: [
        { kind: "status", status: 503, headers: { "retry-after": inThirtySeconds } },
        { kind: "status", status: 429, headers: { "retry-after": "3600" } },
      ],
    });
    const { client, waits } = makeClient({ maxBackoffMs: 45_000, deadlineMs: 120_000 });
    await client.getBytes(server.urlOf(PATH));
    expect(server.requestsTo(PATH)).toHaveLength(3);
    // 30 s from the clock's now, then 3600 s capped at 45 s.
    expect(waits).toEqual([30_000, 45_000]);
  });

  it("gives up at once when Retry-After would pass the deadline", async () => {
    server.setRoute(PATH, {
      respond: serveFile(TIME_SERIES),
      faults: [{ kind: "status", status: 503, headers: { "retry-after": "60" } }],
    });
    const { client, waits } = makeClient({ maxBackoffMs: 120_000, deadlineMs: 5_000 });
    const error = await failureOf(client.getBytes(server.urlOf(PATH)));
    expect(waits).toEqual([]);
    expect(error.message).toBe(
      `source ${server.urlOf(PATH)}: HTTP 503 after 1 attempt; the next attempt (in 60000 ms) would pass the 5000 ms deadline`,
    );
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });

  it("backs off exponentially with jitter, capped at maxBackoffMs", async () => {
    server.setRoute(PATH, {
      respond: serveFile(TIME_SERIES),
      faults: [500, 502, 503, 504].map((status) => ({ kind: "status" as const, status })),
    });
    const { client, waits } = makeClient(
      { maxAttempts: 5, minBackoffMs: 100, maxBackoffMs: 300 },
      { random: () => 0.5 },
    );
    await client.getBytes(server.urlOf(PATH));
    expect(server.requestsTo(PATH)).toHaveLength(5);
    // Steps 100, 200, 400→300, 800→300; with random 0.5 each wait is three quarters of its step.
    expect(waits).toEqual([75, 150, 225, 225]);
  });

  it("fails after maxAttempts with the status and the attempt count", async () => {
    server.setRoute(PATH, {
      respond: serveFile(TIME_SERIES),
      faults: Array.from({ length: 5 }, () => ({ kind: "status" as const, status: 503 })),
    });
    const { client } = makeClient({ maxAttempts: 3 });
    const error = await failureOf(client.getBytes(server.urlOf(PATH)));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(`source ${server.urlOf(PATH)}: HTTP 503 after 3 attempts`);
    expect(server.requestsTo(PATH)).toHaveLength(3);
  });

  it("does not retry a 404", async () => {
    const { client } = makeClient();
    server.setRoute("/missing.csv", { respond: () => ({ status: 404, body: "not found" }) });
    const error = await failureOf(client.getBytes(server.urlOf("/missing.csv")));
    expect(error.message).toBe(`source ${server.urlOf("/missing.csv")}: HTTP 404 after 1 attempt`);
    expect(server.requestsTo("/missing.csv")).toHaveLength(1);
  });

  it("fails at the deadline when the server never answers", async () => {
    server.setRoute(PATH, { respond: serveFile(TIME_SERIES), faults: [{ kind: "hang" }, { kind: "hang" }] });
    const deadline = new AbortController();
    const asked: number[] = [];
    const { client } = makeClient(
      { deadlineMs: 1_500, headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000 },
      { deadlineSignal: (ms) => (asked.push(ms), deadline.signal) },
    );
    const pending = failureOf(client.getBytes(server.urlOf(PATH)));
    await server.requestArrived(PATH);
    // The deadline passes while the server holds the request.
    deadline.abort();
    const error = await pending;
    expect(asked).toEqual([1_500]);
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `source ${server.urlOf(PATH)}: no complete response within the 1500 ms deadline after 1 attempt`,
    );
  });

  it("re-fetches the whole body after a connection reset mid-body", async () => {
    server.setRoute(PATH, { respond: serveFile(TIME_SERIES), faults: [{ kind: "reset-mid-body" }] });
    const { client, lines } = makeClient();
    const bytes = await client.getBytes(server.urlOf(PATH));
    expect(Buffer.from(bytes).equals(timeSeriesBytes)).toBe(true);
    const seen = server.requestsTo(PATH);
    expect(seen).toHaveLength(2);
    // The retry asks for the whole resource again (no Range resume the server would ignore).
    expect(seen[1]?.headers["range"]).toBeUndefined();
    const attempts = lines.filter((line) => line.msg.startsWith("http attempt"));
    expect(attempts.map((line) => [line.level, line["attempt"], line["status"]])).toEqual([
      ["warn", 1, 200],
      ["info", 2, 200],
    ]);
    expect(attempts[0]?.["error"]).toMatch(/ECONNRESET|other side closed/);
  });

  it("detects a truncated body (Content-Length larger than sent) and retries it", async () => {
    server.setRoute(PATH, {
      respond: serveFile(TIME_SERIES),
      faults: [{ kind: "truncate", afterBytes: 1000 }],
    });
    const { client } = makeClient();
    const bytes = await client.getBytes(server.urlOf(PATH));
    expect(Buffer.from(bytes).equals(timeSeriesBytes)).toBe(true);
    expect(server.requestsTo(PATH)).toHaveLength(2);
  });

  it("fails when every attempt is truncated", async () => {
    const truncated = { kind: "truncate" as const, afterBytes: 1000 };
    server.setRoute(PATH, { respond: serveFile(TIME_SERIES), faults: [truncated, truncated, truncated] });
    const { client } = makeClient({ maxAttempts: 3 });
    const error = await failureOf(client.getBytes(server.urlOf(PATH)));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(/after 3 attempts$/);
    expect(error.message).toContain(
      `truncated body: received 1000 of ${timeSeriesBytes.length} bytes announced by Content-Length`,
    );
    expect(server.requestsTo(PATH)).toHaveLength(3);
  });

  it("fails at once when Content-Length exceeds maxResponseBytes", async () => {
    const { client } = makeClient({ maxResponseBytes: 10_000 });
    const error = await failureOf(client.getBytes(server.urlOf(PATH)));
    expect(error.message).toBe(
      `source ${server.urlOf(PATH)}: response of ${timeSeriesBytes.length} bytes (Content-Length) exceeds the 10000 bytes limit (http.maxResponseBytes) after 1 attempt`,
    );
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });

  it("stops reading a chunked body once it passes maxResponseBytes", async () => {
    server.setRoute("/chunked.csv", { respond: () => ({ body: timeSeriesBytes, chunked: true }) });
    const { client } = makeClient({ maxResponseBytes: 10_000 });
    const error = await failureOf(client.getBytes(server.urlOf("/chunked.csv")));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain("exceeds the 10000 bytes limit (http.maxResponseBytes)");
    expect(server.requestsTo("/chunked.csv")).toHaveLength(1);
  });

  it("retries refused connections and reports them", async () => {
    const closed = await startFaultServer();
    const url = closed.urlOf("/gone.csv");
    await closed.close();
    const { client } = makeClient({ maxAttempts: 2 });
    const error = await failureOf(client.getBytes(url));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(/ECONNREFUSED.* after 2 attempts$/);
  });

  it("turns an abort by the caller into an AbortedError", async () => {
    server.setRoute(PATH, { respond: serveFile(TIME_SERIES), faults: [{ kind: "hang" }] });
    const { client } = makeClient();
    const controller = new AbortController();
    const pending = failureOf(client.getBytes(server.urlOf(PATH), controller.signal));
    await server.requestArrived(PATH);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(AbortedError);
  });

  it("parses JSON and rejects a body that is not JSON", async () => {
    server.setRoute("/ok.json", { respond: () => ({ body: '\uFEFF{"a":[1,2]}' }) });
    server.setRoute("/bad.json", { respond: () => ({ body: "<html>maintenance</html>" }) });
    const { client } = makeClient();
    expect(await client.getJson(server.urlOf("/ok.json"))).toEqual({ a: [1, 2] });
    const error = await failureOf(client.getJson(server.urlOf("/bad.json")));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(`source ${server.urlOf("/bad.json")}: not valid JSON — expected a JSON body`);
  });

  it("keeps credentials and token/key values out of logs and errors", async () => {
    server.setRoute("/secret.csv", {
      respond: serveFile(TIME_SERIES),
      faults: [
        { kind: "status", status: 500 },
        { kind: "status", status: 500 },
      ],
    });
    const { client, lines } = makeClient({ maxAttempts: 2 });
    const url = `${server.origin.replace("//", "//alice:s3cret@")}/secret.csv?where=1%3D1&token=t0ps3cret&apiKey=k3y`;
    const error = await failureOf(client.getBytes(url));
    // The server did receive the token: only what we write down is redacted.
    expect(server.requestsTo("/secret.csv")[0]?.url.searchParams.get("token")).toBe("t0ps3cret");
    const written = JSON.stringify(lines) + error.message;
    for (const secret of ["alice", "s3cret", "t0ps3cret", "k3y"]) expect(written).not.toContain(secret);
    expect(error.message).toContain("/secret.csv?where=1%3D1&token=REDACTED&apiKey=REDACTED");
  });

  it("goes through HTTP_PROXY, and around it for hosts in NO_PROXY", async () => {
    proxy = await startRecordingProxy();
    vi.stubEnv("HTTP_PROXY", proxy.origin);
    const { client: proxied } = makeClient();
    const bytes = await proxied.getBytes(server.urlOf(PATH));
    expect(bytes.length).toBe(timeSeriesBytes.length);
    expect(proxy.requests.map((r) => r.target)).toEqual([server.urlOf(PATH)]);
    expect(proxy.requests[0]?.headers["user-agent"]).toBe(USER_AGENT);
    await proxied.close();

    vi.stubEnv("NO_PROXY", "127.0.0.1");
    const { client: direct } = makeClient();
    await direct.getBytes(server.urlOf(PATH));
    expect(proxy.requests).toHaveLength(1);
    expect(server.requestsTo(PATH)).toHaveLength(2);
  });
});
