import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcilePublished } from "../../src/outputs/reconcile-published.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { weekLockName } from "../../src/worker/lock.ts";
import { createLedgerView } from "../../src/worker/worker.ts";
import { runPublish } from "../fixtures/store/publish-run.ts";
import { expectedDigest, FOLDER, sha256, V1, V2, versionIn } from "../fixtures/store/week-folders.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";
import { STORE_LOCATION_ENV } from "../support/store-location.ts";

/*
 * SIGKILL at every step of a week's publish — prepare, record, commit, swap, cleanup — and of the
 * start-up reconcile, in a real child process (tests/fixtures/store/crash-publish.ts kills itself
 * at the named step), against both stores. After each kill: the visible week is the old one or
 * the new one, complete, never a mix or a partial folder; a visible new week is always recorded
 * in the store; after reconcile the folder's manifest digest equals the store's and no leftover
 * remains.
 */

const FIXTURE = join(import.meta.dirname, "../fixtures/store/crash-publish.ts");
const D1 = expectedDigest(FOLDER, V1);
const D2 = expectedDigest(FOLDER, V2);
const W44 = { year: 2020, week: 44 };

const KINDS = storeKinds();

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "testrota-crash-"));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function runFixture(
  under: StoreUnderTest,
  args: string[],
): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, [STORE_LOCATION_ENV]: JSON.stringify(under.location) },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal, output }));
  });
}

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
async function readStore(under: StoreUnderTest) {
  const store = await under.open();
  try {
    const rows = await under.query("SELECT input_digest FROM committed_weeks WHERE week = '2020-W44'");
    return {
      digest: (await store.listPublished()).find((week) => week.folder === FOLDER)?.digest ?? undefined,
      input: rows[0] === undefined ? undefined : String(rows[0].input_digest),
      ledger: await createLedgerView(store).lastOutcome(W44),
    };
  } finally {
    await store.close();
  }
}

/**
 * Returns once the killed process's run lock is gone. The OS releases SQLite's file lock as the
 * process dies; PostgreSQL releases an advisory lock when its backend notices the closed
 * connection, a moment after the kill, and until then the week still reads as running.
 */
async function killedLockReleased(under: StoreUnderTest): Promise<void> {
  const store = await under.open();
  try {
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      if ((await store.readRunLockHolder(weekLockName(W44))) === undefined) return;
    }
    throw new Error("the killed run's lock is still held");
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
  under: StoreUnderTest,
  outDir: string,
  c: Case,
  previous: "V1" | "absent",
  killAt: string[],
): Promise<void> {
  const week = join(outDir, FOLDER);

  const killed = await runFixture(under, killAt);
  expect(killed.signal, killed.output).toBe("SIGKILL");
  await killedLockReleased(under);

  // Right after the kill: never a mix, never a partial folder; a visible V2 is recorded.
  expect(versionIn(week)).toBe(c.visibleAfterKill);
  const crashed = await readStore(under);
  if (c.visibleAfterKill === "V2") expect(crashed.digest).toBe(D2);
  if (c.visibleAfterKill === "absent" && previous === "V1") {
    // Between the two renames: the old week is intact beside the recorded new one.
    const old = leftovers(outDir).filter((name) => name.startsWith(".old-"));
    expect(old.map((name) => versionIn(join(outDir, name)))).toEqual(["V1"]);
  }
  expect(crashed.digest).toBe(digestOf(c.afterReconcile));
  expect(crashed.input).toBe(c.afterReconcile === "absent" ? undefined : `input-${c.afterReconcile}`);

  // Recover as the next start does.
  const store: StateStore = await under.open();
  try {
    await reconcilePublished({ outDir, store });
  } finally {
    await store.close();
  }
  expect(versionIn(week)).toBe(c.afterReconcile);
  expect(leftovers(outDir)).toEqual([]);
  const recovered = await readStore(under);
  if (c.afterReconcile !== "absent") {
    expect(sha256(readFileSync(join(week, "manifest.json")))).toBe(recovered.digest);
  }
}

describe.each(KINDS)("$name store", (kind) => {
  const made: StoreUnderTest[] = [];
  afterAll(async () => {
    for (const under of made) await under.cleanup();
  });

  /** An empty store and the out folder `name`; with `published`, after a first, complete run publishing V1. */
  async function setUp(name: string, published: boolean): Promise<{ under: StoreUnderTest; out: string }> {
    const under = kind.create();
    made.push(under);
    const out = join(root, `${kind.name}-${name.replace(":", "-")}`, "out");
    if (published) {
      const store = await under.open();
      try {
        await runPublish(store, out, "V1");
      } finally {
        await store.close();
      }
    }
    return { under, out };
  }

  describe.concurrent("SIGKILL while replacing a published week (V1 → V2)", () => {
    it.each(REPLACE)(
      "killed at $step: $visibleAfterKill right after, $afterReconcile after reconcile",
      async (c) => {
        const { under, out } = await setUp(`replace-${c.step}`, true);
        await crashAndRecover(under, out, c, "V1", ["run", out, "V2", c.step]);
        // The killed attempt reads crashed: the week is due again.
        expect((await readStore(under)).ledger).toBe("crashed");
      },
    );
  });

  describe.concurrent("SIGKILL during a week's first publish", () => {
    it.each(FIRST)(
      "killed at $step: $visibleAfterKill right after, $afterReconcile after reconcile",
      async (c) => {
        const { under, out } = await setUp(`first-${c.step}`, false);
        await crashAndRecover(under, out, c, "absent", ["run", out, "V2", c.step]);
      },
    );
  });

  it("a run killed mid-publish is re-run: the week is published and recorded, the attempt marked crashed", async () => {
    const { under, out } = await setUp("rerun", true);
    expect((await runFixture(under, ["run", out, "V2", "swap:aside"])).signal).toBe("SIGKILL");
    await killedLockReleased(under);
    expect(await runFixture(under, ["run", out, "V2", "none"])).toMatchObject({ code: 0, output: "done\n" });
    expect(versionIn(join(out, FOLDER))).toBe("V2");
    expect(await readStore(under)).toEqual({ digest: D2, input: "input-V2", ledger: "succeeded" });
    const store = await under.open();
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
      const { under, out } = await setUp(`reconcile-${step}`, true);
      const first = await runFixture(under, ["run", out, "V2", "record:committed"]);
      expect(first.signal).toBe("SIGKILL");
      await killedLockReleased(under);
      await crashAndRecover(
        under,
        out,
        { step, visibleAfterKill: step === "swap:aside" ? "absent" : "V2", afterReconcile: "V2" },
        "V1",
        ["reconcile", out, step],
      );
    });
  });
});
