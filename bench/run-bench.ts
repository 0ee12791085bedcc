/**
 * The benchmark of the real command (`npm run bench`): for Denmark (98 municipalities, ~99,000
 * staff) and Germany (400 districts, 1.2 M staff), it writes the inputs to disk as HR exports
 * (bench-inputs.ts), runs the week before once to have the store a Wednesday run starts from, then
 * runs `node src/cli.ts run --week 2020-W40 …` in a child process 3 times (every output on, a copy
 * of that store each time, an empty out folder) and, alternating with it, the I/O floor
 * (io-floor.ts). Reported: the median wall time, CPU time and peak RSS of each, the run's own
 * phase timings (`--timings FILE`) and the targets, ok or MISSED.
 *
 *   npm run bench                          both scales, 3 runs each
 *   npm run bench -- --scale denmark       one scale
 *   npm run bench -- --repeats 1           quicker, noisier
 *   npm run bench -- --year [--weeks 8]    52 (or 8) weeks at Germany scale: RSS, store growth,
 *                                          retention and byte-identical reruns (bench-year.ts)
 *   --keep DIR                             work in DIR and leave it (default: a temp folder, removed)
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { addWeeks } from "../src/domain/calendar.ts";
import { measureChild, median, type ChildMeasure } from "./bench-child.ts";
import {
  BENCH_WEEK,
  ROOT,
  weekText,
  writeGermanIncidence,
  writeScaleInputs,
  type Scale,
  type ScaleInputs,
} from "./bench-inputs.ts";
import { printScale, printTargets, type Measure, type RunMeasure, type ScaleResult } from "./bench-report.ts";
import { runWeek, type ReportJson } from "./bench-run.ts";
import { runYear } from "./bench-year.ts";

/** Rota rows per municipality of a published week (header line excluded) and its documents. */
async function readPublished(folder: string): Promise<{
  rows: Record<string, number>;
  lookaheadRows: Record<string, number>;
  documents: Record<string, number>;
}> {
  const manifest = JSON.parse(await readFile(join(folder, "manifest.json"), "utf8")) as {
    files: { path: string }[];
  };
  const rows: Record<string, number> = {};
  const lookaheadRows: Record<string, number> = {};
  const countRows = async (path: string) =>
    (await readFile(join(folder, path), "utf8")).split("\r\n").filter((line) => line !== "").length - 1;
  const documents: Record<string, number> = {
    "site sheets": 0,
    calendars: 0,
    workbooks: 0,
    files: manifest.files.length + 1,
  };
  for (const { path } of manifest.files) {
    const rota = /^municipalities\/(\d+)\/rota\.csv$/.exec(path);
    if (rota !== null) rows[rota[1] ?? ""] = await countRows(path);
    const lookahead = /^lookahead\/[^/]+\/municipalities\/(\d+)\/[^/]+\.csv$/.exec(path);
    if (lookahead !== null) lookaheadRows[lookahead[1] ?? ""] = await countRows(path);
    if (path.endsWith(".pdf") && path.includes("/sites/"))
      documents["site sheets"] = (documents["site sheets"] ?? 0) + 1;
    if (path.endsWith(".ics")) documents.calendars = (documents.calendars ?? 0) + 1;
    if (path.endsWith(".xlsx")) documents.workbooks = (documents.workbooks ?? 0) + 1;
  }
  return { rows, lookaheadRows, documents };
}

/** Each figure's median over `measures` (each on its own). */
function medianMeasure(measures: readonly Measure[]): Measure {
  return {
    wallMs: median(measures.map((m) => m.wallMs)),
    cpuMs: median(measures.map((m) => m.cpuMs)),
    maxRssBytes: median(measures.map((m) => m.maxRssBytes)),
  };
}

/** The store a Wednesday run starts from: the week before, run once (not measured). */
async function prepareStore(inputs: ScaleInputs, dir: string): Promise<string> {
  const data = join(dir, "data");
  const before = addWeeks(BENCH_WEEK, -1);
  if (inputs.scale === "germany") await writeGermanIncidence(inputs, before);
  await runWeek(inputs, before, { data, out: join(dir, "out") });
  await rm(join(dir, "out"), { recursive: true, force: true });
  if (inputs.scale === "germany") await writeGermanIncidence(inputs, BENCH_WEEK);
  return data;
}

async function measureScale(scale: Scale, base: string, repeats: number): Promise<ScaleResult> {
  console.log(`\n… ${scale}: writing the inputs`);
  const inputs = await writeScaleInputs(scale, base);
  console.log(
    `… ${scale}: running ${weekText(addWeeks(BENCH_WEEK, -1))} once for the store the run starts from`,
  );
  const store = await prepareStore(inputs, join(inputs.dir, "setup"));
  const runs: (RunMeasure & { report: ReportJson })[] = [];
  const floors: ChildMeasure[] = [];
  const libraryFloors: ChildMeasure[] = [];
  let published: Awaited<ReturnType<typeof readPublished>> | undefined;
  for (let round = 0; round < repeats; round++) {
    const dir = join(inputs.dir, `round-${round}`);
    const data = join(dir, "data");
    await cp(store, data, { recursive: true });
    const run = await runWeek(inputs, BENCH_WEEK, { data, out: join(dir, "out") });
    runs.push(run);
    published ??= await readPublished(join(dir, "out", weekText(BENCH_WEEK)));
    const counts = join(dir, "rows.json");
    await writeFile(counts, JSON.stringify(published.rows));
    const bothCounts = join(dir, "rows-of-both-weeks.json");
    await writeFile(bothCounts, JSON.stringify({ rota: published.rows, lookahead: published.lookaheadRows }));
    await rm(join(dir, "out"), { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
    // Each floor writes into an empty folder of its own, removed after it.
    const measureFloor = async (script: string, countsFile: string): Promise<ChildMeasure> => {
      const out = join(dir, "floor");
      const measured = await measureChild(join(ROOT, "bench", script), [
        join(inputs.dir, "input", "sites.csv"),
        inputs.rosterDir,
        out,
        countsFile,
      ]);
      await rm(out, { recursive: true, force: true });
      return measured;
    };
    floors.push(await measureFloor("io-floor.ts", counts));
    libraryFloors.push(await measureFloor("library-floor.ts", bothCounts));
    await rm(dir, { recursive: true, force: true });
    console.log(
      `… ${scale} round ${round + 1}/${repeats}: run ${(run.wallMs / 1000).toFixed(1)} s, floor ${((floors.at(-1)?.wallMs ?? 0) / 1000).toFixed(2)} s, library floor ${((libraryFloors.at(-1)?.wallMs ?? 0) / 1000).toFixed(2)} s, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
  }
  const phaseNames = [...new Set(runs.flatMap((run) => Object.keys(run.phases)))];
  const first = runs[0];
  if (first === undefined || published === undefined) throw new Error("bench: no runs");
  return {
    inputs,
    run: {
      ...medianMeasure(runs),
      phases: Object.fromEntries(phaseNames.map((p) => [p, median(runs.map((r) => r.phases[p] ?? 0))])),
    },
    floor: medianMeasure(floors),
    libraryFloor: medianMeasure(libraryFloors),
    repeats,
    rows: Object.values(published.rows).reduce((a, b) => a + b, 0),
    documents: published.documents,
    report: first.report,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: "string" },
      repeats: { type: "string", default: "3" },
      year: { type: "boolean", default: false },
      weeks: { type: "string", default: "52" },
      keep: { type: "string" },
    },
  });
  const base = values.keep ?? (await mkdtemp(join(tmpdir(), "testrota-bench-")));
  await mkdir(base, { recursive: true });
  console.log(
    `testrota benchmark: Node ${process.version}, ${cpus().length} cores (availableParallelism ${availableParallelism()}), ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} at start`,
  );
  try {
    if (values.year) {
      await runYear(base, Number(values.weeks));
      return;
    }
    const scales: Scale[] = values.scale === undefined ? ["denmark", "germany"] : [values.scale as Scale];
    const results: ScaleResult[] = [];
    for (const scale of scales) {
      const result = await measureScale(scale, base, Math.max(1, Number(values.repeats)));
      printScale(result);
      results.push(result);
      if (values.keep === undefined) await rm(join(base, scale), { recursive: true, force: true });
    }
    printTargets(results);
    console.log(
      `\nload average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    if (values.keep === undefined) await rm(base, { recursive: true, force: true });
  }
}

await main();
