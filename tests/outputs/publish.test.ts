import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../src/errors.ts";
import { preparePublish, publishWeek, type PublishWeekInput } from "../../src/outputs/publish.ts";
import { reconcilePublished } from "../../src/outputs/reconcile-published.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import type { PublishedDigest, PublishedWeek } from "../../src/store/week-state.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import {
  expectedDigest,
  expectedEntries,
  FOLDER,
  readTree,
  sha256,
  V1,
  V2,
  versionIn,
} from "../fixtures/store/week-folders.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

const encoder = new TextEncoder();
const D1 = expectedDigest(FOLDER, V1);
const D2 = expectedDigest(FOLDER, V2);

let outDir: string;
let recorded: PublishedDigest[];
beforeEach(async () => {
  outDir = join(await mkdtemp(join(tmpdir(), "publish-")), "out");
  recorded = [];
});
afterEach(async () => {
  await rm(join(outDir, ".."), { recursive: true, force: true });
});

function publish(files: Map<string, Uint8Array>, extra: Partial<PublishWeekInput> = {}) {
  return publishWeek({
    outDir,
    folder: FOLDER,
    files,
    record: (published) => {
      recorded.push(published);
    },
    ...extra,
  });
}

const dir = () => join(outDir, FOLDER);
const listing = () => readdirSync(outDir).sort();

describe("publishWeek", () => {
  it("records the folder's digest, then publishes every file with a manifest of SHA-256s and sizes", async () => {
    const result = await publish(V1);
    expect(result).toMatchObject({ dir: dir(), digest: D1, changed: true });
    expect(recorded).toEqual([{ folder: FOLDER, digest: D1, previousDigest: null }]);

    const tree = readTree(dir()) ?? new Map<string, Buffer>();
    expect([...tree.keys()].sort()).toEqual([...V1.keys(), "manifest.json"].sort());
    for (const [path, bytes] of V1) expect(tree.get(path)?.equals(bytes)).toBe(true);
    const manifestBytes = tree.get("manifest.json") ?? Buffer.alloc(0);
    expect(JSON.parse(manifestBytes.toString("utf8"))).toEqual({
      folder: FOLDER,
      files: expectedEntries(V1),
    });
    expect(sha256(manifestBytes)).toBe(D1);
    expect(result.manifest).toEqual({ folder: FOLDER, files: expectedEntries(V1) });
    expect(listing()).toEqual([FOLDER]);
  });

  it.each([
    { name: "default umask 027: files 0640, folders 0750", umask: undefined, file: 0o640, folder: 0o750 },
    { name: "umask 077: files 0600, folders 0700", umask: 0o077, file: 0o600, folder: 0o700 },
  ])("sets permissions explicitly, $name", async ({ umask, file, folder }) => {
    await publish(V1, { umask });
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(outDir)).toBe(folder);
    expect(mode(dir())).toBe(folder);
    expect(mode(join(dir(), "municipalities"))).toBe(folder);
    expect(mode(join(dir(), "municipalities", "101"))).toBe(folder);
    expect(mode(join(dir(), "municipalities", "101", "rota.csv"))).toBe(file);
    expect(mode(join(dir(), "manifest.json"))).toBe(file);
  });

  it("leaves the folder untouched when the same files are published again", async () => {
    await publish(V1);
    const inode = statSync(dir()).ino;
    const again = await publish(new Map([...V1].reverse()));
    expect(again.changed).toBe(false);
    expect(recorded[1]).toEqual({ folder: FOLDER, digest: D1, previousDigest: D1 });
    expect(statSync(dir()).ino).toBe(inode);
    expect(versionIn(dir())).toBe("V1");
    expect(listing()).toEqual([FOLDER]);
  });

  it("republishes a folder whose files were altered although its manifest was not", async () => {
    await publish(V1);
    rmSync(join(dir(), "municipalities", "101", "rota.csv"));
    const again = await publish(V1);
    expect(again.changed).toBe(true);
    expect(versionIn(dir())).toBe("V1");
  });

  it("replaces a folder with different files, dropping files no longer produced", async () => {
    await publish(V1);
    const result = await publish(V2);
    expect(result.changed).toBe(true);
    expect(recorded[1]).toEqual({ folder: FOLDER, digest: D2, previousDigest: D1 });
    expect(versionIn(dir())).toBe("V2");
    expect(listing()).toEqual([FOLDER]);
  });

  it("keeps the previous folder, leaves no temp folder and records nothing when writing fails midway", async () => {
    await publish(V1);
    // Sorted last, so the other files are already written when the OS refuses this name (> 255 bytes).
    const failing = new Map([...V2, [`zz/${"x".repeat(300)}.csv`, encoder.encode("boom")]]);
    await expect(publish(failing)).rejects.toThrow(/ENAMETOOLONG/);
    expect(recorded).toHaveLength(1);
    expect(versionIn(dir())).toBe("V1");
    expect(listing()).toEqual([FOLDER]);
  });

  it("publishes nothing when the store cannot record the week (data disk full)", async () => {
    await publish(V1);
    const store = openStateStore(join(outDir, "..", "data", "testrota.sqlite"));
    try {
      // A database that may not grow: what a full data disk looks like to SQLite. VACUUM first:
      // the pages freed by schema migrations would otherwise still take new rows.
      store.db.exec("VACUUM");
      const pages = Number(store.db.prepare("PRAGMA page_count").get()?.page_count);
      store.db.exec(`PRAGMA max_page_count = ${pages}`);
      const plan = weekPlanOf({ year: 2020, week: 45 });
      const attempt = publish(V2, {
        record: (published) =>
          store.commitWeek({
            week: { year: 2020, week: 44 },
            runId: "r1",
            classifications: [],
            cadence: new Map(),
            plan,
            inputDigest: "x".repeat(5000),
            published,
          }),
      });
      await expect(attempt).rejects.toBeInstanceOf(StorageError);
      await expect(attempt).rejects.toMatchObject({ fault: "full", exitCode: 74, path: store.path });
      expect(await store.listPublished()).toEqual([]);
    } finally {
      await store.close();
    }
    expect(versionIn(dir())).toBe("V1");
    expect(listing()).toEqual([FOLDER]);
  });

  it("never shows a week when its first publish fails", async () => {
    const failing = new Map([...V1, [`zz/${"x".repeat(300)}.csv`, encoder.encode("boom")]]);
    await expect(publish(failing)).rejects.toThrow();
    expect(listing()).toEqual([]);
  });

  it.each([
    { name: "a parent segment", path: "../escape.csv" },
    { name: "an absolute path", path: "/etc/passwd" },
    { name: "a hidden file", path: "regions/.hidden" },
    { name: "the reserved manifest name", path: "manifest.json" },
    { name: "a backslash", path: "regions\\1084.csv" },
  ])("refuses a file path with $name", async ({ path }) => {
    await expect(publish(new Map([[path, encoder.encode("x")]]))).rejects.toThrow(/file path/);
    expect(existsSync(outDir)).toBe(false);
    expect(recorded).toEqual([]);
  });

  it.each([".hidden", "a/b", "", "set-aside"])("refuses the folder name %j", async (folder) => {
    await expect(
      publishWeek({ outDir, folder, files: V1, record: (p) => void recorded.push(p) }),
    ).rejects.toThrow(/folder/);
  });
});

describe("reconcilePublished", () => {
  function place(name: string, files: Map<string, Uint8Array>, folder = FOLDER): void {
    const manifest = { folder, files: expectedEntries(files) };
    for (const [path, bytes] of [
      ...files,
      ["manifest.json", encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`)] as const,
    ]) {
      mkdirSync(join(outDir, name, path, ".."), { recursive: true });
      writeFileSync(join(outDir, name, path), bytes);
    }
  }
  const record = (digest: string | null, previousDigest: string | null = null): PublishedWeek[] => [
    { folder: FOLDER, digest, previousDigest },
  ];
  const TMP = `.tmp-${FOLDER}-0123456789ab`;
  const OLD = `.old-${FOLDER}-ba9876543210`;

  const cases: {
    name: string;
    setup: () => void;
    store: PublishedWeek[];
    version: string;
    listing: string[];
    report: { completed?: string[]; missing?: string[]; removed?: string[]; setAside?: number };
  }[] = [
    {
      name: "consistent: nothing to do",
      setup: () => place(FOLDER, V1),
      store: record(D1),
      version: "V1",
      listing: [FOLDER],
      report: {},
    },
    {
      name: "crash after the commit, before the swap: the recorded folder is swapped in",
      setup: () => {
        place(FOLDER, V1);
        place(TMP, V2);
      },
      store: record(D2, D1),
      version: "V2",
      listing: [FOLDER],
      report: { completed: [FOLDER] },
    },
    {
      name: "crash between the two renames: the recorded folder is swapped in, the old one removed",
      setup: () => {
        place(OLD, V1);
        place(TMP, V2);
      },
      store: record(D2, D1),
      version: "V2",
      listing: [FOLDER],
      report: { completed: [FOLDER], removed: [OLD] },
    },
    {
      name: "crash before the commit: the unrecorded prepared folder is removed",
      setup: () => {
        place(FOLDER, V1);
        place(TMP, V2);
      },
      store: record(D1),
      version: "V1",
      listing: [FOLDER],
      report: { removed: [TMP] },
    },
    {
      name: "crash after the swap, before removing the old folder",
      setup: () => {
        place(FOLDER, V2);
        place(OLD, V1);
      },
      store: record(D2, D1),
      version: "V2",
      listing: [FOLDER],
      report: { removed: [OLD] },
    },
    {
      name: "a folder the store does not know is set aside, not deleted",
      setup: () => place(FOLDER, V1),
      store: [],
      version: "absent",
      listing: ["set-aside"],
      report: { setAside: 1 },
    },
    {
      name: "a folder with another digest than the store's and nothing to replace it: set aside, reported missing",
      setup: () => {
        place(FOLDER, V1);
        // A prepared folder of the recorded version that lost a file is not taken.
        place(TMP, V2);
        rmSync(join(outDir, TMP, "summary.json"));
      },
      store: record(D2, D1),
      version: "absent",
      listing: ["set-aside"],
      report: { missing: [FOLDER], removed: [TMP], setAside: 1 },
    },
    {
      name: "a recorded week whose folder is gone is reported missing",
      setup: () => mkdirSync(outDir),
      store: record(D1),
      version: "absent",
      listing: [],
      report: { missing: [FOLDER] },
    },
    {
      name: "recorded before digests were kept: left as it is, leftovers removed",
      setup: () => {
        place(FOLDER, V2);
        place(OLD, V1);
        place(TMP, V1);
      },
      store: record(null),
      version: "V2",
      listing: [FOLDER],
      report: { removed: [OLD, TMP] },
    },
    {
      name: "recorded before digests were kept and moved aside by a crash: put back",
      setup: () => place(OLD, V1),
      store: record(null),
      version: "V1",
      listing: [FOLDER],
      report: { completed: [FOLDER] },
    },
  ];

  it.each(cases)("$name", async ({ setup, store, version, listing: names, report }) => {
    setup();
    const { logger, lines } = createCapturingLogger();
    const result = await reconcilePublished({
      outDir,
      store: { listPublished: () => Promise.resolve(store) },
      logger,
    });
    expect(versionIn(dir())).toBe(version);
    expect(listing()).toEqual(names);
    expect({ ...result, setAside: result.setAside.length }).toEqual({
      completed: report.completed ?? [],
      missing: report.missing ?? [],
      removed: report.removed ?? [],
      setAside: report.setAside ?? 0,
    });
    for (const aside of result.setAside) {
      // Set aside whole, under a name that says which week and which version it was.
      expect(aside.to.startsWith(join(outDir, "set-aside", `${FOLDER}-${D1.slice(0, 12)}-`))).toBe(true);
      expect(versionIn(aside.to)).toBe("V1");
      expect(
        lines.some((line) => line.level === "warn" && line.folder === FOLDER && line.to === aside.to),
      ).toBe(true);
    }
  });

  it("does nothing when the out folder does not exist yet", async () => {
    const result = await reconcilePublished({
      outDir,
      store: { listPublished: () => Promise.resolve(record(D1)) },
    });
    expect(result).toEqual({ completed: [], missing: [], removed: [], setAside: [] });
    expect(existsSync(outDir)).toBe(false);
  });
});

describe("preparePublish (the older path, inside the store transaction)", () => {
  it("writes nothing visible until commit, then renames into place", async () => {
    const prepared = await preparePublish({ outDir, folder: FOLDER, files: V1 });
    expect(listing().filter((name) => !name.startsWith("."))).toEqual([]);
    prepared.commit();
    expect(listing()).toEqual([FOLDER]);
    expect(versionIn(dir())).toBe("V1");
    expect(() => prepared.commit()).toThrow(/already committed/);
  });

  it("discard removes the prepared files and leaves the published folder alone", async () => {
    await publish(V1);
    const prepared = await preparePublish({ outDir, folder: FOLDER, files: V2 });
    prepared.discard();
    expect(listing()).toEqual([FOLDER]);
    expect(versionIn(dir())).toBe("V1");
    expect(() => prepared.commit()).toThrow(/already discarded/);
  });

  it("repairs its own folder's leftovers first: a set-aside week is put back, temp folders removed", async () => {
    await publish(V1);
    renameSync(dir(), join(outDir, `.old-${FOLDER}-0123456789ab`));
    mkdirSync(join(outDir, `.tmp-${FOLDER}-0123456789ac`));
    const prepared = await preparePublish({ outDir, folder: FOLDER, files: V1 });
    expect(prepared.changed).toBe(false);
    prepared.commit();
    expect(listing()).toEqual([FOLDER]);
  });

  it("commits inside the store transaction; a failed transaction publishes nothing", async () => {
    const store = openStateStore(join(outDir, "..", "state", "state.sqlite"));
    try {
      const week = { year: 2020, week: 44 };
      const plan = weekPlanOf({ year: 2020, week: 45 });
      const input = { week, runId: "r1", classifications: [], cadence: new Map(), plan, inputDigest: "d" };
      const failing = await preparePublish({ outDir, folder: "2020-W43", files: V1 });
      const badClassification = {
        week: { year: 2019, week: 1 },
        code: 101,
        name: "København",
        regionCode: 1084,
        window: { start: "2018-12-25", end: "2018-12-31" },
        cases7d: 1,
        population: 1,
        incidence: 100_000,
        rawStatus: "red" as const,
        status: "red" as const,
        overrideId: null,
        limitToSites: null,
      };
      await expect(
        store.commitWeek({ ...input, classifications: [badClassification], publish: () => failing.commit() }),
      ).rejects.toThrow();
      failing.discard();
      expect(await store.lastCommittedWeek()).toBeUndefined();

      const prepared = await preparePublish({ outDir, folder: FOLDER, files: V1 });
      await store.commitWeek({ ...input, publish: () => prepared.commit() });
      expect(await store.lastCommittedWeek()).toEqual(week);
      expect(listing().filter((name) => !name.startsWith("."))).toEqual([FOLDER]);
    } finally {
      await store.close();
    }
  });
});
