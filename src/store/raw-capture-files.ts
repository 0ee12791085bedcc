import { readFile, readdir, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { z } from "zod";
import { formatIsoWeek, parseIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { InputError } from "../errors.ts";
import type { RawPayload } from "../sources/source.ts";
import { markRunsSeen } from "./open-database.ts";
import { sha256Hex } from "./raw-captures.ts";
import type { StateStore } from "./state-store.ts";

/*
 * Raw captures as files, the layout of testrota before schema 6: `<dataDir>/raw/<week>/<runId>/`
 * with each payload as `<name>.gz` and a `manifest.json` (name, origin, SHA-256 and size of the
 * uncompressed bytes). They are moved into the state store when it is opened (importFileCaptures)
 * rather than read as a fallback beside it: then captures have one home to read, prune and copy —
 * `testrota store migrate` carries them into PostgreSQL, where every replica can replay them — and
 * a run's path has no file layout left to know. The move is idempotent: a run already in the store
 * (a crash between the import's commit and the folder's removal) only has its folder removed; a
 * folder that fails its checks stays where it is and is named in the result.
 */

const gunzipAsync = promisify(gunzip);

const MANIFEST = "manifest.json";

const manifestSchema = z.object({
  payloads: z.array(
    z.object({
      name: z.string(),
      origin: z.string(),
      file: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.number().int().nonnegative(),
    }),
  ),
});

type RawManifest = z.infer<typeof manifestSchema>;

/** A run folder of the file layout, read and verified. */
export type FileCapture = {
  /** When its manifest was written (the run's capture time): the latest capture stays the latest. */
  readonly capturedAt: string;
  readonly payloads: RawPayload[];
};

/** What an import did: run folders moved into the store, and those left where they are. */
export type FileCaptureImport = {
  /** `<week>/<runId>` of each run folder now in the store (and gone from `raw/`). */
  readonly imported: readonly string[];
  readonly skipped: readonly { readonly folder: string; readonly problem: string }[];
};

async function readManifest(path: string): Promise<RawManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InputError({ file: path }, "unreadable or not JSON; expected a raw capture manifest", {
      cause: error,
    });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      { file: path, path: issue?.path.join(".") ?? "" },
      `${issue?.message ?? "invalid"}; expected a raw capture manifest`,
    );
  }
  return parsed.data;
}

/**
 * Reads the run folder `runDir` of the file layout, each payload verified against the SHA-256
 * and size of its manifest: a mismatch means the capture was altered and fails with an InputError
 * naming the file.
 */
export async function readFileCapture(runDir: string): Promise<FileCapture> {
  const manifestPath = join(runDir, MANIFEST);
  const manifest = await readManifest(manifestPath);
  const payloads: RawPayload[] = [];
  for (const [index, entry] of manifest.payloads.entries()) {
    if (entry.file.startsWith(".") || /[/\\]/.test(entry.file)) {
      throw new InputError(
        { file: manifestPath, path: `payloads.${index}.file` },
        "expected a plain file name",
      );
    }
    const path = join(runDir, entry.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await gunzipAsync(await readFile(path)));
    } catch (error) {
      throw new InputError(
        { file: path },
        "missing or not valid gzip; expected the payload saved by the run",
        {
          cause: error,
        },
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256 || bytes.byteLength !== entry.bytes) {
      throw new InputError(
        { file: path },
        `SHA-256 ${actual} (${bytes.byteLength} bytes) does not match the manifest's ${entry.sha256} (${entry.bytes} bytes); the capture was altered`,
      );
    }
    payloads.push({ name: entry.name, origin: entry.origin, bytes });
  }
  const written = (await stat(manifestPath)).mtimeMs;
  return { capturedAt: new Date(written).toISOString(), payloads };
}

/** The names of the folders in `dir`, sorted; none when it does not exist. */
async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Moves one run folder into the store (see the file's comment). */
async function importRun(
  store: Pick<StateStore, "hasRawCapture" | "saveRawCapture">,
  week: IsoWeek,
  runId: string,
  runDir: string,
): Promise<void> {
  if (!(await store.hasRawCapture(week, runId))) {
    const capture = await readFileCapture(runDir);
    await store.saveRawCapture({ week, runId, ...capture });
  }
  await rm(runDir, { recursive: true, force: true });
}

/**
 * Moves the raw captures that earlier versions wrote under `<dataDir>/raw/` into `store`, then
 * removes the folders moved (and `raw/` once empty). A `.tmp-…` folder is a save that never
 * completed (its run crashed before the capture appeared) and is removed. The data directory's
 * runs marker is written first, so that it keeps showing that runs were made from it.
 */
export async function importFileCaptures(
  dataDir: string,
  store: Pick<StateStore, "hasRawCapture" | "saveRawCapture">,
): Promise<FileCaptureImport> {
  const rawDir = join(dataDir, "raw");
  const weeks = await subfolders(rawDir);
  const imported: string[] = [];
  const skipped: { folder: string; problem: string }[] = [];
  if (weeks.length > 0) markRunsSeen(dataDir);
  for (const weekName of weeks) {
    const weekDir = join(rawDir, weekName);
    const week = parseIsoWeek(weekName);
    if (week === undefined || formatIsoWeek(week) !== weekName) {
      skipped.push({ folder: weekDir, problem: "not a week folder (YYYY-Www)" });
      continue;
    }
    for (const runId of await subfolders(weekDir)) {
      const runDir = join(weekDir, runId);
      try {
        if (runId.startsWith(".")) await rm(runDir, { recursive: true, force: true });
        else {
          await importRun(store, week, runId, runDir);
          imported.push(`${weekName}/${runId}`);
        }
      } catch (error) {
        skipped.push({ folder: runDir, problem: describe(error) });
      }
    }
    // Removed only when empty: what was skipped stays.
    await rmdir(weekDir).catch(() => undefined);
  }
  await rmdir(rawDir).catch(() => undefined);
  return { imported, skipped };
}
