/*
 * How the production path is exercised: the ArcGIS source uses the real HTTP client (undici
 * EnvHttpProxyAgent + retry interceptor) against a real node:http server on 127.0.0.1
 * (tests/support/fault-server.ts) that serves an ArcGIS-shaped `/query` endpoint, pages it like
 * ArcGIS does and injects faults. Expected figures are computed here from the served features.
 */
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Config } from "../../src/config.ts";
import { classificationWindow, parseIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import { observeWindow, type WindowTotalsDataset } from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import { SourceError } from "../../src/errors.ts";
import { createSilentLogger } from "../../src/log.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createArcgisSource } from "../../src/sources/arcgis.ts";
import { createHttpClient, type HttpClient } from "../../src/sources/http-client.ts";
import { serveArcgisLayer, startFaultServer, type FaultServer, type Fault } from "../support/fault-server.ts";
import {
  clearProxyEnv,
  FAST_HTTP_SETTINGS,
  instantSleep,
  TEST_USER_AGENT,
} from "../support/http-test-settings.ts";

type ArcgisSettings = Extract<Config["source"], { type: "arcgis" }>;

const REFERENCE = fileURLToPath(new URL("../../reference/municipalities.csv", import.meta.url));
const LAYER = "/arcgis/rest/services/Kommuner/FeatureServer/0";
const QUERY = `${LAYER}/query`;

const FIELDS = {
  code: "kommunekode",
  cases7d: "antal_7d",
  population: "indbyggertal",
  lastUpdate: "opdateret",
} as const;

/** 2020-10-27 12:00 Copenhagen (CET, UTC+1 after the 25 October DST change). */
const UPDATED_2020_10_27 = Date.UTC(2020, 9, 27, 11, 0);
const W44 = parseIsoWeek("2020-W44") as IsoWeek;

let municipalities: Municipality[];
let server: FaultServer;
let http: HttpClient;

function settings(overrides: Partial<ArcgisSettings> = {}): ArcgisSettings {
  return {
    type: "arcgis",
    url: server.urlOf(LAYER),
    where: "1=1",
    pageSize: 40,
    fields: { ...FIELDS },
    ...overrides,
  };
}

/** Deterministic but uneven cases per municipality. */
function casesOf(code: number): number {
  return (code * 7) % 113;
}

function featuresFor(list: readonly Municipality[], updated: number | string = UPDATED_2020_10_27) {
  return list.map((m) => ({
    [FIELDS.code]: m.code,
    [FIELDS.cases7d]: casesOf(m.code),
    [FIELDS.population]: m.population,
    [FIELDS.lastUpdate]: updated,
  }));
}

function serveLayer(
  features: readonly Record<string, unknown>[],
  faults?: readonly (Fault | null)[],
  maxRecordCount?: number,
) {
  server.setRoute(QUERY, { respond: serveArcgisLayer(features, { maxRecordCount }), faults });
}

function source(overrides: Partial<ArcgisSettings> = {}, list: readonly Municipality[] = municipalities) {
  return createArcgisSource(settings(overrides), {
    http,
    municipalities: list,
    now: () => Date.UTC(2020, 9, 28, 9),
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

function offsetsRequested(): number[] {
  return server.requestsTo(QUERY).map((r) => Number(r.url.searchParams.get("resultOffset")));
}

beforeAll(async () => {
  municipalities = await readReference(REFERENCE);
});

beforeEach(async () => {
  clearProxyEnv();
  server = await startFaultServer();
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

describe("createArcgisSource", () => {
  it("pages over the 98 municipalities (3 pages of 40) and maps every field", async () => {
    serveLayer(featuresFor(municipalities));
    const { dataset, payloads } = await source().fetchIncidence();

    expect(offsetsRequested()).toEqual([0, 40, 80]);
    const first = server.requestsTo(QUERY)[0]?.url.searchParams;
    expect(first?.get("where")).toBe("1=1");
    expect(first?.get("outFields")?.split(",").sort()).toEqual(Object.values(FIELDS).sort());
    expect(first?.get("returnGeometry")).toBe("false");
    expect(first?.get("f")).toBe("json");
    expect(first?.get("resultRecordCount")).toBe("40");
    expect(first?.get("orderByFields")).toBe(FIELDS.code);

    expect(payloads.map((p) => p.name)).toEqual([
      "arcgis-page-0001.json",
      "arcgis-page-0002.json",
      "arcgis-page-0003.json",
    ]);
    const pages = payloads.map(
      (p) =>
        JSON.parse(Buffer.from(p.bytes).toString("utf8")) as {
          features: unknown[];
          exceededTransferLimit?: boolean;
        },
    );
    expect(pages.map((p) => p.features.length)).toEqual([40, 40, 18]);
    expect(pages.map((p) => p.exceededTransferLimit ?? false)).toEqual([true, true, false]);

    expect(dataset.kind).toBe("window");
    const totals = dataset as WindowTotalsDataset;
    expect(totals.lastUpdate).toBe("2020-10-27");
    expect(totals.rowsByCode.size).toBe(98);
    for (const m of municipalities) {
      const cases = casesOf(m.code);
      const row = totals.rowsByCode.get(m.code);
      expect(row?.cases7d).toBe(cases);
      expect(row?.population).toBe(m.population);
      expect(row?.incidence).toBeCloseTo((cases / m.population) * 100_000, 9);
    }
  });

  it("pages 3 × 1,000 features of a larger synthetic layer (offsets 0/1000/2000)", async () => {
    const synthetic: Municipality[] = Array.from({ length: 2_500 }, (_, i) => ({
      code: 1_000 + i,
      name: `Synthetic ${i}`,
      regionCode: 1081,
      population: 10_000 + i,
      aliases: [],
    }));
    const features = synthetic.map((m) => ({ kode: String(m.code), incidens: (m.code % 50) + 0.5 }));
    serveLayer(features);
    const { dataset, payloads } = await source(
      { pageSize: 1_000, fields: { code: "kode", incidence: "incidens" } },
      synthetic,
    ).fetchIncidence();
    expect(offsetsRequested()).toEqual([0, 1_000, 2_000]);
    const pages = payloads.map(
      (p) =>
        JSON.parse(Buffer.from(p.bytes).toString("utf8")) as {
          features: unknown[];
          exceededTransferLimit?: boolean;
        },
    );
    expect(pages.map((p) => p.features.length)).toEqual([1_000, 1_000, 500]);
    expect(pages.map((p) => p.exceededTransferLimit === true)).toEqual([true, true, false]);
    const totals = dataset as WindowTotalsDataset;
    expect(totals.rowsByCode.size).toBe(2_500);
    expect(totals.lastUpdate).toBeNull();
    expect(totals.rowsByCode.get(1_049)).toEqual({ cases7d: null, population: null, incidence: 49.5 });
  });

  it("advances by the features received when the server caps the page size", async () => {
    serveLayer(featuresFor(municipalities), undefined, 30);
    const { dataset } = await source({ pageSize: 1_000 }).fetchIncidence();
    expect(offsetsRequested()).toEqual([0, 30, 60, 90]);
    expect((dataset as WindowTotalsDataset).rowsByCode.size).toBe(98);
  });

  it("fails on an ArcGIS error body that arrives with HTTP 200", async () => {
    serveLayer(featuresFor(municipalities), [
      null,
      { kind: "arcgis-error", code: 400, message: "Cannot perform query. Invalid query parameters." },
    ]);
    const error = await failureOf(source().fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      // The server's message is quoted, cut at 40 characters like every value from outside.
      `source ${server.urlOf(LAYER)}: page 2: ArcGIS error 400: "Cannot perform query. Invalid query para"… (47 characters)`,
    );
  });

  it("retries a 500 on a page transparently", async () => {
    serveLayer(featuresFor(municipalities), [null, { kind: "status", status: 500 }]);
    const { dataset } = await source().fetchIncidence();
    expect(offsetsRequested()).toEqual([0, 40, 40, 80]);
    expect((dataset as WindowTotalsDataset).rowsByCode.size).toBe(98);
  });

  it("names a missing municipality", async () => {
    const without = municipalities.filter((m) => m.code !== 101);
    serveLayer(featuresFor(without));
    const error = await failureOf(source().fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain("partial data: no feature for 1 municipality (101 København)");
  });

  it("names a repeated code and the feature index", async () => {
    const features = featuresFor(municipalities);
    const repeated = { ...features[5] };
    serveLayer([...features.slice(0, 50), repeated, ...features.slice(50)]);
    const error = await failureOf(source().fetchIncidence());
    expect(error.message).toContain(`feature 50: municipality ${municipalities[5]?.code} repeats feature 5`);
  });

  it("ignores Christiansø (411) and rejects other unknown codes", async () => {
    serveLayer([
      ...featuresFor(municipalities),
      { kommunekode: 411, antal_7d: 0, indbyggertal: 84, opdateret: UPDATED_2020_10_27 },
    ]);
    const { dataset } = await source().fetchIncidence();
    expect((dataset as WindowTotalsDataset).rowsByCode.has(411)).toBe(false);

    serveLayer([
      ...featuresFor(municipalities),
      { kommunekode: 999, antal_7d: 0, indbyggertal: 84, opdateret: UPDATED_2020_10_27 },
    ]);
    const error = await failureOf(source().fetchIncidence());
    expect(error.message).toContain("feature 98: unknown municipality code 999");
  });

  const badValues = [
    { name: "negative cases", field: FIELDS.cases7d, value: -1, expected: "expected a finite number ≥ 0" },
    { name: "cases as text", field: FIELDS.cases7d, value: "many", expected: "expected a finite number ≥ 0" },
    { name: "missing cases", field: FIELDS.cases7d, value: null, expected: "expected a finite number ≥ 0" },
    {
      name: "zero population",
      field: FIELDS.population,
      value: 0,
      expected: "expected a population above 0",
    },
    { name: "code not numeric", field: FIELDS.code, value: "K101", expected: "expected a municipality code" },
    {
      name: "bad last update",
      field: FIELDS.lastUpdate,
      value: "yesterday",
      expected: "expected epoch milliseconds or a date",
    },
  ];
  it.each(badValues)("rejects $name with the feature index and field", async ({ field, value, expected }) => {
    const features = featuresFor(municipalities);
    features[7] = { ...features[7], [field]: value } as (typeof features)[number];
    serveLayer(features);
    const error = await failureOf(source().fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain(`feature 7: field ${field}`);
    expect(error.message).toContain(expected);
  });

  it("accepts numeric strings for the code and the figures", async () => {
    serveLayer(
      featuresFor(municipalities).map((f) => ({
        ...f,
        kommunekode: String(f.kommunekode),
        antal_7d: String(f.antal_7d),
      })),
    );
    const { dataset } = await source().fetchIncidence();
    const row = (dataset as WindowTotalsDataset).rowsByCode.get(101);
    expect(row?.cases7d).toBe(casesOf(101));
  });

  const dates = [
    {
      name: "epoch ms just after midnight in Copenhagen",
      value: Date.UTC(2020, 9, 26, 23, 30),
      expected: "2020-10-27",
    },
    { name: "ISO date", value: "2020-10-27", expected: "2020-10-27" },
    { name: "ISO date-time in UTC late evening", value: "2020-10-26T23:30:00Z", expected: "2020-10-27" },
    { name: "RKI-style text", value: "27.10.2020, 00:00 Uhr", expected: "2020-10-27" },
  ];
  it.each(dates)("reads the last update from $name", async ({ value, expected }) => {
    serveLayer(featuresFor(municipalities, value));
    const { dataset } = await source().fetchIncidence();
    expect((dataset as WindowTotalsDataset).lastUpdate).toBe(expected);
  });

  it("takes the oldest last update of all features", async () => {
    const features = featuresFor(municipalities);
    features[60] = { ...features[60], opdateret: "2020-10-20" } as (typeof features)[number];
    serveLayer(features);
    const { dataset } = await source().fetchIncidence();
    expect((dataset as WindowTotalsDataset).lastUpdate).toBe("2020-10-20");
  });

  it("rejects a last update in the future", async () => {
    serveLayer(featuresFor(municipalities, "2020-11-05"));
    const error = await failureOf(source().fetchIncidence());
    expect(error.message).toContain("last update 2020-11-05 is after today (2020-10-28)");
  });

  it("feeds observeWindow: fresh data is observed, a stale last update fails as stale", async () => {
    // W44: Wednesday 2020-10-28, window 2020-10-20 … 2020-10-26.
    const window = classificationWindow(W44);
    serveLayer(featuresFor(municipalities));
    const fresh = await source().fetchIncidence();
    const observed = observeWindow(fresh.dataset, window, municipalities);
    expect(observed.ok).toBe(true);
    if (observed.ok) {
      const copenhagen = observed.observations.find((o) => o.code === 101);
      expect(copenhagen?.incidence).toBeCloseTo((casesOf(101) / 632_340) * 100_000, 10);
    }

    serveLayer(featuresFor(municipalities, "2020-10-25"));
    const stale = await source().fetchIncidence();
    const result = observeWindow(stale.dataset, window, municipalities);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problem).toMatch(
        /^stale data: last update 2020-10-25 is before the window end 2020-10-26/,
      );
  });

  it("rejects a page that is not a query result", async () => {
    server.setRoute(QUERY, { respond: () => ({ body: JSON.stringify({ results: [] }) }) });
    const error = await failureOf(source().fetchIncidence());
    expect(error.message).toContain("page 1: features:");
  });

  it("keeps a token in the layer URL on every page but out of origins", async () => {
    serveLayer(featuresFor(municipalities));
    const { dataset, payloads } = await source({
      url: `${server.urlOf(LAYER)}?token=s3cr3t`,
    }).fetchIncidence();
    expect(server.requestsTo(QUERY).every((r) => r.url.searchParams.get("token") === "s3cr3t")).toBe(true);
    expect(dataset.origin).toBe(`${server.urlOf(LAYER)}?token=REDACTED`);
    for (const payload of payloads) expect(payload.origin).not.toContain("s3cr3t");
  });
});
