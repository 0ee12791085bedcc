/**
 * `npm run bench -- --year [--weeks N]`: N weeks (default 52) at Germany scale, one `testrota run`
 * per Wednesday in a fresh process (as cron or the worker's schedule does), each week with its own
 * incidence file, on one data folder with the default retention (`retention.weeks`, 4). Printed
 * per week: wall time, peak RSS, the store's size and growth, the raw captures kept (in the store,
 * compressed). At the end the latest weeks are run again and must publish byte-identical folders
 * (the retention kept what they need), and `testrota prune --dry-run` must find nothing left to
 * prune.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { addWeeks, compareWeeks, type IsoWeek } from "../src/domain/calendar.ts";
import { retentionCutoff } from "../src/store/retention.ts";
import { CLI, measureChild } from "./bench-child.ts";
import { BENCH_WEEK, weekText, writeGermanIncidence, writeScaleInputs } from "./bench-inputs.ts";
import { runWeek } from "./bench-run.ts";

const MIB = 1024 ** 2;
/** The retention the year runs with: the schema's default. */
const RETENTION_WEEKS = 4;
/** Busier weeks plan more tests and hold more: peak RSS may vary this much and still be "flat". */
const RSS_FLAT_RATIO = 1.15;
/** Steady weekly store growth allowed, as a share of the weekly growth while the windows fill. */
const STEADY_GROWTH_SHARE = 0.1;
/** The whole-run memory target of issue 14. */
const RSS_TARGET_BYTES = 1.5 * 1024 ** 3;

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

async function storeBytes(data: string): Promise<number> {
  const files = ["testrota.sqlite", "testrota.sqlite-wal", "testrota.sqlite-shm"];
  const sizes = await Promise.all(files.map((file) => sizeOf(join(data, file))));
  return sizes.reduce((a, b) => a + b, 0);
}

/** The compressed bytes of the raw captures the store keeps (part of its size). */
function rawCaptureBytes(data: string): number {
  const db = new DatabaseSync(join(data, "testrota.sqlite"), { readOnly: true });
  try {
    const row = db.prepare("SELECT COALESCE(SUM(LENGTH(gzip)), 0) AS bytes FROM raw_captures").get();
    return Number(row?.bytes ?? 0);
  } finally {
    db.close();
  }
}

async function manifestDigest(out: string, week: IsoWeek): Promise<string> {
  return createHash("sha256")
    .update(await readFile(join(out, weekText(week), "manifest.json")))
    .digest("hex");
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

/**
 * Index of the first week whose store growth is steady. Pages a run's prune frees are reused by
 * the next run's rows; the first prune of planned tests (their window, store/retention.ts, is the
 * longest) frees those of the first test week, which the cold first run planned fewer of, so the
 * week after still grows by the difference: steady from the week after that. `weeks.length` when
 * the year is too short.
 */
function steadyFrom(weeks: readonly IsoWeek[]): number {
  const firstTestWeek = addWeeks(weeks[0] ?? BENCH_WEEK, 1);
  const firstPruning = weeks.findIndex(
    (week) => compareWeeks(retentionCutoff(week, RETENTION_WEEKS).plannedTestWeeksFrom, firstTestWeek) > 0,
  );
  return firstPruning < 0 ? weeks.length : Math.min(weeks.length, firstPruning + 2);
}

export async function runYear(base: string, weekCount: number): Promise<void> {
  console.log(`\n… germany: writing the inputs for ${weekCount} weeks from ${weekText(BENCH_WEEK)}`);
  const inputs = await writeScaleInputs("germany", base);
  const data = join(inputs.dir, "year", "data");
  const out = join(inputs.dir, "year", "out");
  const weeks = Array.from({ length: weekCount }, (_, i) => addWeeks(BENCH_WEEK, i));
  const digests = new Map<string, string>();
  const rss: number[] = [];
  const growth: number[] = [];
  let previous = 0;
  console.log(`${inputs.staff} staff, ${inputs.sites} sites, retention.weeks ${RETENTION_WEEKS}`);
  console.log("week       wall s  peak RSS MiB  store MiB  Δ store MiB  raw MiB   tests  red");
  for (const week of weeks) {
    await writeGermanIncidence(inputs, week);
    const run = await runWeek(inputs, week, { data, out });
    const bytes = await storeBytes(data);
    const raw = rawCaptureBytes(data);
    digests.set(weekText(week), await manifestDigest(out, week));
    // Published folders outside the retention are removed here only to spare the disk.
    const old = addWeeks(week, -RETENTION_WEEKS);
    await rm(join(out, weekText(old)), { recursive: true, force: true });
    rss.push(run.maxRssBytes);
    growth.push(bytes - previous);
    console.log(
      `${weekText(week)}  ${(run.wallMs / 1000).toFixed(1).padStart(7)}  ${mib(run.maxRssBytes).padStart(12)}  ${mib(bytes).padStart(9)}  ${mib(bytes - previous).padStart(11)}  ${mib(raw).padStart(7)}  ${String(run.report.counts.tests).padStart(6)}  ${String(run.report.counts.red).padStart(3)}`,
    );
    previous = bytes;
  }
  const last = weeks.at(-1);
  if (last === undefined) return;
  // The last few weeks again, with the incidence each had: every folder must come out the same.
  const checks = [...new Set([addWeeks(last, -(RETENTION_WEEKS - 1)), addWeeks(last, -1), last])].filter(
    (week) => digests.has(weekText(week)),
  );
  console.log("\n== rerun after the year (retention kept what they need): byte-identical folders");
  let identical = true;
  for (const week of checks) {
    await writeGermanIncidence(inputs, week);
    const rerun = await runWeek(inputs, week, { data, out });
    const same = (await manifestDigest(out, week)) === digests.get(weekText(week)) && !rerun.report.changed;
    identical &&= same;
    console.log(`${weekText(week)}: ${same ? "identical" : "DIFFERENT"} (changed: ${rerun.report.changed})`);
  }
  const pruned = await measureChild(CLI, [
    "prune",
    "--dry-run",
    "--json",
    "--config",
    inputs.configPath,
    "--data-dir",
    data,
    "--out-dir",
    out,
  ]);
  const left = JSON.parse(pruned.stdout) as {
    rows: { cycleSlots: number; deferredTests: number; plannedTests: number };
    rawCaptureWeeks: string[];
  };
  const nothingLeft =
    left.rows.cycleSlots + left.rows.deferredTests + left.rows.plannedTests + left.rawCaptureWeeks.length ===
    0;
  console.log(
    `prune --dry-run after the year: ${JSON.stringify(left.rows)}, raw weeks ${left.rawCaptureWeeks.length} → ${nothingLeft ? "nothing left to prune" : "LEFT OVER"}`,
  );

  // Steady state: planned tests are kept 12 weeks beyond the retention window (the report's history
  // and the attendance review); see steadyFrom for the week it starts.
  const steady = growth.slice(steadyFrom(weeks));
  // The first week starts from an empty store (no slots, no deferred tests of a week before): a cold
  // start that plans and holds less. Memory is compared from the first week that has a week before.
  const warm = rss.slice(1);
  const baseline = warm[0] ?? rss[0] ?? 0;
  const maxRss = Math.max(...(warm.length > 0 ? warm : rss));
  const overTarget = rss.filter((bytes) => bytes >= RSS_TARGET_BYTES).length;
  console.log("\n== year targets");
  console.log(
    `peak RSS per week flat (weeks with a week before): second week ${mib(baseline)} MiB, max ${mib(maxRss)} MiB (× ${(maxRss / Math.max(baseline, 1)).toFixed(2)}, ≤ × ${RSS_FLAT_RATIO} allowed) → ${maxRss <= baseline * RSS_FLAT_RATIO ? "ok" : "MISSED"}`,
  );
  console.log(
    `peak RSS < ${mib(RSS_TARGET_BYTES)} MiB in every week: ${overTarget} of ${rss.length} weeks over → ${overTarget === 0 ? "ok" : "MISSED"}`,
  );
  // Bounded: once every window is full, a week adds what the small per-week tables hold (a few
  // hundred rows) plus the difference between its tests and the pruned week's. Averaged over the
  // steady weeks that must be a small fraction of what a week added while the windows filled.
  const filling = growth.slice(1, steadyFrom(weeks));
  const fillMean = mean(filling);
  const steadyMean = mean(steady);
  console.log(
    steady.length === 0
      ? `store growth per week bounded: not shown, the store is steady from week ${steadyFrom(weeks) + 1} (run more weeks); ${mib(fillMean)} MiB a week while the windows fill, total ${mib(previous)} MiB after ${weeks.length} weeks`
      : `store growth per week bounded: ${steady.length} steady weeks, mean Δ ${mib(steadyMean)} MiB (largest ${mib(Math.max(...steady))}) against ${mib(fillMean)} MiB a week while the windows filled (≤ ${STEADY_GROWTH_SHARE * 100} % allowed), total ${mib(previous)} MiB after ${weeks.length} weeks → ${steadyMean <= fillMean * STEADY_GROWTH_SHARE ? "ok" : "MISSED"}`,
  );
  console.log(`latest weeks rerun byte-identical → ${identical ? "ok" : "MISSED"}`);
}
