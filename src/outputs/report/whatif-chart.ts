import { formatDate, formatNumber, formatWeek, weekOfDate } from "./format.ts";
import { COLORS } from "./page.ts";
import type { ReportLanguage } from "./report-types.ts";
import { legendItem, niceTicks, px, renderSvgImage, renderYAxis, svgText } from "./svg-chart.ts";
import { commonTexts, say } from "./texts.ts";
import type { WhatIfRegionSummary } from "./whatif-summary.ts";
import type { WhatIfRegion } from "./whatif-types.ts";

const CHART = { width: 1100, height: 230, left: 60, right: 12, top: 14, bottom: 30 };
/** Background of the weeks in which capacity ran short. */
const SHORT_WEEK = "#f9e0dd";

/**
 * Demand against capacity over the whole period for one region: a bar per test day (planned, with
 * the deferred part stacked on top), the given capacity (dashed) and the capacity that would have
 * deferred nothing (dotted); weeks that ran short are shaded.
 */
export function renderDemandChart(
  region: WhatIfRegion,
  summary: WhatIfRegionSummary,
  language: ReportLanguage,
): string {
  const texts = commonTexts(language);
  const { width, height, left, right, top, bottom } = CHART;
  const peakDemand = Math.max(0, ...region.days.map((d) => d.demanded));
  const ticks = niceTicks(Math.max(peakDemand, region.capacityPerDay, region.needed.peak) * 1.08);
  const yMax = ticks.at(-1) ?? 1;
  const scale = (value: number) => top + (height - top - bottom) * (1 - value / yMax);
  const band = (width - left - right) / Math.max(1, region.days.length);
  const short = new Set(summary.weeksShort.map(formatWeek));

  const runs: { start: number; end: number }[] = [];
  const bars: string[] = [];
  const labels: string[] = [];
  let weekIndex = -1;
  let lastWeek = "";
  for (const [index, day] of region.days.entries()) {
    const x = left + band * index;
    const week = formatWeek(weekOfDate(day.date));
    if (week !== lastWeek) {
      weekIndex += 1;
      lastWeek = week;
      if (weekIndex % 4 === 0) {
        labels.push(
          `<line x1="${px(x)}" x2="${px(x)}" y1="${px(scale(0))}" y2="${px(scale(0) + 4)}" stroke="${COLORS.muted}"/>` +
            svgText(x, height - 8, week, { size: 11, fill: COLORS.muted }),
        );
      }
    }
    // One band per run of short days: adjacent rectangles would leave hairline seams.
    if (short.has(week)) {
      const run = runs.at(-1);
      if (run !== undefined && run.end === index) run.end = index + 1;
      else runs.push({ start: index, end: index + 1 });
    }
    const barWidth = Math.max(1, band * 0.8);
    const yPlanned = scale(day.planned);
    bars.push(
      `<rect x="${px(x + band * 0.1)}" y="${px(yPlanned)}" width="${px(barWidth)}" height="${px(scale(0) - yPlanned)}" fill="${COLORS.planned}"/>`,
    );
    if (day.deferred > 0) {
      const yTop = scale(day.demanded);
      bars.push(
        `<rect x="${px(x + band * 0.1)}" y="${px(yTop)}" width="${px(barWidth)}" height="${px(yPlanned - yTop)}" fill="${COLORS.deferred}"/>`,
      );
    }
  }
  const hline = (value: number, color: string, dash: string) =>
    `<line x1="${left}" x2="${width - right}" y1="${px(scale(value))}" y2="${px(scale(value))}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>`;
  const axis = renderYAxis(ticks, scale, left, width - right, (v) => formatNumber(v, language));
  const n = (v: number) => formatNumber(v, language);
  const peakDay = region.days.find((d) => d.demanded === peakDemand);
  const desc = say(
    language,
    `${n(region.days.length)} testdage fra ${formatWeek(weekOfDate(region.days[0]?.date ?? "2020-01-01"))}. Kapacitet ${n(region.capacityPerDay)} pr. dag. Højeste efterspørgsel ${n(peakDemand)}${peakDay === undefined ? "" : ` den ${formatDate(peakDay.date, language)}`}. Test udskudt på ${n(summary.daysShort)} dage i ${n(summary.weeksShort.length)} uger, ${n(summary.deferred)} i alt. Nødvendig kapacitet for ingen udskydelser: ${n(region.needed.peak)} pr. dag (95 %-fraktil ${n(region.needed.p95)}).`,
    `${n(region.days.length)} test days from ${formatWeek(weekOfDate(region.days[0]?.date ?? "2020-01-01"))}. Capacity ${n(region.capacityPerDay)} per day. Highest demand ${n(peakDemand)}${peakDay === undefined ? "" : ` on ${formatDate(peakDay.date, language)}`}. Tests deferred on ${n(summary.daysShort)} days in ${n(summary.weeksShort.length)} weeks, ${n(summary.deferred)} in total. Capacity needed to defer nothing: ${n(region.needed.peak)} per day (95th percentile ${n(region.needed.p95)}).`,
  );
  const svg = renderSvgImage({
    id: `demand-${region.code}`,
    width,
    height,
    title: say(
      language,
      `Efterspørgsel mod kapacitet pr. testdag, ${region.name}`,
      `Demand against capacity per test day, ${region.name}`,
    ),
    desc,
    body:
      runs
        .map(
          (run) =>
            `<rect x="${px(left + band * run.start)}" y="${top}" width="${px(band * (run.end - run.start))}" height="${px(scale(0) - top)}" fill="${SHORT_WEEK}"/>`,
        )
        .join("") +
      axis +
      bars.join("") +
      `<line x1="${left}" x2="${width - right}" y1="${px(scale(0))}" y2="${px(scale(0))}" stroke="${COLORS.muted}"/>` +
      hline(region.needed.peak, COLORS.needed, "2 3") +
      hline(region.capacityPerDay, COLORS.capacity, "7 4") +
      labels.join(""),
  });
  const legend =
    `<ul class="chart-legend">` +
    legendItem(say(language, "Planlagt inden for kapaciteten", "Planned within capacity"), COLORS.planned) +
    legendItem(say(language, "Udskudt", "Deferred"), COLORS.deferred) +
    legendItem(say(language, "Uge med for lidt kapacitet", "Week short of capacity"), SHORT_WEEK) +
    legendItem(`${texts.capacity} ${n(region.capacityPerDay)} ${texts.perDay}`, COLORS.capacity, "dashed") +
    legendItem(
      say(
        language,
        `Nødvendig for ingen udskydelser: ${n(region.needed.peak)} ${texts.perDay}`,
        `Needed to defer nothing: ${n(region.needed.peak)} ${texts.perDay}`,
      ),
      COLORS.needed,
      "dotted",
    ) +
    `</ul>`;
  return svg + legend;
}
