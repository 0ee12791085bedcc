/*
 * The CLI end to end: `main(argv, io)` on a throw-away installation (the bundled config, a small
 * demo roster), always with `--config` so the process's working directory never matters. Expected
 * values come from the SSI files and the published CSVs read by hand, never from the code's own
 * report.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeFailure, main } from "../src/cli.ts";
import { ConfigError, InputError } from "../src/errors.ts";
import { generateDemoInput } from "../src/roster/generate-demo.ts";
import { readReference } from "../src/roster/read-reference.ts";
import { handCounts, readPublishedCsv } from "./support/published-files.ts";
import { createRunFixture, SMALL_ROSTER, useFileRoster, type RunFixture } from "./support/run-fixture.ts";

/** Run of 2020-W40 (Wednesday 2020-09-30): the window D−8 … D−2. */
const W40_WINDOW = { start: "2020-09-22", end: "2020-09-28" } as const;

type Captured = {
  stdout: string;
  stderr: string;
  io: { stdout: (t: string) => void; stderr: (t: string) => void };
};

function captureIo(): Captured {
  const captured: Captured = {
    stdout: "",
    stderr: "",
    io: {
      stdout: (text) => {
        captured.stdout += text;
      },
      stderr: (text) => {
        captured.stderr += text;
      },
    },
  };
  return captured;
}

let fixtures: RunFixture[] = [];

beforeEach(() => {
  // Only the flags of each test decide where the CLI reads and writes.
  for (const name of ["TESTROTA_CONFIG", "TESTROTA_DATA_DIR", "TESTROTA_OUT_DIR", "TESTROTA_NOW"]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv("LOG_LEVEL", "silent");
});

afterEach(() => {
  vi.unstubAllEnvs();
  for (const fixture of fixtures) fixture.cleanup();
  fixtures = [];
});

function useFixture(patch?: (json: Record<string, unknown>) => void): RunFixture {
  const fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    patch?.(json);
  });
  fixtures.push(fixture);
  return fixture;
}

/** Runs the CLI with `--config`; returns the exit code and what it printed. */
async function cli(fixture: RunFixture, args: readonly string[]): Promise<Captured & { code: number }> {
  const captured = captureIo();
  const code = await main([...args, "--config", fixture.configFile], captured.io);
  return { ...captured, code };
}

/** The CLI's failure, as the entry point would see it. */
async function cliFailure(fixture: RunFixture, args: readonly string[]): Promise<unknown> {
  return cli(fixture, args).then(
    (result) => {
      throw new Error(`expected a failure, got exit ${result.code}: ${result.stdout}${result.stderr}`);
    },
    (error: unknown) => error,
  );
}

function readClassification(outDir: string, week: string): Map<number, Record<string, string>> {
  const [header = [], ...rows] = readPublishedCsv(join(outDir, week, "classification.csv"));
  return new Map(
    rows.map((row) => [Number(row[0]), Object.fromEntries(header.map((name, i) => [name, row[i] ?? ""]))]),
  );
}

/** Raw status per municipality code recomputed by hand from SSI's files of 30 September 2020. */
function handRawStatus(start: string, end: string): Map<number, "red" | "green"> {
  return new Map(
    [...handCounts("2020-09-30", start, end)].map(([code, c]) => [
      code,
      c.cases * 100_000 >= 20 * c.population ? "red" : "green",
    ]),
  );
}

describe("validate", () => {
  it("accepts the bundled installation and prints the counts", async () => {
    const fx = useFixture();
    const result = await cli(fx, ["validate"]);
    expect(result.code).toBe(0);
    const reference = await readReference(fx.config().reference);
    const { sites, staff } = generateDemoInput({ municipalities: reference, ...SMALL_ROSTER });
    expect(result.stdout).toContain(fx.configFile);
    expect(result.stdout).toContain(`${reference.length} municipalities`);
    expect(result.stdout).toContain(`${sites.length} sites`);
    expect(result.stdout).toContain(`${staff.length} staff`);
    expect(reference).toHaveLength(98);
  });

  it("lists every config problem as file: JSON path: message (exit 78, one line)", async () => {
    const fx = useFixture((json) => {
      json.thresholdPer100k = "x";
      const regions = json.regions as Record<string, unknown>[];
      delete regions[2]?.labCapacityPerDay;
      json.overrides = [
        {
          id: "STPS-1",
          municipalityCode: 101,
          from: "2020-W60",
          to: "2020-W40",
          action: "keep-green",
          reason: "test",
        },
      ];
    });
    const error = await cliFailure(fx, ["validate"]);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    for (const path of ["thresholdPer100k", "regions[2].labCapacityPerDay", "overrides[0].from"]) {
      expect(
        issues.some((issue) => issue.startsWith(`${fx.configFile}: ${path}: `)),
        `${path} in ${JSON.stringify(issues)}`,
      ).toBe(true);
    }
    // Each issue is exactly `file: path: message`, with a message.
    for (const issue of issues) expect(issue).toMatch(/^.+\.json: [^:]+: \S.*$/);
    const failure = describeFailure(error);
    expect(failure.code).toBe(78);
    expect(failure.message).not.toContain("\n");
    for (const path of ["thresholdPer100k", "regions[2].labCapacityPerDay", "overrides[0].from"]) {
      expect(failure.message).toContain(path);
    }
    expect(existsSync(fx.dataDir)).toBe(false);
  });

  it("names the roster file and line of a row with an unknown shift (exit 65)", async () => {
    const fx = useFixture();
    const { rosterDir } = await useFileRoster(fx);

    // The written files are valid as they are.
    expect((await cli(fx, ["validate"])).code).toBe(0);

    const rosterFile = join(rosterDir, "751.csv");
    const lines = readFileSync(rosterFile, "utf8").split("\n");
    // Line 1 is the header: line 4 of the file is lines[3]. Columns: id;name;site;shift;start;end.
    const cells = (lines[3] ?? "").split(";");
    expect(cells).toHaveLength(6);
    expect(["day", "evening", "night"]).toContain(cells[3]);
    cells[3] = "morning";
    lines[3] = cells.join(";");
    writeFileSync(rosterFile, lines.join("\n"));

    const error = await cliFailure(fx, ["validate"]);
    expect(error).toBeInstanceOf(InputError);
    const failure = describeFailure(error);
    expect(failure.code).toBe(65);
    expect(failure.message).toContain(`${rosterFile}: line 4`);
    expect(failure.message).toMatch(/shift/);
    expect(failure.message).not.toContain("\n");
  });
});

describe("run", () => {
  it("prints a short summary naming the week, the red/green counts and the folder; --json parses", async () => {
    const fx = useFixture();
    const text = await cli(fx, ["run", "--week", "2020-W40"]);
    expect(text.code).toBe(0);
    const folder = join(fx.outDir, "2020-W40");
    const statuses = [...readClassification(fx.outDir, "2020-W40").values()].map((row) => row.status);
    expect(statuses).toHaveLength(98);
    const red = statuses.filter((s) => s === "red").length;
    const green = statuses.filter((s) => s === "green").length;
    expect(red + green).toBe(98);
    expect(text.stdout).toContain("2020-W40");
    expect(text.stdout).toContain(`${red} red, ${green} green`);
    expect(text.stdout).toContain(folder);
    expect(text.stdout.split("\n").length).toBeLessThan(15);
    // No staff data in the summary: only counts.
    expect(text.stderr).toBe("");

    const json = await cli(fx, ["run", "--week", "2020-W40", "--json"]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as unknown;
    const report = (Array.isArray(parsed) ? parsed[0] : parsed) as {
      week: string;
      outputDir: string;
      counts: { red: number; green: number; municipalities: number };
    };
    expect(report.week).toBe("2020-W40");
    expect(report.outputDir).toBe(folder);
    expect(report.counts).toMatchObject({ red, green, municipalities: 98 });

    const status = await cli(fx, ["status"]);
    expect(status.code).toBe(0);
    const runLines = status.stdout.split("\n").filter((line) => /^\s+2020-W40\s/.test(line));
    expect(runLines).toHaveLength(2);
    for (const line of runLines) expect(line).toMatch(/succeeded\s+cli/);
  });
});

describe("override", () => {
  it("add, list, apply to a run, remove; an invalid add lists every problem", async () => {
    const fx = useFixture();
    const raw = handRawStatus(W40_WINDOW.start, W40_WINDOW.end);
    // A municipality the data calls green, so that force-red visibly changes its status.
    const greenCode = [...raw].find(([, status]) => status === "green")?.[0];
    expect(greenCode).toBeDefined();

    const added = await cli(fx, [
      "override",
      "add",
      "--municipality",
      "101",
      "--action",
      "force-red",
      "--from",
      "2020-W40",
      "--to",
      "2020-W40",
      "--reason",
      "STPS test",
      "--author",
      "tester",
    ]);
    expect(added.code).toBe(0);
    const id = /override (\S+) added/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    const second = await cli(fx, [
      "override",
      "add",
      "--municipality",
      String(greenCode),
      "--action",
      "force-red",
      "--from",
      "2020-W39",
      "--to",
      "2020-W41",
      "--reason",
      "STPS outbreak",
      "--author",
      "tester",
      "--id",
      "STPS-2020-0042",
    ]);
    expect(second.code).toBe(0);

    const listed = await cli(fx, ["override", "list"]);
    const line101 = listed.stdout.split("\n").find((line) => line.startsWith(`${id ?? "?"} `));
    expect(line101).toBeDefined();
    expect(line101).toMatch(/\b101\b/);
    expect(line101).toContain("force-red");
    expect(line101).toContain("2020-W40");
    expect(line101).toContain("STPS test");
    expect(line101).toContain("by tester");
    expect(line101).not.toContain("REMOVED");
    expect(listed.stdout).toContain("STPS-2020-0042");

    expect((await cli(fx, ["run", "--week", "2020-W40"])).code).toBe(0);
    const rows = readClassification(fx.outDir, "2020-W40");
    expect(rows.get(101)).toMatchObject({ raw_status: raw.get(101), status: "red", override: id });
    expect(rows.get(greenCode ?? 0)).toMatchObject({
      raw_status: "green",
      status: "red",
      override: "STPS-2020-0042",
    });
    // Every other municipality keeps the data's status and has no override.
    for (const [code, row] of rows) {
      if (code === 101 || code === greenCode) continue;
      expect(row, String(code)).toMatchObject({
        raw_status: raw.get(code),
        status: raw.get(code),
        override: "",
      });
    }

    const removed = await cli(fx, ["override", "remove", "--id", id ?? "", "--author", "tester"]);
    expect(removed.code).toBe(0);
    const after = await cli(fx, ["override", "list"]);
    const removedLine = after.stdout.split("\n").find((line) => line.startsWith(`${id ?? "?"} `));
    expect(removedLine).toMatch(/REMOVED by tester/);
    const other = after.stdout.split("\n").find((line) => line.startsWith("STPS-2020-0042 "));
    expect(other).toBeDefined();
    expect(other).not.toContain("REMOVED");

    const error = await cliFailure(fx, [
      "override",
      "add",
      "--municipality",
      "999",
      "--action",
      "paint-it-red",
      "--from",
      "2020-W40",
      "--to",
      "2020-W40",
      "--reason",
      "nope",
    ]);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(2);
    expect(issues.some((issue) => issue.startsWith("--municipality:") && issue.includes("999"))).toBe(true);
    expect(issues.some((issue) => issue.startsWith("--action:") && issue.includes("paint-it-red"))).toBe(
      true,
    );
    expect(describeFailure(error).code).toBe(78);
    // The rejected decision was not stored.
    expect((await cli(fx, ["override", "list"])).stdout).not.toContain("999");
  });
});

describe("pause, resume and status", () => {
  it("shows the pause with its note, then not paused after resume", async () => {
    const fx = useFixture();
    const before = await cli(fx, ["status"]);
    expect(before.stdout).toMatch(/^paused: no$/m);

    expect((await cli(fx, ["pause", "--note", "SSI numbers known wrong", "--author", "tester"])).code).toBe(
      0,
    );
    const paused = await cli(fx, ["status"]);
    expect(paused.stdout).toMatch(/^paused: yes \(SSI numbers known wrong, by tester at .+\)$/m);
    const json = await cli(fx, ["status", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      paused: { paused: true, note: "SSI numbers known wrong" },
    });

    expect((await cli(fx, ["resume"])).code).toBe(0);
    expect((await cli(fx, ["status"])).stdout).toMatch(/^paused: no$/m);
  });
});

describe("usage", () => {
  it("an unknown command exits 64 with the usage on stderr", async () => {
    const fx = useFixture();
    const result = await cli(fx, ["frobnicate"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("frobnicate");
    expect(result.stderr).toContain("usage: testrota");
    expect(result.stdout).toBe("");
  });

  it("no command exits 64 and prints the usage", async () => {
    const fx = useFixture();
    const result = await cli(fx, []);
    expect(result.code).toBe(64);
    expect(`${result.stdout}${result.stderr}`).toContain("usage: testrota");
  });

  it("--help exits 0", async () => {
    const fx = useFixture();
    const result = await cli(fx, ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: testrota");
  });
});
