/**
 * The benchmark's inputs, written to disk as an operator would supply them: a reference table,
 * the sites file and one HR roster export per municipality, an incidence source and a config.
 *
 * - Denmark: the 98 municipalities of `reference/municipalities.csv`, the demo generator's roster
 *   (about 99,000 staff, 1,300 sites) and SSI's real files of 30 September 2020.
 * - Germany: 400 synthetic districts in 16 states (their own reference, `referenceRules: any`),
 *   1.2 million staff at about 30,000 sites, and a plain `code;cases_7d;population` CSV per week.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "csv-stringify/sync";
import { addWeeks, dateInWeek, formatIsoWeek, type IsoWeek } from "../src/domain/calendar.ts";
import type { Municipality } from "../src/domain/reference.ts";
import type { Site, SiteLocation, StaffMember } from "../src/domain/roster.ts";
import { generateDemoInput, writeDemoInput, type DemoInput } from "../src/roster/generate-demo.ts";
import { readReferenceTable } from "../src/roster/read-reference.ts";
import { createSeededRandom } from "../src/roster/seeded-random.ts";

export type Scale = "denmark" | "germany";

export const ROOT = join(fileURLToPath(import.meta.url), "..", "..");
const DANISH_REFERENCE = join(ROOT, "reference", "municipalities.csv");
const SSI_DIR = join(ROOT, "config", "demo", "ssi", "2020-09-30");
const DEMO_CONFIG = join(ROOT, "config", "testrota.json");
const SEED = 2020;
/** The week measured: the run of 2020-W40 publishes the rota of 2020-W41. */
export const BENCH_WEEK: IsoWeek = { year: 2020, week: 40 };
const GERMAN_STATES = 16;

/** What the benchmark knows about a scale's inputs (the roster itself is on disk). */
export type ScaleInputs = {
  readonly scale: Scale;
  readonly dir: string;
  readonly configPath: string;
  readonly rosterDir: string;
  readonly municipalities: readonly Municipality[];
  readonly regions: number;
  readonly staff: number;
  readonly sites: number;
};

/** 400 synthetic districts in 16 states, populations log-normal around 208,000 (83 M in all). */
function germanDistricts(): Municipality[] {
  const random = createSeededRandom(49);
  return Array.from({ length: 400 }, (_, i) => {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return {
      code: 1001 + i,
      name: `Kreis ${1001 + i}`,
      regionCode: 1 + (i % GERMAN_STATES),
      population: Math.round(170_000 * Math.exp(0.6 * gaussian)),
      aliases: [],
    };
  });
}

/**
 * A synthetic position for each site of a German district: the 400 districts on a 20 × 20 grid
 * over Germany's extent (47.3–55.0 °N, 5.9–15.0 °E), each site within about 10 km of its
 * district's point. The bundled boundaries are Danish, so without their own latitude/longitude
 * columns the sites could not be placed for the pickup routes.
 */
function germanSiteLocation(municipalityCode: number, random: () => number): SiteLocation {
  const index = municipalityCode - 1001;
  const row = Math.floor(index / 20);
  const column = index % 20;
  return {
    latitude: 47.5 + (row + 0.5) * (7.3 / 20) + (random() - 0.5) * 0.18,
    longitude: 6.1 + (column + 0.5) * (8.7 / 20) + (random() - 0.5) * 0.28,
    source: "site",
    approximate: false,
  };
}

/**
 * Splits every generated site in two (alternate staff to each half): the generator sizes sites
 * like Danish nursing homes and home-care districts (~80 staff); Germany's ~30,000 sites have ~40.
 * Every half gets a position of its own (see germanSiteLocation).
 */
function splitSites(input: DemoInput): DemoInput {
  const random = createSeededRandom(SEED + 1);
  const sites: Site[] = input.sites.flatMap((site) => [
    {
      ...site,
      id: `${site.id}a`,
      name: `${site.name} A`,
      location: germanSiteLocation(site.municipalityCode, random),
    },
    {
      ...site,
      id: `${site.id}b`,
      name: `${site.name} B`,
      location: germanSiteLocation(site.municipalityCode, random),
    },
  ]);
  const seen = new Map<string, number>();
  const staff: StaffMember[] = input.staff.map((member) => {
    const index = seen.get(member.siteId) ?? 0;
    seen.set(member.siteId, index + 1);
    return { ...member, siteId: `${member.siteId}${index % 2 === 0 ? "a" : "b"}` };
  });
  return { sites, staff };
}

function csv(records: (string | number)[][]): string {
  return stringify(records, { bom: true, delimiter: ";" });
}

/** Lab capacity that suffices: 25 % above the even daily share of the cycle plus a red week. */
function ampleCapacity(municipalities: readonly Municipality[], input: DemoInput): Map<number, number> {
  const regionOf = new Map(municipalities.map((m) => [m.code, m.regionCode]));
  const regionOfSite = new Map(input.sites.map((s) => [s.id, regionOf.get(s.municipalityCode) ?? 0]));
  const staff = new Map<number, number>();
  for (const member of input.staff) {
    const region = regionOfSite.get(member.siteId) ?? 0;
    staff.set(region, (staff.get(region) ?? 0) + 1);
  }
  // A red week tests a fifth of a region's staff a day at most (every fifth district red at once).
  return new Map([...staff].map(([region, count]) => [region, Math.ceil(1.25 * (count / 30 + count / 25))]));
}

/**
 * The week's German incidence: a smooth wave per state with district noise, deterministic in the
 * week, so that about a tenth to a third of the districts are red and flows start and end.
 */
export function germanIncidenceCsv(municipalities: readonly Municipality[], week: IsoWeek): string {
  const weekIndex = week.year * 53 + week.week;
  const rows = municipalities.map((m) => {
    const random = createSeededRandom(m.code * 7919 + weekIndex);
    const wave = 14 + 10 * Math.sin(weekIndex / 4 + m.regionCode);
    const per100k = Math.max(0, wave + 12 * (random() - 0.5));
    return [m.code, Math.round((per100k * m.population) / 100_000), m.population];
  });
  return csv([["code", "cases_7d", "population"], ...rows]);
}

/** Writes the week's incidence file where the German config reads it (`incidence.csv`). */
export async function writeGermanIncidence(inputs: ScaleInputs, week: IsoWeek): Promise<void> {
  await writeFile(join(inputs.dir, "incidence.csv"), germanIncidenceCsv(inputs.municipalities, week));
}

/**
 * The regions of a scale's config: the capacity computed for it, and for Denmark the demo
 * config's labs and vans (`routes`), so that the bench plans routes and prints route sheets too.
 */
function regionConfig(capacity: ReadonlyMap<number, number>, routesOf: (code: number) => unknown) {
  return [...capacity.keys()]
    .sort((a, b) => a - b)
    .map((code) => {
      const routes = routesOf(code);
      return {
        code,
        labCapacityPerDay: capacity.get(code) ?? 1,
        ...(routes === undefined ? {} : { routes }),
      };
    });
}

/** The demo config's `routes` per region code (its labs and vans). */
async function readDemoRoutes(): Promise<Map<number, unknown>> {
  const demo = JSON.parse(await readFile(DEMO_CONFIG, "utf8")) as {
    regions: { code: number; routes?: unknown }[];
  };
  return new Map(demo.regions.map((region) => [region.code, region.routes]));
}

/**
 * Writes a scale's inputs under `base/<scale>/`: `input/sites.csv`, `input/roster/<code>.csv`,
 * for Germany `reference.csv` and `incidence.csv`, and `config.json` (every output on; data and
 * out folders are given per run on the command line).
 */
export async function writeScaleInputs(scale: Scale, base: string): Promise<ScaleInputs> {
  const dir = join(base, scale);
  await mkdir(dir, { recursive: true });
  const municipalities =
    scale === "denmark"
      ? [...(await readReferenceTable(DANISH_REFERENCE)).municipalities]
      : germanDistricts();
  const population = municipalities.reduce((sum, m) => sum + m.population, 0);
  const generated = generateDemoInput({
    municipalities,
    seed: SEED,
    // Germany: 1.2 M care staff over the districts' population; Denmark: the demo's 1.7 %.
    staffShare: scale === "germany" ? 1_200_000 / population : undefined,
    referenceDate: dateInWeek(addWeeks(BENCH_WEEK, 1), 1),
  });
  const input = scale === "germany" ? splitSites(generated) : generated;
  const { sitesPath, rosterDir } = await writeDemoInput(join(dir, "input"), input, municipalities);
  const capacity = ampleCapacity(municipalities, input);
  const common = {
    timezone: "Europe/Copenhagen",
    sites: sitesPath,
    roster: { dir: rosterDir, pattern: "{code}.csv" },
    dataDir: join(dir, "data"),
    outDir: join(dir, "out"),
    worker: { time: "10:00" },
  };
  let config: object;
  if (scale === "denmark") {
    const demoRoutes = await readDemoRoutes();
    config = {
      ...common,
      source: {
        type: "ssi",
        timeSeries: join(SSI_DIR, "Municipality_cases_time_series.csv"),
        testPos: join(SSI_DIR, "Municipality_test_pos.csv"),
      },
      regions: regionConfig(capacity, (code) => demoRoutes.get(code)),
    };
  } else {
    const referencePath = join(dir, "reference.csv");
    await writeFile(
      referencePath,
      csv([
        ["code", "name", "region_code", "region_name", "population", "aliases"],
        ...municipalities.map((m) => [
          m.code,
          m.name,
          m.regionCode,
          `Land ${m.regionCode}`,
          m.population,
          "",
        ]),
      ]),
    );
    config = {
      ...common,
      reference: referencePath,
      referenceRules: "any",
      source: { type: "csv", url: join(dir, "incidence.csv") },
      regions: regionConfig(capacity, () => undefined),
    };
  }
  const configPath = join(dir, "config.json");
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const inputs: ScaleInputs = {
    scale,
    dir,
    configPath,
    rosterDir,
    municipalities,
    regions: capacity.size,
    staff: input.staff.length,
    sites: input.sites.length,
  };
  if (scale === "germany") await writeGermanIncidence(inputs, BENCH_WEEK);
  return inputs;
}

/** `2020-W40` */
export function weekText(week: IsoWeek): string {
  return formatIsoWeek(week);
}
