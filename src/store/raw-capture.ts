import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { z } from "zod";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { InputError } from "../errors.ts";
import type { RawPayload } from "../sources/source.ts";
import { writeDurably } from "../lib/durable-write.ts";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const MANIFEST = "manifest.json";

/** One saved payload: `bytes` is the uncompressed size, `sha256` of the uncompressed bytes. */
export type SavedPayload = {
  readonly name: string;
  readonly origin: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Absolute path of the gzip file. */
  readonly path: string;
};

const manifestSchema = z.object({
  week: z.string(),
  runId: z.string(),
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

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A name used as one path segment: no separators, no dot-files, nothing that escapes the folder. */
function assertSegment(kind: string, value: string): void {
  if (value === "" || value.startsWith(".") || /[/\\\0]/.test(value) || value.length > 200) {
    throw new Error(`raw capture: ${kind} ${JSON.stringify(value)} is not a safe file name`);
  }
}

/**
 * Keeps the payloads of a run exactly as fetched, gzip-compressed, under
 * `<dataDir>/raw/<week>/<runId>/<name>.gz`, with their SHA-256 (of the uncompressed bytes) in a
 * `manifest.json` beside them, for audit and offline replay. The folder appears atomically.
 */
export async function saveRawPayloads(
  dataDir: string,
  week: IsoWeek,
  runId: string,
  payloads: readonly RawPayload[],
): Promise<SavedPayload[]> {
  assertSegment("run id", runId);
  const names = new Set<string>();
  for (const payload of payloads) {
    assertSegment("payload name", payload.name);
    if (names.has(payload.name)) throw new Error(`raw capture: payload name ${payload.name} given twice`);
    names.add(payload.name);
  }
  const weekText = formatIsoWeek(week);
  const weekDir = join(dataDir, "raw", weekText);
  const finalDir = join(weekDir, runId);
  const tempDir = join(weekDir, `.tmp-${runId}-${randomBytes(6).toString("hex")}`);
  await mkdir(tempDir, { recursive: true });
  try {
    const manifest: RawManifest = { week: weekText, runId, payloads: [] };
    for (const payload of payloads) {
      const file = `${payload.name}.gz`;
      await writeDurably(join(tempDir, file), await gzipAsync(payload.bytes));
      manifest.payloads.push({
        name: payload.name,
        origin: payload.origin,
        file,
        sha256: sha256Hex(payload.bytes),
        bytes: payload.bytes.byteLength,
      });
    }
    await writeDurably(
      join(tempDir, MANIFEST),
      new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    );
    await rename(tempDir, finalDir);
    return manifest.payloads.map((p) => ({
      name: p.name,
      origin: p.origin,
      sha256: p.sha256,
      bytes: p.bytes,
      path: join(finalDir, p.file),
    }));
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

/** The run folder saved last for the week (by the time its manifest was written). */
async function latestRunDir(weekDir: string): Promise<string> {
  const entries = await readdir(weekDir, { withFileTypes: true }).catch(() => []);
  let latest: { dir: string; mtime: number } | undefined;
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  for (const name of names) {
    const dir = join(weekDir, name);
    const info = await stat(join(dir, MANIFEST)).catch(() => undefined);
    if (info !== undefined && (latest === undefined || info.mtimeMs >= latest.mtime)) {
      latest = { dir, mtime: info.mtimeMs };
    }
  }
  if (latest === undefined) {
    throw new InputError(
      { file: weekDir },
      "no raw capture for this week; expected a run folder with manifest.json",
    );
  }
  return latest.dir;
}

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
 * Reads back the payloads of a run (the latest saved run of `week` when `runId` is omitted) for
 * offline replay, verified against the SHA-256s of the manifest: a mismatch means the capture was
 * altered and fails with an InputError naming the file.
 */
export async function loadRawPayloads(dataDir: string, week: IsoWeek, runId?: string): Promise<RawPayload[]> {
  const weekDir = join(dataDir, "raw", formatIsoWeek(week));
  if (runId !== undefined) assertSegment("run id", runId);
  const runDir = runId === undefined ? await latestRunDir(weekDir) : join(weekDir, runId);
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
  return payloads;
}
