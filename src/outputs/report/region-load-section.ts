import { SHIFTS, type Shift } from "../../domain/roster.ts";
import { compareText } from "../compare-text.ts";
import {
  escapeHtml,
  formatLongDate,
  formatNumber,
  formatPercent,
  formatShortDate,
  formatShortWeekday,
} from "./format.ts";
import { COLORS } from "./page.ts";
import type { RegionDayLoad, RegionWeekLoad, ReportLanguage, ReportRegion } from "./report-types.ts";
import { legendItem, niceTicks, px, renderSvgImage, renderYAxis, svgText } from "./svg-chart.ts";
import { commonTexts, say } from "./texts.ts";

const SHIFT_COLORS: Readonly<Record<Shift, string>> = {
  day: COLORS.day,
  evening: COLORS.evening,
  night: COLORS.night,
};

const CHART = { width: 520, height: 250, left: 56, right: 12, top: 18, bottom: 44 };

function dayTotal(day: RegionDayLoad): number {
  return SHIFTS.reduce((sum, shift) => sum + day.byShift[shift], 0);
}

function describeDay(day: RegionDayLoad, language: ReportLanguage): string {
  const texts = commonTexts(language);
  const shifts = SHIFTS.map(
    (s) => `${texts.shift[s].toLowerCase()} ${formatNumber(day.byShift[s], language)}`,
  ).join(", ");
  return `${formatLongDate(day.date, language)}: ${formatNumber(dayTotal(day), language)} ${texts.tests} (${shifts})`;
}

/** Bars of planned tests per test day, stacked by shift, against the lab capacity line. */
function renderLoadChart(region: ReportRegion, load: RegionWeekLoad, language: ReportLanguage): string {
  const texts = commonTexts(language);
  const { width, height, left, right, top, bottom } = CHART;
  const totals = load.days.map(dayTotal);
  const peak = Math.max(0, ...totals);
  const ticks = niceTicks(Math.max(peak, load.labCapacityPerDay) * 1.08);
  const yMax = ticks.at(-1) ?? 1;
  const scale = (value: number) => top + (height - top - bottom) * (1 - value / yMax);
  const band = (width - left - right) / Math.max(1, load.days.length);
  const bars = load.days
    .map((day, index) => {
      const x = left + band * index + band * 0.2;
      let base = 0;
      const segments = SHIFTS.map((shift) => {
        const value = day.byShift[shift];
        const y0 = scale(base);
        base += value;
        const y1 = scale(base);
        return value === 0
          ? ""
          : `<rect x="${px(x)}" y="${px(y1)}" width="${px(band * 0.6)}" height="${px(y0 - y1)}" fill="${SHIFT_COLORS[shift]}" stroke="#fff" stroke-width="1"/>`;
      }).join("");
      const center = x + band * 0.3;
      return (
        segments +
        svgText(center, scale(base) - 5, formatNumber(base, language), { anchor: "middle", weight: 600 }) +
        svgText(center, height - bottom + 16, formatShortWeekday(day.date, language), { anchor: "middle" }) +
        svgText(center, height - bottom + 31, formatShortDate(day.date, language), {
          anchor: "middle",
          fill: COLORS.muted,
        })
      );
    })
    .join("");
  const capacityY = scale(load.labCapacityPerDay);
  const capacity = `<line x1="${left}" x2="${width - right}" y1="${px(capacityY)}" y2="${px(capacityY)}" stroke="${COLORS.capacity}" stroke-width="2" stroke-dasharray="6 4"/>`;
  const axis = renderYAxis(ticks, scale, left, width - right, (v) => formatNumber(v, language));
  const title = say(
    language,
    `Planlagte test pr. testdag, ${region.name}`,
    `Planned tests per test day, ${region.name}`,
  );
  const share = load.labCapacityPerDay > 0 ? formatPercent(peak / load.labCapacityPerDay, language) : "–";
  const desc = [
    ...load.days.map((day) => describeDay(day, language)),
    say(
      language,
      `Laboratoriekapacitet ${formatNumber(load.labCapacityPerDay, language)} pr. dag; travleste dag ${formatNumber(peak, language)} test (${share} af kapaciteten)`,
      `Lab capacity ${formatNumber(load.labCapacityPerDay, language)} per day; busiest day ${formatNumber(peak, language)} tests (${share} of capacity)`,
    ),
  ].join(". ");
  const legend =
    `<ul class="chart-legend">` +
    SHIFTS.map((s) => legendItem(texts.shift[s], SHIFT_COLORS[s])).join("") +
    legendItem(
      `${say(language, "Laboratoriekapacitet", "Lab capacity")} ${formatNumber(load.labCapacityPerDay, language)} ${texts.perDay}`,
      COLORS.capacity,
      "dashed",
    ) +
    `</ul>`;
  const svg = renderSvgImage({
    id: `load-${region.code}`,
    width,
    height,
    title,
    desc: `${desc}.`,
    body: axis + bars + capacity,
  });
  return svg + legend;
}

function renderLoadTable(region: ReportRegion, load: RegionWeekLoad, language: ReportLanguage): string {
  const texts = commonTexts(language);
  const head = [texts.date, ...SHIFTS.map((s) => texts.shift[s]), texts.total, texts.capacity];
  const rows = load.days.map((day) => {
    const cells = [...SHIFTS.map((s) => day.byShift[s]), dayTotal(day), load.labCapacityPerDay];
    return `<tr><th scope="row">${escapeHtml(formatLongDate(day.date, language))}</th>${cells.map((v) => `<td class="num">${formatNumber(v, language)}</td>`).join("")}</tr>`;
  });
  return (
    `<details><summary>${escapeHtml(texts.showTable)}</summary><table>` +
    `<caption>${escapeHtml(say(language, `Planlagte test pr. testdag og vagt, ${region.name}`, `Planned tests per test day and shift, ${region.name}`))}</caption>` +
    `<thead><tr>${head.map((h, i) => `<th scope="col"${i > 0 ? ' class="num"' : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></details>`
  );
}

function renderQuality(load: RegionWeekLoad, language: ReportLanguage): string {
  const q = load.quality;
  const texts = commonTexts(language);
  const n = (v: number, d = 0) => formatNumber(v, language, d);
  const items: [string, string][] = [
    [say(language, "Test i testugen", "Tests in the test week"), n(q.testWeekTotal)],
    [
      say(language, "Test pr. dag (laveste–højeste)", "Tests per day (lowest–highest)"),
      `${n(q.testWeekDailySpread.min)}–${n(q.testWeekDailySpread.max)}`,
    ],
    [
      say(language, "Vagter (dag / aften / nat)", "Shifts (day / evening / night)"),
      SHIFTS.map((s) => n(q.shiftTotals[s])).join(" / "),
    ],
    [say(language, "Jævnhed over 6-ugers cyklus", "Evenness over the 6-week cycle"), n(q.cyclePeakRatio, 3)],
    [
      say(language, "Jævnhed i uger med røde test", "Evenness in weeks with red tests"),
      n(q.redWeekPeakRatio, 3),
    ],
    [
      say(language, "Cykluspladser / testdage i cyklus", "Cycle slots / test days in the cycle"),
      `${n(q.cycleTotal)} / ${n(q.cycleTestDays)}`,
    ],
    [say(language, "Afhentninger i testugen", "Pickups in the test week"), n(q.pickupsInTestWeek)],
    [
      say(language, "Afhentninger pr. sted pr. cyklus", "Pickups per site per cycle"),
      n(q.cyclePickupsPerSite, 2),
    ],
    [
      say(language, "Største udelelige session", "Largest unsplittable session"),
      `${n(q.largestUnsplittableSession)} ${texts.tests}`,
    ],
  ];
  return `<dl class="quality">${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl>`;
}

function renderDeferrals(
  load: RegionWeekLoad,
  names: ReadonlyMap<number, string>,
  language: ReportLanguage,
): string {
  const texts = commonTexts(language);
  if (load.deferrals.length === 0) {
    return `<p>${escapeHtml(say(language, "Ingen test udskudt: alt passede inden for kapaciteten.", "No tests deferred: everything fitted within capacity."))}</p>`;
  }
  const rows = [...load.deferrals]
    .sort(
      (a, b) =>
        compareText(names.get(a.municipalityCode) ?? "", names.get(b.municipalityCode) ?? "") ||
        compareText(a.siteKind, b.siteKind) ||
        compareText(a.reason, b.reason),
    )
    .map(
      (d) =>
        `<tr><th scope="row">${escapeHtml(names.get(d.municipalityCode) ?? String(d.municipalityCode))}</th><td>${escapeHtml(texts.siteKind[d.siteKind])}</td><td>${escapeHtml(texts.reason[d.reason])}</td><td class="num">${formatNumber(d.count, language)}</td><td class="num">${formatNumber(d.gapViolations, language)}</td></tr>`,
    );
  const head = [
    texts.municipality,
    say(language, "Stedtype", "Site kind"),
    say(language, "Årsag", "Reason"),
    say(language, "Udskudt", "Deferred"),
    say(language, "Over 6 uger", "Past 6 weeks"),
  ];
  return (
    `<table><caption>${escapeHtml(say(language, "Udskudte test pr. kommune", "Deferred tests per municipality"))}</caption>` +
    `<thead><tr>${head.map((h, i) => `<th scope="col"${i > 2 ? ' class="num"' : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

/** One region's test week: load chart, its table, deferred tests, gap violations and quality figures. */
export function renderRegionLoad(
  region: ReportRegion,
  load: RegionWeekLoad,
  names: ReadonlyMap<number, string>,
  language: ReportLanguage,
): string {
  const q = load.quality;
  const figures =
    `<ul class="figures">` +
    `<li><span class="value">${formatNumber(q.testWeekTotal, language)}</span><span class="label">${escapeHtml(say(language, "planlagte test", "tests planned"))}</span></li>` +
    `<li><span class="value">${formatNumber(q.deferred, language)}</span><span class="label">${escapeHtml(say(language, "udskudte test", "tests deferred"))}</span></li>` +
    `<li><span class="value">${formatNumber(q.gapViolations, language)}</span><span class="label">${escapeHtml(say(language, "test over 6-ugers grænsen", "tests past the 6-week limit"))}</span></li>` +
    `</ul>`;
  return (
    `<section class="region" aria-labelledby="region-${region.code}"><h3 id="region-${region.code}">${escapeHtml(region.name)}</h3>` +
    figures +
    renderLoadChart(region, load, language) +
    renderLoadTable(region, load, language) +
    `<h4>${escapeHtml(say(language, "Udskudte test", "Deferred tests"))}</h4>` +
    renderDeferrals(load, names, language) +
    `<h4>${escapeHtml(say(language, "Planlæggerens kvalitetstal", "The planner's quality figures"))}</h4>` +
    renderQuality(load, language) +
    `</section>`
  );
}
