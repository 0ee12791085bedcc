import { dirname, relative } from "node:path";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Config } from "../config.ts";
import type { Municipality } from "../domain/reference.ts";
import type { IsolatedRoster, Site, StaffMember } from "../domain/roster.ts";
import { generateDemoInput } from "./generate-demo.ts";
import { createThrowingSink, toInputError, type ProblemSink } from "./input-problems.ts";
import { readReference } from "./read-reference.ts";
import { readRoster } from "./read-roster.ts";
import { readSites } from "./read-sites.ts";
import { isolateRosters, type GoodRosterFile, type LastGoodRoster } from "./roster-isolation.ts";

/** Everything a run reads besides the incidence: reference data, sites and the roster. */
export type RunInputs = {
  readonly municipalities: readonly Municipality[];
  readonly sites: readonly Site[];
  readonly staff: readonly StaffMember[];
  /** SHA-256 over every input file (or the generator settings), recorded with the run. */
  readonly digest: string;
  /** Where the roster came from, for logs and the summary (no staff data). */
  readonly rosterOrigin: string;
  /**
   * What the operator should know but did not stop the run, one line each naming the file, e.g.
   * a roster read as Windows-1252. Never staff data: callers may log them.
   */
  readonly warnings: readonly string[];
  /**
   * Municipalities whose roster file is missing or bad this run, each planned from its last good
   * roster or given no rota (roster isolation); empty for the generated demo roster.
   */
  readonly isolated: readonly IsolatedRoster[];
  /**
   * The roster files read without a problem, kept as each municipality's last good roster when
   * the week commits; undefined for the generated demo roster (no files).
   */
  readonly goodRosters?: readonly GoodRosterFile[] | undefined;
};

export type LoadOptions = {
  /** Each municipality's last good roster (the state store's); without it, none is known. */
  readonly lastGoodRoster?: LastGoodRoster | undefined;
};

export type InputLoader = {
  load(options?: LoadOptions): Promise<RunInputs>;
};

/**
 * Reads the reference, sites and roster named by the config; with `demoRoster` the sites and
 * roster are generated in memory by the seeded generator instead (the embedded demo). The first
 * problem in the reference, the sites file or the roster folder throws an `InputError` (exit 65)
 * with file, line and column: every municipality depends on them. A missing or bad roster file
 * stops only its own municipality (see `isolateRosters`). `checkInputs` runs the same readers and
 * collects every problem instead.
 */
export function createInputLoader(config: Config): InputLoader {
  return {
    async load(options = {}) {
      const warnings: string[] = [];
      const sink = createThrowingSink(warnings);
      const hash = createHash("sha256");
      const municipalities = await readReference(config.reference, sink);
      hash.update(await readFile(config.reference));
      if (config.demoRoster !== undefined) {
        const demo = config.demoRoster;
        const generated = generateDemoInput({
          municipalities,
          seed: demo.seed,
          staffShare: demo.staffShare,
          referenceDate: demo.referenceDate,
        });
        hash.update(JSON.stringify(demo));
        return {
          municipalities,
          sites: generated.sites,
          staff: generated.staff,
          digest: hash.digest("hex"),
          rosterOrigin: `synthetic demo roster (seed ${demo.seed})`,
          warnings,
          isolated: [],
        };
      }
      if (config.sites === undefined || config.roster === undefined) {
        throw new Error("config without sites/roster passed validation");
      }
      const sites = await readSites(config.sites, municipalities, sink);
      hash.update(await readFile(config.sites));
      // Roster files' problems are kept per municipality (roster.failed), not thrown.
      const rosterSink: ProblemSink = { report: () => undefined, warn: (warning) => warnings.push(warning) };
      const roster = await readRoster({ ...config.roster, municipalities, sites }, rosterSink);
      if (roster.folderProblem !== undefined) throw toInputError(roster.folderProblem);
      const isolation = isolateRosters(
        roster,
        { dir: config.roster.dir, municipalities },
        options.lastGoodRoster,
      );
      for (const file of isolation.goodRosters) hash.update(file.sha256);
      for (const part of isolation.digestParts) hash.update(part);
      warnings.push(...isolation.warnings);
      return {
        municipalities,
        sites,
        staff: isolation.staff,
        digest: hash.digest("hex"),
        // Relative to the config file: the same inputs installed elsewhere give the same summary bytes.
        rosterOrigin: `HR exports in ${relative(dirname(config.configFile), config.roster.dir) || "."}`,
        warnings,
        isolated: isolation.isolated,
        goodRosters: isolation.goodRosters,
      };
    },
  };
}
