// SIGKILL inside whole `testrota run` processes, at points spread over load → fetch → capture →
// assemble → render → prepare → record (commit) → swap → cleanup. After each kill the week
// folder must show the old or the new version, complete (never a mix), the ledger must read the
// attempt as crashed, and a rerun must publish the week exactly as a run without the kill did,
// recorded in the store, with no leftover and the killed attempt `crashed` in `status`.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import { createLedgerView } from "../../src/worker/worker.ts";
import {
  checkWeekFolder,
  cli,
  copyInstallation,
  crashRun,
  leftovers,
  readStoreFacts,
  runLimited,
  type Installation,
} from "./harness.ts";
import { emptySection, recordCase, type SectionResult } from "./section.ts";

const WEEK = "2020-W40";
const W40 = { year: 2020, week: 40 };

/** Points of the run itself, before anything is published. */
const RUN_STEPS = [
  "run:begun",
  "run:reconciled",
  "run:loaded",
  "run:fetched",
  "run:captured",
  "run:assembled",
  "run:rendered",
];

/**
 * Points of publishing and recording (the publish and commit window). The documents are written
 * into the staging folder while they render (before `run:rendered`); publish then writes the
 * other files (about 316 in the demo week), so the file kills stay below that count.
 */
const PUBLISH_STEPS = [
  "prepare:start",
  "prepare:tmp-created",
  "prepare:file#1",
  "prepare:file#300",
  "prepare:file#150",
  "prepare:manifest",
  "prepare:synced",
  "record:begin",
  "record:rows",
  "record:committed",
  "swap:aside",
  "swap:in",
  "swap:synced",
  "cleanup:done",
];

/** Version B of the inputs: København's last employee has left the roster (another rota). */
function applyVersionB(install: Installation): void {
  const file = join(install.rosterDir, "101.csv");
  const lines = readFileSync(file, "utf8").split("\n");
  while (lines.at(-1) === "") lines.pop();
  lines.pop();
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/** The attempts `status --json` lists for the week, newest first. */
async function statusOfWeek(install: Installation): Promise<string[]> {
  const status = await cli(install, ["status", "--json"]);
  const runs = (JSON.parse(status.stdout) as { runs: { week: string; status: string }[] }).runs;
  return runs.filter((run) => run.week === WEEK).map((run) => run.status);
}

async function ledgerOutcome(install: Installation): Promise<string | undefined> {
  const store = openStateStore(join(install.dataDir, "testrota.sqlite"));
  try {
    return await createLedgerView(store).lastOutcome(W40);
  } finally {
    await store.close();
  }
}

type KillCase = {
  readonly label: string;
  readonly killAt: string;
  /** Digest visible before the killed run (undefined: the week's first publish). */
  readonly before: string | undefined;
  /** Digest a run without the kill publishes. */
  readonly expected: string;
  readonly prepare: () => Installation;
  /** Statuses `status` must list for the week after the rerun, newest first. */
  readonly statuses: string[];
};

async function killAndRecover(c: KillCase, log: string): Promise<{ problems: string[]; lost: number }> {
  const install = c.prepare();
  const problems: string[] = [];
  let lost = 0;
  const killed = await crashRun(install, WEEK, c.killAt);
  if (killed.signal !== "SIGKILL") {
    return { problems: [`not killed (exit ${killed.code}): ${killed.stdout.trim()}`], lost: 0 };
  }
  // Right after the kill: the old or the new version, complete; absent only between the renames.
  const visible = checkWeekFolder(install.outDir, WEEK);
  const allowed = new Set([c.before, c.expected].filter((d) => d !== undefined));
  if (visible.digest === undefined) {
    const betweenRenames = c.killAt === "swap:aside";
    if (c.before !== undefined && !betweenRenames) {
      problems.push("the published week vanished");
      lost += 1;
    }
  } else if (!visible.complete || !allowed.has(visible.digest)) {
    problems.push(`a mixed or partial week after the kill (${visible.problems.slice(0, 3).join(", ")})`);
    lost += 1;
  }
  const outcome = await ledgerOutcome(install);
  if (outcome !== "crashed") problems.push(`the ledger reads ${outcome ?? "nothing"}, expected crashed`);

  const rerun = await cli(install, ["run", "--week", WEEK]);
  if (rerun.code !== 0)
    problems.push(`rerun exit ${rerun.code}: ${rerun.stderr.trim().split("\n").at(-1) ?? ""}`);
  const after = checkWeekFolder(install.outDir, WEEK);
  const facts = await readStoreFacts(install.dataDir, W40);
  if (!after.complete || after.digest !== c.expected) {
    problems.push(
      `after the rerun the week is not the expected version (${after.problems.slice(0, 3).join(", ")})`,
    );
    lost += 1;
  }
  if (facts.published.get(WEEK) !== after.digest) {
    problems.push("the store's digest differs from the published folder");
    lost += 1;
  }
  const left = leftovers(install.outDir);
  if (left.length > 0) problems.push(`leftovers ${left.join(", ")}`);
  const statuses = (await statusOfWeek(install)).slice(0, c.statuses.length);
  if (JSON.stringify(statuses) !== JSON.stringify(c.statuses)) {
    problems.push(`status lists ${statuses.join(", ")}, expected ${c.statuses.join(", ")}`);
  }
  appendFileSync(log, `${c.label}: ${problems.length === 0 ? "ok" : problems.join("; ")}\n`);
  return { problems, lost };
}

/**
 * Kills at every point of RUN_STEPS and PUBLISH_STEPS, once while replacing a published week (A →
 * B) and once during a week's first publish (no `swap:aside` there), with `jobs` at a time.
 */
export async function runKillSection(
  root: string,
  base: Installation,
  jobs: number,
): Promise<{ section: SectionResult; installs: Installation[] }> {
  const section = emptySection("SIGKILL inside `testrota run` (whole run)");
  const log = join(root, "kill-runs.log");
  const installs: Installation[] = [];

  // References: version A from a fresh store, then version B over A.
  const fresh = copyInstallation(base, join(root, "kill-reference-a"));
  const first = await cli(fresh, ["run", "--week", WEEK]);
  const digestA = checkWeekFolder(fresh.outDir, WEEK).digest;
  const withB = copyInstallation(fresh, join(root, "kill-reference-b"));
  applyVersionB(withB);
  const second = await cli(withB, ["run", "--week", WEEK]);
  const digestB = checkWeekFolder(withB.outDir, WEEK).digest;
  installs.push(fresh, withB);
  if (
    first.code !== 0 ||
    second.code !== 0 ||
    digestA === undefined ||
    digestB === undefined ||
    digestA === digestB
  ) {
    section.notes.push(`reference runs failed (exit ${first.code}, ${second.code}): no kill was tried`);
    return { section, installs };
  }

  const cases: KillCase[] = [];
  for (const killAt of [...RUN_STEPS, ...PUBLISH_STEPS]) {
    const label = `replace ${killAt}`;
    cases.push({
      label,
      killAt,
      before: digestA,
      expected: digestB,
      statuses: ["succeeded", "crashed", "succeeded"],
      prepare: () => {
        const install = copyInstallation(fresh, join(root, `kill-${label.replace(/[^a-z0-9]+/gi, "-")}`));
        applyVersionB(install);
        installs.push(install);
        return install;
      },
    });
    if (killAt === "swap:aside") continue;
    const firstLabel = `first ${killAt}`;
    cases.push({
      label: firstLabel,
      killAt,
      before: undefined,
      expected: digestA,
      statuses: ["succeeded", "crashed"],
      prepare: () => {
        const install = copyInstallation(base, join(root, `kill-${firstLabel.replace(/[^a-z0-9]+/gi, "-")}`));
        installs.push(install);
        return install;
      },
    });
  }
  const outcomes = await runLimited(
    jobs,
    cases.map((c) => () => killAndRecover(c, log)),
  );
  outcomes.forEach((outcome, index) =>
    recordCase(section, cases[index]?.label ?? "", outcome.problems, outcome.lost),
  );
  return { section, installs };
}
