// Shared pieces of `npm run reliability`: throw-away installations with a file roster, child
// processes (the real CLI, the crash fixture) whose output is kept for the privacy scan, and the
// checks of a published week folder against its manifest and the store.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { generateDemoInput, writeDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";

export const REPO = resolve(import.meta.dirname, "..", "..");
export const CLI = join(REPO, "src", "cli.ts");
export const CRASH_RUN = join(REPO, "tests", "fixtures", "worker", "crash-run.ts");

/** The roster every installation starts from: the demo generator's, small enough for many runs. */
export const ROSTER = { seed: 7, staffShare: 0.004, referenceDate: "2020-09-30" } as const;

export type Installation = {
  readonly dir: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly outDir: string;
  readonly rosterDir: string;
};

/** What a child process left: exit, output (kept for the privacy scan) and its duration. */
export type ChildResult = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
};

/** Every line any child wrote (logs, reports, error messages): the privacy scan reads them. */
export const capturedOutput: string[] = [];

/** The paths of the installation in `dir` (see createInstallation). */
export function installationAt(dir: string): Installation {
  return {
    dir,
    configFile: join(dir, "testrota.json"),
    dataDir: join(dir, "data"),
    outDir: join(dir, "out"),
    rosterDir: join(dir, "input", "roster"),
  };
}

/**
 * A new installation under `dir`: the bundled config's regions and demo SSI files, the demo
 * roster written out as HR exports (`input/sites.csv`, `input/roster/<code>.csv`), every path
 * relative to the config so that a copied folder is a working installation of its own.
 */
export async function createInstallation(dir: string): Promise<Installation> {
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO, "config", "demo"), join(dir, "demo"), { recursive: true });
  const json = JSON.parse(readFileSync(join(REPO, "config", "testrota.json"), "utf8")) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  delete json.demoRoster;
  json.dataDir = "data";
  json.outDir = "out";
  json.sites = "input/sites.csv";
  json.roster = { dir: "input/roster" };
  writeFileSync(join(dir, "testrota.json"), `${JSON.stringify(json, null, 2)}\n`);
  const reference = await readReference(join(REPO, "reference", "municipalities.csv"));
  await writeDemoInput(
    join(dir, "input"),
    generateDemoInput({ municipalities: reference, ...ROSTER }),
    reference,
  );
  return installationAt(dir);
}

/** A copy of an installation (inputs, store, published weeks) under `dir`. */
export function copyInstallation(from: Installation, dir: string): Installation {
  cpSync(from.dir, dir, { recursive: true });
  return installationAt(dir);
}

/** Runs a child process, keeping its output for the privacy scan. */
export function runChild(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): Promise<ChildResult> {
  return new Promise((resolveChild, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LOG_LEVEL: "debug", ...options.env },
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code, signal) => {
      capturedOutput.push(stdout, stderr);
      resolveChild({ code, signal, stdout, stderr });
    });
  });
}

/** `testrota <args> --config <installation>` as its own process. */
export function cli(
  install: Installation,
  args: readonly string[],
  options: { uid?: number; wrap?: readonly string[] } = {},
): Promise<ChildResult> {
  const argv = [CLI, ...args, "--config", install.configFile];
  const [command, ...rest] = [...(options.wrap ?? []), process.execPath, ...argv];
  return runChild(command ?? process.execPath, rest, options.uid === undefined ? {} : { uid: options.uid });
}

/** One run of a week in the crash fixture, killed at `killAt` (`step`, `step#n`) or not (`none`). */
export function crashRun(install: Installation, week: string, killAt: string): Promise<ChildResult> {
  return runChild(process.execPath, [CRASH_RUN, install.configFile, week, killAt]);
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Files under `dir`, relative, POSIX separators. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split("\\").join("/"))
    .sort();
}

export type FolderCheck = {
  /** The folder is there, lists exactly its files in manifest.json and each has its SHA-256. */
  readonly complete: boolean;
  /** SHA-256 of manifest.json (the folder's digest, as the store records it); undefined: absent. */
  readonly digest: string | undefined;
  readonly problems: string[];
};

/** Checks a published week folder against its own manifest, independently of the product's code. */
export function checkWeekFolder(outDir: string, folder: string): FolderCheck {
  const dir = join(outDir, folder);
  if (!existsSync(dir)) return { complete: false, digest: undefined, problems: [`${folder}: absent`] };
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath))
    return { complete: false, digest: undefined, problems: [`${folder}: no manifest`] };
  const manifestBytes = readFileSync(manifestPath);
  const manifest = JSON.parse(manifestBytes.toString("utf8")) as {
    files: { path: string; sha256: string }[];
  };
  const problems: string[] = [];
  const listed = new Set(manifest.files.map((file) => file.path));
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (!existsSync(path)) problems.push(`${folder}/${file.path}: missing`);
    else if (sha256(readFileSync(path)) !== file.sha256) problems.push(`${folder}/${file.path}: other bytes`);
  }
  for (const file of listFiles(dir)) {
    if (file !== "manifest.json" && !listed.has(file))
      problems.push(`${folder}/${file}: not in the manifest`);
  }
  return { complete: problems.length === 0, digest: sha256(manifestBytes), problems };
}

/** Hidden `.tmp-`/`.old-` folders left in the out folder. */
export function leftovers(outDir: string): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir).filter((name) => name.startsWith(".tmp-") || name.startsWith(".old-"));
}

export type StoreFacts = {
  /** Committed weeks and the digest of the folder each published. */
  readonly published: ReadonlyMap<string, string | null>;
  /** Statuses of the week's attempts, oldest first. */
  readonly attempts: string[];
};

/** What the store says about `week` (opened after the run: never while a child holds it). */
export async function readStoreFacts(
  dataDir: string,
  week: { year: number; week: number },
): Promise<StoreFacts> {
  const store = openStateStore(join(dataDir, "testrota.sqlite"));
  try {
    return {
      published: new Map((await store.listPublished()).map((entry) => [entry.folder, entry.digest])),
      attempts: (await store.listAttempts(week)).map((attempt) => attempt.status),
    };
  } finally {
    await store.close();
  }
}

/** Runs `jobs` with at most `limit` at a time, results in order. */
export async function runLimited<T>(limit: number, jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await (jobs[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  return results;
}
