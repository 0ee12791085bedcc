import { UsageError } from "../errors.ts";
import { issueToken } from "../portal/token.ts";
import {
  checkScope,
  defaultLabel,
  defaultRecipientId,
  describeScope,
  emailFlag,
  expiryFlag,
  idFlag,
  placesOf,
  recipientJson,
  recipientLine,
  SCOPE_OPTIONS,
  scopeFlags,
  tokenLines,
} from "./recipient-common.ts";
import { authorOf, printJson, stringFlag, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: `recipient add --role ROLE [--municipality CODES | --region CODE] --email ADDRESS
                    [--label TEXT] [--id ID] [--expires YYYY-MM-DD] [--author NAME] [--json]`,
  description: `Add a recipient of the published files: a municipal test coordinator (one or more
municipalities: their rota files, workbooks, site sheets, also the provisional look-ahead), a
region's logistics (its pickups and routes) or the national level (summary, classification,
report: no names). Everyone also sees the week's read-me, classification.csv and report.html.
The access token is printed ONCE: testrota keeps only its hash. The recipient signs in to the
portal (testrota serve) with it, or sends it as "Authorization: Bearer <token>". The recipient
is mailed when a week is published (config smtp). The change is audited (testrota audit).`,
  options: `${SCOPE_OPTIONS}
  --email ADDRESS      where the notifications go
  --label TEXT         who it is, e.g. "Københavns Kommune, testkoordinator" (default: the places' names)
  --id ID              lowercase letters, digits, - (default municipality-101, region-1084, national)
  --expires DATE       the token is valid through this day (config timezone); default: no expiry
  --author NAME        who adds it (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json               print the recipient and its token as JSON`,
  examples: `  testrota recipient add --role municipality --municipality 101 --email testkoordinator@kk.dk
  testrota recipient add --role region --region 1084 --email logistik@regionh.dk --expires 2021-06-30
  testrota recipient add --role national --email data@stps.dk --label "STPS" --json`,
});

export const recipientAddCommand: Command = {
  name: "recipient add",
  summary: "add a recipient (coordinator, region, national) and print its token once",
  usage,
  options: {
    role: { type: "string" },
    municipality: { type: "string" },
    region: { type: "string" },
    email: { type: "string" },
    label: { type: "string" },
    id: { type: "string" },
    expires: { type: "string" },
    author: { type: "string" },
    json: { type: "boolean" },
  },
  run(flags, ctx) {
    const problems: string[] = [];
    const scope = scopeFlags(flags, problems);
    const email = emailFlag(flags, problems);
    const id = idFlag(flags, problems);
    const author = authorOf(flags, ctx.env, problems);
    if (problems.length > 0 || scope === undefined) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const scopeProblems = checkScope(app, scope);
      const expiresAt = expiryFlag(flags, app.config.timezone, scopeProblems) ?? null;
      if (scopeProblems.length > 0) throw new UsageError(scopeProblems, usage);
      if (id !== undefined && (await app.store.getRecipient(id)) !== undefined) {
        throw new UsageError(
          [`--id: ${JSON.stringify(id)} exists (removed recipients keep their id), expected a new id`],
          usage,
        );
      }
      const places = await placesOf(app);
      // Removed recipients keep their id: every id ever given is taken.
      const existing = new Set((await app.store.listRecipients({ includeRemoved: true })).map((r) => r.id));
      const recipientId = id ?? defaultRecipientId(scope, (taken) => existing.has(taken));
      const { token, tokenHash } = issueToken(recipientId);
      const at = new Date(app.clock()).toISOString();
      await app.store.addRecipient({
        ...scope,
        id: recipientId,
        email,
        label: stringFlag(flags, "label")?.trim() || defaultLabel(scope, places),
        tokenHash,
        expiresAt,
        author,
        at,
      });
      const added = await app.store.getRecipient(recipientId);
      if (added === undefined) throw new Error(`recipient ${recipientId} was not stored`);
      if (flags.json === true) {
        printJson(ctx.io, { added: recipientJson(added), token });
        return 0;
      }
      ctx.io.stdout(
        [
          `recipient ${recipientId} added: ${describeScope(scope)}`,
          `  ${recipientLine(added, app.config.timezone)}`,
          ...tokenLines(token),
          "",
        ].join("\n"),
      );
      return 0;
    });
  },
};
