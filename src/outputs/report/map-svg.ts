import { geoPath, geoTransverseMercator, type GeoPermissibleObjects } from "d3-geo";
import type { Feature, GeoJsonProperties, Geometry } from "geojson";
import type { Classification, Override } from "../../domain/classify.ts";
import { escapeHtml, formatNumber } from "./format.ts";
import { px } from "./svg-chart.ts";
import { COLORS } from "./page.ts";
import type { MunicipalityBoundaries, ReportLanguage } from "./report-types.ts";
import { commonTexts, say } from "./texts.ts";

/** Bornholm lies far east of the rest of the country: it is drawn in an inset, as on Danish maps. */
const INSET_CODE = 400;
/** Copenhagen and its suburbs (codes 101–190) are too small to read at country scale: a zoom box repeats them. */
const isZoomed = (code: number) => code >= 101 && code <= 190;

const WIDTH = 700;
const HEIGHT = 560;
const PAD = 8;
/** The main map leaves a right-hand column for the info box, the Copenhagen zoom and Bornholm. */
const MAIN_EXTENT: [[number, number], [number, number]] = [
  [PAD, PAD],
  [470, HEIGHT - PAD],
];
type Box = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
const TIP_BOX: Box = { x: 484, y: PAD, width: 208, height: 98 };
const ZOOM_BOX: Box = { x: 484, y: 118, width: 208, height: 236 };
const INSET_BOX: Box = { x: 484, y: 366, width: 208, height: 120 };

export type MapInput = {
  readonly boundaries: MunicipalityBoundaries;
  readonly classifications: readonly Classification[];
  readonly overrides: ReadonlyMap<string, Override>;
  readonly thresholdPer100k: number;
  readonly language: ReportLanguage;
};

export type RenderedMap = {
  readonly svg: string;
  /** Rules that show each municipality's info box while it is hovered or focused. */
  readonly styles: string;
  /** Classified municipalities the boundaries lack (drawn nowhere, listed in the table only). */
  readonly missing: readonly Classification[];
};

type Shape = {
  readonly classification: Classification;
  readonly feature: Feature<Geometry, GeoJsonProperties>;
};

function codeOf(feature: Feature<Geometry | null, GeoJsonProperties>): number {
  const value: unknown = feature.properties?.lau_1;
  return typeof value === "number" ? value : Number(value);
}

/** The accessible label of one municipality: name, incidence with the language's decimal mark, status, override. */
export function describeMunicipality(
  c: Classification,
  override: Override | undefined,
  language: ReportLanguage,
): string {
  const texts = commonTexts(language);
  const incidence = `${say(language, "incidens", "incidence")} ${formatNumber(c.incidence, language, 2)}`;
  const parts = [c.name, incidence, texts.status[c.status]];
  if (override !== undefined) {
    parts.push(
      `${say(language, "overstyret", "overridden")}: ${texts.overrideAction[override.action]} (${say(language, "rå status", "raw status")} ${texts.status[c.rawStatus].toLowerCase()})`,
    );
  }
  return parts.join(", ");
}

function tipLines(c: Classification, override: Override | undefined, language: ReportLanguage): string[] {
  const texts = commonTexts(language);
  const lines = [
    `${say(language, "Incidens", "Incidence")}: ${formatNumber(c.incidence, language, 2)}`,
    `${say(language, "Status", "Status")}: ${texts.status[c.status]}`,
  ];
  if (override !== undefined) lines.push(`${texts.overrideAction[override.action]} (STPS)`);
  return lines;
}

function renderTip(id: string, title: string, lines: readonly string[]): string {
  const { x, y, width, height } = TIP_BOX;
  const text = lines
    .map(
      (line, index) =>
        `<text x="${x + 10}" y="${y + 46 + index * 18}" font-size="13">${escapeHtml(line)}</text>`,
    )
    .join("");
  return (
    `<g class="tip" id="${id}" aria-hidden="true">` +
    `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="4" fill="#fff" stroke="${COLORS.ink}"/>` +
    `<text x="${x + 10}" y="${y + 24}" font-size="15" font-weight="700">${escapeHtml(title)}</text>${text}</g>`
  );
}

function collection(features: readonly Feature<Geometry, GeoJsonProperties>[]): GeoPermissibleObjects {
  return { type: "FeatureCollection", features: [...features] };
}

function frame(box: Box, label: string): string {
  return (
    `<g aria-hidden="true"><rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none" stroke="${COLORS.muted}" stroke-dasharray="4 3"/>` +
    `<text x="${box.x + 8}" y="${box.y + 16}" font-size="12" fill="${COLORS.muted}">${escapeHtml(label)}</text></g>`
  );
}

type PathOf = (feature: Feature<Geometry, GeoJsonProperties>) => string;

/** Country, Bornholm (same scale, moved into its box) and the Copenhagen zoom, as path makers. */
function projectionsFor(main: readonly Shape[], inset: readonly Shape[], zoomed: readonly Shape[]) {
  const projection = geoTransverseMercator()
    .rotate([-10.5, 0])
    .fitExtent(MAIN_EXTENT, collection(main.map((s) => s.feature)));
  const mainPath = geoPath(projection).digits(1);
  const pathOf =
    (path: ReturnType<typeof geoPath>): PathOf =>
    (feature) =>
      path(feature) ?? "";
  let insetPath = pathOf(mainPath);
  if (inset.length > 0) {
    const [[x0, y0], [x1, y1]] = mainPath.bounds(collection(inset.map((s) => s.feature)));
    const [tx, ty] = projection.translate();
    const moved = geoTransverseMercator()
      .rotate([-10.5, 0])
      .scale(projection.scale())
      .translate([
        tx + INSET_BOX.x + INSET_BOX.width / 2 - (x0 + x1) / 2,
        ty + INSET_BOX.y + 10 + INSET_BOX.height / 2 - (y0 + y1) / 2,
      ]);
    insetPath = pathOf(geoPath(moved).digits(1));
  }
  const zoomCollection = collection(zoomed.map((s) => s.feature));
  const zoomPath = pathOf(
    geoPath(
      geoTransverseMercator()
        .rotate([-10.5, 0])
        .fitExtent(
          [
            [ZOOM_BOX.x + 8, ZOOM_BOX.y + 24],
            [ZOOM_BOX.x + ZOOM_BOX.width - 8, ZOOM_BOX.y + ZOOM_BOX.height - 8],
          ],
          zoomCollection,
        ),
    ).digits(1),
  );
  const zoomArea = zoomed.length === 0 ? null : mainPath.bounds(zoomCollection);
  return { mainPath: pathOf(mainPath), insetPath, zoomPath, zoomArea };
}

/**
 * The municipalities as SVG paths coloured by effective status (transverse Mercator fitted to the
 * view box; Bornholm moved into an inset at the same scale; Copenhagen and its suburbs repeated in
 * a zoom box). Overridden municipalities carry a hatch and a dark outline, so the map does not rely
 * on colour alone. Every municipality is one focusable, named shape (`path.muni`); hovering or
 * focusing it shows its figures in the info box.
 */
export function renderMunicipalityMap(input: MapInput): RenderedMap {
  const { language } = input;
  const byCode = new Map<number, Feature<Geometry, GeoJsonProperties>>();
  for (const feature of input.boundaries.features) {
    if (feature.geometry !== null)
      byCode.set(codeOf(feature), feature as Feature<Geometry, GeoJsonProperties>);
  }
  const shapes: Shape[] = [];
  const missing: Classification[] = [];
  for (const classification of [...input.classifications].sort((a, b) => a.code - b.code)) {
    const feature = byCode.get(classification.code);
    if (feature === undefined) missing.push(classification);
    else shapes.push({ classification, feature });
  }
  const main = shapes.filter((s) => s.classification.code !== INSET_CODE);
  const inset = shapes.filter((s) => s.classification.code === INSET_CODE);
  const zoomed = shapes.filter((s) => isZoomed(s.classification.code));
  const { mainPath, insetPath, zoomPath, zoomArea } = projectionsFor(main, inset, zoomed);

  const paths: string[] = [];
  const zoomPaths: string[] = [];
  const hatches: string[] = [];
  const tips: string[] = [];
  const rules: string[] = [];
  for (const { classification: c, feature } of shapes) {
    const override = c.overrideId === null ? undefined : input.overrides.get(c.overrideId);
    const d = (c.code === INSET_CODE ? insetPath : mainPath)(feature);
    const label = describeMunicipality(c, override, language);
    const fill = c.status === "red" ? COLORS.red : COLORS.green;
    const classes = override === undefined ? "muni" : "muni override";
    paths.push(
      `<path id="m${c.code}" class="${classes}" d="${d}" fill="${fill}" data-code="${c.code}" data-status="${c.status}" tabindex="0" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title></path>`,
    );
    if (override !== undefined)
      hatches.push(`<path class="hatch" d="${d}" fill="url(#hatch)" aria-hidden="true"/>`);
    let shown = `#m${c.code}:is(:hover, :focus)`;
    if (isZoomed(c.code)) {
      const z = zoomPath(feature);
      const zoomClasses = override === undefined ? "zoom" : "zoom override";
      zoomPaths.push(
        `<path id="z${c.code}" class="${zoomClasses}" d="${z}" fill="${fill}" aria-hidden="true"><title>${escapeHtml(label)}</title></path>`,
      );
      if (override !== undefined)
        hatches.push(`<path class="hatch" d="${z}" fill="url(#hatch)" aria-hidden="true"/>`);
      shown += `, #z${c.code}:hover`;
      rules.push(`.map:has(#m${c.code}:focus) #z${c.code} { stroke: ${COLORS.focus}; stroke-width: 3.5; }`);
    }
    tips.push(renderTip(`t${c.code}`, c.name, tipLines(c, override, language)));
    rules.push(`.map:has(${shown}) #t${c.code} { display: inline; }`);
  }

  const red = input.classifications.filter((c) => c.status === "red").length;
  const overridden = input.classifications.filter((c) => c.overrideId !== null).length;
  const count = (n: number) => formatNumber(n, language);
  const title = say(language, "Kommunernes status", "Status of the municipalities");
  const desc = say(
    language,
    `Danmarkskort med ${count(shapes.length)} kommuner farvet efter status: ${count(red)} røde (incidens mindst ${formatNumber(input.thresholdPer100k, language)} pr. 100.000), ${count(input.classifications.length - red)} grønne, ${count(overridden)} med en afgørelse fra STPS (skraveret). Bornholm er vist i et indsat felt, hovedstadsområdet også forstørret. Alle tal står også i tabellen under kortet.`,
    `Map of Denmark with ${count(shapes.length)} municipalities coloured by status: ${count(red)} red (incidence at least ${formatNumber(input.thresholdPer100k, language)} per 100,000), ${count(input.classifications.length - red)} green, ${count(overridden)} under an STPS decision (hatched). Bornholm is shown in an inset, the Copenhagen area also enlarged. Every figure is also in the table below the map.`,
  );
  const hint =
    language === "da"
      ? ["Peg på en kommune, eller", "brug Tab-tasten, for at", "se dens tal her."]
      : ["Point at a municipality, or", "use the Tab key, to see", "its figures here."];
  const hintBox =
    `<g class="tip-hint" aria-hidden="true">` +
    hint
      .map(
        (line, i) =>
          `<text x="${TIP_BOX.x + 10}" y="${TIP_BOX.y + 24 + i * 18}" font-size="13" fill="${COLORS.muted}">${escapeHtml(line)}</text>`,
      )
      .join("") +
    "</g>";
  const zoomLabel = say(language, "Hovedstadsområdet (forstørret)", "Copenhagen area (enlarged)");
  const zoomMarker =
    zoomArea === null
      ? ""
      : `<rect x="${px(zoomArea[0][0] - 2)}" y="${px(zoomArea[0][1] - 2)}" width="${px(zoomArea[1][0] - zoomArea[0][0] + 4)}" height="${px(zoomArea[1][1] - zoomArea[0][1] + 4)}" fill="none" stroke="${COLORS.muted}" stroke-dasharray="3 2" aria-hidden="true"/>`;
  const svg = [
    `<svg class="map" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="group" aria-labelledby="map-title map-desc">`,
    `<title id="map-title">${escapeHtml(title)}</title>`,
    `<desc id="map-desc">${escapeHtml(desc)}</desc>`,
    `<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="${COLORS.ink}" stroke-width="1.6"/></pattern></defs>`,
    inset.length === 0 ? "" : frame(INSET_BOX, "Bornholm"),
    zoomed.length === 0 ? "" : frame(ZOOM_BOX, zoomLabel),
    `<g class="shapes">${paths.join("")}</g>`,
    `<g>${zoomPaths.join("")}</g>`,
    `<g>${hatches.join("")}</g>`,
    zoomMarker,
    hintBox,
    tips.join(""),
    "</svg>",
  ].join("\n");
  return { svg, styles: rules.join("\n"), missing };
}
