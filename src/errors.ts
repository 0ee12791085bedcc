/**
 * Typed errors. Each carries a one-line message that says what went wrong, where (file, line or
 * JSON path, source and field) and what was expected. `cli.ts` maps them to exit codes.
 */

/** Where a problem was found: a file (or URL / source name) and optionally a line or JSON path. */
export type ErrorLocation = {
  file: string;
  line?: number;
  path?: string;
};

function formatLocation(location: ErrorLocation): string {
  const parts = [location.file];
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.path !== undefined && location.path !== "") parts.push(location.path);
  return parts.join(": ");
}

/** Base class: `message` is always a single line suitable for an operator. */
export class TestrotaError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: ErrorOptions) {
    super(message.replace(/\s*\n\s*/g, " "), options);
    this.name = new.target.name;
  }
}

/** A configuration problem: one entry per `file: path: message`. */
export class ConfigError extends TestrotaError {
  override readonly exitCode = 78; // EX_CONFIG
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options?: ErrorOptions) {
    super(
      issues.length === 1 ? (issues[0] ?? "") : `${issues.length} config problems: ${issues.join("; ")}`,
      options,
    );
    this.issues = issues;
  }
}

/**
 * The command line was used wrongly: a missing or malformed flag, an unknown option, or an
 * operator decision the command refuses as given. `usage` is the command's help, printed after
 * the one-line message when the mistake is in the flags.
 */
export class UsageError extends TestrotaError {
  override readonly exitCode = 64; // EX_USAGE
  readonly problems: readonly string[];
  readonly usage: string | undefined;
  constructor(problems: readonly string[], usage?: string, options?: ErrorOptions) {
    super(problems.length === 1 ? (problems[0] ?? "") : problems.join("; "), options);
    this.problems = problems;
    this.usage = usage;
  }
}

/** Input data (roster, sites, reference or incidence file) that is malformed. */
export class InputError extends TestrotaError {
  override readonly exitCode = 65; // EX_DATAERR
  readonly location: ErrorLocation;
  /** The message without its location (e.g. `shift: got "x", expected day, evening or night`). */
  readonly problem: string;
  constructor(location: ErrorLocation, problem: string, options?: ErrorOptions) {
    super(`${formatLocation(location)}: ${problem}`, options);
    this.location = location;
    this.problem = problem.replace(/\s*\n\s*/g, " ");
  }
}

/** The incidence source failed: unreachable, an error body, partial or stale data. */
export class SourceError extends TestrotaError {
  override readonly exitCode = 69; // EX_UNAVAILABLE
  readonly source: string;
  constructor(source: string, problem: string, options?: ErrorOptions) {
    super(`source ${source}: ${problem}`, options);
    this.source = source;
  }
}

/** Another process holds the run lock for this week or data directory. */
export class LockError extends TestrotaError {
  override readonly exitCode = 75; // EX_TEMPFAIL
}

/** The run was aborted (SIGTERM, deadline); nothing was published. */
export class AbortedError extends TestrotaError {
  override readonly exitCode = 130;
}

/** What went wrong with the state store or an output folder on disk. */
export type StorageFault = "missing" | "read-only" | "full" | "corrupt" | "newer-schema" | "io";

/**
 * Exit code per storage fault (sysexits.h), so an operator's script can tell them apart:
 * 66 the database vanished (EX_NOINPUT), 77 read-only or no permission (EX_NOPERM), 74 disk full
 * or another I/O error (EX_IOERR), 72 a corrupt database (EX_OSFILE), 76 a store written by a
 * newer testrota (EX_PROTOCOL).
 */
export const STORAGE_EXIT_CODES: Readonly<Record<StorageFault, number>> = {
  missing: 66,
  "read-only": 77,
  full: 74,
  io: 74,
  corrupt: 72,
  "newer-schema": 76,
};

/** The state store or an output folder cannot be used; the message names the path. */
export class StorageError extends TestrotaError {
  override readonly exitCode: number;
  readonly fault: StorageFault;
  readonly path: string;
  constructor(fault: StorageFault, path: string, problem: string, options?: ErrorOptions) {
    super(`${path}: ${problem}`, options);
    this.fault = fault;
    this.path = path;
    this.exitCode = STORAGE_EXIT_CODES[fault];
  }
}
