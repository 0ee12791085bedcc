import type { Config } from "../config.ts";
import type { AssembledWeek } from "../domain/assemble-week.ts";
import { addWeeks, classificationWindow } from "../domain/calendar.ts";
import type { Override } from "../domain/classify.ts";
import type { PhaseTimer } from "../lib/phase-timer.ts";
import { summarisePickups } from "../outputs/pickup-summary.ts";
import type { WeekReportData } from "../outputs/report/report-types.ts";
import { buildWeekReportData, historyRange } from "../outputs/report/week-report-input.ts";
import type { StagingFolder, WeekFile } from "../outputs/staging.ts";
import { summaryJsonOf } from "../outputs/summary-file.ts";
import { renderWeekFiles } from "../outputs/week-files.ts";
import type { RunInputs } from "../roster/load-inputs.ts";
import { summariseIsolation } from "../roster/roster-isolation.ts";
import type { RunDeps } from "./run-once.ts";
import { countDeferred, type WeekOutcome } from "./run-report.ts";

/*
 * The files of a run's week folder: summary.json from the run's outcome, the weekly report's data
 * gathered from the store, and every other file rendered by outputs/week-files.ts.
 */

export type Rendering = {
  readonly assembled: AssembledWeek;
  readonly inputs: RunInputs;
  readonly outcome: WeekOutcome;
  readonly runTime: number;
  readonly generatedAt: string;
  readonly report: WeekReportData;
};

/** Every file of the week's folder, `summary.json` included; the documents go to `staging` as rendered. */
export function renderWeekFolder(
  config: Config,
  r: Rendering,
  render: { timer: PhaseTimer; staging: StagingFolder },
): Promise<Map<string, WeekFile>> {
  const summary = summaryJsonOf({
    ...r.outcome,
    generatedAt: r.generatedAt,
    window: classificationWindow(r.assembled.week, config.window),
    lookahead: { ...r.outcome.lookahead, deferred: countDeferred(r.assembled.lookahead.deferrals) },
    inputs: {
      digest: r.inputs.digest,
      roster: r.inputs.rosterOrigin,
      // Roster files (not the generated demo roster) say which municipalities were isolated.
      isolated: r.inputs.goodRosters === undefined ? undefined : r.inputs.isolated.map(summariseIsolation),
    },
    pickups: summarisePickups(r.assembled.plan.pickups),
    attendance: r.assembled.attendance,
  });
  return renderWeekFiles({
    assembled: r.assembled,
    municipalities: r.inputs.municipalities,
    regionCodes: config.regions.map((region) => region.code),
    sites: r.inputs.sites,
    staff: r.inputs.staff,
    isolatedRosters: r.inputs.isolated,
    generatedAt: new Date(r.runTime),
    summary,
    documents: { ...config.documents, timezone: config.timezone },
    regions: r.inputs.regions,
    outlines: r.inputs.boundaries,
    report: r.report,
    render: { threads: config.render.threads, ...render },
  });
}

/**
 * The weekly report's data: this run's week and plan, last week's classification and the
 * earlier weeks' counts from the store (none on the first run), the boundaries read at start.
 */
export async function gatherWeekReport(
  deps: RunDeps,
  r: {
    assembled: AssembledWeek;
    overrides: readonly Override[];
    lastDate: string | null;
    generatedAt: string;
  },
): Promise<WeekReportData> {
  const { config, store } = deps;
  const { assembled } = r;
  const range = historyRange(assembled);
  const configured = new Set(config.regions.map((region) => region.code));
  return buildWeekReportData({
    assembled,
    generatedAt: r.generatedAt,
    source: {
      // In capitals, as readers know the source (`ssi` → SSI).
      name: deps.source.name.toUpperCase(),
      dataLastDate: r.lastDate,
      window: classificationWindow(assembled.week, config.window),
    },
    thresholdPer100k: config.thresholdPer100k,
    regions: deps.report.regions.filter((region) => configured.has(region.code)),
    regionSettings: config.regions,
    previousClassifications: await store.loadClassifications(addWeeks(assembled.week, -1)),
    overrides: r.overrides,
    history: await store.loadRegionHistory(range.from, range.to),
    boundaries: deps.report.boundaries,
  });
}
