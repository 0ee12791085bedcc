import { escapeHtml } from "./format.ts";
import { COLORS } from "./page.ts";

/** Rounded ticks from 0 covering `max`: steps of 1, 2 or 5 × 10ⁿ, about `count` of them. */
export function niceTicks(max: number, count = 4): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) {
    ticks.push(Math.round(value * 1e6) / 1e6);
    if (value >= max) break;
  }
  return ticks;
}

/** Rounds SVG coordinates to one decimal: short, stable output. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export type SvgFrame = {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly desc: string;
  readonly body: string;
};

/** An inline chart: `role="img"`, named by its `<title>` and described by its `<desc>`. */
export function renderSvgImage(frame: SvgFrame): string {
  return (
    `<svg viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" aria-labelledby="${frame.id}-title ${frame.id}-desc">` +
    `<title id="${frame.id}-title">${escapeHtml(frame.title)}</title>` +
    `<desc id="${frame.id}-desc">${escapeHtml(frame.desc)}</desc>` +
    `${frame.body}</svg>`
  );
}

/** Text with a white halo, readable where it crosses bars or lines. */
export function svgText(
  x: number,
  y: number,
  text: string,
  options: {
    readonly anchor?: "start" | "middle" | "end";
    readonly size?: number;
    readonly weight?: number;
    readonly fill?: string;
  } = {},
): string {
  const anchor = options.anchor ?? "start";
  const weight = options.weight === undefined ? "" : ` font-weight="${options.weight}"`;
  return `<text x="${px(x)}" y="${px(y)}" text-anchor="${anchor}" font-size="${options.size ?? 12}"${weight} fill="${options.fill ?? COLORS.ink}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(text)}</text>`;
}

/** Horizontal grid lines with their values on the left axis. */
export function renderYAxis(
  ticks: readonly number[],
  scale: (value: number) => number,
  left: number,
  right: number,
  format: (value: number) => string,
): string {
  return ticks
    .map(
      (tick) =>
        `<line x1="${px(left)}" x2="${px(right)}" y1="${px(scale(tick))}" y2="${px(scale(tick))}" stroke="${COLORS.grid}" stroke-width="1"/>` +
        svgText(left - 6, scale(tick) + 4, format(tick), { anchor: "end", fill: COLORS.muted }),
    )
    .join("");
}

/** A legend entry: a colour swatch (or a dashed or dotted line) and its label, as HTML. */
export function legendItem(label: string, color: string, kind: "box" | "dashed" | "dotted" = "box"): string {
  const mark =
    kind === "box"
      ? `<span class="swatch" style="background:${color}" aria-hidden="true"></span>`
      : `<span class="line-swatch" style="border-top:3px ${kind} ${color}" aria-hidden="true"></span>`;
  return `<li>${mark}${escapeHtml(label)}</li>`;
}
