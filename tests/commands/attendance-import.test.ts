/*
 * `attendance import` and `attendance list` on a store holding the final rota of test week
 * 2020-W41 (published by the run of 2020-W40): three tests in Lejre (350), one in Ærø (492).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import type { PlannedTest } from "../../src/domain/plan-types.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import { createRunFixture, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

type Result = { code: number; stdout: string; stderr: string };

let fixture: RunFixture;
let returns: string;

function planned(employeeId: string, municipalityCode: number, date: string): PlannedTest {
  return {
    employeeId,
    siteId: `S${String(municipalityCode).padStart(4, "0")}-NH01`,
    municipalityCode,
    regionCode: 1085,
    date,
    weekday: 1,
    shift: "day",
    reason: "cycle",
  };
}

beforeEach(async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
  });
  const store = openStateStore(join(fixture.dataDir, "testrota.sqlite"));
  await store.commitWeek({
    week: { year: 2020, week: 40 },
    runId: "run-40",
    classifications: [],
    cadence: new Map(),
    inputDigest: "d".repeat(64),
    plan: weekPlanOf(
      { year: 2020, week: 41 },
      {
        tests: [
          planned("L-1", 350, "2020-10-05"),
          planned("L-2", 350, "2020-10-05"),
          planned("L-3", 350, "2020-10-06"),
          planned("A-1", 492, "2020-10-07"),
        ],
      },
    ),
  });
  await store.close();
  returns = join(fixture.dir, "returns");
  mkdirSync(returns, { recursive: true });
});

afterEach(() => fixture.cleanup());

async function cli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = { TESTROTA_AUTHOR: "kl-anne" },
): Promise<Result> {
  const result = { code: 0, stdout: "", stderr: "" };
  const io = {
    stdout: (text: string) => void (result.stdout += text),
    stderr: (text: string) => void (result.stderr += text),
  };
  result.code = await runCli([...args, "--config", fixture.configFile], io, {
    env: { LOG_LEVEL: "silent", ...env },
  });
  return result;
}

function write(name: string, lines: string[]): string {
  const path = join(returns, name);
  writeFileSync(path, `employee_id;date;shift;outcome\n${lines.join("\n")}\n`);
  return path;
}

const LEJRE = ["L-1;2020-10-05;day;taken", "L-2;2020-10-05;day;absent", "L-3;2020-10-06;day;taken"];

type Listed = {
  municipalities: {
    municipalityCode: number;
    planned: number;
    returned: boolean;
    taken: number;
    absent: number;
    notReported: number;
    author: string | null;
  }[];
  audit: {
    municipalityCode: number;
    action: string;
    author: string;
    oldDigest: string | null;
    newDigest: string;
    oldCounts: unknown;
    newCounts: unknown;
  }[];
};

async function list(): Promise<Listed> {
  const result = await cli(["attendance", "list", "--week", "2020-W41", "--json"]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Listed;
}

describe("attendance import", () => {
  it("imports, re-imports the same file without change, and replaces with a correction (audited)", async () => {
    const file = write("350.csv", LEJRE);
    const first = await cli(["attendance", "import", "--week", "2020-W41", file]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toBe(
      "350 Lejre, test week 2020-W41: imported (3 tests: 2 taken, 0 declined, 1 absent, 0 blank)\n",
    );
    const again = await cli(["attendance", "import", "--week", "2020-W41", file], {
      TESTROTA_AUTHOR: "kl-bo",
    });
    expect(again.stdout).toBe(
      "350 Lejre, test week 2020-W41: unchanged (the same content as the return on record)\n",
    );
    const before = await list();
    expect(before.audit).toHaveLength(1);

    const corrected = write("350.csv", [
      "L-1;2020-10-05;day;taken",
      "L-2;2020-10-05;day;taken",
      "L-3;2020-10-06;day;",
    ]);
    const replaced = await cli([
      "attendance",
      "import",
      "--week",
      "2020-W41",
      corrected,
      "--author",
      "kl-bo",
      "--json",
    ]);
    expect(replaced.code).toBe(0);
    const json = JSON.parse(replaced.stdout) as {
      results: { action: string; counts: unknown; previousCounts: unknown }[];
    };
    expect(json.results).toMatchObject([
      {
        action: "replaced",
        counts: { rows: 3, taken: 2, declined: 0, absent: 0, blank: 1 },
        previousCounts: { rows: 3, taken: 2, declined: 0, absent: 1, blank: 0 },
      },
    ]);
    const after = await list();
    expect(after.municipalities).toMatchObject([
      {
        municipalityCode: 350,
        planned: 3,
        returned: true,
        taken: 2,
        absent: 0,
        notReported: 1,
        author: "kl-bo",
      },
      {
        municipalityCode: 492,
        planned: 1,
        returned: false,
        taken: 0,
        absent: 0,
        notReported: 1,
        author: null,
      },
    ]);
    expect(after.audit.map((a) => [a.action, a.author])).toEqual([
      ["imported", "kl-anne"],
      ["replaced", "kl-bo"],
    ]);
    expect(after.audit[1]?.oldDigest).toBe(after.audit[0]?.newDigest);
    expect(after.audit[1]?.newDigest).not.toBe(after.audit[0]?.newDigest);
    // Counts only: no employee id in what `list` prints.
    expect(JSON.stringify(after)).not.toMatch(/L-\d/);
  });

  it("one bad file stops the whole import: every problem with file:line, nothing recorded (exit 65)", async () => {
    const good = write("350.csv", LEJRE);
    const bad = write("492.csv", ["A-1;2020-10-07;day;maybe", "A-9;2020-10-07;day;taken"]);
    const result = await cli(["attendance", "import", "--week", "2020-W41", good, bad]);
    expect(result.code).toBe(65);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        `${bad}:2: outcome: expected taken, declined or absent (or taget, afslået, fraværende), or blank when not known, found a value of 5 characters`,
        `${bad}:3: employee_id: expected an employee id with a test in the rota of 492 Ærø for test week 2020-W41, found an id with none`,
        "testrota attendance import: 2 problems; nothing imported",
        "",
      ].join("\n"),
    );
    expect((await list()).audit).toEqual([]);
  });

  it.each([
    {
      name: "no author anywhere",
      args: ["attendance", "import", "--week", "2020-W41", "x.csv"],
      env: {},
      message:
        "testrota attendance import: --author: missing, expected who decides (or set $TESTROTA_AUTHOR; $USER is not set)",
    },
    {
      name: "no file",
      args: ["attendance", "import", "--week", "2020-W41"],
      env: { TESTROTA_AUTHOR: "kl" },
      message:
        "testrota attendance import: FILE: missing, expected at least one return (a .csv or the returned .xlsx)",
    },
    {
      name: "a week without a published rota",
      args: ["attendance", "import", "--week", "2020-W44", "x.csv"],
      env: { TESTROTA_AUTHOR: "kl" },
      message:
        "testrota attendance import: --week: test week 2020-W44 has no published rota in the store (it comes from the run of 2020-W43), expected a test week testrota planned",
    },
  ])("usage: $name (exit 64)", async ({ args, env, message }) => {
    const result = await cli(args, env);
    expect(result.code).toBe(64);
    expect(result.stderr.split("\n")[0]).toBe(message);
  });
});
