import {
  parseAttendanceShares,
  writeSimulatedReturns,
  type AttendanceShares,
} from "../attendance/simulate-attendance.ts";
import { addWeeks, compareWeeks, formatIsoWeek, weekRange, type IsoWeek } from "../domain/calendar.ts";
import { UsageError } from "../errors.ts";
import type { App } from "../worker/app.ts";
import { partProgress, silentProgress, type Progress } from "../worker/progress.ts";
import type { RunReport } from "../worker/run-report.ts";
import {
  commandProgress,
  formatWeekRange,
  printReports,
  stopIfAborted,
  stringFlag,
  usageText,
  weekFlag,
  withApp,
  type Command,
} from "./command.ts";

const usage = usageText({
  synopsis:
    "replay --from YYYY-Www --to YYYY-Www [--offline] [--simulate-attendance T/D/A [--attendance-seed N]] [--json] [common options]",
  description: `Run week by week over history, as if the worker had run every Wednesday from --from to
--to (both included): each week is classified from the same source and publishes its folder.
With --offline the incidence comes from the payloads captured by the latest earlier run of each
week (kept in the state store, so any replica sharing it replays what another fetched), so no
request leaves the machine.
With --simulate-attendance (demo, simulation), before each week's run the returns of the test
week just ended are simulated as if every coordinator had sent them: each planned test is drawn
taken / declined / absent by the given percentages (seeded, so a replay repeats) and written to
<dataDir>/attendance/<test week>/<code>.csv, which the run picks up like any return. Missed tests
are then made up in the next rota and summary.json reports uptake, owed tests and the gap.`,
  options: `  --from YYYY-Www    first classification week
  --to YYYY-Www      last classification week (on or after --from)
  --offline          read the captured payloads instead of the source
  --simulate-attendance T/D/A
                     simulate the returns: percent taken/declined/absent, adding up to 100 (e.g. 88/7/5)
  --attendance-seed N
                     seed of the simulated returns (default 2020)
  --json             print the run reports as a JSON array`,
  examples: `  testrota replay --from 2020-W30 --to 2020-W40
  testrota replay --from 2020-W31 --to 2020-W40 --simulate-attendance 88/7/5
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
  options: {
    offline: boolean;
    signal?: AbortSignal | undefined;
    progress?: Progress | undefined;
    /** Simulated attendance returns (demo): shares in percent and the seed. */
    simulateAttendance?: { readonly shares: AttendanceShares; readonly seed: number } | undefined;
  },
): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  const weeks = weekRange(from, to);
  const whole = options.progress ?? silentProgress;
  for (const [index, week] of weeks.entries()) {
    if (options.signal !== undefined) stopIfAborted(options.signal, `replay before ${formatIsoWeek(week)}`);
    const simulate = options.simulateAttendance;
    if (simulate !== undefined) {
      // The test week W−1 ended on Sunday: its returns are due by the run of W.
      const testWeek = addWeeks(week, -1);
      const planned = await app.store.loadPlannedTests(testWeek);
      if (planned.length > 0) {
        await writeSimulatedReturns({ dataDir: app.config.dataDir, testWeek, planned, ...simulate });
      }
    }
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
    "simulate-attendance": { type: "string" },
    "attendance-seed": { type: "string" },
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
    const sharesText = stringFlag(flags, "simulate-attendance");
    const shares = sharesText === undefined ? undefined : parseAttendanceShares(sharesText);
    if (sharesText !== undefined && shares === undefined) {
      problems.push(
        `--simulate-attendance: got ${JSON.stringify(sharesText)}, expected percent taken/declined/absent adding up to 100, e.g. 88/7/5`,
      );
    }
    const seedText = stringFlag(flags, "attendance-seed") ?? "2020";
    if (!/^\d{1,9}$/.test(seedText))
      problems.push(`--attendance-seed: got ${JSON.stringify(seedText)}, expected a whole number`);
    if (problems.length > 0 || from === undefined || to === undefined) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const progress = commandProgress(ctx, `replay ${formatWeekRange(from, to)}`);
      const reports = await replayWeeks(app, from, to, {
        offline: flags.offline === true,
        signal: ctx.signal,
        progress,
        simulateAttendance: shares === undefined ? undefined : { shares, seed: Number(seedText) },
      }).finally(() => progress.done());
      printReports(ctx.io, reports, flags.json === true);
      return 0;
    });
  },
};
