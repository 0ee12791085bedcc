import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeDurably } from "../lib/durable-write.ts";
import { compareText } from "./compare-text.ts";

const MANIFEST = "manifest.json";

const SUFFIX_BYTES = 6;
/** `.old-<folder>-<suffix>`: a published folder moved aside during a replace. */
const OLD_PATTERN = new RegExp(`^\\.old-(.+)-[0-9a-f]{${SUFFIX_BYTES * 2}}$`);

/** Leftovers of other folders are only removed once surely abandoned (another week may be mid-publish). */
const STALE_AFTER_MS = 60 * 60 * 1000;

export type ManifestEntry = { readonly path: string; readonly sha256: string; readonly bytes: number };

/** `manifest.json` of a published folder: no timestamps, so identical files give identical bytes. */
export type PublishManifest = { readonly folder: string; readonly files: readonly ManifestEntry[] };

export type PublishInput = {
  readonly outDir: string;
  /** Folder name under `outDir`, e.g. `2020-W44`. */
  readonly folder: string;
  /** Relative POSIX path (e.g. `regions/1084/pickups.csv`) → content. */
  readonly files: ReadonlyMap<string, Uint8Array>;
};

export type PublishResult = {
  /** The published folder. */
  readonly dir: string;
  readonly manifest: PublishManifest;
  /** False when the folder already held exactly these files and was left untouched. */
  readonly changed: boolean;
};

export type PreparedPublish = PublishResult & {
  /** Makes the folder visible with synchronous renames only (safe inside a SQLite transaction). */
  commit(): void;
  /** Drops the prepared files; the published folder stays as it was. */
  discard(): void;
};

function isSafeSegment(segment: string): boolean {
  return segment !== "" && !segment.startsWith(".") && !/[\\\0]/.test(segment);
}

function assertSafePaths(input: PublishInput): void {
  if (!isSafeSegment(input.folder) || input.folder.includes("/")) {
    throw new Error(`publish: folder ${JSON.stringify(input.folder)} must be a plain name, e.g. 2020-W44`);
  }
  for (const path of input.files.keys()) {
    if (path === MANIFEST || !path.split("/").every(isSafeSegment)) {
      throw new Error(`publish: file path ${JSON.stringify(path)} must be relative, without dot segments`);
    }
  }
}

function buildManifest(folder: string, files: ReadonlyMap<string, Uint8Array>): PublishManifest {
  const entries = [...files.entries()]
    .map(([path, bytes]) => ({
      path,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.byteLength,
    }))
    .sort((a, b) => compareText(a.path, b.path));
  return { folder, files: entries };
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncDirectorySync(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Repairs what a crashed publish left behind, for this folder always (the run lock makes this
 * process the only one publishing it) and for other folders once stale: temp folders are removed;
 * a set-aside `.old-` folder whose week is missing (crash between the two renames) is put back,
 * otherwise removed.
 */
async function repairLeftovers(outDir: string, folder: string): Promise<void> {
  const entries = await readdir(outDir, { withFileTypes: true });
  for (const entry of entries) {
    const name = entry.name;
    if (!entry.isDirectory() || !(name.startsWith(".tmp-") || name.startsWith(".old-"))) continue;
    const path = join(outDir, name);
    const ours = name.startsWith(`.tmp-${folder}-`) || name.startsWith(`.old-${folder}-`);
    if (!ours) {
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || Date.now() - info.mtimeMs <= STALE_AFTER_MS) continue;
    }
    const original = OLD_PATTERN.exec(name)?.[1];
    if (original !== undefined && !existsSync(join(outDir, original))) {
      await rename(path, join(outDir, original));
    } else {
      await rm(path, { recursive: true, force: true });
    }
  }
}

/** True when `dir` holds exactly the manifest and the files given, byte for byte. */
async function holdsSameFiles(
  dir: string,
  manifestBytes: Uint8Array,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<boolean> {
  try {
    const listed = await readdir(dir, { recursive: true, withFileTypes: true });
    if (listed.filter((entry) => entry.isFile()).length !== files.size + 1) return false;
    if (!Buffer.from(manifestBytes).equals(await readFile(join(dir, MANIFEST)))) return false;
    for (const [path, bytes] of files) {
      if (!Buffer.from(bytes).equals(await readFile(join(dir, ...path.split("/"))))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes every file (and `manifest.json`) into a hidden temp folder `<outDir>/.tmp-<folder>-…`,
 * fsynced, without touching the published folder. `commit()` then swaps it in with renames only,
 * so a caller can make the files visible inside its store transaction. On any failure the temp
 * folder is removed and the published folder is untouched.
 */
export async function preparePublish(input: PublishInput): Promise<PreparedPublish> {
  assertSafePaths(input);
  const { outDir, folder, files } = input;
  await mkdir(outDir, { recursive: true });
  await repairLeftovers(outDir, folder);

  const dir = join(outDir, folder);
  const tempDir = join(outDir, `.tmp-${folder}-${randomBytes(SUFFIX_BYTES).toString("hex")}`);
  const manifest = buildManifest(folder, files);
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  let changed: boolean;
  try {
    await mkdir(tempDir);
    const directories = new Set([tempDir]);
    for (const entry of manifest.files) {
      const path = join(tempDir, ...entry.path.split("/"));
      const parent = dirname(path);
      if (!directories.has(parent)) {
        await mkdir(parent, { recursive: true });
        directories.add(parent);
      }
      const bytes = files.get(entry.path);
      if (bytes === undefined) throw new Error(`publish: ${entry.path} vanished while writing`);
      await writeDurably(path, bytes);
    }
    await writeDurably(join(tempDir, MANIFEST), manifestBytes);
    for (const directory of directories) await syncDirectory(directory);
    changed = !(await holdsSameFiles(dir, manifestBytes, files));
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }

  let state: "prepared" | "committed" | "discarded" = "prepared";
  const discard = (): void => {
    if (state !== "prepared") return;
    state = "discarded";
    rmSync(tempDir, { recursive: true, force: true });
  };
  const commit = (): void => {
    if (state !== "prepared") throw new Error(`publish: ${folder} was already ${state}`);
    try {
      if (!existsSync(dir)) {
        renameSync(tempDir, dir);
      } else if (changed) {
        // Directories cannot be swapped atomically with rename(2) alone: the old folder is moved
        // aside first, so for a moment the week is absent, but never half-written.
        const oldDir = join(outDir, `.old-${folder}-${randomBytes(SUFFIX_BYTES).toString("hex")}`);
        renameSync(dir, oldDir);
        try {
          renameSync(tempDir, dir);
        } catch (error) {
          renameSync(oldDir, dir);
          throw error;
        }
        try {
          rmSync(oldDir, { recursive: true, force: true });
        } catch {
          // The new folder is in place; a leftover `.old-` folder is removed by the next publish.
        }
      } else {
        rmSync(tempDir, { recursive: true, force: true });
        state = "committed";
        return;
      }
      try {
        syncDirectorySync(outDir);
      } catch {
        // The rename has happened and is visible: failing now would roll back the caller's record
        // of a folder that is already published. Durability of the rename is left to the kernel.
      }
      state = "committed";
    } catch (error) {
      state = "discarded";
      rmSync(tempDir, { recursive: true, force: true });
      throw error;
    }
  };
  return { dir, manifest, changed, commit, discard };
}

/** Publishes a week folder atomically: {@link preparePublish} then commit (or discard on failure). */
export async function publishWeekFolder(input: PublishInput): Promise<PublishResult> {
  const prepared = await preparePublish(input);
  try {
    prepared.commit();
  } catch (error) {
    prepared.discard();
    throw error;
  }
  return { dir: prepared.dir, manifest: prepared.manifest, changed: prepared.changed };
}
