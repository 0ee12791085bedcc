/*
 * The run lock of the state store (StoreLocks), against both stores: two stores on one place (two
 * opens of one SQLite file, two of one PostgreSQL schema: two replicas) share one run at a time;
 * the loser learns the live holder; the week rows say who runs, and rows of holders gone are
 * cleared by the next. SQLite's lock across processes and PID namespaces is in
 * tests/worker/lock.test.ts, PostgreSQL's lock dying with its connection in postgres-store.test.ts.
 */
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LockError } from "../../src/errors.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { withDataDirLock, withRunLock } from "../../src/worker/lock.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";

const KINDS = storeKinds();
const W44 = { year: 2020, week: 44 };
const W45 = { year: 2020, week: 45 };
const A = { pid: 11, host: "worker-a" };
const B = { pid: 22, host: "worker-b" };

describe.each(KINDS)("$name store: run lock", (kind) => {
  let under: StoreUnderTest;
  let a: StateStore;
  let b: StateStore;
  beforeEach(async () => {
    under = kind.create();
    a = await under.open();
    b = await under.open();
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await under.cleanup();
  });

  it("one holder at a time: the loser learns who holds it and where; free again after release", async () => {
    const first = await a.acquireRunLock({ name: "week:2020-W44", holder: A, now: Date.UTC(2020, 9, 28, 9) });
    if (!first.acquired) throw new Error("first lock not acquired");
    const lost = await b.acquireRunLock({ name: "week:2020-W44", holder: B, now: 0 });
    expect(lost).toMatchObject({
      acquired: false,
      holder: {
        name: "week:2020-W44",
        pid: 11,
        host: "worker-a",
        purpose: "week:2020-W44",
        startedAt: "2020-10-28T09:00:00.000Z",
      },
    });
    const { where, holders } = await b.readRunLockHolders();
    expect(lost.acquired ? undefined : lost.where).toBe(where);
    const location = under.location;
    expect(where).toBe(location.type === "sqlite" ? join(dirname(location.path), "run.lock") : b.path);
    expect(holders.map((h) => [h.name, h.pid, h.host, h.token])).toEqual([
      ["week:2020-W44", 11, "worker-a", first.lock.holder.token],
    ]);
    expect(await b.readRunLockHolder("week:2020-W44")).toMatchObject({ pid: 11 });

    await first.lock.release();
    await first.lock.release();
    expect((await b.readRunLockHolders()).holders).toEqual([]);
    expect(await b.readRunLockHolder("week:2020-W44")).toBeUndefined();
    const second = await b.acquireRunLock({ name: "week:2020-W44", holder: B, now: 0 });
    expect(second.acquired).toBe(true);
    if (second.acquired) await second.lock.release();
  });

  it("weeks build on each other: a run of one week keeps out another week's run and store-wide work", async () => {
    let ran = 0;
    await withRunLock({ store: a, week: W44, holder: A }, async () => {
      const held = /week 2020-W44 is being run by pid 11 on host worker-a since .* \(lock .*\)$/;
      await expect(withRunLock({ store: b, week: W45, holder: B }, () => Promise.resolve())).rejects.toThrow(
        held,
      );
      const reconcile = withDataDirLock({ store: b, holder: B, purpose: "reconcile" }, () =>
        Promise.resolve(),
      );
      await expect(reconcile).rejects.toBeInstanceOf(LockError);
      await expect(reconcile).rejects.toThrow(held);
      ran += 1;
    });
    // Store-wide work keeps out every week's run in turn.
    await withDataDirLock({ store: a, holder: A, purpose: "reconcile" }, async () => {
      await expect(withRunLock({ store: b, week: W45, holder: B }, () => Promise.resolve())).rejects.toThrow(
        /^the data directory is in use \(reconcile\) by pid 11 on host worker-a since /,
      );
      ran += 1;
    });
    await withRunLock({ store: b, week: W45, holder: B }, () => {
      ran += 1;
      return Promise.resolve();
    });
    expect(ran).toBe(3);
  });

  it("week rows: the live one is marked live; the next holder clears rows of holders gone and returns them", async () => {
    const first = await a.acquireRunLock({ name: "week:2020-W44", holder: A, now: 0 });
    if (!first.acquired) throw new Error("lock not acquired");
    expect(await a.claimWeekLockRow(first.lock.holder, 1000)).toEqual([]);
    await a.beatWeekLockRow(first.lock.holder.token, 2000);
    expect(await b.listRowLocks()).toEqual([
      {
        name: "week:2020-W44",
        token: first.lock.holder.token,
        holder: { pid: 11, host: "worker-a", purpose: "week:2020-W44" },
        acquiredAt: 1000,
        heartbeatAt: 2000,
        live: true,
        expiresAt: Number.MAX_SAFE_INTEGER,
      },
    ]);
    // The holder goes without removing its row (as a killed run does): the row reads not live.
    await first.lock.release();
    expect((await b.listRowLocks()).map((row) => [row.name, row.live, row.expiresAt])).toEqual([
      ["week:2020-W44", false, 2000],
    ]);

    const next = await b.acquireRunLock({ name: "week:2020-W45", holder: B, now: 0 });
    if (!next.acquired) throw new Error("lock not acquired");
    const removed = await b.claimWeekLockRow(next.lock.holder, 3000);
    expect(removed.map((row) => [row.name, row.token, row.holder.pid, row.heartbeatAt])).toEqual([
      ["week:2020-W44", first.lock.holder.token, 11, 2000],
    ]);
    expect((await a.listRowLocks()).map((row) => [row.name, row.holder.pid, row.live])).toEqual([
      ["week:2020-W45", 22, true],
    ]);
    expect(await b.releaseWeekLockRow(next.lock.holder.token)).toBe(true);
    expect(await b.releaseWeekLockRow(next.lock.holder.token)).toBe(false);
    await next.lock.release();
    expect(await a.listRowLocks()).toEqual([]);
  });
});
