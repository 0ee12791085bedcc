/*
 * How the production path is exercised: `createSsiSource` reads through the real
 * `createReadLocation` and the real HTTP client (undici EnvHttpProxyAgent + retry interceptor)
 * from a real node:http server on 127.0.0.1 (tests/support/fault-server.ts) that serves SSI's
 * published 2020-09-09 files byte for byte. The expectation is the same source reading the same
 * files from disk, so any difference comes from the HTTP path.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { IncidenceDataset } from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { SourceError } from "../../src/errors.ts";
import { createSilentLogger } from "../../src/log.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createHttpClient, type HttpClient } from "../../src/sources/http-client.ts";
import { createReadLocation } from "../../src/sources/read-location.ts";
import { createSsiSource } from "../../src/sources/ssi.ts";
import { serveFile, startFaultServer, type FaultServer } from "../support/fault-server.ts";
import {
  clearProxyEnv,
  FAST_HTTP_SETTINGS,
  instantSleep,
  TEST_USER_AGENT,
} from "../support/http-test-settings.ts";

const REFERENCE = fileURLToPath(new URL("../../reference/municipalities.csv", import.meta.url));
const DATA = fileURLToPath(new URL("../../config/demo/ssi/2020-09-09", import.meta.url));
const TIME_SERIES = `${DATA}/Municipality_cases_time_series.csv`;
const TEST_POS = `${DATA}/Municipality_test_pos.csv`;
const SERIES_PATH = "/ssi/2020-09-09/Municipality_cases_time_series.csv";
const TEST_POS_PATH = "/ssi/2020-09-09/Municipality_test_pos.csv";
const ZIP_PATH = "/ssi/Data-Epidemiologiske-Rapport-09092020.zip";

let municipalities: Municipality[];
let fromDisk: IncidenceDataset;
let server: FaultServer;
let http: HttpClient;

function withoutOrigin(dataset: IncidenceDataset) {
  return { ...dataset, origin: "(compared separately)" };
}

function httpSource(settings: { timeSeries?: string; testPos?: string; zip?: string }) {
  return createSsiSource(settings, { readLocation: createReadLocation({ http }), municipalities });
}

beforeAll(async () => {
  municipalities = await readReference(REFERENCE);
  const disk = createSsiSource(
    { timeSeries: TIME_SERIES, testPos: TEST_POS },
    { readLocation: createReadLocation({}), municipalities },
  );
  fromDisk = (await disk.fetchIncidence()).dataset;
});

beforeEach(async () => {
  clearProxyEnv();
  server = await startFaultServer({
    [SERIES_PATH]: { respond: serveFile(TIME_SERIES) },
    [TEST_POS_PATH]: { respond: serveFile(TEST_POS) },
  });
  http = createHttpClient(FAST_HTTP_SETTINGS, {
    logger: createSilentLogger(),
    userAgent: TEST_USER_AGENT,
    sleep: instantSleep,
  });
});

afterEach(async () => {
  await http.close();
  await server.close();
  vi.unstubAllEnvs();
  expect(server.unhandled).toEqual([]);
});

describe("ssi source over HTTP", () => {
  it("gives exactly the dataset read from disk, with the User-Agent sent", async () => {
    const { dataset, payloads } = await httpSource({
      timeSeries: server.urlOf(SERIES_PATH),
      testPos: server.urlOf(TEST_POS_PATH),
    }).fetchIncidence();
    expect(dataset.kind).toBe("daily");
    expect(dataset.kind === "daily" && dataset.casesByCode.size).toBe(98);
    expect(withoutOrigin(dataset)).toEqual(withoutOrigin(fromDisk));
    expect(dataset.origin).toContain(server.origin);
    expect(payloads.map((p) => Buffer.from(p.bytes))).toEqual([
      readFileSync(TIME_SERIES),
      readFileSync(TEST_POS),
    ]);
    expect(payloads.map((p) => p.origin)).toEqual([server.urlOf(SERIES_PATH), server.urlOf(TEST_POS_PATH)]);
    for (const path of [SERIES_PATH, TEST_POS_PATH]) {
      expect(server.requestsTo(path).map((r) => r.headers["user-agent"])).toEqual([TEST_USER_AGENT]);
    }
  });

  it("gives the same dataset after a 500 on one file and a reset mid-body on the other", async () => {
    server.setRoute(SERIES_PATH, { respond: serveFile(TIME_SERIES), faults: [{ kind: "reset-mid-body" }] });
    server.setRoute(TEST_POS_PATH, {
      respond: serveFile(TEST_POS),
      faults: [{ kind: "status", status: 500 }],
    });
    const { dataset } = await httpSource({
      timeSeries: server.urlOf(SERIES_PATH),
      testPos: server.urlOf(TEST_POS_PATH),
    }).fetchIncidence();
    expect(withoutOrigin(dataset)).toEqual(withoutOrigin(fromDisk));
    expect(server.requestsTo(SERIES_PATH)).toHaveLength(2);
    expect(server.requestsTo(TEST_POS_PATH)).toHaveLength(2);
  });

  it("reads the pair from a zip served over HTTP", async () => {
    const zip = zipSync({
      "Data-Epidemiologiske-Rapport-09092020/Municipality_cases_time_series.csv": readFileSync(TIME_SERIES),
      "Data-Epidemiologiske-Rapport-09092020/Municipality_test_pos.csv": readFileSync(TEST_POS),
    });
    server.setRoute(ZIP_PATH, {
      respond: () => ({ headers: { "content-type": "application/zip" }, body: zip }),
    });
    const { dataset } = await httpSource({ zip: server.urlOf(ZIP_PATH) }).fetchIncidence();
    expect(withoutOrigin(dataset)).toEqual(withoutOrigin(fromDisk));
  });

  it("fails naming the URL when a file is not there", async () => {
    const missing = "/ssi/2020-09-09/missing.csv";
    server.setRoute(missing, { respond: () => ({ status: 404, body: "not found" }) });
    const source = httpSource({ timeSeries: server.urlOf(SERIES_PATH), testPos: server.urlOf(missing) });
    await expect(source.fetchIncidence()).rejects.toThrow(SourceError);
    await expect(source.fetchIncidence()).rejects.toThrow(
      `source ${server.urlOf(missing)}: HTTP 404 after 1 attempt`,
    );
  });
});
