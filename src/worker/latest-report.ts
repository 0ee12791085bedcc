import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PublishedWeek } from "../store/week-state.ts";

/** The weekly report's file name in a published week folder. */
export const REPORT_FILE = "report.html";

/** A week folder's name as the store records it: nothing else is ever joined onto the out folder. */
const WEEK_FOLDER = /^\d{4}-W\d{2}$/;

/**
 * The `report.html` of the latest week the store recorded as published, or undefined when there
 * is none (no week yet, or the latest week was published before reports existed). The path is
 * built from the store's record only, never from a request.
 */
export async function readLatestReport(
  outDir: string,
  store: { listPublished(): Promise<readonly PublishedWeek[]> },
): Promise<Uint8Array | undefined> {
  const latest = (await store.listPublished()).at(-1);
  if (latest === undefined || !WEEK_FOLDER.test(latest.folder)) return undefined;
  try {
    return await readFile(join(outDir, latest.folder, REPORT_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
