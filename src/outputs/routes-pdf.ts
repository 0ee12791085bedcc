import { resolve } from "node:path";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import PDFDocument from "pdfkit";
import type { GeoPoint } from "../domain/geo.ts";
import type { DepotRoute, PlannedStop, RunRoutes } from "../domain/pickup-routes.ts";
import { formatClockMinutes } from "../domain/route-clock.ts";
import type { RouteViolation } from "../domain/routing.ts";
import { drawRouteSketch } from "./routes-pdf-map.ts";
import {
  describeKits,
  describeSamples,
  formatLongDate,
  type RoutesPdfLabels,
  type RoutesPdfLanguage,
  selectLabels,
} from "./routes-pdf-text.ts";

/** What a driver needs to know about a site (sites file); never anything about staff. */
export type RoutesPdfSite = {
  readonly name: string;
  readonly address: string;
  readonly contactPhone?: string | undefined;
  readonly accessNote?: string | undefined;
  readonly location: GeoPoint;
  /** A postcode or municipality stand-in: the ETA is marked as an estimate. */
  readonly approximate?: boolean | undefined;
};

export type RoutesPdfInput = {
  readonly regionCode: number;
  readonly regionName: string;
  /** The test week the routes serve, e.g. `2020-W41`. */
  readonly testWeek: string;
  /** The region's runs with their routes (`planRegionPickupRoutes`). */
  readonly runs: readonly RunRoutes[];
  readonly sites: ReadonlyMap<string, RoutesPdfSite>;
  /** Municipality outlines drawn under the route sketch (the region's boundaries). */
  readonly outlines?: readonly Feature<Polygon | MultiPolygon>[] | undefined;
  readonly language?: RoutesPdfLanguage | undefined;
  /** The PDF's creation date: a fixed date of the week (never the clock), so re-runs give the same bytes. */
  readonly createdAt: Date;
};

const FONT_DIR = resolve(import.meta.dirname, "..", "..", "assets", "fonts");
const REGULAR = resolve(FONT_DIR, "DejaVuSans.ttf");
const BOLD = resolve(FONT_DIR, "DejaVuSans-Bold.ttf");

const PAGE = { width: 595.28, height: 841.89, margin: 36 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
/** The sketch is this tall, and shrinks to no less than the minimum to keep a route's stops on one page. */
const MAP_HEIGHT = { max: 215, min: 140 };
const FOOTER_HEIGHT = 24;
/** Column widths of the stop table (sum = content width): #, ETA, site, address, contact, samples, kits. */
const COLUMNS = [16, 40, 118, 98, 103, 70, 78.28] as const;
const CELL_PADDING = 2.5;
const SIZE = { small: 7, body: 7.5, header: 9, title: 14 };
const RED = "#b03a2e";
const GREY = "#5f6b76";

type Doc = InstanceType<typeof PDFDocument>;
/** One line-group of a table cell. */
type Segment = {
  readonly text: string;
  readonly bold?: boolean;
  readonly size?: number;
  readonly colour?: string;
};

function segmentHeight(doc: Doc, segment: Segment, width: number): number {
  if (segment.text === "") return 0;
  doc.font(segment.bold === true ? "bold" : "regular").fontSize(segment.size ?? SIZE.body);
  return doc.heightOfString(segment.text, { width });
}

function cellHeight(doc: Doc, cell: readonly Segment[], width: number): number {
  return cell.reduce((sum, segment) => sum + segmentHeight(doc, segment, width - 2 * CELL_PADDING), 0);
}

function drawCell(doc: Doc, cell: readonly Segment[], x: number, y: number, width: number): void {
  let top = y + CELL_PADDING;
  for (const segment of cell) {
    if (segment.text === "") continue;
    const height = segmentHeight(doc, segment, width - 2 * CELL_PADDING);
    doc
      .fillColor(segment.colour ?? "#000000")
      .text(segment.text, x + CELL_PADDING, top, { width: width - 2 * CELL_PADDING });
    top += height;
  }
}

function drawRow(
  doc: Doc,
  cells: readonly (readonly Segment[])[],
  y: number,
  shade: string | undefined,
): number {
  const height =
    Math.max(...cells.map((cell, i) => cellHeight(doc, cell, COLUMNS[i] ?? 0))) + 2 * CELL_PADDING;
  if (shade !== undefined) doc.rect(PAGE.margin, y, CONTENT_WIDTH, height).fill(shade);
  let x = PAGE.margin;
  cells.forEach((cell, i) => {
    drawCell(doc, cell, x, y, COLUMNS[i] ?? 0);
    x += COLUMNS[i] ?? 0;
  });
  return height;
}

function rowHeight(doc: Doc, cells: readonly (readonly Segment[])[]): number {
  return Math.max(...cells.map((cell, i) => cellHeight(doc, cell, COLUMNS[i] ?? 0))) + 2 * CELL_PADDING;
}

/** The cells of one stop: counts, site, address and what the driver must know to get in. */
function stopCells(
  labels: RoutesPdfLabels,
  stop: PlannedStop,
  site: RoutesPdfSite,
  waitUntil: string | undefined,
): Segment[][] {
  const samples = describeSamples(labels, stop);
  const kits = describeKits(labels, stop);
  const eta = `${formatClockMinutes(stop.eta)}${site.approximate === true ? " ≈" : ""}`;
  return [
    [{ text: String(stop.order), bold: true }],
    [
      { text: eta, bold: true },
      { text: waitUntil === undefined ? "" : `→ ${waitUntil}`, size: SIZE.small, colour: GREY },
    ],
    [
      { text: site.name, bold: true },
      {
        text: stop.collects.length === 0 ? `${stop.siteId} · ${labels.deliveryOnly}` : stop.siteId,
        size: SIZE.small,
        colour: GREY,
      },
    ],
    [{ text: site.address }],
    [
      { text: site.contactPhone === undefined ? "" : `${labels.phone} ${site.contactPhone}` },
      { text: site.accessNote === undefined ? "" : `${labels.access} ${site.accessNote}`, size: SIZE.small },
    ],
    [
      { text: samples.total, bold: true },
      { text: samples.detail, size: SIZE.small },
    ],
    [
      { text: kits.total, bold: true },
      { text: kits.detail, size: SIZE.small },
    ],
  ];
}

function headerCells(labels: RoutesPdfLabels): Segment[][] {
  return labels.columns.map((column) => [{ text: column, bold: true, colour: "#ffffff" }]);
}

function describeViolation(
  labels: RoutesPdfLabels,
  violation: RouteViolation,
  route: DepotRoute,
  input: RoutesPdfInput,
  latest: string,
): string {
  if (violation.kind === "late-at-lab") {
    return labels.late(
      formatClockMinutes(route.returnAt),
      Math.ceil(violation.minutes),
      latest,
      violation.siteIds.length,
    );
  }
  const stop = route.stops.find((s) => s.siteId === violation.siteId);
  const name = input.sites.get(violation.siteId)?.name ?? violation.siteId;
  return labels.afterClosing(stop?.order ?? 0, name, Math.ceil(violation.minutes));
}

/** Draws the page head of a route; returns the y below it. */
function drawHead(
  doc: Doc,
  input: RoutesPdfInput,
  labels: RoutesPdfLabels,
  run: RunRoutes,
  route: DepotRoute,
  continued: boolean,
): number {
  const vehicle = run.routes.filter((r) => r.depot === route.depot && r.number <= route.number).length;
  doc.font("regular").fontSize(SIZE.header).fillColor(GREY);
  doc.text(
    `${labels.title} · ${input.regionName} (${input.regionCode}) · ${labels.testWeek(input.testWeek)}`,
    PAGE.margin,
    PAGE.margin,
    { width: CONTENT_WIDTH },
  );
  doc.font("bold").fontSize(SIZE.title).fillColor("#000000");
  const title = [
    formatLongDate(labels, run.run.date),
    labels.runs[run.run.kind],
    labels.route(route.number, run.routes.length),
    labels.vehicle(vehicle),
  ];
  doc.text(`${title.join(" · ")}${continued ? ` ${labels.continued}` : ""}`, { width: CONTENT_WIDTH });
  doc.font("regular").fontSize(SIZE.header);
  const facts = [
    labels.departure(route.depot.name, run.run.departure),
    labels.latestArrival(run.run.latestArrival),
    labels.plannedReturn(formatClockMinutes(route.returnAt)),
    labels.distance(Math.round(route.distanceKm), route.stops.length),
  ];
  doc.text(facts.join(" · "), { width: CONTENT_WIDTH });
  return doc.y + 4;
}

/** The legend at the foot of a page: the no-personal-data note, and what ≈ means where it is used. */
function drawFooter(doc: Doc, labels: RoutesPdfLabels, approximate: boolean): void {
  doc.font("regular").fontSize(SIZE.small).fillColor(GREY);
  const legend = approximate ? `${labels.approximate}  ${labels.noNames}` : labels.noNames;
  doc.text(legend, PAGE.margin, PAGE.height - PAGE.margin - 10, { width: CONTENT_WIDTH, lineBreak: false });
  doc.fillColor("#000000");
}

function drawTableHeader(doc: Doc, labels: RoutesPdfLabels, y: number): number {
  const cells = headerCells(labels);
  doc.rect(PAGE.margin, y, CONTENT_WIDTH, rowHeight(doc, cells)).fill("#1f4e79");
  return y + drawRow(doc, cells, y, undefined);
}

/** One route: head, lateness in red, the sketch, the stops (continued on further pages if long). */
function drawRoute(
  doc: Doc,
  input: RoutesPdfInput,
  labels: RoutesPdfLabels,
  run: RunRoutes,
  route: DepotRoute,
): void {
  doc.addPage({ size: [PAGE.width, PAGE.height], margin: PAGE.margin });
  let y = drawHead(doc, input, labels, run, route, false);
  for (const violation of run.violations.filter((v) => v.route === route.number)) {
    doc.font("bold").fontSize(SIZE.header).fillColor(RED);
    doc.text(describeViolation(labels, violation, route, input, run.run.latestArrival), PAGE.margin, y, {
      width: CONTENT_WIDTH,
    });
    y = doc.y + 2;
  }
  const stops = run.stops.filter((stop) => stop.route === route.number);
  const site = (stop: PlannedStop): RoutesPdfSite => {
    const known = input.sites.get(stop.siteId);
    if (known === undefined)
      throw new Error(`renderRoutesPdf: site ${stop.siteId} is not in the sites given`);
    return known;
  };
  const bottom = PAGE.height - PAGE.margin - FOOTER_HEIGHT;
  const rows = stops.map((stop) => {
    const routed = route.stops.find((s) => s.siteId === stop.siteId);
    const waitUntil =
      routed !== undefined && routed.waitMinutes > 0.5 ? formatClockMinutes(routed.serviceStart) : undefined;
    return stopCells(labels, stop, site(stop), waitUntil);
  });
  const tableHeight = [headerCells(labels), ...rows].reduce((sum, cells) => sum + rowHeight(doc, cells), 0);
  const mapHeight = Math.max(MAP_HEIGHT.min, Math.min(MAP_HEIGHT.max, bottom - y - 10 - tableHeight));
  drawRouteSketch(
    doc,
    {
      depot: route.depot.location,
      stops: stops.map((stop) => site(stop).location),
      outlines: input.outlines,
      depotLabel: labels.depotLabel,
    },
    { x: PAGE.margin, y: y + 2, width: CONTENT_WIDTH, height: mapHeight },
  );
  y = drawTableHeader(doc, labels, y + mapHeight + 8);
  const approximate = stops.some((stop) => site(stop).approximate === true);
  rows.forEach((cells, index) => {
    if (y + rowHeight(doc, cells) > bottom) {
      drawFooter(doc, labels, approximate);
      doc.addPage({ size: [PAGE.width, PAGE.height], margin: PAGE.margin });
      y = drawTableHeader(doc, labels, drawHead(doc, input, labels, run, route, true));
    }
    y += drawRow(doc, cells, y, index % 2 === 1 ? "#eef2f6" : undefined);
  });
  drawFooter(doc, labels, approximate);
}

/**
 * `routes.pdf` of one region: one A4 page per route and run (more only when a route's stops do
 * not fit), each with the run's day, route n of m and the van, departure and return times, any
 * lateness in red, a sketch map (lab, numbered stops, the route; municipality outlines under it),
 * and the stops in order: ETA, site, address, contact phone and access note, samples to collect
 * and kits to bring with the sessions they are for. Counts only, never staff names. Fonts are the
 * bundled DejaVu Sans (Danish letters); creation date and ids are fixed, so equal input gives
 * byte-identical files.
 */
export async function renderRoutesPdf(input: RoutesPdfInput): Promise<Uint8Array> {
  const labels = selectLabels(input.language ?? "da");
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: [PAGE.width, PAGE.height],
    margin: PAGE.margin,
    info: {
      Title: `${labels.title} ${input.regionName} ${input.testWeek}`,
      Producer: "testrota",
      Creator: "testrota",
      CreationDate: input.createdAt,
      ModDate: input.createdAt,
    },
  });
  doc.registerFont("regular", REGULAR);
  doc.registerFont("bold", BOLD);
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((done, fail) => {
    doc.on("end", done);
    doc.on("error", fail);
  });
  for (const run of input.runs) {
    for (const route of run.routes) drawRoute(doc, input, labels, run, route);
  }
  if (input.runs.every((run) => run.routes.length === 0)) {
    doc.addPage({ size: [PAGE.width, PAGE.height], margin: PAGE.margin });
    doc
      .font("bold")
      .fontSize(SIZE.title)
      .text(
        `${labels.title} · ${input.regionName} (${input.regionCode}) · ${labels.testWeek(input.testWeek)}`,
      );
    doc.font("regular").fontSize(SIZE.header).text(labels.noRuns);
  }
  doc.end();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}
