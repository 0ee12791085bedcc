// Installs the real clients the tests check outputs with, from Debian's packages, when missing:
// a browser for pages (chromium, driven by playwright-core), poppler-utils for PDFs
// (pdftotext, pdftoppm, pdfinfo) and LibreOffice Calc for workbooks (soffice --headless), plus
// the fonts they render with. A fresh machine of this kind has none of them; the project's own
// test setup brings them (as root, with apt-get), so `npm test` needs no manual step.
//
// The vitest global setup imports it; `node scripts/ensure-system-tools.ts` runs it on its own.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Command → Debian package that provides it. */
export const SYSTEM_TOOLS: Readonly<Record<string, string>> = {
  chromium: "chromium",
  pdftotext: "poppler-utils",
  pdftoppm: "poppler-utils",
  pdfinfo: "poppler-utils",
  soffice: "libreoffice-calc",
};
/** Fonts the rendered pages and converted workbooks need (Danish letters æøå included). */
const EXTRA_PACKAGES = ["fonts-dejavu-core", "fonts-liberation"];

function onPath(command: string): boolean {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .some((dir) => dir !== "" && existsSync(join(dir, command)));
}

/** The commands of SYSTEM_TOOLS not found on PATH. */
export function missingTools(tools: Readonly<Record<string, string>> = SYSTEM_TOOLS): string[] {
  return Object.keys(tools).filter((command) => !onPath(command));
}

/**
 * Installs the packages of missing tools with apt-get (root only). Returns a one-line problem
 * when it cannot (not root, no apt-get, install failed), or undefined when everything is there.
 */
export function ensureSystemTools(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): string | undefined {
  const missing = missingTools();
  if (missing.length === 0) return undefined;
  const packages = [...new Set([...missing.map((c) => SYSTEM_TOOLS[c] ?? c), ...EXTRA_PACKAGES])];
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !onPath("apt-get")) {
    return `missing ${missing.join(", ")}: install the Debian packages ${packages.join(" ")} (as root: apt-get install ${packages.join(" ")})`;
  }
  log(`testrota: installing test tools from Debian's packages: ${packages.join(" ")} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const quiet: SpawnSyncOptions = { stdio: ["ignore", "ignore", "inherit"], env };
  let result = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], quiet);
  if (result.status !== 0) {
    // A fresh machine has no package lists yet.
    spawnSync("apt-get", ["update", "-qq"], quiet);
    result = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], quiet);
  }
  if (result.status !== 0) return `apt-get install ${packages.join(" ")} failed (exit ${result.status})`;
  const still = missingTools();
  return still.length === 0 ? undefined : `still missing after apt-get: ${still.join(", ")}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problem = ensureSystemTools();
  if (problem !== undefined) {
    process.stderr.write(`testrota: ${problem}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`test tools present: ${Object.keys(SYSTEM_TOOLS).join(", ")}\n`);
  }
}
