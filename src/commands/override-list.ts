import { formatIsoWeek } from "../domain/calendar.ts";
import type { Override } from "../domain/classify.ts";
import type { App } from "../worker/app.ts";
import { formatInstant, printJson, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "override list [--json] [common options]",
  description: `Every STPS decision: those recorded in the store (with author and time; withdrawn ones
stay listed with who withdrew them) and those of the config file's \`overrides\`. Weeks are
classification weeks: the run of week W publishes the rota of test week W+1. Times are in the
config's timezone (JSON: as stored, UTC). When several
decisions cover the same municipality and week, the last one listed applies.`,
  options: `  --json             print the decisions as a JSON array`,
  examples: `  testrota override list
  testrota override list --json | jq '.[] | select(.removedAt == null)'`,
});

/** One decision as listed: weeks as text, where it comes from, who recorded or withdrew it. */
export type ListedOverride = Omit<Override, "from" | "to" | "author"> & {
  readonly from: string;
  readonly to: string;
  readonly origin: "store" | "config";
  readonly author: string | null;
  readonly createdAt: string | null;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
  readonly removalNote: string | null;
};

/** Config decisions first (they are applied first), then the store's in the order they were recorded. */
export async function listOverrides(app: App): Promise<ListedOverride[]> {
  const weeks = (o: Override) => ({ from: formatIsoWeek(o.from), to: formatIsoWeek(o.to) });
  return [
    ...app.config.overrides.map((o) => ({
      ...o,
      ...weeks(o),
      origin: "config" as const,
      author: o.author ?? null,
      createdAt: null,
      removedAt: null,
      removedBy: null,
      removalNote: null,
    })),
    ...(await app.store.listOverrides({ includeRemoved: true })).map((o) => ({
      ...o,
      ...weeks(o),
      origin: "store" as const,
    })),
  ];
}

function formatLine(o: ListedOverride, zone: string): string {
  const at = (iso: string | null) => (iso === null ? "?" : formatInstant(iso, zone));
  const who = o.origin === "config" ? "(config file)" : `by ${o.author ?? "?"} at ${at(o.createdAt)}`;
  const removed = o.removedAt ? `  REMOVED by ${o.removedBy ?? "?"} at ${at(o.removedAt)}` : "";
  return `${o.id}  ${o.municipalityCode}  ${o.action}  ${o.from}..${o.to}  ${o.siteIds.join(",")}  "${o.reason}" ${who}${removed}`;
}

export const overrideListCommand: Command = {
  name: "override list",
  summary: "list the STPS decisions (store and config), withdrawn ones included",
  usage,
  options: { json: { type: "boolean" } },
  run(flags, ctx) {
    return withApp(this, flags, ctx, async (app) => {
      const rows = await listOverrides(app);
      if (flags.json === true) printJson(ctx.io, rows);
      else
        ctx.io.stdout(
          rows.length === 0
            ? "no overrides\n"
            : `${rows.map((o) => formatLine(o, app.config.timezone)).join("\n")}\n`,
        );
      return 0;
    });
  },
};
