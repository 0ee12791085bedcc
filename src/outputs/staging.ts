import { createHash } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { makeDirectory, modesFor } from "../store/file-modes.ts";
import { asStorageError } from "../store/storage-fault.ts";

/*
 * The week's documents go to disk as they are rendered, not into memory: the render threads write
 * each one durably into the staging folder — the hidden `.tmp-<week>-<suffix>` folder that
 * `publishWeek` then completes (the other files, the manifest) and swaps in. Of a document the
 * run keeps only its size and SHA-256, for the manifest. A run that fails before publishing
 * removes the folder; after a crash, reconcile removes it as a `.tmp-` leftover.
 */

/** A file already written durably into the staging folder: what the manifest needs of it. */
export type StagedFile = { readonly sha256: string; readonly bytes: number };

/** A file of a week folder: its bytes, or already staged on disk. */
export type WeekFile = Uint8Array | StagedFile;

/** The hidden folder a week is prepared in, with the modes of what is written into it. */
export type StagingFolder = { readonly dir: string; readonly fileMode: number; readonly dirMode: number };

/** True when the file was written to the staging folder already. */
export function isStaged(file: WeekFile): file is StagedFile {
  return !(file instanceof Uint8Array);
}

/** `.tmp-<folder>-<12 hex>`: the name reconcile recognises as a leftover of a publish. */
export function stagingFolderName(folder: string, suffix: string): string {
  return `.tmp-${folder}-${suffix}`;
}

/**
 * Creates the staging folder of `folder` under `outDir` (files 0640 and folders 0750 by default);
 * a read-only or full disk is a StorageError naming `outDir`, as publishing reports it.
 */
export async function createStagingFolder(
  outDir: string,
  folder: string,
  suffix: string,
  umask?: number,
): Promise<StagingFolder> {
  const modes = modesFor(umask);
  const dir = join(outDir, stagingFolderName(folder, suffix));
  try {
    makeDirectory(outDir, modes);
    await mkdir(dir, { mode: modes.dir });
  } catch (error) {
    throw asStorageError(error, outDir, `preparing week ${folder}`);
  }
  return { dir, fileMode: modes.file, dirMode: modes.dir };
}

/**
 * Writes `bytes` as `path` (relative, `/`-separated) into the staging folder and fsyncs it; the
 * folders are fsynced by the publish, once each. Returns its size and SHA-256.
 */
export async function writeStagedFile(
  staging: StagingFolder,
  path: string,
  bytes: Uint8Array,
): Promise<StagedFile> {
  const target = join(staging.dir, ...path.split("/"));
  await mkdir(dirname(target), { recursive: true, mode: staging.dirMode });
  const handle = await open(target, "wx", staging.fileMode);
  try {
    await handle.chmod(staging.fileMode);
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.byteLength };
}

/**
 * Removes a staging folder the run will not publish. It never throws: the run's own failure is
 * what matters, and a folder that cannot be removed now is a `.tmp-` leftover reconcile removes.
 */
export async function discardStagingFolder(staging: StagingFolder): Promise<void> {
  await rm(staging.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
}
