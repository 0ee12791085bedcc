import { basename } from "node:path";
import type { Config } from "../config.ts";
import { coordinateBoundsFor } from "../domain/geo.ts";
import type { Municipality } from "../domain/reference.ts";
import type { Site } from "../domain/roster.ts";
import { generateDemoInput, type DemoInput } from "./generate-demo.ts";
import { readInputTable, readInputText } from "./input-file.ts";
import {
  createCollectingSink,
  DEFAULT_MAX_PROBLEMS_PER_FILE,
  formatProblem,
  type InputProblem,
  type ProblemSink,
} from "./input-problems.ts";
import { readReference } from "./read-reference.ts";
import { CODE_PLACEHOLDER, readRoster } from "./read-roster.ts";
import { checkSiteNotes, readSites } from "./read-sites.ts";
import { readPostcodeTable } from "./site-locations.ts";
import { InputError } from "../errors.ts";
import {
  createRosterContext,
  describeMunicipality,
  readRosterRows,
  ROSTER_OPTIONAL_COLUMNS,
  ROSTER_REQUIRED_COLUMNS,
} from "./roster-rows.ts";

export type InputCheckOptions = {
  /** Check only this HR export (`testrota validate --roster FILE`), besides the reference and sites. */
  readonly rosterFile?: string;
  /** Problems listed per file before `… and N more problems in this file` (default 20). */
  readonly maxProblemsPerFile?: number;
};

export type InputCheck = {
  /** Every problem, by file (reference, sites, rosters), capped per file; empty when all is well. */
  readonly problems: InputProblem[];
  /** Number of problems found, including those beyond the cap. */
  readonly problemCount: number;
  /** Files read despite a flaw (e.g. Windows-1252), one line each naming the file. */
  readonly warnings: string[];
  /** What was read successfully: valid municipalities, sites and staff rows. */
  readonly counts: { municipalities: number; sites: number; staff: number };
  /**
   * What a run would do with these inputs: `stops` when the reference, the sites file or the
   * roster folder has a problem (every municipality depends on them: exit 65); otherwise it goes
   * on and sets aside the roster files of `isolated` (municipality codes), each municipality
   * planned from its last good roster or left without a rota (roster isolation).
   */
  readonly run: { stops: boolean; isolated: { code: number; name: string }[] };
};

const NO_SITES_NOTE = "the sites file is not configured; the demo's generated sites are used";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The municipality a file name names: by the configured pattern, else by a code among its digits. */
function municipalityFromName(
  file: string,
  pattern: string | undefined,
  byCode: ReadonlyMap<number, Municipality>,
): Municipality | undefined {
  const name = basename(file);
  if (pattern !== undefined) {
    const [before = "", after = ""] = basename(pattern).split(CODE_PLACEHOLDER);
    const match = new RegExp(`^${escapeRegExp(before)}(\\d+)${escapeRegExp(after)}$`).exec(name);
    const byPattern = match === null ? undefined : byCode.get(Number(match[1]));
    if (byPattern !== undefined) return byPattern;
  }
  const candidates = [...new Set(name.match(/\d+/g) ?? [])]
    .map((digits) => byCode.get(Number(digits)))
    .filter((municipality) => municipality !== undefined);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The municipality most of a file's known site ids belong to (problems of this pass are dropped). */
function municipalityFromRows(
  file: string,
  text: string,
  sites: readonly Site[],
  byCode: ReadonlyMap<number, Municipality>,
): Municipality | undefined {
  const quiet: ProblemSink = { report: () => undefined, warn: () => undefined };
  const columns = { required: ROSTER_REQUIRED_COLUMNS, optional: ROSTER_OPTIONAL_COLUMNS };
  const table = readInputTable(file, text, columns, quiet);
  const siteAt = table?.columns.get("site_id");
  if (table === undefined || siteAt === undefined) return undefined;
  const siteById = new Map(sites.map((site) => [site.id, site]));
  const votes = new Map<number, number>();
  for (const row of table.rows) {
    const site = siteById.get(row.fields[siteAt] ?? "");
    if (site !== undefined) votes.set(site.municipalityCode, (votes.get(site.municipalityCode) ?? 0) + 1);
  }
  const [best] = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return best === undefined ? undefined : byCode.get(best[0]);
}

type KnownInputs = {
  readonly municipalities: readonly Municipality[];
  readonly sites: readonly Site[];
  readonly sitesRefused: boolean;
};

async function checkOneRosterFile(
  config: Config,
  file: string,
  { municipalities, sites, sitesRefused }: KnownInputs,
  sink: ProblemSink,
): Promise<{ staff: number; municipality?: Municipality | undefined }> {
  const input = await readInputText(file, "roster export", sink);
  if (input === undefined) return { staff: 0 };
  const byCode = new Map(municipalities.map((m) => [m.code, m]));
  let municipality = municipalityFromName(file, config.roster?.pattern, byCode);
  if (municipality === undefined) {
    municipality = municipalityFromRows(file, input.text, sites, byCode);
    if (municipality !== undefined) {
      sink.warn(`${file}: municipality ${describeMunicipality(municipality)} inferred from its site ids`);
    }
  }
  if (municipality === undefined) {
    sink.report({
      file,
      message: `cannot tell the municipality, expected a file name by the pattern ${config.roster?.pattern ?? "{code}.csv"} (e.g. 101.csv) or rows with site ids of the sites file`,
    });
    return { staff: 0 };
  }
  const context = createRosterContext(sites, municipalities, { sitesRefused });
  return {
    staff: readRosterRows(file, input.text, municipality, context, sink)?.staff.length ?? 0,
    municipality,
  };
}

/**
 * Reads the reference, the sites file and every roster file (or, with `rosterFile`, that one HR
 * export) through the same readers a run uses, but collects every problem instead of stopping
 * at the first: each with file, line and column, saying what was expected and what was found,
 * at most `maxProblemsPerFile` per file plus one entry counting the rest. Backs `testrota
 * validate` (exit 65 when `problems` is not empty). Never throws for bad input data; a config
 * that cannot work (a roster pattern without `{code}`) still throws its `ConfigError`.
 */
export async function checkInputs(config: Config, options: InputCheckOptions = {}): Promise<InputCheck> {
  const sink = createCollectingSink(options.maxProblemsPerFile ?? DEFAULT_MAX_PROBLEMS_PER_FILE);
  const counts = { municipalities: 0, sites: 0, staff: 0 };
  const run: InputCheck["run"] = { stops: false, isolated: [] };
  const result = (): InputCheck => ({
    problems: sink.problems(),
    problemCount: sink.count(),
    warnings: [...sink.warnings],
    counts,
    run,
  });

  const municipalities = await readReference(config.reference, sink, config.referenceRules);
  counts.municipalities = municipalities.length;
  run.stops = sink.count() > 0;
  // Without municipalities no site or roster row can be checked: fix the reference first.
  if (municipalities.length === 0) return result();

  const settings = config.demoRoster;
  let generated: DemoInput | undefined;
  const demo = (): DemoInput | undefined => {
    if (settings === undefined) return undefined;
    generated ??= generateDemoInput({
      municipalities,
      seed: settings.seed,
      staffShare: settings.staffShare,
      referenceDate: settings.referenceDate,
    });
    return generated;
  };
  let sites: readonly Site[];
  const beforeSites = sink.count();
  if (config.sites !== undefined) {
    sites = await readSites(config.sites, municipalities, sink, coordinateBoundsFor(config.referenceRules));
  } else {
    sites = demo()?.sites ?? [];
    if (options.rosterFile !== undefined) sink.warn(NO_SITES_NOTE);
  }
  counts.sites = sites.length;
  const sitesRefused = sink.count() > beforeSites;
  if (sitesRefused) run.stops = true;
  const isolate = (municipality: Municipality) =>
    run.isolated.push({ code: municipality.code, name: municipality.name });
  if (config.postcodes !== undefined) {
    try {
      await readPostcodeTable(config.postcodes);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const { file, line } = error.location;
      sink.report(
        line === undefined ? { file, message: error.problem } : { file, line, message: error.problem },
      );
      // The run reads the postcode table for every municipality's sites: it stops.
      run.stops = true;
    }
  }

  if (options.rosterFile !== undefined) {
    const beforeRoster = sink.count();
    const checked = await checkOneRosterFile(
      config,
      options.rosterFile,
      { municipalities, sites, sitesRefused },
      sink,
    );
    counts.staff = checked.staff;
    if (sink.count() > beforeRoster && checked.municipality !== undefined) isolate(checked.municipality);
  } else if (config.roster !== undefined && config.sites !== undefined) {
    const roster = await readRoster({ ...config.roster, municipalities, sites, sitesRefused }, sink);
    counts.staff = roster.staff.length;
    if (roster.folderProblem !== undefined) run.stops = true;
    for (const failure of roster.failed) isolate(failure.municipality);
    // An access note naming someone on the roster stops the run (the sites file is shared).
    const beforeNotes = sink.count();
    checkSiteNotes(config.sites, sites, roster.staff, sink);
    if (sink.count() > beforeNotes) run.stops = true;
  } else {
    counts.staff = demo()?.staff.length ?? 0;
  }
  return result();
}

/**
 * What `testrota validate` prints, one line each: the warnings (`warning: …`), every problem as
 * `file:line: column: message`, then a last line with the verdict and what was read. Exit 65
 * when `problemCount` > 0, else 0.
 */
export function formatInputCheck(check: InputCheck): string[] {
  const { municipalities, sites, staff } = check.counts;
  const read = `${municipalities} municipalities, ${sites} sites, ${staff} staff`;
  const files = new Set(check.problems.map((problem) => problem.file)).size;
  const verdict =
    check.problemCount === 0
      ? `inputs ok (${read})`
      : `${check.problemCount} problem${check.problemCount === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"} (read: ${read})`;
  return [
    ...check.warnings.map((warning) => `warning: ${warning}`),
    ...check.problems.map(formatProblem),
    verdict,
    ...describeRun(check),
  ];
}

/** The line saying what a run would do with inputs that have problems (none when all is well). */
function describeRun(check: InputCheck): string[] {
  if (check.problemCount === 0) return [];
  if (check.run.stops) {
    return [
      "a run would stop (exit 65): the reference, the sites file and the roster folder must be valid, every municipality depends on them",
    ];
  }
  const { isolated } = check.run;
  if (isolated.length === 0) return [];
  const shown = isolated.slice(0, 5).map((m) => `${m.code} ${m.name}`);
  const more = isolated.length > 5 ? `, +${isolated.length - 5} more` : "";
  const files =
    isolated.length === 1
      ? "the roster file of 1 municipality"
      : `the roster files of ${isolated.length} municipalities`;
  return [
    `a run would go on and set aside ${files} (${shown.join(", ")}${more}): each is planned from its last good roster in the state store, or gets no rota when none is stored`,
  ];
}
