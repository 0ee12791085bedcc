import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { compareWeeks, formatIsoWeek, parseIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { Logger } from "../log.ts";
import { retentionCutoff, type PrunedRows } from "./retention.ts";
import type { StateStore } from "./state-store.ts";

/*
 * `retention.weeks`: the bulky state of weeks no longer kept re-runnable goes — old cycle-slot
 * snapshots, deferred and planned tests (store/retention.ts says which) and the raw captures of
 * the incidence source (in the store; and any folder `<dataDir>/raw/<week>/` that earlier versions
 * left and that could not be moved into the store). Run after every successful run (inside its
 * lock) and by `testrota prune`.
 */

/** What a prune removed (or, with `dryRun`, would remove). */
export type PruneReport = {
  readonly dryRun: boolean;
  readonly retentionWeeks: number;
  /** The latest committed week the retention counts from; null for an empty store. */
  readonly latestWeek: string | null;
  /** The first week kept re-runnable (latest − weeks + 1). */
  readonly firstKeptWeek: string | null;
  readonly rows: PrunedRows;
  /** Weeks whose raw captures (in the store, or left in `raw/<week>/`) were removed. */
  readonly rawCaptureWeeks: readonly string[];
};

export type PruneInput = {
  readonly store: Pick<
    StateStore,
    "lastCommittedWeek" | "countPrunableRows" | "pruneRows" | "listRawCaptureWeeks" | "deleteRawCaptureWeeks"
  >;
  readonly dataDir: string;
  readonly weeks: number;
  readonly dryRun?: boolean | undefined;
};

const NOTHING: PrunedRows = { cycleSlots: 0, slotSnapshotWeeks: [], deferredTests: 0, plannedTests: 0 };

/** Week folders of `<dataDir>/raw` before `firstKept` (names other than `YYYY-Www` are left alone). */
async function oldFolderWeeks(dataDir: string, firstKept: IsoWeek): Promise<string[]> {
  const entries = await readdir(join(dataDir, "raw"), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => {
      const week = parseIsoWeek(name);
      return week !== undefined && compareWeeks(week, firstKept) < 0;
    });
}

/**
 * Prunes what the latest `weeks` committed weeks and the next run do not need: nothing that the
 * cadence, the plan or the weekly report of those weeks reads goes. With `dryRun` it only counts.
 */
export async function pruneOldWeeks(input: PruneInput): Promise<PruneReport> {
  const dryRun = input.dryRun === true;
  const latest = await input.store.lastCommittedWeek();
  if (latest === undefined) {
    return {
      dryRun,
      retentionWeeks: input.weeks,
      latestWeek: null,
      firstKeptWeek: null,
      rows: NOTHING,
      rawCaptureWeeks: [],
    };
  }
  const cutoff = retentionCutoff(latest, input.weeks);
  const stored = (await input.store.listRawCaptureWeeks())
    .map((captured) => captured.week)
    .filter((week) => compareWeeks(week, cutoff.firstKept) < 0);
  const folders = await oldFolderWeeks(input.dataDir, cutoff.firstKept);
  const rows = dryRun ? await input.store.countPrunableRows(cutoff) : await input.store.pruneRows(cutoff);
  if (!dryRun) {
    await input.store.deleteRawCaptureWeeks(stored);
    for (const week of folders) {
      await rm(join(input.dataDir, "raw", week), { recursive: true, force: true });
    }
  }
  return {
    dryRun,
    retentionWeeks: input.weeks,
    latestWeek: formatIsoWeek(latest),
    firstKeptWeek: formatIsoWeek(cutoff.firstKept),
    rows,
    rawCaptureWeeks: [...new Set([...stored.map(formatIsoWeek), ...folders])].sort(),
  };
}

/** One line: what went (or would go). */
export function formatPruneReport(report: PruneReport): string {
  if (report.latestWeek === null) return "prune: the store has no committed week yet; nothing to prune";
  const verb = report.dryRun ? "would remove" : "removed";
  const { rows } = report;
  return (
    `prune (retention ${report.retentionWeeks} weeks, latest ${report.latestWeek}, kept from ${report.firstKeptWeek}): ` +
    `${verb} ${rows.cycleSlots} cycle slots (${rows.slotSnapshotWeeks.length} weekly snapshots), ` +
    `${rows.deferredTests} deferred-test rows, ${rows.plannedTests} planned-test rows, ` +
    `raw captures of ${report.rawCaptureWeeks.length} weeks`
  );
}

/**
 * The prune after a successful run: what went is logged (counts only); a failure is logged as a
 * warning and never fails the run, whose week is already published and committed.
 */
export async function pruneAfterRun(input: PruneInput & { readonly logger: Logger }): Promise<void> {
  try {
    const report = await pruneOldWeeks(input);
    const { rows } = report;
    if (rows.cycleSlots + rows.deferredTests + rows.plannedTests + report.rawCaptureWeeks.length > 0) {
      input.logger.info({ prune: report }, "old weeks pruned");
    }
  } catch (error) {
    input.logger.warn({ err: error }, "pruning old weeks failed (the run itself succeeded)");
  }
}
