/*
 * The CLI as a real process: started through a symlink (as npm installs a `bin`), and stopped by
 * signals at the moments operators send them: while the config is being read (before any work),
 * during a run, and twice during the worker's shutdown. Each child reports its exit code; none
 * may die of the signal itself (exit 143 / SIGTERM).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.ts";
import { startFaultServer, serveFile, type FaultServer } from "./support/fault-server.ts";
import { createRunFixture, DEMO_SSI, REPO, SMALL_ROSTER, type RunFixture } from "./support/run-fixture.ts";

const CLI = join(REPO, "src", "cli.ts");
const SERIES = "/ssi/Municipality_cases_time_series.csv";
const TEST_POS = "/ssi/Municipality_test_pos.csv";

let fixture: RunFixture | undefined;
let server: FaultServer | undefined;
let children: ChildProcess[] = [];
let scratch: string | undefined;

beforeEach(() => {
  children = [];
});

afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await server?.close();
  server = undefined;
  fixture?.cleanup();
  fixture = undefined;
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

type Child = {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout or stderr has shown `pattern`. */
  output(pattern: RegExp): Promise<void>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Only what the child needs: Node 24 first on PATH (the bin's `#!/usr/bin/env node`), no TESTROTA_*. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, LOG_LEVEL: "info", ...extra };
}

function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stdout) || waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    check();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    check();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    output: (pattern) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exit.then(({ code }) =>
          reject(new Error(`exited ${code ?? "?"} before showing ${pattern}: ${stdout}${stderr}`)),
        );
      }),
    exit,
  };
}

/** A fixture whose SSI pair is served by a local server that accepts the requests and never answers. */
async function hangingSourceFixture(worker: Record<string, unknown> = {}): Promise<RunFixture> {
  server = await startFaultServer();
  const hang = Array.from({ length: 5 }, () => ({ kind: "hang" }) as const);
  server.setRoute(SERIES, {
    respond: serveFile(join(DEMO_SSI, "2020-09-30", "Municipality_cases_time_series.csv")),
    faults: hang,
  });
  server.setRoute(TEST_POS, {
    respond: serveFile(join(DEMO_SSI, "2020-09-30", "Municipality_test_pos.csv")),
    faults: hang,
  });
  const origin = server.origin;
  fixture = createRunFixture((json) => {
    json.demoRoster = SMALL_ROSTER;
    json.source = { type: "ssi", timeSeries: `${origin}${SERIES}`, testPos: `${origin}${TEST_POS}` };
    json.http = { headersTimeoutMs: 120_000, bodyTimeoutMs: 120_000, deadlineMs: 120_000, maxAttempts: 1 };
    json.worker = { host: "127.0.0.1", port: 0, ...worker };
  });
  return fixture;
}

/** Resolves once the source server has received a request: the run is now inside its fetch. */
async function fetchStarted(): Promise<void> {
  while ((server?.requests.length ?? 0) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function ledgerStatus(fx: RunFixture): Promise<string | undefined> {
  let out = "";
  const io = { stdout: (t: string) => void (out += t), stderr: () => undefined };
  await runCli(["status", "--json", "--config", fx.configFile], io, { env: { LOG_LEVEL: "silent" } });
  return (JSON.parse(out) as { runs: { status: string }[] }).runs[0]?.status;
}

describe("the npm bin through a symlink", () => {
  it("node_modules/.bin/testrota → the package's src/cli.ts runs the CLI", async () => {
    scratch = mkdtempSync(join(tmpdir(), "testrota-bin-"));
    const bin = join(scratch, "node_modules", ".bin");
    mkdirSync(bin, { recursive: true });
    // As `npm install <folder>` lays it out: the package linked into node_modules, its bin linked into .bin.
    symlinkSync(REPO, join(scratch, "node_modules", "testrota"));
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ testrota: "./src/cli.ts" });
    symlinkSync(join("..", "testrota", "src", "cli.ts"), join(bin, "testrota"));

    const help = start(join(bin, "testrota"), ["--help"], childEnv());
    expect(await help.exit).toEqual({ code: 0, signal: null });
    expect(help.stdout()).toMatch(/^usage: testrota <command> \[options\]/);

    fixture = createRunFixture((json) => {
      json.demoRoster = SMALL_ROSTER;
    });
    const status = start(join(bin, "testrota"), ["status", "--config", fixture.configFile], childEnv());
    expect(await status.exit).toEqual({ code: 0, signal: null });
    expect(status.stdout()).toMatch(/^paused: no$/m);
  }, 60_000);
});

describe("signals", () => {
  /*
   * The config is a named pipe: the child blocks reading it, inside config loading, until the test
   * writes it. The signal is sent while it waits, so it arrives before any work has started.
   */
  const early = [
    {
      name: "run, one SIGTERM while the config is read",
      args: ["run", "--week", "2020-W40"],
      signals: 1,
      says: /SIGTERM received/,
    },
    {
      name: "worker, one SIGTERM while the config is read",
      args: ["worker"],
      signals: 1,
      says: /SIGTERM received/,
    },
    {
      name: "run, SIGTERM twice while the config is read",
      args: ["run", "--week", "2020-W40"],
      signals: 2,
      // The kernel may merge two signals sent before the child handles the first: either way 130.
      says: /SIGTERM received/,
    },
    {
      name: "replay, SIGINT (Ctrl-C) while the config is read",
      args: ["replay", "--from", "2020-W40", "--to", "2020-W40"],
      signals: 1,
      signal: "SIGINT" as const,
      says: /SIGINT received/,
    },
  ];
  it.each(early)(
    "$name: exit 130, nothing published",
    async ({ args, signals, says, ...rest }) => {
      fixture = createRunFixture((json) => {
        json.demoRoster = SMALL_ROSTER;
        json.worker = { host: "127.0.0.1", port: 0 };
      });
      const configText = readFileSync(fixture.configFile);
      const pipe = join(fixture.dir, "testrota.pipe.json");
      execFileSync("mkfifo", [pipe]);
      const child = start(process.execPath, [CLI, ...args, "--config", pipe], childEnv());
      // Opening the pipe for writing completes once the child has opened it for reading.
      const writer = await open(pipe, "w");
      for (let i = 0; i < signals; i++) child.process.kill("signal" in rest ? rest.signal : "SIGTERM");
      await writer.write(configText);
      await writer.close();
      expect(await child.exit).toEqual({ code: 130, signal: null });
      expect(child.stderr()).toMatch(says);
      expect(existsSync(join(fixture.outDir, "2020-W40"))).toBe(false);
    },
    60_000,
  );

  it("run: SIGTERM during the fetch aborts the run (exit 130, ledger aborted, nothing published)", async () => {
    const fx = await hangingSourceFixture();
    const child = start(
      process.execPath,
      [CLI, "run", "--week", "2020-W40", "--config", fx.configFile],
      childEnv(),
    );
    await fetchStarted();
    child.process.kill("SIGTERM");
    expect(await child.exit).toEqual({ code: 130, signal: null });
    expect(child.stderr()).toMatch(/^testrota: run of 2020-W40 aborted/m);
    expect(existsSync(join(fx.outDir, "2020-W40"))).toBe(false);
    expect(await ledgerStatus(fx)).toBe("aborted");
  }, 60_000);

  const workerCases = [
    {
      name: "one SIGTERM: the grace period is 0 s, the run is aborted, the worker stops (exit 0)",
      grace: 0,
      signals: 1,
      code: 0,
    },
    {
      name: "a second SIGTERM while waiting out the grace period aborts at once (exit 130)",
      grace: 600,
      signals: 2,
      code: 130,
    },
  ];
  it.each(workerCases)(
    "worker with a run in flight, $name",
    async ({ grace, signals, code }) => {
      const fx = await hangingSourceFixture({ shutdownGraceSeconds: grace });
      // Wednesday 30 September 2020, 12:00: start-up catches up the 10:00 run of 2020-W40.
      const env = childEnv({ TESTROTA_NOW: "2020-09-30T12:00:00+02:00" });
      const child = start(process.execPath, [CLI, "worker", "--config", fx.configFile], env);
      await fetchStarted();
      child.process.kill("SIGTERM");
      await child.output(/"msg":"worker stopping"/);
      if (signals === 2) child.process.kill("SIGTERM");
      expect(await child.exit).toEqual({ code, signal: null });
      if (signals === 2) expect(child.stderr()).toMatch(/second SIGTERM during shutdown: aborting now/);
      else expect(child.stdout()).toMatch(/"msg":"worker stopped"/);
      expect(existsSync(join(fx.outDir, "2020-W40"))).toBe(false);
    },
    60_000,
  );
});
