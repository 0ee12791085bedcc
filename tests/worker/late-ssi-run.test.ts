import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import type { ProgressStream } from "../../src/worker/progress.ts";
import { classifyByHand, type HandStatus } from "../outputs/report/ssi-by-hand.ts";
import { readPublishedCsv } from "../support/published-files.ts";
import { createRunFixture, DEMO_SSI, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";

/*
 * SSI's later file format end to end: `testrota run --week 2020-W44` with the config pointing at
 * the later pair (config/demo/ssi/late: `SampleDate`, `NA` and Christiansø columns), English
 * documents, and stderr a (fake) terminal. The statuses are recomputed by hand from the pair's
 * rows for the window 2020-10-20…26 (Wednesday 28 October 2020, D−8 … D−2).
 */
const WINDOW = { start: "2020-10-20", end: "2020-10-26" };

let fixture: RunFixture;
let hand: Map<number, HandStatus>;
let result: { code: number; stdout: string; stderr: string };
let terminal: string[];

beforeAll(async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    json.source = {
      type: "ssi",
      timeSeries: "demo/ssi/late/Municipality_cases_time_series.csv",
      testPos: "demo/ssi/late/Municipality_test_pos.csv",
    };
    json.documents = { language: "en" };
  });
  hand = new Map(classifyByHand(join(DEMO_SSI, "late"), WINDOW).map((h) => [h.code, h]));
  terminal = [];
  const stderrStream: ProgressStream = {
    isTTY: true,
    columns: 100,
    write: (text: string) => terminal.push(text),
  };
  result = { code: 0, stdout: "", stderr: "" };
  result.code = await runCli(
    ["run", "--week", "2020-W44", "--json", "--config", fixture.configFile],
    {
      stdout: (text) => (result.stdout += text),
      stderr: (text) => (result.stderr += text),
      stderrStream,
    },
    { env: { LOG_LEVEL: "silent" } },
  );
}, 120_000);

afterAll(() => fixture.cleanup());

describe("testrota run --week 2020-W44 on SSI's later pair", () => {
  it("classifies 93 red and 5 green, each as recomputed by hand from the pair's rows", () => {
    expect(result.code).toBe(0);
    const [header = [], ...rows] = readPublishedCsv(join(fixture.outDir, "2020-W44", "classification.csv"));
    const column = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(98);
    for (const row of rows) {
      const expected = hand.get(Number(row[0]));
      expect(expected, row[0]).toBeDefined();
      expect(
        [
          row[column("window_start")],
          row[column("window_end")],
          row[column("cases_7d")],
          row[column("population")],
        ],
        row[0],
      ).toEqual([WINDOW.start, WINDOW.end, String(expected?.cases), String(expected?.population)]);
      expect(row[column("status")], row[0]).toBe(expected?.status);
    }
    expect(rows.filter((r) => r[column("status")] === "red")).toHaveLength(93);
    expect([...hand.values()].filter((h) => h.status === "green")).toHaveLength(5);
  });

  it("prints only the JSON report on stdout; the progress went to the terminal and was cleared", () => {
    const [report] = JSON.parse(result.stdout) as { week: string; counts: { red: number; green: number } }[];
    expect(report?.week).toBe("2020-W44");
    expect(report?.counts).toMatchObject({ red: 93, green: 5 });
    expect(result.stderr).toBe("");
    expect(terminal.length).toBeGreaterThan(3);
    expect(terminal.every((text) => text.startsWith("\r\u001b[2K"))).toBe(true);
    expect(terminal.some((text) => text.includes("run 2020-W44") && text.includes("100 %"))).toBe(true);
    expect(terminal.at(-1)).toBe("\r\u001b[2K");
  });

  it("writes report.html in the configured documents language (English)", () => {
    const html = readFileSync(join(fixture.outDir, "2020-W44", "report.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain("<h1>Weekly report 2020-W44</h1>");
    expect(html).toContain('<span class="value">93</span><span class="label">red municipalities</span>');
    expect(html).toContain('<span class="value">5</span><span class="label">green municipalities</span>');
  });
});
