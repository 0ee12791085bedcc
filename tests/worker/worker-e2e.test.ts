import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import { AbortedError } from "../../src/errors.ts";
import type { IncidenceSource } from "../../src/sources/source.ts";
import { createApp } from "../../src/worker/app.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { createRunFixture, type RunFixture } from "../support/run-fixture.ts";

/*
 * The worker with the real composition root (store, planner, publish) on a fixture installation.
 * Its clock says Wednesday 30 September 2020, 12:00 Copenhagen: two hours after the 10:00 run of
 * 2020-W40, so start-up must catch that week up. Only the incidence source is wrapped, to hold a
 * run in flight until shutdown.
 */
const NOW = Date.parse("2020-09-30T12:00:00+02:00");
const W40: IsoWeek = { year: 2020, week: 40 };

let fixture: RunFixture | undefined;
afterEach(() => {
  fixture?.cleanup();
  fixture = undefined;
});

function workerFixture(): RunFixture {
  fixture = createRunFixture((json) => {
    json.demoRoster = { seed: 7, staffShare: 0.004, referenceDate: "2020-09-30" };
    json.worker = { host: "127.0.0.1", port: 0, catchUpWeeks: 1, shutdownGraceSeconds: 0 };
  });
  return fixture;
}

/** A source that never answers until the run is aborted (a fetch hanging at shutdown). */
function hangingSource(onStart: () => void): IncidenceSource {
  return {
    name: "ssi",
    fetchIncidence(signal) {
      onStart();
      return new Promise((_, reject) => {
        signal?.addEventListener("abort", () => reject(new AbortedError("fetch aborted by shutdown")), {
          once: true,
        });
      });
    },
  };
}

function publishedWeeks(outDir: string): string[] {
  return existsSync(outDir) ? readdirSync(outDir).filter((name) => /^\d{4}-W\d{2}$/.test(name)) : [];
}

describe("worker with the real run", () => {
  it("aborts a run in flight on shutdown (nothing published, ledger aborted) and redoes the week at the next start", async () => {
    const fx = workerFixture();
    const config = fx.config();
    let started!: () => void;
    const fetchStarted = new Promise<void>((resolve) => (started = resolve));
    const firstApp = await createApp({
      config,
      logger: createCapturingLogger("warn").logger,
      clock: () => NOW,
      source: hangingSource(() => started()),
    });
    const firstWorker = { app: firstApp, worker: await firstApp.startWorker() };
    await fetchStarted;
    await firstWorker.worker.stop("SIGTERM");
    await firstWorker.worker.done;
    expect((await firstWorker.app.store.getRun(W40))?.status).toBe("aborted");
    await firstWorker.app.close();
    expect(publishedWeeks(fx.outDir)).toEqual([]);

    const second = await createApp({
      config,
      logger: createCapturingLogger("warn").logger,
      clock: () => NOW,
    });
    const running = await second.startWorker();
    try {
      for (let i = 0; i < 200 && (await second.store.getRun(W40))?.status !== "succeeded"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await second.store.getRun(W40))?.status).toBe("succeeded");
      expect((await second.store.listAttempts(W40)).map((a) => a.status)).toEqual(["aborted", "succeeded"]);
      expect(publishedWeeks(fx.outDir)).toEqual(["2020-W40"]);
      expect(existsSync(join(fx.outDir, "2020-W40", "manifest.json"))).toBe(true);

      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toMatch(/testrota_runs_total\{outcome="succeeded"\} 1/);
      const ready = await fetch(`${running.url}/readyz`);
      expect(ready.status).toBe(200);
      // /report serves the published week's report.html, byte for byte.
      const report = await fetch(`${running.url}/report`);
      expect(report.status).toBe(200);
      expect(Buffer.from(await report.arrayBuffer())).toEqual(
        readFileSync(join(fx.outDir, "2020-W40", "report.html")),
      );
    } finally {
      await running.stop("test over");
      await running.done;
      await second.close();
    }
  });

  it("a second worker on the same data directory does not run the week again", async () => {
    const fx = workerFixture();
    const config = fx.config();
    const app = await createApp({
      config,
      logger: createCapturingLogger("warn").logger,
      clock: () => NOW,
    });
    const report = await app.runWeek(W40, { trigger: "cli" });
    expect(report.changed).toBe(true);
    const worker = await app.startWorker();
    await worker.stop("test over");
    await worker.done;
    expect(await app.store.listAttempts(W40)).toHaveLength(1);
    await app.close();
  });
});
