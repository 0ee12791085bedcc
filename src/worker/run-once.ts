import { DateTime } from "luxon";
import { pickUpAttendance } from "../attendance/attendance-folder.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import { assembleWeek, type AssembledWeek } from "../domain/assemble-week.ts";
import { ATTENDANCE_LOOKBACK_WEEKS, DEFAULT_GRACE_WEEKS } from "../domain/attendance.ts";
import { addWeeks, formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { Override } from "../domain/classify.ts";
import { lastCompleteDate, type IncidenceDataset } from "../domain/incidence.ts";
import type { Region } from "../domain/reference.ts";
import { scheduledRunOf } from "../domain/schedule.ts";
import { AbortedError, LockError, SourceError } from "../errors.ts";
import { createPhaseTimer, phaseRecord, type PhaseTimer } from "../lib/phase-timer.ts";
import type { Logger } from "../log.ts";
import { publishWeek, suffix, type PublishResult } from "../outputs/publish.ts";
import { reconcilePublished } from "../outputs/reconcile-published.ts";
import type { MunicipalityBoundaries } from "../outputs/report/report-types.ts";
import {
  createStagingFolder,
  discardStagingFolder,
  type StagingFolder,
  type WeekFile,
} from "../outputs/staging.ts";
import type { InputLoader, RunInputs } from "../roster/load-inputs.ts";
import type { IncidenceSource } from "../sources/source.ts";
import { pruneAfterRun } from "../store/prune.ts";
import { markRunsSeen } from "../store/open-database.ts";
import { asStorageError } from "../store/storage-fault.ts";
import type { StateStore, StepHook } from "../store/state-store.ts";
import { withRunLock } from "./lock.ts";
import { gatherWeekReport, renderWeekFolder } from "./week-folder.ts";
import { silentProgress, type Progress } from "./progress.ts";
import { recordRun } from "./run-ledger.ts";
import { createRunReport, describeWeek, type RunReport } from "./run-report.ts";
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
  /** What `report.html` needs besides the run: region names and the boundaries, read once at start. */
  readonly report: { readonly regions: readonly Region[]; readonly boundaries: MunicipalityBoundaries };
  /**
   * Weeks after a test week by whose run its attendance must be returned (default 1: by the run
   * of the following week); a test without an outcome by then counts as not reported (owed).
   */
  readonly attendanceGraceWeeks?: number | undefined;
};

export type RunOptions = {
  readonly trigger: RunTrigger;
  /** When this attempt was due (schedule, retry or catch-up), for the ledger; defaults to the week's Wednesday run time. */
  readonly scheduledFor?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Where the run reports its phases (a terminal line, log lines); nowhere when left out. */
  readonly progress?: Progress | undefined;
  /** Measures the run's phases (logged at the end either way); a fresh timer when left out. */
  readonly timer?: PhaseTimer | undefined;
};

function throwIfAborted(signal: AbortSignal | undefined, week: IsoWeek): void {
  if (signal?.aborted) throw new AbortedError(`run of ${formatIsoWeek(week)} aborted before publishing`);
}

/** The municipality of each site, for cycle slots stored before identities had one. */
function municipalityOfSite(inputs: RunInputs): (siteId: string) => number | undefined {
  const bySite = new Map(inputs.sites.map((site) => [site.id, site.municipalityCode]));
  return (siteId) => bySite.get(siteId);
}

/** The attendance a run reviews, once any municipality returns it (else the planner assumes done). */
async function attendanceOf(deps: RunDeps, week: IsoWeek) {
  const history = await deps.store.loadAttendanceHistory(addWeeks(week, 1 - ATTENDANCE_LOOKBACK_WEEKS), week);
  if (history.trackedFrom.size === 0) return undefined;
  return { history, graceWeeks: deps.attendanceGraceWeeks ?? DEFAULT_GRACE_WEEKS };
}

/**
 * Imports the returns dropped into `<dataDir>/attendance/<test week>/` before the week is decided;
 * a refused file is logged with its problems (they never quote staff data) and left out.
 */
async function pickUp(deps: RunDeps, week: IsoWeek, inputs: RunInputs, log: Logger): Promise<void> {
  const picked = await pickUpAttendance({
    dataDir: deps.config.dataDir,
    store: deps.store,
    municipalities: inputs.municipalities,
    runWeek: week,
    at: new Date(deps.clock()).toISOString(),
  });
  for (const warning of picked.warnings) log.warn({ warning }, "attendance return warning");
  for (const refused of picked.refused) {
    log.warn({ file: refused.file, problems: refused.problems }, "attendance return refused");
  }
  const changed = picked.results.filter((r) => r.action !== "unchanged");
  if (changed.length > 0) {
    log.info(
      {
        imported: changed.filter((r) => r.action === "imported").length,
        replaced: changed.filter((r) => r.action === "replaced").length,
      },
      "attendance returns imported from the folder",
    );
  }
}

/** Classifies W and plans W+1 in the pure domain; data that cannot classify W is the source's fault. */
async function assemble(
  deps: RunDeps,
  week: IsoWeek,
  inputs: RunInputs,
  dataset: IncidenceDataset,
  overrides: readonly Override[],
  timer: PhaseTimer,
): Promise<AssembledWeek> {
  const { config, store } = deps;
  const previousCadence = await store.loadCadence(addWeeks(week, -1));
  const previousSlots = await store.loadSlotsBefore(week, municipalityOfSite(inputs));
  const carriedOver = await store.loadDeferredBefore(week);
  const previousTests = await store.loadPlannedTests(week);
  const attendance = await attendanceOf(deps, week);
  const result = assembleWeek({
    week,
    dataset,
    municipalities: inputs.municipalities,
    thresholdPer100k: config.thresholdPer100k,
    windowOffsets: config.window,
    overrides,
    previousCadence,
    warmUpWeeks: config.warmUpWeeks,
    regions: config.regions,
    cycleAnchor: config.cycle.anchorWeek,
    sites: inputs.sites,
    staff: inputs.staff,
    previousSlots,
    carriedOver,
    previousTests,
    attendance,
    onStep: (step) => timer.mark(step),
  });
  if (!result.ok) throw new SourceError(deps.source.name, result.problem);
  return result.week;
}

/** Pickup problems, counted per region (site ids and counts only): they are in summary.json too. */
function logPickupProblems(log: Logger, assembled: AssembledWeek): void {
  for (const { regionCode, plan, shiftsWithoutTestDay } of assembled.plan.pickups) {
    const lateRoutes = plan.runs.flatMap((run) => run.violations).filter((v) => v.kind === "late-at-lab");
    const problems = {
      lateRoutes: lateRoutes.length,
      waitViolations: plan.waitViolations.length,
      unservedKits: plan.unservedKits.length,
      shiftsWithoutTestDay,
    };
    if (
      problems.lateRoutes + problems.waitViolations + problems.unservedKits + shiftsWithoutTestDay.length >
      0
    ) {
      log.warn({ region: regionCode, ...problems }, "pickup plan has problems (see summary.json)");
    }
  }
}

/**
 * Records the week (with its folder's digest) and commits, then swaps the prepared folder in: a
 * failure before the commit publishes nothing; a crash after it is finished by the reconcile step
 * at the next start or run (outputs/reconcile-published.ts).
 */
function publishAndRecord(
  deps: RunDeps,
  run: {
    runId: string;
    assembled: AssembledWeek;
    inputs: RunInputs;
    checkpoint: () => void;
    timer: PhaseTimer;
    staging: StagingFolder;
  },
  files: ReadonlyMap<string, WeekFile>,
): Promise<PublishResult> {
  const { assembled } = run;
  return publishWeek({
    outDir: deps.config.outDir,
    folder: formatIsoWeek(assembled.week),
    files,
    onStep: deps.onStep,
    staging: run.staging,
    record: async (published) => {
      run.checkpoint();
      await run.timer.measure("store", () =>
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
        }),
      );
    },
  });
}

/** Triggers of the scheduler: they run a week only while it is due. */
const SCHEDULED: ReadonlySet<RunTrigger> = new Set(["schedule", "catch-up", "retry"]);

/**
 * The ledger's second guard, asked under the week's lock: a scheduled run of a week that
 * succeeded meanwhile (another replica ran it between this one's look at the ledger and its lock)
 * is not run again. Operators' runs (`run --week`, replay) re-run on purpose.
 */
async function refuseIfDone(store: StateStore, week: IsoWeek, trigger: RunTrigger): Promise<void> {
  if (!SCHEDULED.has(trigger)) return;
  const latest = await store.getRun(week);
  if (latest?.status === "succeeded") {
    throw new LockError(
      `week ${formatIsoWeek(week)} was run meanwhile by another process (run ${latest.runId} succeeded at ${latest.finishedAt ?? "?"}): not run again`,
    );
  }
}

/** What one run carries from step to step. */
type RunContext = {
  readonly runId: string;
  readonly log: Logger;
  readonly runTime: number;
  readonly generatedAt: string;
  readonly checkpoint: () => void;
  readonly progress: Progress;
  readonly options: RunOptions;
  readonly timer: PhaseTimer;
};

/** The steps of a run, inside its lock and ledger entry (see {@link runOnce}). */
async function runSteps(deps: RunDeps, week: IsoWeek, ctx: RunContext): Promise<RunReport> {
  const { config, store, source } = deps;
  const { runId, log, checkpoint, progress, runTime, generatedAt, timer } = ctx;
  const step = deps.onStep ?? (() => undefined);
  step("run:begun");
  // Finish or set aside what a crashed run left in the out folder before deciding anything.
  progress.update("reconcile", 0);
  await timer.measure("reconcile", () => reconcilePublished({ outDir: config.outDir, store, logger: log }));
  step("run:reconciled");
  checkpoint();
  progress.update("load roster", 0.05);
  const inputs = await timer.measure("load", () =>
    deps.inputs.load({ lastGoodRoster: (code) => store.loadGoodRoster(code) }),
  );
  for (const warning of inputs.warnings) log.warn({ warning }, "input warning");
  step("run:loaded");
  checkpoint();
  await timer.measure("attendance", () => pickUp(deps, week, inputs, log));
  checkpoint();
  progress.update("fetch incidence", 0.15);
  const fetched = await timer.measure("fetch", async () => {
    const result = await source.fetchIncidence(ctx.options.signal);
    step("run:fetched");
    await store.saveRawCapture({
      week,
      runId,
      capturedAt: new Date(deps.clock()).toISOString(),
      payloads: result.payloads,
    });
    // Whichever the store, the data directory then shows that runs were made from it.
    markRunsSeen(config.dataDir);
    step("run:captured");
    return result;
  });
  checkpoint();
  progress.update("classify + plan", 0.3);
  // Config overrides plus the operator overrides kept (audited) in the store.
  const overrides = [...config.overrides, ...(await store.listOverrides())];
  // The store's state of the week before is read first ("state"), then classify, plan, look-ahead.
  const assembled = await timer.measure("state", () =>
    assemble(deps, week, inputs, fetched.dataset, overrides, timer),
  );
  logPickupProblems(log, assembled);
  step("run:assembled");
  const lastDate = lastCompleteDate(fetched.dataset);
  const outcome = describeWeek({
    assembled,
    sourceName: source.name,
    lastDate,
    staffCount: inputs.staff.length,
  });
  progress.update("render files", 0.5);
  // The documents are written into the folder being prepared as they are rendered.
  const staging = await createStagingFolder(config.outDir, formatIsoWeek(week), suffix());
  const files = await timer
    .measure("files", async () => {
      const report = await gatherWeekReport(deps, { assembled, overrides, lastDate, generatedAt });
      const rendering = { assembled, inputs, outcome, runTime, generatedAt, report };
      const rendered = await renderWeekFolder(config, rendering, { timer, staging });
      step("run:rendered");
      checkpoint();
      return rendered;
    })
    .catch(async (error: unknown) => {
      await discardStagingFolder(staging);
      // A document that could not be written (full or read-only disk) names the out folder.
      throw asStorageError(error, config.outDir, `writing week ${formatIsoWeek(week)}`);
    });
  progress.update("publish", 0.85);
  const published = await timer.measure("publish", () =>
    publishAndRecord(deps, { runId, assembled, inputs, checkpoint, timer, staging }, files),
  );
  const retention = { store, dataDir: config.dataDir, weeks: config.retention.weeks, logger: log };
  await timer.measure("prune", () => pruneAfterRun(retention));
  progress.update("done", 1);
  const runReport = createRunReport(outcome, {
    runId,
    trigger: ctx.options.trigger,
    generatedAt,
    outputDir: published.dir,
    changed: published.changed,
  });
  return inputs.isolated.length === 0 ? runReport : { ...runReport, isolatedRosters: inputs.isolated };
}

/**
 * One weekly run: load the inputs → fetch (and capture) the incidence → classify W and plan W+1
 * in the pure domain → render the week's files (the report with the store's history) → publish
 * them and record the week in one step. A failure anywhere publishes nothing and leaves the last
 * good state intact; the run ledger records every attempt.
 */
export async function runOnce(deps: RunDeps, week: IsoWeek, options: RunOptions): Promise<RunReport> {
  const { config, store } = deps;
  const runId = deps.newRunId();
  const log = deps.logger.child({ runId, week: formatIsoWeek(week) });
  // Files carry the week's Wednesday run time, whatever fired the run (schedule, retry, catch-up,
  // CLI): the same week with the same inputs gives byte-identical files.
  const runTime = scheduledRunOf(week, { time: config.worker.time, zone: config.timezone });
  const generatedAt = DateTime.fromMillis(runTime, { zone: config.timezone }).toISO() ?? "";
  const checkpoint = () => throwIfAborted(options.signal, week);
  const progress = options.progress ?? silentProgress;
  const ledger = { store, clock: deps.clock, logger: log, signal: options.signal };
  const entry = { week, runId, trigger: options.trigger, scheduledFor: options.scheduledFor ?? runTime };
  const timer = options.timer ?? createPhaseTimer();
  const context: RunContext = { runId, log, runTime, generatedAt, checkpoint, progress, options, timer };

  return withRunLock({ store, week, logger: log }, async () => {
    await refuseIfDone(store, week, options.trigger);
    return recordRun(ledger, entry, () =>
      // One line per run, failed runs too: where the time went (never in a published file).
      runSteps(deps, week, context).finally(() =>
        log.info({ phases: phaseRecord(timer.phases()) }, "run phases"),
      ),
    );
  });
}
