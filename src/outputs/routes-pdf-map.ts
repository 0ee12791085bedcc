import { geoBounds, geoMercator, geoPath, type GeoProjection, type GeoStream } from "d3-geo";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import type { GeoPoint } from "../domain/geo.ts";

/** The part of the page the sketch is drawn in (PDF points, y downwards). */
export type MapBox = {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
};

/** What the sketch shows: the lab, the stops in route order, optionally municipality outlines. */
export type RouteSketch = {
  readonly depot: GeoPoint;
  readonly stops: readonly GeoPoint[];
  readonly outlines?: readonly Feature<Polygon | MultiPolygon>[] | undefined;
  readonly depotLabel: string;
};

/** The drawing calls the sketch needs (a subset of PDFKit's document, so tests can record them). */
export type SketchCanvas = {
  save(): unknown;
  restore(): unknown;
  rect(x: number, y: number, w: number, h: number): unknown;
  circle(x: number, y: number, radius: number): unknown;
  moveTo(x: number, y: number): unknown;
  lineTo(x: number, y: number): unknown;
  path(path: string): unknown;
  clip(): unknown;
  fill(color?: string): unknown;
  stroke(color?: string): unknown;
  fillAndStroke(fill?: string, stroke?: string): unknown;
  lineWidth(width: number): unknown;
  dash(length: number, options?: { space: number }): unknown;
  undash(): unknown;
  fillColor(color: string): unknown;
  fontSize(size: number): unknown;
  text(
    text: string,
    x: number,
    y: number,
    options?: { width?: number; align?: "center"; lineBreak?: boolean },
  ): unknown;
};

const PADDING = 14;
/** A sketch of a single place still shows its surroundings: at least about 2 km across. */
const MIN_SPAN_DEGREES = 0.02;
const COLOURS = {
  frame: "#9aa5b1",
  land: "#f1f3f5",
  border: "#c3cad3",
  line: "#3b6ea8",
  stop: "#1f4e79",
  depot: "#b03a2e",
};

/**
 * A Mercator projection fitted to the lab and stops (with a margin), so a short town route and a
 * long rural one both fill the box.
 */
function fitProjection(sketch: RouteSketch, box: MapBox) {
  const points = [sketch.depot, ...sketch.stops];
  const longitudes = points.map((p) => p.longitude);
  const latitudes = points.map((p) => p.latitude);
  const west = Math.min(...longitudes);
  const east = Math.max(...longitudes);
  const south = Math.min(...latitudes);
  const north = Math.max(...latitudes);
  const padLongitude = Math.max((east - west) * 0.08, MIN_SPAN_DEGREES);
  const padLatitude = Math.max((north - south) * 0.08, MIN_SPAN_DEGREES / 2);
  return geoMercator().fitExtent(
    [
      [box.x + PADDING, box.y + PADDING],
      [box.x + box.width - PADDING, box.y + box.height - PADDING],
    ],
    {
      type: "MultiPoint",
      coordinates: [
        [west - padLongitude, south - padLatitude],
        [east + padLongitude, north + padLatitude],
      ],
    },
  );
}

/** Outline points closer than this (PDF points) to the last one drawn are left out: invisible at print size. */
const MIN_POINT_SPACING = 0.6;

/** Bounds of each outline, computed once per outline (an outline is drawn on many pages). */
const boundsOf = new WeakMap<object, [[number, number], [number, number]]>();

function outlineBounds(outline: Feature<Polygon | MultiPolygon>): [[number, number], [number, number]] {
  let bounds = boundsOf.get(outline);
  if (bounds === undefined) {
    bounds = geoBounds(outline);
    boundsOf.set(outline, bounds);
  }
  return bounds;
}

/** True when the outline's bounds meet the part of the earth the box shows. */
function isInView(projection: GeoProjection, box: MapBox, outline: Feature<Polygon | MultiPolygon>): boolean {
  const [west, north] = projection.invert?.([box.x, box.y]) ?? [-180, 90];
  const [east, south] = projection.invert?.([box.x + box.width, box.y + box.height]) ?? [180, -90];
  const [[left, bottom], [right, top]] = outlineBounds(outline);
  return left <= east && right >= west && bottom <= north && top >= south;
}

/**
 * The projection followed by a stream that leaves out points closer than `spacing` to the last
 * one drawn (the last point of each line is always kept, so rings stay closed). A municipality's
 * coastline has thousands of points; a few hundred draw the same sketch in a fraction of the time.
 */
function thinnedProjection(
  projection: GeoProjection,
  spacing: number,
): { stream(output: GeoStream): GeoStream } {
  return {
    stream(output: GeoStream): GeoStream {
      let last: [number, number] | undefined;
      let pending: [number, number] | undefined;
      const thin: GeoStream = {
        point(x, y) {
          if (last === undefined || Math.hypot(x - last[0], y - last[1]) >= spacing) {
            output.point(x, y);
            last = [x, y];
            pending = undefined;
          } else pending = [x, y];
        },
        lineStart() {
          last = undefined;
          pending = undefined;
          output.lineStart();
        },
        lineEnd() {
          if (pending !== undefined) output.point(pending[0], pending[1]);
          pending = undefined;
          output.lineEnd();
        },
        polygonStart: () => output.polygonStart(),
        polygonEnd: () => output.polygonEnd(),
        sphere: () => output.sphere?.(),
      };
      return projection.stream(thin);
    },
  };
}

/**
 * Draws a route sketch: municipality outlines (light), the route as a line from the lab through
 * the stops and back (the way back dashed), numbered stop markers and the lab as a square.
 * Everything is clipped to the box; coordinates are rounded so the bytes are reproducible.
 */
export function drawRouteSketch(canvas: SketchCanvas, sketch: RouteSketch, box: MapBox): void {
  const projection = fitProjection(sketch, box);
  const project = (point: GeoPoint): [number, number] => {
    const [x, y] = projection([point.longitude, point.latitude]) ?? [0, 0];
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  };
  canvas.save();
  canvas.rect(box.x, box.y, box.width, box.height);
  canvas.clip();
  canvas.rect(box.x, box.y, box.width, box.height);
  canvas.fill("#ffffff");
  const path = geoPath(thinnedProjection(projection, MIN_POINT_SPACING)).digits(1);
  canvas.lineWidth(0.5);
  for (const outline of sketch.outlines ?? []) {
    if (!isInView(projection, box, outline)) continue;
    const d = path(outline);
    if (d !== null && d !== "") {
      canvas.path(d);
      canvas.fillAndStroke(COLOURS.land, COLOURS.border);
    }
  }

  const depot = project(sketch.depot);
  const stops = sketch.stops.map(project);
  canvas.lineWidth(1.2);
  canvas.moveTo(...depot);
  for (const stop of stops) canvas.lineTo(...stop);
  canvas.stroke(COLOURS.line);
  const last = stops.at(-1);
  if (last !== undefined) {
    canvas.dash(3, { space: 2 });
    canvas.moveTo(...last);
    canvas.lineTo(...depot);
    canvas.stroke(COLOURS.line);
    canvas.undash();
  }

  canvas.lineWidth(0.6);
  canvas.rect(depot[0] - 6, depot[1] - 6, 12, 12);
  canvas.fillAndStroke(COLOURS.depot, "#ffffff");
  canvas.fillColor("#ffffff");
  canvas.fontSize(7);
  canvas.text(sketch.depotLabel, depot[0] - 8, depot[1] - 3.2, {
    width: 16,
    align: "center",
    lineBreak: false,
  });
  canvas.fontSize(6);
  // The lab first and later stops before earlier ones: where markers overlap, the first stops'
  // numbers stay readable.
  for (let i = stops.length - 1; i >= 0; i--) {
    const [x, y] = stops[i] as [number, number];
    canvas.circle(x, y, 6);
    canvas.fillAndStroke(COLOURS.stop, "#ffffff");
    canvas.fillColor("#ffffff");
    canvas.text(String(i + 1), x - 8, y - 2.6, { width: 16, align: "center", lineBreak: false });
  }
  canvas.restore();
  canvas.lineWidth(0.8);
  canvas.rect(box.x, box.y, box.width, box.height);
  canvas.stroke(COLOURS.frame);
  canvas.fillColor("#000000");
}
