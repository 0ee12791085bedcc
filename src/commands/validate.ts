import { defaultConfigPath } from "../config.ts";
import { ConfigError } from "../errors.ts";
import {
  loadCommandConfig,
  printJson,
  stopIfAborted,
  stringFlag,
  usageText,
  type Command,
} from "./command.ts";
import { checkInputs, type InputProblem } from "./input-check.ts";

const usage = usageText({
  synopsis: "validate [--json] [common options]",
  description: `Check the config and the inputs it names without running anything: the config against
its schema (unknown keys, time zone, times, weeks, and that the local files and folders it names
exist), then the reference, the sites file and every roster file. Each problem is printed as
  file: JSON path: message        (config)
  file:line: column: message      (inputs)
Exit 0 when everything is valid, 78 for config problems, 65 for input problems.`,
  options: `  --json             print {config, ok, problems, counts} as JSON`,
  examples: `  testrota validate --config /etc/testrota/testrota.json
  testrota validate --json | jq '.problems[]'`,
});

/** `file:line: column: message` (line and column when known). */
function formatInputProblem(problem: InputProblem): string {
  const line = problem.line === undefined ? "" : `:${problem.line}`;
  const column = problem.column === undefined ? "" : `${problem.column}: `;
  return `${problem.file}${line}: ${column}${problem.message}`;
}

/** A config issue `file: path: message` as {file, path, message}. */
function splitIssue(file: string, issue: string): { file: string; path?: string; message: string } {
  if (!issue.startsWith(`${file}: `)) return { file, message: issue };
  const rest = issue.slice(file.length + 2);
  const at = rest.indexOf(": ");
  return at < 0 ? { file, message: rest } : { file, path: rest.slice(0, at), message: rest.slice(at + 2) };
}

export const validateCommand: Command = {
  name: "validate",
  summary: "check the config and the inputs (reference, sites, roster); every problem with file and place",
  usage,
  options: { json: { type: "boolean" } },
  async run(flags, ctx) {
    const file = stringFlag(flags, "config") ?? defaultConfigPath(ctx.env);
    const json = flags.json === true;
    let config;
    try {
      config = loadCommandConfig(flags, ctx.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (json)
        printJson(ctx.io, {
          config: file,
          ok: false,
          problems: error.issues.map((i) => splitIssue(file, i)),
        });
      else ctx.io.stdout(`${error.issues.join("\n")}\n`);
      return error.exitCode;
    }
    stopIfAborted(ctx.signal, this.name);
    const check = await checkInputs(config);
    stopIfAborted(ctx.signal, this.name);
    if (json) {
      printJson(ctx.io, { config: config.configFile, ok: check.problems.length === 0, ...check });
    } else if (check.problems.length > 0) {
      ctx.io.stdout(`${check.problems.map(formatInputProblem).join("\n")}\n`);
    } else {
      const c = check.counts;
      ctx.io.stdout(
        `${config.configFile}: ok (${c.municipalities} municipalities, ${c.sites} sites, ${c.staff} staff)\n`,
      );
    }
    return check.problems.length > 0 ? 65 : 0;
  },
};
