/*
 * How the production path is exercised: each source is built from a resolved config and fetched
 * with the real HTTP client (undici EnvHttpProxyAgent + retry interceptor) from a real node:http
 * server on 127.0.0.1 (tests/support/fault-server.ts). The ArcGIS layer is described with msw
 * handlers, which the fault server runs for requests to its route.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { http as mswHttp, HttpResponse } from "msw";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../src/config.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { createSilentLogger } from "../../src/log.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createIncidenceSource } from "../../src/sources/create-source.ts";
import { serveFile, startFaultServer, type FaultServer } from "../support/fault-server.ts";
import { clearProxyEnv, TEST_USER_AGENT } from "../support/http-test-settings.ts";

const REFERENCE = fileURLToPath(new URL("../../reference/municipalities.csv", import.meta.url));
const DATA = fileURLToPath(new URL("../../config/demo/ssi/2020-09-09", import.meta.url));

let municipalities: Municipality[];
let server: FaultServer;

function configWith(source: Record<string, unknown>) {
  return resolveConfig("/tmp/testrota-test/testrota.json", {
    source,
    http: { minBackoffMs: 10, maxBackoffMs: 50 },
    regions: [{ code: 1084, labCapacityPerDay: 100 }],
    demoRoster: {},
  });
}

beforeAll(async () => {
  municipalities = await readReference(REFERENCE);
});

beforeEach(async () => {
  clearProxyEnv();
  server = await startFaultServer();
});

afterEach(async () => {
  await server.close();
  vi.unstubAllEnvs();
  expect(server.unhandled).toEqual([]);
});

describe("createIncidenceSource", () => {
  it("builds the ssi source and fetches over HTTP", async () => {
    server.setRoute("/a.csv", { respond: serveFile(`${DATA}/Municipality_cases_time_series.csv`) });
    server.setRoute("/b.csv", { respond: serveFile(`${DATA}/Municipality_test_pos.csv`) });
    const config = configWith({
      type: "ssi",
      timeSeries: server.urlOf("/a.csv"),
      testPos: server.urlOf("/b.csv"),
    });
    const handle = createIncidenceSource(config, {
      logger: createSilentLogger(),
      municipalities,
      userAgent: TEST_USER_AGENT,
    });
    try {
      expect(handle.source.name).toBe("ssi");
      const { dataset } = await handle.source.fetchIncidence();
      expect(dataset.kind).toBe("daily");
      expect(server.requestsTo("/b.csv")[0]?.headers["user-agent"]).toBe(TEST_USER_AGENT);
    } finally {
      await handle.close();
    }
  });

  it("builds the arcgis source (layer described with msw handlers)", async () => {
    const features = municipalities.map((m) => ({ attributes: { kode: m.code, incidens: 12.5 } }));
    server.setRoute("/FeatureServer/0/query", {
      respond: [mswHttp.get("*/FeatureServer/0/query", () => HttpResponse.json({ features }))],
    });
    const config = configWith({
      type: "arcgis",
      url: server.urlOf("/FeatureServer/0"),
      fields: { code: "kode", incidence: "incidens" },
    });
    const handle = createIncidenceSource(config, {
      logger: createSilentLogger(),
      municipalities,
      userAgent: TEST_USER_AGENT,
    });
    try {
      expect(handle.source.name).toBe("arcgis");
      const { dataset } = await handle.source.fetchIncidence();
      expect(dataset.kind === "window" && dataset.rowsByCode.get(101)?.incidence).toBe(12.5);
      expect(server.requestsTo("/FeatureServer/0/query")).toHaveLength(1);
    } finally {
      await handle.close();
    }
  });

  it("builds the csv source", async () => {
    const body = ["code;incidence", ...municipalities.map((m) => `${m.code};20`)].join("\n");
    server.setRoute("/incidence.csv", { respond: () => ({ body }) });
    const config = configWith({ type: "csv", url: server.urlOf("/incidence.csv"), lastUpdate: "2020-10-26" });
    const handle = createIncidenceSource(config, {
      logger: createSilentLogger(),
      municipalities,
      userAgent: TEST_USER_AGENT,
    });
    try {
      expect(handle.source.name).toBe("csv");
      const { dataset, payloads } = await handle.source.fetchIncidence();
      expect(dataset.kind === "window" && dataset.lastUpdate).toBe("2020-10-26");
      expect(Buffer.from(payloads[0]?.bytes ?? []).toString("utf8")).toBe(body);
    } finally {
      await handle.close();
    }
  });

  it("reads local files for the ssi source without touching the network", async () => {
    const config = configWith({
      type: "ssi",
      timeSeries: `${DATA}/Municipality_cases_time_series.csv`,
      testPos: `${DATA}/Municipality_test_pos.csv`,
    });
    const handle = createIncidenceSource(config, {
      logger: createSilentLogger(),
      municipalities,
      userAgent: TEST_USER_AGENT,
    });
    try {
      const { payloads } = await handle.source.fetchIncidence();
      expect(Buffer.from(payloads[1]?.bytes ?? [])).toEqual(
        readFileSync(`${DATA}/Municipality_test_pos.csv`),
      );
      expect(server.requests).toHaveLength(0);
    } finally {
      await handle.close();
    }
  });
});
