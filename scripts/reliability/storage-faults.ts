// Storage faults under a whole `testrota run` (the CLI, as an operator meets them): corrupt,
// truncated, deleted, emptied and newer-schema databases, read-only data and out folders (run as
// nobody when we are root: root ignores permissions), full data and out disks (a small tmpfs in a
// private mount namespace), folders where the database or run.lock should be. Each run must fail
// with the fault's exit code and a one-line message naming the path, publish nothing and record
// nothing; once the fault is repaired the next run must publish the week as a run without it did.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  checkWeekFolder,
  cli,
  copyInstallation,
  installationAt,
  leftovers,
  readStoreFacts,
  runLimited,
  type Installation,
} from "./harness.ts";
import { emptySection, recordCase, type SectionResult } from "./section.ts";

const W39 = "2020-W39";
const W40 = "2020-W40";
const NOBODY = 65534;

type FaultCase = {
  readonly label: string;
  /** Exit code documented for the fault (docs/storage-and-locks.md). */
  readonly exit: number;
  /** The path the message must name. */
  readonly names: (install: Installation) => string;
  readonly inject: (install: Installation) => void;
  readonly repair: (install: Installation) => void;
  /** Run the faulty run as nobody (permissions) or inside a wrapper (mount namespace). */
  readonly asNobody?: boolean;
  readonly wrap?: (install: Installation) => string[];
};

const folderOf = (root: string, c: FaultCase) => join(root, `fault-${c.label.replace(/[^a-z0-9]+/gi, "-")}`);
// Not root: permissions bind the same user already, so the faulty run need not change user.
const isRoot = process.getuid?.() === 0;

const database = (install: Installation) => join(install.dataDir, "testrota.sqlite");

function backup(install: Installation): string {
  const copy = join(install.dir, "data-backup");
  cpSync(install.dataDir, copy, { recursive: true });
  return copy;
}

function restore(install: Installation): void {
  rmSync(install.dataDir, { recursive: true, force: true });
  cpSync(join(install.dir, "data-backup"), install.dataDir, { recursive: true });
}

function dropWal(install: Installation): void {
  for (const suffix of ["-wal", "-shm"]) rmSync(`${database(install)}${suffix}`, { force: true });
}

/** Owns the whole installation to nobody, so that only the injected fault stands in the way. */
function giveToNobody(path: string): void {
  chownSync(path, NOBODY, NOBODY);
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) giveToNobody(join(path, name));
  }
}

/** `unshare --mount` with a tmpfs of `size` over `folder`, its current content copied in first. */
function tinyDisk(folder: string, size: string): string[] {
  const script = [
    "set -e",
    `saved=$(mktemp -d)`,
    `cp -a "${folder}/." "$saved/"`,
    `mount -t tmpfs -o size=${size} tmpfs "${folder}"`,
    `cp -a "$saved/." "${folder}/" || true`,
    `rm -rf "$saved"`,
    'exec "$@"',
  ].join("; ");
  return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "tiny-disk"];
}

function canUnshare(): boolean {
  return spawnSync("unshare", ["--mount", "true"]).status === 0;
}

const CASES: FaultCase[] = [
  {
    label: "database overwritten with garbage",
    exit: 72,
    names: database,
    inject: (i) => {
      dropWal(i);
      writeFileSync(database(i), Buffer.alloc(statSync(database(i)).size, 0x5a));
    },
    repair: restore,
  },
  {
    label: "database truncated to half",
    exit: 72,
    names: database,
    inject: (i) => {
      dropWal(i);
      truncateSync(database(i), Math.floor(statSync(database(i)).size / 2));
    },
    repair: restore,
  },
  {
    label: "database deleted (its marker left)",
    exit: 66,
    names: database,
    inject: (i) => {
      dropWal(i);
      rmSync(database(i));
    },
    repair: restore,
  },
  {
    label: "database emptied (0 bytes)",
    exit: 66,
    names: database,
    inject: (i) => {
      dropWal(i);
      truncateSync(database(i), 0);
    },
    repair: restore,
  },
  {
    label: "database of a newer schema",
    exit: 76,
    names: database,
    inject: (i) => {
      const db = new DatabaseSync(database(i));
      db.exec("PRAGMA user_version = 99");
      db.close();
    },
    repair: restore,
  },
  {
    label: "a folder where the database should be",
    exit: 74,
    names: database,
    inject: (i) => {
      dropWal(i);
      renameSync(database(i), `${database(i)}.aside`);
      mkdirSync(database(i));
    },
    repair: restore,
  },
  {
    label: "a folder where run.lock should be",
    exit: 74,
    names: (i) => join(i.dataDir, "run.lock"),
    inject: (i) => {
      rmSync(join(i.dataDir, "run.lock"), { force: true });
      mkdirSync(join(i.dataDir, "run.lock"));
    },
    repair: (i) => rmSync(join(i.dataDir, "run.lock"), { recursive: true, force: true }),
  },
  {
    label: "data folder read-only",
    exit: 77,
    names: (i) => i.dataDir,
    asNobody: true,
    inject: (i) => {
      if (isRoot) giveToNobody(i.dir);
      chmodSync(i.dataDir, 0o555);
    },
    repair: (i) => chmodSync(i.dataDir, 0o750),
  },
  {
    label: "out folder read-only",
    exit: 77,
    names: (i) => i.outDir,
    asNobody: true,
    inject: (i) => {
      if (isRoot) giveToNobody(i.dir);
      chmodSync(i.outDir, 0o555);
    },
    repair: (i) => chmodSync(i.outDir, 0o750),
  },
  {
    label: "data disk full (tmpfs, store copied in)",
    exit: 74,
    names: database,
    // Room for the store as it is and the raw capture, not for the week's rows.
    wrap: (i) => tinyDisk(i.dataDir, `${Math.ceil(folderBytes(i.dataDir) / 1024) + 768}k`),
    inject: () => undefined,
    repair: () => undefined,
  },
  {
    label: "out disk full (tmpfs)",
    exit: 74,
    names: (i) => i.outDir,
    wrap: (i) => tinyDisk(i.outDir, "512k"),
    inject: () => undefined,
    repair: () => undefined,
  },
];

function folderBytes(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + folderBytes(join(path, name)), 0);
}

async function injectRunRepair(
  c: FaultCase,
  base: Installation,
  root: string,
  expected: string,
): Promise<{ problems: string[]; lost: number; skipped?: string }> {
  if (c.wrap !== undefined && !canUnshare())
    return { problems: [], lost: 0, skipped: "unshare --mount not permitted" };
  const install = copyInstallation(base, folderOf(root, c));
  const before = checkWeekFolder(install.outDir, W39);
  backup(install);
  c.inject(install);
  const problems: string[] = [];
  let lost = 0;
  const failed = await cli(install, ["run", "--week", W40], {
    ...(c.asNobody === true && isRoot ? { uid: NOBODY } : {}),
    ...(c.wrap === undefined ? {} : { wrap: c.wrap(install) }),
  });
  const message =
    failed.stderr
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("testrota: "))
      .at(-1) ?? "";
  if (failed.code !== c.exit)
    problems.push(`exit ${failed.code}, expected ${c.exit}: ${message || failed.stderr.slice(-300)}`);
  if (!message.includes(c.names(install)))
    problems.push(`the message does not name ${c.names(install)}: ${message}`);
  if (/internal error/.test(failed.stderr)) problems.push("an internal error was reported");
  // Nothing published: W39 as it was, no W40.
  const w39 = checkWeekFolder(install.outDir, W39);
  if (w39.digest !== before.digest || !w39.complete) {
    problems.push("the published week 2020-W39 changed");
    lost += 1;
  }
  if (checkWeekFolder(install.outDir, W40).digest !== undefined)
    problems.push("2020-W40 was published by a failed run");
  c.repair(install);
  const facts = await readStoreFacts(install.dataDir, { year: 2020, week: 40 });
  if (facts.published.get(W39) !== before.digest) {
    problems.push("the store lost 2020-W39");
    lost += 1;
  }
  if (facts.published.has(W40)) problems.push("the failed run recorded 2020-W40");
  const rerun = await cli(install, ["run", "--week", W40]);
  const after = checkWeekFolder(install.outDir, W40);
  if (rerun.code !== 0 || !after.complete || after.digest !== expected) {
    problems.push(`after repair the run did not publish the expected week (exit ${rerun.code})`);
    lost += 1;
  }
  if (leftovers(install.outDir).length > 0)
    problems.push(`leftovers ${leftovers(install.outDir).join(", ")}`);
  return { problems, lost };
}

/** Every storage fault under a real run, `jobs` at a time, on copies of `base` (2020-W39 published). */
export async function runStorageFaultSection(
  root: string,
  base: Installation,
  jobs: number,
): Promise<{ section: SectionResult; installs: Installation[] }> {
  const section = emptySection("storage faults under `testrota run` (CLI)");
  const reference = copyInstallation(base, join(root, "fault-reference"));
  const clean = await cli(reference, ["run", "--week", W40]);
  const expected = checkWeekFolder(reference.outDir, W40).digest;
  if (clean.code !== 0 || expected === undefined) {
    section.notes.push(`reference run failed (exit ${clean.code}): no fault was injected`);
    return { section, installs: [reference] };
  }
  const outcomes = await runLimited(
    jobs,
    CASES.map((c) => () => injectRunRepair(c, base, root, expected)),
  );
  const installs = [reference];
  outcomes.forEach((outcome, index) => {
    const c = CASES[index] as FaultCase;
    if (outcome.skipped !== undefined) {
      section.notes.push(`${c.label}: skipped (${outcome.skipped})`);
      return;
    }
    recordCase(section, c.label, outcome.problems, outcome.lost);
    installs.push(installationAt(folderOf(root, c)));
  });
  return { section, installs };
}
