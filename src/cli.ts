#!/usr/bin/env node
// The entry point (`testrota`, the npm bin and the image's ENTRYPOINT). It imports almost nothing
// up front so the signal handlers exist before any work starts; the commands load afterwards.
import { realpathSync } from "node:fs";
import type { Io } from "./commands/command.ts";
import { AbortedError, TestrotaError, UsageError } from "./errors.ts";

export type { Io };

export type MainOptions = {
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Fires on the first SIGTERM/SIGINT (see listenForSignals); never fires when omitted. */
  readonly signal?: AbortSignal | undefined;
};

/**
 * Runs one CLI invocation and returns the exit code. Help and usage mistakes are printed here
 * (exit 0 and 64, with the command's own usage); any other failure is thrown as it is, for
 * `runCli` (or a test) to map.
 */
export async function main(argv: readonly string[], io: Io, options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const signal = options.signal ?? new AbortController().signal;
  const [{ resolveCommand }, { parseFlags }, { createLogger }] = await Promise.all([
    import("./commands/registry.ts"),
    import("./commands/command.ts"),
    import("./log.ts"),
  ]);
  const resolution = resolveCommand(argv);
  if (resolution.kind === "help") {
    io.stdout(resolution.text);
    return 0;
  }
  if (resolution.kind === "usage-error") {
    io.stderr(`testrota: ${resolution.message}\n\n${resolution.usage}`);
    return 64;
  }
  const { command, args } = resolution;
  // The worker logs to stdout (the container's log); one-off commands keep stdout for their result.
  const worker = command.logLevel === "info";
  const logger = createLogger({
    level: env.LOG_LEVEL ?? command.logLevel ?? "warn",
    destination: worker ? 1 : 2,
  });
  try {
    const flags = parseFlags(command, args);
    if (flags.help === true) {
      io.stdout(command.usage);
      return 0;
    }
    return await command.run(flags, { io, env, logger, signal });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(error.problems.map((problem) => `testrota ${command.name}: ${problem}\n`).join(""));
      if (error.usage !== undefined) io.stderr(`\n${error.usage}`);
      return 64;
    }
    if (!(error instanceof TestrotaError)) logger.error({ err: error }, "internal error");
    throw error;
  }
}

/** Maps an error to its exit code and one-line message. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof TestrotaError) return { code: error.exitCode, message: error.message };
  if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
    return { code: 64, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 70,
    message: `internal error: ${message.split("\n")[0] ?? ""} (a bug in testrota: the log line "internal error" holds the stack trace; please report it)`,
  };
}

/** `main`, with every failure printed as one line on stderr; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: Io, options: MainOptions = {}): Promise<number> {
  try {
    return await main(argv, io, options);
  } catch (error) {
    const failure = describeFailure(error);
    io.stderr(`testrota: ${failure.message}\n`);
    return failure.code;
  }
}

/**
 * SIGTERM/SIGINT for the whole process, registered before any work: the first aborts the
 * returned signal (the worker shuts down gracefully, a run is aborted before it publishes);
 * a second one during that shutdown exits at once with 130.
 */
function listenForSignals(io: Io): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      io.stderr(`testrota: ${name} received: stopping (send it again to abort at once)\n`);
      controller.abort(new AbortedError(`${name} received`));
      return;
    }
    io.stderr(`testrota: second ${name} during shutdown: aborting now, nothing further is published\n`);
    process.exit(130);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return controller.signal;
}

/** True when this file is the script Node started, also through a symlink (npm bins are symlinks). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(import.meta.filename);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: Io = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrStream: process.stderr,
  };
  const signal = listenForSignals(io);
  void runCli(process.argv.slice(2), io, { env: process.env, signal }).then((code) => {
    // A failure exits at once (an aborted fetch may leave sockets open); success drains stdout first.
    if (code === 0) process.exitCode = 0;
    else process.exit(code);
  });
}
