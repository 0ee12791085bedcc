import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { InputError } from "../errors.ts";
import type { RawPayload } from "../sources/source.ts";
import { blob, num, text, week as weekOf, type Row } from "./row-codecs.ts";
import type { SqlDriver } from "./sql-driver.ts";
import { storageError } from "./storage-fault.ts";

/*
 * The raw captures: every payload a run fetched, exactly as fetched, gzip-compressed in the state
 * store (table raw_captures, one row per payload), with the SHA-256 and size of the uncompressed
 * bytes. They serve audit and `replay --offline`; being in the store, every process that shares
 * it (the replicas of a PostgreSQL store) replays what any of them fetched. Retention prunes them
 * by week like the other bulky state (store/prune.ts).
 */

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** One saved payload: `bytes` is the uncompressed size, `sha256` of the uncompressed bytes. */
export type SavedPayload = {
  readonly name: string;
  readonly origin: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Its size in the store (gzip-compressed). */
  readonly storedBytes: number;
};

export type RawCaptureInput = {
  readonly week: IsoWeek;
  readonly runId: string;
  /** When the run fetched them (ISO instant, UTC); the latest capture of a week is read by default. */
  readonly capturedAt: string;
  readonly payloads: readonly RawPayload[];
};

/** A run's capture as read back, verified. */
export type RawCapture = {
  readonly week: IsoWeek;
  readonly runId: string;
  readonly capturedAt: string;
  /** In the order fetched. */
  readonly payloads: RawPayload[];
};

/** What the store keeps of one week's captures. */
export type RawCaptureWeek = {
  readonly week: IsoWeek;
  readonly runs: number;
  readonly payloads: number;
  /** Uncompressed, as fetched. */
  readonly bytes: number;
  /** Compressed, as stored. */
  readonly storedBytes: number;
};

export type RawCaptures = {
  /**
   * Saves the payloads of a run in one transaction (all or none). A run captured before is
   * refused (InputError), its capture left as it was.
   */
  saveRawCapture(input: RawCaptureInput): Promise<SavedPayload[]>;
  /**
   * The payloads of run `runId` of `week`, or of the week's latest capture (by captured-at, then
   * run id) when it is left out, each checked against its SHA-256 and size: a mismatch is a
   * StorageError (`corrupt`) naming week, run and payload. No capture is an InputError.
   */
  loadRawCapture(week: IsoWeek, runId?: string): Promise<RawCapture>;
  /** Whether run `runId` of `week` has a capture. */
  hasRawCapture(week: IsoWeek, runId: string): Promise<boolean>;
  /** Every week with a capture, in week order. */
  listRawCaptureWeeks(): Promise<RawCaptureWeek[]>;
  /** Deletes every capture of `weeks` (retention) in one transaction; returns the payload rows deleted. */
  deleteRawCaptureWeeks(weeks: readonly IsoWeek[]): Promise<number>;
};

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Run ids and payload names stay what the file layout of earlier versions allowed (one path
 * segment: no separators, no dot-files, at most 200 characters), so a capture can always be
 * written out as `<week>/<run>/<name>.gz` again for an auditor.
 */
export function assertSegment(kind: string, value: string): void {
  if (value === "" || value.startsWith(".") || /[/\\\0]/.test(value) || value.length > 200) {
    throw new Error(`raw capture: ${kind} ${JSON.stringify(value)} is not a safe file name`);
  }
}

function checkInput(input: RawCaptureInput): void {
  assertSegment("run id", input.runId);
  const names = new Set<string>();
  for (const payload of input.payloads) {
    assertSegment("payload name", payload.name);
    if (names.has(payload.name)) throw new Error(`raw capture: payload name ${payload.name} given twice`);
    names.add(payload.name);
  }
}

const COLUMNS = "week, run_id, name, position, origin, sha256, bytes, gzip, captured_at";
/** A row when run ? of week ? has a capture. */
const CAPTURED_SQL = "SELECT 1 AS found FROM raw_captures WHERE week = ? AND run_id = ? LIMIT 1";

/** What a stored gzip blob must unpack to: the SHA-256 and size of its uncompressed bytes. */
export type GzipCheck = { readonly sha256: string; readonly bytes: number };

/**
 * The uncompressed bytes of a stored gzip blob, verified against the SHA-256 and size recorded
 * beside it: bytes that do not unpack or do not match are a StorageError (`corrupt`) about
 * `where`, saying which `label` (e.g. "raw capture of week …") and that the `thing` was altered.
 * Shared by the raw captures and the cycle-slot snapshots (store/slot-snapshots.ts).
 */
export async function gunzipChecked(
  gzip: Uint8Array,
  expected: GzipCheck,
  where: string,
  label: string,
  thing: string,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await gunzipAsync(gzip));
  } catch (error) {
    throw storageError("corrupt", where, `${label}: not valid gzip; the ${thing} was altered`, error);
  }
  const actual = sha256Hex(bytes);
  if (actual !== expected.sha256 || bytes.byteLength !== expected.bytes) {
    throw storageError(
      "corrupt",
      where,
      `${label}: SHA-256 ${actual} (${bytes.byteLength} bytes) does not match the recorded ${expected.sha256} (${expected.bytes} bytes); the ${thing} was altered`,
    );
  }
  return bytes;
}

/** The uncompressed payload of `row`, verified against its recorded SHA-256 and size. */
async function verifiedPayload(row: Row, where: string, runId: string): Promise<RawPayload> {
  const name = text(row, "name");
  const label = `raw capture of week ${text(row, "week")}, run ${runId}, payload ${name}`;
  const expected = { sha256: text(row, "sha256"), bytes: num(row, "bytes") };
  const bytes = await gunzipChecked(blob(row, "gzip"), expected, where, label, "capture");
  return { name, origin: text(row, "origin"), bytes };
}

/** The run of the week's latest capture: captured last, the greater run id on a tie. */
async function latestRunOf(db: SqlDriver, weekText: string): Promise<string | undefined> {
  const row = await db.get(
    "SELECT run_id FROM raw_captures WHERE week = ? ORDER BY captured_at DESC, run_id DESC LIMIT 1",
    weekText,
  );
  return row === undefined ? undefined : text(row, "run_id");
}

/** The raw captures over `db`; `where` names the store in messages. */
export function createRawCaptures(db: SqlDriver, where: string): RawCaptures {
  return {
    async saveRawCapture(input) {
      checkInput(input);
      const weekText = formatIsoWeek(input.week);
      // Compressed before the transaction: it holds the write lock only for the inserts.
      const rows = await Promise.all(
        input.payloads.map(async (payload) => ({
          payload,
          sha256: sha256Hex(payload.bytes),
          gzip: new Uint8Array(await gzipAsync(payload.bytes)),
        })),
      );
      await db.transaction(async (tx) => {
        const existing = await tx.get(CAPTURED_SQL, weekText, input.runId);
        if (existing !== undefined) {
          throw new InputError(
            { file: where },
            `run ${input.runId} of week ${weekText} already has a raw capture; expected a run not captured before`,
          );
        }
        for (const [position, row] of rows.entries()) {
          await tx.run(
            `INSERT INTO raw_captures (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            weekText,
            input.runId,
            row.payload.name,
            position,
            row.payload.origin,
            row.sha256,
            row.payload.bytes.byteLength,
            row.gzip,
            input.capturedAt,
          );
        }
      });
      return rows.map((row) => ({
        name: row.payload.name,
        origin: row.payload.origin,
        sha256: row.sha256,
        bytes: row.payload.bytes.byteLength,
        storedBytes: row.gzip.byteLength,
      }));
    },

    async loadRawCapture(week, runId) {
      const weekText = formatIsoWeek(week);
      if (runId !== undefined) assertSegment("run id", runId);
      const chosen = runId ?? (await latestRunOf(db, weekText));
      const rows =
        chosen === undefined
          ? []
          : await db.all(
              `SELECT ${COLUMNS} FROM raw_captures WHERE week = ? AND run_id = ? ORDER BY position`,
              weekText,
              chosen,
            );
      const first = rows[0];
      if (chosen === undefined || first === undefined) {
        const which = runId === undefined ? `week ${weekText}` : `run ${runId} of week ${weekText}`;
        throw new InputError(
          { file: where },
          `no raw capture of ${which} in the state store; expected one saved by a run of that week`,
        );
      }
      const payloads: RawPayload[] = [];
      for (const row of rows) payloads.push(await verifiedPayload(row, where, chosen));
      return { week, runId: chosen, capturedAt: text(first, "captured_at"), payloads };
    },

    async hasRawCapture(week, runId) {
      const row = await db.get(CAPTURED_SQL, formatIsoWeek(week), runId);
      return row !== undefined;
    },

    async listRawCaptureWeeks() {
      const rows = await db.all(
        `SELECT week, COUNT(DISTINCT run_id) AS runs, COUNT(*) AS payloads, SUM(bytes) AS bytes,
           SUM(LENGTH(gzip)) AS stored FROM raw_captures GROUP BY week ORDER BY week`,
      );
      return rows.map((row) => ({
        week: weekOf(row, "week"),
        runs: num(row, "runs"),
        payloads: num(row, "payloads"),
        bytes: num(row, "bytes"),
        storedBytes: num(row, "stored"),
      }));
    },

    deleteRawCaptureWeeks(weeks) {
      return db.transaction(async (tx) => {
        let deleted = 0;
        for (const week of weeks) {
          deleted += await tx.run("DELETE FROM raw_captures WHERE week = ?", formatIsoWeek(week));
        }
        return deleted;
      });
    },
  };
}
