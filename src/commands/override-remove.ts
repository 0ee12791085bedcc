import { UsageError } from "../errors.ts";
import { authorOf, printJson, stringFlag, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "override remove --id ID [--reason TEXT] [--author NAME] [--json] [common options]",
  description: `Withdraw a decision recorded with \`override add\`. It stays in the audit trail (listed
as REMOVED, with who withdrew it, when and why); runs from then on no longer apply it (re-run a
published week to republish it without). Decisions of the config file are edited there.`,
  options: `  --id ID            the decision's id (see override list)
  --reason TEXT      why it is withdrawn (kept in the audit trail)
  --author NAME      who (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json             print the result as JSON`,
  examples: `  testrota override remove --id STPS-2020-1235 --reason "outbreak over" --author stps-lone`,
});

export const overrideRemoveCommand: Command = {
  name: "override remove",
  summary: "withdraw a decision (soft delete: kept in the audit trail)",
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
      problems.push("--id: missing, expected the id of the decision to withdraw (see override list)");
    const author = authorOf(flags, ctx.env, problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      if (!(await app.store.listOverrides()).some((o) => o.id === id)) {
        throw new UsageError([
          `--id: got ${JSON.stringify(id)}, expected the id of a decision in force in the store (see override list)`,
        ]);
      }
      const removedAt = new Date(app.clock()).toISOString();
      await app.store.removeOverride(id, { author, removedAt, note: stringFlag(flags, "reason") ?? "" });
      if (flags.json === true) printJson(ctx.io, { removed: id, by: author, at: removedAt });
      else ctx.io.stdout(`override ${id} removed\n`);
      return 0;
    });
  },
};
