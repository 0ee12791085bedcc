import { DateTime } from "luxon";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import { assembleWeek, type AssembledWeek } from "../domain/assemble-week.ts";
import { addWeeks, classificationWindow, formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { lastCompleteDate, type IncidenceDataset } from "../domain/incidence.ts";
import { scheduledRunOf } from "../domain/schedule.ts";
import { AbortedError, SourceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { publishWeek, type PublishResult } from "../outputs/publish.ts";
import { reconcilePublished } from "../outputs/reconcile-published.ts";
import { summaryJsonOf } from "../outputs/summary-file.ts";
import { renderWeekFiles } from "../outputs/week-files.ts";
import type { InputLoader, RunInputs } from "../roster/load-inputs.ts";
import { summariseIsolation } from "../roster/roster-isolation.ts";
import type { IncidenceSource } from "../sources/source.ts";
import { saveRawPayloads } from "../store/raw-capture.ts";
import type { StateStore, StepHook } from "../store/state-store.ts";
import { withRunLock } from "./lock.ts";
import { recordRun } from "./run-ledger.ts";
import {
  countDeferred,
  createRunReport,
  describeWeek,
  type RunReport,
  type WeekOutcome,
} from "./run-report.ts";
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
  readonly clock: Clock;
  /**
   * Called at named points of the run — `run:begun`, `run:reconciled`, `run:loaded`, `run:fetched`,
   * `run:captured`, `run:assembled`, `run:rendered`, then every step of publishing and recording
   * (see publishWeek, commitWeek) — so the reliability checks can kill the process exactly there.
   */
  readonly onStep?: StepHook | undefined;
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

/** The municipality of each site, for cycle slots stored before identities had one. */
function municipalityOfSite(inputs: RunInputs): (siteId: string) => number | undefined {
  const bySite = new Map(inputs.sites.map((site) => [site.id, site.municipalityCode]));
  return (siteId) => bySite.get(siteId);
}

/** Classifies W and plans W+1 in the pure domain; data that cannot classify W is the source's fault. */
function assemble(deps: RunDeps, week: IsoWeek, inputs: RunInputs, dataset: IncidenceDataset): AssembledWeek {
  const { config, store } = deps;
  const result = assembleWeek({
    week,
    dataset,
    municipalities: inputs.municipalities,
    thresholdPer100k: config.thresholdPer100k,
    windowOffsets: config.window,
    // Config overrides plus the operator overrides kept (audited) in the store.
    overrides: [...config.overrides, ...store.listOverrides()],
    previousCadence: store.loadCadence(addWeeks(week, -1)),
    warmUpWeeks: config.warmUpWeeks,
    regions: config.regions,
    cycleAnchor: config.cycle.anchorWeek,
    sites: inputs.sites,
    staff: inputs.staff,
    previousSlots: store.loadSlotsBefore(week, municipalityOfSite(inputs)),
    carriedOver: store.loadDeferredBefore(week),
  });
  if (!result.ok) throw new SourceError(deps.source.name, result.problem);
  return result.week;
}

type Rendering = {
  readonly assembled: AssembledWeek;
  readonly inputs: RunInputs;
  readonly outcome: WeekOutcome;
  readonly runTime: number;
  readonly generatedAt: string;
};

/** Every file of the week's folder, `summary.json` included. */
function renderWeek(config: Config, r: Rendering): Promise<Map<string, Uint8Array>> {
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
  });
}

/**
 * Records the week (with its folder's digest) and commits, then swaps the prepared folder in: a
 * failure before the commit publishes nothing; a crash after it is finished by the reconcile step
 * at the next start or run (outputs/reconcile-published.ts).
 */
function publishAndRecord(
  deps: RunDeps,
  run: { runId: string; assembled: AssembledWeek; inputs: RunInputs; checkpoint: () => void },
  files: ReadonlyMap<string, Uint8Array>,
): Promise<PublishResult> {
  const { assembled } = run;
  return publishWeek({
    outDir: deps.config.outDir,
    folder: formatIsoWeek(assembled.week),
    files,
    onStep: deps.onStep,
    record: (published) => {
      run.checkpoint();
      deps.store.commitWeek({
        week: assembled.week,
        runId: run.runId,
        classifications: assembled.classifications,
        cadence: assembled.cadence,
        plan: assembled.plan,
        inputDigest: run.inputs.digest,
        published,
        rosters: run.inputs.goodRosters,
        onStep: deps.onStep,
      });
    },
  });
}

/**
 * One weekly run: load the inputs → fetch (and capture) the incidence → classify W and plan W+1
 * in the pure domain → render the week's files → publish them and record the week in one step.
 * A failure anywhere publishes nothing and leaves the last good state intact; the run ledger
 * records every attempt.
 */
export async function runOnce(deps: RunDeps, week: IsoWeek, options: RunOptions): Promise<RunReport> {
  const { config, store, source } = deps;
  const runId = deps.newRunId();
  const log = deps.logger.child({ runId, week: formatIsoWeek(week) });
  // Files carry the week's Wednesday run time, whatever fired the run (schedule, retry, catch-up,
  // CLI): the same week with the same inputs gives byte-identical files.
  const runTime = scheduledRunOf(week, { time: config.worker.time, zone: config.timezone });
  const generatedAt = DateTime.fromMillis(runTime, { zone: config.timezone }).toISO() ?? "";
  const checkpoint = () => throwIfAborted(options.signal, week);
  const ledger = { store, clock: deps.clock, logger: log, signal: options.signal };
  const step = deps.onStep ?? (() => undefined);
  const entry = { week, runId, trigger: options.trigger, scheduledFor: options.scheduledFor ?? runTime };

  return withRunLock({ dataDir: config.dataDir, db: store.db, week, logger: log }, () =>
    recordRun(ledger, entry, async () => {
      step("run:begun");
      // Finish or set aside what a crashed run left in the out folder before deciding anything.
      await reconcilePublished({ outDir: config.outDir, store, logger: log });
      step("run:reconciled");
      checkpoint();
      const inputs = await deps.inputs.load({ lastGoodRoster: (code) => store.loadGoodRoster(code) });
      for (const warning of inputs.warnings) log.warn({ warning }, "input warning");
      step("run:loaded");
      checkpoint();
      const fetched = await source.fetchIncidence(options.signal);
      step("run:fetched");
      await saveRawPayloads(config.dataDir, week, runId, fetched.payloads);
      step("run:captured");
      checkpoint();
      const assembled = assemble(deps, week, inputs, fetched.dataset);
      step("run:assembled");
      const outcome = describeWeek({
        assembled,
        sourceName: source.name,
        lastDate: lastCompleteDate(fetched.dataset),
        staffCount: inputs.staff.length,
      });
      const files = await renderWeek(config, { assembled, inputs, outcome, runTime, generatedAt });
      step("run:rendered");
      checkpoint();
      const published = await publishAndRecord(deps, { runId, assembled, inputs, checkpoint }, files);
      const report = createRunReport(outcome, {
        runId,
        trigger: options.trigger,
        generatedAt,
        outputDir: published.dir,
        changed: published.changed,
      });
      return inputs.isolated.length === 0 ? report : { ...report, isolatedRosters: inputs.isolated };
    }),
  );
}
