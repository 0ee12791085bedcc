/**
 * Planner benchmark (`npm run bench`): Denmark scale (the 98 real municipalities, ~100,000 staff)
 * and Germany scale (400 synthetic districts in 16 regions, 1,200,000 staff, ~30,000 sites).
 *
 * For each scale it measures, each in a fresh child process so that the RSS high-water mark
 * (`process.resourceUsage().maxRSS`) belongs to that run alone:
 * - the whole run: read sites + roster CSVs → plan the test week (cycle assignment included) →
 *   render and write the rota CSV of every municipality;
 * - the bare I/O floor: parse the same CSVs with csv-parse and write as many rota rows with
 *   csv-stringify, no planning;
 * and prints wall time, peak memory, their ratios, the quality metrics per region and the targets.
 * Then the autumn-2020 scenario: the statuses classified from SSI's files of 2020-09-30 with
 * every red municipality in week 1 at once, planned with lab capacity below the demand.
 *
 * Both children inherit this process's Node flags (`npm run bench` passes
 * `--max-semi-space-size=32`, the production setting of the Dockerfile), so run and floor are
 * measured alike; each is run 3 times and the median reported.
 *
 * Targets (benchmark targets, not timed tests): both peak ratios ≤ 1.02 in every region at both
 * scales; 0 gap violations when capacity suffices; whole run ≤ 2 × the I/O floor at Germany
 * scale; peak memory < 1.5 GiB; cost growing no faster than n log n.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import {
  classificationWindow,
  dateInWeek,
  formatIsoWeek,
  type IsoWeek,
  type Weekday,
} from "../src/domain/calendar.ts";
import { classifyWeek } from "../src/domain/classify.ts";
import { observeWindow } from "../src/domain/incidence.ts";
import type {
  PlanInput,
  RedTestOrder,
  RegionPlanSettings,
  RegionQuality,
  WeekPlan,
} from "../src/domain/plan-types.ts";
import { planWeek } from "../src/domain/planner.ts";
import type { Municipality } from "../src/domain/reference.ts";
import type { Site, StaffMember } from "../src/domain/roster.ts";
import { buildRotaRows, renderRotaCsv } from "../src/outputs/rota-files.ts";
import { generateDemoInput, writeDemoInput, type DemoInput } from "../src/roster/generate-demo.ts";
import { readReference } from "../src/roster/read-reference.ts";
import { readRoster } from "../src/roster/read-roster.ts";
import { readSites } from "../src/roster/read-sites.ts";
import { parseSsiPair } from "../src/sources/ssi.ts";
import { createSeededRandom } from "../src/roster/seeded-random.ts";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..");
const REFERENCE = join(ROOT, "reference", "municipalities.csv");
const SSI_DIR = join(ROOT, "config", "demo", "ssi", "2020-09-30");
const TEST_WEEK: IsoWeek = { year: 2020, week: 41 };
const CYCLE_ANCHOR: IsoWeek = { year: 2020, week: 1 };
const SEED = 2020;
const WEEKDAYS: Weekday[] = [1, 2, 3, 4, 5];
const GIB = 1024 ** 3;
const TARGET = { peakRatio: 1.02, floorRatio: 2, memoryBytes: 1.5 * GIB };

type Scale = "denmark" | "germany";

/** What a child process needs to run a phase (small; the roster itself is on disk). */
type Meta = {
  readonly scale: Scale;
  readonly dir: string;
  readonly municipalities: Municipality[];
  readonly regions: RegionPlanSettings[];
  readonly redOrders: RedTestOrder[];
  readonly staff: number;
  readonly sites: number;
};

type WholeResult = {
  readonly wallMs: number;
  readonly readMs: number;
  readonly planMs: number;
  readonly renderMs: number;
  readonly maxRssBytes: number;
  readonly tests: number;
  readonly rowsByMunicipality: Record<string, number>;
  readonly quality: readonly RegionQuality[];
  readonly deferred: number;
  readonly pickups: number;
  readonly changes: WeekPlan["changes"];
};

type FloorResult = { readonly wallMs: number; readonly maxRssBytes: number; readonly rows: number };

function maxRssBytes(): number {
  // maxRSS is in kilobytes on Linux and macOS.
  return process.resourceUsage().maxRSS * 1024;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

/** 400 synthetic districts in 16 regions, populations log-normal around 208,000 (83 M in all). */
function germanDistricts(): Municipality[] {
  const random = createSeededRandom(49);
  return Array.from({ length: 400 }, (_, i) => {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return {
      code: 1001 + i,
      name: `Kreis ${1001 + i}`,
      regionCode: 1 + (i % 16),
      population: Math.round(170_000 * Math.exp(0.6 * gaussian)),
      aliases: [],
    };
  });
}

/**
 * Splits every generated site in two (alternate staff to each half): the generator sizes sites
 * like Danish nursing homes and home-care districts (~80 staff); German scale asks for ~30,000
 * sites of ~40.
 */
function splitSites(input: DemoInput): DemoInput {
  const sites: Site[] = input.sites.flatMap((site) => [
    { ...site, id: `${site.id}a`, name: `${site.name} A` },
    { ...site, id: `${site.id}b`, name: `${site.name} B` },
  ]);
  const seen = new Map<string, number>();
  const staff: StaffMember[] = input.staff.map((member) => {
    const index = seen.get(member.siteId) ?? 0;
    seen.set(member.siteId, index + 1);
    return { ...member, siteId: `${member.siteId}${index % 2 === 0 ? "a" : "b"}` };
  });
  return { sites, staff };
}

/** Every tenth municipality (by code) turned red two weeks ago: week-1 tests in the test week. */
function syntheticRedOrders(municipalities: readonly Municipality[], sites: readonly Site[]): RedTestOrder[] {
  const orders: RedTestOrder[] = municipalities
    .filter((_, i) => i % 10 === 3)
    .map((m) => ({ municipalityCode: m.code, reason: "red-week-1", limitToSites: null }));
  // One more under a limit-to-sites decision (its first two sites only).
  const limited = municipalities[5];
  if (limited !== undefined) {
    const ids = sites.filter((s) => s.municipalityCode === limited.code).map((s) => s.id);
    orders.push({ municipalityCode: limited.code, reason: "red-retest", limitToSites: ids.slice(0, 2) });
  }
  return orders;
}

/** Lab capacity that suffices: 25 % above the even daily share of the cycle plus the red week. */
function ampleRegions(
  municipalities: readonly Municipality[],
  input: DemoInput,
  redOrders: readonly RedTestOrder[],
): RegionPlanSettings[] {
  const regionOf = new Map(municipalities.map((m) => [m.code, m.regionCode]));
  const municipalityOfSite = new Map(input.sites.map((s) => [s.id, s.municipalityCode]));
  const red = new Map(redOrders.map((o) => [o.municipalityCode, o]));
  const staffPerRegion = new Map<number, number>();
  const redPerRegion = new Map<number, number>();
  for (const member of input.staff) {
    const municipality = municipalityOfSite.get(member.siteId) ?? 0;
    const region = regionOf.get(municipality) ?? 0;
    staffPerRegion.set(region, (staffPerRegion.get(region) ?? 0) + 1);
    const order = red.get(municipality);
    if (order !== undefined && (order.limitToSites === null || order.limitToSites.includes(member.siteId))) {
      redPerRegion.set(region, (redPerRegion.get(region) ?? 0) + 1);
    }
  }
  return [...staffPerRegion.keys()]
    .sort((a, b) => a - b)
    .map((code) => ({
      code,
      testWeekdays: WEEKDAYS,
      labCapacityPerDay: Math.ceil(
        1.25 * ((staffPerRegion.get(code) ?? 0) / 30 + (redPerRegion.get(code) ?? 0) / WEEKDAYS.length),
      ),
    }));
}

async function prepare(scale: Scale, base: string): Promise<Meta> {
  const municipalities = scale === "denmark" ? await readReference(REFERENCE) : germanDistricts();
  const population = municipalities.reduce((sum, m) => sum + m.population, 0);
  const generated = generateDemoInput({
    municipalities,
    seed: SEED,
    // Germany: 1.2 M care staff over the districts' population.
    staffShare: scale === "germany" ? 1_200_000 / population : undefined,
    referenceDate: dateInWeek(TEST_WEEK, 1),
  });
  const input = scale === "germany" ? splitSites(generated) : generated;
  const dir = join(base, scale);
  await writeDemoInput(join(dir, "input"), input, municipalities);
  const redOrders = syntheticRedOrders(municipalities, input.sites);
  const meta: Meta = {
    scale,
    dir,
    municipalities,
    regions: ampleRegions(municipalities, input, redOrders),
    redOrders,
    staff: input.staff.length,
    sites: input.sites.length,
  };
  await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
  return meta;
}

type PlanFrame = Pick<PlanInput, "regions" | "municipalities" | "redOrders">;

function planInputFor(
  frame: PlanFrame,
  sites: readonly Site[],
  staff: readonly StaffMember[],
  overrides: Partial<PlanInput> = {},
): PlanInput {
  return {
    testWeek: TEST_WEEK,
    cycleAnchor: CYCLE_ANCHOR,
    regions: frame.regions,
    municipalities: frame.municipalities,
    sites,
    staff,
    redOrders: frame.redOrders,
    statusByCode: new Map(),
    previousSlots: new Map(),
    carriedOver: [],
    ...overrides,
  };
}

/** The whole run, in this (child) process. */
async function runWhole(meta: Meta): Promise<WholeResult> {
  collectGarbage();
  const started = performance.now();
  const sites = await readSites(join(meta.dir, "input", "sites.csv"), meta.municipalities);
  const roster = await readRoster({
    dir: join(meta.dir, "input", "roster"),
    pattern: "{code}.csv",
    municipalities: meta.municipalities,
    sites,
  });
  const planStarted = performance.now();
  const plan = planWeek(planInputFor(meta, sites, roster.staff));
  const planMs = performance.now() - planStarted;
  const readMs = planStarted - started;
  const out = join(meta.dir, "out-whole");
  const rowsByMunicipality: Record<string, number> = {};
  for (const [code, rows] of buildRotaRows(plan.tests, roster.staff, sites)) {
    const folder = join(out, "municipalities", String(code));
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "rota.csv"), renderRotaCsv(rows));
    rowsByMunicipality[String(code)] = rows.length;
  }
  const wallMs = performance.now() - started;
  return {
    wallMs,
    readMs,
    planMs,
    renderMs: wallMs - readMs - planMs,
    maxRssBytes: maxRssBytes(),
    tests: plan.tests.length,
    rowsByMunicipality,
    quality: plan.quality,
    deferred: plan.deferred.length,
    pickups: plan.pickups.length,
    changes: plan.changes,
  };
}

/** The bare floor: csv-parse the same files, csv-stringify as many rota rows, no planning. */
async function runFloor(meta: Meta, rowsByMunicipality: Record<string, number>): Promise<FloorResult> {
  collectGarbage();
  const started = performance.now();
  const options = { bom: true, delimiter: ";", trim: true, skip_empty_lines: true } as const;
  const sites: string[][] = parse(await readFile(join(meta.dir, "input", "sites.csv")), options);
  const siteNames = new Map(sites.map((row) => [row[0] ?? "", row[3] ?? ""]));
  const out = join(meta.dir, "out-floor");
  let rows = 0;
  for (const file of await readdir(join(meta.dir, "input", "roster"))) {
    const code = file.replace(/\.csv$/, "");
    const records: string[][] = parse(await readFile(join(meta.dir, "input", "roster", file)), options);
    const count = rowsByMunicipality[code] ?? 0;
    const output: string[][] = [
      ["employee_id", "name", "site_id", "site_name", "date", "weekday", "shift", "reason"],
    ];
    for (let i = 1; i <= count; i++) {
      const record = records[i] ?? [];
      const site = record[2] ?? "";
      output.push([
        record[0] ?? "",
        record[1] ?? "",
        site,
        siteNames.get(site) ?? "",
        "2020-10-05",
        "monday",
        record[3] ?? "",
        "cycle",
      ]);
    }
    const folder = join(out, "municipalities", code);
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, "rota.csv"),
      stringify(output, {
        bom: true,
        delimiter: ";",
        record_delimiter: "\r\n",
        quote_record_delimiter: true,
        eof: true,
      }),
    );
    rows += count;
  }
  return { wallMs: performance.now() - started, maxRssBytes: maxRssBytes(), rows };
}

/** Runs one phase of this script in a fresh Node process (same flags) and returns its JSON result. */
function runChild<T>(args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`bench phase ${args.join(" ")} exited with ${code}`));
      else resolve(JSON.parse(output) as T);
    });
  });
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

function verdict(ok: boolean): string {
  return ok ? "ok" : "MISSED";
}

type ScaleReport = { meta: Meta; whole: WholeResult; floor: FloorResult };

function printScale(report: ScaleReport): void {
  const { meta, whole, floor } = report;
  console.log(
    `\n== ${meta.scale}: ${meta.municipalities.length} municipalities, ${meta.staff} staff, ${meta.sites} sites, ` +
      `${new Set(meta.municipalities.map((m) => m.regionCode)).size} regions; test week ${formatIsoWeek(TEST_WEEK)}, ` +
      `${meta.redOrders.length} red orders`,
  );
  console.log(
    `whole run  ${whole.wallMs.toFixed(0)} ms, median of ${REPEATS} (read ${whole.readMs.toFixed(0)} ms, planWeek ${whole.planMs.toFixed(0)} ms, render + write ${whole.renderMs.toFixed(0)} ms), peak RSS ${mib(whole.maxRssBytes)}`,
  );
  console.log(
    `I/O floor  ${floor.wallMs.toFixed(0)} ms, median of ${REPEATS}, peak RSS ${mib(floor.maxRssBytes)} (${floor.rows} rota rows, same as the run)`,
  );
  console.log(
    `ratio      time ${(whole.wallMs / floor.wallMs).toFixed(2)} × floor, memory ${(whole.maxRssBytes / floor.maxRssBytes).toFixed(2)} × floor`,
  );
  console.log(
    `plan       ${whole.tests} tests, ${whole.pickups} pickups, ${whole.deferred} deferred; slots ${JSON.stringify(whole.changes)}`,
  );
  console.log(
    "region  cyclePeak  redWeekPeak  day min–max   day/evening/night  pickups  pickups/site/cycle  deferred  gapViol.",
  );
  for (const q of whole.quality) {
    console.log(
      `${String(q.regionCode).padEnd(7)} ${q.cyclePeakRatio.toFixed(4).padStart(9)}  ${q.redWeekPeakRatio.toFixed(4).padStart(11)}  ` +
        `${`${q.testWeekDailySpread.min}–${q.testWeekDailySpread.max}`.padStart(11)}   ` +
        `${`${q.shiftTotals.day}/${q.shiftTotals.evening}/${q.shiftTotals.night}`.padStart(17)}  ${String(q.pickupsInTestWeek).padStart(7)}  ` +
        `${q.cyclePickupsPerSite.toFixed(2).padStart(18)}  ${String(q.deferred).padStart(8)}  ${String(q.gapViolations).padStart(8)}`,
    );
  }
}

function printTargets(reports: readonly ScaleReport[]): void {
  console.log("\n== targets");
  for (const { meta, whole } of reports) {
    const worstCycle = Math.max(...whole.quality.map((q) => q.cyclePeakRatio));
    const worstRed = Math.max(...whole.quality.map((q) => q.redWeekPeakRatio));
    const violations = whole.quality.reduce((sum, q) => sum + q.gapViolations, 0);
    console.log(
      `${meta.scale}: peak ratios ≤ ${TARGET.peakRatio}: cycle ${worstCycle.toFixed(4)}, red week ${worstRed.toFixed(4)} → ${verdict(worstCycle <= TARGET.peakRatio && worstRed <= TARGET.peakRatio)}`,
    );
    console.log(
      `${meta.scale}: 0 gap violations with ample capacity: ${violations} → ${verdict(violations === 0)}`,
    );
    console.log(
      `${meta.scale}: peak memory < 1.5 GiB: ${mib(whole.maxRssBytes)} → ${verdict(whole.maxRssBytes < TARGET.memoryBytes)}`,
    );
  }
  const germany = reports.find((r) => r.meta.scale === "germany");
  const denmark = reports.find((r) => r.meta.scale === "denmark");
  if (germany !== undefined) {
    const ratio = germany.whole.wallMs / germany.floor.wallMs;
    console.log(
      `germany: whole run ≤ ${TARGET.floorRatio} × I/O floor: ${ratio.toFixed(2)} × → ${verdict(ratio <= TARGET.floorRatio)}`,
    );
  }
  if (germany !== undefined && denmark !== undefined) {
    const normalised = (r: ScaleReport, ms: number): number =>
      (ms * 1e6) / (r.meta.staff * Math.log2(r.meta.staff));
    const dk = normalised(denmark, denmark.whole.wallMs);
    const de = normalised(germany, germany.whole.wallMs);
    const dkPlan = normalised(denmark, denmark.whole.planMs);
    const dePlan = normalised(germany, germany.whole.planMs);
    console.log(
      `cost ÷ (n log2 n), ns: whole run denmark ${dk.toFixed(1)}, germany ${de.toFixed(1)} (× ${(de / dk).toFixed(2)}); ` +
        `planWeek denmark ${dkPlan.toFixed(1)}, germany ${dePlan.toFixed(1)} (× ${(dePlan / dkPlan).toFixed(2)}) → ${verdict(de <= dk * 1.1)} (≤ n log n: germany ≤ denmark, 10 % noise)`,
    );
  }
}

/**
 * The autumn-2020 situation: statuses classified from SSI's files of 2020-09-30 (week 40), every
 * red municipality with its week-1 tests in week 41, and lab capacity at 70 % of each region's
 * demand that week. Prints what is deferred, in priority order, and checks nothing is lost; then
 * plans week 42 with the deferred tests carried over.
 */
async function runAutumn(): Promise<void> {
  const municipalities = await readReference(REFERENCE);
  const dataset = parseSsiPair({
    timeSeries: await readFile(join(SSI_DIR, "Municipality_cases_time_series.csv")),
    testPos: await readFile(join(SSI_DIR, "Municipality_test_pos.csv")),
    timeSeriesOrigin: "Municipality_cases_time_series.csv",
    testPosOrigin: "Municipality_test_pos.csv",
    municipalities,
  });
  const week: IsoWeek = { year: 2020, week: 40 };
  const observed = observeWindow(dataset, classificationWindow(week), municipalities);
  if (!observed.ok) throw new Error(observed.problem);
  const classified = classifyWeek({
    week,
    observations: observed.observations,
    municipalities,
    thresholdPer100k: 20,
    overrides: [],
  });
  const red = classified.filter((c) => c.status === "red");
  const { sites, staff } = generateDemoInput({
    municipalities,
    seed: SEED,
    referenceDate: dateInWeek(TEST_WEEK, 1),
  });
  const redOrders: RedTestOrder[] = red.map((c) => ({
    municipalityCode: c.code,
    reason: "red-week-1",
    limitToSites: null,
  }));
  const statusByCode = new Map(classified.map((c) => [c.code, { status: c.status, incidence: c.incidence }]));
  const regionCodes = [...new Set(municipalities.map((m) => m.regionCode))].sort((a, b) => a - b);
  const unlimited: RegionPlanSettings[] = regionCodes.map((code) => ({
    code,
    testWeekdays: WEEKDAYS,
    labCapacityPerDay: 1e9,
  }));
  const demandPlan = planWeek(
    planInputFor({ regions: unlimited, municipalities, redOrders }, sites, staff, { statusByCode }),
  );
  const demand = new Map(
    regionCodes.map((code) => [code, demandPlan.tests.filter((t) => t.regionCode === code).length]),
  );
  const regions = unlimited.map((r) => ({
    ...r,
    labCapacityPerDay: Math.floor((0.7 * (demand.get(r.code) ?? 0)) / WEEKDAYS.length),
  }));
  const plan = planWeek(planInputFor({ regions, municipalities, redOrders }, sites, staff, { statusByCode }));

  console.log(
    `\n== autumn 2020 (SSI 2020-09-30, week 40): ${red.length} of ${classified.length} municipalities red, week-1 tests in ${formatIsoWeek(TEST_WEEK)}`,
  );
  for (const region of regions) {
    const planned = plan.tests.filter((t) => t.regionCode === region.code).length;
    const deferred = plan.quality.find((q) => q.regionCode === region.code)?.deferred ?? 0;
    console.log(
      `region ${region.code}: demand ${demand.get(region.code)}, capacity ${region.labCapacityPerDay}/day × 5, planned ${planned}, deferred ${deferred}`,
    );
  }
  const total = [...demand.values()].reduce((a, b) => a + b, 0);
  const lost = total - plan.tests.length - plan.deferred.length;
  const accounted = new Set([
    ...plan.tests.map((t) => t.employeeId),
    ...plan.deferred.map((d) => d.employeeId),
  ]);
  const sameIds = accounted.size === total && demandPlan.tests.every((t) => accounted.has(t.employeeId));
  console.log(
    `planned ${plan.tests.length} + deferred ${plan.deferred.length} = ${plan.tests.length + plan.deferred.length} of demand ${total}: ${lost === 0 && sameIds ? "none lost" : `LOST ${lost}`}`,
  );
  const names = new Map(classified.map((c) => [c.code, c]));
  console.log(
    "deferred, in priority order (municipality, status, incidence, kind, reason: count, of which past the 6-week limit):",
  );
  for (const d of plan.deferrals) {
    const c = names.get(d.municipalityCode);
    console.log(
      `  ${d.municipalityCode} ${c?.name ?? ""} (${c?.status ?? ""}, ${c?.incidence.toFixed(1) ?? ""}) ${d.siteKind} ${d.reason}: ${d.count}, gap violations ${d.gapViolations}`,
    );
  }
  const next = planWeek(
    planInputFor({ regions, municipalities, redOrders: [] }, sites, staff, {
      testWeek: { year: 2020, week: 42 },
      statusByCode,
      previousSlots: plan.slots,
      carriedOver: plan.deferred,
    }),
  );
  const carried = new Set(plan.deferred.map((d) => d.employeeId));
  const carriedPlanned = next.tests.filter((t) => carried.has(t.employeeId)).length;
  console.log(
    `week 42 with the ${carried.size} carried over: ${carriedPlanned} of them planned first, ${next.deferred.filter((d) => carried.has(d.employeeId)).length} deferred again, ${next.changes.carriedOverDropped} no longer owed (left); ${next.tests.length} tests in all, ${next.deferred.length} deferred`,
  );
}

/** Runs of each measurement per scale (the median is reported). */
const REPEATS = 3;

/** The run with the median value of `key` (an odd count of runs). */
function medianBy<T>(runs: readonly T[], key: (run: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error("no runs to take a median of");
  return middle;
}

async function main(): Promise<void> {
  const [phase, scaleArg, dirArg, extra] = process.argv.slice(2);
  if (phase === "--whole" || phase === "--floor") {
    const meta = JSON.parse(await readFile(join(dirArg ?? "", "meta.json"), "utf8")) as Meta;
    if (meta.scale !== scaleArg) throw new Error(`meta.json is for ${meta.scale}, expected ${scaleArg}`);
    const result =
      phase === "--whole"
        ? await runWhole(meta)
        : await runFloor(meta, JSON.parse(extra ?? "{}") as Record<string, number>);
    process.stdout.write(JSON.stringify(result));
    return;
  }
  console.log(`testrota planner benchmark — Node ${process.version}`);
  const base = await mkdtemp(join(tmpdir(), "testrota-bench-"));
  try {
    const reports: ScaleReport[] = [];
    for (const scale of ["denmark", "germany"] as const) {
      const meta = await prepare(scale, base);
      collectGarbage();
      // Whole run and floor alternate, each REPEATS times in fresh processes; the median of each
      // is reported, so one noisy run (other load on a 2-core machine) does not decide the ratio.
      const wholes: WholeResult[] = [];
      const floors: FloorResult[] = [];
      for (let round = 0; round < REPEATS; round++) {
        const whole = await runChild<WholeResult>(["--whole", scale, meta.dir]);
        wholes.push(whole);
        floors.push(
          await runChild<FloorResult>(["--floor", scale, meta.dir, JSON.stringify(whole.rowsByMunicipality)]),
        );
      }
      const whole = medianBy(wholes, (r) => r.wallMs);
      const floor = medianBy(floors, (r) => r.wallMs);
      const report = { meta, whole, floor };
      printScale(report);
      reports.push(report);
      await rm(meta.dir, { recursive: true, force: true });
    }
    printTargets(reports);
    await runAutumn();
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
