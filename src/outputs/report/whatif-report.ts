import { addWeeks, compareWeeks, type IsoWeek } from "../../domain/calendar.ts";
import { compareText } from "../compare-text.ts";
import { escapeHtml, formatNumber, formatTimestamp, formatWeek } from "./format.ts";
import { renderPage } from "./page.ts";
import type { ReportLanguage, ReportOptions } from "./report-types.ts";
import { commonTexts, say } from "./texts.ts";
import { renderDemandChart } from "./whatif-chart.ts";
import { summarizeWhatIfRegion, type WhatIfRegionSummary } from "./whatif-summary.ts";
import type { WhatIfCapacity, WhatIfData, WhatIfRegion } from "./whatif-types.ts";

function section(id: string, heading: string, body: string): string {
  return `<section aria-labelledby="${id}"><h2 id="${id}">${escapeHtml(heading)}</h2>${body}</section>`;
}

function table(
  caption: string,
  head: readonly string[],
  numeric: ReadonlySet<number>,
  rows: readonly string[],
): string {
  return (
    `<table><caption>${escapeHtml(caption)}</caption>` +
    `<thead><tr>${head.map((h, i) => `<th scope="col"${numeric.has(i) ? ' class="num"' : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

function describeCapacity(capacity: WhatIfCapacity, language: ReportLanguage): string {
  switch (capacity.kind) {
    case "configured":
      return say(language, "den konfigurerede kapacitet", "the configured capacity");
    case "scaled":
      return say(
        language,
        `den konfigurerede kapacitet × ${formatNumber(capacity.scale, language, 2)}`,
        `the configured capacity × ${formatNumber(capacity.scale, language, 2)}`,
      );
    case "file":
      return say(language, `kapaciteten fra ${capacity.file}`, `the capacity from ${capacity.file}`);
  }
}

/** Consecutive weeks as ranges: `2020-W44 – 2020-W47, 2020-W50`. */
export function formatWeekRanges(weeks: readonly IsoWeek[]): string {
  const sorted = [...weeks].sort(compareWeeks);
  const ranges: [IsoWeek, IsoWeek][] = [];
  for (const week of sorted) {
    const last = ranges.at(-1);
    if (last !== undefined && compareWeeks(addWeeks(last[1], 1), week) === 0) last[1] = week;
    else ranges.push([week, week]);
  }
  return ranges
    .map(([a, b]) => (compareWeeks(a, b) === 0 ? formatWeek(a) : `${formatWeek(a)} – ${formatWeek(b)}`))
    .join(", ");
}

function renderOverview(
  entries: readonly [WhatIfRegion, WhatIfRegionSummary][],
  language: ReportLanguage,
): string {
  const texts = commonTexts(language);
  const n = (v: number) => formatNumber(v, language);
  const rows = entries.map(
    ([region, s]) =>
      `<tr><th scope="row">${escapeHtml(region.name)}</th>` +
      [
        region.capacityPerDay,
        region.needed.peak,
        region.needed.p95,
        s.newTests,
        s.planned,
        s.deferred,
        s.outstandingAtEnd,
        s.daysShort,
        s.weeksShort.length,
      ]
        .map((v) => `<td class="num">${n(v)}</td>`)
        .join("") +
      `</tr>`,
  );
  return table(
    say(
      language,
      "Kapacitet og efterspørgsel pr. region over hele perioden",
      "Capacity and demand per region over the whole period",
    ),
    [
      texts.region,
      say(language, "Kapacitet/dag", "Capacity/day"),
      say(language, "Nødvendig: top", "Needed: peak"),
      say(language, "Nødvendig: 95 %", "Needed: 95th pct."),
      say(language, "Nye test", "New tests"),
      say(language, "Planlagt", "Planned"),
      say(language, "Udskydelser", "Deferrals"),
      say(language, "Udestår til sidst", "Owed at end"),
      say(language, "Dage korte", "Days short"),
      say(language, "Uger korte", "Weeks short"),
    ],
    new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    rows,
  );
}

function renderWeeksTable(
  region: WhatIfRegion,
  summary: WhatIfRegionSummary,
  language: ReportLanguage,
): string {
  const texts = commonTexts(language);
  const n = (v: number) => formatNumber(v, language);
  const rows = summary.weeks.map(
    (w) =>
      `<tr><th scope="row">${formatWeek(w.week)}</th>` +
      [w.demanded, w.carriedIn, w.planned, w.deferred, w.peakDay]
        .map((v) => `<td class="num">${n(v)}</td>`)
        .join("") +
      `</tr>`,
  );
  return (
    `<details><summary>${escapeHtml(texts.showTable)}</summary>` +
    table(
      say(language, `Efterspørgsel pr. uge, ${region.name}`, `Demand per week, ${region.name}`),
      [
        texts.week,
        say(language, "Efterspurgt", "Demanded"),
        say(language, "Heraf overført", "Of which carried over"),
        say(language, "Planlagt", "Planned"),
        say(language, "Udskudt", "Deferred"),
        say(language, "Største dag", "Busiest day"),
      ],
      new Set([1, 2, 3, 4, 5]),
      rows,
    ) +
    `</details>`
  );
}

function renderGaps(data: WhatIfData, language: ReportLanguage): string {
  const texts = commonTexts(language);
  const regionOrder = new Map(data.regions.map((r, i) => [r.code, i]));
  const regionName = new Map(data.regions.map((r) => [r.code, r.name]));
  const rank = (code: number) => regionOrder.get(code) ?? data.regions.length;
  const counted = data.gaps
    .filter((g) => g.staffOverSixWeeks > 0)
    .sort(
      (a, b) =>
        rank(a.regionCode) - rank(b.regionCode) ||
        compareText(a.name, b.name) ||
        a.municipalityCode - b.municipalityCode,
    );
  const total = counted.reduce((sum, g) => sum + g.staffOverSixWeeks, 0);
  const intro = `<p>${escapeHtml(
    say(
      language,
      `Ansatte, hvis tid mellem to test blev længere end 6 uger, fordi test blev udskudt: ${formatNumber(total, language)} i alt. Kun antal; navne og medarbejdernumre står aldrig i denne rapport.`,
      `Staff whose time between two tests exceeded 6 weeks because tests were deferred: ${formatNumber(total, language)} in total. Counts only; names and employee ids never appear in this report.`,
    ),
  )}</p>`;
  if (counted.length === 0) return `${intro}<p class="muted">${escapeHtml(texts.none)}</p>`;
  const rows = counted.map(
    (g) =>
      `<tr><td>${escapeHtml(regionName.get(g.regionCode) ?? String(g.regionCode))}</td><th scope="row">${escapeHtml(g.name)}</th><td class="num">${formatNumber(g.staffOverSixWeeks, language)}</td></tr>`,
  );
  return (
    intro +
    table(
      say(
        language,
        "Ansatte over 6 uger mellem test pr. kommune",
        "Staff past 6 weeks between tests per municipality",
      ),
      [texts.region, texts.municipality, say(language, "Ansatte", "Staff")],
      new Set([2]),
      rows,
    )
  );
}

/**
 * The capacity what-if `report.html`: a replay of real history with a given lab capacity, per
 * region: the capacity that would have deferred nothing (peak and 95th percentile), demand
 * against capacity over the whole period, the weeks that ran short, and per municipality the
 * number of staff pushed past 6 weeks between tests. Self-contained and deterministic like the
 * weekly report; counts only.
 */
export function renderWhatIfReport(data: WhatIfData, options: ReportOptions): string {
  const { language } = options;
  const texts = commonTexts(language);
  const entries = data.regions.map(
    (r) => [r, summarizeWhatIfRegion(r)] as [WhatIfRegion, WhatIfRegionSummary],
  );
  const period = `${formatWeek(data.from)} – ${formatWeek(data.to)}`;
  const testPeriod = `${formatWeek(addWeeks(data.from, 1))} – ${formatWeek(addWeeks(data.to, 1))}`;
  const title = say(language, `Kapacitet, hvad nu hvis: ${period}`, `Capacity what-if: ${period}`);
  const deferred = entries.reduce((sum, [, s]) => sum + s.deferred, 0);
  const newTests = entries.reduce((sum, [, s]) => sum + s.newTests, 0);
  const outstanding = entries.reduce((sum, [, s]) => sum + s.outstandingAtEnd, 0);
  const overGap = data.gaps.reduce((sum, g) => sum + g.staffOverSixWeeks, 0);
  const meta: [string, string][] = [
    [say(language, "Historik", "History"), data.source],
    [say(language, "Personale", "Roster"), data.roster],
    [texts.capacity, describeCapacity(data.capacity, language)],
    [say(language, "Dannet", "Generated"), formatTimestamp(data.generatedAt, language)],
  ];
  const header =
    `<p class="kicker">testrota</p><h1>${escapeHtml(title)}</h1>` +
    `<p class="lead">${escapeHtml(
      say(
        language,
        `Hvis perioden ${period} kom igen: den rigtige smittehistorik genafspillet uge for uge med reglen, personalet og ${describeCapacity(data.capacity, language)}. Klassifikationsugerne ${period} planlægger testugerne ${testPeriod}.`,
        `If ${period} came again: the real incidence history replayed week by week with the rule, the roster and ${describeCapacity(data.capacity, language)}. The classification weeks ${period} plan the test weeks ${testPeriod}.`,
      ),
    )}</p>` +
    `<dl class="meta">${meta.map(([k, v]) => `<div><dt>${escapeHtml(k)}:</dt><dd>${escapeHtml(v)}</dd></div>`).join("")}</dl>`;
  const n = (v: number) => formatNumber(v, language);
  const figures =
    `<ul class="figures">` +
    `<li><span class="value">${n(newTests)}</span><span class="label">${escapeHtml(say(language, "nye test efter reglen", "new tests by the rule"))}</span></li>` +
    `<li><span class="value">${n(deferred)}</span><span class="label">${escapeHtml(say(language, "udskydelser", "deferrals"))}</span></li>` +
    `<li><span class="value">${n(outstanding)}</span><span class="label">${escapeHtml(say(language, "test udestående til sidst", "tests owed at the end"))}</span></li>` +
    `<li><span class="value">${n(overGap)}</span><span class="label">${escapeHtml(say(language, "ansatte over 6 uger mellem test", "staff past 6 weeks between tests"))}</span></li>` +
    `</ul>`;
  const charts = entries
    .map(
      ([region, summary]) =>
        `<section aria-labelledby="demand-h-${region.code}"><h3 id="demand-h-${region.code}">${escapeHtml(region.name)}</h3>` +
        renderDemandChart(region, summary, language) +
        `<p><strong>${escapeHtml(say(language, "Uger med for lidt kapacitet", "Weeks short of capacity"))}:</strong> ${escapeHtml(summary.weeksShort.length === 0 ? texts.none : formatWeekRanges(summary.weeksShort))}</p>` +
        renderWeeksTable(region, summary, language) +
        `</section>`,
    )
    .join("");
  const main = [
    section(
      "needed",
      say(language, "Nødvendig kapacitet", "Capacity needed"),
      `${figures}${renderOverview(entries, language)}<p class="muted">${escapeHtml(say(language, "Nødvendig kapacitet: hvad regionens laboratorium skulle kunne pr. testdag, for at intet blev udskudt (genafspilning uden kapacitetsgrænse). Top: den travleste dag; 95 %: nok på 95 % af testdagene. Det, der ikke kan nås inden for kapaciteten på ugens testdage, udskydes til ugen efter (lavest prioritet først) og tælles på den dag, testen hørte til. Udskydelser tæller en test én gang for hver uge, den skubbes; udestår til sidst: test, som periodens sidste uge udskød. Dage og uger korte: testdage og uger, hvor noget blev udskudt.", "Capacity needed: what the region's lab would have had to handle per test day for nothing to be deferred (replay without a capacity limit). Peak: the busiest day; 95th percentile: enough on 95% of the test days. What does not fit within the capacity on the week's test days is deferred to the week after (lowest priority first) and counted on the day the test belonged to. Deferrals count a test once for every week it is pushed; owed at end: tests the period's last week deferred. Days and weeks short: test days and weeks on which something was deferred."))}</p>`,
    ),
    section("demand", say(language, "Efterspørgsel mod kapacitet", "Demand against capacity"), charts),
    section(
      "gaps",
      say(language, "Ansatte over 6 uger mellem test", "Staff past 6 weeks between tests"),
      renderGaps(data, language),
    ),
  ].join("\n");
  const footer = `<p>${escapeHtml(texts.noStaffData)}</p><p>${escapeHtml(say(language, "Genafspilningen holder sin tilstand for sig selv: produktionens lager og udgivne uger røres ikke. Lavet af testrota.", "The replay keeps its own state: the production store and published weeks are not touched. Made by testrota."))}</p>`;
  return renderPage({ language, title: `${title} · testrota`, header, main, footer });
}
