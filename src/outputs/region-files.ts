import type { Feature, MultiPolygon, Polygon } from "geojson";
import type { Municipality, Region } from "../domain/reference.ts";
import type { Site } from "../domain/roster.ts";
import type { RunRoutes } from "../domain/pickup-routes.ts";
import type { RegionPickups } from "../domain/week-pickups.ts";
import { compareText } from "./compare-text.ts";
import type { DocumentJob } from "./document-jobs.ts";
import { buildPickupRows, renderPickupsCsv, renderPickupsJson } from "./pickup-files.ts";
import type { RoutesPdfSite } from "./routes-pdf.ts";
import type { RoutesPdfLanguage } from "./routes-pdf-text.ts";

/** A municipality's outline for the route sketches (GeoJSON, keyed by municipality code). */
export type MunicipalityOutline = Feature<Polygon | MultiPolygon>;

export type RegionFilesInput = {
  /** The plan's pickups, one entry per planned region. */
  readonly pickups: readonly RegionPickups[];
  /** Every configured region: each gets its pickup files, empty when nothing is planned. */
  readonly regionCodes: readonly number[];
  readonly regions?: readonly Region[] | undefined;
  readonly municipalities: readonly Municipality[];
  readonly sites: readonly Site[];
  readonly outlines?: ReadonlyMap<number, MunicipalityOutline> | undefined;
  /** The test week, e.g. `2020-W41`. */
  readonly testWeek: string;
  readonly language: RoutesPdfLanguage;
  /** Creation date of the PDFs: the run's scheduled time, never the clock. */
  readonly createdAt: Date;
};

/** The driver's view of a site: counts and directions only, nothing about staff. */
function routeSite(site: Site): RoutesPdfSite | undefined {
  if (site.location === undefined) return undefined;
  return {
    name: site.name,
    address: site.address,
    contactPhone: site.contactPhone,
    accessNote: site.accessNote,
    location: site.location,
    approximate: site.location.approximate,
  };
}

/** Every site with a position, as the route sheets show it, by site id. */
function driverSitesOf(sites: readonly Site[]): Map<string, RoutesPdfSite> {
  const drivers = new Map<string, RoutesPdfSite>();
  for (const site of sites) {
    const driver = routeSite(site);
    if (driver !== undefined) drivers.set(site.id, driver);
  }
  return drivers;
}

/** The sites a region's runs visit or name, as the route sheets show them: a job carries no others. */
function sitesOnRoutes(
  runs: readonly RunRoutes[],
  driverSites: ReadonlyMap<string, RoutesPdfSite>,
): Map<string, RoutesPdfSite> {
  const ids = new Set<string>();
  for (const run of runs) {
    for (const stop of run.stops) ids.add(stop.siteId);
    for (const route of run.routes) for (const stop of route.stops) ids.add(stop.siteId);
    for (const violation of run.violations) {
      if (violation.kind === "after-closing") ids.add(violation.siteId);
      else for (const id of violation.siteIds) ids.add(id);
    }
  }
  const sites = new Map<string, RoutesPdfSite>();
  for (const id of [...ids].sort(compareText)) {
    const site = driverSites.get(id);
    if (site !== undefined) sites.set(id, site);
  }
  return sites;
}

/** A region's route sheets to render (a {@link DocumentJob} of kind `routes`). */
export type RoutesJob = Extract<DocumentJob, { kind: "routes" }>;

/**
 * The region files of a week folder: `regions/<code>/pickups.csv` and `pickups.json` for every
 * configured region (header only when nothing is planned), made here, and the job of
 * `regions/<code>/routes.pdf` for each region with routes configured (one page per route and
 * run), rendered with the week's other documents on the render threads. Counts and site details
 * only, never staff names or employee ids.
 */
export function planRegionFiles(input: RegionFilesInput): {
  files: Map<string, Uint8Array>;
  jobs: RoutesJob[];
} {
  const files = new Map<string, Uint8Array>();
  const jobs: RoutesJob[] = [];
  const byCode = new Map(input.pickups.map((pickups) => [pickups.regionCode, pickups]));
  const regionName = new Map((input.regions ?? []).map((region) => [region.code, region.name]));
  // Built once for all regions: a national sites list is long and the regions are many.
  const siteById = new Map(input.sites.map((site) => [site.id, site]));
  let driverSites: Map<string, RoutesPdfSite> | undefined;
  for (const regionCode of input.regionCodes) {
    const pickups = byCode.get(regionCode);
    const rows = pickups === undefined ? [] : buildPickupRows(pickups, siteById);
    files.set(`regions/${regionCode}/pickups.csv`, renderPickupsCsv(rows));
    files.set(`regions/${regionCode}/pickups.json`, renderPickupsJson(regionCode, rows));
    if (pickups === undefined || !pickups.routed) continue;
    const codes = input.municipalities.filter((m) => m.regionCode === regionCode).map((m) => m.code);
    driverSites ??= driverSitesOf(input.sites);
    jobs.push({
      kind: "routes",
      path: `regions/${regionCode}/routes.pdf`,
      input: {
        regionCode,
        regionName: regionName.get(regionCode) ?? `Region ${regionCode}`,
        testWeek: input.testWeek,
        runs: pickups.plan.runs,
        sites: sitesOnRoutes(pickups.plan.runs, driverSites),
        outlines: codes.flatMap((code) => {
          const outline = input.outlines?.get(code);
          return outline === undefined ? [] : [outline];
        }),
        language: input.language,
        createdAt: input.createdAt,
      },
    });
  }
  return { files, jobs };
}
