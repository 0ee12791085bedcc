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
  synopsis: `resume [--note TEXT] [--author NAME] [--json] [common options]`,
  description: `Restart the scheduled runs after \`testrota pause\`. A Wednesday missed while paused is
caught up at the next fire or start-up when it is within worker.catchUpWeeks; older weeks are
run by hand (\`testrota run --week …\`).`,
  options: `  --note TEXT        why (optional, kept in the audit trail)
  --author NAME      who (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json             print the pause state as JSON`,
  examples: `  testrota resume --note "SSI republished" --author ops-anna`,
});

export const resumeCommand: Command = {
  name: "resume",
  summary: "restart scheduled runs",
  usage,
  options: { note: { type: "string" }, author: { type: "string" }, json: { type: "boolean" } },
  run(flags, ctx) {
    const problems: string[] = [];
    const note = stringFlag(flags, "note")?.trim() ?? "";
    const author = authorOf(flags, ctx.env, problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const at = app.clock();
      await app.store.setPaused({ paused: false, note, author, at: new Date(at).toISOString() });
      const since = formatInstant(at, app.config.timezone);
      if (flags.json === true) printJson(ctx.io, { paused: false, since, by: author, note });
      else
        ctx.io.stdout(`scheduled runs resumed at ${since} by ${author}${note === "" ? "" : `: ${note}`}\n`);
      return 0;
    });
  },
};
