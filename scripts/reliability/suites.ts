// The reliability test files of `npm test`, run once more with many more generated inputs:
// kills at every step of a publish and of the start-up reconcile (publish-crash), the lock
// between processes and PID namespaces, every storage fault of the store and the publish, and
// the hostile-input properties over rosters, sites, SSI files, zips and ArcGIS pages, with
// TESTROTA_FUZZ_RUNS set so that they try at least `minInputs` inputs together.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, runChild } from "./harness.ts";
import { emptySection, type SectionResult } from "./section.ts";

/** Test files and the row of the table each one counts in. */
const SUITES = [
  {
    file: "tests/store/publish-crash.test.ts",
    row: "SIGKILL at publish/record/swap/reconcile steps (vitest)",
  },
  { file: "tests/worker/lock.test.ts", row: "run lock: kills, contention, PID namespaces (vitest)" },
  { file: "tests/store/storage-faults.test.ts", row: "storage faults of the store and publish (vitest)" },
  { file: "tests/outputs/publish.test.ts", row: "storage faults of the store and publish (vitest)" },
  { file: "tests/reliability/inputs-fuzz.test.ts", row: "hostile inputs (fast-check)" },
  { file: "tests/reliability/sources-fuzz.test.ts", row: "hostile inputs (fast-check)" },
  { file: "tests/reliability/inputs-defects.test.ts", row: "hostile inputs (fast-check)" },
];

/** Properties in the two fuzz files: inputs per property = ⌈minInputs ÷ PROPERTIES⌉. */
const PROPERTIES = 9;

type VitestJson = {
  testResults: {
    name: string;
    assertionResults: { status: string; title: string; fullName: string }[];
  }[];
};

export async function runSuites(root: string, minInputs: number): Promise<SectionResult[]> {
  const runsPerProperty = Math.ceil(minInputs / PROPERTIES);
  const report = join(root, "fuzz-report.jsonl");
  const json = join(root, "vitest.json");
  const result = await runChild(
    process.execPath,
    [
      join(REPO, "node_modules", "vitest", "vitest.mjs"),
      "run",
      ...SUITES.map((suite) => suite.file),
      "--reporter=json",
      `--outputFile=${json}`,
    ],
    { env: { TESTROTA_FUZZ_RUNS: String(runsPerProperty), TESTROTA_FUZZ_REPORT: report } },
  );
  const rows = new Map<string, SectionResult>();
  const rowOf = (name: string) => {
    const row = rows.get(name) ?? emptySection(name);
    rows.set(name, row);
    return row;
  };
  for (const suite of SUITES) rowOf(suite.row);
  if (!existsSync(json)) {
    rowOf(SUITES[0]?.row ?? "").notes.push(
      `vitest wrote no report (exit ${result.code}): ${result.stderr.slice(-500)}`,
    );
    return [...rows.values()];
  }
  const parsed = JSON.parse(readFileSync(json, "utf8")) as VitestJson;
  for (const file of parsed.testResults) {
    const suite = SUITES.find((s) => file.name.endsWith(s.file));
    if (suite === undefined) continue;
    const row = rowOf(suite.row);
    for (const test of file.assertionResults) {
      if (test.status === "skipped" || test.status === "pending" || test.status === "todo") {
        row.notes.push(`skipped: ${test.fullName}`);
        continue;
      }
      row.faults += 1;
      row.runs += 1;
      if (test.status === "passed") row.survived += 1;
      else row.notes.push(`failed: ${test.fullName}`);
    }
  }
  if (existsSync(report)) {
    const fuzz = rowOf("hostile inputs (fast-check)");
    for (const line of readFileSync(report, "utf8")
      .split("\n")
      .filter((l) => l !== "")) {
      const entry = JSON.parse(line) as { suite: string; inputs: number };
      fuzz.inputs += entry.inputs;
      fuzz.notes.push(`${entry.suite}: ${entry.inputs} inputs (${runsPerProperty} runs per property)`);
    }
  }
  return [...rows.values()];
}
