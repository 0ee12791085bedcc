/*
 * `override add` refuses what an operator most likely did not mean: a reversed range, an unknown
 * municipality or site, a site of another municipality, and a decision that contradicts one in
 * force, unless --replace withdraws that one (audited). Site ids are those of the demo roster
 * (seed 7): `S<code, 4 digits>-NH01` is the first nursing home of every municipality.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { contradicts } from "../../src/commands/override-add.ts";
import type { Override } from "../../src/domain/classify.ts";
import { createRunFixture, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";

type Result = { code: number; stdout: string; stderr: string };

let fixture: RunFixture;

beforeEach(async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    // A decision of the config file: 101 København kept green for classification week 41.
    json.overrides = [
      {
        id: "CFG-1",
        municipalityCode: 101,
        from: "2020-W41",
        to: "2020-W41",
        action: "keep-green",
        reason: "cfg",
      },
    ];
  });
  // A decision in the store: 575 Vejen forced red for classification weeks 40–42.
  const seeded = await cli(
    add("575", "force-red", "2020-W40", "2020-W42", ["--id", "STPS-1", "--reason", "STPS 2020-1"]),
  );
  expect(seeded.code).toBe(0);
});

afterEach(() => {
  fixture.cleanup();
});

async function cli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = { TESTROTA_AUTHOR: "stps-lone" },
): Promise<Result> {
  const result = { code: 0, stdout: "", stderr: "" };
  const io = {
    stdout: (text: string) => {
      result.stdout += text;
    },
    stderr: (text: string) => {
      result.stderr += text;
    },
  };
  result.code = await runCli([...args, "--config", fixture.configFile], io, {
    env: { LOG_LEVEL: "silent", ...env },
  });
  return result;
}

function add(municipality: string, action: string, from: string, to: string, extra: string[] = []): string[] {
  const reason = extra.includes("--reason") ? [] : ["--reason", "STPS case"];
  return [
    "override",
    "add",
    "--municipality",
    municipality,
    "--action",
    action,
    "--from",
    from,
    "--to",
    to,
    ...reason,
    ...extra,
  ];
}

type Listed = {
  id: string;
  origin: string;
  removedAt: string | null;
  removedBy: string | null;
  removalNote: string | null;
  author: string | null;
};

async function listed(): Promise<Listed[]> {
  return JSON.parse((await cli(["override", "list", "--json"])).stdout) as Listed[];
}

const refusals = [
  {
    name: "a reversed range",
    args: add("575", "keep-green", "2020-W45", "2020-W41"),
    says: ["testrota override add: --to: got 2020-W41, expected a week on or after --from 2020-W45"],
    usage: true,
  },
  {
    name: "an unknown municipality",
    args: add("999", "keep-green", "2020-W41", "2020-W41"),
    says: ["testrota override add: --municipality: got 999, expected one of the 98 municipality codes of "],
    usage: true,
  },
  {
    name: "an unknown site",
    args: add("575", "limit-to-sites", "2020-W41", "2020-W43", ["--sites", "S0575-NH01,S9999-NH01"]),
    says: ['testrota override add: --sites: got "S9999-NH01", expected a site id of the demo roster'],
    usage: true,
  },
  {
    name: "a site of another municipality",
    args: add("575", "limit-to-sites", "2020-W41", "2020-W43", ["--sites", "S0101-NH01"]),
    says: [
      'testrota override add: --sites: "S0101-NH01" is a site of municipality 101, expected a site of 575 Vejen',
    ],
    usage: true,
  },
  {
    name: "sites for another action than limit-to-sites",
    args: add("575", "force-red", "2020-W41", "2020-W43", ["--sites", "S0575-NH01"]),
    says: ["testrota override add: --sites: only for limit-to-sites, got it with --action force-red"],
    usage: true,
  },
  {
    name: "keep-green overlapping the force-red in force (one common week, 42)",
    args: add("575", "keep-green", "2020-W42", "2020-W44"),
    says: [
      "testrota override add: keep-green for 575 2020-W42..2020-W44 contradicts force-red STPS-1 (2020-W40..2020-W42), in force; give --replace to withdraw it (or: testrota override remove --id STPS-1)",
    ],
    usage: false,
  },
  {
    name: "force-red against the config file's keep-green, even with --replace",
    args: add("101", "force-red", "2020-W40", "2020-W41", ["--replace"]),
    says: [
      "contradicts keep-green CFG-1 (2020-W41..2020-W41) in ",
      "testrota.json: overrides[0]; --replace cannot withdraw",
    ],
    usage: false,
  },
  {
    name: "no author: neither --author, $TESTROTA_AUTHOR nor $USER",
    args: add("575", "keep-green", "2020-W45", "2020-W45"),
    env: {},
    says: [
      "testrota override add: --author: missing, expected who decides (or set $TESTROTA_AUTHOR; $USER is not set)",
    ],
    usage: true,
  },
];

describe("override add refuses (exit 64) and stores nothing", () => {
  it.each(refusals)("$name", async ({ args, says, usage, ...rest }) => {
    const before = await listed();
    const result = await cli(args, "env" in rest ? rest.env : undefined);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe("");
    for (const text of says) expect(result.stderr).toContain(text);
    expect(result.stderr.includes("usage: testrota override add")).toBe(usage);
    expect(await listed()).toEqual(before);
  });
});

describe("override add accepts", () => {
  it("a decision next to the one in force (no common week), by $USER when $TESTROTA_AUTHOR is unset", async () => {
    const result = await cli(add("575", "keep-green", "2020-W43", "2020-W44"), { USER: "anna" });
    expect(result.code).toBe(0);
    expect((await listed()).at(-1)).toMatchObject({ id: "ovr-575-2020-W43-keep-green", author: "anna" });
  });

  it("limit-to-sites at the municipality's own sites while a force-red is in force", async () => {
    const result = await cli(add("575", "limit-to-sites", "2020-W41", "2020-W42", ["--sites", "S0575-NH01"]));
    expect(result.code).toBe(0);
  });

  it("--replace: the contradicting decision is withdrawn, recorded as replaced by the new one", async () => {
    const result = await cli(
      add("575", "keep-green", "2020-W41", "2020-W41", ["--replace", "--id", "STPS-2"]),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "override STPS-2 added: keep-green for 575, classification weeks 2020-W41..2020-W41 (rotas of test weeks 2020-W42..2020-W42)\n" +
        "override STPS-1 withdrawn: replaced by STPS-2\n",
    );
    const rows = (await listed()).filter((r) => r.origin === "store");
    expect(rows.map((r) => r.id)).toEqual(["STPS-1", "STPS-2"]);
    expect(rows[0]).toMatchObject({ removedBy: "stps-lone", removalNote: "replaced by STPS-2" });
    expect(rows[0]?.removedAt).not.toBeNull();
    expect(rows[1]?.removedAt).toBeNull();
  });
});

describe("contradicts", () => {
  const w = (week: number) => ({ year: 2020, week });
  const decision = (action: Override["action"], from: number, to: number, code = 575): Override => ({
    id: `${action}-${from}-${to}`,
    municipalityCode: code,
    action,
    from: w(from),
    to: w(to),
    siteIds: [],
    reason: "r",
  });
  const cases = [
    {
      name: "keep-green vs force-red sharing week 42",
      a: decision("keep-green", 42, 44),
      b: decision("force-red", 40, 42),
      expected: true,
    },
    {
      name: "force-red vs keep-green inside it",
      a: decision("force-red", 40, 45),
      b: decision("keep-green", 42, 42),
      expected: true,
    },
    {
      name: "adjacent ranges (41 and 42)",
      a: decision("keep-green", 42, 44),
      b: decision("force-red", 40, 41),
      expected: false,
    },
    {
      name: "the same action",
      a: decision("force-red", 42, 44),
      b: decision("force-red", 40, 42),
      expected: false,
    },
    {
      name: "limit-to-sites refines red",
      a: decision("limit-to-sites", 40, 42),
      b: decision("force-red", 40, 42),
      expected: false,
    },
    {
      name: "another municipality",
      a: decision("keep-green", 40, 42),
      b: decision("force-red", 40, 42, 101),
      expected: false,
    },
  ];
  it.each(cases)("$name → $expected", ({ a, b, expected }) => {
    expect(contradicts(a, b)).toBe(expected);
    expect(contradicts(b, a)).toBe(expected);
  });
});
