import { UsageError } from "../errors.ts";
import { issueToken } from "../portal/token.ts";
import { expiryFlag, recipientJson, recipientLine, tokenLines } from "./recipient-common.ts";
import { authorOf, printJson, stringFlag, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "recipient rotate --id ID [--expires YYYY-MM-DD|never] [--author NAME] [--json] [common options]",
  description: `Give a recipient a new access token, printed ONCE. The old token stops working at once,
and so does every portal session signed in with it. Use it when a token may have leaked, when
the person changes, or to extend an expiry. The change is audited (testrota audit).`,
  options: `  --id ID            the recipient (see recipient list)
  --expires DATE     the new token is valid through this day (config timezone); never: no expiry;
                     default: the expiry stays as it was
  --author NAME      who rotates it (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json             print the recipient and its new token as JSON`,
  examples: `  testrota recipient rotate --id municipality-101
  testrota recipient rotate --id region-1084 --expires 2021-12-31 --author ops-anna`,
});

export const recipientRotateCommand: Command = {
  name: "recipient rotate",
  summary: "replace a recipient's token (the old one and its sessions stop at once)",
  usage,
  options: {
    id: { type: "string" },
    expires: { type: "string" },
    author: { type: "string" },
    json: { type: "boolean" },
  },
  run(flags, ctx) {
    const problems: string[] = [];
    const id = stringFlag(flags, "id")?.trim() ?? "";
    if (id === "") problems.push("--id: missing, expected the id of the recipient (see recipient list)");
    const author = authorOf(flags, ctx.env, problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const expiresAt = expiryFlag(flags, app.config.timezone, problems);
      if (problems.length > 0) throw new UsageError(problems, usage);
      const current = await app.store.getRecipient(id);
      if (current === undefined || current.removedAt !== null) {
        throw new UsageError([
          `--id: got ${JSON.stringify(id)}, expected the id of an active recipient (see recipient list)`,
        ]);
      }
      const { token, tokenHash } = issueToken(id);
      await app.store.rotateRecipientToken(id, {
        tokenHash,
        expiresAt,
        author,
        at: new Date(app.clock()).toISOString(),
      });
      const rotated = (await app.store.getRecipient(id)) ?? current;
      if (flags.json === true) {
        printJson(ctx.io, { rotated: recipientJson(rotated), token });
        return 0;
      }
      ctx.io.stdout(
        [
          `recipient ${id}: new token, the old one no longer works`,
          `  ${recipientLine(rotated, app.config.timezone)}`,
          ...tokenLines(token),
          "",
        ].join("\n"),
      );
      return 0;
    });
  },
};
