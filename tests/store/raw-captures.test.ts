import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import { InputError, StorageError } from "../../src/errors.ts";
import type { RawPayload } from "../../src/sources/source.ts";
import { pruneOldWeeks } from "../../src/store/prune.ts";
import { SCHEMA_VERSION } from "../../src/store/schema.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { CADENCE, CLASSIFICATIONS, PLAN } from "../fixtures/store/committed-week.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";

/*
 * The raw captures in the state store (table raw_captures, schema 6), against both stores: a run's
 * payloads round-trip byte for byte, the latest capture of a week is the one read by default, an
 * altered capture is detected, prune removes only the weeks asked, and a store of every earlier
 * schema version gains the table. The SHA-256s below were computed with `sha256sum`.
 */

const W43: IsoWeek = { year: 2020, week: 43 };
const W44: IsoWeek = { year: 2020, week: 44 };
const W45: IsoWeek = { year: 2020, week: 45 };
const encoder = new TextEncoder();

/** 71 bytes: a BOM, a CRLF header and one row, as SSI wrote them. */
const TEST_POS = encoder.encode(
  "\uFEFFKommune_(id);Kommune_(navn);Befolkningstal\r\n101;Copenhagen;632.340\r\n",
);

const PAYLOADS: RawPayload[] = [
  {
    name: "Municipality_test_pos.csv",
    origin: "https://files.ssi.dk/covid19/data-epidemiologisk-rapport-28102020",
    bytes: TEST_POS,
  },
  {
    name: "arcgis-page-0001.json",
    origin: "/data/arcgis/page1.json",
    bytes: encoder.encode('{"features":[]}'),
  },
  { name: "empty.csv", origin: "/data/empty.csv", bytes: new Uint8Array() },
];

const SHA = {
  testPos: "9731fe8d4f326cdbf7a65a654c30110e4033af331affbb67c0037cc22fa115d2",
  features: "6fa1fe1cd6debd64f7a9f93660a341684169fea401e63a3a11464b66d9de611a",
  empty: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};

/** Payloads compared as plain byte arrays (PostgreSQL hands back Buffers). */
function plain(payloads: readonly RawPayload[]): { name: string; origin: string; bytes: number[] }[] {
  return payloads.map((p) => ({ name: p.name, origin: p.origin, bytes: [...p.bytes] }));
}

const capture = (week: IsoWeek, runId: string, capturedAt: string, payloads = PAYLOADS) => ({
  week,
  runId,
  capturedAt,
  payloads,
});

const KINDS = storeKinds();

describe.each(KINDS)("raw captures ($name store)", (kind) => {
  let under: StoreUnderTest;
  let store: StateStore;
  beforeEach(async () => {
    under = kind.create();
    store = await under.open();
  });
  afterEach(async () => {
    await under.cleanup();
  });

  /** A bytes literal of the store's dialect. */
  const bytesLiteral = (bytes: Uint8Array) =>
    kind.name === "sqlite"
      ? `X'${Buffer.from(bytes).toString("hex")}'`
      : `decode('${Buffer.from(bytes).toString("hex")}', 'hex')`;

  it("keeps a run's payloads byte for byte, in the order fetched, with their SHA-256 and sizes", async () => {
    const saved = await store.saveRawCapture(capture(W44, "run-1", "2020-10-28T11:00:02.000Z"));
    expect(saved.map(({ storedBytes: _, ...rest }) => rest)).toEqual([
      { name: PAYLOADS[0]?.name, origin: PAYLOADS[0]?.origin, sha256: SHA.testPos, bytes: 71 },
      { name: "arcgis-page-0001.json", origin: "/data/arcgis/page1.json", sha256: SHA.features, bytes: 15 },
      { name: "empty.csv", origin: "/data/empty.csv", sha256: SHA.empty, bytes: 0 },
    ]);
    // gzip adds at least its 18 bytes of header and trailer: an empty payload is stored as more.
    expect(saved[2]?.storedBytes).toBeGreaterThanOrEqual(18);

    await store.close();
    store = await under.open();
    const loaded = await store.loadRawCapture(W44, "run-1");
    expect(loaded).toMatchObject({ week: W44, runId: "run-1", capturedAt: "2020-10-28T11:00:02.000Z" });
    expect(plain(loaded.payloads)).toEqual(plain(PAYLOADS));
    expect(Buffer.from(loaded.payloads[0]?.bytes ?? []).equals(Buffer.from(TEST_POS))).toBe(true);
    // The rows hold the compressed bytes, described by the uncompressed payload's hash and size.
    const rows = await under.query(
      "SELECT name, position, sha256, bytes FROM raw_captures WHERE week = '2020-W44' ORDER BY position",
    );
    expect(rows).toEqual([
      { name: "Municipality_test_pos.csv", position: 0, sha256: SHA.testPos, bytes: 71 },
      { name: "arcgis-page-0001.json", position: 1, sha256: SHA.features, bytes: 15 },
      { name: "empty.csv", position: 2, sha256: SHA.empty, bytes: 0 },
    ]);
  });

  it("reads the week's latest capture when no run is named: captured last, the greater run id on a tie", async () => {
    await store.saveRawCapture(capture(W44, "run-b", "2020-10-28T11:00:00.000Z", PAYLOADS.slice(0, 1)));
    await store.saveRawCapture(capture(W44, "run-a", "2020-10-28T12:00:00.000Z", PAYLOADS.slice(1, 2)));
    await store.saveRawCapture(capture(W45, "run-c", "2020-11-04T11:00:00.000Z", PAYLOADS.slice(2)));
    expect((await store.loadRawCapture(W44)).runId).toBe("run-a");
    expect(plain((await store.loadRawCapture(W44)).payloads)).toEqual(plain(PAYLOADS.slice(1, 2)));
    expect(plain((await store.loadRawCapture(W44, "run-b")).payloads)).toEqual(plain(PAYLOADS.slice(0, 1)));

    await store.saveRawCapture(capture(W44, "run-0", "2020-10-28T12:00:00.000Z", PAYLOADS.slice(2)));
    await store.saveRawCapture(capture(W44, "run-z", "2020-10-28T12:00:00.000Z", PAYLOADS.slice(2)));
    expect((await store.loadRawCapture(W44)).runId).toBe("run-z");
  });

  it("a week or run without a capture is an InputError naming it", async () => {
    await store.saveRawCapture(capture(W44, "run-1", "2020-10-28T11:00:00.000Z"));
    const none = await store.loadRawCapture(W43).catch((error: unknown) => error);
    expect(none).toBeInstanceOf(InputError);
    expect((none as Error).message).toBe(
      `${store.path}: no raw capture of week 2020-W43 in the state store; expected one saved by a run of that week`,
    );
    await expect(store.loadRawCapture(W44, "run-2")).rejects.toThrow(
      "no raw capture of run run-2 of week 2020-W44 in the state store",
    );
  });

  it.each([
    {
      name: "a payload replaced by other bytes",
      column: "gzip",
      value: () => bytesLiteral(gzipSync(encoder.encode('{"features":[1]}'))),
      problem:
        "SHA-256 1a51cf94c91ad6a865a8f06060b574fcf14178b47b9b20ce36a395ea6a958a98 (16 bytes) does not match the recorded 6fa1fe1cd6debd64f7a9f93660a341684169fea401e63a3a11464b66d9de611a (15 bytes); the capture was altered",
    },
    {
      name: "a recorded hash changed",
      column: "sha256",
      value: () => `'${"0".repeat(64)}'`,
      problem: `SHA-256 ${SHA.features} (15 bytes) does not match the recorded ${"0".repeat(64)} (15 bytes); the capture was altered`,
    },
    {
      name: "bytes that are not gzip",
      column: "gzip",
      value: () => bytesLiteral(encoder.encode("not gzip")),
      problem: "not valid gzip; the capture was altered",
    },
  ])("$name: a StorageError (corrupt) naming week, run and payload", async ({ column, value, problem }) => {
    await store.saveRawCapture(capture(W44, "run-1", "2020-10-28T11:00:00.000Z"));
    await under.query(
      `UPDATE raw_captures SET ${column} = ${value()} WHERE run_id = 'run-1' AND name = 'arcgis-page-0001.json'`,
    );
    const error = await store.loadRawCapture(W44).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ fault: "corrupt", exitCode: 72, path: store.path });
    expect((error as Error).message).toBe(
      `${store.path}: raw capture of week 2020-W44, run run-1, payload arcgis-page-0001.json: ${problem}`,
    );
  });

  it.each([
    { name: "a path separator", payloadName: "../escape.csv" },
    { name: "a dot-file", payloadName: ".hidden" },
    { name: "an empty name", payloadName: "" },
    { name: "a backslash", payloadName: "a\\b" },
  ])("refuses a payload name with $name, saving nothing", async ({ payloadName }) => {
    await expect(
      store.saveRawCapture(
        capture(W44, "run-1", "t", [
          ...PAYLOADS,
          { name: payloadName, origin: "x", bytes: new Uint8Array() },
        ]),
      ),
    ).rejects.toThrow(/not a safe file name/);
    expect(await under.query("SELECT COUNT(*) AS n FROM raw_captures")).toEqual([{ n: 0 }]);
  });

  it("refuses an unsafe run id and a payload name given twice", async () => {
    await expect(store.saveRawCapture(capture(W44, "../run", "t"))).rejects.toThrow(
      'raw capture: run id "../run" is not a safe file name',
    );
    await expect(
      store.saveRawCapture(
        capture(W44, "run-1", "t", [PAYLOADS[1] as RawPayload, PAYLOADS[1] as RawPayload]),
      ),
    ).rejects.toThrow("raw capture: payload name arcgis-page-0001.json given twice");
  });

  it("refuses to overwrite a run already captured, leaving its capture as it was", async () => {
    await store.saveRawCapture(capture(W44, "run-1", "2020-10-28T11:00:00.000Z"));
    const again = await store
      .saveRawCapture(capture(W44, "run-1", "2020-10-28T12:00:00.000Z", PAYLOADS.slice(0, 1)))
      .catch((error: unknown) => error);
    expect(again).toBeInstanceOf(InputError);
    expect((again as Error).message).toContain("run run-1 of week 2020-W44 already has a raw capture");
    const kept = await store.loadRawCapture(W44, "run-1");
    expect(kept.capturedAt).toBe("2020-10-28T11:00:00.000Z");
    expect(plain(kept.payloads)).toEqual(plain(PAYLOADS));
  });

  it("lists the captured weeks with their runs and sizes, and deletes only the weeks asked", async () => {
    await store.saveRawCapture(capture(W43, "run-1", "2020-10-21T11:00:00.000Z"));
    await store.saveRawCapture(capture(W44, "run-2", "2020-10-28T11:00:00.000Z", PAYLOADS.slice(0, 2)));
    await store.saveRawCapture(capture(W44, "run-3", "2020-10-28T12:00:00.000Z", PAYLOADS.slice(1, 2)));
    await store.saveRawCapture(capture(W45, "run-4", "2020-11-04T11:00:00.000Z", PAYLOADS.slice(2)));
    const listed = await store.listRawCaptureWeeks();
    expect(listed.map(({ storedBytes: _, ...rest }) => rest)).toEqual([
      { week: W43, runs: 1, payloads: 3, bytes: 71 + 15 + 0 },
      { week: W44, runs: 2, payloads: 3, bytes: 71 + 15 + 15 },
      { week: W45, runs: 1, payloads: 1, bytes: 0 },
    ]);
    const stored = await under.query("SELECT week, SUM(LENGTH(gzip)) AS n FROM raw_captures GROUP BY week");
    for (const captured of listed) {
      const row = stored.find((r) => r.week === formatIsoWeek(captured.week));
      expect(captured.storedBytes).toBe(Number(row?.n));
    }

    expect(await store.deleteRawCaptureWeeks([W43, W45])).toBe(4);
    expect((await store.listRawCaptureWeeks()).map((w) => w.week)).toEqual([W44]);
    expect((await store.loadRawCapture(W44)).runId).toBe("run-3");
    expect(await store.deleteRawCaptureWeeks([])).toBe(0);
  });

  it("prune removes the captures of the weeks before the first kept week, no others", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "testrota-raw-prune-"));
    try {
      for (const [week, at] of [
        [W43, "2020-10-21T11:00:00.000Z"],
        [W44, "2020-10-28T11:00:00.000Z"],
        [W45, "2020-11-04T11:00:00.000Z"],
      ] as const) {
        await store.saveRawCapture(capture(week, `run-${week.week}`, at, PAYLOADS.slice(1, 2)));
      }
      await store.commitWeek({
        week: W45,
        runId: "run-45",
        classifications: CLASSIFICATIONS.map((c) => ({ ...c, week: W45 })),
        cadence: CADENCE,
        plan: PLAN,
        inputDigest: "d".repeat(64),
      });
      // retention.weeks 2 with W45 the latest committed week: W44 and W45 are kept.
      const dry = await pruneOldWeeks({ store, dataDir, weeks: 2, dryRun: true });
      expect(dry.rawCaptureWeeks).toEqual(["2020-W43"]);
      expect(await store.listRawCaptureWeeks()).toHaveLength(3);
      const report = await pruneOldWeeks({ store, dataDir, weeks: 2 });
      expect(report).toMatchObject({ firstKeptWeek: "2020-W44", rawCaptureWeeks: ["2020-W43"] });
      expect((await store.listRawCaptureWeeks()).map((w) => w.week)).toEqual([W44, W45]);
      expect((await pruneOldWeeks({ store, dataDir, weeks: 2 })).rawCaptureWeeks).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe.each([1, 2, 3, 4, 5])("a store of schema %i", (version) => {
    it("gains the raw captures table (migration 6) and keeps captures from then on", async () => {
      await under.cleanup();
      under = kind.create();
      await under.createAtVersion(version);
      // (SQLite's query throws at once, PostgreSQL's rejects: both as a rejection here.)
      const before = Promise.resolve().then(() => under.query("SELECT COUNT(*) AS n FROM raw_captures"));
      await expect(before).rejects.toThrow(/raw_captures/);
      store = await under.open();
      const recorded = await under.query(
        kind.name === "sqlite" ? "PRAGMA user_version" : "SELECT version AS user_version FROM schema_version",
      );
      expect(Number(recorded[0]?.user_version)).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(7);
      await store.saveRawCapture(capture(W44, "run-1", "2020-10-28T11:00:00.000Z"));
      expect(plain((await store.loadRawCapture(W44)).payloads)).toEqual(plain(PAYLOADS));
    });
  });
});
