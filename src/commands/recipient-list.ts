import { recipientJson, recipientLine } from "./recipient-common.ts";
import { printJson, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "recipient list [--all] [--json] [common options]",
  description: `The recipients of the published files with their scope, e-mail address, label, token
expiry and when the token was last set (never the token or its hash). Removed recipients are
listed with --all. Times are in the config's timezone (JSON: as stored, UTC).`,
  options: `  --all              also the removed recipients
  --json             print the recipients as a JSON array`,
  examples: `  testrota recipient list
  testrota recipient list --all --json | jq '.[] | select(.role == "region")'`,
});

export const recipientListCommand: Command = {
  name: "recipient list",
  summary: "list the recipients (scope, e-mail, expiry; never tokens)",
  usage,
  options: { all: { type: "boolean" }, json: { type: "boolean" } },
  run(flags, ctx) {
    return withApp(this, flags, ctx, async (app) => {
      const recipients = await app.store.listRecipients({ includeRemoved: flags.all === true });
      if (flags.json === true) printJson(ctx.io, recipients.map(recipientJson));
      else
        ctx.io.stdout(
          recipients.length === 0
            ? "no recipients (add one: testrota recipient add --help)\n"
            : `${recipients.map((r) => recipientLine(r, app.config.timezone)).join("\n")}\n`,
        );
      return 0;
    });
  },
};
