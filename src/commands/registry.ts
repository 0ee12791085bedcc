import { auditCommand } from "./audit.ts";
import { attendanceImportCommand } from "./attendance-import.ts";
import { attendanceListCommand } from "./attendance-list.ts";
import { COMMON_USAGE, type Command } from "./command.ts";
import { demoCommand } from "./demo.ts";
import { overrideAddCommand } from "./override-add.ts";
import { overrideListCommand } from "./override-list.ts";
import { overrideRemoveCommand } from "./override-remove.ts";
import { pauseCommand } from "./pause.ts";
import { pruneCommand } from "./prune.ts";
import { recipientAddCommand } from "./recipient-add.ts";
import { recipientDemoCommand } from "./recipient-demo.ts";
import { recipientListCommand } from "./recipient-list.ts";
import { recipientRemoveCommand } from "./recipient-remove.ts";
import { recipientRotateCommand } from "./recipient-rotate.ts";
import { replayCommand } from "./replay.ts";
import { resumeCommand } from "./resume.ts";
import { runCommand } from "./run.ts";
import { serveCommand } from "./serve.ts";
import { statusCommand } from "./status.ts";
import { storeMigrateCommand } from "./store-migrate.ts";
import { validateCommand } from "./validate.ts";
import { whatifCommand } from "./whatif.ts";
import { workerCommand } from "./worker.ts";

const COMMANDS: readonly Command[] = [
  demoCommand,
  runCommand,
  replayCommand,
  whatifCommand,
  validateCommand,
  workerCommand,
  statusCommand,
  overrideAddCommand,
  overrideListCommand,
  overrideRemoveCommand,
  pauseCommand,
  resumeCommand,
  pruneCommand,
  storeMigrateCommand,
  recipientAddCommand,
  recipientListCommand,
  recipientRotateCommand,
  recipientRemoveCommand,
  recipientDemoCommand,
  serveCommand,
  auditCommand,
  attendanceImportCommand,
  attendanceListCommand,
];

/** Commands with sub-commands (`override add|list|remove`). */
const GROUPS = new Set(COMMANDS.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0] ?? ""));

function listing(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n");
}

const GENERAL_USAGE = `usage: testrota <command> [options]

commands:
${listing(COMMANDS)}

${COMMON_USAGE}
"testrota <command> --help" (or "testrota help <command>") shows a command's options and examples.
Exit codes: 0 ok, 64 usage, 65 bad input data, 69 source unavailable, 70 internal error,
75 week locked by another process, 78 bad configuration, 130 aborted (signal); storage faults
66, 72, 74, 76, 77 (see docs/cli.md).
`;

function groupUsage(group: string): string {
  const commands = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return `usage: testrota ${group} <${commands.map((c) => c.name.slice(group.length + 1)).join("|")}> [options]

${listing(commands)}

"testrota ${group} <sub-command> --help" shows its options and examples.
`;
}

/** What the words of a command line ask for. */
export type Resolution =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "usage-error"; readonly message: string; readonly usage: string }
  | { readonly kind: "command"; readonly command: Command; readonly args: readonly string[] };

/** Options that take a value and may come before the command name (`testrota --config x status`). */
const VALUE_OPTIONS = new Set(["--config", "--data-dir", "--out-dir"]);

function positionalIndexes(argv: readonly string[]): number[] {
  const indexes: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (VALUE_OPTIONS.has(token)) i++;
    else if (!token.startsWith("-")) indexes.push(i);
  }
  return indexes;
}

function findCommand(words: readonly string[]): Command | undefined {
  const name = GROUPS.has(words[0] ?? "") ? words.slice(0, 2).join(" ") : (words[0] ?? "");
  return COMMANDS.find((c) => c.name === name);
}

/** Finds the command of a command line and the arguments left for its own flags. */
export function resolveCommand(argv: readonly string[]): Resolution {
  const positions = positionalIndexes(argv);
  const words = positions.map((i) => argv[i] ?? "");
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  const [first, second] = words;
  if (first === undefined) {
    return wantsHelp
      ? { kind: "help", text: GENERAL_USAGE }
      : { kind: "usage-error", message: "no command given", usage: GENERAL_USAGE };
  }
  if (first === "help") {
    if (words.length === 1) return { kind: "help", text: GENERAL_USAGE };
    if (GROUPS.has(words[1] ?? "") && words.length === 2)
      return { kind: "help", text: groupUsage(words[1] ?? "") };
    const command = findCommand(words.slice(1));
    return command
      ? { kind: "help", text: command.usage }
      : {
          kind: "usage-error",
          message: `help: unknown command ${JSON.stringify(words.slice(1).join(" "))}`,
          usage: GENERAL_USAGE,
        };
  }
  if (GROUPS.has(first)) {
    const command = findCommand(words);
    if (command !== undefined) {
      const used = new Set(positions.slice(0, 2));
      return { kind: "command", command, args: argv.filter((_, i) => !used.has(i)) };
    }
    if (second === undefined && wantsHelp) return { kind: "help", text: groupUsage(first) };
    return {
      kind: "usage-error",
      message:
        second === undefined
          ? `${first}: missing sub-command`
          : `${first}: unknown sub-command ${JSON.stringify(second)}`,
      usage: groupUsage(first),
    };
  }
  const command = findCommand(words);
  if (command === undefined) {
    return { kind: "usage-error", message: `unknown command ${JSON.stringify(first)}`, usage: GENERAL_USAGE };
  }
  const used = positions[0];
  return { kind: "command", command, args: argv.filter((_, i) => i !== used) };
}
