/*
 * The CLI end to end: `runCli(argv, io, { env })` on a throw-away installation (the bundled
 * config, a small demo roster), always with `--config` and an explicit environment, so neither
 * the process's working directory nor its variables matter. Expected values come from the SSI
 * files, the published CSVs and the calendar worked out by hand, never from the code's report.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeFailure, runCli } from "../src/cli.ts";
import { generateDemoInput } from "../src/roster/generate-demo.ts";
import { readReference } from "../src/roster/read-reference.ts";
import { handCounts, readPublishedCsv } from "./support/published-files.ts";
import { createRunFixture, SMALL_ROSTER, useFileRoster, type RunFixture } from "./support/run-fixture.ts";

/** Run of 2020-W40 (Wednesday 2020-09-30): the window D−8 … D−2. */
const W40_WINDOW = { start: "2020-09-22", end: "2020-09-28" } as const;

type Result = { code: number; stdout: string; stderr: string };

let fixtures: RunFixture[] = [];

afterEach(() => {
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

/** Runs the CLI as the entry point does (failures mapped to exit code and one line on stderr). */
async function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const result = { code: 0, stdout: "", stderr: "" };
  const io = {
    stdout: (text: string) => {
      result.stdout += text;
    },
    stderr: (text: string) => {
      result.stderr += text;
    },
  };
  result.code = await runCli(args, io, { env: { LOG_LEVEL: "silent", ...env } });
  return result;
}

/** `run` with `--config` of the fixture and an author. */
function cli(fixture: RunFixture, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return run([...args, "--config", fixture.configFile], { TESTROTA_AUTHOR: "tester", ...env });
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

function patchConfig(fixture: RunFixture, patch: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(fixture.configFile, "utf8")) as Record<string, unknown>;
  patch(json);
  writeFileSync(fixture.configFile, JSON.stringify(json));
}

describe("validate", () => {
  it("accepts the bundled installation and prints the counts", async () => {
    const fx = useFixture();
    const result = await cli(fx, ["validate"]);
    expect(result.code).toBe(0);
    const reference = await readReference(fx.config().reference);
    const { sites, staff } = generateDemoInput({ municipalities: reference, ...SMALL_ROSTER });
    expect(reference).toHaveLength(98);
    expect(result.stdout).toBe(
      `${fx.configFile}: config ok\ninputs ok (98 municipalities, ${sites.length} sites, ${staff.length} staff)\n`,
    );
  });

  it("lists every config problem as file: JSON path: message (exit 78)", async () => {
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
          reason: "t",
        },
      ];
    });
    const result = await cli(fx, ["validate"]);
    expect(result.code).toBe(78);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      `${fx.configFile}: thresholdPer100k: Invalid input: expected number, received string`,
      `${fx.configFile}: regions[2].labCapacityPerDay: Invalid input: expected number, received undefined`,
      `${fx.configFile}: overrides[0].from: got "2020-W60", expected an existing ISO week (W01–W52/W53)`,
    ]);

    const json = await cli(fx, ["validate", "--json"]);
    expect(json.code).toBe(78);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; problems: { path: string }[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.problems.map((p) => p.path)).toEqual([
      "thresholdPer100k",
      "regions[2].labCapacityPerDay",
      "overrides[0].from",
    ]);
  });

  it("names the roster file, line and column of a row with an unknown shift (exit 65)", async () => {
    const fx = useFixture();
    const { rosterDir } = await useFileRoster(fx);
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

    const result = await cli(fx, ["validate"]);
    expect(result.code).toBe(65);
    const lines2 = result.stdout.trimEnd().split("\n");
    // The config line, the one problem (the bad value is described, never echoed), the verdict.
    expect(lines2).toHaveLength(3);
    expect(lines2[0]).toBe(`${fx.configFile}: config ok`);
    expect(lines2[1]).toMatch(new RegExp(`^${rosterFile}:4: shift: .*day, evening or night`));
    expect(lines2[1]).not.toContain("morning");
    expect(lines2[2]).toMatch(/^1 problem in 1 file \(read: 98 municipalities, \d+ sites, \d+ staff\)$/);

    const json = await cli(fx, ["validate", "--json"]);
    expect(json.code).toBe(65);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      problems: [{ file: rosterFile, line: 4, column: "shift" }],
    });
  });
});

/*
 * The config mistakes of issue 8, through the commands an operator runs: each exits 78 with the
 * file and JSON path, none reaches the user as "internal error" (ENOENT, "Invalid time value").
 */
const configMistakes = [
  {
    name: "an unknown key (thresholdPer100K)",
    patch: (json: Record<string, unknown>) => {
      json.thresholdPer100K = 20;
    },
    says: "thresholdPer100K: unknown key, did you mean `thresholdPer100k`?",
  },
  {
    name: "an unknown worker key (worker.tmie)",
    patch: (json: Record<string, unknown>) => {
      json.worker = { tmie: "10:00" };
    },
    says: "worker.tmie: unknown key, did you mean `time`?",
  },
  {
    name: "a misspelt zone",
    patch: (json: Record<string, unknown>) => {
      json.timezone = "Europe/Copenhagn";
    },
    says: 'timezone: got "Europe/Copenhagn", expected an IANA time zone like Europe/Copenhagen',
  },
  {
    name: "a missing sites file",
    patch: (json: Record<string, unknown>) => {
      delete json.demoRoster;
      json.sites = "input/sites.csv";
      json.roster = { dir: "demo" };
    },
    says: "sites: ",
  },
  {
    name: "a missing reference file",
    patch: (json: Record<string, unknown>) => {
      json.reference = "reference/municipalities.csv";
    },
    says: "reference: ",
  },
];
const commands = [["validate"], ["run", "--week", "2020-W40"], ["status"], ["worker"]];

describe("config mistakes never reach the user as an internal error", () => {
  it.each(configMistakes)("$name: exit 78 from validate, run, status and worker", async ({ patch, says }) => {
    const fx = useFixture(patch);
    for (const args of commands) {
      const result = await cli(fx, args);
      expect(result.code, args.join(" ")).toBe(78);
      const text = args[0] === "validate" ? result.stdout : result.stderr;
      expect(text, args.join(" ")).toContain(`${fx.configFile}: ${says}`);
      expect(text).not.toMatch(/internal error|ENOENT|Invalid time value/);
    }
  });

  it("an unexpected error still says internal error, and where its stack trace is", () => {
    const failure = describeFailure(
      new TypeError("Cannot read properties of undefined (reading 'x')\n    at f"),
    );
    expect(failure.code).toBe(70);
    expect(failure.message).toBe(
      `internal error: Cannot read properties of undefined (reading 'x') (a bug in testrota: the log line "internal error" holds the stack trace; please report it)`,
    );
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
    expect(text.stderr).toBe("");

    const json = await cli(fx, ["run", "--week", "2020-W40", "--json"]);
    expect(json.code).toBe(0);
    const [report] = JSON.parse(json.stdout) as {
      week: string;
      outputDir: string;
      counts: { red: number; green: number; municipalities: number };
    }[];
    expect(report?.week).toBe("2020-W40");
    expect(report?.outputDir).toBe(folder);
    expect(report?.counts).toMatchObject({ red, green, municipalities: 98 });

    const status = await cli(fx, ["status"]);
    expect(status.code).toBe(0);
    const runLines = status.stdout.split("\n").filter((line) => /^\s+2020-W40\s/.test(line));
    expect(runLines).toHaveLength(2);
    for (const line of runLines) expect(line).toMatch(/succeeded\s+cli/);
  }, 120_000);
});

describe("override", () => {
  it("add, list, apply to a run, remove", async () => {
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
    ]);
    expect(added.code).toBe(0);
    const id = /override (\S+) added/.exec(added.stdout)?.[1];
    expect(id).toBe("ovr-101-2020-W40-force-red");
    // The run of classification week 40 publishes the rota of test week 41.
    expect(added.stdout).toContain(
      "classification weeks 2020-W40..2020-W40 (rotas of test weeks 2020-W41..2020-W41)",
    );
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
      "--id",
      "STPS-2020-0042",
    ]);
    expect(second.code).toBe(0);

    const listed = await cli(fx, ["override", "list"]);
    const line101 = listed.stdout.split("\n").find((line) => line.startsWith(`${id ?? "?"} `));
    expect(line101).toMatch(
      /^ovr-101-2020-W40-force-red {2}101 {2}force-red {2}2020-W40\.\.2020-W40 {4}"STPS test" by tester at /,
    );
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
    for (const [code, row] of rows) {
      if (code === 101 || code === greenCode) continue;
      expect(row, String(code)).toMatchObject({
        raw_status: raw.get(code),
        status: raw.get(code),
        override: "",
      });
    }

    const removed = await cli(fx, ["override", "remove", "--id", id ?? "", "--author", "ops"]);
    expect(removed.code).toBe(0);
    const after = await cli(fx, ["override", "list"]);
    const removedLine = after.stdout.split("\n").find((line) => line.startsWith(`${id ?? "?"} `));
    expect(removedLine).toMatch(/REMOVED by ops at /);
    const other = after.stdout.split("\n").find((line) => line.startsWith("STPS-2020-0042 "));
    expect(other).toBeDefined();
    expect(other).not.toContain("REMOVED");
  }, 120_000);
});

describe("status, pause and resume", () => {
  // A Wednesday two weeks before the end of summer time (25 October 2020).
  const NOW = { TESTROTA_NOW: "2020-10-14T12:00:00+02:00" };

  it("prints times in the configured zone and, while paused, who paused it and why instead of next runs", async () => {
    const fx = useFixture();
    const before = await cli(fx, ["status"], NOW);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain("(times in Europe/Copenhagen)");
    expect(before.stdout).toMatch(/^paused: no$/m);
    // The 10:00 runs of the next three Wednesdays; the third is after the change to winter time.
    expect(before.stdout).toMatch(
      /^next runs: 2020-10-21T10:00:00\+02:00, 2020-10-28T10:00:00\+01:00, 2020-11-04T10:00:00\+01:00$/m,
    );

    const paused = await cli(fx, ["pause", "--note", "SSI numbers known wrong", "--author", "ops-anna"], NOW);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(
      /^scheduled runs paused since 2020-10-14T12:00:\d\d\+02:00 by ops-anna: SSI numbers known wrong\n$/,
    );
    const status = await cli(fx, ["status"], NOW);
    expect(status.stdout).toMatch(
      /^paused since 2020-10-14T12:00:\d\d\+02:00 by ops-anna: SSI numbers known wrong$/m,
    );
    expect(status.stdout).not.toContain("next runs");
    const json = await cli(fx, ["status", "--json"], NOW);
    expect(JSON.parse(json.stdout)).toMatchObject({
      timezone: "Europe/Copenhagen",
      paused: { paused: true, by: "ops-anna", note: "SSI numbers known wrong" },
      nextRuns: [],
    });

    expect((await cli(fx, ["resume"], NOW)).code).toBe(0);
    const resumed = await cli(fx, ["status"], NOW);
    expect(resumed.stdout).toMatch(/^paused: no$/m);
    expect(resumed.stdout).toContain("next runs: 2020-10-21T10:00:00+02:00");
  });

  it("pause without a note is refused with its usage (exit 64) and changes nothing", async () => {
    const fx = useFixture();
    const result = await cli(fx, ["pause"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(
      /^testrota pause: --note: missing, expected why scheduled runs are paused$/m,
    );
    expect(result.stderr).toContain("usage: testrota pause --note TEXT");
    expect((await cli(fx, ["status"])).stdout).toMatch(/^paused: no$/m);
  });
});

const COMMAND_NAMES = [
  "demo",
  "run",
  "replay",
  "whatif",
  "validate",
  "worker",
  "status",
  "override add",
  "override list",
  "override remove",
  "pause",
  "resume",
  "attendance import",
  "attendance list",
];

describe("--help per command", () => {
  it.each(COMMAND_NAMES)("%s --help prints its own usage with examples (no config needed)", async (name) => {
    const args = [...name.split(" "), "--help", "--config", "/nonexistent/testrota.json"];
    const result = await run(args);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.startsWith(`usage: testrota ${name} `)).toBe(true);
    expect(result.stdout).toMatch(new RegExp(`\\nexamples:\\n(.*\\n)*  testrota ${name}`));
    expect(result.stdout).not.toContain("commands:");
    expect((await run(["help", ...name.split(" ")])).stdout).toBe(result.stdout);
  });

  it("override add --help explains that the weeks are classification weeks, with an example", async () => {
    const result = await run(["override", "add", "--help"]);
    expect(result.stdout).toContain("--from/--to are CLASSIFICATION weeks");
    expect(result.stdout).toContain("the run of week W publishes the rota of\ntest week W+1");
    expect(result.stdout).toContain(
      "# keep Vejen (575) green for the rota of test week 2020-W42: classification week 2020-W41",
    );
  });

  it("override --help lists the sub-commands; --help alone the commands", async () => {
    const group = await run(["override", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^usage: testrota override <add\|list\|remove>/);
    const general = await run(["--help"]);
    expect(general.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(general.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
  });
});

describe("usage mistakes: exit 64 with that command's usage", () => {
  const cases = [
    {
      args: ["run", "--week", "2020-W99"],
      says: 'testrota run: --week: got "2020-W99", expected an ISO week like 2020-W44',
      usage: "run",
    },
    { args: ["run", "--wek", "2020-W40"], says: "testrota run: Unknown option '--wek'", usage: "run" },
    {
      args: ["replay", "--from", "2020-W40"],
      says: "testrota replay: --to: missing, expected an ISO week like 2020-W44",
      usage: "replay",
    },
    {
      args: ["replay", "--from", "2020-W45", "--to", "2020-W41"],
      says: "testrota replay: --to: got 2020-W41, expected a week on or after --from 2020-W45",
      usage: "replay",
    },
    {
      args: ["override", "add", "--action", "paint-it-red"],
      says: 'testrota override add: --action: got "paint-it-red"',
      usage: "override add",
    },
    {
      args: ["override", "remove"],
      says: "testrota override remove: --id: missing",
      usage: "override remove",
    },
    { args: ["status", "extra"], says: "testrota status: Unexpected argument 'extra'", usage: "status" },
    {
      args: ["validate", "--week", "2020-W40"],
      says: "testrota validate: Unknown option '--week'",
      usage: "validate",
    },
    {
      args: ["override", "frob"],
      says: 'testrota: override: unknown sub-command "frob"',
      usage: "override <add|list|remove>",
    },
    { args: ["frobnicate"], says: 'testrota: unknown command "frobnicate"', usage: "<command>" },
    { args: [], says: "testrota: no command given", usage: "<command>" },
  ];
  it.each(cases)("testrota $args", async ({ args, says, usage }) => {
    const result = await run([...args, "--config", "/nonexistent/testrota.json"], { TESTROTA_AUTHOR: "t" });
    expect(result.code).toBe(64);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(says);
    expect(result.stderr).toContain(`\nusage: testrota ${usage}`);
  });
});

describe("--json for every command", () => {
  // Three runs of the week: a generous timeout for a shared machine.
  it("prints only JSON on stdout", async () => {
    const fx = useFixture();
    const json = async (args: string[]) => {
      const result = await cli(fx, [...args, "--json"]);
      expect(result.code, args.join(" ")).toBe(0);
      return JSON.parse(result.stdout) as Record<string, unknown> & Record<number, Record<string, unknown>>;
    };
    expect(await json(["validate"])).toMatchObject({ config: fx.configFile, ok: true, problems: [] });
    expect((await json(["run", "--week", "2020-W40"]))[0]).toMatchObject({
      week: "2020-W40",
      testWeek: "2020-W41",
    });
    expect((await json(["demo"]))[0]).toMatchObject({ week: "2020-W40", trigger: "cli" });
    expect((await json(["replay", "--from", "2020-W40", "--to", "2020-W40"]))[0]).toMatchObject({
      week: "2020-W40",
      trigger: "replay",
    });
    expect(await json(["pause", "--note", "checking"])).toMatchObject({
      paused: true,
      by: "tester",
      note: "checking",
    });
    expect(await json(["resume"])).toMatchObject({ paused: false, by: "tester" });
    const status = await json(["status"]);
    expect((status.runs as { trigger: string }[]).map((r) => r.trigger)).toEqual(["replay", "cli", "cli"]);
    const added = await json([
      "override",
      "add",
      "--municipality",
      "101",
      "--action",
      "keep-green",
      "--from",
      "2020-W41",
      "--to",
      "2020-W42",
      "--reason",
      "STPS 7",
    ]);
    expect(added).toEqual({
      added: {
        id: "ovr-101-2020-W41-keep-green",
        municipalityCode: 101,
        action: "keep-green",
        from: "2020-W41",
        to: "2020-W42",
        siteIds: [],
        reason: "STPS 7",
        author: "tester",
        createdAt: expect.any(String) as unknown,
      },
      testWeeks: "2020-W42..2020-W43",
      replaced: [],
    });
    expect(await json(["override", "list"])).toMatchObject([
      { id: "ovr-101-2020-W41-keep-green", origin: "store", removedAt: null },
    ]);
    expect(await json(["override", "remove", "--id", "ovr-101-2020-W41-keep-green"])).toMatchObject({
      removed: "ovr-101-2020-W41-keep-green",
      by: "tester",
    });
  }, 180_000);
});

describe("the config file's own overrides", () => {
  it("are listed beside the store's, marked as coming from the config", async () => {
    const fx = useFixture();
    patchConfig(fx, (json) => {
      json.overrides = [
        {
          id: "CFG-1",
          municipalityCode: 751,
          from: "2020-W41",
          to: "2020-W41",
          action: "force-red",
          reason: "cfg",
        },
      ];
    });
    const listed = await cli(fx, ["override", "list"]);
    expect(listed.stdout).toBe('CFG-1  751  force-red  2020-W41..2020-W41    "cfg" (config file)\n');
  });
});
