import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { runCli } from "../../../src/cli.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderWeekReport } from "../../../src/outputs/report/week-report.ts";
import { renderWhatIfReport } from "../../../src/outputs/report/whatif-report.ts";
import { readReferenceTable } from "../../../src/roster/read-reference.ts";
import {
  activeElementId,
  ARTIFACTS_DIR,
  computedStyles,
  launchChromium,
  mapElements,
  openFile,
  runAxe,
  saveScreenshot,
  type OpenedPage,
} from "../../support/browser.ts";
import { createRunFixture, REPO } from "../../support/run-fixture.ts";
import { buildDemoWeek, SSI_2020_09_30, TEST_OVERRIDES } from "./demo-week-data.ts";
import { classifyByHand } from "./ssi-by-hand.ts";
import { buildWhatIfData } from "./whatif-fixture.ts";

/** Set to write the README screenshots (docs/images/report.png and whatif.png) from this test. */
const WRITE_DOCS_IMAGES = process.env.TESTROTA_DOCS_IMAGES === "1";

/** Computed fills of the two status colours. */
const RED = "rgb(179, 38, 30)";
const GREEN = "rgb(140, 201, 140)";

async function seriousViolations(page: Page): Promise<string[]> {
  const violations = await runAxe(page);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes): ${v.help}`);
}

describe("report.html in a real browser (headless Debian chromium)", () => {
  let browser: Browser;
  let dir: string;
  let weekly: OpenedPage;
  const expected = new Map(
    classifyByHand(SSI_2020_09_30, { start: "2020-09-22", end: "2020-09-28" }).map((h) => [h.code, h.status]),
  );
  // The STPS decisions of the test data: Næstved kept green, Thisted forced red.
  expected.set(370, "green");
  expected.set(787, "red");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "testrota-report-"));
    const demo = await buildDemoWeek({ staffShare: 0.017, overrides: TEST_OVERRIDES });
    const file = join(dir, "report.html");
    writeFileSync(file, renderWeekReport(demo.data, { language: "da" }));
    browser = await launchChromium();
    weekly = await openFile(browser, file, { bypassCsp: true });
  }, 60_000);

  afterAll(async () => {
    await weekly?.close();
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads without console errors and makes no network request at all", () => {
    expect(weekly.consoleErrors).toEqual([]);
    expect(weekly.requests).toEqual([]);
  });

  it("shows 98 municipality shapes whose fill matches the statuses worked out from SSI's rows", async () => {
    const fills = await computedStyles(weekly.page, "svg.map path.muni", "fill");
    const shapes = await mapElements<{ code: number; box: number }>(
      weekly.page,
      "svg.map path.muni",
      "{ code: Number(el.dataset.code), box: el.getBoundingClientRect().width }",
    );
    expect(fills).toHaveLength(shapes.length);
    expect(shapes).toHaveLength(98);
    expect(new Set(shapes.map((s) => s.code))).toEqual(new Set(expected.keys()));
    for (const [index, shape] of shapes.entries()) {
      expect(fills[index], `municipality ${shape.code}`).toBe(
        expected.get(shape.code) === "red" ? RED : GREEN,
      );
      expect(shape.box, `municipality ${shape.code} is drawn`).toBeGreaterThan(0);
    }
    expect(fills.filter((fill) => fill === RED)).toHaveLength(77);
  });

  it("has a table fallback with 98 rows whose status agrees, reached by the skip link", async () => {
    const rows = await mapElements<{ code: number; status: string }>(
      weekly.page,
      "#municipality-table tbody tr",
      '{ code: Number(el.querySelector("td.num").textContent), status: el.querySelector(".badge").textContent }',
    );
    expect(rows).toHaveLength(98);
    for (const row of rows) expect(row.status).toBe(expected.get(row.code) === "red" ? "Rød" : "Grøn");
    // The "skip the map" link lands in the table and opens it (axe then checks it too).
    await weekly.page.click('a[href="#municipality-list"]');
    expect(await weekly.page.evaluate<boolean>("document.getElementById('municipality-table').open")).toBe(
      true,
    );
  });

  it("moves keyboard focus onto the map's shapes with Tab and shows the focused one's figures", async () => {
    const { page } = weekly;
    await page.locator("a.skip").focus();
    const reached: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      reached.push(await activeElementId(page));
    }
    // From the skip link: the "skip the map" link, then København (101), then Frederiksberg (147).
    expect(reached).toEqual(["A", "m101", "m147"]);
    const [shown] = await computedStyles(page, "#t147", "display");
    const [hidden] = await computedStyles(page, "#t101", "display");
    expect(shown).toBe("inline");
    expect(hidden).toBe("none");
    await saveScreenshot(page, join(ARTIFACTS_DIR, "report-focus.png"), {
      x: 0,
      y: 380,
      width: 1280,
      height: 760,
    });
  });

  it("has no serious or critical accessibility violations (axe-core)", async () => {
    expect(await seriousViolations(weekly.page)).toEqual([]);
  });

  it("saves a screenshot as a test artifact", async () => {
    const file = join(ARTIFACTS_DIR, "report-2020-W40.png");
    await saveScreenshot(weekly.page, file);
    expect(readFileSync(file).subarray(1, 4).toString()).toBe("PNG");
  });
});

describe("the what-if report in a real browser", () => {
  let browser: Browser;
  let dir: string;
  let opened: OpenedPage;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "testrota-whatif-"));
    const reference = await readReferenceTable(join(REPO, "reference", "municipalities.csv"));
    const file = join(dir, "report.html");
    writeFileSync(
      file,
      renderWhatIfReport(buildWhatIfData(reference.regions, reference.municipalities, 0.7), {
        language: "da",
      }),
    );
    browser = await launchChromium();
    opened = await openFile(browser, file, { bypassCsp: true });
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads without console errors or requests, one chart per region, no serious axe violations", async () => {
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.requests).toEqual([]);
    expect(await opened.page.locator('svg[role="img"][aria-labelledby^="demand-"]').count()).toBe(5);
    expect(await seriousViolations(opened.page)).toEqual([]);
    await saveScreenshot(opened.page, join(ARTIFACTS_DIR, "whatif-2020-W36_2021-W10.png"));
  });
});

/** Runs the CLI on a throw-away installation; fails the test on a non-zero exit. */
async function runCommand(args: readonly string[], configFile: string): Promise<void> {
  let stderr = "";
  const code = await runCli(
    [...args, "--config", configFile],
    { stdout: () => undefined, stderr: (text) => (stderr += text) },
    { env: { LOG_LEVEL: "silent", TESTROTA_NOW: "2021-03-17T12:00:00+01:00" } },
  );
  if (code !== 0) throw new Error(`testrota ${args.join(" ")}: exit ${code}: ${stderr}`);
}

describe.runIf(WRITE_DOCS_IMAGES)("README screenshots from the real outputs", () => {
  it("writes docs/images/report.png (the demo run) and docs/images/whatif.png (2020-W36…2021-W10, later SSI pair)", async () => {
    // The bundled config and demo roster (about 99,000 staff) in a throw-away installation.
    const fixture = createRunFixture();
    const browser = await launchChromium();
    try {
      await runCommand(["demo"], fixture.configFile);
      const late = join(fixture.dir, "demo", "ssi", "late");
      await runCommand(
        ["whatif", "--from", "2020-W36", "--to", "2021-W10", "--source-dir", late],
        fixture.configFile,
      );
      const report = await openFile(browser, join(fixture.outDir, "2020-W40", "report.html"));
      expect([report.consoleErrors, report.requests]).toEqual([[], []]);
      await saveScreenshot(report.page, join(REPO, "docs", "images", "report.png"), {
        x: 0,
        y: 0,
        width: 1280,
        height: 1240,
      });
      await report.close();
      const whatIf = await openFile(
        browser,
        join(fixture.outDir, "whatif", "2020-W36_2021-W10", "report.html"),
      );
      expect([whatIf.consoleErrors, whatIf.requests]).toEqual([[], []]);
      await saveScreenshot(whatIf.page, join(REPO, "docs", "images", "whatif.png"), {
        x: 0,
        y: 0,
        width: 1280,
        height: 1250,
      });
      await whatIf.close();
    } finally {
      await browser.close();
      fixture.cleanup();
    }
  }, 300_000);
});
