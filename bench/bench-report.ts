/**
 * What `npm run bench` prints: per scale the run against its I/O floor and the run's phases, then
 * the targets of issue 14, each ok or MISSED.
 */
import { availableParallelism } from "node:os";
import type { ScaleInputs } from "./bench-inputs.ts";

export type Measure = { readonly wallMs: number; readonly cpuMs: number; readonly maxRssBytes: number };
export type RunMeasure = Measure & { readonly phases: Readonly<Record<string, number>> };

export type ScaleResult = {
  readonly inputs: ScaleInputs;
  /** Medians of the runs; each phase's median on its own. */
  readonly run: RunMeasure;
  readonly floor: Measure;
  /**
   * The I/O floor plus the look-ahead's rows and the workbooks through exceljs's streaming writer
   * (library-floor.ts), on one thread: its CPU time over the cores is the least wall time a core
   * built on these libraries can take here.
   */
  readonly libraryFloor: Measure;
  readonly repeats: number;
  /** Rota rows published (and written by the floor). */
  readonly rows: number;
  readonly documents: Readonly<Record<string, number>>;
  readonly report: {
    readonly counts: { readonly tests: number; readonly deferred: number; readonly red: number };
    readonly quality: readonly {
      readonly cyclePeakRatio: number;
      readonly redWeekPeakRatio: number;
      readonly gapViolations: number;
    }[];
  };
};

const GIB = 1024 ** 3;
const TARGETS = {
  coreFloorRatio: 2,
  memoryBytes: 1.5 * GIB,
  denmarkMs: 15_000,
  germanyMs: 180_000,
  growthSlack: 1.25,
};

/** The phases of a run in the order it goes through them, and what each is. */
export const PHASES: readonly (readonly [string, string])[] = [
  ["reconcile", "finish or set aside what a crashed publish left"],
  ["load", "read and check reference, sites and roster exports"],
  ["attendance", "import the attendance returns dropped into <dataDir>/attendance/"],
  ["fetch", "fetch the incidence and keep the raw capture"],
  ["state", "read the week before from the store: cadence, cycle slots, deferred tests"],
  ["classify", "classify the week and step every cadence (warm-up included)"],
  ["plan", "plan the test week (cycle slots, red tests, capacity, pickups)"],
  ["lookahead", "plan the provisional week after"],
  ["files", "CSV files, read-mes, summary, report.html (with the store's history)"],
  ["workbook", "rota.xlsx per municipality"],
  ["site-sheet", "sites/<site>.pdf per site with tests"],
  ["site-calendar", "sites/<site>.ics per site with tests"],
  ["routes", "regions/<code>/routes.pdf per region with routes"],
  ["publish", "write the folder durably, swap it in"],
  ["store", "the week's rows in one transaction"],
  ["prune", "drop what retention.weeks no longer keeps"],
];

/** Per-site and per-route documents: outside the core the floor target applies to. */
export function isPerSiteOrRoute(phase: string): boolean {
  return phase.startsWith("site-") || phase.includes("route");
}

function orderedPhases(phases: Readonly<Record<string, number>>): string[] {
  const known = PHASES.map(([name]) => name).filter((name) => name in phases);
  return [...known, ...Object.keys(phases).filter((name) => !known.includes(name))];
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function verdict(ok: boolean): string {
  return ok ? "ok" : "MISSED";
}

/** Wall time of the run without its per-site and per-route documents. */
export function coreMs(run: RunMeasure): number {
  const documents = Object.entries(run.phases)
    .filter(([phase]) => isPerSiteOrRoute(phase))
    .reduce((sum, [, s]) => sum + s, 0);
  return run.wallMs - documents * 1000;
}

export function printScale(result: ScaleResult): void {
  const { inputs, run, floor, report } = result;
  const docs = Object.entries(result.documents)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(", ");
  console.log(
    `\n== ${inputs.scale}: ${inputs.municipalities.length} municipalities in ${inputs.regions} regions, ${inputs.staff} staff, ${inputs.sites} sites; ` +
      `run 2020-W40 (rota of 2020-W41): ${report.counts.red} red, ${report.counts.tests} tests, ${report.counts.deferred} deferred; ${docs}`,
  );
  console.log(`median of ${result.repeats}, ${availableParallelism()} render threads`);
  console.log("                      wall s    CPU s   peak RSS");
  const line = (label: string, m: Measure) =>
    console.log(
      `${label.padEnd(20)} ${seconds(m.wallMs).padStart(7)}  ${seconds(m.cpuMs).padStart(7)}  ${mib(m.maxRssBytes).padStart(9)}`,
    );
  line("testrota run", run);
  line(`I/O floor (${result.rows} rows)`.slice(0, 20), floor);
  line("library floor", result.libraryFloor);
  console.log(
    `core (run − per-site docs) ${seconds(coreMs(run))} s = ${(coreMs(run) / floor.wallMs).toFixed(2)} × floor; whole run ${(run.wallMs / floor.wallMs).toFixed(2)} × floor`,
  );
  const leastCore = result.libraryFloor.cpuMs / availableParallelism();
  console.log(
    `library floor's CPU over ${availableParallelism()} cores: ${seconds(leastCore)} s = ${(leastCore / floor.wallMs).toFixed(2)} × floor (the least a core on csv-parse, csv-stringify and exceljs can take here)`,
  );
  console.log("phase            seconds  share  what");
  const total = Object.values(run.phases).reduce((a, b) => a + b, 0);
  for (const phase of orderedPhases(run.phases)) {
    const s = run.phases[phase] ?? 0;
    const what = PHASES.find(([name]) => name === phase)?.[1] ?? "";
    console.log(
      `${phase.padEnd(16)} ${s.toFixed(3).padStart(7)}  ${((100 * s) / Math.max(total, 1e-9)).toFixed(0).padStart(4)} %  ${what}`,
    );
  }
  console.log(
    `${"(outside phases)".padEnd(16)} ${(run.wallMs / 1000 - total).toFixed(3).padStart(7)}         process start, config, reference and map, store open, exit`,
  );
  const worstCycle = Math.max(...report.quality.map((q) => q.cyclePeakRatio));
  const worstRed = Math.max(...report.quality.map((q) => q.redWeekPeakRatio));
  const gaps = report.quality.reduce((sum, q) => sum + q.gapViolations, 0);
  console.log(
    `plan quality: worst peak ratio cycle ${worstCycle.toFixed(4)}, red week ${worstRed.toFixed(4)}; ${gaps} gap violations`,
  );
}

/** The size a phase's cost is expected to grow with: sites for per-site documents, else staff. */
function sizeFor(phase: string, inputs: ScaleInputs): number {
  if (isPerSiteOrRoute(phase)) return inputs.sites;
  if (phase === "fetch" || phase === "classify") return inputs.municipalities.length;
  return inputs.staff;
}

function nLogN(n: number): number {
  return n * Math.log2(Math.max(2, n));
}

export function printTargets(results: readonly ScaleResult[]): void {
  console.log("\n== targets");
  const denmark = results.find((r) => r.inputs.scale === "denmark");
  const germany = results.find((r) => r.inputs.scale === "germany");
  if (germany !== undefined) {
    const ratio = coreMs(germany.run) / germany.floor.wallMs;
    console.log(
      `germany: core ≤ ${TARGETS.coreFloorRatio} × I/O floor: ${ratio.toFixed(2)} × → ${verdict(ratio <= TARGETS.coreFloorRatio)}`,
    );
  }
  for (const r of results) {
    console.log(
      `${r.inputs.scale}: peak RSS < 1.5 GiB: ${mib(r.run.maxRssBytes)} → ${verdict(r.run.maxRssBytes < TARGETS.memoryBytes)}`,
    );
  }
  if (denmark !== undefined) {
    console.log(
      `denmark: whole run with every document ≤ 15 s: ${seconds(denmark.run.wallMs)} s → ${verdict(denmark.run.wallMs <= TARGETS.denmarkMs)}`,
    );
  }
  if (germany !== undefined) {
    console.log(
      `germany: whole run ≤ 3 min: ${seconds(germany.run.wallMs)} s → ${verdict(germany.run.wallMs <= TARGETS.germanyMs)}`,
    );
  }
  if (denmark === undefined || germany === undefined) return;
  console.log(
    `cost growth denmark → germany per phase, against n log n (n: staff; sites for per-site documents; municipalities for fetch and classify; ${TARGETS.growthSlack} × for noise):`,
  );
  for (const phase of orderedPhases(germany.run.phases)) {
    const dk = denmark.run.phases[phase] ?? 0;
    const de = germany.run.phases[phase] ?? 0;
    const allowed = nLogN(sizeFor(phase, germany.inputs)) / nLogN(sizeFor(phase, denmark.inputs));
    if (dk < 0.05 && de < 0.5) {
      console.log(`  ${phase.padEnd(14)} ${dk.toFixed(3)} s → ${de.toFixed(3)} s: too small to judge`);
      continue;
    }
    const growth = de / Math.max(dk, 1e-3);
    console.log(
      `  ${phase.padEnd(14)} ${dk.toFixed(3)} s → ${de.toFixed(3)} s: × ${growth.toFixed(1)}, n log n allows × ${allowed.toFixed(1)} → ${verdict(growth <= allowed * TARGETS.growthSlack)}`,
    );
  }
}
