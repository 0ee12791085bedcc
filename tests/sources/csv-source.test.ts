/*
 * How the production path is exercised: files are read from a temp directory through the real
 * `createReadLocation`; the HTTP cases use the real client (undici EnvHttpProxyAgent + retry
 * interceptor) against a real node:http server on 127.0.0.1 (tests/support/fault-server.ts).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Municipality } from "../../src/domain/reference.ts";
import type { WindowTotalsDataset } from "../../src/domain/incidence.ts";
import { InputError, SourceError } from "../../src/errors.ts";
import { createSilentLogger } from "../../src/log.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createCsvSource } from "../../src/sources/csv-source.ts";
import { createHttpClient, type HttpClient } from "../../src/sources/http-client.ts";
import { createReadLocation } from "../../src/sources/read-location.ts";
import { startFaultServer, type FaultServer } from "../support/fault-server.ts";
import {
  clearProxyEnv,
  FAST_HTTP_SETTINGS,
  instantSleep,
  TEST_USER_AGENT,
} from "../support/http-test-settings.ts";

const REFERENCE = fileURLToPath(new URL("../../reference/municipalities.csv", import.meta.url));

let municipalities: Municipality[];
let dir: string;
let server: FaultServer;
let http: HttpClient;

function casesOf(code: number): number {
  return (code * 11) % 97;
}

/** `code;cases_7d;population` lines for the given municipalities (header first). */
function totalsLines(list: readonly Municipality[]): string[] {
  return ["code;cases_7d;population", ...list.map((m) => `${m.code};${casesOf(m.code)};${m.population}`)];
}

async function writeCsv(name: string, lines: readonly string[], bom = true): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${bom ? "\uFEFF" : ""}${lines.join("\r\n")}\r\n`, "utf8");
  return path;
}

function csvSource(url: string, lastUpdate?: string) {
  return createCsvSource(
    { type: "csv", url, ...(lastUpdate === undefined ? {} : { lastUpdate }) },
    { readLocation: createReadLocation({ http }), municipalities },
  );
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

beforeAll(async () => {
  municipalities = await readReference(REFERENCE);
});

beforeEach(async () => {
  clearProxyEnv();
  dir = await mkdtemp(join(tmpdir(), "testrota-csv-source-"));
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
  await rm(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
  expect(server.unhandled).toEqual([]);
});

describe("createCsvSource", () => {
  it("reads code;cases_7d;population (with BOM) and computes the incidence", async () => {
    const path = await writeCsv("incidence.csv", totalsLines(municipalities));
    const { dataset, payloads } = await csvSource(path, "2020-10-26").fetchIncidence();
    const totals = dataset as WindowTotalsDataset;
    expect(totals.kind).toBe("window");
    expect(totals.lastUpdate).toBe("2020-10-26");
    expect(totals.origin).toBe(path);
    expect(totals.rowsByCode.size).toBe(98);
    for (const m of municipalities) {
      const row = totals.rowsByCode.get(m.code);
      expect(row?.cases7d).toBe(casesOf(m.code));
      expect(row?.population).toBe(m.population);
      expect(row?.incidence).toBeCloseTo((casesOf(m.code) * 100_000) / m.population, 9);
    }
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.name).toBe("incidence.csv");
    expect(Buffer.from(payloads[0]?.bytes ?? []).toString("utf8")).toBe(
      `\uFEFF${totalsLines(municipalities).join("\r\n")}\r\n`,
    );
  });

  it("reads code;incidence with a decimal comma or point, without lastUpdate", async () => {
    const lines = [
      "code;incidence",
      ...municipalities.map((m, i) => `${m.code};${i}${i % 2 === 0 ? "," : "."}5`),
    ];
    const { dataset } = await csvSource(await writeCsv("incidence.csv", lines, false)).fetchIncidence();
    const totals = dataset as WindowTotalsDataset;
    expect(totals.lastUpdate).toBeNull();
    municipalities.forEach((m, i) => {
      expect(totals.rowsByCode.get(m.code)).toEqual({ cases7d: null, population: null, incidence: i + 0.5 });
    });
  });

  it("ignores Christiansø (411)", async () => {
    const lines = [...totalsLines(municipalities), "411;0;84"];
    const { dataset } = await csvSource(await writeCsv("incidence.csv", lines)).fetchIncidence();
    expect((dataset as WindowTotalsDataset).rowsByCode.has(411)).toBe(false);
  });

  const badRows = [
    {
      name: "a code with a letter",
      row: "1O1;5;1000",
      expected: 'column code is "1O1": expected a numeric municipality code',
    },
    {
      name: "negative cases",
      row: "101;-3;632340",
      expected: 'column cases_7d is "-3": expected a whole number',
    },
    {
      name: "cases with a thousands separator",
      row: "101;1.203;632340",
      expected: 'column cases_7d is "1.203"',
    },
    {
      name: "zero population",
      row: "101;5;0",
      expected: 'column population is "0": expected a population above 0',
    },
    { name: "an empty population", row: "101;5;", expected: 'column population is ""' },
    { name: "an unknown code", row: "999;5;1000", expected: "unknown municipality code 999" },
  ];
  it.each(badRows)("rejects $name with file and line", async ({ row, expected }) => {
    const lines = totalsLines(municipalities.filter((m) => m.code !== 101));
    // Header on line 1, bad row on line 4.
    lines.splice(3, 0, row);
    const path = await writeCsv("incidence.csv", lines);
    const error = await failureOf(csvSource(path).fetchIncidence());
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(`${path}: line 4: ${expected}`);
  });

  it("rejects a header that is neither form", async () => {
    const path = await writeCsv("incidence.csv", ["code;cases", "101;5"]);
    const error = await failureOf(csvSource(path).fetchIncidence());
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `${path}: line 1: header: expected code;cases_7d;population or code;incidence`,
    );
  });

  it("names missing municipalities", async () => {
    const lines = totalsLines(municipalities.filter((m) => m.code !== 101 && m.code !== 851));
    const path = await writeCsv("incidence.csv", lines);
    const error = await failureOf(csvSource(path).fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `source ${path}: partial data: no row for 2 municipalities (101 København, 851 Aalborg) — expected a row for each of the 98`,
    );
  });

  it("names repeated municipalities with their lines", async () => {
    const lines = [...totalsLines(municipalities), "147;1;104305"];
    const path = await writeCsv("incidence.csv", lines);
    const error = await failureOf(csvSource(path).fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    const firstLine = lines.findIndex((line) => line.startsWith("147;")) + 1;
    expect(error.message).toContain(`147 Frederiksberg (lines ${firstLine} and ${lines.length})`);
  });

  it("reports a missing file by path", async () => {
    const path = join(dir, "nowhere.csv");
    const error = await failureOf(csvSource(path).fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain(`source ${path}: file not found`);
  });

  it("rejects a lastUpdate that is not a date", async () => {
    const path = await writeCsv("incidence.csv", totalsLines(municipalities));
    const error = await failureOf(csvSource(path, "26/10/2020").fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain("expected YYYY-MM-DD");
  });

  it("over HTTP: a truncated body is detected and fetched again", async () => {
    const body = `${totalsLines(municipalities).join("\n")}\n`;
    server.setRoute("/incidence.csv", {
      respond: () => ({ headers: { "content-type": "text/csv" }, body }),
      faults: [{ kind: "truncate", afterBytes: 200 }],
    });
    const { dataset, payloads } = await csvSource(server.urlOf("/incidence.csv")).fetchIncidence();
    expect(server.requestsTo("/incidence.csv")).toHaveLength(2);
    expect((dataset as WindowTotalsDataset).rowsByCode.size).toBe(98);
    expect(Buffer.from(payloads[0]?.bytes ?? []).toString("utf8")).toBe(body);
  });

  it("over HTTP: a body truncated on every attempt fails instead of yielding a partial file", async () => {
    const body = `${totalsLines(municipalities).join("\n")}\n`;
    const truncate = { kind: "truncate" as const, afterBytes: 200 };
    server.setRoute("/incidence.csv", { respond: () => ({ body }), faults: [truncate, truncate, truncate] });
    const error = await failureOf(csvSource(server.urlOf("/incidence.csv")).fetchIncidence());
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain(`truncated body: received 200 of ${Buffer.byteLength(body)} bytes`);
    expect(error.message).toMatch(/after 3 attempts$/);
  });
});
