/*
 * retention.weeks end to end: two installations run 2020-W38 … 2020-W41 from SSI's later files,
 * one keeping a single week re-runnable (every run prunes the rest), one keeping a year. Pruning
 * must not change any published week (the next week after a prune is the same as without it), a
 * re-run of the kept week must publish the same folder, and every run logs its phase timings and
 * writes them with `--timings FILE`, never into the folder.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { weekRange, type IsoWeek } from "../../src/domain/calendar.ts";
import { createApp } from "../../src/worker/app.ts";
import { createCapturingLogger, type CapturedLog } from "../support/capturing-logger.ts";
import { createRunFixture, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";

const WEEKS = weekRange({ year: 2020, week: 38 }, { year: 2020, week: 41 });
const PHASES = [
  "reconcile",
  "load",
  "attendance",
  "fetch",
  "state",
  "classify",
  "plan",
  "lookahead",
  "files",
  "workbook",
  "site-sheet",
  "site-calendar",
  "routes",
  "publish",
  "store",
  "prune",
];

type Installation = { fixture: RunFixture; logs: CapturedLog[] };

function install(retentionWeeks: number): RunFixture {
  return createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    json.source = {
      type: "ssi",
      timeSeries: "demo/ssi/late/Municipality_cases_time_series.csv",
      testPos: "demo/ssi/late/Municipality_test_pos.csv",
    };
    json.retention = { weeks: retentionWeeks };
  });
}

async function runWeeks(fixture: RunFixture, weeks: readonly IsoWeek[]): Promise<CapturedLog[]> {
  const { logger, lines } = createCapturingLogger("info");
  const app = await createApp({ config: fixture.config(), logger });
  try {
    for (const week of weeks) await app.runWeek(week, { trigger: "cli" });
  } finally {
    await app.close();
  }
  return lines;
}

function digest(fixture: RunFixture, folder: string): string {
  return createHash("sha256")
    .update(readFileSync(join(fixture.outDir, folder, "manifest.json")))
    .digest("hex");
}

/** The distinct weeks of `table`, read from the store file itself, as an operator's sqlite3 would. */
function weeksIn(fixture: RunFixture, table: "slot_snapshots" | "raw_captures"): string[] {
  const db = new DatabaseSync(join(fixture.dataDir, "testrota.sqlite"), { readOnly: true });
  try {
    return (db.prepare(`SELECT DISTINCT week FROM ${table} ORDER BY week`).all() as { week: string }[]).map(
      (row) => row.week,
    );
  } finally {
    db.close();
  }
}

const slotWeeks = (fixture: RunFixture) => weeksIn(fixture, "slot_snapshots");

async function cli(fixture: RunFixture, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const io = { stdout: (text: string) => (stdout += text), stderr: () => undefined };
  const code = await runCli([...args, "--config", fixture.configFile], io, { env: { LOG_LEVEL: "silent" } });
  return { code, stdout };
}

let pruned: Installation;
let kept: Installation;

beforeAll(async () => {
  pruned = { fixture: install(1), logs: [] };
  kept = { fixture: install(52), logs: [] };
  pruned.logs = await runWeeks(pruned.fixture, WEEKS);
  kept.logs = await runWeeks(kept.fixture, WEEKS);
}, 600_000);

afterAll(() => {
  pruned.fixture.cleanup();
  kept.fixture.cleanup();
});

describe("retention.weeks 1 against 52, 2020-W38 … 2020-W41", () => {
  it("publishes the same folders: the week after a prune plans from everything it needs", () => {
    for (const week of ["2020-W38", "2020-W39", "2020-W40", "2020-W41"]) {
      expect(digest(pruned.fixture, week), week).toBe(digest(kept.fixture, week));
    }
  });

  it("keeps only the latest week re-runnable: its slot snapshot, the one before, its raw capture", () => {
    expect(slotWeeks(pruned.fixture)).toEqual(["2020-W40", "2020-W41"]);
    expect(weeksIn(pruned.fixture, "raw_captures")).toEqual(["2020-W41"]);
    expect(slotWeeks(kept.fixture)).toEqual(["2020-W38", "2020-W39", "2020-W40", "2020-W41"]);
    expect(weeksIn(kept.fixture, "raw_captures")).toEqual(["2020-W38", "2020-W39", "2020-W40", "2020-W41"]);
    // The captures are in the store: the data directory has no raw/ folder any more.
    expect(readdirSync(pruned.fixture.dataDir)).not.toContain("raw");
  });

  it("logs one line of phase timings per run, every phase in it", () => {
    for (const { logs } of [pruned, kept]) {
      const lines = logs.filter((line) => line.msg === "run phases");
      expect(lines.map((line) => line.week)).toEqual(["2020-W38", "2020-W39", "2020-W40", "2020-W41"]);
      for (const line of lines) {
        const phases = line.phases as Record<string, number>;
        expect(Object.keys(phases)).toEqual(PHASES);
        for (const seconds of Object.values(phases)) expect(seconds).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("re-runs the kept week into the same folder after the prune, timings in --timings FILE only", async () => {
    const before = digest(pruned.fixture, "2020-W41");
    const timings = join(pruned.fixture.dir, "timings.json");
    const rerun = await cli(pruned.fixture, ["run", "--week", "2020-W41", "--json", "--timings", timings]);
    expect(rerun.code).toBe(0);
    const [report] = JSON.parse(rerun.stdout) as { changed: boolean }[];
    expect(report?.changed).toBe(false);
    expect(digest(pruned.fixture, "2020-W41")).toBe(before);
    const written = JSON.parse(readFileSync(timings, "utf8")) as {
      week: string;
      seconds: number;
      phases: Record<string, number>;
    };
    expect(written.week).toBe("2020-W41");
    expect(Object.keys(written.phases)).toEqual(PHASES);
    const sum = Object.values(written.phases).reduce((a, b) => a + b, 0);
    expect(written.seconds).toBeCloseTo(sum, 1);
    const manifest = readFileSync(join(pruned.fixture.outDir, "2020-W41", "manifest.json"), "utf8");
    expect(manifest).not.toContain("timings");
  });

  it("finds nothing left to prune (testrota prune --dry-run --json)", async () => {
    const result = await cli(pruned.fixture, ["prune", "--dry-run", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dryRun: true,
      retentionWeeks: 1,
      latestWeek: "2020-W41",
      firstKeptWeek: "2020-W41",
      rows: { cycleSlots: 0, slotSnapshotWeeks: [], deferredTests: 0, plannedTests: 0 },
      rawCaptureWeeks: [],
    });
  });
});
