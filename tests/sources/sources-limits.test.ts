/*
 * Bounded memory: every size limit of the sources is enforced while the data streams in, and a
 * passed limit is a SourceError (exit 69) naming the limit, its setting and the file or URL.
 * Zip bombs are built byte by byte (tests/sources/zip-bomb.ts); HTTP bodies come from the real
 * client against the local fault server, one of them endless.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Config } from "../../src/config.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { SourceError } from "../../src/errors.ts";
import { createSilentLogger } from "../../src/log.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createArcgisSource } from "../../src/sources/arcgis.ts";
import { createCsvSource } from "../../src/sources/csv-source.ts";
import { createHttpClient, type HttpClient } from "../../src/sources/http-client.ts";
import { DEFAULT_SOURCE_LIMITS, type SourceLimits } from "../../src/sources/limits.ts";
import { createReadLocation } from "../../src/sources/read-location.ts";
import { createSsiSource } from "../../src/sources/ssi.ts";
import { startFaultServer, type FaultServer } from "../support/fault-server.ts";
import {
  clearProxyEnv,
  FAST_HTTP_SETTINGS,
  instantSleep,
  TEST_USER_AGENT,
} from "../support/http-test-settings.ts";
import { buildZip, fileEntry, zerosEntry } from "./zip-bomb.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const PAIR = join(ROOT, "config", "demo", "ssi", "2020-09-09");
const SERIES = "Municipality_cases_time_series.csv";
const TEST_POS = "Municipality_test_pos.csv";
const MiB = 1024 * 1024;

let municipalities: Municipality[];
let seriesBytes: Buffer;
let testPosBytes: Buffer;

beforeAll(async () => {
  municipalities = await readReference(join(ROOT, "reference", "municipalities.csv"));
  seriesBytes = readFileSync(join(PAIR, SERIES));
  testPosBytes = readFileSync(join(PAIR, TEST_POS));
});

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

function zipSource(zip: Uint8Array, limits?: SourceLimits) {
  return createSsiSource(
    { zip: "in/ssi.zip" },
    { readLocation: () => Promise.resolve(zip), municipalities, limits },
  );
}

describe("SSI zip entries", () => {
  it("stops a 3 GiB bomb that declares 1 kB at the 50 MiB payload limit", async () => {
    const bomb = buildZip([
      zerosEntry(`data/${SERIES}`, 3 * 1024, { declaredSize: 1_000, skipCrc: true }),
      fileEntry(`data/${TEST_POS}`, testPosBytes),
    ]);
    // About 1 kB per MiB: the archive is a little over 3 MB.
    expect(bomb.length).toBeLessThan(3.5 * MiB);
    const error = await rejectionOf(zipSource(bomb).fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(
      /^source ssi: in\/ssi\.zip#data\/Municipality_cases_time_series\.csv: more than \d+ bytes decompressed exceeds the 52428800 bytes \(50 MiB\) limit \(http\.maxResponseBytes\)$/,
    );
    // Stopped within one inflate step (16 kB compressed, about 16 MiB) of the limit.
    const reached = Number(/more than (\d+) bytes/.exec(error.message)?.[1]);
    expect(reached).toBeGreaterThan(50 * MiB);
    expect(reached).toBeLessThan(67 * MiB);
  });

  it("refuses an entry whose declared size passes the limit before inflating it", async () => {
    const declared = 3 * 1024 * MiB;
    const bomb = buildZip([
      zerosEntry(SERIES, 1, { declaredSize: declared }),
      fileEntry(TEST_POS, testPosBytes),
    ]);
    const error = await rejectionOf(zipSource(bomb).fetchIncidence());
    expect(error.message).toBe(
      `source ssi: in/ssi.zip#${SERIES}: declared size ${declared} bytes exceeds the 52428800 bytes (50 MiB) limit (http.maxResponseBytes)`,
    );
  });

  it("bounds all entries together by maxDecompressedBytes", async () => {
    const zip = buildZip([zerosEntry(SERIES, 6), zerosEntry(TEST_POS, 6)]);
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxPayloadBytes: 8 * MiB, maxDecompressedBytes: 10 * MiB };
    const error = await rejectionOf(zipSource(zip, limits).fetchIncidence());
    expect(error.message).toMatch(
      /^source ssi: in\/ssi\.zip: more than \d+ bytes decompressed exceeds the 10485760 bytes \(10 MiB\) limit \(source\.limits\.maxDecompressedBytes\)$/,
    );
  });

  it("never inflates entries it does not read: a bomb beside the real pair is harmless", async () => {
    const zip = buildZip([
      zerosEntry("other/huge.bin", 3 * 1024, { declaredSize: 10, skipCrc: true }),
      fileEntry(SERIES, seriesBytes),
      fileEntry(TEST_POS, testPosBytes),
    ]);
    const { dataset } = await zipSource(zip).fetchIncidence();
    expect(dataset.kind).toBe("daily");
  });
});

describe("parsed CSV size", () => {
  it("stops SSI's time series at maxCsvRows, naming file, line and setting", async () => {
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxCsvRows: 100 };
    const source = createSsiSource(
      { timeSeries: "ts.csv", testPos: "tp.csv" },
      {
        readLocation: (location) => Promise.resolve(location === "ts.csv" ? seriesBytes : testPosBytes),
        municipalities,
        limits,
      },
    );
    const error = await rejectionOf(source.fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      "source ssi: ts.csv: line 101: more than 100 records, expected at most 100 (size limit) (source.limits.maxCsvRows, maxCsvFields, maxCsvRecordChars)",
    );
  });

  it("stops a CSV body of a million rows at the default maxCsvRows", async () => {
    const row = "101;5;1000\n";
    const body = Buffer.from(`code;cases_7d;population\n${row.repeat(1_000_000)}`);
    const source = createCsvSource(
      { type: "csv", url: "big.csv" },
      { readLocation: () => Promise.resolve(body), municipalities },
    );
    const error = await rejectionOf(source.fetchIncidence());
    expect(error.message).toBe(
      "source big.csv: line 100001: more than 100000 records, expected at most 100000 (size limit) (source.limits.maxCsvRows, maxCsvFields, maxCsvRecordChars)",
    );
  });

  it("refuses a record longer than maxCsvRecordChars", async () => {
    const body = Buffer.from(`code;cases_7d;population\n101;5;${"9".repeat(70_000)}\n`);
    const source = createCsvSource(
      { type: "csv", url: "long.csv" },
      { readLocation: () => Promise.resolve(body), municipalities },
    );
    const error = await rejectionOf(source.fetchIncidence());
    expect(error.message).toContain("line 2: a record longer than 65536 characters");
  });
});

describe("local files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "testrota-limits-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a local file only up to maxBytes", async () => {
    const path = join(dir, "big.csv");
    await writeFile(path, Buffer.alloc(3 * MiB, 0x30));
    const error = await rejectionOf(createReadLocation({ maxBytes: MiB })(path));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(
      new RegExp(
        `^source ${path}: reading the file: its content \\(\\d+ bytes read so far\\) exceeds the 1048576 bytes \\(1 MiB\\) limit \\(http\\.maxResponseBytes\\)$`,
      ),
    );
  });
});

describe("HTTP bodies and ArcGIS pages", () => {
  let server: FaultServer;
  let http: HttpClient;

  beforeEach(async () => {
    clearProxyEnv();
    server = await startFaultServer();
    http = createHttpClient(
      { ...FAST_HTTP_SETTINGS, maxResponseBytes: MiB },
      { logger: createSilentLogger(), userAgent: TEST_USER_AGENT, sleep: instantSleep },
    );
  });

  afterEach(async () => {
    await http.close();
    await server.close();
    vi.unstubAllEnvs();
    expect(server.unhandled).toEqual([]);
  });

  it("stops an endless body at maxResponseBytes while downloading", async () => {
    server.setRoute("/endless.csv", {
      respond: () => ({ body: "" }),
      faults: [{ kind: "endless" }],
    });
    const error = await rejectionOf(http.getBytes(server.urlOf("/endless.csv")));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(
      /^source http:\/\/127\.0\.0\.1:\d+\/endless\.csv: response \(more than \d+ bytes received\) exceeds the 1048576 bytes \(1 MiB\) limit \(http\.maxResponseBytes\) after 1 attempt$/,
    );
  });

  type ArcgisSettings = Extract<Config["source"], { type: "arcgis" }>;
  const LAYER = "/arcgis/FeatureServer/0";
  const arcgis = (limits?: SourceLimits) =>
    createArcgisSource(
      {
        type: "arcgis",
        url: server.urlOf(LAYER),
        where: "1=1",
        pageSize: 2,
        fields: { code: "kommunekode", cases7d: "antal_7d", population: "indbyggertal" },
      } satisfies ArcgisSettings,
      { http, municipalities, limits },
    );
  const page = (codes: number[], more: boolean) =>
    JSON.stringify({
      features: codes.map((code) => ({ attributes: { kommunekode: code, antal_7d: 1, indbyggertal: 84 } })),
      exceededTransferLimit: more,
    });

  it("refuses a server that repeats Christiansø's page instead of advancing", async () => {
    // Every request gets the same page: Christiansø twice, "more to come".
    server.setRoute(`${LAYER}/query`, { respond: () => ({ body: page([411, 411], true) }) });
    const error = await rejectionOf(arcgis().fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `source ${server.urlOf(LAYER)}: feature 1: municipality 411 repeats feature 0, expected each code once`,
    );
    expect(server.requestsTo(`${LAYER}/query`)).toHaveLength(1);
  });

  it("refuses a page that repeats an earlier page", async () => {
    server.setRoute(`${LAYER}/query`, { respond: () => ({ body: page([411, 101], true) }) });
    const error = await rejectionOf(arcgis().fetchIncidence());
    expect(error.message).toBe(
      `source ${server.urlOf(LAYER)}: page 2 repeats the features of page 1 (codes 411, 101) — expected each page to bring new features`,
    );
    expect(server.requestsTo(`${LAYER}/query`)).toHaveLength(2);
  });

  it("bounds the features over all pages", async () => {
    const codes = municipalities.map((m) => m.code);
    server.setRoute(`${LAYER}/query`, {
      respond: (request) => {
        const offset = Number(request.url.searchParams.get("resultOffset"));
        return { body: page(codes.slice(offset, offset + 2), true) };
      },
    });
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxArcgisFeatures: 5 };
    const error = await rejectionOf(arcgis(limits).fetchIncidence());
    expect(error.message).toBe(
      `source ${server.urlOf(LAYER)}: page 3: 6 features exceeds the 5 limit (source.limits.maxArcgisFeatures)`,
    );
    expect(server.requestsTo(`${LAYER}/query`)).toHaveLength(3);
  });

  it("bounds the bytes over all pages", async () => {
    const filler = " ".repeat(600 * 1024);
    const codes = municipalities.map((m) => m.code);
    server.setRoute(`${LAYER}/query`, {
      respond: (request) => {
        const offset = Number(request.url.searchParams.get("resultOffset"));
        return { body: page(codes.slice(offset, offset + 2), true) + filler };
      },
    });
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxArcgisBytes: 2 * MiB };
    const error = await rejectionOf(arcgis(limits).fetchIncidence());
    expect(error.message).toMatch(
      /: page 4: 4 pages of \d+ bytes in all exceeds the 2097152 bytes \(2 MiB\) limit \(source\.limits\.maxArcgisBytes\)$/,
    );
  });
});
