/*
 * `testrota status` names the live holder of the store's run lock, whichever the store: SQLite's
 * lock file in the data directory, or PostgreSQL's advisory locks, which every replica sees (a
 * replica's status shows the week another replica runs).
 */
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { createRunFixture, type RunFixture } from "../support/run-fixture.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";

const KINDS = storeKinds();

/** 2020-10-28 09:00 UTC: 10:00 in Copenhagen (CET, after the clocks went back on 25 October). */
const STARTED = Date.UTC(2020, 9, 28, 9, 0, 0);

type Status = {
  lock: { pid: number; host: string; since: string; purpose: string; name: string; where: string } | null;
  weekLocks: { name: string; pid: number; host: string }[];
};

describe.each(KINDS)("testrota status ($name store)", (kind) => {
  let under: StoreUnderTest;
  let fixture: RunFixture;
  let store: StateStore;
  beforeEach(async () => {
    under = kind.create();
    const location = under.location;
    fixture = createRunFixture((json) => {
      if (location.type === "sqlite") json.dataDir = dirname(location.path);
      else json.store = { type: "postgres", url: location.url, schema: location.schema };
    });
    store = await under.open();
  });
  afterEach(async () => {
    await under.cleanup();
    fixture.cleanup();
  });

  async function status(json: boolean): Promise<string> {
    let out = "";
    const io = { stdout: (text: string) => void (out += text), stderr: () => undefined };
    const args = ["status", ...(json ? ["--json"] : []), "--config", fixture.configFile];
    const code = await runCli(args, io, { env: { LOG_LEVEL: "silent" } });
    expect(code).toBe(0);
    return out;
  }

  it("says the lock is free when no one holds it", async () => {
    expect(await status(false)).toMatch(/^lock: free$/m);
    expect((JSON.parse(await status(true)) as Status).lock).toBeNull();
  });

  it("names the holder of a week's run, and the lock is free again once it is released", async () => {
    const location = under.location;
    const taken = await store.acquireRunLock({
      name: "week:2020-W44",
      holder: { pid: 4242, host: "worker-a", purpose: "run 2020-W44" },
      now: STARTED,
    });
    if (!taken.acquired) throw new Error("lock not acquired");
    await store.claimWeekLockRow(taken.lock.holder, STARTED);
    try {
      expect(await status(false)).toMatch(
        /^lock: held by pid 4242 on worker-a since 2020-10-28T10:00:00\+01:00 \(run 2020-W44\)$/m,
      );
      const report = JSON.parse(await status(true)) as Status;
      expect(report.lock).toEqual({
        pid: 4242,
        host: "worker-a",
        since: "2020-10-28T10:00:00+01:00",
        purpose: "run 2020-W44",
        name: "week:2020-W44",
        where: location.type === "sqlite" ? join(dirname(location.path), "run.lock") : store.path,
      });
      expect(report.weekLocks).toMatchObject([{ name: "week:2020-W44", pid: 4242, host: "worker-a" }]);
    } finally {
      await store.releaseWeekLockRow(taken.lock.holder.token);
      await taken.lock.release();
    }
    expect(await status(false)).toMatch(/^lock: free$/m);
  });
});
