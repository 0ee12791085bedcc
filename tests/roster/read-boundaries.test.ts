import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { geoArea } from "d3-geo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_REFERENCE } from "../../src/config-schema.ts";
import { InputError } from "../../src/errors.ts";
import { BUNDLED_BOUNDARIES, parseBoundaries, readBoundaries } from "../../src/roster/read-boundaries.ts";
import { readReference } from "../../src/roster/read-reference.ts";

describe("readBoundaries", () => {
  it("reads the bundled file: exactly the 98 municipalities of the reference, Christiansø left out", async () => {
    const boundaries = await readBoundaries();
    const reference = await readReference(BUNDLED_REFERENCE);
    expect([...boundaries.keys()].sort((a, b) => a - b)).toEqual(reference.map((m) => m.code));
    expect(boundaries.has(411)).toBe(false);
    expect(boundaries.get(825)?.properties).toEqual({ code: 825, name: "Læsø" });
    expect(boundaries.get(101)?.geometry.type).toMatch(/Polygon/);
  });

  it("rejects an unreadable file", async () => {
    await expect(readBoundaries(join(tmpdir(), "no-such-boundaries.json"))).rejects.toBeInstanceOf(
      InputError,
    );
  });
});

describe("parseBoundaries", () => {
  let bundled: { objects: { dk: { geometries: { properties: Record<string, string> }[] } } };
  beforeAll(async () => {
    bundled = JSON.parse(await readFile(BUNDLED_BOUNDARIES, "utf8")) as typeof bundled;
  });

  it.each([
    { name: "text that is not JSON", text: () => "{", path: undefined, message: /not valid JSON/ },
    {
      name: "GeoJSON instead of TopoJSON",
      text: () => JSON.stringify({ type: "FeatureCollection", features: [] }),
      path: "type",
      message: /TopoJSON/,
    },
    {
      name: "a geometry without lau_1",
      text: () => {
        const copy = structuredClone(bundled);
        delete copy.objects.dk.geometries[3]?.properties["lau_1"];
        return JSON.stringify(copy);
      },
      path: "objects.dk.geometries[3].properties.lau_1",
      message: /expected/,
    },
    {
      name: "a municipality twice",
      text: () => {
        const copy = structuredClone(bundled);
        const first = copy.objects.dk.geometries[0]?.properties["lau_1"] ?? "";
        (copy.objects.dk.geometries[1] as { properties: Record<string, string> }).properties["lau_1"] = first;
        return JSON.stringify(copy);
      },
      path: "objects.dk.geometries[1].properties.lau_1",
      message: /again/,
    },
  ])("rejects $name, naming the JSON path", ({ text, path, message }) => {
    let error: unknown;
    try {
      parseBoundaries("b.json", text());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual(
      path === undefined ? { file: "b.json" } : { file: "b.json", path },
    );
    expect((error as InputError).message).toMatch(message);
  });

  it("turns rings wound the RFC 7946 way round so that d3 reads the municipality, not the rest of the world", () => {
    const square = [
      [12, 55],
      [12.1, 55],
      [12.1, 55.1],
      [12, 55.1],
      [12, 55],
    ];
    const topology = (ring: number[][]) =>
      JSON.stringify({
        type: "Topology",
        arcs: [ring],
        objects: {
          m: {
            type: "GeometryCollection",
            geometries: [{ type: "Polygon", arcs: [[0]], properties: { lau_1: "101" } }],
          },
        },
      });
    const counterClockwise = parseBoundaries("a.json", topology(square)).get(101);
    const clockwise = parseBoundaries("b.json", topology([...square].reverse())).get(101);
    for (const boundary of [counterClockwise, clockwise]) {
      expect(boundary).toBeDefined();
      // About 11.1 km × 6.4 km = 71 km², a tiny share of the sphere either way.
      expect(geoArea(boundary as never)).toBeLessThan(1e-5);
    }
  });
});

describe("readBoundaries from a copy", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "read-boundaries-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it("reads an operator's file the same way", async () => {
    const path = join(dir, "copy.topo.json");
    await writeFile(path, await readFile(BUNDLED_BOUNDARIES));
    expect((await readBoundaries(path)).size).toBe(98);
  });
});
