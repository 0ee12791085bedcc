import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Config } from "../config.ts";
import type { Municipality } from "../domain/reference.ts";
import type { Site, StaffMember } from "../domain/roster.ts";
import { generateDemoInput } from "./generate-demo.ts";
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
};

export type InputLoader = {
  load(): Promise<RunInputs>;
};

/**
 * Reads the reference, sites and roster named by the config; with `demoRoster` the sites and
 * roster are generated in memory by the seeded generator instead (the embedded demo).
 */
export function createInputLoader(config: Config): InputLoader {
  return {
    async load() {
      const hash = createHash("sha256");
      hash.update(await readFile(config.reference));
      const municipalities = await readReference(config.reference);
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
        };
      }
      if (config.sites === undefined || config.roster === undefined) {
        throw new Error("config without sites/roster passed validation");
      }
      hash.update(await readFile(config.sites));
      const sites = await readSites(config.sites, municipalities);
      const roster = await readRoster({ ...config.roster, municipalities, sites });
      for (const file of roster.files) hash.update(file.sha256);
      return {
        municipalities,
        sites,
        staff: roster.staff,
        digest: hash.digest("hex"),
        rosterOrigin: config.roster.dir,
      };
    },
  };
}
