import { UsageError } from "../errors.ts";
import {
  authorOf,
  formatInstant,
  printJson,
  stringFlag,
  usageText,
  withApp,
  type Command,
} from "./command.ts";

const usage = usageText({
  synopsis: `pause --note TEXT [--author NAME] [--json] [common options]`,
  description: `Skip the scheduled runs (the worker's Wednesday fires, retries and catch-up) until
\`testrota resume\`, e.g. while the source is known to publish wrong numbers. A run started by
hand (\`testrota run\`) still runs. The pause is recorded with its note, author and time;
\`testrota status\` shows it.`,
  options: `  --note TEXT        why (required): shown by status as "paused since … by …: note"
  --author NAME      who (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json             print the pause state as JSON`,
  examples: `  testrota pause --note "SSI numbers of 2020-09-30 known wrong (SSI ticket 4711)" --author ops-anna
  testrota resume --note "SSI republished" --author ops-anna`,
});

export const pauseCommand: Command = {
  name: "pause",
  summary: "stop scheduled runs (with a note: why)",
  usage,
  options: { note: { type: "string" }, author: { type: "string" }, json: { type: "boolean" } },
  run(flags, ctx) {
    const problems: string[] = [];
    const note = stringFlag(flags, "note")?.trim() ?? "";
    if (note === "") problems.push("--note: missing, expected why scheduled runs are paused");
    const author = authorOf(flags, ctx.env, problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const at = app.clock();
      await app.store.setPaused({ paused: true, note, author, at: new Date(at).toISOString() });
      const since = formatInstant(at, app.config.timezone);
      if (flags.json === true) printJson(ctx.io, { paused: true, since, by: author, note });
      else ctx.io.stdout(`scheduled runs paused since ${since} by ${author}: ${note}\n`);
      return 0;
    });
  },
};
