/*
 * The portal in a real browser (headless Debian chromium through playwright-core), over a week
 * published by a real run (bundled SSI files, small synthetic roster) with a symlink to /etc and
 * one to another municipality planted in the week folder. Each recipient signs in through the
 * form; the links it is offered are exactly its own files (worked out here from the folder by the
 * rules in docs/portal.md, not by the portal's scope module); every one downloads with its bytes;
 * everything else answers 404; the national level receives no staff name or id in any byte; the
 * pages run with their CSP in force (no console errors), read well on a phone and pass axe-core
 * without serious or critical violations.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/log.ts";
import { startPortal, type RunningPortal } from "../../src/portal/server.ts";
import { issueToken } from "../../src/portal/token.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference, readReferenceTable } from "../../src/roster/read-reference.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import type { RecipientScope, StateStore } from "../../src/store/state-store.ts";
import { createApp } from "../../src/worker/app.ts";
import { ARTIFACTS_DIR, launchChromium, mapElements, runAxe, saveScreenshot } from "../support/browser.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { createRunFixture, REPO, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";

const ROSTER = { ...SMALL_ROSTER, staffShare: 0.001 };
const WEEK = "2020-W40";
/** Set to write docs/images/portal.png from this test. */
const WRITE_DOCS_IMAGES = process.env.TESTROTA_DOCS_IMAGES === "1";

let fixture: RunFixture;
let store: StateStore;
let portal: RunningPortal;
let browser: Browser;
let weekDir: string;
const tokens = new Map<string, string>();
let staffStrings: string[] = [];

/** Every regular file of the week folder, links (to files or folders) and dot-entries left out. */
function filesOnDisk(dir = weekDir, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith("."))
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesOnDisk(join(dir, entry.name), `${prefix}${entry.name}/`)
        : entry.isFile()
          ? [`${prefix}${entry.name}`]
          : [],
    )
    .sort();
}

const SHARED = new Set(["LÆS-MIG.txt", "README.txt", "classification.csv", "report.html"]);

/** What each recipient should be offered, by the documented rules. */
const EXPECTED: Record<string, (path: string) => boolean> = {
  "koordinator-101": (path) =>
    SHARED.has(path) ||
    path.startsWith("municipalities/101/") ||
    /^lookahead\/\d{4}-W\d{2}\/municipalities\/101\//.test(path) ||
    /^lookahead\/\d{4}-W\d{2}\/(FORELØBIG-LÆS-MIG|PROVISIONAL-README)\.txt$/.test(path),
  "region-1084": (path) => SHARED.has(path) || path.startsWith("regions/1084/"),
  national: (path) => SHARED.has(path) || path === "summary.json" || path === "manifest.json",
};

const SCOPES: Record<string, RecipientScope & { label: string }> = {
  "koordinator-101": { role: "municipality", codes: [101], label: "Testkoordinator, Københavns Kommune" },
  "region-1084": { role: "region", codes: [1084], label: "Logistik, Region Hovedstaden" },
  national: { role: "national", codes: [], label: "STPS, nationalt niveau" },
};

beforeAll(async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = ROSTER;
  });
  const app = await createApp({ config: fixture.config(), logger: createCapturingLogger().logger });
  try {
    await app.runWeek({ year: 2020, week: 40 }, { trigger: "cli" });
  } finally {
    await app.close();
  }
  weekDir = join(fixture.outDir, WEEK);
  // Planted: a link to /etc under 101's sites, a link to 147's folder inside 101's.
  symlinkSync("/etc/passwd", join(weekDir, "municipalities", "101", "sites", "passwd.pdf"));
  symlinkSync(join(weekDir, "municipalities", "147"), join(weekDir, "municipalities", "101", "nabo"));

  store = openStateStore(join(fixture.dataDir, "testrota.sqlite"));
  for (const [id, scope] of Object.entries(SCOPES)) {
    const { token, tokenHash } = issueToken(id);
    await store.addRecipient({
      ...scope,
      id,
      email: `${id}@example.invalid`,
      tokenHash,
      expiresAt: null,
      author: "test",
      at: "2020-09-30T08:00:00.000Z",
    });
    tokens.set(id, token);
  }
  const reference = await readReferenceTable(fixture.config().reference);
  const names = new Map(reference.municipalities.map((m) => [m.code, m.name]));
  const regions = new Map(reference.regions.map((r) => [r.code, r.name]));
  portal = await startPortal({
    host: "127.0.0.1",
    port: 0,
    settings: {
      outDir: fixture.outDir,
      language: "da",
      baseUrl: "http://localhost:8080",
      trustProxy: false,
      secret: "a-browser-test-secret-of-32-characters-at-least",
      sessionHours: 8,
      loginRateLimit: { max: 100, windowSeconds: 60 },
      downloadRateLimit: { max: 10_000, windowSeconds: 60 },
    },
    store,
    places: {
      municipalityName: (c) => names.get(c) ?? String(c),
      regionName: (c) => regions.get(c) ?? String(c),
    },
    clock: () => Date.now(),
    logger: createSilentLogger(),
  });
  browser = await launchChromium();
  const { staff } = generateDemoInput({
    municipalities: await readReference(fixture.config().reference),
    ...ROSTER,
  });
  staffStrings = staff.flatMap((s) => [s.employeeId, ...(s.name === undefined ? [] : [s.name])]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await portal?.close();
  await store?.close();
  fixture?.cleanup();
});

type Session = { context: BrowserContext; page: Page; consoleErrors: string[] };

async function signIn(id: string, options: { bypassCsp?: boolean; width?: number } = {}): Promise<Session> {
  const context = await browser.newContext({
    baseURL: portal.url,
    viewport: { width: options.width ?? 1100, height: 900 },
    deviceScaleFactor: 1,
    bypassCSP: options.bypassCsp ?? false,
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  await page.goto("/");
  expect(new URL(page.url()).pathname).toBe("/login");
  await page.fill("#token", tokens.get(id) ?? "");
  await Promise.all([page.waitForURL("**/weeks"), page.click("button[type=submit]")]);
  return { context, page, consoleErrors };
}

async function openWeek(session: Session): Promise<void> {
  await Promise.all([
    session.page.waitForURL(`**/weeks/${WEEK}`),
    session.page.click(`a[href="/weeks/${WEEK}"]`),
  ]);
}

/** The file paths the week page links to. */
async function offeredFiles(page: Page): Promise<string[]> {
  const hrefs = await mapElements<string>(page, "ul.files a", "el.getAttribute('href')");
  const prefix = `/weeks/${WEEK}/files/`;
  return hrefs
    .map((href) => {
      expect(href.startsWith(prefix), href).toBe(true);
      return href.slice(prefix.length).split("/").map(decodeURIComponent).join("/");
    })
    .sort();
}

function fileHref(path: string): string {
  return `/weeks/${WEEK}/files/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** A raw GET with the session's cookies (no normalisation of `..` on the way). */
async function rawGet(context: BrowserContext, path: string): Promise<{ status: number; body: string }> {
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const url = new URL(portal.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path, headers: { cookie } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}

async function seriousViolations(page: Page): Promise<string[]> {
  return (await runAxe(page))
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes): ${v.help}`);
}

describe("the portal in chromium", () => {
  it("a coordinator of 101 is offered exactly 101's files and downloads each of them byte for byte", async () => {
    const session = await signIn("koordinator-101");
    try {
      await openWeek(session);
      const offered = await offeredFiles(session.page);
      const expected = filesOnDisk().filter(EXPECTED["koordinator-101"] ?? (() => false));
      expect(expected).toContain("municipalities/101/rota.csv");
      expect(expected).toContain("municipalities/101/rota.xlsx");
      expect(expected.some((p) => /^municipalities\/101\/sites\/.+\.pdf$/.test(p))).toBe(true);
      expect(offered).toEqual(expected);
      for (const path of offered) {
        const response = await session.context.request.get(fileHref(path));
        expect(response.status(), path).toBe(200);
        expect((await response.body()).equals(readFileSync(join(weekDir, path))), path).toBe(true);
      }
      const html = await session.page.content();
      expect(html).toContain("København (101)");
      expect(session.consoleErrors).toEqual([]);
      await saveScreenshot(session.page, join(ARTIFACTS_DIR, "portal-coordinator-101.png"));
      if (WRITE_DOCS_IMAGES) {
        mkdirSync(join(REPO, "docs", "images"), { recursive: true });
        await saveScreenshot(session.page, join(REPO, "docs", "images", "portal.png"), {
          x: 0,
          y: 0,
          width: 1100,
          height: 1300,
        });
      }
    } finally {
      await session.context.close();
    }
  });

  it("a coordinator of 101 gets 404 for another municipality, traversal, encoded tricks and planted links", async () => {
    const session = await signIn("koordinator-101");
    try {
      for (const path of [
        "municipalities/147/rota.csv",
        "lookahead/2020-W42/municipalities/147/FORELØBIG-rota.csv",
        "regions/1084/pickups.csv",
        "summary.json",
        "municipalities/101/sites/passwd.pdf",
        "municipalities/101/nabo/rota.csv",
      ]) {
        expect((await session.context.request.get(fileHref(path))).status(), path).toBe(404);
      }
      for (const raw of [
        `/weeks/${WEEK}/files/../../../../etc/passwd`,
        `/weeks/${WEEK}/files/municipalities/101/../147/rota.csv`,
        `/weeks/${WEEK}/files/%2e%2e/%2e%2e/etc/passwd`,
        `/weeks/${WEEK}/files/municipalities/101/%2e%2e/147/rota.csv`,
        `/weeks/${WEEK}/files/municipalities%2F147%2Frota.csv`,
        `/weeks/${WEEK}/files/municipalities/101/..%5C147%5Crota.csv`,
        `/weeks/${WEEK}/files/municipalities/101/rota.csv%00`,
      ]) {
        const response = await rawGet(session.context, raw);
        expect(response.status, raw).toBe(404);
        expect(response.body, raw).not.toContain("root:");
        expect(response.body, raw).not.toContain("employee_id");
      }
    } finally {
      await session.context.close();
    }
  });

  it("region 1084 is offered only its pickups (and routes when present) and the shared files", async () => {
    const session = await signIn("region-1084");
    try {
      await openWeek(session);
      const offered = await offeredFiles(session.page);
      const expected = filesOnDisk().filter(EXPECTED["region-1084"] ?? (() => false));
      expect(expected).toEqual(
        expect.arrayContaining(["regions/1084/pickups.csv", "regions/1084/pickups.json"]),
      );
      expect(offered).toEqual(expected);
      for (const path of offered) {
        expect((await session.context.request.get(fileHref(path))).status(), path).toBe(200);
      }
      await saveScreenshot(session.page, join(ARTIFACTS_DIR, "portal-region-1084.png"));
      for (const path of ["regions/1085/pickups.csv", "municipalities/101/rota.csv", "manifest.json"]) {
        expect((await session.context.request.get(fileHref(path))).status(), path).toBe(404);
      }
      expect(session.consoleErrors).toEqual([]);
    } finally {
      await session.context.close();
    }
  });

  it("the national level sees no staff name or id in any page or any downloadable byte", async () => {
    const session = await signIn("national");
    try {
      const pages = [await session.page.content()];
      await openWeek(session);
      pages.push(await session.page.content());
      await saveScreenshot(session.page, join(ARTIFACTS_DIR, "portal-national.png"));
      const offered = await offeredFiles(session.page);
      expect(offered).toEqual(filesOnDisk().filter(EXPECTED.national ?? (() => false)));
      const texts = [...pages];
      for (const path of offered) {
        const response = await session.context.request.get(fileHref(path));
        expect(response.status(), path).toBe(200);
        texts.push((await response.body()).toString("utf8"));
      }
      expect(staffStrings.length).toBeGreaterThan(5000);
      for (const text of texts) {
        const leaked = staffStrings.filter((s) => text.includes(s));
        expect(leaked).toEqual([]);
      }
      for (const path of [
        "municipalities/101/rota.csv",
        "lookahead/2020-W42/municipalities/101/FORELØBIG-rota.csv",
        "regions/1084/pickups.csv",
      ]) {
        expect((await session.context.request.get(fileHref(path))).status(), path).toBe(404);
      }
    } finally {
      await session.context.close();
    }
  });

  it("reads on a phone: no sideways scrolling, download rows at least 44 px tall", async () => {
    const session = await signIn("koordinator-101", { width: 375 });
    try {
      await openWeek(session);
      const overflow = await session.page.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const heights = await mapElements<number>(
        session.page,
        "ul.files a, button",
        "el.getBoundingClientRect().height",
      );
      expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
      await saveScreenshot(session.page, join(ARTIFACTS_DIR, "portal-coordinator-101-phone.png"));
    } finally {
      await session.context.close();
    }
  });

  it("axe-core finds no serious or critical violation on the sign-in page and the week page", async () => {
    const context = await browser.newContext({ baseURL: portal.url, bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto("/login");
      expect(await seriousViolations(page)).toEqual([]);
      await page.fill("#token", "tr1.nobody.wrong");
      await page.click("button[type=submit]");
      await page.waitForSelector("p.error");
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
    for (const id of Object.keys(SCOPES)) {
      const session = await signIn(id, { bypassCsp: true });
      try {
        expect(await seriousViolations(session.page), `${id}: weeks`).toEqual([]);
        await openWeek(session);
        expect(await seriousViolations(session.page), `${id}: week`).toEqual([]);
      } finally {
        await session.context.close();
      }
    }
  });
});
