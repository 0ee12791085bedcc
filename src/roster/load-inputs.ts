import { dirname, relative } from "node:path";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Config } from "../config.ts";
import type { Municipality } from "../domain/reference.ts";
import type { Site, StaffMember } from "../domain/roster.ts";
import { generateDemoInput } from "./generate-demo.ts";
import { createThrowingSink } from "./input-problems.ts";
import { readReference } from "./read-reference.ts";
import { readRoster } from "./read-roster.ts";
import { readSites } from "./read-sites.ts";

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
};

export type InputLoader = {
  load(): Promise<RunInputs>;
};

/**
 * Reads the reference, sites and roster named by the config; with `demoRoster` the sites and
 * roster are generated in memory by the seeded generator instead (the embedded demo). The first
 * problem in any file throws an `InputError` (exit 65) with file, line and column; `checkInputs`
 * runs the same readers and collects every problem instead.
 */
export function createInputLoader(config: Config): InputLoader {
  return {
    async load() {
      const warnings: string[] = [];
      const sink = createThrowingSink(warnings);
      const hash = createHash("sha256");
      const municipalities = await readReference(config.reference, sink, config.referenceRules);
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
        };
      }
      if (config.sites === undefined || config.roster === undefined) {
        throw new Error("config without sites/roster passed validation");
      }
      const sites = await readSites(config.sites, municipalities, sink);
      hash.update(await readFile(config.sites));
      const roster = await readRoster({ ...config.roster, municipalities, sites }, sink);
      for (const file of roster.files) hash.update(file.sha256);
      return {
        municipalities,
        sites,
        staff: roster.staff,
        digest: hash.digest("hex"),
        // Relative to the config file: the same inputs installed elsewhere give the same summary bytes.
        rosterOrigin: `HR exports in ${relative(dirname(config.configFile), config.roster.dir) || "."}`,
        warnings,
      };
    },
  };
}
