import { dirname, relative } from "node:path";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Config } from "../config.ts";
import type { Municipality, Region } from "../domain/reference.ts";
import type { Site, StaffMember } from "../domain/roster.ts";
import { generateDemoInput } from "./generate-demo.ts";
import { createThrowingSink } from "./input-problems.ts";
import { readBoundaries, type MunicipalityBoundary } from "./read-boundaries.ts";
import { readReferenceTable } from "./read-reference.ts";
import { readRoster } from "./read-roster.ts";
import { checkSiteNotes, readSites } from "./read-sites.ts";
import { locateSites, readPostcodeTable, type PostcodeTable } from "./site-locations.ts";

/** Everything a run reads besides the incidence: reference data, sites and the roster. */
export type RunInputs = {
  readonly municipalities: readonly Municipality[];
  /** The regions of the reference (code and name). */
  readonly regions: readonly Region[];
  /** Every site with a position (`location`): its own, else the postcode's, else its municipality's. */
  readonly sites: readonly Site[];
  /** Municipality boundaries (the bundled file), for the route sheets' sketch maps. */
  readonly boundaries: ReadonlyMap<number, MunicipalityBoundary>;
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

/** Gives every site a position: its own, else from the postcode table, else its municipality's. */
function placeSites(
  sites: readonly Site[],
  boundaries: ReadonlyMap<number, MunicipalityBoundary>,
  postcodes: PostcodeTable | undefined,
): Site[] {
  const located = locateSites(sites, boundaries, postcodes);
  return sites.map((site) => ({ ...site, location: located.get(site.id) }));
}

/**
 * Reads the reference, sites and roster named by the config; with `demoRoster` the sites and
 * roster are generated in memory by the seeded generator instead (the embedded demo, with sites
 * placed inside their municipalities). Every site gets a position for the routes (see
 * `locateSites`), and a site's access note may not name anyone on the roster. The first problem in
 * any file throws an `InputError` (exit 65) with file, line and column; `checkInputs` runs the
 * same readers and collects every problem instead.
 */
export function createInputLoader(config: Config): InputLoader {
  return {
    async load() {
      const warnings: string[] = [];
      const sink = createThrowingSink(warnings);
      const hash = createHash("sha256");
      const { municipalities, regions } = await readReferenceTable(config.reference, sink);
      hash.update(await readFile(config.reference));
      const boundaries = await readBoundaries();
      let postcodes: PostcodeTable | undefined;
      if (config.postcodes !== undefined) {
        postcodes = await readPostcodeTable(config.postcodes);
        hash.update(await readFile(config.postcodes));
      }
      if (config.demoRoster !== undefined) {
        const demo = config.demoRoster;
        const generated = generateDemoInput({
          municipalities,
          seed: demo.seed,
          staffShare: demo.staffShare,
          referenceDate: demo.referenceDate,
          boundaries,
        });
        hash.update(JSON.stringify(demo));
        checkSiteNotes("demo sites", generated.sites, generated.staff, sink);
        return {
          municipalities,
          regions,
          sites: placeSites(generated.sites, boundaries, postcodes),
          boundaries,
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
      checkSiteNotes(config.sites, sites, roster.staff, sink);
      return {
        municipalities,
        regions,
        sites: placeSites(sites, boundaries, postcodes),
        boundaries,
        staff: roster.staff,
        digest: hash.digest("hex"),
        // Relative to the config file: the same inputs installed elsewhere give the same summary bytes.
        rosterOrigin: `HR exports in ${relative(dirname(config.configFile), config.roster.dir) || "."}`,
        warnings,
      };
    },
  };
}
