import { geoMercator, geoPath } from "d3-geo";
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
  const path = geoPath(projection).digits(1);
  canvas.lineWidth(0.5);
  for (const outline of sketch.outlines ?? []) {
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
