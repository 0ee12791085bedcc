import { DateTime } from "luxon";
import type { Config } from "../config.ts";
import { assembleWeek, type AssembledWeek } from "../domain/assemble-week.ts";
import { addWeeks, classificationWindow, formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { Override } from "../domain/classify.ts";
import { lastCompleteDate } from "../domain/incidence.ts";
import { scheduledRunOf } from "../domain/schedule.ts";
import { AbortedError, SourceError, TestrotaError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { preparePublish } from "../outputs/publish.ts";
import { renderWeekFiles } from "../outputs/week-files.ts";
import type { InputLoader, RunInputs } from "../roster/load-inputs.ts";
import type { IncidenceSource } from "../sources/source.ts";
import { saveRawPayloads } from "../store/raw-capture.ts";
import type { StateStore } from "../store/state-store.ts";
import { withRunLock } from "./lock.ts";
import type { RunReport } from "./run-report.ts";
import type { RunTrigger } from "./worker-types.ts";

/** What a run needs; adapters are created by factories and faked in tests through these types. */
export type RunDeps = {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: StateStore;
  readonly source: IncidenceSource;
  readonly inputs: InputLoader;
  readonly newRunId: () => string;
  /** Wall clock for the ledger's started/finished times (never for what the run decides). */
  readonly clock: () => number;
};

export type RunOptions = {
  readonly trigger: RunTrigger;
  /** When this attempt was due (schedule, retry or catch-up), for the ledger; defaults to the week's Wednesday run time. */
  readonly scheduledFor?: number | undefined;
  readonly signal?: AbortSignal | undefined;
};

function throwIfAborted(signal: AbortSignal | undefined, week: IsoWeek): void {
  if (signal?.aborted) throw new AbortedError(`run of ${formatIsoWeek(week)} aborted before publishing`);
}

/** Config overrides plus the operator overrides kept (audited) in the store. */
function overridesOf(deps: RunDeps): Override[] {
  return [...deps.config.overrides, ...deps.store.listOverrides()];
}

function buildReport(
  deps: RunDeps,
  assembled: AssembledWeek,
  inputs: RunInputs,
  meta: {
    runId: string;
    trigger: RunTrigger;
    generatedAt: string;
    outputDir: string;
    changed: boolean;
    lastDate: string | null;
  },
): RunReport {
  const { classifications, plan } = assembled;
  const testsByReason: Record<string, number> = {
    cycle: 0,
    "new-starter": 0,
    "red-week-1": 0,
    "red-retest": 0,
  };
  for (const test of plan.tests) testsByReason[test.reason] = (testsByReason[test.reason] ?? 0) + 1;
  const first = classifications[0];
  const origin = assembled.cadenceOrigin;
  return {
    week: formatIsoWeek(assembled.week),
    testWeek: formatIsoWeek(assembled.testWeek),
    runId: meta.runId,
    trigger: meta.trigger,
    generatedAt: meta.generatedAt,
    outputDir: meta.outputDir,
    changed: meta.changed,
    source: {
      name: deps.source.name,
      lastDate: meta.lastDate,
      window: { start: first?.window.start ?? "", end: first?.window.end ?? "" },
    },
    cadenceOrigin:
      origin.kind === "store"
        ? `store (after ${formatIsoWeek(origin.week)})`
        : origin.kind === "warm-up"
          ? `warm-up from the data (${origin.weeks.length} weeks)`
          : "fresh (all green)",
    counts: {
      municipalities: classifications.length,
      red: classifications.filter((c) => c.status === "red").length,
      green: classifications.filter((c) => c.status === "green").length,
      overridden: classifications.filter((c) => c.overrideId !== null).length,
      staffCount: inputs.staff.length,
      tests: plan.tests.length,
      testsByReason,
      deferred: plan.deferrals.reduce((sum, d) => sum + d.count, 0),
      gapViolations: plan.deferrals.reduce((sum, d) => sum + d.gapViolations, 0),
    },
    redFlow: classifications
      .map((c) => ({ code: c.code, name: c.name, event: assembled.events.get(c.code) ?? "none" }))
      .filter((f) => f.event !== "none"),
    lookahead: {
      testWeek: formatIsoWeek(assembled.lookahead.testWeek),
      tests: assembled.lookahead.tests.length,
    },
    planChanges: plan.changes,
    deferrals: plan.deferrals,
    quality: plan.quality,
  };
}

/**
 * One weekly run, read → assemble (pure) → apply:
 * load inputs and fetch the incidence (validated), classify W and plan W+1 in the pure domain,
 * render the week's files, then publish them atomically inside the store transaction that records
 * what was decided. A failure anywhere publishes nothing and leaves the last good state intact.
 */
export async function runOnce(deps: RunDeps, week: IsoWeek, options: RunOptions): Promise<RunReport> {
  const { config, store } = deps;
  const runId = deps.newRunId();
  const weekText = formatIsoWeek(week);
  const log = deps.logger.child({ runId, week: weekText });
  // Files carry the week's Wednesday run time, whatever fired the run (schedule, retry, catch-up,
  // CLI): the same week with the same inputs gives byte-identical files.
  const weekRunTime = scheduledRunOf(week, { time: config.worker.time, zone: config.timezone });
  const scheduledFor = options.scheduledFor ?? weekRunTime;
  const generatedAt = DateTime.fromMillis(weekRunTime, { zone: config.timezone }).toISO() ?? "";
  const iso = (ms: number) => new Date(ms).toISOString();

  return withRunLock({ dataDir: config.dataDir, db: store.db, week, logger: log }, async () => {
    store.beginRun({
      week,
      runId,
      trigger: options.trigger,
      scheduledFor: iso(scheduledFor),
      startedAt: iso(deps.clock()),
    });
    log.info({ trigger: options.trigger, scheduledFor: iso(scheduledFor) }, "run started");
    try {
      const inputs = await deps.inputs.load();
      throwIfAborted(options.signal, week);
      const fetched = await deps.source.fetchIncidence(options.signal);
      await saveRawPayloads(config.dataDir, week, runId, fetched.payloads);
      throwIfAborted(options.signal, week);

      const result = assembleWeek({
        week,
        dataset: fetched.dataset,
        municipalities: inputs.municipalities,
        thresholdPer100k: config.thresholdPer100k,
        windowOffsets: config.window,
        overrides: overridesOf(deps),
        previousCadence: store.loadCadence(addWeeks(week, -1)),
        warmUpWeeks: config.warmUpWeeks,
        regions: config.regions,
        cycleAnchor: config.cycle.anchorWeek,
        sites: inputs.sites,
        staff: inputs.staff,
        previousSlots: store.loadSlotsBefore(week),
        carriedOver: store.loadDeferredBefore(week),
      });
      if (!result.ok) throw new SourceError(deps.source.name, result.problem);
      const assembled = result.week;

      const lastDate = lastCompleteDate(fetched.dataset);
      const pending = {
        runId,
        trigger: options.trigger,
        generatedAt,
        lastDate,
        outputDir: "",
        changed: true,
      };
      const draft = buildReport(deps, assembled, inputs, pending);
      const summary = {
        week: draft.week,
        test_week: draft.testWeek,
        generated_at: generatedAt,
        source: {
          name: deps.source.name,
          data_last_date: lastDate,
          window: classificationWindow(week, config.window),
        },
        cadence_origin: draft.cadenceOrigin,
        counts: draft.counts,
        red_flow: draft.redFlow,
        plan_changes: draft.planChanges,
        lookahead: {
          test_week: draft.lookahead.testWeek,
          provisional: true,
          tests: draft.lookahead.tests,
          deferred: assembled.lookahead.deferrals.reduce((sum, d) => sum + d.count, 0),
        },
        deferrals: draft.deferrals,
        quality: draft.quality,
        inputs: { digest: inputs.digest, roster: inputs.rosterOrigin },
      };
      const files = await renderWeekFiles({
        assembled,
        municipalities: inputs.municipalities,
        regionCodes: config.regions.map((r) => r.code),
        sites: inputs.sites,
        staff: inputs.staff,
        generatedAt: new Date(weekRunTime),
        summary,
      });
      throwIfAborted(options.signal, week);
      const prepared = await preparePublish({ outDir: config.outDir, folder: weekText, files });
      try {
        store.commitWeek({
          week,
          runId,
          classifications: assembled.classifications,
          cadence: assembled.cadence,
          plan: assembled.plan,
          inputDigest: inputs.digest,
          publish: () => {
            throwIfAborted(options.signal, week);
            prepared.commit();
          },
        });
      } catch (error) {
        prepared.discard();
        throw error;
      }
      const report = { ...draft, outputDir: prepared.dir, changed: prepared.changed };
      store.finishRun({
        week,
        runId,
        status: "succeeded",
        finishedAt: iso(deps.clock()),
        summary: report.counts,
      });
      log.info(
        { counts: report.counts, outputDir: report.outputDir, changed: report.changed },
        "run succeeded",
      );
      return report;
    } catch (error) {
      const aborted = error instanceof AbortedError || options.signal?.aborted === true;
      const message = error instanceof Error ? error.message : String(error);
      store.finishRun({
        week,
        runId,
        status: aborted ? "aborted" : "failed",
        finishedAt: iso(deps.clock()),
        error: message,
      });
      log.error(
        { err: error instanceof TestrotaError ? { type: error.name, message } : error },
        "run failed",
      );
      throw aborted && !(error instanceof AbortedError)
        ? new AbortedError(`run of ${weekText} aborted: ${message}`, { cause: error })
        : error;
    }
  });
}
