import { DateTime } from "luxon";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { createClock } from "../clock.ts";
import { defaultConfigPath, loadConfig, type Config } from "../config.ts";
import { formatIsoWeek, parseIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { AbortedError, UsageError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { createApp, type App } from "../worker/app.ts";
import { createProgress, type Progress, type ProgressStream } from "../worker/progress.ts";
import { formatRunSummary, type RunReport } from "../worker/run-report.ts";

/*
 * What every command shares: its flags (parsed strictly against its own options), the config,
 * the wired app, the author of audited changes, and output in text or JSON.
 */

export type Io = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The stderr stream itself, for a progress line redrawn in place when it is a terminal. */
  readonly stderrStream?: ProgressStream | undefined;
};

export type CommandContext = {
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Fires on the first SIGTERM/SIGINT; its reason is an AbortedError naming the signal. */
  readonly signal: AbortSignal;
};

export type Flags = { readonly [flag: string]: string | boolean | readonly string[] | undefined };

/** Where a command that takes arguments (`Command.positionals`) finds them among its flags. */
export const POSITIONALS = "_";

export type Command = {
  /** As typed after `testrota`: `run`, `override add`. */
  readonly name: string;
  /** One line for the general usage. */
  readonly summary: string;
  /** Synopsis, description, options and examples (`testrota <command> --help`). */
  readonly usage: string;
  /** The command's own flags; the common ones (--config, --data-dir, --out-dir, --help) are added. */
  readonly options: ParseArgsOptionsConfig;
  /** Takes arguments besides its flags (e.g. files), found under {@link POSITIONALS}; refused otherwise. */
  readonly positionals?: boolean;
  /** Pino level when LOG_LEVEL is not set; the worker logs `info` to stdout, others `warn` to stderr. */
  readonly logLevel?: "info" | "warn";
  run(flags: Flags, ctx: CommandContext): Promise<number>;
};

const COMMON_OPTIONS = {
  config: { type: "string" },
  "data-dir": { type: "string" },
  "out-dir": { type: "string" },
  reinitialise: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

export const COMMON_USAGE = `common options:
  --config FILE      config file (default $TESTROTA_CONFIG, else config/testrota.json)
  --data-dir DIR     state directory (default $TESTROTA_DATA_DIR, else the config's dataDir)
  --out-dir DIR      output directory (default $TESTROTA_OUT_DIR, else the config's outDir)
  --reinitialise     start a new state store when the old one vanished (SQLite: the file missing or
                     0 bytes although one existed; PostgreSQL: no testrota tables in the schema
                     although the data directory has seen runs); refused without it (exit 66), so
                     a lost store is never silently replaced
  -h, --help         this help
`;

/** A command's help text: synopsis and description, its options, the common ones, examples. */
export function usageText(parts: {
  synopsis: string;
  description: string;
  options?: string;
  examples: string;
}): string {
  return [
    `usage: testrota ${parts.synopsis}`,
    "",
    parts.description.trimEnd(),
    "",
    ...(parts.options === undefined ? [] : ["options:", parts.options.trimEnd(), ""]),
    COMMON_USAGE,
    "examples:",
    parts.examples.trimEnd(),
    "",
  ].join("\n");
}

/** Parses a command's flags; an unknown option, a stray argument or a missing value is a usage error. */
export function parseFlags(command: Command, args: readonly string[]): Flags {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: command.positionals === true,
    });
    return command.positionals === true
      ? { ...parsed.values, [POSITIONALS]: parsed.positionals }
      : parsed.values;
  } catch (error) {
    if (
      error instanceof TypeError &&
      String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")
    ) {
      throw new UsageError([error.message], command.usage, { cause: error });
    }
    throw error;
  }
}

/** A string flag's value (undefined when absent). */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === "string" ? value : undefined;
}

/** Parses an ISO week flag; returns undefined and records a problem when it is missing or wrong. */
export function weekFlag(flags: Flags, name: string, problems: string[]): IsoWeek | undefined {
  const text = stringFlag(flags, name);
  const week = text === undefined ? undefined : parseIsoWeek(text);
  if (week === undefined) {
    problems.push(
      text === undefined
        ? `--${name}: missing, expected an ISO week like 2020-W44`
        : `--${name}: got ${JSON.stringify(text)}, expected an ISO week like 2020-W44`,
    );
  }
  return week;
}

/**
 * Who made an audited change: `--author`, else `$TESTROTA_AUTHOR`, else `$USER`; a usage error
 * when none is set (as in a container), so the audit trail never says "unknown".
 */
export function authorOf(flags: Flags, env: NodeJS.ProcessEnv, problems: string[]): string {
  const author = [stringFlag(flags, "author"), env.TESTROTA_AUTHOR, env.USER].find(
    (name) => name !== undefined && name.trim() !== "",
  );
  if (author === undefined) {
    problems.push("--author: missing, expected who decides (or set $TESTROTA_AUTHOR; $USER is not set)");
    return "";
  }
  return author.trim();
}

/** Throws the shutdown's AbortedError when a signal arrived (nothing further is started). */
export function stopIfAborted(signal: AbortSignal, what: string): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  const cause = reason instanceof Error ? reason.message : "signal received";
  throw new AbortedError(`${what}: aborted (${cause})`, { cause: reason });
}

/** The config named by --config (else $TESTROTA_CONFIG, else config/testrota.json), flags winning. */
export function loadCommandConfig(flags: Flags, env: NodeJS.ProcessEnv): Config {
  const file = stringFlag(flags, "config") ?? defaultConfigPath(env);
  return loadConfig(file, env, {
    dataDir: stringFlag(flags, "data-dir"),
    outDir: stringFlag(flags, "out-dir"),
  });
}

/** Loads the config, opens the app, runs `fn` and closes the app; a signal stops it before work starts. */
export async function withApp<T>(
  command: Command,
  flags: Flags,
  ctx: CommandContext,
  fn: (app: App) => Promise<T> | T,
): Promise<T> {
  const config = loadCommandConfig(flags, ctx.env);
  const clock = createClock(ctx.env);
  stopIfAborted(ctx.signal, command.name);
  const app = await createApp({
    config,
    logger: ctx.logger,
    clock,
    reinitialise: flags.reinitialise === true,
  });
  try {
    stopIfAborted(ctx.signal, command.name);
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** An instant as ISO 8601 with the zone's offset, to the second (e.g. 2020-09-30T10:00:00+02:00). */
export function formatInstant(instant: number | string, zone: string): string {
  const time =
    typeof instant === "number"
      ? DateTime.fromMillis(instant, { zone })
      : DateTime.fromISO(instant, { setZone: true }).setZone(zone);
  return time.isValid ? time.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ") : String(instant);
}

/**
 * The command's progress display: a line redrawn on stderr when it is a terminal, else log lines
 * (info). Never on stdout, which holds the command's result (`--json`).
 */
export function commandProgress(ctx: CommandContext, label: string): Progress {
  return createProgress({ label, stream: ctx.io.stderrStream, logger: ctx.logger });
}

/** Writes `value` as indented JSON with a trailing newline. */
export function printJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** `2020-W41..2020-W42` */
export function formatWeekRange(from: IsoWeek, to: IsoWeek): string {
  return `${formatIsoWeek(from)}..${formatIsoWeek(to)}`;
}

/** Run reports: the short human summary per week, or with --json the reports as a JSON array. */
export function printReports(io: Io, reports: readonly RunReport[], json: boolean): void {
  if (json) {
    printJson(io, reports);
    return;
  }
  for (const report of reports) io.stdout(`${formatRunSummary(report)}\n`);
}
