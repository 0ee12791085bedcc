import { writeFile } from "node:fs/promises";
import { formatIsoWeek, weekAt } from "../domain/calendar.ts";
import { UsageError } from "../errors.ts";
import { createPhaseTimer, phaseRecord, totalSeconds } from "../lib/phase-timer.ts";
import {
  commandProgress,
  printReports,
  stringFlag,
  usageText,
  weekFlag,
  withApp,
  type Command,
} from "./command.ts";

const usage = usageText({
  synopsis: "run [--week YYYY-Www] [--json] [--timings FILE] [common options]",
  description: `Classify one ISO week now and publish the rota of the following week: the run of
classification week W writes out/W/ with the rota of test week W+1 (and a provisional
look-ahead of W+2). Re-running a week republishes it atomically; the same inputs give
byte-identical files.`,
  options: `  --week YYYY-Www    the classification week (default: the current week in the config's timezone)
  --json             print the run report as JSON (a one-element array)
  --timings FILE     write the run's phase timings (seconds per phase) as JSON to FILE; they
                     differ from run to run, so they are never part of the published files`,
  examples: `  testrota run                        # this week, now (e.g. after the source came back)
  testrota run --week 2020-W44        # week 44: publishes out/2020-W44/ with the rota of 2020-W45
  testrota run --week 2020-W44 --json | jq '.[0].counts'`,
});

export const runCommand: Command = {
  name: "run",
  summary: "classify one week now and publish the rota of the next week",
  usage,
  options: { week: { type: "string" }, json: { type: "boolean" }, timings: { type: "string" } },
  async run(flags, ctx) {
    const problems: string[] = [];
    const week = stringFlag(flags, "week") === undefined ? undefined : weekFlag(flags, "week", problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const runWeek = week ?? weekAt(app.clock(), app.config.timezone);
      const progress = commandProgress(ctx, `run ${formatIsoWeek(runWeek)}`);
      const timer = createPhaseTimer();
      const report = await app
        .runWeek(runWeek, { trigger: "cli", signal: ctx.signal, progress, timer })
        .finally(() => progress.done());
      const timingsFile = stringFlag(flags, "timings");
      if (timingsFile !== undefined) {
        const phases = timer.phases();
        const timings = {
          week: report.week,
          runId: report.runId,
          seconds: totalSeconds(phases),
          phases: phaseRecord(phases),
        };
        await writeFile(timingsFile, `${JSON.stringify(timings, null, 2)}\n`);
      }
      printReports(ctx.io, [report], flags.json === true);
      return 0;
    });
  },
};
