/**
 * Runs a command of the benchmark in a fresh Node 24 process (this process's Node, with the
 * production settings of the Dockerfile, {@link PRODUCTION_ENV}) and measures it from outside:
 * wall time from spawn to exit, CPU time (user + system, all threads) and peak RSS reported by
 * the preloaded usage probe.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./bench-inputs.ts";

export type ChildMeasure = {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssBytes: number;
  readonly stdout: string;
};

/**
 * The runtime settings of the container image (its `ENV`; tests/toolchain.test.ts checks that the
 * Dockerfile sets the same): a young generation for a national run's millions of short-lived rows.
 */
export const PRODUCTION_ENV = { NODE_OPTIONS: "--max-semi-space-size=32" } as const;

const PROBE = join(ROOT, "bench", "usage-probe.ts");
export const CLI = join(ROOT, "src", "cli.ts");

/** Runs `node <script> <args>`; rejects with the child's stderr tail when it exits non-zero. */
export async function measureChild(script: string, args: readonly string[]): Promise<ChildMeasure> {
  const scratch = await mkdtemp(join(tmpdir(), "testrota-bench-usage-"));
  const usageFile = join(scratch, "usage.json");
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", PROBE, script, ...args], {
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          ...PRODUCTION_ENV,
          LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
          TESTROTA_BENCH_USAGE: usageFile,
        },
      });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err = (err + chunk).slice(-20_000)));
      child.on("error", reject);
      child.on("close", (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    });
    const wallMs = performance.now() - started;
    if (code !== 0) {
      throw new Error(`bench: ${script} ${args.join(" ")} exited with ${code}\n${stderr.slice(-4000)}`);
    }
    const usage = JSON.parse(await readFile(usageFile, "utf8")) as {
      userMs: number;
      systemMs: number;
      maxRssBytes: number;
    };
    return { wallMs, cpuMs: usage.userMs + usage.systemMs, maxRssBytes: usage.maxRssBytes, stdout };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The median of an odd or even count (mean of the middle two). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
