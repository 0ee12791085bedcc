import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { makeDirectory, modesFor, type FileModes } from "../store/file-modes.ts";
import { asStorageError } from "../store/storage-fault.ts";
import type { PublishedWeek, StepHook } from "../store/week-state.ts";
import { compareText } from "./compare-text.ts";
import {
  folderDigest,
  isComplete,
  listFolders,
  SET_ASIDE_FOLDER,
  suffix,
  swapIn,
  syncDirectory,
  type FolderEntries,
  type Leftover,
} from "./publish.ts";

/*
 * Recovery of the published week folders after a crash: the store's record of each week (the
 * digest of its folder's manifest) is the truth the folders on disk are brought back to.
 */

export type ReconcileInput = {
  readonly outDir: string;
  /** The store's view of what was published (the state store satisfies it). */
  readonly store: { listPublished(): Promise<readonly PublishedWeek[]> };
  readonly logger?: Logger | undefined;
  readonly onStep?: StepHook | undefined;
  readonly umask?: number | undefined;
};

export type ReconcileReport = {
  /** Folders whose prepared version the store had recorded, now swapped in. */
  readonly completed: string[];
  /** Folders moved to `set-aside/` (name → new path): the store did not know them. */
  readonly setAside: { readonly folder: string; readonly to: string }[];
  /** Folders the store recorded that are not on disk (the week must be run again). */
  readonly missing: string[];
  /** Leftover `.tmp-`/`.old-` folders removed. */
  readonly removed: string[];
};

type ReconcileContext = {
  readonly outDir: string;
  readonly modes: FileModes;
  readonly step: StepHook;
  readonly report: ReconcileReport;
  readonly logger: Logger | undefined;
};

function moveAside(context: ReconcileContext, folder: string, path: string, why: string): void {
  const target = join(context.outDir, SET_ASIDE_FOLDER);
  makeDirectory(target, context.modes);
  const to = join(target, `${folder}-${(folderDigest(path) ?? "no-manifest").slice(0, 12)}-${suffix()}`);
  renameSync(path, to);
  context.report.setAside.push({ folder, to });
  context.logger?.warn({ folder, to }, `published folder set aside: ${why}`);
}

function remove(context: ReconcileContext, name: string): void {
  rmSync(join(context.outDir, name), { recursive: true, force: true });
  context.report.removed.push(name);
}

/** A folder recorded with digest `record.digest`: make the visible folder have it. */
async function reconcileRecorded(
  context: ReconcileContext,
  folder: string,
  found: FolderEntries,
  record: PublishedWeek & { readonly digest: string },
): Promise<void> {
  const { outDir } = context;
  const dir = join(outDir, folder);
  const current = found.visible ? folderDigest(dir) : undefined;
  let leftovers = found.leftovers;
  if (current !== record.digest) {
    let replacement: Leftover | undefined;
    for (const leftover of leftovers) {
      if (replacement === undefined && (await isComplete(join(outDir, leftover.name), record.digest))) {
        replacement = leftover;
      }
    }
    // The version the record replaced goes the way of a normal swap; anything else is kept aside.
    if (found.visible && (replacement === undefined || current !== record.previousDigest)) {
      moveAside(context, folder, dir, "its digest is not the one the store recorded");
    }
    if (replacement !== undefined) {
      leftovers = leftovers.filter((leftover) => leftover !== replacement);
      swapIn(outDir, folder, join(outDir, replacement.name), context.step);
      context.report.completed.push(folder);
      context.logger?.warn(
        { folder },
        "publish completed: the store had recorded the week, its folder was not in place",
      );
    } else {
      context.report.missing.push(folder);
    }
  }
  for (const leftover of leftovers) {
    const digest = folderDigest(join(outDir, leftover.name));
    if (leftover.kind === "tmp" || digest === record.digest || digest === record.previousDigest) {
      remove(context, leftover.name);
    } else {
      moveAside(
        context,
        folder,
        join(outDir, leftover.name),
        "a folder moved aside that the store does not know",
      );
    }
  }
}

/** A folder the store recorded before digests were kept: it cannot be judged, only repaired. */
function reconcileUnverified(context: ReconcileContext, folder: string, found: FolderEntries): void {
  let visible = found.visible;
  for (const leftover of found.leftovers) {
    if (!visible && leftover.kind === "old") {
      // Moved aside by a publish that crashed between its two renames: put it back.
      renameSync(join(context.outDir, leftover.name), join(context.outDir, folder));
      visible = true;
      context.report.completed.push(folder);
    } else {
      remove(context, leftover.name);
    }
  }
}

/** A folder the store does not know at all: never deleted, moved aside. */
function reconcileUnknown(context: ReconcileContext, folder: string, found: FolderEntries): void {
  if (found.visible)
    moveAside(context, folder, join(context.outDir, folder), "the store has no record of this week");
  for (const leftover of found.leftovers) {
    if (leftover.kind === "tmp") remove(context, leftover.name);
    else
      moveAside(context, folder, join(context.outDir, leftover.name), "the store has no record of this week");
  }
}

/**
 * Makes the published week folders agree with the store (call it holding the run lock, on start
 * and before every run): a folder whose digest differs from the store's gets the prepared version
 * the store committed swapped in; a folder the store does not know, or holds another digest for
 * with nothing to replace it, is moved to `set-aside/` (never deleted); `.tmp-`/`.old-` leftovers
 * of crashed publishes are removed.
 */
export async function reconcilePublished(input: ReconcileInput): Promise<ReconcileReport> {
  const { outDir } = input;
  const report: ReconcileReport = { completed: [], setAside: [], missing: [], removed: [] };
  if (!existsSync(outDir)) return report;
  const context: ReconcileContext = {
    outDir,
    modes: modesFor(input.umask),
    step: input.onStep ?? (() => undefined),
    report,
    logger: input.logger,
  };
  try {
    const known = new Map((await input.store.listPublished()).map((week) => [week.folder, week]));
    const folders = await listFolders(outDir);
    for (const [folder, record] of known) {
      if (record.digest !== null && !folders.has(folder)) report.missing.push(folder);
    }
    for (const [folder, found] of folders) {
      const record = known.get(folder);
      if (record === undefined) reconcileUnknown(context, folder, found);
      else if (record.digest === null) reconcileUnverified(context, folder, found);
      else await reconcileRecorded(context, folder, found, { ...record, digest: record.digest });
    }
    syncDirectory(outDir);
  } catch (error) {
    throw asStorageError(error, outDir, "reconciling published weeks");
  }
  report.missing.sort(compareText);
  return report;
}
