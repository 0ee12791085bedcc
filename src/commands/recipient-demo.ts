import { publicBaseUrl } from "../portal/base-url.ts";
import { issueToken } from "../portal/token.ts";
import type { RecipientScope } from "../store/recipients.ts";
import { describeScope, placesOf } from "./recipient-common.ts";
import { printJson, stringFlag, usageText, withApp, type Command } from "./command.ts";

/** One recipient per role, for the demo: København's coordinator, Region Hovedstaden, national. */
const DEMO_RECIPIENTS: readonly (RecipientScope & { readonly id: string; readonly email: string })[] = [
  {
    id: "demo-koordinator-101",
    role: "municipality",
    codes: [101],
    email: "koordinator-101@example.invalid",
  },
  { id: "demo-region-1084", role: "region", codes: [1084], email: "logistik-1084@example.invalid" },
  { id: "demo-national", role: "national", codes: [], email: "national@example.invalid" },
];

const usage = usageText({
  synopsis: "recipient demo [--author NAME] [--json] [common options]",
  description: `Create the demo's recipients, one per role, and print their tokens (once): the test
coordinator of København (101), the logistics of Region Hovedstaden (1084) and the national
level. Run again, it gives them new tokens. Their addresses are @example.invalid: nothing is
delivered to anyone. Then start the portal with testrota serve and sign in with a token.`,
  options: `  --author NAME      recorded as who created them (default $TESTROTA_AUTHOR, else $USER, else "demo")
  --json             print the recipients and tokens as JSON`,
  examples: `  npm run demo && npm run testrota -- recipient demo && npm run testrota -- serve`,
});

export const recipientDemoCommand: Command = {
  name: "recipient demo",
  summary: "create (or re-key) one demo recipient per role and print their tokens",
  usage,
  options: { author: { type: "string" }, json: { type: "boolean" } },
  run(flags, ctx) {
    const author =
      [stringFlag(flags, "author"), ctx.env.TESTROTA_AUTHOR, ctx.env.USER]
        .find((name) => name !== undefined && name.trim() !== "")
        ?.trim() ?? "demo";
    return withApp(this, flags, ctx, async (app) => {
      const places = await placesOf(app);
      const at = new Date(app.clock()).toISOString();
      const created: { id: string; scope: string; label: string; token: string }[] = [];
      for (const demo of DEMO_RECIPIENTS) {
        const { id, email, ...scope } = demo;
        const { token, tokenHash } = issueToken(id);
        const existing = await app.store.getRecipient(id);
        const label =
          scope.role === "municipality"
            ? `Testkoordinator, ${places.municipalityName(101)} (demo)`
            : scope.role === "region"
              ? `Logistik, ${places.regionName(1084)} (demo)`
              : "Nationalt niveau (demo)";
        if (existing !== undefined && existing.removedAt !== null) {
          ctx.io.stderr(`testrota recipient demo: ${id} was removed; its id is not reused (skipped)\n`);
          continue;
        }
        if (existing === undefined) {
          await app.store.addRecipient({
            ...scope,
            id,
            email,
            label,
            tokenHash,
            expiresAt: null,
            author,
            at,
          });
        } else {
          await app.store.rotateRecipientToken(id, { tokenHash, author, at });
        }
        created.push({ id, scope: describeScope(scope), label, token });
      }
      const url = publicBaseUrl(app.config.portal);
      if (flags.json === true) {
        printJson(ctx.io, { portal: url, recipients: created });
        return 0;
      }
      const width = Math.max(...created.map((c) => c.id.length));
      ctx.io.stdout(
        [
          "demo recipients (tokens shown only now; testrota keeps only their hashes):",
          ...created.map((c) => `  ${c.id.padEnd(width)}  ${c.label}\n  ${" ".repeat(width)}  ${c.token}`),
          "",
          "start the portal:   npm run testrota -- serve",
          `then open ${url} and paste one of the tokens`,
          "",
        ].join("\n"),
      );
      return 0;
    });
  },
};
