import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import { decideCatchUp } from "../../src/domain/schedule.ts";
import { LockError, StorageError } from "../../src/errors.ts";
import { CRASHED_NOTE } from "../../src/store/run-ledger.ts";
import { listRowLocks } from "../../src/store/run-lock.ts";
import { openStateStore, type SqliteStateStore } from "../../src/store/sqlite-store.ts";
import {
  lockFilePath,
  readLockFile,
  weekLockName,
  withDataDirLock,
  withRunLock,
} from "../../src/worker/lock.ts";
import { createLedgerView } from "../../src/worker/worker.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";

/*
 * The worker-level run lock on the SQLite store: the OS lock on `<dataDir>/run.lock` (one run per
 * data directory, across PID namespaces) and its lock file. These cases are about that file and
 * stay SQLite-only. The same promises on PostgreSQL (a session advisory lock per week, released
 * when the holder's connection dies) are tested by the parametrised store-locks suite
 * (tests/store/store-locks.test.ts, both stores) and by real replica processes in
 * tests/worker/high-availability.test.ts.
 */

const HOLDER = join(import.meta.dirname, "../fixtures/worker/hold-run-lock.ts");

function w(text: string): IsoWeek {
  const week = parseIsoWeek(text);
  if (week === undefined) throw new Error(`bad week ${text}`);
  return week;
}

/** True when this machine lets us start a process in a new PID namespace (root, util-linux). */
function canUnsharePid(): boolean {
  return spawnSync("unshare", ["--pid", "--fork", "true"], { stdio: "ignore" }).status === 0;
}

let dataDir: string;
let store: SqliteStateStore;
let children: ReturnType<typeof spawn>[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "testrota-lock-"));
  store = openStateStore(join(dataDir, "testrota.sqlite"));
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  children = [];
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Started = { output: () => string; waitFor(text: string): Promise<void>; exited: Promise<number | null> };

function startProcess(command: string, args: string[]): Started & { child: ReturnType<typeof spawn> } {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.includes(text)) resolve();
      };
      child.stdout?.on("data", check);
      void exited.then((code) =>
        output.includes(text) ? resolve() : reject(new Error(`exited ${code} before "${text}": ${output}`)),
      );
      check();
    });
  return { child, output: () => output, waitFor, exited };
}

/** A second "worker" process that takes the lock of `week`, begins a run and holds it. */
async function startHolder(week: string, namespace = false) {
  const args = [HOLDER, "hold", dataDir, week];
  const started = namespace
    ? startProcess("unshare", ["--pid", "--fork", process.execPath, ...args])
    : startProcess(process.execPath, args);
  await started.waitFor("locked");
  const pid = Number(/locked (\d+)/.exec(started.output())?.[1]);
  return {
    pid,
    async release() {
      started.child.stdin?.end();
      await started.waitFor("released");
      return started.exited;
    },
    async kill() {
      started.child.kill("SIGKILL");
      await started.exited;
    },
  };
}

/** Runs the fixture's one-shot attempt; resolves with its exit code and output. */
async function tryInProcess(week: string, namespace = false) {
  const args = [HOLDER, "try", dataDir, week];
  const started = namespace
    ? startProcess("unshare", ["--pid", "--fork", process.execPath, ...args])
    : startProcess(process.execPath, args);
  const code = await started.exited;
  return { code, output: started.output() };
}

const HELD = (week: string, pid: number) =>
  new RegExp(
    `^week ${week} is being run by pid ${pid} on host ${hostname()} since \\d{4}-\\d{2}-\\d{2}T[^ ]+ \\(lock ${lockFilePath(dataDir).replaceAll("/", "\\/")}\\)$`,
  );

describe("withRunLock across processes", () => {
  it("two workers on one data directory: only one runs, the other gets a LockError naming the holder", async () => {
    const holder = await startHolder("2020-W44");
    let ran = 0;
    const attempt = withRunLock({ store, week: w("2020-W44") }, () => {
      ran += 1;
      return Promise.resolve();
    });
    await expect(attempt).rejects.toBeInstanceOf(LockError);
    await expect(attempt).rejects.toThrow(HELD("2020-W44", holder.pid));
    expect(ran).toBe(0);
    // One writer per data directory: another week waits too.
    await expect(withRunLock({ store, week: w("2020-W45") }, () => Promise.resolve())).rejects.toThrow(
      HELD("2020-W44", holder.pid),
    );
    expect(await holder.release()).toBe(0);
    await withRunLock({ store, week: w("2020-W44") }, () => {
      ran += 1;
      return Promise.resolve();
    });
    expect(ran).toBe(1);
    expect(readLockFile(dataDir)).toBeUndefined();
    expect(listRowLocks(store.db)).toEqual([]);
  });

  it("names the holder while held (for status) and nothing after release", async () => {
    const holder = await startHolder("2020-W40");
    expect(readLockFile(dataDir)).toMatchObject({
      pid: holder.pid,
      host: hostname(),
      purpose: "run 2020-W40",
    });
    expect(listRowLocks(store.db).map((row) => [row.name, row.holder.pid, row.live])).toEqual([
      ["week:2020-W40", holder.pid, true],
    ]);
    await holder.release();
    expect(readLockFile(dataDir)).toBeUndefined();
    expect(listRowLocks(store.db)).toEqual([]);
  });

  it("a SIGKILLed holder releases the lock at once; its week reads crashed and is caught up", async () => {
    const holder = await startHolder("2020-W40");
    const view = createLedgerView(store);
    expect(await view.lastOutcome(w("2020-W40"))).toBe("running");
    await holder.kill();

    // No expiry to wait for: the kernel released the lock with the process.
    expect(readLockFile(dataDir)).toBeUndefined();
    expect(listRowLocks(store.db).map((row) => [row.name, row.holder.pid, row.live])).toEqual([
      ["week:2020-W40", holder.pid, false],
    ]);
    const outcome = await view.lastOutcome(w("2020-W40"));
    expect(outcome).toBe("crashed");
    // Wednesday 30 September 2020, 12:00 Copenhagen: W40 is due again at the worker's next start.
    const decision = decideCatchUp(
      Date.parse("2020-09-30T10:00:00Z"),
      { time: "10:00", zone: "Europe/Copenhagen", catchUpWeeks: 1, firstWeek: w("2020-W40") },
      (week) => (week.week === 40 && week.year === 2020 ? outcome : "succeeded"),
    );
    expect(decision.run).toEqual([w("2020-W40")]);

    const { logger, lines } = createCapturingLogger();
    await withRunLock({ store, week: w("2020-W40"), logger }, async () => {
      await store.beginRun({
        week: w("2020-W40"),
        runId: "next",
        trigger: "catch-up",
        scheduledFor: "s",
        startedAt: "t",
      });
      await store.finishRun({ week: w("2020-W40"), runId: "next", status: "succeeded", finishedAt: "u" });
      return Promise.resolve();
    });
    const warning = lines.find(
      (line) => line.msg === "lock row of a run whose process is gone removed (the run crashed)",
    );
    expect(warning?.previous).toEqual({ pid: holder.pid, host: hostname(), purpose: "run 2020-W40" });
    expect(
      (await store.listAttempts(w("2020-W40"))).map((r) => [r.runId, r.status, r.finishedAt, r.error]),
    ).toEqual([
      [`run-${holder.pid}`, "crashed", "t", CRASHED_NOTE],
      ["next", "succeeded", "u", null],
    ]);
  });

  it.skipIf(!canUnsharePid())(
    "holds across PID namespaces: a contender in its own namespace is refused, and the other way round",
    async () => {
      const holder = await startHolder("2020-W44");
      const fromNamespace = await tryInProcess("2020-W44", true);
      expect(fromNamespace.code).toBe(75);
      expect(fromNamespace.output.trim()).toMatch(HELD("2020-W44", holder.pid));
      await holder.release();

      // The holder is pid 1 of its own namespace; this process still sees the lock held.
      const namespaced = await startHolder("2020-W45", true);
      expect(namespaced.pid).toBe(1);
      const fromHost = await tryInProcess("2020-W45");
      expect(fromHost.code).toBe(75);
      expect(fromHost.output.trim()).toMatch(HELD("2020-W45", 1));
      await namespaced.kill();
      expect((await tryInProcess("2020-W45")).output).toBe("ran\n");
    },
  );
});

describe("withRunLock in one process", () => {
  it.each([
    { name: "a live process (pid 1, as after a container restart)", pid: 1 },
    { name: "this very process", pid: process.pid },
  ])("a lock left naming $name does not block: only a held lock counts", async ({ pid }) => {
    // What a holder that died leaves: its row in run.lock, no lock held.
    const lock = new DatabaseSync(lockFilePath(dataDir));
    lock.exec(`CREATE TABLE holder (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, name TEXT NOT NULL,
      pid INTEGER NOT NULL, host TEXT NOT NULL, purpose TEXT NOT NULL, started_at TEXT NOT NULL)`);
    lock
      .prepare(
        "INSERT INTO holder VALUES (1, 'dead-token', 'week:2020-W44', ?, ?, 'run 2020-W44', '2020-10-28T09:00:00.000Z')",
      )
      .run(pid, hostname());
    lock.close();
    expect(readLockFile(dataDir)).toBeUndefined();
    let ran = false;
    await withRunLock({ store, week: w("2020-W44") }, () => {
      ran = true;
      return Promise.resolve();
    });
    expect(ran).toBe(true);
  });

  it("is not re-entrant: a second run inside the first is refused naming this process", async () => {
    await withRunLock({ store, week: w("2020-W40") }, async () => {
      await expect(withRunLock({ store, week: w("2020-W41") }, () => Promise.resolve())).rejects.toThrow(
        HELD("2020-W40", process.pid),
      );
      await expect(withDataDirLock({ store, purpose: "reconcile" }, () => Promise.resolve())).rejects.toThrow(
        /^week 2020-W40 is being run by pid/,
      );
    });
    await withDataDirLock({ store, purpose: "reconcile" }, async () => {
      await expect(withRunLock({ store, week: w("2020-W41") }, () => Promise.resolve())).rejects.toThrow(
        new RegExp(`^the data directory is in use \\(reconcile\\) by pid ${process.pid} on host`),
      );
    });
  });

  it("both the lock and the week row are released when the run throws", async () => {
    await expect(
      withRunLock({ store, week: w("2020-W44") }, () => Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
    expect(readLockFile(dataDir)).toBeUndefined();
    expect(listRowLocks(store.db)).toEqual([]);
  });

  it("keeps a heartbeat in the week row while the run lasts", async () => {
    vi.useFakeTimers();
    try {
      let now = Date.parse("2020-10-28T09:00:00Z");
      const rows: [number, number][] = [];
      await withRunLock({ store, week: w("2020-W44"), clock: () => now, heartbeatMs: 30_000 }, () => {
        const read = () => {
          const row = listRowLocks(store.db)[0];
          rows.push([row?.acquiredAt ?? 0, row?.heartbeatAt ?? 0]);
        };
        read();
        now += 31_000;
        vi.advanceTimersByTime(30_000);
        read();
        return Promise.resolve();
      });
      const start = Date.parse("2020-10-28T09:00:00Z");
      expect(rows).toEqual([
        [start, start],
        [start, start + 31_000],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("the lock week name is spelt in one place", () => {
    expect(weekLockName(w("2020-W04"))).toBe("week:2020-W04");
  });
});

describe("run lock on disk", () => {
  it("creates the data directory 0750 and the lock file 0640", async () => {
    const fresh = join(dataDir, "fresh", "data");
    const freshStore = openStateStore(join(fresh, "testrota.sqlite"));
    try {
      await withRunLock({ store: freshStore, week: w("2020-W44") }, () => Promise.resolve());
    } finally {
      await freshStore.close();
    }
    expect(statSync(join(dataDir, "fresh")).mode & 0o777).toBe(0o750);
    expect(statSync(fresh).mode & 0o777).toBe(0o750);
    expect(statSync(lockFilePath(fresh)).mode & 0o777).toBe(0o640);
  });

  it.each([
    {
      name: "a folder in the lock's place",
      damage: () => mkdirSync(lockFilePath(dataDir)),
      fault: "io",
      exitCode: 74,
    },
    {
      name: "a lock file that is not a database",
      damage: () => writeFileSync(lockFilePath(dataDir), "garbage ".repeat(200)),
      fault: "corrupt",
      exitCode: 72,
    },
  ])("$name is a StorageError naming run.lock", async ({ damage, fault, exitCode }) => {
    damage();
    const attempt = withRunLock({ store, week: w("2020-W44") }, () => Promise.resolve());
    await expect(attempt).rejects.toBeInstanceOf(StorageError);
    await expect(attempt).rejects.toMatchObject({ fault, exitCode, path: lockFilePath(dataDir) });
    await expect(attempt).rejects.toThrow(new RegExp(`^${lockFilePath(dataDir)}: `));
  });
});
