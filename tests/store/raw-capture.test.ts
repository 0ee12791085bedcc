import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import { InputError } from "../../src/errors.ts";
import type { RawPayload } from "../../src/sources/source.ts";
import { loadRawPayloads, saveRawPayloads } from "../../src/store/raw-capture.ts";

// Raw captures are files in each host's data directory (gzip plus a manifest), whichever the
// state store: nothing here touches the store, so nothing is run per store implementation.

const W44: IsoWeek = { year: 2020, week: 44 };
const encoder = new TextEncoder();

const PAYLOADS: RawPayload[] = [
  {
    name: "Municipality_test_pos.csv",
    origin: "https://files.ssi.dk/covid19/data-epidemiologisk-rapport-28102020",
    bytes: encoder.encode("\uFEFFKommune_(id);Kommune_(navn);Befolkningstal\r\n101;Copenhagen;632.340\r\n"),
  },
  {
    name: "arcgis-page-0001.json",
    origin: "/data/arcgis/page1.json",
    bytes: encoder.encode('{"features":[]}'),
  },
  { name: "empty.csv", origin: "/data/empty.csv", bytes: new Uint8Array() },
];

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "raw-capture-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("saveRawPayloads / loadRawPayloads", () => {
  it("stores each payload gzip-compressed with its SHA-256 and reads it back", async () => {
    const saved = await saveRawPayloads(dataDir, W44, "run-1", PAYLOADS);
    const runDir = join(dataDir, "raw", "2020-W44", "run-1");

    expect(saved).toEqual(
      PAYLOADS.map((p) => ({
        name: p.name,
        origin: p.origin,
        sha256: sha256(p.bytes),
        bytes: p.bytes.byteLength,
        path: join(runDir, `${p.name}.gz`),
      })),
    );
    for (const payload of PAYLOADS) {
      const stored = await readFile(join(runDir, `${payload.name}.gz`));
      expect(new Uint8Array(gunzipSync(stored))).toEqual(payload.bytes);
    }
    const manifest = JSON.parse(await readFile(join(runDir, "manifest.json"), "utf8")) as {
      payloads: { name: string; sha256: string }[];
    };
    expect(manifest.payloads.map((p) => [p.name, p.sha256])).toEqual(
      PAYLOADS.map((p) => [p.name, sha256(p.bytes)]),
    );

    expect(await loadRawPayloads(dataDir, W44, "run-1")).toEqual(PAYLOADS);
    expect((await readdir(join(dataDir, "raw", "2020-W44"))).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("loads the latest saved run of the week when no run id is given", async () => {
    await saveRawPayloads(dataDir, W44, "run-b", PAYLOADS.slice(0, 1));
    await saveRawPayloads(dataDir, W44, "run-a", PAYLOADS.slice(1, 2));
    // run-b was saved first; give it an older manifest time so the order does not depend on timing.
    const old = new Date("2020-10-28T06:00:00Z");
    await utimes(join(dataDir, "raw", "2020-W44", "run-b", "manifest.json"), old, old);

    expect(await loadRawPayloads(dataDir, W44)).toEqual(PAYLOADS.slice(1, 2));
  });

  it("fails with an InputError when no capture exists for the week", async () => {
    await expect(loadRawPayloads(dataDir, W44)).rejects.toThrow(InputError);
  });

  it("detects a tampered payload and names the file", async () => {
    await saveRawPayloads(dataDir, W44, "run-1", PAYLOADS);
    const path = join(dataDir, "raw", "2020-W44", "run-1", "arcgis-page-0001.json.gz");
    await writeFile(path, gzipSync(encoder.encode('{"features":[1]}')));

    const error = await loadRawPayloads(dataDir, W44, "run-1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location.file).toBe(path);
    expect((error as InputError).message).toContain("arcgis-page-0001.json.gz");
  });

  it("reports a corrupt gzip file as an InputError naming it", async () => {
    await saveRawPayloads(dataDir, W44, "run-1", PAYLOADS);
    const path = join(dataDir, "raw", "2020-W44", "run-1", "empty.csv.gz");
    await writeFile(path, "not gzip");
    await expect(loadRawPayloads(dataDir, W44, "run-1")).rejects.toThrow(path);
  });

  it.each([
    { name: "a path separator", payloadName: "../escape.csv" },
    { name: "a dot-file", payloadName: ".hidden" },
    { name: "an empty name", payloadName: "" },
  ])("refuses a payload name with $name", async ({ payloadName }) => {
    await expect(
      saveRawPayloads(dataDir, W44, "run-1", [{ name: payloadName, origin: "x", bytes: new Uint8Array() }]),
    ).rejects.toThrow(/not a safe file name/);
  });

  it("refuses to overwrite a run already captured", async () => {
    await saveRawPayloads(dataDir, W44, "run-1", PAYLOADS);
    await expect(saveRawPayloads(dataDir, W44, "run-1", PAYLOADS.slice(0, 1))).rejects.toThrow();
    expect(await loadRawPayloads(dataDir, W44, "run-1")).toEqual(PAYLOADS);
    expect((await readdir(join(dataDir, "raw", "2020-W44"))).sort()).toEqual(["run-1"]);
  });
});
