import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import type { StoreConfig } from "../../src/config.ts";
import { RUNS_MARKER } from "../../src/store/open-database.ts";
import { openConfiguredStore } from "../../src/store/open-store.ts";
import { importFileCaptures } from "../../src/store/raw-capture-files.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";

/*
 * Raw captures that testrota wrote as files before schema 6 (`<dataDir>/raw/<week>/<run>/<name>.gz`
 * and a manifest.json) are moved into the state store when it is opened, whichever the store. The
 * file layout is written here by hand, as the earlier version left it; the SHA-256s were computed
 * with `sha256sum`.
 */

const W44: IsoWeek = { year: 2020, week: 44 };
const encoder = new TextEncoder();

type FilePayload = { name: string; origin: string; text: string; sha256: string };

const FEATURES: FilePayload = {
  name: "arcgis-page-0001.json",
  origin: "/data/arcgis/page1.json",
  text: '{"features":[]}',
  sha256: "6fa1fe1cd6debd64f7a9f93660a341684169fea401e63a3a11464b66d9de611a",
};
const EMPTY: FilePayload = {
  name: "empty.csv",
  origin: "/data/empty.csv",
  text: "",
  sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};

/** A run folder as saveRawPayloads of earlier versions left it; its manifest written at `at`. */
function writeFileCapture(dataDir: string, week: string, runId: string, payloads: FilePayload[], at: string) {
  const dir = join(dataDir, "raw", week, runId);
  mkdirSync(dir, { recursive: true });
  for (const p of payloads) writeFileSync(join(dir, `${p.name}.gz`), gzipSync(encoder.encode(p.text)));
  const manifest = {
    week,
    runId,
    payloads: payloads.map((p) => ({
      name: p.name,
      origin: p.origin,
      file: `${p.name}.gz`,
      sha256: p.sha256,
      bytes: encoder.encode(p.text).byteLength,
    })),
  };
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  utimesSync(join(dir, "manifest.json"), new Date(at), new Date(at));
  return dir;
}

function texts(payloads: readonly { name: string; origin: string; bytes: Uint8Array }[]) {
  return payloads.map((p) => ({ name: p.name, origin: p.origin, text: new TextDecoder().decode(p.bytes) }));
}

const KINDS = storeKinds();

describe.each(KINDS)("file captures of earlier versions ($name store)", (kind) => {
  let under: StoreUnderTest;
  let store: StateStore;
  let dataDir: string;
  let ownDataDir: string | undefined;

  beforeEach(async () => {
    under = kind.create();
    store = await under.open();
    // SQLite: the store's folder is the data directory; PostgreSQL: a replica's own one.
    if (under.location.type === "sqlite") dataDir = dirname(under.location.path);
    else {
      ownDataDir = mkdtempSync(join(tmpdir(), "testrota-replica-data-"));
      dataDir = ownDataDir;
    }
  });
  afterEach(async () => {
    await under.cleanup();
    if (ownDataDir !== undefined) rmSync(ownDataDir, { recursive: true, force: true });
    ownDataDir = undefined;
  });

  it("moves them into the store with their bytes and capture time, removes the folders, marks the data directory", async () => {
    writeFileCapture(dataDir, "2020-W44", "run-old", [FEATURES, EMPTY], "2020-10-28T11:00:02Z");
    const result = await importFileCaptures(dataDir, store);
    expect(result).toEqual({ imported: ["2020-W44/run-old"], skipped: [] });
    expect(existsSync(join(dataDir, "raw"))).toBe(false);
    expect(existsSync(join(dataDir, RUNS_MARKER))).toBe(true);

    const loaded = await store.loadRawCapture(W44);
    expect(loaded).toMatchObject({ runId: "run-old", capturedAt: "2020-10-28T11:00:02.000Z" });
    expect(texts(loaded.payloads)).toEqual([
      { name: "arcgis-page-0001.json", origin: "/data/arcgis/page1.json", text: '{"features":[]}' },
      { name: "empty.csv", origin: "/data/empty.csv", text: "" },
    ]);
    expect(await importFileCaptures(dataDir, store)).toEqual({ imported: [], skipped: [] });
  });

  it("keeps the latest capture the latest: the manifest written last, whatever the run ids", async () => {
    writeFileCapture(dataDir, "2020-W44", "run-b", [FEATURES], "2020-10-28T11:00:00Z");
    writeFileCapture(dataDir, "2020-W44", "run-a", [EMPTY], "2020-10-28T12:00:00Z");
    await importFileCaptures(dataDir, store);
    expect((await store.loadRawCapture(W44)).runId).toBe("run-a");
  });

  it("is idempotent: a run already in the store (a crash before its folder went) only loses the folder", async () => {
    await store.saveRawCapture({
      week: W44,
      runId: "run-1",
      capturedAt: "2020-10-28T11:00:00.000Z",
      payloads: [{ name: "stored.csv", origin: "/data/stored.csv", bytes: encoder.encode("a") }],
    });
    writeFileCapture(dataDir, "2020-W44", "run-1", [FEATURES], "2020-10-28T13:00:00Z");
    expect(await importFileCaptures(dataDir, store)).toEqual({ imported: ["2020-W44/run-1"], skipped: [] });
    expect(existsSync(join(dataDir, "raw"))).toBe(false);
    const kept = await store.loadRawCapture(W44, "run-1");
    expect(kept.capturedAt).toBe("2020-10-28T11:00:00.000Z");
    expect(texts(kept.payloads)).toEqual([{ name: "stored.csv", origin: "/data/stored.csv", text: "a" }]);
  });

  it("leaves an altered capture and a folder that is no week where they are, named; moves the rest", async () => {
    const bad = writeFileCapture(dataDir, "2020-W44", "run-bad", [FEATURES], "2020-10-28T11:00:00Z");
    writeFileSync(join(bad, "arcgis-page-0001.json.gz"), gzipSync(encoder.encode('{"features":[1]}')));
    writeFileCapture(dataDir, "2020-W44", "run-good", [EMPTY], "2020-10-28T12:00:00Z");
    mkdirSync(join(dataDir, "raw", "notes"));
    // A save that never completed (the run crashed before its capture appeared).
    mkdirSync(join(dataDir, "raw", "2020-W44", ".tmp-run-x-0a1b2c"));

    const result = await importFileCaptures(dataDir, store);
    expect(result.imported).toEqual(["2020-W44/run-good"]);
    expect(result.skipped).toEqual([
      {
        folder: join(dataDir, "raw", "2020-W44", "run-bad"),
        problem: `${join(bad, "arcgis-page-0001.json.gz")}: SHA-256 1a51cf94c91ad6a865a8f06060b574fcf14178b47b9b20ce36a395ea6a958a98 (16 bytes) does not match the manifest's ${FEATURES.sha256} (15 bytes); the capture was altered`,
      },
      { folder: join(dataDir, "raw", "notes"), problem: "not a week folder (YYYY-Www)" },
    ]);
    expect(readdirSync(join(dataDir, "raw", "2020-W44"))).toEqual(["run-bad"]);
    await expect(store.loadRawCapture(W44, "run-bad")).rejects.toThrow("no raw capture of run run-bad");
    expect((await store.loadRawCapture(W44)).runId).toBe("run-good");
  });

  it("opening the configured store moves them, logging what was moved and what was left", async () => {
    await store.close();
    writeFileCapture(dataDir, "2020-W44", "run-1", [FEATURES], "2020-10-28T11:00:00Z");
    mkdirSync(join(dataDir, "raw", "2020-W44", "run-without-manifest"));
    const location = under.location;
    const config: StoreConfig =
      location.type === "sqlite"
        ? { type: "sqlite" }
        : { type: "postgres", url: location.url, schema: location.schema, poolSize: 2 };
    const { logger, lines } = createCapturingLogger("info");
    store = await openConfiguredStore({ dataDir, store: config }, { logger });
    try {
      expect(texts((await store.loadRawCapture(W44)).payloads)).toEqual([
        { name: "arcgis-page-0001.json", origin: "/data/arcgis/page1.json", text: '{"features":[]}' },
      ]);
      expect(lines.map((line) => [line.level, line.msg, line.runs ?? line.folder])).toEqual([
        ["info", "raw captures of earlier versions moved from the data directory into the state store", 1],
        [
          "warn",
          "raw capture folder left where it is: not moved into the store",
          join(dataDir, "raw", "2020-W44", "run-without-manifest"),
        ],
      ]);
    } finally {
      await store.close();
    }
  });
});
