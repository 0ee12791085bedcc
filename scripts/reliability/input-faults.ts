// Bad input files under a whole `testrota run`: roster files that are missing, mislaid (names
// under site_id), hold NUL bytes or are Windows-1252 — each sets aside only its municipality or is
// read with a warning, and the run goes on — and a sites file or roster folder that is wrong,
// which every municipality depends on: the run fails (65, or 78 from the config check) and
// publishes nothing. The messages
// and summaries these runs write go through the privacy scan.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import {
  checkWeekFolder,
  cli,
  copyInstallation,
  installationAt,
  runLimited,
  type Installation,
} from "./harness.ts";
import { emptySection, recordCase, type SectionResult } from "./section.ts";

const W40 = "2020-W40";

type InputCase = {
  readonly label: string;
  readonly inject: (install: Installation) => void;
  /** 0: the run goes on; 65: it stops on bad input; 78: the config check stops it first. */
  readonly exit: 0 | 65 | 78;
  /** Municipalities `summary.json` must list as isolated, with what they use. */
  readonly isolated?: readonly { code: number; using: string }[];
  /** Text the run's output must hold (a warning, or the message naming the file). */
  readonly says?: string;
};

function rewriteLines(path: string, edit: (lines: string[]) => void): void {
  const lines = readFileSync(path, "utf8").split("\n");
  edit(lines);
  writeFileSync(path, lines.join("\n"));
}

const CASES: InputCase[] = [
  {
    label: "751.csv with its columns mislaid (names under site_id) and 825.csv missing",
    inject: (i) => {
      rewriteLines(join(i.rosterDir, "751.csv"), (lines) => {
        lines[0] = (lines[0] ?? "").replace("employee_id;name;site_id", "employee_id;site_id;name");
      });
      rmSync(join(i.rosterDir, "825.csv"));
    },
    exit: 0,
    isolated: [
      { code: 751, using: "last good roster of 2020-W39" },
      { code: 825, using: "last good roster of 2020-W39" },
    ],
  },
  {
    label: "101.csv with a NUL byte in a name",
    inject: (i) =>
      rewriteLines(join(i.rosterDir, "101.csv"), (lines) => {
        lines[3] = (lines[3] ?? "").replace(";", ";\u0000");
      }),
    exit: 0,
    isolated: [{ code: 101, using: "last good roster of 2020-W39" }],
  },
  {
    label: "147.csv saved by Excel as Windows-1252",
    inject: (i) => {
      const path = join(i.rosterDir, "147.csv");
      writeFileSync(path, iconv.encode(readFileSync(path, "utf8").replace(/^\uFEFF/, ""), "windows-1252"));
    },
    exit: 0,
    isolated: [],
    says: "147.csv: not UTF-8, read as Windows-1252",
  },
  {
    label: "the sites file with a row of an unknown kind",
    inject: (i) =>
      writeFileSync(
        join(i.dir, "input", "sites.csv"),
        `${readFileSync(join(i.dir, "input", "sites.csv"), "utf8")}S9999-XX01;101;hospital;Sygehuset;Vej 1\n`,
      ),
    exit: 65,
    says: "sites.csv: line",
  },
  {
    // The config check names the folder before any input is read.
    label: "the roster folder renamed away",
    inject: (i) => renameSync(i.rosterDir, `${i.rosterDir}-gone`),
    exit: 78,
    says: "roster.dir:",
  },
];

const folderOf = (root: string, c: InputCase) => join(root, `input-${c.label.replace(/[^a-z0-9]+/gi, "-")}`);

async function runCase(c: InputCase, base: Installation, root: string): Promise<string[]> {
  const install = copyInstallation(base, folderOf(root, c));
  const before = checkWeekFolder(install.outDir, "2020-W39").digest;
  c.inject(install);
  const result = await cli(install, ["run", "--week", W40]);
  const problems: string[] = [];
  if (result.code !== c.exit)
    problems.push(`exit ${result.code}, expected ${c.exit}: ${result.stderr.slice(-300)}`);
  if (c.says !== undefined && !`${result.stdout}${result.stderr}`.includes(c.says)) {
    problems.push(`the output does not say ${JSON.stringify(c.says)}`);
  }
  if (/internal error/.test(result.stderr)) problems.push("an internal error was reported");
  if (checkWeekFolder(install.outDir, "2020-W39").digest !== before) problems.push("2020-W39 changed");
  const week = checkWeekFolder(install.outDir, W40);
  if (c.exit !== 0 && week.digest !== undefined) problems.push("a failed run published 2020-W40");
  if (c.exit === 0) {
    if (!week.complete) problems.push("2020-W40 is not complete");
    const summary = JSON.parse(readFileSync(join(install.outDir, W40, "summary.json"), "utf8")) as {
      inputs: { isolated: { code: number; using: string }[] };
    };
    const isolated = summary.inputs.isolated.map(({ code, using }) => ({ code, using }));
    if (JSON.stringify(isolated) !== JSON.stringify(c.isolated ?? [])) {
      problems.push(`isolated ${JSON.stringify(isolated)}, expected ${JSON.stringify(c.isolated)}`);
    }
  }
  return problems;
}

/** Every bad input case on a copy of `base` (2020-W39 published), `jobs` at a time. */
export async function runInputFaultSection(
  root: string,
  base: Installation,
  jobs: number,
): Promise<{ section: SectionResult; installs: Installation[] }> {
  const section = emptySection("bad input files under `testrota run` (CLI)");
  const outcomes = await runLimited(
    jobs,
    CASES.map((c) => () => runCase(c, base, root)),
  );
  outcomes.forEach((problems, index) => recordCase(section, CASES[index]?.label ?? "", problems));
  const installs = CASES.map((c) => installationAt(folderOf(root, c)));
  return { section, installs };
}
