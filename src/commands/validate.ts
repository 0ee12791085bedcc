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
import { checkInputs, formatInputCheck } from "../roster/check-inputs.ts";

const usage = usageText({
  synopsis: "validate [--roster FILE] [--json] [common options]",
  description: `Check the config and the inputs it names without running anything: the config against
its schema (unknown keys, time zone, times, weeks, and that the local files and folders it names
exist), then the reference, the sites file and every roster file. Every problem of every file
is printed (at most 20 per file, then a count of the rest) as
  file: JSON path: message        (config)
  file:line: column: message      (inputs)
Warnings (e.g. a roster read as Windows-1252) come first. Exit 0 when everything is valid, 78 for
config problems, 65 for input problems.`,
  options: `  --roster FILE      check just this one HR export (a roster file) against the sites and reference,
                     e.g. before sending it
  --json             print {config, ok, problems, problemCount, warnings, counts} as JSON`,
  examples: `  testrota validate --config /etc/testrota/testrota.json
  testrota validate --roster exports/101.csv
  testrota validate --json | jq '.problems[]'`,
});

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
  options: { json: { type: "boolean" }, roster: { type: "string" } },
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
    const rosterFile = stringFlag(flags, "roster");
    const check = await checkInputs(config, rosterFile === undefined ? {} : { rosterFile });
    stopIfAborted(ctx.signal, this.name);
    if (json) {
      printJson(ctx.io, { config: config.configFile, ok: check.problemCount === 0, ...check });
    } else {
      ctx.io.stdout(`${[`${config.configFile}: config ok`, ...formatInputCheck(check)].join("\n")}\n`);
    }
    return check.problemCount > 0 ? 65 : 0;
  },
};
