import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeFailure, main } from "../../src/cli.ts";
import { formatIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import { ConfigError, InputError } from "../../src/errors.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createApp } from "../../src/worker/app.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { pdfText } from "../outputs/pdf-tools.ts";
import { handCounts, readPublishedCsv } from "../support/published-files.ts";
import { createRunFixture, SMALL_ROSTER, useFileRoster, type RunFixture } from "../support/run-fixture.ts";

const W39: IsoWeek = { year: 2020, week: 39 };
const W40: IsoWeek = { year: 2020, week: 40 };

let fixture: RunFixture | undefined;
afterEach(() => {
  fixture?.cleanup();
  fixture = undefined;
});

function useFixture(patch?: (json: Record<string, unknown>) => void): RunFixture {
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    patch?.(json);
  });
  return fixture;
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

describe("a weekly run from the real SSI files", () => {
  it("publishes every file of DESIGN §5 for 2020-W40, with incidence as recomputed by hand", async () => {
    const fx = useFixture();
    const app = await createApp({ config: fx.config(), logger: createCapturingLogger().logger });
    try {
      const report = await app.runWeek(W40, { trigger: "cli" });
      expect(report.testWeek).toBe("2020-W41");
      const dir = join(fx.outDir, "2020-W40");
      const files = listFiles(dir).sort();
      for (const m of app.municipalities) {
        expect(files).toContain(`municipalities/${m.code}/rota.csv`);
        expect(files).toContain(`municipalities/${m.code}/rota.xlsx`);
      }
      for (const region of [1081, 1082, 1083, 1084, 1085]) {
        expect(files).toContain(`regions/${region}/pickups.csv`);
        expect(files).toContain(`regions/${region}/pickups.json`);
        // The bundled config has labs for every region: each gets its route sheets.
        expect(files).toContain(`regions/${region}/routes.pdf`);
      }
      expect(files).toEqual(expect.arrayContaining(["classification.csv", "summary.json", "manifest.json"]));
      // The provisional rota of W+2 sits beside the final one, one file per municipality.
      expect(files.filter((f) => f.startsWith("lookahead/2020-W42/municipalities/"))).toHaveLength(98);

      // The manifest lists every other file with its SHA-256.
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
        files: { path: string; sha256: string }[];
      };
      expect(manifest.files.map((f) => f.path).sort()).toEqual(files.filter((f) => f !== "manifest.json"));
      for (const entry of manifest.files) {
        const digest = createHash("sha256")
          .update(readFileSync(join(dir, entry.path)))
          .digest("hex");
        expect(digest, entry.path).toBe(entry.sha256);
      }

      // Window D−8 … D−2 for Wednesday 2020-09-30: 2020-09-22 … 2020-09-28.
      const expected = handCounts("2020-09-30", "2020-09-22", "2020-09-28");
      const [header, ...rows] = readPublishedCsv(join(dir, "classification.csv"));
      expect(header).toEqual([
        "municipality_code",
        "municipality",
        "region_code",
        "window_start",
        "window_end",
        "cases_7d",
        "population",
        "incidence_per_100k",
        "raw_status",
        "status",
        "override",
      ]);
      expect(rows).toHaveLength(98);
      for (const row of rows) {
        const hand = expected.get(Number(row[0]));
        expect(hand, row[0]).toBeDefined();
        if (hand === undefined) continue;
        const incidence = (hand.cases * 100_000) / hand.population;
        expect(row.slice(3, 8)).toEqual([
          "2020-09-22",
          "2020-09-28",
          String(hand.cases),
          String(hand.population),
          incidence.toFixed(2),
        ]);
        expect(row[8]).toBe(hand.cases * 100_000 >= 20 * hand.population ? "red" : "green");
      }
      expect(report.counts.red).toBe(rows.filter((r) => r[9] === "red").length);
    } finally {
      await app.close();
    }
  });

  it("re-running the same week with the same inputs gives byte-identical files", async () => {
    const fx = useFixture();
    const first = await createApp({ config: fx.config(), logger: createCapturingLogger().logger });
    await first.runWeek(W40, { trigger: "cli" });
    await first.close();
    const dir = join(fx.outDir, "2020-W40");
    const before = new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f))]));
    const second = await createApp({ config: fx.config(), logger: createCapturingLogger().logger });
    const report = await second.runWeek(W40, { trigger: "cli" });
    await second.close();
    expect(report.changed).toBe(false);
    const after = new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f))]));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, bytes] of before) expect(after.get(file)?.equals(bytes), file).toBe(true);
  });

  it("keeps staff names and ids out of logs, pickups, classification and summary", async () => {
    const fx = useFixture();
    const { logger, lines } = createCapturingLogger("debug");
    const app = await createApp({ config: fx.config(), logger });
    await app.runWeek(W40, { trigger: "cli" });
    await app.close();
    const reference = await readReference(fx.config().reference);
    const { staff, sites } = generateDemoInput({ municipalities: reference, ...SMALL_ROSTER });
    const dir = join(fx.outDir, "2020-W40");
    // The route sheets are read as text (pdftotext): their raw bytes are compressed.
    const regionFiles = listFiles(dir).filter((f) => f.startsWith("regions/"));
    expect(regionFiles.filter((f) => f.endsWith("routes.pdf"))).toHaveLength(5);
    const shared = [
      JSON.stringify(lines),
      readFileSync(join(dir, "classification.csv"), "utf8"),
      readFileSync(join(dir, "summary.json"), "utf8"),
      ...regionFiles.map((f) =>
        f.endsWith(".pdf") ? pdfText(join(dir, f)) : readFileSync(join(dir, f), "utf8"),
      ),
    ].join("\n");
    // Each distinct name once; ids through the text's words (a substring search per id over
    // megabytes of route sheets would take minutes).
    const words = new Set(shared.split(/[^\p{L}\p{N}_-]+/u));
    const names = new Set(staff.map((s) => s.name).filter((name) => name !== undefined));
    const leakedNames = [...names].filter((name) => shared.includes(name));
    const leaked = [...leakedNames, ...staff.filter((s) => words.has(s.employeeId)).map((s) => s.employeeId)];
    expect(leaked).toEqual([]);
    // Each municipality's rota holds only its own staff.
    const siteMunicipality = new Map(sites.map((s) => [s.id, s.municipalityCode]));
    const municipalityOf = new Map(staff.map((s) => [s.employeeId, siteMunicipality.get(s.siteId)]));
    for (const file of listFiles(dir).filter((f) => f.endsWith("rota.csv"))) {
      const code = Number(/municipalities\/(\d+)\//.exec(file)?.[1]);
      const [, ...rows] = readPublishedCsv(join(dir, file));
      for (const row of rows) expect(municipalityOf.get(row[0] ?? ""), file).toBe(code);
    }
  });
});

describe("bad input gets a clear error and publishes nothing", () => {
  it("bad config: names the file and the JSON path; exit code 78", async () => {
    const fx = useFixture((json) => {
      json.thresholdPer100k = "twenty";
    });
    const error = await main(["run", "--week", "2020-W40", "--config", fx.configFile], {
      stdout: () => undefined,
      stderr: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const failure = describeFailure(error);
    expect(failure.code).toBe(78);
    expect(failure.message).toContain(`${fx.configFile}: thresholdPer100k:`);
    expect(failure.message).not.toContain("\n");
    expect(existsSync(fx.outDir)).toBe(false);
  });

  it("a roster row with an unknown site sets that municipality's file aside: file and line named, its last good roster used", async () => {
    const fx = useFixture();
    const { rosterDir } = await useFileRoster(fx);

    const good = await createApp({ config: fx.config(), logger: createCapturingLogger().logger });
    await good.runWeek(W39, { trigger: "cli" });
    await good.close();

    const rosterFile = join(rosterDir, "101.csv");
    const lines = readFileSync(rosterFile, "utf8").split("\n");
    lines[4] = (lines[4] ?? "").replace(/S0101-[A-Z]+\d+/, "S9999-XX99");
    writeFileSync(rosterFile, lines.join("\n"));
    const { logger, lines: logLines } = createCapturingLogger();
    const bad = await createApp({ config: fx.config(), logger });
    const report = await bad.runWeek(W40, { trigger: "cli" });
    await bad.close();
    // Roster values are described, never quoted (a mislaid column would echo a staff name).
    const problem =
      "101.csv:5: site_id: expected a site id listed in the sites file, found a value of 10 characters that is not a known site id";
    expect(report.isolatedRosters).toEqual([{ municipalityCode: 101, problem, lastGoodWeek: "2020-W39" }]);
    const summary = JSON.parse(readFileSync(join(fx.outDir, "2020-W40", "summary.json"), "utf8")) as {
      inputs: { isolated: unknown };
    };
    expect(summary.inputs.isolated).toEqual([{ code: 101, problem, using: "last good roster of 2020-W39" }]);
    expect(JSON.stringify(logLines)).toContain(`roster of 101 København set aside (${problem})`);
  });

  it("a truncated SSI file: file and line named, nothing published", async () => {
    const fx = useFixture();
    const file = join(fx.dir, "demo", "ssi", "2020-09-30", "Municipality_cases_time_series.csv");
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const app = await createApp({ config: fx.config(), logger: createCapturingLogger().logger });
    const error = await app.runWeek(W40, { trigger: "cli" }).catch((e: unknown) => e);
    const run = await app.store.getRun(W40);
    await app.close();
    expect(error).toBeInstanceOf(InputError);
    expect(describeFailure(error).message).toMatch(/Municipality_cases_time_series\.csv: line \d+: /);
    expect(existsSync(join(fx.outDir, formatIsoWeek(W40)))).toBe(false);
    expect(run?.status).toBe("failed");
  });
});
