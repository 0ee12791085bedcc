import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PublishedWeek } from "../../src/store/state-store.ts";
import { startHealthServer, type HealthServer } from "../../src/worker/health-server.ts";
import { readLatestReport } from "../../src/worker/latest-report.ts";
import { createMetrics } from "../../src/worker/metrics.ts";

/*
 * /report on the health port: the latest published week's report.html and nothing else. Paths
 * are sent byte for byte (node:http, not fetch, which would normalise `..` before sending).
 */

const REPORT_W44 = "<!doctype html><title>Ugerapport 2020-W44</title>";
const SUMMARY = '{"secret":"summary of 2020-W44"}';

let dir: string;
let published: PublishedWeek[];
let server: HealthServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "testrota-report-route-"));
  for (const week of ["2020-W43", "2020-W44"]) {
    mkdirSync(join(dir, week));
    writeFileSync(join(dir, week, "summary.json"), SUMMARY);
  }
  writeFileSync(join(dir, "2020-W43", "report.html"), "<!doctype html><title>Ugerapport 2020-W43</title>");
  writeFileSync(join(dir, "2020-W44", "report.html"), REPORT_W44);
  writeFileSync(join(dir, "summary.json"), SUMMARY);
  published = [];
  const store = { listPublished: () => Promise.resolve(published) };
  server = await startHealthServer({
    host: "127.0.0.1",
    port: 0,
    registry: createMetrics().registry,
    readiness: () => Promise.resolve({ ready: true, reasons: [], details: {} }),
    report: () => readLatestReport(dir, store),
  });
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** Sends `path` exactly as given. */
function get(path: string, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function publish(...folders: string[]): void {
  published = folders.map((folder) => ({ folder, digest: "d".repeat(64), previousDigest: null }));
}

describe("/report", () => {
  it("answers 404 while no week is published", async () => {
    const answer = await get("/report");
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: "no report yet: no published week has a report.html" });
  });

  it("serves the latest published week's report.html with strict security headers", async () => {
    publish("2020-W43", "2020-W44");
    const answer = await get("/report");
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(REPORT_W44);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers["referrer-policy"]).toBe("no-referrer");
    expect(answer.headers["cache-control"]).toBe("no-store");
    // Nothing may load or run; the report's own inline styles may apply.
    const csp = String(answer.headers["content-security-policy"]);
    expect(csp.split("; ")).toEqual([
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      "img-src data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
    const head = await get("/report", "HEAD");
    expect([head.status, head.body, head.headers["content-length"]]).toEqual([
      200,
      "",
      String(REPORT_W44.length),
    ]);
  });

  it("answers 404 when the latest week has no report (published before reports existed)", async () => {
    publish("2020-W43", "2020-W45");
    expect((await get("/report")).status).toBe(404);
  });

  it("is read-only", async () => {
    publish("2020-W44");
    for (const method of ["POST", "PUT", "DELETE"]) expect((await get("/report", method)).status).toBe(405);
  });

  const traversals = [
    "/report/../summary.json",
    "/report/../2020-W44/summary.json",
    "/report/%2e%2e/summary.json",
    "/report%2f..%2fsummary.json",
    "/report/..%2f..%2fetc%2fpasswd",
    "/report/summary.json",
    "/report/",
    "/report.html",
    "/2020-W44/summary.json",
    "/2020-W44/report.html",
    "//report",
  ];
  it.each(traversals)("%s reaches no file", async (path) => {
    publish("2020-W44");
    const answer = await get(path);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain("secret");
    expect(answer.body).not.toContain("<title>");
  });

  it("a query string changes nothing: /report?x=../ is the report itself", async () => {
    publish("2020-W44");
    for (const path of ["/report?x=../", "/report?file=../summary.json", "/report?%2e%2e/summary.json"]) {
      const answer = await get(path);
      expect([answer.status, answer.body], path).toEqual([200, REPORT_W44]);
    }
  });

  it("never follows a folder name that is not a week (a tampered store record)", async () => {
    publish("2020-W44", "..");
    expect((await get("/report")).status).toBe(404);
  });
});
