import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { preparePublish, publishWeekFolder } from "../../src/outputs/publish.ts";
import { openStateStore } from "../../src/store/state-store.ts";

const encoder = new TextEncoder();
const FOLDER = "2020-W44";

function filesOf(entries: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(entries).map(([path, text]) => [path, encoder.encode(text)]));
}

const V1 = filesOf({
  "summary.json": '{"week":"2020-W44"}\n',
  "classification.csv": "\uFEFFmunicipality_code;status\r\n101;red\r\n",
  "municipalities/101/rota.csv": "\uFEFFemployee_id\r\nE1\r\n",
  "regions/1084/pickups.csv": "\uFEFFdate\r\n2020-11-03\r\n",
});

const V2 = filesOf({
  "summary.json": '{"week":"2020-W44","rerun":true}\n',
  "classification.csv": "\uFEFFmunicipality_code;status\r\n101;green\r\n",
  "regions/1084/pickups.csv": "\uFEFFdate\r\n2020-11-03\r\n",
});

/** Every file under `dir` (relative POSIX path → bytes). */
async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const tree = new Map<string, Buffer>();
  for (const entry of entries.filter((e) => e.isFile())) {
    const full = join(entry.parentPath, entry.name);
    tree.set(
      full
        .slice(dir.length + 1)
        .split("\\")
        .join("/"),
      await readFile(full),
    );
  }
  return tree;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The manifest entries computed here, independently of the code under test. */
function expectedEntries(files: Map<string, Uint8Array>): { path: string; sha256: string; bytes: number }[] {
  return [...files.keys()].sort().map((path) => {
    const bytes = files.get(path) ?? new Uint8Array();
    return { path, sha256: sha256(bytes), bytes: bytes.byteLength };
  });
}

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), "publish-"));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe("publishWeekFolder", () => {
  it("publishes every file with a manifest of SHA-256s and sizes, sorted by path", async () => {
    const result = await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    expect(result.changed).toBe(true);
    expect(result.dir).toBe(join(outDir, FOLDER));

    const tree = await readTree(result.dir);
    expect([...tree.keys()].sort()).toEqual([...V1.keys(), "manifest.json"].sort());
    for (const [path, bytes] of V1) expect(tree.get(path)?.equals(bytes)).toBe(true);

    const manifest = JSON.parse(tree.get("manifest.json")?.toString("utf8") ?? "") as {
      folder: string;
      files: { path: string; sha256: string; bytes: number }[];
    };
    expect(manifest).toEqual({ folder: FOLDER, files: expectedEntries(V1) });
    // The manifest on disk also matches the files on disk.
    for (const entry of manifest.files)
      expect(sha256(tree.get(entry.path) ?? Buffer.alloc(0))).toBe(entry.sha256);
    expect(result.manifest).toEqual(manifest);
    expect(await readdir(outDir)).toEqual([FOLDER]);
  });

  it("leaves the folder untouched when the same files are published again", async () => {
    await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    const before = await readTree(join(outDir, FOLDER));
    const inode = (await stat(join(outDir, FOLDER))).ino;

    const again = await publishWeekFolder({ outDir, folder: FOLDER, files: new Map([...V1].reverse()) });

    expect(again.changed).toBe(false);
    expect((await stat(join(outDir, FOLDER))).ino).toBe(inode);
    expect(await readTree(join(outDir, FOLDER))).toEqual(before);
    expect(await readdir(outDir)).toEqual([FOLDER]);
  });

  it("republishes a folder whose published files were altered", async () => {
    await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    await rm(join(outDir, FOLDER, "municipalities", "101", "rota.csv"));
    const again = await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    expect(again.changed).toBe(true);
    expect((await readTree(join(outDir, FOLDER))).has("municipalities/101/rota.csv")).toBe(true);
  });

  it("replaces a folder with different files, dropping files no longer produced", async () => {
    await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    const result = await publishWeekFolder({ outDir, folder: FOLDER, files: V2 });

    expect(result.changed).toBe(true);
    const tree = await readTree(join(outDir, FOLDER));
    expect([...tree.keys()].sort()).toEqual([...V2.keys(), "manifest.json"].sort());
    for (const [path, bytes] of V2) expect(tree.get(path)?.equals(bytes)).toBe(true);
    expect(result.manifest.files).toEqual(expectedEntries(V2));
    expect(await readdir(outDir)).toEqual([FOLDER]);
  });

  it("keeps the previous folder intact and leaves no temp folder when writing fails midway", async () => {
    await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    const before = await readTree(join(outDir, FOLDER));
    // Sorted last, so the other files are already written when the OS refuses this name (> 255 bytes).
    const failing = new Map([...V2, [`zz/${"x".repeat(300)}.csv`, encoder.encode("boom")]]);

    await expect(publishWeekFolder({ outDir, folder: FOLDER, files: failing })).rejects.toThrow(
      /ENAMETOOLONG/,
    );

    expect(await readTree(join(outDir, FOLDER))).toEqual(before);
    expect(await readdir(outDir)).toEqual([FOLDER]);
  });

  it("never shows a week when the first publish of it fails", async () => {
    const failing = new Map([...V1, [`zz/${"x".repeat(300)}.csv`, encoder.encode("boom")]]);
    await expect(publishWeekFolder({ outDir, folder: FOLDER, files: failing })).rejects.toThrow();
    expect(await readdir(outDir)).toEqual([]);
  });

  it("cleans up folders left by a crashed publish", async () => {
    const leftovers = [
      `.tmp-${FOLDER}-dead01`,
      `.old-${FOLDER}-dead02`,
      ".tmp-2020-W43-dead03",
      ".tmp-2020-W45-live04",
    ];
    for (const name of leftovers) {
      await mkdir(join(outDir, name, "municipalities"), { recursive: true });
      await writeFile(join(outDir, name, "summary.json"), "{}");
    }
    const longAgo = new Date("2020-10-21T06:00:00Z");
    await utimes(join(outDir, ".tmp-2020-W43-dead03"), longAgo, longAgo);

    await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });

    // A fresh temp folder of another week may belong to a publish in progress: it stays.
    expect((await readdir(outDir)).sort()).toEqual([".tmp-2020-W45-live04", FOLDER]);
  });

  it("puts back a week moved aside by a publish that crashed between its two renames", async () => {
    await publishWeekFolder({ outDir, folder: "2020-W43", files: V1 });
    const before = await readTree(join(outDir, "2020-W43"));
    const aside = join(outDir, ".old-2020-W43-0123456789ab");
    await rename(join(outDir, "2020-W43"), aside);
    await writeFile(join(outDir, ".tmp-2020-W43-0123456789ac"), "");
    const longAgo = new Date("2020-10-21T06:00:00Z");
    await utimes(aside, longAgo, longAgo);

    await publishWeekFolder({ outDir, folder: FOLDER, files: V2 });

    expect((await readdir(outDir)).sort()).toEqual([".tmp-2020-W43-0123456789ac", "2020-W43", FOLDER]);
    expect(await readTree(join(outDir, "2020-W43"))).toEqual(before);
  });

  it("restores its own set-aside folder before comparing, so an identical re-run changes nothing", async () => {
    await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    await rename(join(outDir, FOLDER), join(outDir, `.old-${FOLDER}-0123456789ab`));

    const again = await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });

    expect(again.changed).toBe(false);
    expect(await readdir(outDir)).toEqual([FOLDER]);
  });

  it.each([
    { name: "a parent segment", path: "../escape.csv" },
    { name: "an absolute path", path: "/etc/passwd" },
    { name: "a hidden file", path: "regions/.hidden" },
    { name: "the reserved manifest name", path: "manifest.json" },
    { name: "a backslash", path: "regions\\1084.csv" },
  ])("refuses a file path with $name", async ({ path }) => {
    await expect(
      publishWeekFolder({ outDir, folder: FOLDER, files: new Map([[path, encoder.encode("x")]]) }),
    ).rejects.toThrow(/file path/);
    expect(await readdir(outDir)).toEqual([]);
  });

  it.each([".hidden", "a/b", ""])("refuses the folder name %j", async (folder) => {
    await expect(publishWeekFolder({ outDir, folder, files: V1 })).rejects.toThrow(/folder/);
  });
});

describe("preparePublish", () => {
  it("writes nothing visible until commit, then renames into place", async () => {
    const prepared = await preparePublish({ outDir, folder: FOLDER, files: V1 });
    expect((await readdir(outDir)).filter((name) => !name.startsWith("."))).toEqual([]);
    prepared.commit();
    expect(await readdir(outDir)).toEqual([FOLDER]);
    expect(() => prepared.commit()).toThrow(/already committed/);
  });

  it("discard removes the prepared files and leaves the published folder alone", async () => {
    await publishWeekFolder({ outDir, folder: FOLDER, files: V1 });
    const before = await readTree(join(outDir, FOLDER));
    const prepared = await preparePublish({ outDir, folder: FOLDER, files: V2 });
    prepared.discard();
    expect(await readdir(outDir)).toEqual([FOLDER]);
    expect(await readTree(join(outDir, FOLDER))).toEqual(before);
    expect(() => prepared.commit()).toThrow(/already discarded/);
  });

  it("commits inside the store transaction; a failed transaction publishes nothing", async () => {
    const store = openStateStore(join(outDir, ".state", "state.sqlite"));
    try {
      const week = { year: 2020, week: 44 };
      const plan = {
        testWeek: { year: 2020, week: 45 },
        tests: [],
        pickups: [],
        slots: new Map(),
        deferred: [],
        deferrals: [],
        quality: [],
        changes: { kept: 0, added: 0, removed: 0, moved: 0, carriedOverDropped: 0, skippedRows: 0 },
      };
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
      expect(() =>
        store.commitWeek({ ...input, classifications: [badClassification], publish: () => failing.commit() }),
      ).toThrow();
      failing.discard();
      expect(store.lastCommittedWeek()).toBeUndefined();

      const prepared = await preparePublish({ outDir, folder: FOLDER, files: V1 });
      store.commitWeek({ ...input, publish: () => prepared.commit() });
      expect(store.lastCommittedWeek()).toEqual(week);
      expect((await readdir(outDir)).filter((name) => !name.startsWith("."))).toEqual([FOLDER]);
    } finally {
      store.close();
    }
  });
});
