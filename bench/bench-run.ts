/** One `testrota run` of the benchmark, with the run's report and phase timings. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IsoWeek } from "../src/domain/calendar.ts";
import { CLI, measureChild } from "./bench-child.ts";
import { weekText, type ScaleInputs } from "./bench-inputs.ts";
import type { RunMeasure } from "./bench-report.ts";

/** The run report fields the benchmark prints (`testrota run --json`). */
export type ReportJson = {
  readonly counts: {
    readonly tests: number;
    readonly deferred: number;
    readonly red: number;
    readonly municipalities: number;
  };
  readonly quality: readonly {
    readonly cyclePeakRatio: number;
    readonly redWeekPeakRatio: number;
    readonly gapViolations: number;
  }[];
  readonly changed: boolean;
};

/** Runs `testrota run` for `week` with its phase timings; `dirs` are the data and out folders. */
export async function runWeek(
  inputs: ScaleInputs,
  week: IsoWeek,
  dirs: { readonly data: string; readonly out: string },
): Promise<RunMeasure & { readonly report: ReportJson }> {
  const timings = join(dirs.out, "..", `timings-${weekText(week)}.json`);
  const measured = await measureChild(CLI, [
    "run",
    "--week",
    weekText(week),
    "--config",
    inputs.configPath,
    "--data-dir",
    dirs.data,
    "--out-dir",
    dirs.out,
    "--timings",
    timings,
    "--json",
  ]);
  const phases = (JSON.parse(await readFile(timings, "utf8")) as { phases: Record<string, number> }).phases;
  const [report] = JSON.parse(measured.stdout) as ReportJson[];
  if (report === undefined) throw new Error("bench: testrota run --json printed no report");
  return { ...measured, phases, report };
}
