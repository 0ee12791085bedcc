import { UsageError } from "../errors.ts";
import { printReports, stringFlag, usageText, weekFlag, withApp, type Command } from "./command.ts";

/** The week of the bundled SSI files of 30 September 2020. */
const DEMO_WEEK = { year: 2020, week: 40 } as const;

const usage = usageText({
  synopsis: "demo [--week YYYY-Www] [--json] [common options]",
  description: `Run the embedded demo: SSI's real files of 30 September 2020 (bundled, offline) and a
synthetic, seeded roster of about 99,000 care staff, classification week 2020-W40 (the rota of
2020-W41). With the default config it writes out/2020-W40/ and keeps its state in data/.`,
  options: `  --week YYYY-Www    another classification week covered by the bundled data (default 2020-W40)
  --json             print the run report as JSON (a one-element array)`,
  examples: `  testrota demo
  npm run demo                        # the same, setting up Node 24 and the dependencies first`,
});

export const demoCommand: Command = {
  name: "demo",
  summary: "run the embedded demo (bundled SSI data, synthetic roster), week 2020-W40",
  usage,
  options: { week: { type: "string" }, json: { type: "boolean" } },
  async run(flags, ctx) {
    const problems: string[] = [];
    const week = stringFlag(flags, "week") === undefined ? DEMO_WEEK : weekFlag(flags, "week", problems);
    if (problems.length > 0 || week === undefined) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const report = await app.runWeek(week, { trigger: "cli", signal: ctx.signal });
      printReports(ctx.io, [report], flags.json === true);
      return 0;
    });
  },
};
