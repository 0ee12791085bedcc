import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Readable, Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import { LockError } from "../../src/errors.ts";
import { acquireRowLock, listRowLocks } from "../../src/store/run-lock.ts";
import {
  acquireLockFile,
  isProcessAlive,
  lockFilePath,
  readLockFile,
  withRunLock,
} from "../../src/worker/lock.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";

const HOLDER = join(import.meta.dirname, "../fixtures/worker/hold-run-lock.ts");

function w(text: string): IsoWeek {
  const week = parseIsoWeek(text);
  if (week === undefined) throw new Error(`bad week ${text}`);
  return week;
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  const pid = Number(child.stdout);
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

let dataDir: string;
let db: DatabaseSync;
let children: ChildProcessByStdio<Writable, Readable, null>[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "testrota-lock-"));
  db = new DatabaseSync(join(dataDir, "state.db"), { timeout: 5_000 });
  db.exec("PRAGMA journal_mode = WAL");
});

afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
  children = [];
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts a second "worker" process that takes the lock of `week` and holds it until released. */
async function startHolder(week: string) {
  const child = spawn(process.execPath, [HOLDER, dataDir, week], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  let output = "";
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.includes(text)) resolve();
      };
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        check();
      });
      child.once("exit", (code) =>
        output.includes(text) ? resolve() : reject(new Error(`holder exited ${code} before "${text}"`)),
      );
      check();
    });
  await waitFor("locked");
  return {
    pid: child.pid ?? -1,
    async release() {
      child.stdin.end();
      await waitFor("released");
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve),
      );
      return child.exitCode;
    },
  };
}

describe("withRunLock across processes", () => {
  it("two workers on one data directory: only one runs, the other gets a LockError naming the holder", async () => {
    const holder = await startHolder("2020-W44");
    let ran = 0;
    const attempt = withRunLock({ dataDir, db, week: w("2020-W44") }, () => {
      ran += 1;
      return Promise.resolve();
    });
    await expect(attempt).rejects.toBeInstanceOf(LockError);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^week 2020-W44 is being run by pid ${holder.pid} on host ${hostname()} since \\d{4}-\\d{2}-\\d{2}T`,
      ),
    );
    expect(ran).toBe(0);
    // One writer per data directory: another week waits too.
    await expect(withRunLock({ dataDir, db, week: w("2020-W45") }, () => Promise.resolve())).rejects.toThrow(
      /week 2020-W44 is being run by pid/,
    );
    expect(await holder.release()).toBe(0);
    await withRunLock({ dataDir, db, week: w("2020-W44") }, () => {
      ran += 1;
      return Promise.resolve();
    });
    expect(ran).toBe(1);
    expect(existsSync(lockFilePath(dataDir))).toBe(false);
    expect(listRowLocks(db)).toEqual([]);
  });

  it("the lock file names the holder while held", async () => {
    const holder = await startHolder("2020-W40");
    expect(readLockFile(dataDir)).toMatchObject({
      pid: holder.pid,
      host: hostname(),
      purpose: "run 2020-W40",
    });
    expect(listRowLocks(db).map((row) => [row.name, row.holder.pid])).toEqual([
      ["week:2020-W40", holder.pid],
    ]);
    await holder.release();
    expect(readLockFile(dataDir)).toBeUndefined();
  });
});

describe("lock file", () => {
  it("a stale lock file of a dead pid is taken over with a warning", async () => {
    const pid = deadPid();
    writeFileSync(
      lockFilePath(dataDir),
      JSON.stringify({
        pid,
        host: hostname(),
        startedAt: "2020-10-28T09:00:00.000Z",
        purpose: "run 2020-W44",
      }),
    );
    const { logger, lines } = createCapturingLogger();
    let sawOwnLock = false;
    await withRunLock({ dataDir, db, week: w("2020-W44"), logger }, () => {
      sawOwnLock = readLockFile(dataDir)?.pid === process.pid;
      return Promise.resolve();
    });
    expect(sawOwnLock).toBe(true);
    const warning = lines.find((line) => line.msg === "stale lock file taken over");
    expect(warning?.level).toBe("warn");
    expect(warning?.reason).toBe(`pid ${pid} is not running on this host`);
    expect(existsSync(lockFilePath(dataDir))).toBe(false);
  });

  it("is not re-entrant within one process", () => {
    const held = acquireLockFile({ dataDir, purpose: "run 2020-W40" });
    expect(() => acquireLockFile({ dataDir, purpose: "run 2020-W41" })).toThrow(
      new RegExp(`week 2020-W40 is being run by pid ${process.pid}`),
    );
    held.release();
    acquireLockFile({ dataDir, purpose: "run 2020-W41" }).release();
  });

  it("a file naming this pid that this process does not hold was left by a former process", () => {
    writeFileSync(
      lockFilePath(dataDir),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        startedAt: "2020-10-28T09:00:00.000Z",
        purpose: "worker",
      }),
    );
    const held = acquireLockFile({ dataDir, purpose: "run 2020-W40" });
    expect(readLockFile(dataDir)?.purpose).toBe("run 2020-W40");
    held.release();
  });

  const foreign = [
    { name: "another host, recent: held", startedAgoMs: 60_000, takenOver: false },
    {
      name: "another host, older than the stale limit: taken over",
      startedAgoMs: 7 * 3600_000,
      takenOver: true,
    },
  ];
  it.each(foreign)("$name", ({ startedAgoMs, takenOver }) => {
    const now = Date.parse("2020-10-28T12:00:00Z");
    writeFileSync(
      lockFilePath(dataDir),
      JSON.stringify({
        pid: 1,
        host: "other-host",
        startedAt: new Date(now - startedAgoMs).toISOString(),
        purpose: "run 2020-W44",
      }),
    );
    const take = () =>
      acquireLockFile({
        dataDir,
        purpose: "run 2020-W44",
        clock: () => now,
        foreignStaleAfterMs: 6 * 3600_000,
      });
    if (takenOver) {
      const held = take();
      expect(readLockFile(dataDir)?.host).toBe(hostname());
      held.release();
    } else {
      expect(take).toThrow(/week 2020-W44 is being run by pid 1 on host other-host since/);
    }
  });

  it("an unreadable lock file is being written (recent) or left by a crash (old)", () => {
    const path = lockFilePath(dataDir);
    writeFileSync(path, "");
    expect(() => acquireLockFile({ dataDir, purpose: "run 2020-W44" })).toThrow(LockError);
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const held = acquireLockFile({ dataDir, purpose: "run 2020-W44" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid });
    held.release();
  });

  it("release leaves a lock file that is no longer ours alone", () => {
    const held = acquireLockFile({ dataDir, purpose: "run 2020-W44" });
    const successor = JSON.stringify({
      pid: 1,
      host: "other-host",
      startedAt: "2020-10-28T09:00:00.000Z",
      purpose: "x",
    });
    writeFileSync(lockFilePath(dataDir), successor);
    held.release();
    expect(readFileSync(lockFilePath(dataDir), "utf8")).toBe(successor);
  });
});

describe("store lock row", () => {
  const now = Date.parse("2020-10-28T09:00:00Z");

  it("a live holder on another host blocks the week until its row expires", () => {
    const other = { pid: 123, host: "x" };
    expect(acquireRowLock(db, { name: "week:2020-W44", holder: other, now, ttlMs: 3600_000 }).acquired).toBe(
      true,
    );
    const attempt = () =>
      withRunLock({ dataDir, db, week: w("2020-W44"), clock: () => now + 60_000 }, () => Promise.resolve());
    return expect(attempt()).rejects.toThrow(
      /^week 2020-W44 is being run by pid 123 on host x since 2020-10-28T09:00:00.000Z/,
    );
  });

  it("an expired row is taken over, and released afterwards", async () => {
    acquireRowLock(db, { name: "week:2020-W44", holder: { pid: 123, host: "x" }, now, ttlMs: 3600_000 });
    const { logger, lines } = createCapturingLogger();
    let rows: string[] = [];
    await withRunLock({ dataDir, db, week: w("2020-W44"), logger, clock: () => now + 2 * 3600_000 }, () => {
      rows = listRowLocks(db).map((row) => `${row.name} ${row.holder.pid}`);
      return Promise.resolve();
    });
    expect(rows).toEqual([`week:2020-W44 ${process.pid}`]);
    expect(lines.some((line) => line.msg === "stale store lock taken over")).toBe(true);
    expect(listRowLocks(db)).toEqual([]);
  });

  it("an unexpired row of a dead pid on this host is taken over", async () => {
    acquireRowLock(db, {
      name: "week:2020-W44",
      holder: { pid: deadPid(), host: hostname() },
      now,
      ttlMs: 3600_000,
    });
    let ran = false;
    await withRunLock({ dataDir, db, week: w("2020-W44"), clock: () => now + 60_000 }, () => {
      ran = true;
      return Promise.resolve();
    });
    expect(ran).toBe(true);
  });

  it("both locks are released when the run throws", async () => {
    await expect(
      withRunLock({ dataDir, db, week: w("2020-W44") }, () => Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
    expect(existsSync(lockFilePath(dataDir))).toBe(false);
    expect(listRowLocks(db)).toEqual([]);
  });

  it("two connections deciding at once: exactly one gets the row", () => {
    const second = new DatabaseSync(join(dataDir, "state.db"), { timeout: 5_000 });
    try {
      const a = acquireRowLock(db, {
        name: "week:2020-W44",
        holder: { pid: 1, host: "a" },
        now,
        ttlMs: 60_000,
      });
      const b = acquireRowLock(second, {
        name: "week:2020-W44",
        holder: { pid: 2, host: "b" },
        now,
        ttlMs: 60_000,
      });
      expect([a.acquired, b.acquired]).toEqual([true, false]);
      expect(b.acquired ? undefined : b.current.holder).toMatchObject({ pid: 1, host: "a" });
    } finally {
      second.close();
    }
  });
});
