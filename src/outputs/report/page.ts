import { escapeHtml } from "./format.ts";
import type { ReportLanguage } from "./report-types.ts";
import { commonTexts } from "./texts.ts";

/**
 * Colours of the reports. Status colours differ in lightness as well as hue (dark red, light
 * green) so that they stay apart for red-green colour blindness; text on them meets 4.5:1.
 */
export const COLORS = {
  ink: "#1b1b1b",
  muted: "#4d4d4d",
  grid: "#d0d0d0",
  red: "#b3261e",
  green: "#8cc98c",
  focus: "#0b57d0",
  day: "#1f5f99",
  evening: "#b35c00",
  night: "#4b2a75",
  deferred: "#b3261e",
  planned: "#1f5f99",
  capacity: "#1b1b1b",
  needed: "#b35c00",
} as const;

const STYLES = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: ${COLORS.ink};
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 2; }
.skip:focus { left: 1rem; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; border-bottom: 1px solid ${COLORS.grid}; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .25rem; }
h2 { font-size: 1.45rem; margin: 2.25rem 0 .75rem; padding-top: .75rem; border-top: 3px solid ${COLORS.ink}; }
h3 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1rem 0 .35rem; }
p { margin: .4rem 0; }
a { color: ${COLORS.focus}; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .8rem; color: ${COLORS.muted}; margin: 0; }
.lead { font-size: 1.1rem; margin: 0 0 .5rem; }
.meta { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .5rem 0 1rem; color: ${COLORS.muted}; font-size: .92rem; }
.meta div { display: flex; gap: .35rem; }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; }
.muted { color: ${COLORS.muted}; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .75rem; margin: 1rem 0; padding: 0; list-style: none; }
.figures li { background: #f4f5f6; border-radius: 6px; padding: .6rem .8rem; }
.figures .value { display: block; font-size: 1.6rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.figures .label { display: block; font-size: .88rem; color: ${COLORS.muted}; }
.map-layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(220px, 1fr); gap: 1.5rem; align-items: start; }
@media (max-width: 760px) { .map-layout { grid-template-columns: 1fr; } }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: inherit; }
.map { width: 100%; }
.map .muni, .map .zoom { stroke: #fff; stroke-width: .6; }
.map .override { stroke: ${COLORS.ink}; stroke-width: 1.6; }
.map .muni:hover, .map .zoom:hover { stroke: ${COLORS.ink}; stroke-width: 2; }
.map .muni:focus { outline: none; }
.map .muni:focus-visible, .map .muni:focus { stroke: ${COLORS.focus}; stroke-width: 3.5; }
.map .hatch { pointer-events: none; }
.map .tip { display: none; }
.map:has(.muni:is(:hover, :focus)) .tip-hint { display: none; }
.legend { list-style: none; margin: 0 0 1rem; padding: 0; }
.legend li { display: flex; align-items: center; gap: .6rem; margin: .35rem 0; }
.legend svg { flex: none; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid ${COLORS.grid}; vertical-align: top; }
th[scope="col"] { border-bottom: 2px solid ${COLORS.ink}; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody th[scope="row"] { white-space: nowrap; }
details { margin: .5rem 0 1rem; }
summary { cursor: pointer; color: ${COLORS.focus}; font-weight: 600; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-weight: 600; font-size: .85rem; }
.badge.red { background: ${COLORS.red}; color: #fff; }
.badge.green { background: ${COLORS.green}; color: ${COLORS.ink}; }
.changes { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: .5rem 1.5rem; }
.changes ul { margin: .25rem 0 .75rem; padding-left: 1.1rem; }
.regions { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 0 2rem; }
@media (max-width: 600px) { .regions { grid-template-columns: 1fr; } }
.quality { display: grid; grid-template-columns: auto auto; gap: .1rem 1rem; font-size: .92rem; margin: .5rem 0; }
.quality dt { color: ${COLORS.muted}; }
.quality dd { margin: 0; font-variant-numeric: tabular-nums; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 1rem 1.25rem; }
.multiples h3 { margin-top: .5rem; font-size: 1.05rem; }
.multiples figure { margin: 0 0 .75rem; }
.multiples figcaption { font-size: .9rem; }
.chart-legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: .25rem 0; padding: 0; font-size: .88rem; }
.chart-legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 2px; box-shadow: inset 0 0 0 1px rgba(0, 0, 0, .25); }
.line-swatch { display: inline-block; width: 1.6rem; }
footer { margin-top: 2.5rem; padding-top: 1rem; padding-bottom: 2rem; border-top: 1px solid ${COLORS.grid}; color: ${COLORS.muted}; font-size: .88rem; }
:focus-visible { outline: 3px solid ${COLORS.focus}; outline-offset: 2px; }
`;

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export type PageInput = {
  readonly language: ReportLanguage;
  readonly title: string;
  /** Extra CSS rules appended to the shared ones (e.g. the map's focus rules). */
  readonly extraStyles?: string;
  /** The `<header>` content (with the page's only h1). */
  readonly header: string;
  /** The `<main>` content. */
  readonly main: string;
  readonly footer: string;
};

/** A self-contained HTML page: inline CSS, system fonts, no scripts and nothing fetched. */
export function renderPage(input: PageInput): string {
  const texts = commonTexts(input.language);
  return [
    "<!doctype html>",
    `<html lang="${input.language}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Belt and braces for "opens from disk, fetches nothing": the page itself forbids every load.
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLES}${input.extraStyles ?? ""}</style>`,
    "</head>",
    "<body>",
    `<a class="skip" href="#main">${escapeHtml(texts.skipLink)}</a>`,
    `<header>${input.header}</header>`,
    `<main id="main">${input.main}</main>`,
    `<footer>${input.footer}</footer>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
