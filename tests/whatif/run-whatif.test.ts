import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import type { StaffMember } from "../../src/domain/roster.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { ARTIFACTS_DIR, launchChromium, openFile, saveScreenshot } from "../support/browser.ts";
import { readPublishedCsv } from "../support/published-files.ts";
import { createRunFixture, SMALL_ROSTER, useFileRoster, type RunFixture } from "../support/run-fixture.ts";

/*
 * `testrota whatif` end to end on a small installation (HR export files of the small demo roster,
 * lab capacities scaled to its size) over 2020-W40 … 2020-W50, the rise of the autumn 2020 wave,
 * from SSI's later pair. The production store and out folder hold a published week beforehand.
 * Expectations come from the CSV rows and the planner's stated rules, not from the what-if code.
 */
const REGIONS = [1081, 1082, 1083, 1084, 1085] as const;
/** The configured capacity per region: the bundled config's × 0.235 (the small roster's share of the demo's staff). */
const CAPACITY: Readonly<Record<(typeof REGIONS)[number], number>> = {
  1081: 353,
  1082: 823,
  1083: 705,
  1084: 1175,
  1085: 470,
};
/** Classification weeks 2020-W40 … 2020-W50: test weeks 2020-W41 … 2020-W51, Monday to Friday. */
const WEEKS = 11;

type Result = { code: number; stdout: string; stderr: string };
type CsvRow = Record<string, string>;
type Outcome = {
  regions: {
    code: number;
    capacityPerDay: number;
    neededPeak: number;
    neededP95: number;
    deferrals: number;
  }[];
  staffOverSixWeeks: number;
  report: string;
  csv: string;
};

let fixture: RunFixture;
let staff: StaffMember[];
let before: Map<string, string>;
let scaled: Result;
let ample: Result;
let ampleOut: string;

async function cli(args: readonly string[]): Promise<Result> {
  const result = { code: 0, stdout: "", stderr: "" };
  result.code = await runCli(
    [...args, "--config", fixture.configFile],
    { stdout: (t) => (result.stdout += t), stderr: (t) => (result.stderr += t) },
    { env: { LOG_LEVEL: "silent", TESTROTA_NOW: "2021-03-10T12:00:00+01:00" } },
  );
  return result;
}

/** sha256 of every file under `dir`, by path relative to it. */
function hashTree(dir: string, prefix = ""): Map<string, string> {
  const hashes = new Map<string, string>();
  if (!existsSync(dir)) return hashes;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      for (const [name, hash] of hashTree(path, `${prefix}${entry.name}/`)) hashes.set(name, hash);
    } else {
      hashes.set(`${prefix}${entry.name}`, createHash("sha256").update(readFileSync(path)).digest("hex"));
    }
  }
  return hashes;
}

function production(): Map<string, string> {
  const tree = new Map<string, string>();
  for (const [name, hash] of hashTree(fixture.dataDir)) tree.set(`data/${name}`, hash);
  for (const [name, hash] of hashTree(fixture.outDir)) tree.set(`out/${name}`, hash);
  return tree;
}

function readRows(file: string): CsvRow[] {
  const [header = [], ...rows] = readPublishedCsv(file);
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ""])));
}

/** Sums of a region's rows per ISO week, in week order. */
function weeklySums(
  rows: readonly CsvRow[],
  region: number,
): { week: string; [column: string]: number | string }[] {
  const weeks = new Map<string, Record<string, number>>();
  for (const row of rows.filter((r) => r.region_code === String(region))) {
    const sums = weeks.get(row.week ?? "") ?? {
      demanded: 0,
      carried_in: 0,
      planned: 0,
      deferred: 0,
      days: 0,
    };
    for (const column of ["demanded", "carried_in", "planned", "deferred"]) {
      sums[column] = (sums[column] ?? 0) + Number(row[column]);
    }
    sums.days = (sums.days ?? 0) + 1;
    weeks.set(row.week ?? "", sums);
  }
  return [...weeks].map(([week, sums]) => ({ week, ...sums }));
}

beforeAll(async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    json.regions = (json.regions as { code: number }[]).map((region) => ({
      ...region,
      labCapacityPerDay: CAPACITY[region.code as (typeof REGIONS)[number]],
    }));
  });
  await useFileRoster(fixture);
  const reference = await readReference(fixture.config().reference);
  staff = generateDemoInput({ municipalities: reference, ...SMALL_ROSTER }).staff;
  const run = await cli(["run", "--week", "2020-W40"]);
  if (run.code !== 0) throw new Error(`production run failed: ${run.stderr}`);
  before = production();

  const late = join(fixture.dir, "demo", "ssi", "late");
  scaled = await cli([
    "whatif",
    "--from",
    "2020-W40",
    "--to",
    "2020-W50",
    "--source-dir",
    late,
    "--capacity-scale",
    "0.7",
  ]);
  const capacityFile = join(fixture.dir, "ample.csv");
  writeFileSync(
    capacityFile,
    `region_code;capacity_per_day\n${REGIONS.map((r) => `${r};1000000`).join("\n")}\n`,
  );
  ampleOut = mkdtempSync(join(tmpdir(), "testrota-whatif-out-"));
  ample = await cli([
    "whatif",
    "--from",
    "2020-W40",
    "--to",
    "2020-W50",
    "--source-dir",
    late,
    "--capacity",
    capacityFile,
    "--out",
    ampleOut,
    "--json",
  ]);
}, 300_000);

afterAll(() => {
  fixture.cleanup();
  rmSync(ampleOut, { recursive: true, force: true });
});

describe("testrota whatif", () => {
  it("leaves the production store and out folder byte for byte as they were", () => {
    expect(scaled.code, scaled.stderr).toBe(0);
    expect(ample.code, ample.stderr).toBe(0);
    const after = production();
    const added = [...after.keys()].filter((name) => !before.has(name)).sort();
    expect(added).toEqual([
      "out/whatif/2020-W40_2020-W50/report.html",
      "out/whatif/2020-W40_2020-W50/whatif.csv",
    ]);
    for (const [name, hash] of before) expect(after.get(name), name).toBe(hash);
    // --out writes there, and only there.
    expect([...hashTree(ampleOut).keys()].sort()).toEqual([
      "whatif/2020-W40_2020-W50/report.html",
      "whatif/2020-W40_2020-W50/whatif.csv",
    ]);
  });

  it("with ample capacity defers nothing, and the needed capacity is the planned daily peak (and 95th percentile)", () => {
    const outcome = JSON.parse(ample.stdout) as Outcome;
    const rows = readRows(join(ampleOut, "whatif", "2020-W40_2020-W50", "whatif.csv"));
    expect(rows).toHaveLength(REGIONS.length * WEEKS * 5);
    expect(
      rows.every((row) => row.deferred === "0" && row.carried_in === "0" && row.demanded === row.planned),
    ).toBe(true);
    for (const region of REGIONS) {
      const planned = rows
        .filter((row) => row.region_code === String(region))
        .map((row) => Number(row.planned))
        .sort((a, b) => a - b);
      // Nearest rank: the 95th percentile of 55 days is the 53rd smallest (⌈0.95 × 55⌉ = 53).
      expect(outcome.regions.find((r) => r.code === region)).toMatchObject({
        capacityPerDay: 1_000_000,
        neededPeak: planned.at(-1),
        neededP95: planned[52],
        deferrals: 0,
      });
    }
    expect(outcome.staffOverSixWeeks).toBe(0);
  });

  it("with capacity × 0.7: demand = planned + deferred in every region and week, as the planner defers", () => {
    const rows = readRows(join(fixture.outDir, "whatif", "2020-W40_2020-W50", "whatif.csv"));
    expect(rows).toHaveLength(REGIONS.length * WEEKS * 5);
    for (const row of rows) expect(Number(row.demanded)).toBe(Number(row.planned) + Number(row.deferred));
    let shortWeeks = 0;
    for (const region of REGIONS) {
      const capacity = Math.round(CAPACITY[region] * 0.7);
      const weeks = weeklySums(rows, region);
      expect(weeks).toHaveLength(WEEKS);
      for (const [index, week] of weeks.entries()) {
        const { demanded, planned, deferred, carried_in: carriedIn, days } = week as Record<string, number>;
        expect(demanded, `${region} ${week.week}`).toBe((planned ?? 0) + (deferred ?? 0));
        expect(days).toBe(5);
        expect(planned).toBeLessThanOrEqual(capacity * 5);
        // The planner defers only what does not fit the week: a short week is full to capacity.
        if ((deferred ?? 0) > 0) expect(planned, `${region} ${week.week}`).toBe(capacity * 5);
        // What a week carries in is what the week before deferred (less leavers).
        const previous = weeks[index - 1] as Record<string, number> | undefined;
        expect(carriedIn).toBeLessThanOrEqual(previous?.deferred ?? 0);
        if ((deferred ?? 0) > 0) shortWeeks += 1;
      }
      expect(
        rows
          .filter((r) => r.region_code === String(region))
          .every((r) => r.capacity_per_day === String(capacity)),
      ).toBe(true);
    }
    expect(shortWeeks).toBeGreaterThan(5);
    expect(rows.reduce((sum, row) => sum + Number(row.carried_in), 0)).toBeGreaterThan(0);
  });

  it("prints the needed capacity per region (the same as with ample capacity) and where it wrote the report", () => {
    const needed = (JSON.parse(ample.stdout) as Outcome).regions;
    const lines = scaled.stdout.split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^testrota whatif 2020-W40\\.\\.2020-W50: 11 weeks replayed with ${staff.length} staff and the configured capacity × 0\\.7 in \\d+\\.\\d s$`,
      ),
    );
    expect(lines[1]).toMatch(/^region +capacity\/day +needed peak +needed p95 +deferrals +weeks short$/);
    for (const [index, region] of REGIONS.entries()) {
      const cells = (lines[2 + index] ?? "").split(/ {2,}/);
      const expected = needed.find((r) => r.code === region);
      expect(cells[0]).toMatch(new RegExp(`^${region} Region `));
      expect(cells.slice(1, 4).map(Number)).toEqual([
        Math.round(CAPACITY[region] * 0.7),
        expected?.neededPeak,
        expected?.neededP95,
      ]);
    }
    expect(scaled.stdout).toContain(
      `report: ${join(fixture.outDir, "whatif", "2020-W40_2020-W50", "report.html")}\n`,
    );
    expect(scaled.stderr).toBe("");
  });

  it("counts staff pushed past 6 weeks by deferrals, at most one per deferral", () => {
    const match = /staff past 6 weeks between tests because of deferrals: (\d+)/.exec(scaled.stdout);
    const rows = readRows(join(fixture.outDir, "whatif", "2020-W40_2020-W50", "whatif.csv"));
    const deferrals = rows.reduce((sum, row) => sum + Number(row.deferred), 0);
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(Number(match?.[1])).toBeLessThanOrEqual(deferrals);
  });

  it("holds no staff name or employee id in the report, the CSV or what it printed", () => {
    const dir = join(fixture.outDir, "whatif", "2020-W40_2020-W50");
    const shared = [
      readFileSync(join(dir, "report.html"), "utf8"),
      readFileSync(join(dir, "whatif.csv"), "utf8"),
      readFileSync(join(ampleOut, "whatif", "2020-W40_2020-W50", "report.html"), "utf8"),
      scaled.stdout,
      ample.stdout,
    ].join("\n");
    const leaked = staff.filter(
      (s) => shared.includes(s.employeeId) || (s.name !== undefined && shared.includes(s.name)),
    );
    expect(leaked).toEqual([]);
  });

  it("opens in a real browser without console errors or requests, one demand chart per region", async () => {
    const browser = await launchChromium();
    try {
      const opened = await openFile(
        browser,
        join(fixture.outDir, "whatif", "2020-W40_2020-W50", "report.html"),
      );
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.requests).toEqual([]);
      expect(await opened.page.locator('svg[role="img"][aria-labelledby^="demand-"]').count()).toBe(5);
      await saveScreenshot(opened.page, join(ARTIFACTS_DIR, "whatif-run-2020-W40_2020-W50.png"));
      await opened.close();
    } finally {
      await browser.close();
    }
  }, 60_000);

  it("refuses weeks the history does not cover, naming the week", async () => {
    const old = join(fixture.dir, "demo", "ssi", "2020-09-30");
    const result = await cli(["whatif", "--from", "2020-W40", "--to", "2020-W42", "--source-dir", old]);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(
      /^testrota: source ssi: week 2020-W41: .*the what-if needs history covering/,
    );
  });
});
