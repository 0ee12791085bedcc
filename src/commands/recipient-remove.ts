import { UsageError } from "../errors.ts";
import { authorOf, printJson, stringFlag, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "recipient remove --id ID [--reason TEXT] [--author NAME] [--json] [common options]",
  description: `Remove a recipient: its token and sessions stop working at once, it is mailed no more, and
notifications still waiting for it are cancelled. It stays on file (listed with recipient
list --all) so that its downloads remain attributable; its id is not reused. Audited.`,
  options: `  --id ID            the recipient (see recipient list)
  --reason TEXT      why (kept in the audit trail)
  --author NAME      who removes it (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json             print the result as JSON`,
  examples: `  testrota recipient remove --id municipality-101 --reason "coordinator left" --author ops-anna`,
});

export const recipientRemoveCommand: Command = {
  name: "recipient remove",
  summary: "remove a recipient (token refused at once; kept on file for the audit)",
  usage,
  options: {
    id: { type: "string" },
    reason: { type: "string" },
    author: { type: "string" },
    json: { type: "boolean" },
  },
  run(flags, ctx) {
    const problems: string[] = [];
    const id = stringFlag(flags, "id")?.trim() ?? "";
    if (id === "")
      problems.push("--id: missing, expected the id of the recipient to remove (see recipient list)");
    const author = authorOf(flags, ctx.env, problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const current = await app.store.getRecipient(id);
      if (current === undefined || current.removedAt !== null) {
        throw new UsageError([
          `--id: got ${JSON.stringify(id)}, expected the id of an active recipient (see recipient list)`,
        ]);
      }
      const at = new Date(app.clock()).toISOString();
      await app.store.removeRecipient(id, { author, at, note: stringFlag(flags, "reason") ?? "" });
      if (flags.json === true) printJson(ctx.io, { removed: id, by: author, at });
      else ctx.io.stdout(`recipient ${id} removed: its token no longer works\n`);
      return 0;
    });
  },
};
