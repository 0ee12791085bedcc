import { ensureSystemTools } from "../../scripts/ensure-system-tools.ts";

// Printed once per test run, so CI logs show which Node ran the suite (the project targets 24).
// The real clients outputs are checked with (browser, PDF tools, office suite) are installed here
// when missing, so `npm test` on a fresh machine needs no manual step.
export function setup(): void {
  process.stdout.write(`testrota tests on Node ${process.version} (${process.execPath})\n`);
  const problem = ensureSystemTools();
  if (problem !== undefined) throw new Error(`test setup: ${problem}`);
}
