import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import type { StaffMember } from "../../src/domain/roster.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { createApp } from "../../src/worker/app.ts";
import {
  ARTIFACTS_DIR,
  computedStyles,
  launchChromium,
  mapElements,
  openFile,
  saveScreenshot,
  type OpenedPage,
} from "../support/browser.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { readPublishedCsv } from "../support/published-files.ts";
import { createRunFixture, SMALL_ROSTER, useFileRoster, type RunFixture } from "../support/run-fixture.ts";

/*
 * report.html of real runs: a small-roster installation with HR export files runs 2020-W39 and
 * 2020-W40 from SSI's files of 30 September 2020. Every expectation is counted from the published
 * CSV files (classification.csv, the rotas) and the reference table, not from the report's code.
 */
const W39: IsoWeek = { year: 2020, week: 39 };
const W40: IsoWeek = { year: 2020, week: 40 };
/** Computed fills of the two status colours. */
const RED = "rgb(179, 38, 30)";
const GREEN = "rgb(140, 201, 140)";

let fixture: RunFixture;
let staff: StaffMember[];
let regionOf: Map<number, number>;
let html: string;

/** Effective status per municipality code from a week's classification.csv. */
function statuses(week: string): Map<number, string> {
  const [header = [], ...rows] = readPublishedCsv(join(fixture.outDir, week, "classification.csv"));
  const status = header.indexOf("status");
  return new Map(rows.map((row) => [Number(row[0]), row[status] ?? ""]));
}

/** Tests per region of a week's rota files (one row per test). */
function testsPerRegion(week: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [code, region] of regionOf) {
    const rows = readPublishedCsv(join(fixture.outDir, week, "municipalities", String(code), "rota.csv"));
    counts.set(region, (counts.get(region) ?? 0) + rows.length - 1);
  }
  return counts;
}

/** A number as the Danish report prints it (thousands dots). */
function danish(value: number): string {
  return value.toLocaleString("da-DK");
}

beforeAll(async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
  });
  await useFileRoster(fixture);
  const reference = await readReference(fixture.config().reference);
  staff = generateDemoInput({ municipalities: reference, ...SMALL_ROSTER }).staff;
  regionOf = new Map(reference.map((m) => [m.code, m.regionCode]));
  const app = await createApp({ config: fixture.config(), logger: createCapturingLogger("warn").logger });
  try {
    await app.runWeek(W39, { trigger: "cli" });
    await app.runWeek(W40, { trigger: "cli" });
  } finally {
    await app.close();
  }
  html = readFileSync(join(fixture.outDir, "2020-W40", "report.html"), "utf8");
}, 240_000);

afterAll(() => fixture.cleanup());

describe("report.html of a weekly run", () => {
  it("is in the week folder and its manifest, in Danish by default, and byte-identical on a rerun", async () => {
    const dir = join(fixture.outDir, "2020-W40");
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
      files: { path: string; sha256: string }[];
    };
    const listed = manifest.files.find((f) => f.path === "report.html");
    const bytes = readFileSync(join(dir, "report.html"));
    expect(listed?.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(html).toMatch(/^<!doctype html>\n<html lang="da">/);
    expect(html).toContain("<h1>Ugerapport 2020-W40</h1>");

    const again = await createApp({ config: fixture.config(), logger: createCapturingLogger("warn").logger });
    try {
      const report = await again.runWeek(W40, { trigger: "cli" });
      expect(report.changed).toBe(false);
    } finally {
      await again.close();
    }
    expect(readFileSync(join(dir, "report.html")).equals(bytes)).toBe(true);
  }, 120_000);

  it("names what turned red and back to green against last week's classification from the store", () => {
    const before = statuses("2020-W39");
    const now = statuses("2020-W40");
    const turnedRed = [...now].filter(([code, s]) => s === "red" && before.get(code) === "green").length;
    const backToGreen = [...now].filter(([code, s]) => s === "green" && before.get(code) === "red").length;
    expect(turnedRed).toBeGreaterThan(0);
    expect(html).toContain(`Skiftet til rød <span class="muted">(${turnedRed})</span>`);
    expect(html).toContain(`Tilbage til grøn <span class="muted">(${backToGreen})</span>`);
  });

  it("shows the 12-week history from the store plus this week, counted from the published files", () => {
    const rowOf = (week: string) =>
      new RegExp(`<tr><th scope="row">${week}</th>((?:<td class="num">[^<]*</td>)+)</tr>`);
    for (const week of ["2020-W39", "2020-W40"]) {
      const red = statuses(week);
      const tests = testsPerRegion(week);
      const expected = [1081, 1082, 1083, 1084, 1085].map((region) => {
        const reds = [...red].filter(([code, s]) => s === "red" && regionOf.get(code) === region).length;
        return `<td class="num">${danish(reds)} / ${danish(tests.get(region) ?? 0)}</td>`;
      });
      expect(rowOf(week).exec(html)?.[1], week).toBe(expected.join(""));
    }
    // The ten weeks before the first run are missing from the history.
    for (let week = 29; week <= 38; week++) {
      expect(rowOf(`2020-W${week}`).exec(html)?.[1]).toBe('<td class="num">–</td>'.repeat(5));
    }
  });

  it("holds no staff name and no employee id (roster from HR export files)", () => {
    const leaked = staff.filter(
      (s) => html.includes(s.employeeId) || (s.name !== undefined && html.includes(s.name)),
    );
    expect(staff.length).toBeGreaterThan(1000);
    expect(leaked).toEqual([]);
  });
});

describe("report.html of the run in a real browser (headless Debian chromium)", () => {
  let browser: Browser;
  let opened: OpenedPage;

  beforeAll(async () => {
    browser = await launchChromium();
    opened = await openFile(browser, join(fixture.outDir, "2020-W40", "report.html"));
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
    await browser?.close();
  });

  it("loads without console errors and makes no network request at all", () => {
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.requests).toEqual([]);
  });

  it("draws 98 municipality shapes whose fill is the run's classification.csv status", async () => {
    const expected = statuses("2020-W40");
    const codes = await mapElements<number>(opened.page, "svg.map path.muni", "Number(el.dataset.code)");
    const fills = await computedStyles(opened.page, "svg.map path.muni", "fill");
    expect(codes).toHaveLength(98);
    expect(new Set(codes)).toEqual(new Set(expected.keys()));
    codes.forEach((code, i) => {
      expect(fills[i], `municipality ${code}`).toBe(expected.get(code) === "red" ? RED : GREEN);
    });
    expect(fills.filter((f) => f === RED)).toHaveLength(
      [...expected.values()].filter((s) => s === "red").length,
    );
  });

  it("has the table fallback with 98 rows, one per municipality, with the same status", async () => {
    const expected = statuses("2020-W40");
    const rows = await mapElements<{ code: number; status: string }>(
      opened.page,
      "#municipality-table tbody tr",
      "{ code: Number(el.dataset.code), status: el.dataset.status }",
    );
    expect(rows).toHaveLength(98);
    for (const row of rows) expect(row.status, String(row.code)).toBe(expected.get(row.code));
  });

  it("saves a screenshot as a test artifact", async () => {
    const file = join(ARTIFACTS_DIR, "report-run-2020-W40.png");
    await saveScreenshot(opened.page, file);
    expect(readFileSync(file).subarray(1, 4).toString()).toBe("PNG");
  });
});
