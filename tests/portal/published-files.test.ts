/*
 * Reading published weeks never leaves the week folder: request paths are decoded one segment at
 * a time (an encoded slash, backslash, NUL or dot segment fails inside its segment), and a file is
 * opened only when its real path is exactly the one asked for — a symbolic link planted anywhere
 * (to /etc, to another municipality's folder, as the week folder itself) is refused.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  listPublishedWeeks,
  listWeekFiles,
  openPublishedFile,
  parseFileRequest,
  readPublishedFile,
} from "../../src/portal/published-files.ts";
import { WEEK, weekFiles, writeWeek } from "./week-fixture.ts";

let dir: string;
let outDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "testrota-published-"));
  outDir = join(dir, "out");
  writeWeek(outDir);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("parseFileRequest", () => {
  it.each([
    {
      name: "a plain file",
      raw: "2020-W40/files/classification.csv",
      expected: { week: "2020-W40", path: "classification.csv" },
    },
    {
      name: "an encoded Danish name",
      raw: "2020-W40/files/L%C3%86S-MIG.txt",
      expected: { week: "2020-W40", path: "LÆS-MIG.txt" },
    },
    {
      name: "a nested file, query ignored",
      raw: "2020-W40/files/municipalities/101/rota.csv?x=1",
      expected: { week: "2020-W40", path: "municipalities/101/rota.csv" },
    },
    { name: "parent segments", raw: "2020-W40/files/../../etc/passwd", expected: undefined },
    { name: "encoded parent segments", raw: "2020-W40/files/%2e%2e/%2E%2E/etc/passwd", expected: undefined },
    { name: "an encoded slash", raw: "2020-W40/files/municipalities%2F147%2Frota.csv", expected: undefined },
    { name: "an encoded slash and dots", raw: "2020-W40/files/..%2F..%2Fetc%2Fpasswd", expected: undefined },
    { name: "a backslash", raw: "2020-W40/files/municipalities\\147\\rota.csv", expected: undefined },
    {
      name: "an encoded backslash",
      raw: "2020-W40/files/municipalities%5C147%5Crota.csv",
      expected: undefined,
    },
    { name: "a NUL", raw: "2020-W40/files/classification.csv%00.txt", expected: undefined },
    { name: "a dot folder", raw: "2020-W40/files/.git/config", expected: undefined },
    { name: "an empty segment", raw: "2020-W40/files/municipalities//101/rota.csv", expected: undefined },
    { name: "malformed percent-encoding", raw: "2020-W40/files/%E0%A4%A.csv", expected: undefined },
    { name: "a week that is not a week", raw: "..%2F2020-W40/files/classification.csv", expected: undefined },
    { name: "no files segment", raw: "2020-W40/classification.csv", expected: undefined },
    { name: "nothing after files", raw: "2020-W40/files/", expected: undefined },
  ])("$name", ({ raw, expected }) => {
    expect(parseFileRequest(raw)).toEqual(expected);
  });
});

describe("published weeks and files", () => {
  it("lists week folders with a manifest, newest first; leftovers and look-alikes are not weeks", async () => {
    writeWeek(outDir, "2020-W41", "2020-W42");
    mkdirSync(join(outDir, "2020-W42")); // no manifest: not (completely) published
    mkdirSync(join(outDir, ".tmp-2020-W43-abc"));
    mkdirSync(join(outDir, "set-aside"));
    symlinkSync(join(outDir, WEEK), join(outDir, "2020-W39"));
    expect(await listPublishedWeeks(outDir)).toEqual(["2020-W41", "2020-W40"]);
  });

  it("lists every regular file of a week with its size, skipping links and dot-entries", async () => {
    mkdirSync(join(outDir, WEEK, ".cache"));
    writeFileSync(join(outDir, WEEK, ".cache", "x.txt"), "x");
    writeFileSync(join(outDir, WEEK, ".hidden"), "x");
    symlinkSync("/etc/passwd", join(outDir, WEEK, "municipalities", "101", "passwd.csv"));
    symlinkSync(
      join(outDir, WEEK, "municipalities", "147"),
      join(outDir, WEEK, "municipalities", "101", "other"),
    );
    const expected = [...weekFiles()]
      .map(([path, content]) => ({ path, bytes: Buffer.byteLength(content) }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(await listWeekFiles(outDir, WEEK)).toEqual(expected);
  });

  it("opens a published file and reads it", async () => {
    const bytes = await readPublishedFile(outDir, WEEK, "regions/1084/pickups.csv");
    expect(bytes?.toString("utf8")).toBe(weekFiles().get("regions/1084/pickups.csv"));
  });

  it("refuses a symlink to a file outside out/", async () => {
    symlinkSync("/etc/passwd", join(outDir, WEEK, "municipalities", "101", "passwd.csv"));
    expect(await openPublishedFile(outDir, WEEK, "municipalities/101/passwd.csv")).toBeUndefined();
  });

  it("refuses a symlink to another municipality's folder, although its target is inside the week", async () => {
    symlinkSync(
      join(outDir, WEEK, "municipalities", "147"),
      join(outDir, WEEK, "municipalities", "101", "other"),
    );
    expect(await openPublishedFile(outDir, WEEK, "municipalities/101/other/rota.csv")).toBeUndefined();
    symlinkSync(
      join(outDir, WEEK, "municipalities", "147", "rota.csv"),
      join(outDir, WEEK, "municipalities", "101", "rota-147.csv"),
    );
    expect(await openPublishedFile(outDir, WEEK, "municipalities/101/rota-147.csv")).toBeUndefined();
  });

  it("refuses a week folder that is itself a link (even to a real week)", async () => {
    symlinkSync(join(outDir, WEEK), join(outDir, "2020-W39"));
    expect(await openPublishedFile(outDir, "2020-W39", "classification.csv")).toBeUndefined();
    const elsewhere = join(dir, "elsewhere");
    writeWeek(elsewhere, "2020-W38");
    symlinkSync(join(elsewhere, "2020-W38"), join(outDir, "2020-W38"));
    expect(await openPublishedFile(outDir, "2020-W38", "classification.csv")).toBeUndefined();
  });

  it("refuses folders, missing files and unclean paths", async () => {
    for (const path of [
      "municipalities/101",
      "nope.csv",
      "../out/2020-W40/classification.csv",
      "municipalities/101/../147/rota.csv",
    ]) {
      expect(await openPublishedFile(outDir, WEEK, path), path).toBeUndefined();
    }
    expect(await openPublishedFile(outDir, "2020-W99", "classification.csv")).toBeUndefined();
    expect(await openPublishedFile(outDir, "../out/2020-W40", "classification.csv")).toBeUndefined();
  });
});
