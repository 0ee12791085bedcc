import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { geoArea } from "d3-geo";
import type { Feature, MultiPolygon, Polygon, Position } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { z } from "zod";
import { CHRISTIANSOE_CODE } from "../domain/reference.ts";
import { InputError } from "../errors.ts";

/** The municipality boundaries bundled with testrota (`reference/municipalities.topo.json`). */
export const BUNDLED_BOUNDARIES = resolve(
  import.meta.dirname,
  "..",
  "..",
  "reference",
  "municipalities.topo.json",
);

/** One municipality's area as GeoJSON (a Polygon, or a MultiPolygon for islands). */
export type MunicipalityBoundary = Feature<
  Polygon | MultiPolygon,
  { readonly code: number; readonly name: string }
>;

const geometrySchema = z.object({
  type: z.enum(["Polygon", "MultiPolygon"], { error: "a Polygon or MultiPolygon" }),
  arcs: z.array(z.unknown()),
  properties: z.object({
    lau_1: z.string().regex(/^\d{3}$/, { error: "a 3-digit municipality code in lau_1" }),
    label_dk: z.string().optional(),
  }),
});

const topologySchema = z.object({
  type: z.literal("Topology", { error: 'a TopoJSON file (type "Topology")' }),
  arcs: z.array(z.unknown()),
  objects: z.record(z.string(), z.unknown()),
});

const collectionSchema = z.object({
  type: z.literal("GeometryCollection"),
  geometries: z.array(z.unknown()).min(1),
});

/**
 * d3-geo reads rings by their winding on the sphere: a ring wound the other way (as RFC 7946
 * GeoJSON tools write them) would mean "everything but the municipality". Such a feature covers
 * more than half the sphere and is turned round.
 */
function rewindIfInverted(boundary: MunicipalityBoundary): MunicipalityBoundary {
  if (geoArea(boundary) <= 2 * Math.PI) return boundary;
  const reverse = (rings: Position[][]): Position[][] => rings.map((ring) => [...ring].reverse());
  const geometry: Polygon | MultiPolygon =
    boundary.geometry.type === "Polygon"
      ? { type: "Polygon", coordinates: reverse(boundary.geometry.coordinates) }
      : { type: "MultiPolygon", coordinates: boundary.geometry.coordinates.map(reverse) };
  return { ...boundary, geometry };
}

function describeIssue(file: string, path: string, problem: string): InputError {
  return new InputError({ file, path }, problem);
}

/**
 * Turns a TopoJSON text into the municipalities' boundaries keyed by code (property `lau_1`),
 * from its first GeometryCollection. Christiansø (411) is not a municipality and is left out.
 * Problems become `InputError`s naming the file and the JSON path.
 */
export function parseBoundaries(file: string, text: string): Map<number, MunicipalityBoundary> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError({ file }, "not valid JSON, expected a TopoJSON file", { cause: error });
  }
  const topology = topologySchema.safeParse(json);
  if (!topology.success) {
    const issue = topology.error.issues[0];
    throw describeIssue(file, issue?.path.join(".") ?? "", `expected ${issue?.message ?? "a TopoJSON file"}`);
  }
  const entry = Object.entries(topology.data.objects).find(
    ([, value]) => collectionSchema.safeParse(value).success,
  );
  if (entry === undefined) {
    throw describeIssue(file, "objects", "no GeometryCollection, expected one with the municipalities");
  }
  const [name, collection] = entry as [string, GeometryCollection];
  const boundaries = new Map<number, MunicipalityBoundary>();
  collection.geometries.forEach((geometry, index) => {
    const path = `objects.${name}.geometries[${index}]`;
    const parsed = geometrySchema.safeParse(geometry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw describeIssue(
        file,
        `${path}.${issue?.path.join(".") ?? ""}`,
        `expected ${issue?.message ?? "a polygon"}`,
      );
    }
    const code = Number(parsed.data.properties.lau_1);
    if (code === CHRISTIANSOE_CODE) return;
    if (boundaries.has(code)) {
      throw describeIssue(
        file,
        `${path}.properties.lau_1`,
        `municipality ${code} again, expected one area per code`,
      );
    }
    const shape = feature(json as Topology, geometry) as Feature<Polygon | MultiPolygon>;
    boundaries.set(
      code,
      rewindIfInverted({
        type: "Feature",
        properties: { code, name: parsed.data.properties.label_dk ?? String(code) },
        geometry: shape.geometry,
      }),
    );
  });
  return boundaries;
}

/** Reads municipality boundaries (default: the bundled file); see {@link parseBoundaries}. */
export async function readBoundaries(
  path: string = BUNDLED_BOUNDARIES,
): Promise<Map<number, MunicipalityBoundary>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(
      { file: path },
      "cannot read the boundaries file, expected a readable TopoJSON file",
      {
        cause: error,
      },
    );
  }
  return parseBoundaries(path, text);
}
