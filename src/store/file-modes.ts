import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/*
 * Permissions of what testrota writes: the state store, the run lock and the published weeks hold
 * staff data, so by default only the owner writes and the owner's group reads (files 0640, folders
 * 0750). The bits are set explicitly (chmod after creation), so they do not depend on the umask of
 * whatever started the process.
 */

/** Default umask: no write for the group, nothing for others. */
export const DEFAULT_UMASK = 0o027;

export type FileModes = { readonly file: number; readonly dir: number };

/** Modes for files (from 0666) and folders (from 0777) with the bits of `umask` removed. */
export function modesFor(umask: number = DEFAULT_UMASK): FileModes {
  if (!Number.isInteger(umask) || umask < 0 || umask > 0o777) {
    throw new RangeError(`umask ${String(umask)}: expected an integer from 0 to 0o777`);
  }
  return { file: 0o666 & ~umask, dir: 0o777 & ~umask };
}

/**
 * Creates `path` and any missing parents; every folder created here gets `modes.dir`. Folders that
 * already exist keep their permissions (they are the operator's). The folders are made one by one
 * rather than with `recursive: true`, because Node's recursive mkdir reports a read-only file
 * system (EROFS, e.g. a container's read-only volume) as ENOENT, which would read "missing".
 */
export function makeDirectory(path: string, modes: FileModes): void {
  const missing: string[] = [];
  for (let dir = path; !existsSync(dir); dir = dirname(dir)) {
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode: modes.dir });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    chmodSync(dir, modes.dir);
  }
}

/**
 * Creates an empty file with `modes.file` unless one exists. SQLite gives its `-wal`, `-shm` and
 * journal files the permissions of the database file, so creating it first sets theirs too.
 * Never opens an existing file: closing any descriptor of a SQLite file drops the POSIX locks this
 * process holds on it.
 */
export function createFileIfAbsent(path: string, modes: FileModes): boolean {
  try {
    closeSync(openSync(path, "wx", modes.file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  chmodSync(path, modes.file);
  return true;
}
