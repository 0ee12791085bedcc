import { constants, type Dirent } from "node:fs";
import { lstat, open, readdir, readFile, realpath, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { pathSegments } from "./scope.ts";

/*
 * Reading the published week folders without ever leaving them: only folders named like a week
 * that hold a manifest (published completely), no dot-named entries, no symbolic links anywhere
 * (a link is refused even when it points inside the folder: it could lead to another
 * municipality's files under an allowed name), and a file is opened only when its real path is
 * exactly the path asked for.
 */

export const WEEK_FOLDER = /^\d{4}-W\d{2}$/;

export type PublishedFile = { readonly path: string; readonly bytes: number };

export type OpenedFile = { readonly handle: FileHandle; readonly bytes: number };

/** The request path's parts after a prefix, decoded one segment at a time; undefined when malformed. */
export function decodeRawSegments(rawPath: string): string[] | undefined {
  const path = rawPath.split("?")[0] ?? "";
  const segments: string[] = [];
  for (const raw of path.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    segments.push(decoded);
  }
  return segments;
}

/**
 * The week folder and file path of a download URL's raw path (`<week>/files/<path…>` after
 * `/weeks/`). Each segment is decoded on its own, so an encoded slash (`%2F`), backslash, NUL or
 * dot segment (`%2e%2e`) stays inside one segment and fails the check there.
 */
export function parseFileRequest(rawAfterPrefix: string): { week: string; path: string } | undefined {
  const segments = decodeRawSegments(rawAfterPrefix);
  if (segments === undefined || segments.length < 3) return undefined;
  const [week = "", files, ...rest] = segments;
  if (!WEEK_FOLDER.test(week) || files !== "files" || rest.length === 0) return undefined;
  // Each decoded segment must be one clean segment on its own: `%2F` never becomes a separator.
  if (!rest.every((segment) => pathSegments(segment)?.length === 1)) return undefined;
  return { week, path: rest.join("/") };
}

async function realWeekFolder(outDir: string, week: string): Promise<string | undefined> {
  if (!WEEK_FOLDER.test(week)) return undefined;
  try {
    const realOut = await realpath(outDir);
    const realWeek = await realpath(join(outDir, week));
    return realWeek === join(realOut, week) ? realWeek : undefined;
  } catch {
    return undefined;
  }
}

/** The published weeks, newest first: week-named real folders holding a manifest. */
export async function listPublishedWeeks(outDir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(outDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const weeks: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !WEEK_FOLDER.test(entry.name)) continue;
    const opened = await openPublishedFile(outDir, entry.name, "manifest.json");
    if (opened === undefined) continue;
    await opened.handle.close();
    weeks.push(entry.name);
  }
  return weeks.sort().reverse();
}

/**
 * The regular files of a published week that `include` accepts (relative POSIX paths, sorted, with
 * their sizes). The walk never follows a link (directory entries are typed without following
 * them) and leaves dot-entries out; downloads still go through openPublishedFile.
 */
export async function listWeekFiles(
  outDir: string,
  week: string,
  include: (path: string) => boolean = () => true,
): Promise<PublishedFile[]> {
  const root = await realWeekFolder(outDir, week);
  if (root === undefined) return [];
  const files: PublishedFile[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${path}/`);
      else if (entry.isFile() && include(path)) {
        const info = await lstat(join(dir, entry.name));
        if (info.isFile()) files.push({ path, bytes: info.size });
      }
    }
  }
  await walk(root, "");
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Opens a file of a published week for reading, or undefined when it is not a regular file whose
 * real path is exactly `<out>/<week>/<path>` (a symbolic link anywhere on the way is refused).
 */
export async function openPublishedFile(
  outDir: string,
  week: string,
  path: string,
): Promise<OpenedFile | undefined> {
  const segments = pathSegments(path);
  const root = await realWeekFolder(outDir, week);
  if (segments === undefined || root === undefined) return undefined;
  const wanted = join(root, ...segments);
  let handle: FileHandle;
  try {
    if ((await realpath(wanted)) !== wanted) return undefined;
    // O_NOFOLLOW: a link swapped in after the check is not followed either.
    handle = await open(wanted, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    return undefined;
  }
  return { handle, bytes: stat.size };
}

/** A published file's bytes (small files: summary, classification), or undefined. */
export async function readPublishedFile(
  outDir: string,
  week: string,
  path: string,
): Promise<Buffer | undefined> {
  const opened = await openPublishedFile(outDir, week, path);
  if (opened === undefined) return undefined;
  try {
    return await readFile(opened.handle);
  } finally {
    await opened.handle.close();
  }
}
