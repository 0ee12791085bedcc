import { readFile } from "node:fs/promises";
import { geoBounds, geoCentroid, geoContains, geoDistance } from "d3-geo";
import { z } from "zod";
import { type GeoPoint, isInDenmark, isValidGeoPoint } from "../domain/geo.ts";
import type { SiteLocation } from "../domain/roster.ts";
import { InputError } from "../errors.ts";
import { parseCsvTable } from "../lib/csv-table.ts";
import type { MunicipalityBoundary } from "./read-boundaries.ts";
import { createSeededRandom, type Random } from "./seeded-random.ts";

/** A site's position and where it came from (see `SiteLocation` in the domain). */
export type SiteCoordinates = SiteLocation;

/** Rejection sampling gives up after this many misses and uses the interior point instead. */
const MAX_TRIES = 10_000;
/** Grid used to find a point inside a municipality whose centroid lies outside it (a bay, an archipelago). */
const INTERIOR_GRID = 96;

function toPoint([longitude, latitude]: [number, number]): GeoPoint {
  return { latitude, longitude };
}

/**
 * A point guaranteed inside the municipality, deterministically: its centroid (`geoCentroid`) when
 * that lies inside, otherwise the point of a grid over its bounds that lies inside and is nearest
 * to the centroid (København's centroid falls in Frederiksberg, Guldborgsund's in the sea).
 */
export function findInteriorPoint(boundary: MunicipalityBoundary): GeoPoint {
  const centroid = geoCentroid(boundary);
  if (geoContains(boundary, centroid)) return toPoint(centroid);
  const [[west, south], [east, north]] = geoBounds(boundary);
  let best: [number, number] | undefined;
  let bestDistance = Infinity;
  for (let row = 0; row < INTERIOR_GRID; row++) {
    for (let column = 0; column < INTERIOR_GRID; column++) {
      const candidate: [number, number] = [
        west + ((column + 0.5) / INTERIOR_GRID) * (east - west),
        south + ((row + 0.5) / INTERIOR_GRID) * (north - south),
      ];
      if (!geoContains(boundary, candidate)) continue;
      const distance = geoDistance(candidate, centroid);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
  }
  if (best === undefined)
    throw new RangeError(`findInteriorPoint: no point inside municipality ${boundary.properties.code}`);
  return toPoint(best);
}

/**
 * A random point inside the municipality: uniform over its bounding box (in degrees), drawn
 * until one lies inside (`geoContains`), so islands get sites in proportion to their area. The
 * interior point stands in when `MAX_TRIES` draws all miss (never for the bundled boundaries).
 */
export function placePointInBoundary(boundary: MunicipalityBoundary, random: Random): GeoPoint {
  const [[west, south], [east, north]] = geoBounds(boundary);
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const candidate: [number, number] = [west + random() * (east - west), south + random() * (north - south)];
    if (geoContains(boundary, candidate)) return toPoint(candidate);
  }
  return findInteriorPoint(boundary);
}

/** One random stream per site (FNV-1a of the id, mixed with the seed): adding a site moves no other. */
export function seedForSite(seed: number, siteId: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < siteId.length; i++) hash = Math.imul(hash ^ siteId.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x7feb352d);
  return (hash ^ (hash >>> 15)) >>> 0;
}

/**
 * Places demo sites at random but reproducible points inside their municipalities: the same seed
 * and site id always give the same point. Sites of a municipality without a boundary are an error.
 */
export function placeDemoSites(
  sites: readonly { readonly id: string; readonly municipalityCode: number }[],
  boundaries: ReadonlyMap<number, MunicipalityBoundary>,
  seed: number,
): Map<string, SiteCoordinates> {
  const placed = new Map<string, SiteCoordinates>();
  for (const site of sites) {
    const boundary = boundaries.get(site.municipalityCode);
    if (boundary === undefined) {
      throw new RangeError(
        `placeDemoSites: no boundary for municipality ${site.municipalityCode} (site ${site.id})`,
      );
    }
    const point = placePointInBoundary(boundary, createSeededRandom(seedForSite(seed, site.id)));
    placed.set(site.id, { ...point, source: "generated", approximate: false });
  }
  return placed;
}

/** Postcode → a representative point (the operator's table; none ships with testrota). */
export type PostcodeTable = ReadonlyMap<number, GeoPoint>;

const POSTCODE_COLUMNS = ["postcode", "latitude", "longitude"] as const;
const postcodeRowSchema = z.object({
  postcode: z
    .string()
    .regex(/^\d{4}$/, { error: "a 4-digit Danish postcode" })
    .transform(Number),
  latitude: z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, { error: "a latitude in decimal degrees (e.g. 55.6761)" })
    .transform(Number),
  longitude: z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, { error: "a longitude in decimal degrees (e.g. 12.5683)" })
    .transform(Number),
});

/**
 * Reads an operator's postcode table `postcode;latitude;longitude` (UTF-8, `;`, decimal points),
 * e.g. the centre of each postcode area. The first problem becomes an `InputError` with the line.
 */
export async function readPostcodeTable(path: string): Promise<PostcodeTable> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new InputError({ file: path }, "cannot read the postcode table, expected a readable CSV file", {
      cause: error,
    });
  }
  const table = parseCsvTable(path, content, { required: POSTCODE_COLUMNS });
  const postcodes = new Map<number, GeoPoint>();
  for (const row of table.rows) {
    const raw = Object.fromEntries(
      POSTCODE_COLUMNS.map((c) => [c, row.fields[table.columns.get(c) ?? -1] ?? ""]),
    );
    const parsed = postcodeRowSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "row");
      throw new InputError(
        { file: path, line: row.line },
        `${field}: got ${JSON.stringify(raw[field] ?? "")}, expected ${issue?.message ?? "a valid row"}`,
      );
    }
    const point = { latitude: parsed.data.latitude, longitude: parsed.data.longitude };
    if (!isValidGeoPoint(point) || !isInDenmark(point)) {
      throw new InputError(
        { file: path, line: row.line },
        "latitude/longitude out of range, expected WGS 84 degrees of a point in Denmark",
      );
    }
    if (postcodes.has(parsed.data.postcode)) {
      throw new InputError(
        { file: path, line: row.line },
        `postcode ${parsed.data.postcode} again, expected one row per postcode`,
      );
    }
    postcodes.set(parsed.data.postcode, point);
  }
  return postcodes;
}

/**
 * The postcode of a Danish address: the last stand-alone 4-digit number followed by the town
 * (`Skolevej 12, 2100 København Ø` → 2100, `Strandvejen 12 2900 Hellerup` → 2900). Undefined when
 * the address has none.
 */
export function extractPostcode(address: string): number | undefined {
  const matches = [...address.matchAll(/(?:^|[,\s])(\d{4})\s+\p{L}/gu)];
  const last = matches.at(-1);
  return last === undefined ? undefined : Number(last[1]);
}

/** What locating a site needs: its own optional position, its address and its municipality. */
export type LocatableSite = {
  readonly id: string;
  readonly municipalityCode: number;
  readonly address: string;
  readonly location?: SiteLocation | undefined;
};

/**
 * Coordinates for every site, in this order of preference: the site's own position (its
 * latitude/longitude columns, or the demo generator's point);
 * else the operator's postcode table entry for the address's postcode (approximate); else a point
 * inside the site's municipality (`findInteriorPoint`, approximate). Sites of a municipality
 * without a boundary are an error (the reference and boundaries cover all 98).
 */
export function locateSites(
  sites: readonly LocatableSite[],
  boundaries: ReadonlyMap<number, MunicipalityBoundary>,
  postcodes: PostcodeTable = new Map(),
): Map<string, SiteCoordinates> {
  const interior = new Map<number, GeoPoint>();
  const located = new Map<string, SiteCoordinates>();
  for (const site of sites) {
    if (site.location !== undefined) {
      located.set(site.id, site.location);
      continue;
    }
    const postcode = extractPostcode(site.address);
    const byPostcode = postcode === undefined ? undefined : postcodes.get(postcode);
    if (byPostcode !== undefined) {
      located.set(site.id, { ...byPostcode, source: "postcode", approximate: true });
      continue;
    }
    let point = interior.get(site.municipalityCode);
    if (point === undefined) {
      const boundary = boundaries.get(site.municipalityCode);
      if (boundary === undefined) {
        throw new RangeError(
          `locateSites: no boundary for municipality ${site.municipalityCode} (site ${site.id})`,
        );
      }
      point = findInteriorPoint(boundary);
      interior.set(site.municipalityCode, point);
    }
    located.set(site.id, { ...point, source: "municipality", approximate: true });
  }
  return located;
}
