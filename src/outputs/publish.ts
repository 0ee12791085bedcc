import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { chmod, mkdir, open, readFile, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { makeDirectory, modesFor, type FileModes } from "../store/file-modes.ts";
import { asStorageError } from "../store/storage-fault.ts";
import type { PublishedDigest, StepHook } from "../store/week-state.ts";
import { compareText } from "./compare-text.ts";
import { isStaged, type StagingFolder, type WeekFile } from "./staging.ts";

/*
 * Publishing a week folder so that a crash at any point leaves either the previous folder or the
 * new one complete and recorded, never a mix: the files are prepared in a hidden temp folder, the
 * store records the week with the folder's digest and commits, and only then is the folder swapped
 * in. A crash after the commit leaves a prepared folder the store knows: `reconcilePublished`
 * (reconcile-published.ts; on start and before every run) swaps it in.
 */

const MANIFEST = "manifest.json";
const SUFFIX_BYTES = 6;
/** `.tmp-<folder>-<suffix>` (prepared) or `.old-<folder>-<suffix>` (moved aside during a swap). */
const LEFTOVER = new RegExp(`^\\.(tmp|old)-(.+)-[0-9a-f]{${SUFFIX_BYTES * 2}}$`);
/** Where reconcile puts folders the store does not know (never a week folder name). */
export const SET_ASIDE_FOLDER = "set-aside";

export type ManifestEntry = { readonly path: string; readonly sha256: string; readonly bytes: number };

/** `manifest.json` of a published folder: no timestamps, so identical files give identical bytes. */
export type PublishManifest = { readonly folder: string; readonly files: readonly ManifestEntry[] };

export type PublishInput = {
  readonly outDir: string;
  /** Folder name under `outDir`, e.g. `2020-W44`. */
  readonly folder: string;
  /** Relative POSIX path (e.g. `regions/1084/pickups.csv`) → content, or staged already (see `staging`). */
  readonly files: ReadonlyMap<string, WeekFile>;
  /**
   * The staging folder the staged files were written to (outputs/staging.ts): it becomes the
   * prepared folder, the other files are added to it. A new one is made when left out.
   */
  readonly staging?: StagingFolder | undefined;
  /** Permission bits removed from files (0666) and folders (0777) written; default 0o027. */
  readonly umask?: number | undefined;
};

export type PublishResult = {
  /** The published folder. */
  readonly dir: string;
  readonly manifest: PublishManifest;
  /** SHA-256 of the folder's `manifest.json`: the folder's identity, recorded by the store. */
  readonly digest: string;
  /** False when the folder already held exactly these files and was left untouched. */
  readonly changed: boolean;
};

export type PublishWeekInput = PublishInput & {
  /**
   * Records the week with its folder's digest and commits (synchronously, e.g. `store.commitWeek`
   * with `published`). If it throws, nothing is published; once it returns, the folder is swapped in.
   */
  readonly record: (published: PublishedDigest) => void | Promise<void>;
  /** Called at each named step (tests kill the process there). */
  readonly onStep?: StepHook | undefined;
};

/** The older path: prepared files made visible by `commit()` inside the caller's transaction. */
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
  if (!isSafeSegment(input.folder) || input.folder.includes("/") || input.folder === SET_ASIDE_FOLDER) {
    throw new Error(`publish: folder ${JSON.stringify(input.folder)} must be a plain name, e.g. 2020-W44`);
  }
  for (const path of input.files.keys()) {
    if (path === MANIFEST || !path.split("/").every(isSafeSegment)) {
      throw new Error(`publish: file path ${JSON.stringify(path)} must be relative, without dot segments`);
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function buildManifest(folder: string, files: ReadonlyMap<string, WeekFile>): PublishManifest {
  const entries = [...files.entries()]
    .map(([path, file]) =>
      isStaged(file)
        ? { path, sha256: file.sha256, bytes: file.bytes }
        : { path, sha256: sha256(file), bytes: file.byteLength },
    )
    .sort((a, b) => compareText(a.path, b.path));
  return { folder, files: entries };
}

export function suffix(): string {
  return randomBytes(SUFFIX_BYTES).toString("hex");
}

export function syncDirectory(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function writeFileDurably(path: string, bytes: Uint8Array, mode: number): Promise<void> {
  const handle = await open(path, "wx", mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The digest of `dir` (SHA-256 of its manifest), or undefined when it has none. */
export function folderDigest(dir: string): string | undefined {
  try {
    return sha256(readFileSync(join(dir, MANIFEST)));
  } catch {
    return undefined;
  }
}

/** True when `dir` holds exactly the files its manifest lists, byte for byte, and has `digest`. */
export async function isComplete(dir: string, digest: string): Promise<boolean> {
  try {
    const manifestBytes = await readFile(join(dir, MANIFEST));
    if (sha256(manifestBytes) !== digest) return false;
    const manifest = JSON.parse(manifestBytes.toString("utf8")) as PublishManifest;
    const listed = await readdir(dir, { recursive: true, withFileTypes: true });
    if (listed.filter((entry) => entry.isFile()).length !== manifest.files.length + 1) return false;
    for (const entry of manifest.files) {
      const bytes = await readFile(join(dir, ...entry.path.split("/")));
      if (bytes.byteLength !== entry.bytes || sha256(bytes) !== entry.sha256) return false;
    }
    return true;
  } catch {
    return false;
  }
}

type Prepared = { readonly tempDir: string; readonly manifest: PublishManifest; readonly digest: string };

/** Files written at once while preparing: fsyncs in flight together, not one after another. */
const WRITES_IN_FLIGHT = 16;

/**
 * Runs `work` on every item, at most `limit` at a time. After a failure no new item starts, and
 * the first failure is thrown only once the writes in flight have settled, so that the caller's
 * clean-up does not race them.
 */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const failure = lanes.find((lane): lane is PromiseRejectedResult => lane.status === "rejected");
  if (failure !== undefined) throw failure.reason;
}

/**
 * Writes every file and then `manifest.json` into a new hidden temp folder (or completes the
 * staging folder the staged files are in), all fsynced.
 */
async function prepareFolder(input: PublishInput, modes: FileModes, step: StepHook): Promise<Prepared> {
  assertSafePaths(input);
  const { outDir, folder, files, staging } = input;
  step("prepare:start");
  const manifest = buildManifest(folder, files);
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const tempDir = staging?.dir ?? join(outDir, `.tmp-${folder}-${suffix()}`);
  try {
    makeDirectory(outDir, modes);
    if (staging === undefined) await mkdir(tempDir, { mode: modes.dir });
    await chmod(tempDir, modes.dir);
    step("prepare:tmp-created");
    const directories = new Set([tempDir]);
    const toWrite: { path: string; bytes: Uint8Array }[] = [];
    for (const entry of manifest.files) {
      const path = join(tempDir, ...entry.path.split("/"));
      for (let parent = dirname(path); !directories.has(parent); parent = dirname(parent)) {
        directories.add(parent);
      }
      const file = files.get(entry.path);
      if (file === undefined) throw new Error(`publish: ${entry.path} vanished while writing`);
      if (!isStaged(file)) toWrite.push({ path, bytes: file });
      else if (staging === undefined)
        throw new Error(`publish: ${entry.path} is staged, but no staging folder given`);
    }
    const made = new Set<string>();
    await forEachLimited(toWrite, WRITES_IN_FLIGHT, async ({ path, bytes }) => {
      const parent = dirname(path);
      if (!made.has(parent)) {
        await mkdir(parent, { recursive: true, mode: modes.dir });
        made.add(parent);
      }
      await writeFileDurably(path, bytes, modes.file);
      step("prepare:file");
    });
    for (const directory of directories) await chmod(directory, modes.dir);
    await writeFileDurably(join(tempDir, MANIFEST), manifestBytes, modes.file);
    step("prepare:manifest");
    for (const directory of directories) syncDirectory(directory);
    syncDirectory(outDir);
    step("prepare:synced");
  } catch (error) {
    rmSync(tempDir, { recursive: true, force: true });
    throw asStorageError(error, outDir, `writing week ${folder}`);
  }
  return { tempDir, manifest, digest: sha256(manifestBytes) };
}

/**
 * Puts `source` in place as `outDir/folder` with renames only; the folder it replaces goes to
 * `.old-…` first and is removed last. Directories cannot be swapped atomically with rename(2):
 * between the two renames the week is absent, never half-written, and reconcile completes it.
 */
export function swapIn(outDir: string, folder: string, source: string, step: StepHook): void {
  const dir = join(outDir, folder);
  let aside: string | undefined;
  if (existsSync(dir)) {
    aside = join(outDir, `.old-${folder}-${suffix()}`);
    renameSync(dir, aside);
    step("swap:aside");
  }
  renameSync(source, dir);
  step("swap:in");
  syncDirectory(outDir);
  step("swap:synced");
  if (aside !== undefined) rmSync(aside, { recursive: true, force: true });
  step("cleanup:done");
}

/**
 * Publishes a week folder after recording it: prepare the files (hidden, fsynced), `record` the
 * week with the folder's digest (the store commits), then swap the folder in. A failure before
 * the record publishes nothing; a failure or crash after it leaves the prepared folder for
 * `reconcilePublished` to swap in. Storage faults are StorageErrors naming the out folder.
 */
export async function publishWeek(input: PublishWeekInput): Promise<PublishResult> {
  const step = input.onStep ?? (() => undefined);
  const modes = modesFor(input.umask);
  const prepared = await prepareFolder(input, modes, step);
  const dir = join(input.outDir, input.folder);
  const previousDigest = folderDigest(dir) ?? null;
  try {
    await input.record({ folder: input.folder, digest: prepared.digest, previousDigest });
  } catch (error) {
    rmSync(prepared.tempDir, { recursive: true, force: true });
    throw error;
  }
  const changed = previousDigest !== prepared.digest || !(await isComplete(dir, prepared.digest));
  try {
    if (changed) swapIn(input.outDir, input.folder, prepared.tempDir, step);
    else rmSync(prepared.tempDir, { recursive: true, force: true });
  } catch (error) {
    // Recorded but not swapped in: the prepared folder stays for reconcile to finish the job.
    throw asStorageError(error, input.outDir, `publishing week ${input.folder}`);
  }
  return { dir, manifest: prepared.manifest, digest: prepared.digest, changed };
}

export type Leftover = { readonly name: string; readonly kind: "tmp" | "old" };
export type FolderEntries = { visible: boolean; leftovers: Leftover[] };

/** Week folders under `outDir` with the `.tmp-`/`.old-` leftovers of each. */
export async function listFolders(outDir: string): Promise<Map<string, FolderEntries>> {
  const folders = new Map<string, FolderEntries>();
  const entriesOf = (folder: string): FolderEntries => {
    const found = folders.get(folder) ?? { visible: false, leftovers: [] };
    folders.set(folder, found);
    return found;
  };
  const names = (await readdir(outDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(compareText);
  for (const name of names) {
    const leftover = LEFTOVER.exec(name);
    if (leftover !== null) {
      entriesOf(leftover[2] ?? "").leftovers.push({ name, kind: leftover[1] === "tmp" ? "tmp" : "old" });
    } else if (/^\d{4}-W\d{2}$/.test(name)) {
      entriesOf(name).visible = true;
    }
  }
  return folders;
}

/**
 * The older path (run-once until it moves to {@link publishWeek}): writes the folder hidden and
 * returns `commit()` to make it visible inside the caller's store transaction. Only this folder's
 * own leftovers are repaired here; other folders are reconcile's job.
 */
export async function preparePublish(input: PublishInput): Promise<PreparedPublish> {
  const { outDir, folder } = input;
  const dir = join(outDir, folder);
  const modes = modesFor(input.umask);
  if (existsSync(outDir)) {
    for (const entry of (await listFolders(outDir)).get(folder)?.leftovers ?? []) {
      const path = join(outDir, entry.name);
      if (entry.kind === "old" && !existsSync(dir)) renameSync(path, dir);
      else await rm(path, { recursive: true, force: true });
    }
  }
  const prepared = await prepareFolder(input, modes, () => undefined);
  const changed = !(await isComplete(dir, prepared.digest));
  let state: "prepared" | "committed" | "discarded" = "prepared";
  const discard = (): void => {
    if (state !== "prepared") return;
    state = "discarded";
    rmSync(prepared.tempDir, { recursive: true, force: true });
  };
  const commit = (): void => {
    if (state !== "prepared") throw new Error(`publish: ${folder} was already ${state}`);
    try {
      if (changed) swapIn(outDir, folder, prepared.tempDir, () => undefined);
      else rmSync(prepared.tempDir, { recursive: true, force: true });
      state = "committed";
    } catch (error) {
      discard();
      throw asStorageError(error, outDir, `publishing week ${folder}`);
    }
  };
  return { dir, manifest: prepared.manifest, digest: prepared.digest, changed, commit, discard };
}
