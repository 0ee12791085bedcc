import { formatPruneReport, pruneOldWeeks } from "../store/prune.ts";
import { withDataDirLock } from "../worker/lock.ts";
import { printJson, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "prune [--dry-run] [--json] [common options]",
  description: `Remove the bulky state of weeks older than the retention (config \`retention.weeks\`,
default 4): cycle-slot snapshots, deferred tests and raw captures of weeks before the latest
\`retention.weeks\` committed weeks, planned tests 12 weeks later (the weekly report's history).
Those weeks stay re-runnable with byte-identical files, and the next week's run has everything it
needs; classifications, cadence states, the run ledger and the published folders are kept.
Every successful run prunes the same way on its own; this command is for a changed setting or a
look at what would go (--dry-run). It holds the data directory's lock: no run meanwhile.`,
  options: `  --dry-run          count what would go, remove nothing
  --json             print the result as JSON`,
  examples: `  testrota prune --dry-run
  testrota prune --json | jq '.rows'`,
});

export const pruneCommand: Command = {
  name: "prune",
  summary: "remove old weeks' slot snapshots, planned tests and raw captures (retention.weeks)",
  usage,
  options: { "dry-run": { type: "boolean" }, json: { type: "boolean" } },
  run(flags, ctx) {
    return withApp(this, flags, ctx, async (app) => {
      const { config, store } = app;
      const report = await withDataDirLock({ store, logger: app.logger, purpose: "prune" }, () =>
        pruneOldWeeks({
          store,
          dataDir: config.dataDir,
          weeks: config.retention.weeks,
          dryRun: flags["dry-run"] === true,
        }),
      );
      if (flags.json === true) printJson(ctx.io, report);
      else ctx.io.stdout(`${formatPruneReport(report)}\n`);
      return 0;
    });
  },
};
