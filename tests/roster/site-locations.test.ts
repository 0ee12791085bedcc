import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { geoContains } from "d3-geo";
import type { Position } from "geojson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import {
  BUNDLED_BOUNDARIES,
  type MunicipalityBoundary,
  readBoundaries,
} from "../../src/roster/read-boundaries.ts";
import { readReference } from "../../src/roster/read-reference.ts";
import {
  extractPostcode,
  findInteriorPoint,
  locateSites,
  placeDemoSites,
  readPostcodeTable,
} from "../../src/roster/site-locations.ts";
import { BUNDLED_REFERENCE } from "../../src/config-schema.ts";

/**
 * Independent check, not d3: even-odd ray casting over every ring of every polygon, on the plane
 * of longitude and latitude (exact enough at municipality size, away from the edges).
 */
function insideByRayCasting(boundary: MunicipalityBoundary, longitude: number, latitude: number): boolean {
  const polygons: Position[][][] =
    boundary.geometry.type === "Polygon" ? [boundary.geometry.coordinates] : boundary.geometry.coordinates;
  let inside = false;
  for (const ring of polygons.flat()) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as [number, number];
      const [xj, yj] = ring[j] as [number, number];
      if (yi > latitude !== yj > latitude && longitude < ((xj - xi) * (latitude - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
  }
  return inside;
}

let boundaries: Map<number, MunicipalityBoundary>;
let codes: number[];
beforeAll(async () => {
  boundaries = await readBoundaries(BUNDLED_BOUNDARIES);
  codes = (await readReference(BUNDLED_REFERENCE)).map((m) => m.code);
});

describe("placeDemoSites", () => {
  it("puts every site inside its municipality, for all 98 (islands and multipolygons included)", () => {
    const sites = codes.flatMap((code) =>
      Array.from({ length: 8 }, (_, i) => ({ id: `S${code}-${i}`, municipalityCode: code })),
    );
    const placed = placeDemoSites(sites, boundaries, 2020);
    expect(placed.size).toBe(98 * 8);
    for (const site of sites) {
      const point = placed.get(site.id);
      const boundary = boundaries.get(site.municipalityCode) as MunicipalityBoundary;
      expect(point?.source).toBe("generated");
      expect(geoContains(boundary, [point?.longitude ?? 0, point?.latitude ?? 0])).toBe(true);
      expect(insideByRayCasting(boundary, point?.longitude ?? 0, point?.latitude ?? 0)).toBe(true);
    }
  });

  it("is deterministic per seed and per site (adding a site moves no other)", () => {
    const sites = [
      { id: "S0825-NH01", municipalityCode: 825 }, // Læsø
      { id: "S0492-HC01", municipalityCode: 492 }, // Ærø
      { id: "S0101-NH01", municipalityCode: 101 },
    ];
    const first = placeDemoSites(sites, boundaries, 7);
    expect(placeDemoSites(sites, boundaries, 7)).toEqual(first);
    const more = placeDemoSites([{ id: "S0101-NH02", municipalityCode: 101 }, ...sites], boundaries, 7);
    for (const site of sites) expect(more.get(site.id)).toEqual(first.get(site.id));
    const other = placeDemoSites(sites, boundaries, 8);
    for (const site of sites) expect(other.get(site.id)).not.toEqual(first.get(site.id));
  });

  it("rejects a site of a municipality without a boundary", () => {
    expect(() => placeDemoSites([{ id: "X", municipalityCode: 999 }], boundaries, 1)).toThrow(/999/);
  });
});

describe("findInteriorPoint", () => {
  it("lies inside the municipality for all 98, also where the centroid does not (København, Guldborgsund)", () => {
    for (const code of codes) {
      const boundary = boundaries.get(code) as MunicipalityBoundary;
      const point = findInteriorPoint(boundary);
      expect(insideByRayCasting(boundary, point.longitude, point.latitude), `municipality ${code}`).toBe(
        true,
      );
    }
  });
});

describe("extractPostcode", () => {
  it.each([
    { address: "Skolevej 12, 2100 København Ø", postcode: 2100 },
    { address: "Kirkevej 4, 1. th., 8000 Aarhus C", postcode: 8000 },
    { address: "Strandvejen 12 2900 Hellerup", postcode: 2900 },
    { address: "Nørregade 1000, 5000 Odense C", postcode: 5000 },
    { address: "Vej 1; st.", postcode: undefined },
    { address: "Postboks 12345 Aalborg", postcode: undefined },
  ])("$address → $postcode", ({ address, postcode }) => {
    expect(extractPostcode(address)).toBe(postcode);
  });
});

describe("locateSites and readPostcodeTable", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "site-locations-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeTable(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it("prefers the site's own coordinates, then the postcode table, then a point inside the municipality", async () => {
    const postcodes = await readPostcodeTable(
      await writeTable(
        "good.csv",
        "\uFEFFpostcode;latitude;longitude\n2100;55.7105;12.5750\n8000;56.1537;10.2101\n",
      ),
    );
    const located = locateSites(
      [
        {
          id: "own",
          municipalityCode: 101,
          address: "Skolevej 1, 2100 København Ø",
          location: { latitude: 55.69, longitude: 12.58, source: "site", approximate: false },
        },
        { id: "postcode", municipalityCode: 101, address: "Skolevej 1, 2100 København Ø" },
        { id: "municipality", municipalityCode: 101, address: "Skolevej 1, 2300 København S" },
        { id: "no-postcode", municipalityCode: 825, address: "Havnevej 1" },
      ],
      boundaries,
      postcodes,
    );
    expect(located.get("own")).toEqual({
      latitude: 55.69,
      longitude: 12.58,
      source: "site",
      approximate: false,
    });
    expect(located.get("postcode")).toEqual({
      latitude: 55.7105,
      longitude: 12.575,
      source: "postcode",
      approximate: true,
    });
    const fallback = located.get("municipality");
    expect(fallback).toMatchObject({ source: "municipality", approximate: true });
    expect(
      insideByRayCasting(
        boundaries.get(101) as MunicipalityBoundary,
        fallback?.longitude ?? 0,
        fallback?.latitude ?? 0,
      ),
    ).toBe(true);
    const laesoe = located.get("no-postcode");
    expect(
      insideByRayCasting(
        boundaries.get(825) as MunicipalityBoundary,
        laesoe?.longitude ?? 0,
        laesoe?.latitude ?? 0,
      ),
    ).toBe(true);
  });

  it.each([
    {
      name: "a missing column",
      text: "postcode;latitude\n2100;55.7\n",
      line: 1,
      message: /missing column longitude/,
    },
    {
      name: "a 3-digit postcode",
      text: "postcode;latitude;longitude\n210;55.7;12.5\n",
      line: 2,
      message: /postcode: got "210"/,
    },
    {
      name: "a decimal comma",
      text: "postcode;latitude;longitude\n2100;55,7;12.5\n",
      line: 2,
      message: /latitude: got "55,7"/,
    },
    {
      name: "a latitude out of range",
      text: "postcode;latitude;longitude\n2100;95.7;12.5\n",
      line: 2,
      message: /out of range/,
    },
    {
      name: "a postcode twice",
      text: "postcode;latitude;longitude\n2100;55.7;12.5\n2100;55.8;12.5\n",
      line: 3,
      message: /again/,
    },
  ])("rejects $name with the file and line", async ({ text, line, message }) => {
    const path = await writeTable("bad.csv", text);
    const error = await readPostcodeTable(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ file: path, line });
    expect((error as InputError).message).toMatch(message);
  });

  it("rejects a site of a municipality without a boundary", () => {
    expect(() => locateSites([{ id: "X", municipalityCode: 999, address: "Vej 1" }], boundaries)).toThrow(
      /999/,
    );
  });
});
