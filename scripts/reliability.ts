// `npm run reliability`: what testrota promises under faults, checked at scale (issue 10).
//   - SIGKILL inside whole `testrota run` processes at points spread over the run and the
//     publish-and-commit window, and (vitest) at every step of a publish and of the reconcile;
//   - every storage fault under a real run, and (vitest) against the store and the publish;
//   - bad input files under a real run, and ≥ 10,000 generated hostile inputs (fast-check) over
//     rosters, sites, SSI files, zips and ArcGIS pages;
//   - a privacy scan of every published file, log line, message and ledger row.
// Prints a table; exits 1 when data was lost, something leaked or a run did not survive.
//   node scripts/reliability.ts [--jobs N] [--inputs N] [--only kills,faults,inputs,suites] [--keep]
// Not part of `npm test` (it takes a while); its fast part is.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  capturedOutput,
  cli,
  copyInstallation,
  createInstallation,
  type Installation,
} from "./reliability/harness.ts";
import { runInputFaultSection } from "./reliability/input-faults.ts";
import { runKillSection } from "./reliability/kill-runs.ts";
import { indexRoster, scanForLeaks } from "./reliability/privacy-scan.ts";
import { emptySection, type SectionResult } from "./reliability/section.ts";
import { runStorageFaultSection } from "./reliability/storage-faults.ts";
import { runSuites } from "./reliability/suites.ts";

const usage = `Usage: npm run reliability -- [--jobs N] [--inputs N] [--only SECTIONS] [--keep]

Checks what testrota promises under faults (docs/reliability.md) and prints a table.
  --jobs N        whole runs killed in parallel (default 2)
  --inputs N      the least number of generated hostile inputs (default 10000)
  --only LIST     sections to run, comma-separated: kills,faults,inputs,suites (default all)
  --keep          keep the temporary installations for inspection
  --help          this text
Exit status: 0 when nothing was lost or leaked and every run survived, 1 otherwise.
`;

const { values } = parseArgs({
  options: {
    help: { type: "boolean", default: false },
    jobs: { type: "string", default: "2" },
    inputs: { type: "string", default: "10000" },
    keep: { type: "boolean", default: false },
    only: { type: "string", default: "kills,faults,inputs,suites" },
  },
});
const only = new Set(values.only.split(","));
const jobs = Number(values.jobs);
const minInputs = Number(values.inputs);

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(0)} s`;
}

function printTable(sections: readonly SectionResult[], timings: ReadonlyMap<string, string>): void {
  const header = ["", "faults injected", "runs survived", "inputs tried", "data lost", "leaks", "time"];
  const total = sections.reduce(
    (sum, s) => ({
      faults: sum.faults + s.faults,
      runs: sum.runs + s.runs,
      survived: sum.survived + s.survived,
      inputs: sum.inputs + s.inputs,
      dataLost: sum.dataLost + s.dataLost,
      leaks: sum.leaks + s.leaks,
    }),
    { faults: 0, runs: 0, survived: 0, inputs: 0, dataLost: 0, leaks: 0 },
  );
  const rows = [
    header,
    ...sections.map((s) => [
      s.name,
      String(s.faults),
      `${s.survived}/${s.runs}`,
      String(s.inputs),
      String(s.dataLost),
      String(s.leaks),
      timings.get(s.name) ?? "",
    ]),
    [
      "total",
      String(total.faults),
      `${total.survived}/${total.runs}`,
      String(total.inputs),
      String(total.dataLost),
      String(total.leaks),
      timings.get("total") ?? "",
    ],
  ];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  const out = [
    line(rows[0] ?? []),
    `|${widths.map((w, column) => (column === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
  ];
  for (const row of rows.slice(1)) out.push(line(row));
  process.stdout.write(`\n${out.join("\n")}\n`);
}

/** The whole check: installations, the chosen sections, the privacy scan and the verdict. */
async function checkReliability(): Promise<void> {
  const started = performance.now();
  const root = mkdtempSync(join(tmpdir(), "testrota-reliability-"));
  // nobody (the read-only faults) must reach the installations below (mkdtemp makes 0700).
  chmodSync(root, 0o755);
  const sections: SectionResult[] = [];
  const timings = new Map<string, string>();
  const installs: Installation[] = [];
  process.stdout.write(`testrota reliability: working in ${root} (${jobs} jobs at a time)\n`);

  try {
    // Installations: `base` holds only inputs; `afterW39` has published 2020-W39.
    const base = await createInstallation(join(root, "base"));
    const afterW39 = copyInstallation(base, join(root, "after-w39"));
    const w39 = await cli(afterW39, ["run", "--week", "2020-W39"]);
    if (w39.code !== 0) throw new Error(`the run of 2020-W39 failed (exit ${w39.code}): ${w39.stderr}`);
    installs.push(afterW39);

    const sectionRuns = [
      { key: "kills", what: "kills inside whole runs", run: () => runKillSection(root, base, jobs) },
      {
        key: "faults",
        what: "storage faults under whole runs",
        run: () => runStorageFaultSection(root, afterW39, jobs),
      },
      {
        key: "inputs",
        what: "bad input files under whole runs",
        run: () => runInputFaultSection(root, afterW39, jobs),
      },
    ];
    for (const { what, run } of sectionRuns.filter((s) => only.has(s.key))) {
      const at = performance.now();
      process.stdout.write(`${what} …\n`);
      const result = await run();
      sections.push(result.section);
      installs.push(...result.installs);
      timings.set(result.section.name, seconds(at));
    }

    let at = performance.now();
    if (only.has("suites")) {
      process.stdout.write(`vitest reliability suites (≥ ${minInputs} hostile inputs) …\n`);
      const suites = await runSuites(root, minInputs);
      sections.push(...suites);
      timings.set(suites[0]?.name ?? "", seconds(at));
    }

    at = performance.now();
    process.stdout.write("privacy scan …\n");
    const privacy = emptySection("privacy scan (files, logs, messages, ledger)");
    const scan = scanForLeaks(installs, capturedOutput, indexRoster(base.rosterDir));
    privacy.leaks = scan.leaks.length;
    privacy.notes.push(
      `${scan.counts.folders} distinct week folders, ${scan.counts.files} files, ${scan.counts.logLines} output lines, ${scan.counts.ledgerRows} store rows; ${scan.counts.allowedHits} names and ids found in their own municipality's files`,
    );
    if (scan.counts.allowedHits === 0) {
      privacy.runs = 1;
      privacy.notes.push("the scan found no name even where names belong: it is not reading the files");
    }
    for (const leak of scan.leaks.slice(0, 20))
      privacy.notes.push(`leak: ${leak.what} in ${leak.where} (${leak.allowed})`);
    sections.push(privacy);
    timings.set(privacy.name, seconds(at));
  } catch (error) {
    const failed = emptySection("harness");
    failed.runs = 1;
    failed.notes.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    sections.push(failed);
  } finally {
    timings.set("total", seconds(started));
    for (const section of sections) {
      for (const note of section.notes) process.stdout.write(`  ${section.name}: ${note}\n`);
    }
    printTable(sections, timings);
    if (values.keep) process.stdout.write(`kept ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }

  const lost = sections.reduce((sum, s) => sum + s.dataLost, 0);
  const leaks = sections.reduce((sum, s) => sum + s.leaks, 0);
  const notSurvived = sections.reduce((sum, s) => sum + (s.runs - s.survived), 0);
  const inputsTried = sections.reduce((sum, s) => sum + s.inputs, 0);
  const verdict =
    lost === 0 && leaks === 0 && notSurvived === 0 && (inputsTried >= minInputs || !only.has("suites"))
      ? "ok: 0 data lost, 0 leaks, every run survived"
      : `FAILED: ${lost} data lost, ${leaks} leaks, ${notSurvived} runs did not survive, ${inputsTried} inputs tried`;
  process.stdout.write(`${verdict}\n`);
  process.exitCode = verdict.startsWith("ok") ? 0 : 1;
}

if (values.help) process.stdout.write(usage);
else await checkReliability();
