import { compareWeeks, formatIsoWeek, weekRange, type IsoWeek } from "../domain/calendar.ts";
import { UsageError } from "../errors.ts";
import type { App } from "../worker/app.ts";
import { partProgress, silentProgress, type Progress } from "../worker/progress.ts";
import type { RunReport } from "../worker/run-report.ts";
import {
  commandProgress,
  formatWeekRange,
  printReports,
  stopIfAborted,
  usageText,
  weekFlag,
  withApp,
  type Command,
} from "./command.ts";

const usage = usageText({
  synopsis: "replay --from YYYY-Www --to YYYY-Www [--offline] [--json] [common options]",
  description: `Run week by week over history, as if the worker had run every Wednesday from --from to
--to (both included): each week is classified from the same source and publishes its folder.
With --offline the incidence comes from the payloads captured by earlier runs of each week
(data/raw/<week>/), so no request leaves the machine.`,
  options: `  --from YYYY-Www    first classification week
  --to YYYY-Www      last classification week (on or after --from)
  --offline          read the captured payloads instead of the source
  --json             print the run reports as a JSON array`,
  examples: `  testrota replay --from 2020-W30 --to 2020-W40
  testrota replay --from 2020-W40 --to 2020-W40 --offline   # reproduce a run from its captures`,
});

/**
 * Runs the weeks from `from` to `to` in order; `offline` reads each week's captured payloads.
 * Stops before the next week when `signal` fires.
 */
export async function replayWeeks(
  app: App,
  from: IsoWeek,
  to: IsoWeek,
  options: { offline: boolean; signal?: AbortSignal | undefined; progress?: Progress | undefined },
): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  const weeks = weekRange(from, to);
  const whole = options.progress ?? silentProgress;
  for (const [index, week] of weeks.entries()) {
    if (options.signal !== undefined) stopIfAborted(options.signal, `replay before ${formatIsoWeek(week)}`);
    const source = options.offline ? await app.capturedSource(week) : undefined;
    const label = `${formatIsoWeek(week)} ${index + 1}/${weeks.length}`;
    const progress = partProgress(whole, label, index / weeks.length, (index + 1) / weeks.length);
    reports.push(await app.runWeek(week, { trigger: "replay", source, signal: options.signal, progress }));
  }
  return reports;
}

export const replayCommand: Command = {
  name: "replay",
  summary: "run week by week over history (simulation); --offline from captured payloads",
  usage,
  options: {
    from: { type: "string" },
    to: { type: "string" },
    offline: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run(flags, ctx) {
    const problems: string[] = [];
    const from = weekFlag(flags, "from", problems);
    const to = weekFlag(flags, "to", problems);
    if (from !== undefined && to !== undefined && compareWeeks(from, to) > 0) {
      problems.push(
        `--to: got ${formatIsoWeek(to)}, expected a week on or after --from ${formatIsoWeek(from)}`,
      );
    }
    if (problems.length > 0 || from === undefined || to === undefined) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const progress = commandProgress(ctx, `replay ${formatWeekRange(from, to)}`);
      const reports = await replayWeeks(app, from, to, {
        offline: flags.offline === true,
        signal: ctx.signal,
        progress,
      }).finally(() => progress.done());
      printReports(ctx.io, reports, flags.json === true);
      return 0;
    });
  },
};
