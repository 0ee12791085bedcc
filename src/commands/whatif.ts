import { resolve } from "node:path";
import { createClock } from "../clock.ts";
import { compareWeeks, formatIsoWeek } from "../domain/calendar.ts";
import { UsageError } from "../errors.ts";
import type { WhatIfCapacity } from "../outputs/report/whatif-types.ts";
import { packageVersion } from "../worker/app.ts";
import { runWhatIf, type WhatIfOutcome } from "../whatif/run-whatif.ts";
import {
  commandProgress,
  formatWeekRange,
  loadCommandConfig,
  printJson,
  stopIfAborted,
  stringFlag,
  usageText,
  weekFlag,
  type Command,
  type Flags,
  type Io,
} from "./command.ts";

const usage = usageText({
  synopsis:
    "whatif --from YYYY-Www --to YYYY-Www [--capacity FILE | --capacity-scale N] [--source-dir DIR] [--out DIR] [--json] [common options]",
  description: `Capacity what-if: replay the real incidence history from --from to --to week by week with the
rule and the configured roster, once without a capacity limit (the capacity each region would
have needed per test day to defer nothing: peak and 95th percentile) and once with the given lab
capacity (what was planned, what was deferred, which weeks ran short, staff pushed past 6 weeks
between tests). Writes whatif/<from>_<to>/report.html and whatif.csv under the out folder and
prints the needed capacity per region. The replay runs in memory: the state store is not opened
and no published week is touched. The history comes from the configured source (it must be
SSI's daily time series) or from --source-dir.`,
  options: `  --from YYYY-Www          first classification week replayed
  --to YYYY-Www            last classification week replayed (on or after --from)
  --capacity FILE          lab capacity per region from a ;-separated file with the header
                           region_code;capacity_per_day (one row per configured region)
  --capacity-scale N       the configured capacity × N (e.g. 0.7); default: the configured capacity
  --source-dir DIR         SSI's Municipality_cases_time_series.csv and Municipality_test_pos.csv
                           from DIR instead of the configured source
  --out DIR                write whatif/<from>_<to>/ under DIR instead of the out folder
  --json                   print the outcome as JSON`,
  examples: `  testrota whatif --from 2020-W36 --to 2021-W10 --source-dir config/demo/ssi/late
  testrota whatif --from 2020-W36 --to 2021-W10 --capacity-scale 0.7 --source-dir config/demo/ssi/late
  testrota whatif --from 2020-W36 --to 2021-W10 --capacity lab-capacity.csv --out /tmp/whatif`,
});

function parseCapacity(flags: Flags, problems: string[]): WhatIfCapacity {
  const file = stringFlag(flags, "capacity");
  const scaleText = stringFlag(flags, "capacity-scale");
  if (file !== undefined && scaleText !== undefined) {
    problems.push("--capacity, --capacity-scale: expected one of them, not both");
  }
  if (file !== undefined) return { kind: "file", file: resolve(file) };
  if (scaleText === undefined) return { kind: "configured" };
  const scale = Number(scaleText);
  if (!/^\d+(\.\d+)?$/.test(scaleText) || !(scale > 0) || scale > 100) {
    problems.push(
      `--capacity-scale: got ${JSON.stringify(scaleText)}, expected a number above 0 and at most 100`,
    );
  }
  return { kind: "scaled", scale };
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function describeCapacity(capacity: WhatIfCapacity): string {
  if (capacity.kind === "scaled") return `configured capacity × ${capacity.scale}`;
  if (capacity.kind === "file") return `capacity from ${capacity.file}`;
  return "configured capacity";
}

/** The needed capacity per region as a small table, and where the report went. */
function printOutcome(io: Io, outcome: WhatIfOutcome): void {
  const head = ["region", "capacity/day", "needed peak", "needed p95", "deferrals", "weeks short"];
  const rows = outcome.regions.map((r) => [
    `${r.code} ${r.name}`,
    ...[r.capacityPerDay, r.neededPeak, r.neededP95, r.deferrals, r.weeksShort].map(String),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  io.stdout(
    [
      `testrota whatif ${outcome.from}..${outcome.to}: ${outcome.weeks} weeks replayed with ${outcome.staffCount} staff and the ${describeCapacity(outcome.capacity)} in ${formatSeconds(outcome.durationMs)}`,
      line(head),
      ...rows.map(line),
      `staff past 6 weeks between tests because of deferrals: ${outcome.staffOverSixWeeks}`,
      `report: ${outcome.report}`,
      `csv:    ${outcome.csv}`,
      "",
    ].join("\n"),
  );
}

export const whatifCommand: Command = {
  name: "whatif",
  summary: "replay history with a given lab capacity: the capacity needed per region, and a report",
  usage,
  options: {
    from: { type: "string" },
    to: { type: "string" },
    capacity: { type: "string" },
    "capacity-scale": { type: "string" },
    "source-dir": { type: "string" },
    out: { type: "string" },
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
    const capacity = parseCapacity(flags, problems);
    if (problems.length > 0 || from === undefined || to === undefined) throw new UsageError(problems, usage);
    const config = loadCommandConfig(flags, ctx.env);
    stopIfAborted(ctx.signal, this.name);
    const sourceDir = stringFlag(flags, "source-dir");
    const out = stringFlag(flags, "out");
    const progress = commandProgress(ctx, `whatif ${formatWeekRange(from, to)}`);
    const outcome = await runWhatIf({
      config,
      logger: ctx.logger,
      clock: createClock(ctx.env),
      from,
      to,
      capacity,
      sourceDir,
      outDir: out === undefined ? undefined : resolve(out),
      userAgent: `testrota/${packageVersion()}`,
      signal: ctx.signal,
      progress,
    }).finally(() => progress.done());
    if (flags.json === true) printJson(ctx.io, outcome);
    else printOutcome(ctx.io, outcome);
    return 0;
  },
};
