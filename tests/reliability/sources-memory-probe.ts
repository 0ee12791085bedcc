/*
 * Peak memory of the incidence sources on hostile payloads, measured in a fresh process:
 *
 *   node scripts/with-node24.mjs node tests/reliability/sources-memory-probe.ts prepare
 *   node scripts/with-node24.mjs node tests/reliability/sources-memory-probe.ts <case>
 *   node scripts/with-node24.mjs node tests/reliability/sources-memory-probe.ts clean
 *
 * Cases: zip-bomb (3 GiB of zeros in a 3 MB zip, sizes declared truthfully), zip-bomb-lying
 * (the same declaring 1 kB), csv-49mb (a 49 MB `code;cases_7d;population` body),
 * ssi-49mb (a 49 MB SSI time series), arcgis-40x40mb (40 pages of 40 MB, Christiansø repeated).
 * Prints one JSON line: the case, the outcome (the error message, cut) and the peak RSS
 * (`process.resourceUsage().maxRSS`) in MiB. Figures are reported, never asserted. `prepare`
 * writes the two 49 MB bodies to a temporary folder in its own process, so that building them
 * does not count; the zips (3 MB) and ArcGIS pages are built in the measured process, and the
 * peak includes them and Node's own baseline (about 100 MiB with the project's modules loaded).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReference } from "../../src/roster/read-reference.ts";
import { createArcgisSource } from "../../src/sources/arcgis.ts";
import { createCsvSource } from "../../src/sources/csv-source.ts";
import type { HttpClient } from "../../src/sources/http-client.ts";
import { createReadLocation } from "../../src/sources/read-location.ts";
import { createSsiSource } from "../../src/sources/ssi.ts";
import { buildZip, fileEntry, zerosEntry } from "../sources/zip-bomb.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const PAIR = join(ROOT, "config", "demo", "ssi", "2020-09-30");
const MB = 1_000_000;

const municipalities = await readReference(join(ROOT, "reference", "municipalities.csv"));
const scratch = join(tmpdir(), "testrota-memory-probe");
const CSV_BODY = join(scratch, "big.csv");
const SSI_BODY = join(scratch, "Municipality_cases_time_series.csv");
const readLocation = createReadLocation({});

function ssiFromZip(zip: Uint8Array) {
  return createSsiSource({ zip: "in.zip" }, { readLocation: () => Promise.resolve(zip), municipalities });
}

/** Writes lines made by `line(i)` after `header` until the file holds `bytes`. */
function writeBody(path: string, header: string, line: (i: number) => string, bytes: number): void {
  const parts = [header];
  let size = header.length;
  for (let i = 0; size < bytes; i++) {
    const next = line(i);
    parts.push(next);
    size += next.length;
  }
  writeFileSync(path, parts.join(""));
}

function prepare(): void {
  mkdirSync(scratch, { recursive: true });
  writeBody(CSV_BODY, "code;cases_7d;population\n", () => "101;5;1000\n", 49 * MB);
  const real = readFileSync(join(PAIR, "Municipality_cases_time_series.csv"), "utf8").split("\n");
  const zeros =
    real[1]
      ?.split(";")
      .slice(1)
      .map(() => "0")
      .join(";") ?? "";
  const start = Date.UTC(2020, 1, 26);
  writeBody(SSI_BODY, `${real[0] ?? ""}\n`, (i) => `${dateAfter(start, i)};${zeros}\n`, 49 * MB);
}

function dateAfter(start: number, days: number): string {
  return new Date(start + days * 86_400_000).toISOString().slice(0, 10);
}

const cases: Record<string, () => Promise<unknown>> = {
  "zip-bomb": () => {
    const zip = buildZip([
      zerosEntry("Municipality_cases_time_series.csv", 3 * 1024),
      fileEntry("Municipality_test_pos.csv", readFileSync(join(PAIR, "Municipality_test_pos.csv"))),
    ]);
    return ssiFromZip(zip).fetchIncidence();
  },
  "zip-bomb-lying": () => {
    const zip = buildZip([
      zerosEntry("Municipality_cases_time_series.csv", 3 * 1024, { declaredSize: 1_000, skipCrc: true }),
      fileEntry("Municipality_test_pos.csv", readFileSync(join(PAIR, "Municipality_test_pos.csv"))),
    ]);
    return ssiFromZip(zip).fetchIncidence();
  },
  "csv-49mb": () =>
    createCsvSource({ type: "csv", url: CSV_BODY }, { readLocation, municipalities }).fetchIncidence(),
  "ssi-49mb": () =>
    createSsiSource(
      { timeSeries: SSI_BODY, testPos: join(PAIR, "Municipality_test_pos.csv") },
      { readLocation, municipalities },
    ).fetchIncidence(),
  "arcgis-40x40mb": () => {
    const pad = "x".repeat(40 * MB);
    const page = Buffer.from(
      JSON.stringify({
        features: [{ attributes: { kommunekode: 411, antal_7d: 0, indbyggertal: 84, pad } }],
        exceededTransferLimit: true,
      }),
    );
    let served = 0;
    const http: HttpClient = {
      // 40 pages (each its own copy, as from the network), then the end: code that never stops
      // would otherwise page 1,000 times.
      getBytes: () => Promise.resolve(Buffer.from(++served <= 40 ? page : '{"features":[]}')),
      getJson: () => Promise.reject(new Error("not used")),
      close: () => Promise.resolve(),
    };
    return createArcgisSource(
      {
        type: "arcgis",
        url: "http://arcgis.test/FeatureServer/0",
        where: "1=1",
        pageSize: 1,
        fields: { code: "kommunekode", cases7d: "antal_7d", population: "indbyggertal" },
      },
      { http, municipalities },
    ).fetchIncidence();
  },
};

const name = process.argv[2] ?? "";
const run = cases[name];
if (name === "prepare") {
  prepare();
} else if (name === "clean") {
  rmSync(scratch, { recursive: true, force: true });
} else if (run === undefined) {
  console.error(`usage: sources-memory-probe.ts <prepare|clean|${Object.keys(cases).join("|")}>`);
  process.exitCode = 64;
} else {
  let outcome: string;
  try {
    await run();
    outcome = "accepted";
  } catch (error) {
    outcome = `${(error as Error).constructor.name}: ${(error as Error).message.slice(0, 160)}`;
  }
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ case: name, outcome, peakRssMiB: peak }));
}
