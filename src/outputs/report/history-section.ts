import { addWeeks, compareWeeks, type IsoWeek } from "../../domain/calendar.ts";
import { escapeHtml, formatNumber, formatWeek } from "./format.ts";
import { COLORS } from "./page.ts";
import type { RegionHistoryPoint, ReportLanguage, ReportRegion } from "./report-types.ts";
import { px, renderSvgImage, svgText } from "./svg-chart.ts";
import { commonTexts, say } from "./texts.ts";

/** The small multiples cover the report's week and the 11 before it. */
export const HISTORY_WEEKS = 12;

const SMALL = { width: 220, height: 86, left: 6, right: 6, top: 16, bottom: 20 };

type Series = {
  readonly id: string;
  readonly title: string;
  readonly values: readonly (number | null)[];
  /** HTML (escaped by the caller). */
  readonly caption: string;
  /** Top of the scale: the region's municipality count for red, the largest value for tests. */
  readonly max: number;
  readonly color: string;
};

function historyWeeks(week: IsoWeek): IsoWeek[] {
  return Array.from({ length: HISTORY_WEEKS }, (_, i) => addWeeks(week, i - HISTORY_WEEKS + 1));
}

function describeSeries(
  weeks: readonly IsoWeek[],
  values: readonly (number | null)[],
  language: ReportLanguage,
): string {
  const known = weeks.flatMap((w, i) =>
    values[i] === null || values[i] === undefined ? [] : [{ w, v: values[i] }],
  );
  if (known.length === 0) return say(language, "Ingen uger i historikken.", "No weeks in the history.");
  const list = known.map(({ w, v }) => `${formatWeek(w)}: ${formatNumber(v, language)}`).join("; ");
  const missing = weeks.length - known.length;
  const gap =
    missing === 0
      ? ""
      : say(
          language,
          ` ${missing} uger mangler i historikken.`,
          ` ${missing} weeks are missing from the history.`,
        );
  return `${list}.${gap}`;
}

function renderSmallMultiple(series: Series, weeks: readonly IsoWeek[], language: ReportLanguage): string {
  const { width, height, left, right, top, bottom } = SMALL;
  const band = (width - left - right) / weeks.length;
  const scale = (value: number) => top + (height - top - bottom) * (1 - value / Math.max(1, series.max));
  const bars = series.values
    .map((value, i) => {
      const x = left + band * i + band * 0.15;
      if (value === null) {
        return `<line x1="${px(x)}" x2="${px(x + band * 0.7)}" y1="${px(scale(0))}" y2="${px(scale(0))}" stroke="${COLORS.muted}" stroke-dasharray="2 2"/>`;
      }
      const y = scale(value);
      return `<rect x="${px(x)}" y="${px(y)}" width="${px(band * 0.7)}" height="${px(scale(0) - y)}" fill="${series.color}"/>`;
    })
    .join("");
  const baseline = `<line x1="${left}" x2="${width - right}" y1="${px(scale(0))}" y2="${px(scale(0))}" stroke="${COLORS.muted}"/>`;
  const first = weeks[0];
  const last = weeks.at(-1);
  const labels =
    (first === undefined
      ? ""
      : svgText(left, height - 5, formatWeek(first), { size: 11, fill: COLORS.muted })) +
    (last === undefined
      ? ""
      : svgText(width - right, height - 5, formatWeek(last), {
          size: 11,
          fill: COLORS.muted,
          anchor: "end",
        })) +
    svgText(left, 11, `${say(language, "skala", "scale")} 0–${formatNumber(series.max, language)}`, {
      size: 11,
      fill: COLORS.muted,
    });
  const svg = renderSvgImage({
    id: series.id,
    width,
    height,
    title: series.title,
    desc: describeSeries(weeks, series.values, language),
    body: baseline + bars + labels,
  });
  return `<figure><figcaption>${series.caption}</figcaption>${svg}</figure>`;
}

function renderHistoryTable(
  regions: readonly ReportRegion[],
  weeks: readonly IsoWeek[],
  lookup: (regionCode: number, week: IsoWeek) => RegionHistoryPoint | undefined,
  language: ReportLanguage,
): string {
  const texts = commonTexts(language);
  const head =
    `<tr><th scope="col">${escapeHtml(texts.week)}</th>` +
    regions.map((r) => `<th scope="col" class="num">${escapeHtml(r.name)}</th>`).join("") +
    `</tr>`;
  const rows = weeks.map((week) => {
    const cells = regions.map((r) => {
      const point = lookup(r.code, week);
      const text =
        point === undefined
          ? "–"
          : `${formatNumber(point.redMunicipalities, language)} / ${formatNumber(point.testsPlanned, language)}`;
      return `<td class="num">${text}</td>`;
    });
    return `<tr><th scope="row">${formatWeek(week)}</th>${cells.join("")}</tr>`;
  });
  const caption = say(
    language,
    "Røde kommuner / planlagte test pr. region og uge (– = ugen mangler i historikken)",
    "Red municipalities / tests planned per region and week (– = week missing from the history)",
  );
  return `<details><summary>${escapeHtml(texts.showTable)}</summary><table><caption>${escapeHtml(caption)}</caption><thead>${head}</thead><tbody>${rows.join("")}</tbody></table></details>`;
}

export type HistoryInput = {
  readonly week: IsoWeek;
  readonly regions: readonly ReportRegion[];
  /** Municipalities per region: the top of the red-municipality scale. */
  readonly municipalitiesPerRegion: ReadonlyMap<number, number>;
  readonly history: readonly RegionHistoryPoint[];
  readonly language: ReportLanguage;
};

/** Small multiples of the last 12 weeks per region: red municipalities and tests planned. */
export function renderHistory(input: HistoryInput): string {
  const { language } = input;
  const weeks = historyWeeks(input.week);
  const byKey = new Map(input.history.map((p) => [`${p.regionCode}:${formatWeek(p.week)}`, p]));
  const lookup = (regionCode: number, week: IsoWeek) => byKey.get(`${regionCode}:${formatWeek(week)}`);
  const inRange = (p: RegionHistoryPoint) =>
    compareWeeks(p.week, weeks[0] ?? input.week) >= 0 && compareWeeks(p.week, input.week) <= 0;
  const blocks = input.regions.map((region) => {
    const points = weeks.map((w) => lookup(region.code, w));
    const red = points.map((p) => p?.redMunicipalities ?? null);
    const tests = points.map((p) => p?.testsPlanned ?? null);
    const total = input.municipalitiesPerRegion.get(region.code) ?? Math.max(1, ...red.map((v) => v ?? 0));
    const testMax = Math.max(
      0,
      ...input.history.filter((p) => p.regionCode === region.code && inRange(p)).map((p) => p.testsPlanned),
    );
    const value = (v: number | null | undefined) =>
      v === null || v === undefined ? "–" : formatNumber(v, language);
    const lastRed = red.at(-1);
    const lastTests = tests.at(-1);
    const multiples = [
      renderSmallMultiple(
        {
          id: `hist-red-${region.code}`,
          title: say(
            language,
            `Røde kommuner i ${region.name}, seneste 12 uger`,
            `Red municipalities in ${region.name}, last 12 weeks`,
          ),
          caption: `<strong>${escapeHtml(say(language, "Røde kommuner", "Red municipalities"))}</strong> ${escapeHtml(say(language, `${value(lastRed)} af ${formatNumber(total, language)}`, `${value(lastRed)} of ${formatNumber(total, language)}`))}`,
          values: red,
          max: total,
          color: COLORS.red,
        },
        weeks,
        language,
      ),
      renderSmallMultiple(
        {
          id: `hist-tests-${region.code}`,
          title: say(
            language,
            `Planlagte test i ${region.name}, seneste 12 uger`,
            `Tests planned in ${region.name}, last 12 weeks`,
          ),
          caption: `<strong>${escapeHtml(say(language, "Planlagte test", "Tests planned"))}</strong> ${escapeHtml(value(lastTests))}`,
          values: tests,
          max: testMax,
          color: COLORS.planned,
        },
        weeks,
        language,
      ),
    ];
    // A plain block, not a labelled section: the region's name already labels its plan section.
    return `<div><h3 id="hist-${region.code}">${escapeHtml(region.name)}</h3>${multiples.join("")}</div>`;
  });
  return (
    `<div class="multiples">${blocks.join("")}</div>` +
    renderHistoryTable(input.regions, weeks, lookup, language)
  );
}
