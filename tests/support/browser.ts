import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import axe from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium, installed by the test setup (scripts/ensure-system-tools.ts). */
export const CHROMIUM = "/usr/bin/chromium";

/** Launches headless Debian chromium with everything that phones home switched off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

export type OpenedPage = {
  readonly page: Page;
  /** Console messages of type `error` and uncaught page errors, in order. */
  readonly consoleErrors: string[];
  /** Every request the page made besides loading the document itself (URLs), in order. */
  readonly requests: string[];
  close(): Promise<void>;
};

export type OpenOptions = {
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Run the page with JavaScript disabled (the reports must read without it). */
  readonly javaScriptEnabled?: boolean;
  /** Lets the test inject scripts (axe-core) into a page whose own policy forbids them. */
  readonly bypassCsp?: boolean;
};

/**
 * Opens a file from disk in a fresh browser context and records console errors and every request
 * the page makes. Requests other than the document are aborted, so a page that tries to fetch
 * anything fails loudly in `requests` instead of reaching the network.
 */
export async function openFile(
  browser: Browser,
  file: string,
  options: OpenOptions = {},
): Promise<OpenedPage> {
  const url = pathToFileURL(resolve(file)).href;
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    bypassCSP: options.bypassCsp ?? false,
  });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  await context.route("**/*", async (route) => {
    const requested = route.request().url();
    if (requested === url) {
      await route.continue();
    } else {
      requests.push(requested);
      await route.abort();
    }
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  page.on("request", (request) => {
    if (request.url() !== url && !requests.includes(request.url())) requests.push(request.url());
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, consoleErrors, requests, close: () => context.close() };
}

/** Saves a screenshot (full page unless `clip` is given), creating the folder. */
export async function saveScreenshot(
  page: Page,
  path: string,
  clip?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number },
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot(
    clip === undefined ? { path, fullPage: true } : { path, fullPage: true, clip: { ...clip } },
  );
}

/** Where browser tests leave their screenshots: under the git-ignored `.tmp/`. */
export const ARTIFACTS_DIR = resolve(import.meta.dirname, "..", "..", ".tmp", "artifacts");

/** The id of the focused element (its tag name when it has no id). */
export function activeElementId(page: Page): Promise<string> {
  // A string expression: the project compiles without the DOM library.
  return page.evaluate<string>(
    "document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ''",
  );
}

/**
 * Evaluates `expression` (JavaScript over the element `el`) for every element matching `selector`,
 * in document order. Expressions are strings: the project compiles without the DOM library.
 */
export function mapElements<T>(page: Page, selector: string, expression: string): Promise<T[]> {
  return page.evaluate<T[]>(
    `Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (el) => (${expression}))`,
  );
}

/** The computed value of a CSS property of every element matching `selector`, in document order. */
export function computedStyles(page: Page, selector: string, property: string): Promise<string[]> {
  return mapElements<string>(
    page,
    selector,
    `getComputedStyle(el).getPropertyValue(${JSON.stringify(property)})`,
  );
}

export type AxeFinding = {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
};

/** Injects axe-core into the page (open it with `bypassCsp`) and returns its violations. */
export async function runAxe(page: Page): Promise<AxeFinding[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate<AxeFinding[]>(
    "axe.run().then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))",
  );
}
