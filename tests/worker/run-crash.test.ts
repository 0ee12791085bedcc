import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { createApp } from "../../src/worker/app.ts";
import { createLedgerView } from "../../src/worker/worker.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { createRunFixture, SMALL_ROSTER, type RunFixture } from "../support/run-fixture.ts";

/*
 * A whole run (the composition root, tests/fixtures/worker/crash-run.ts) killed right after the
 * store committed the week, before the folder was swapped in: the week is recorded but not yet
 * visible. The ledger reads the attempt as crashed; the next run finishes the publish, runs the
 * week again and records the killed attempt as crashed. `npm run reliability` kills at 41 points.
 */

const FIXTURE = join(import.meta.dirname, "../fixtures/worker/crash-run.ts");
const W40 = { year: 2020, week: 40 };

let fixture: RunFixture | undefined;
afterEach(() => {
  fixture?.cleanup();
  fixture = undefined;
});

function crashRun(configFile: string, killAt: string): Promise<{ signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, configFile, "2020-W40", killAt], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (_code, signal) => resolve({ signal, output }));
  });
}

it("a run killed between commit and swap: crashed in the ledger, published by the next run", async () => {
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
  });
  const killed = await crashRun(fixture.configFile, "record:committed");
  expect(killed.signal, killed.output).toBe("SIGKILL");
  // Recorded, not yet visible: the prepared folder waits as `.tmp-2020-W40-…`.
  expect(existsSync(join(fixture.outDir, "2020-W40"))).toBe(false);
  expect(readdirSync(fixture.outDir).filter((name) => name.startsWith(".tmp-2020-W40-"))).toHaveLength(1);

  const app = await createApp({ config: fixture.config(), logger: createCapturingLogger().logger });
  try {
    expect(await createLedgerView(app.store).lastOutcome(W40)).toBe("crashed");
    const report = await app.runWeek(W40, { trigger: "cli" });
    expect(report.week).toBe("2020-W40");
    const manifest = readFileSync(join(fixture.outDir, "2020-W40", "manifest.json"));
    const digest = createHash("sha256").update(manifest).digest("hex");
    expect(await app.store.listPublished()).toEqual([{ folder: "2020-W40", digest, previousDigest: digest }]);
    expect((await app.store.listAttempts(W40)).map((attempt) => attempt.status)).toEqual([
      "crashed",
      "succeeded",
    ]);
    expect(readdirSync(fixture.outDir)).toEqual(["2020-W40"]);
  } finally {
    await app.close();
  }
}, 120_000);
