import { dirname, relative } from "node:path";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Config } from "../config.ts";
import type { Municipality, Region } from "../domain/reference.ts";
import { coordinateBoundsFor } from "../domain/geo.ts";
import type { IsolatedRoster, Site, StaffMember } from "../domain/roster.ts";
import { generateDemoInput } from "./generate-demo.ts";
import { createThrowingSink, toInputError, type ProblemSink } from "./input-problems.ts";
import { readBoundaries, type MunicipalityBoundary } from "./read-boundaries.ts";
import { readReferenceTable } from "./read-reference.ts";
import { readRoster } from "./read-roster.ts";
import { checkSiteNotes, readSites } from "./read-sites.ts";
import { isolateRosters, type GoodRosterFile, type LastGoodRoster } from "./roster-isolation.ts";
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
 * `locateSites`), and a site's access note may not name anyone on the roster. The first problem
 * in the reference, the sites file or the roster folder throws an `InputError` (exit 65) with
 * file, line and column: every municipality depends on them. A missing or bad roster file stops
 * only its own municipality (see `isolateRosters`). `checkInputs` runs the same readers and
 * collects every problem instead.
 */
export function createInputLoader(config: Config): InputLoader {
  return {
    async load(options = {}) {
      const warnings: string[] = [];
      const sink = createThrowingSink(warnings);
      const hash = createHash("sha256");
      const { municipalities, regions } = await readReferenceTable(
        config.reference,
        sink,
        config.referenceRules,
      );
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
          isolated: [],
        };
      }
      if (config.sites === undefined || config.roster === undefined) {
        throw new Error("config without sites/roster passed validation");
      }
      const sites = await readSites(
        config.sites,
        municipalities,
        sink,
        coordinateBoundsFor(config.referenceRules),
      );
      hash.update(await readFile(config.sites));
      // Roster files' problems are kept per municipality (roster.failed), not thrown.
      const rosterSink: ProblemSink = { report: () => undefined, warn: (warning) => warnings.push(warning) };
      const roster = await readRoster({ ...config.roster, municipalities, sites }, rosterSink);
      if (roster.folderProblem !== undefined) throw toInputError(roster.folderProblem);
      const isolation = await isolateRosters(
        roster,
        { dir: config.roster.dir, municipalities },
        options.lastGoodRoster,
      );
      for (const file of isolation.goodRosters) hash.update(file.sha256);
      for (const part of isolation.digestParts) hash.update(part);
      warnings.push(...isolation.warnings);
      checkSiteNotes(config.sites, sites, isolation.staff, sink);
      return {
        municipalities,
        regions,
        sites: placeSites(sites, boundaries, postcodes),
        boundaries,
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
