import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcilePublished } from "../../src/outputs/reconcile-published.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import { createLedgerView } from "../../src/worker/worker.ts";
import { expectedDigest, FOLDER, sha256, V1, V2, versionIn } from "../fixtures/store/week-folders.ts";

/*
 * SIGKILL at every step of a week's publish — prepare, record, commit, swap, cleanup — and of the
 * start-up reconcile, in a real child process (tests/fixtures/store/crash-publish.ts kills itself
 * at the named step). After each kill: the visible week is the old one or the new one, complete,
 * never a mix or a partial folder; a visible new week is always recorded in the store; after
 * reconcile the folder's manifest digest equals the store's and no leftover remains.
 */

const FIXTURE = join(import.meta.dirname, "../fixtures/store/crash-publish.ts");
const D1 = expectedDigest(FOLDER, V1);
const D2 = expectedDigest(FOLDER, V2);
const W44 = { year: 2020, week: 44 };

let root: string;
/** A data and out folder after a first, complete run publishing V1. */
let published: string;

function runFixture(args: string[]): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal, output }));
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "testrota-crash-"));
  published = join(root, "published");
  const first = await runFixture(["run", join(published, "data"), join(published, "out"), "V1", "none"]);
  expect(first).toMatchObject({ code: 0, output: "done\n" });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

type Case = { step: string; visibleAfterKill: string; afterReconcile: string };

/** Worked out from the order prepare → record (commit) → swap → cleanup. */
const REPLACE: Case[] = [
  { step: "prepare:start", visibleAfterKill: "V1", afterReconcile: "V1" },
  { step: "prepare:tmp-created", visibleAfterKill: "V1", afterReconcile: "V1" },
  { step: "prepare:file", visibleAfterKill: "V1", afterReconcile: "V1" },
  { step: "prepare:manifest", visibleAfterKill: "V1", afterReconcile: "V1" },
  { step: "prepare:synced", visibleAfterKill: "V1", afterReconcile: "V1" },
  { step: "record:begin", visibleAfterKill: "V1", afterReconcile: "V1" },
  { step: "record:rows", visibleAfterKill: "V1", afterReconcile: "V1" },
  { step: "record:committed", visibleAfterKill: "V1", afterReconcile: "V2" },
  // The one moment the week is absent: V1 is intact in `.old-…`, V2 prepared and recorded.
  { step: "swap:aside", visibleAfterKill: "absent", afterReconcile: "V2" },
  { step: "swap:in", visibleAfterKill: "V2", afterReconcile: "V2" },
  { step: "swap:synced", visibleAfterKill: "V2", afterReconcile: "V2" },
  { step: "cleanup:done", visibleAfterKill: "V2", afterReconcile: "V2" },
];

/** The week's first publish: there is no old folder, so no `swap:aside`. */
const FIRST: Case[] = REPLACE.filter((c) => c.step !== "swap:aside").map((c) => ({
  step: c.step,
  visibleAfterKill: c.visibleAfterKill === "V1" ? "absent" : c.visibleAfterKill,
  afterReconcile: c.afterReconcile === "V1" ? "absent" : c.afterReconcile,
}));

function digestOf(version: string): string | undefined {
  return version === "V1" ? D1 : version === "V2" ? D2 : undefined;
}

/** What the store says about the week: its published digest and the run's input marker. */
async function readStore(dataDir: string) {
  const store = openStateStore(join(dataDir, "testrota.sqlite"));
  try {
    const row = store.db.prepare("SELECT input_digest FROM committed_weeks WHERE week = '2020-W44'").get();
    return {
      digest: (await store.listPublished()).find((week) => week.folder === FOLDER)?.digest ?? undefined,
      input: row === undefined ? undefined : String(row.input_digest),
      ledger: await createLedgerView(store).lastOutcome(W44),
    };
  } finally {
    await store.close();
  }
}

function leftovers(outDir: string): string[] {
  try {
    return readdirSync(outDir).filter((name) => name !== FOLDER);
  } catch {
    return [];
  }
}

async function crashAndRecover(
  dir: string,
  c: Case,
  previous: "V1" | "absent",
  killAt: string[],
): Promise<void> {
  const dataDir = join(dir, "data");
  const outDir = join(dir, "out");
  const week = join(outDir, FOLDER);

  const killed = await runFixture(killAt);
  expect(killed.signal, killed.output).toBe("SIGKILL");

  // Right after the kill: never a mix, never a partial folder; a visible V2 is recorded.
  expect(versionIn(week)).toBe(c.visibleAfterKill);
  const crashed = await readStore(dataDir);
  if (c.visibleAfterKill === "V2") expect(crashed.digest).toBe(D2);
  if (c.visibleAfterKill === "absent" && previous === "V1") {
    // Between the two renames: the old week is intact beside the recorded new one.
    const old = leftovers(outDir).filter((name) => name.startsWith(".old-"));
    expect(old.map((name) => versionIn(join(outDir, name)))).toEqual(["V1"]);
  }
  expect(crashed.digest).toBe(digestOf(c.afterReconcile));
  expect(crashed.input).toBe(c.afterReconcile === "absent" ? undefined : `input-${c.afterReconcile}`);

  // Recover as the next start does.
  const store = openStateStore(join(dataDir, "testrota.sqlite"));
  try {
    await reconcilePublished({ outDir, store });
  } finally {
    await store.close();
  }
  expect(versionIn(week)).toBe(c.afterReconcile);
  expect(leftovers(outDir)).toEqual([]);
  const recovered = await readStore(dataDir);
  if (c.afterReconcile !== "absent") {
    expect(sha256(readFileSync(join(week, "manifest.json")))).toBe(recovered.digest);
  }
}

describe.concurrent("SIGKILL while replacing a published week (V1 → V2)", () => {
  it.each(REPLACE)(
    "killed at $step: $visibleAfterKill right after, $afterReconcile after reconcile",
    async (c) => {
      const dir = join(root, `replace-${c.step.replace(":", "-")}`);
      cpSync(published, dir, { recursive: true });
      await crashAndRecover(dir, c, "V1", ["run", join(dir, "data"), join(dir, "out"), "V2", c.step]);
      // The killed attempt reads crashed: the week is due again.
      expect((await readStore(join(dir, "data"))).ledger).toBe("crashed");
    },
  );
});

describe.concurrent("SIGKILL during a week's first publish", () => {
  it.each(FIRST)(
    "killed at $step: $visibleAfterKill right after, $afterReconcile after reconcile",
    async (c) => {
      const dir = join(root, `first-${c.step.replace(":", "-")}`);
      await crashAndRecover(dir, c, "absent", ["run", join(dir, "data"), join(dir, "out"), "V2", c.step]);
    },
  );
});

it("a run killed mid-publish is re-run: the week is published and recorded, the attempt marked crashed", async () => {
  const dir = join(root, "rerun");
  cpSync(published, dir, { recursive: true });
  const [data, out] = [join(dir, "data"), join(dir, "out")];
  expect((await runFixture(["run", data, out, "V2", "swap:aside"])).signal).toBe("SIGKILL");
  expect(await runFixture(["run", data, out, "V2", "none"])).toMatchObject({ code: 0, output: "done\n" });
  expect(versionIn(join(out, FOLDER))).toBe("V2");
  expect(await readStore(data)).toEqual({ digest: D2, input: "input-V2", ledger: "succeeded" });
  const store = openStateStore(join(data, "testrota.sqlite"));
  try {
    expect((await store.listAttempts(W44)).map((attempt) => attempt.status)).toEqual([
      "succeeded",
      "crashed",
      "succeeded",
    ]);
  } finally {
    await store.close();
  }
});

describe.concurrent("SIGKILL during the start-up reconcile (after a kill at record:committed)", () => {
  const steps = ["swap:aside", "swap:in", "swap:synced", "cleanup:done"];
  it.each(steps)("killed at %s: V2 after the next reconcile", async (step) => {
    const dir = join(root, `reconcile-${step.replace(":", "-")}`);
    cpSync(published, dir, { recursive: true });
    const data = join(dir, "data");
    const out = join(dir, "out");
    const first = await runFixture(["run", data, out, "V2", "record:committed"]);
    expect(first.signal).toBe("SIGKILL");
    await crashAndRecover(
      dir,
      { step, visibleAfterKill: step === "swap:aside" ? "absent" : "V2", afterReconcile: "V2" },
      "V1",
      ["reconcile", data, out, step],
    );
  });
});
