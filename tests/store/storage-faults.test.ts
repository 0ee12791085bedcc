import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../src/errors.ts";
import { markerPath } from "../../src/store/open-database.ts";
import { SCHEMA_VERSION } from "../../src/store/schema.ts";
import { openStateStore, type SqliteStateStore } from "../../src/store/sqlite-store.ts";

/*
 * Every storage fault of the SQLite store's file is a StorageError naming the path, with its own
 * exit code (missing 66, read-only 77, full 74, io 74, corrupt 72, newer schema 76), never an
 * "internal error". The out folder's faults are the same whichever the store (the fixture records
 * into a SQLite file).
 *
 * How the faults are made honestly:
 * - read-only: the folder is chmod 0555 and the store is opened by a child process; as root
 *   (who ignores modes) the child gets the folder as a read-only bind mount in its own mount
 *   namespace instead (skipped where `unshare --mount` is not allowed);
 * - disk full: a 512 KiB tmpfs mounted in a private mount namespace of a child process (skipped
 *   where `unshare --mount` is not allowed), and in-process a database that may not grow
 *   (`PRAGMA max_page_count`), which is what SQLite sees on a full disk;
 * - corrupt, missing, newer schema: the file is overwritten, truncated, deleted or stamped.
 */

const FIXTURE = join(import.meta.dirname, "../fixtures/store/storage-fault.ts");
const W44 = { year: 2020, week: 44 };

let root: string;
let open: SqliteStateStore[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "testrota-faults-"));
});
afterEach(async () => {
  for (const store of open) await store.close();
  open = [];
  rmSync(root, { recursive: true, force: true });
});

function openStore(path: string, options?: Parameters<typeof openStateStore>[1]): SqliteStateStore {
  const store = openStateStore(path, options);
  open.push(store);
  return store;
}

async function caughtAsync(work: () => Promise<unknown>): Promise<StorageError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof StorageError) return error;
    throw error;
  }
  throw new Error("expected a StorageError");
}

function caught(work: () => unknown): StorageError {
  try {
    work();
  } catch (error) {
    if (error instanceof StorageError) return error;
    throw error;
  }
  throw new Error("expected a StorageError");
}

type Reported = {
  ok?: boolean;
  fault?: string;
  exitCode?: number;
  path?: string;
  message?: string;
  recorded?: boolean;
};

/** Runs the fixture in a child process, wrapped (e.g. in its own mount namespace) when asked; its JSON lines, merged. */
function runFixture(args: string[], wrap: string[] = []): Reported {
  const [command = process.execPath, ...rest] = [...wrap, process.execPath, FIXTURE, ...args];
  const result = spawnSync(command, rest, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`fixture exited ${result.status}: ${result.stderr} ${String(result.error)}`);
  }
  return Object.assign(
    {},
    ...result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Reported),
  ) as Reported;
}

const isRoot = process.getuid?.() === 0;

/**
 * Root ignores file modes, so as root the folders are made read-only by read-only bind mounts
 * in the fixture's own mount namespace (EROFS); as anyone else their 0555/0444 modes refuse the
 * write (EACCES). Dropping to `nobody` instead fails in CI: the clone sits in a 0700 temp folder
 * that nobody can enter, node binary included.
 */
function readOnly(dirs: string[]): string[] {
  if (!isRoot) return [];
  const script =
    'for d in $DIRS; do mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" "$d" || exit 97; done; exec "$@"';
  return [
    "env",
    `DIRS=${dirs.join(" ")}`,
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "sh",
    "-c",
    script,
    "sh",
  ];
}

function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "testrota-mount-"));
  try {
    const args = [
      "--mount",
      "--propagation",
      "private",
      "mount",
      "-t",
      "tmpfs",
      "-o",
      "size=64k",
      "tmpfs",
      dir,
    ];
    return spawnSync("unshare", args, { stdio: "ignore" }).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the fixture inside a fresh 512 KiB tmpfs mounted on `dir` (its own mount namespace). */
function inTinyFilesystem(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return [
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "sh",
    "-c",
    'mount -t tmpfs -o size=512k tmpfs "$1" && shift && exec "$@"',
    "sh",
    dir,
  ];
}

// SQLite only: every fault here is of the store's file and its folder (modes, mounts, size, bytes,
// marker file); a PostgreSQL store has none — its faults are in postgres-store.test.ts.
describe("SQLite store file", () => {
  describe.skipIf(isRoot && !canMountTmpfs())("read-only storage", () => {
    it("a data directory that cannot be written: 77 naming the database, nothing created", () => {
      const readOnlyDir = join(root, "ro");
      mkdirSync(readOnlyDir, { mode: 0o555 });
      chmodSync(readOnlyDir, 0o555);
      const dbPath = join(readOnlyDir, "data", "testrota.sqlite");
      const result = runFixture(["write", dbPath], readOnly([readOnlyDir]));
      expect(result).toMatchObject({ fault: "read-only", exitCode: 77, path: dbPath });
      expect(result.message).toMatch(
        new RegExp(`^${dbPath}: cannot be written .*(EACCES|EROFS) on ${readOnlyDir}/data`),
      );
      expect(readdirSync(readOnlyDir)).toEqual([]);
    });

    it("an existing store in a folder and file that cannot be written: 77 naming it", async () => {
      const dataDir = join(root, "data");
      const dbPath = join(dataDir, "testrota.sqlite");
      const store = openStateStore(dbPath);
      await store.beginRun({ week: W44, runId: "r0", trigger: "cli", scheduledFor: "s", startedAt: "t" });
      await store.close();
      chmodSync(dbPath, 0o444);
      chmodSync(dataDir, 0o555);
      const result = runFixture(["write", dbPath], readOnly([dataDir]));
      expect(result).toMatchObject({ fault: "read-only", exitCode: 77, path: dbPath });
      expect(result.message).toMatch(
        /^.*testrota\.sqlite: cannot be written \(read-only file system or no permission\)/,
      );
    });

    it("an out folder that cannot be written: 77 naming it, and the week is not recorded", () => {
      const outDir = join(root, "out");
      mkdirSync(outDir, { mode: 0o555 });
      chmodSync(outDir, 0o555);
      const dataDir = join(root, "data");
      mkdirSync(dataDir);
      const result = runFixture(["publish", outDir, join(dataDir, "testrota.sqlite")], readOnly([outDir]));
      expect(result).toMatchObject({ fault: "read-only", exitCode: 77, path: outDir, recorded: false });
      expect(readdirSync(outDir)).toEqual([]);
    });
  });

  describe.skipIf(!canMountTmpfs())("a full disk (512 KiB tmpfs)", () => {
    it("the store's disk fills up: 74 naming the database", () => {
      const fs = join(root, "fs");
      const dbPath = join(fs, "data", "testrota.sqlite");
      expect(runFixture(["fill", dbPath], inTinyFilesystem(fs))).toMatchObject({
        fault: "full",
        exitCode: 74,
        path: dbPath,
        message: expect.stringMatching(
          /: the disk is full; free space and run again \(database or disk is full/,
        ) as unknown,
      });
    });

    it("the out folder's disk is full: 74 naming it, and the week is not recorded", () => {
      const fs = join(root, "fs");
      const outDir = join(fs, "out");
      const result = runFixture(
        ["publish", outDir, join(root, "data", "testrota.sqlite")],
        inTinyFilesystem(fs),
      );
      expect(result).toMatchObject({ fault: "full", exitCode: 74, path: outDir, recorded: false });
      expect(result.message).toMatch(/ENOSPC while writing week 2020-W44/);
    });
  });

  describe("the state store's own faults", () => {
    let dbPath: string;
    beforeEach(() => {
      dbPath = join(root, "data", "testrota.sqlite");
    });

    async function withCommittedWeeks(): Promise<void> {
      const store = openStateStore(dbPath);
      for (let i = 0; i < 40; i += 1) {
        await store.addOverride({
          id: `o${i}`,
          municipalityCode: 101,
          from: W44,
          to: W44,
          action: "keep-green",
          siteIds: [],
          reason: "x".repeat(2000),
          author: "ops",
          createdAt: "2020-10-28T08:00:00Z",
        });
      }
      await store.close();
    }

    it("a database that may not grow (a full disk to SQLite): 74 naming it", async () => {
      const store = openStore(dbPath);
      const pages = Number(store.db.prepare("PRAGMA page_count").get()?.page_count);
      store.db.exec(`PRAGMA max_page_count = ${pages}`);
      const error = await caughtAsync(() =>
        store.addOverride({
          id: "big",
          municipalityCode: 101,
          from: W44,
          to: W44,
          action: "keep-green",
          siteIds: [],
          reason: "x".repeat(100_000),
          author: "ops",
          createdAt: "t",
        }),
      );
      expect(error).toMatchObject({ fault: "full", exitCode: 74, path: dbPath });
      expect(error.message).toBe(
        `${dbPath}: the disk is full; free space and run again (database or disk is full while addOverride)`,
      );
    });

    const corruptions = [
      {
        name: "garbage bytes",
        damage: () => {
          writeFileSync(dbPath, "this is not a database\n".repeat(500));
          return Promise.resolve();
        },
      },
      {
        name: "a truncated file",
        damage: async () => {
          await withCommittedWeeks();
          // Keep the header page, lose the rest: the schema and the overrides are gone.
          truncateSync(dbPath, 6000);
        },
      },
      {
        name: "a damaged header",
        damage: async () => {
          await withCommittedWeeks();
          const bytes = Buffer.alloc(100, 0xff);
          writeFileSync(dbPath, bytes, { flag: "r+" });
        },
      },
    ];
    it.each(corruptions)(
      "$name: 72 naming the database, at open or at the first read",
      async ({ damage }) => {
        mkdirSync(join(root, "data"), { recursive: true });
        await damage();
        const error = await caughtAsync(() => openStore(dbPath).listOverrides());
        expect(error).toMatchObject({ fault: "corrupt", exitCode: 72, path: dbPath });
        expect(error.message).toMatch(
          new RegExp(
            `^${dbPath}: is corrupt \\(not a valid SQLite database\\); restore it from a backup \\(`,
          ),
        );
      },
    );

    it("a store written by a newer testrota: 76, untouched", async () => {
      await openStateStore(dbPath).close();
      const store = openStateStore(dbPath);
      store.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
      await store.close();
      const error = caught(() => openStore(dbPath));
      expect(error).toMatchObject({ fault: "newer-schema", exitCode: 76, path: dbPath });
    });

    it("a folder in the database's place: 74 naming it", () => {
      mkdirSync(dbPath, { recursive: true });
      expect(caught(() => openStore(dbPath))).toMatchObject({
        fault: "io",
        exitCode: 74,
        path: dbPath,
        message: `${dbPath}: is a directory; expected the SQLite state store file`,
      });
    });
  });

  describe("a vanished store", () => {
    let dbPath: string;
    beforeEach(async () => {
      dbPath = join(root, "data", "testrota.sqlite");
      const store = openStateStore(dbPath);
      await store.beginRun({ week: W44, runId: "r0", trigger: "cli", scheduledFor: "s", startedAt: "t" });
      await store.close();
    });

    const vanishings = [
      {
        name: "deleted",
        vanish: () => {
          for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
        },
        state: "missing",
      },
      { name: "emptied to 0 bytes", vanish: () => truncateSync(dbPath, 0), state: "empty (0 bytes)" },
    ];

    it.each(vanishings)(
      "$name: refused with 66 instead of starting over from warm-up",
      ({ vanish, state }) => {
        vanish();
        const error = caught(() => openStore(dbPath));
        expect(error).toMatchObject({ fault: "missing", exitCode: 66, path: dbPath });
        expect(error.message).toBe(
          `${dbPath}: the state store is ${state} although one existed (its marker testrota.sqlite.created is there); restore it from a backup, or start over from warm-up with --reinitialise`,
        );
        // Refusing changes nothing on disk.
        expect(caught(() => openStore(dbPath)).fault).toBe("missing");
      },
    );

    it.each(vanishings)("$name: with reinitialise a new, empty store is started", async ({ vanish }) => {
      vanish();
      const store = openStore(dbPath, { reinitialise: true });
      expect(await store.listRuns()).toEqual([]);
      await store.close();
      // From then on it is the store: reopening needs no flag.
      expect(await openStore(dbPath).listRuns()).toEqual([]);
    });

    it("raw captures also show that a store existed (a store from before the marker)", () => {
      rmSync(dbPath);
      unlinkSync(markerPath(dbPath));
      mkdirSync(join(root, "data", "raw", "2020-W44", "r0"), { recursive: true });
      expect(caught(() => openStore(dbPath)).message).toMatch(
        /although one existed \(runs saved raw captures in raw\/\)/,
      );
    });

    it("a fresh data directory is no vanished store", async () => {
      const fresh = join(root, "fresh", "testrota.sqlite");
      expect(await openStore(fresh).listRuns()).toEqual([]);
    });

    it("the database vanishing while open fails the next write as missing", async () => {
      const store = openStore(dbPath);
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
      const error = await caughtAsync(() =>
        store.beginRun({ week: W44, runId: "r1", trigger: "cli", scheduledFor: "s", startedAt: "t" }),
      );
      expect(error).toMatchObject({ fault: "missing", exitCode: 66, path: dbPath });
    });
  });

  describe("permissions of the store", () => {
    it.each([
      { name: "default: files 0640, folders 0750", umask: undefined, file: 0o640, dir: 0o750 },
      { name: "umask 0o007: files 0660, folders 0770", umask: 0o007, file: 0o660, dir: 0o770 },
    ])("$name", async ({ umask, file, dir }) => {
      const dataDir = join(root, "new", "data");
      const store = openStore(join(dataDir, "testrota.sqlite"), { umask });
      await store.beginRun({ week: W44, runId: "r1", trigger: "cli", scheduledFor: "s", startedAt: "t" });
      const mode = (path: string) => statSync(path).mode & 0o777;
      expect(mode(join(root, "new"))).toBe(dir);
      expect(mode(dataDir)).toBe(dir);
      for (const name of [
        "testrota.sqlite",
        "testrota.sqlite-wal",
        "testrota.sqlite-shm",
        "testrota.sqlite.created",
      ]) {
        expect([name, mode(join(dataDir, name))]).toEqual([name, file]);
      }
    });
  });
});
