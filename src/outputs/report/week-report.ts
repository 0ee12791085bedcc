import { classificationDate } from "../../domain/calendar.ts";
import type { Classification, Override } from "../../domain/classify.ts";
import { compareText } from "../compare-text.ts";
import { renderAttendanceSection } from "./attendance-section.ts";
import { renderChanges } from "./changes-section.ts";
import {
  escapeHtml,
  formatDate,
  formatLongDate,
  formatNumber,
  formatTimestamp,
  formatWeek,
} from "./format.ts";
import { HISTORY_WEEKS, renderHistory } from "./history-section.ts";
import { describeMunicipality, renderMunicipalityMap } from "./map-svg.ts";
import { COLORS, renderPage } from "./page.ts";
import { renderRegionLoad } from "./region-load-section.ts";
import type { ReportOptions, WeekReportData } from "./report-types.ts";
import { commonTexts, say } from "./texts.ts";

function figure(value: string, label: string): string {
  return `<li><span class="value">${escapeHtml(value)}</span><span class="label">${escapeHtml(label)}</span></li>`;
}

function section(id: string, heading: string, body: string): string {
  return `<section aria-labelledby="${id}"><h2 id="${id}">${escapeHtml(heading)}</h2>${body}</section>`;
}

function renderLegend(data: WeekReportData, options: ReportOptions): string {
  const { language } = options;
  const red = data.classifications.filter((c) => c.status === "red").length;
  const overridden = data.classifications.filter((c) => c.overrideId !== null).length;
  const threshold = formatNumber(data.thresholdPer100k, language);
  const box = (fill: string, extra = "") =>
    `<svg width="28" height="20" viewBox="0 0 28 20" aria-hidden="true" focusable="false">${extra}<rect x="1" y="1" width="26" height="18" fill="${fill}" stroke="${COLORS.ink}" stroke-width="${extra === "" ? 0.5 : 1.6}"/></svg>`;
  const hatch = `<defs><pattern id="legend-hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="${COLORS.ink}" stroke-width="1.6"/></pattern></defs>`;
  const items = [
    [
      box(COLORS.red),
      say(
        language,
        `Rød: incidens ${threshold} eller mere pr. 100.000 (${red})`,
        `Red: incidence ${threshold} or more per 100,000 (${red})`,
      ),
    ],
    [
      box(COLORS.green),
      say(
        language,
        `Grøn: incidens under ${threshold} (${data.classifications.length - red})`,
        `Green: incidence below ${threshold} (${data.classifications.length - red})`,
      ),
    ],
    [
      box("url(#legend-hatch)", hatch),
      say(
        language,
        `Afgørelse fra STPS: skraveret med mørk kant; farven er den gældende status (${overridden})`,
        `STPS decision: hatched with a dark outline; the colour is the effective status (${overridden})`,
      ),
    ],
  ];
  return `<ul class="legend">${items.map(([mark, text]) => `<li>${mark ?? ""}<span>${escapeHtml(text ?? "")}</span></li>`).join("")}</ul>`;
}

function renderMunicipalityTable(
  data: WeekReportData,
  overrides: ReadonlyMap<string, Override>,
  options: ReportOptions,
): string {
  const { language } = options;
  const texts = commonTexts(language);
  const regionOrder = new Map(data.regions.map((r, i) => [r.code, i]));
  const regionName = new Map(data.regions.map((r) => [r.code, r.name]));
  const rank = (c: Classification) => regionOrder.get(c.regionCode) ?? data.regions.length;
  const rows = [...data.classifications]
    .sort(
      (a, b) =>
        rank(a) - rank(b) || a.regionCode - b.regionCode || compareText(a.name, b.name) || a.code - b.code,
    )
    .map((c) => {
      const override = c.overrideId === null ? undefined : overrides.get(c.overrideId);
      const decision =
        c.overrideId === null
          ? ""
          : override === undefined
            ? c.overrideId
            : texts.overrideAction[override.action];
      return (
        `<tr data-code="${c.code}" data-status="${c.status}"><td>${escapeHtml(regionName.get(c.regionCode) ?? String(c.regionCode))}</td>` +
        `<th scope="row">${escapeHtml(c.name)}</th><td class="num">${c.code}</td>` +
        `<td class="num">${c.cases7d === null ? "–" : formatNumber(c.cases7d, language)}</td>` +
        `<td class="num">${formatNumber(c.population, language)}</td>` +
        `<td class="num">${formatNumber(c.incidence, language, 2)}</td>` +
        `<td>${escapeHtml(texts.status[c.rawStatus])}</td>` +
        `<td><span class="badge ${c.status}">${escapeHtml(texts.status[c.status])}</span></td>` +
        `<td>${escapeHtml(decision)}</td></tr>`
      );
    });
  const head = [
    texts.region,
    texts.municipality,
    say(language, "Kode", "Code"),
    say(language, "Tilfælde, 7 dage", "Cases, 7 days"),
    say(language, "Indbyggere", "Population"),
    say(language, "Incidens pr. 100.000", "Incidence per 100,000"),
    say(language, "Rå status", "Raw status"),
    say(language, "Status", "Status"),
    say(language, "STPS-afgørelse", "STPS decision"),
  ];
  const numeric = new Set([2, 3, 4, 5]);
  return (
    `<details id="municipality-table"><summary>${escapeHtml(say(language, `Alle ${data.classifications.length} kommuner som tabel`, `All ${data.classifications.length} municipalities as a table`))}</summary>` +
    // The skip link targets the table inside the closed <details>: browsers open it on arrival.
    `<table id="municipality-list"><caption>${escapeHtml(say(language, "Kommunernes klassifikation, efter region og navn", "Classification of the municipalities, by region and name"))}</caption>` +
    `<thead><tr>${head.map((h, i) => `<th scope="col"${numeric.has(i) ? ' class="num"' : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></details>`
  );
}

/**
 * The weekly `report.html`: the week at a glance for operations, the regions and STPS. A map of
 * the municipalities by status with a table fallback, what changed since last week, each region's
 * test week against its lab capacity, and the last 12 weeks as small multiples. Self-contained
 * (inline CSS and SVG, no scripts, nothing fetched) and deterministic: the same data gives the
 * same bytes. Holds counts and municipality figures only, never staff names or ids.
 */
export function renderWeekReport(data: WeekReportData, options: ReportOptions): string {
  const { language } = options;
  const texts = commonTexts(language);
  const overrides = new Map(data.overrides.map((o) => [o.id, o]));
  const map = renderMunicipalityMap({
    boundaries: data.boundaries,
    classifications: data.classifications,
    overrides,
    thresholdPer100k: data.thresholdPer100k,
    language,
  });
  const red = data.classifications.filter((c) => c.status === "red").length;
  const overridden = data.classifications.filter((c) => c.overrideId !== null).length;
  const sum = (pick: (q: WeekReportData["loads"][number]["quality"]) => number) =>
    data.loads.reduce((total, load) => total + pick(load.quality), 0);
  const n = (value: number) => formatNumber(value, language);
  const week = formatWeek(data.week);
  const testWeek = formatWeek(data.testWeek);
  const window = `${formatDate(data.source.window.start, language)} – ${formatDate(data.source.window.end, language)}`;

  const title = say(language, `Ugerapport ${week}`, `Weekly report ${week}`);
  const meta: [string, string][] = [
    [say(language, "Kilde", "Source"), data.source.name],
    [
      say(language, "Data til og med", "Data up to"),
      data.source.dataLastDate === null ? "–" : formatDate(data.source.dataLastDate, language),
    ],
    [say(language, "Vindue", "Window"), window],
    [
      say(language, "Grænse", "Threshold"),
      `${n(data.thresholdPer100k)} ${say(language, "pr. 100.000 på 7 dage", "per 100,000 in 7 days")}`,
    ],
    [say(language, "Dannet", "Generated"), formatTimestamp(data.generatedAt, language)],
  ];
  const header =
    `<p class="kicker">testrota</p><h1>${escapeHtml(title)}</h1>` +
    `<p class="lead">${escapeHtml(
      say(
        language,
        `Klassifikation ${formatLongDate(classificationDate(data.week), language)}; testplanen gælder uge ${data.testWeek.week} (${testWeek}).`,
        `Classification of ${formatLongDate(classificationDate(data.week), language)}; the rota is for week ${data.testWeek.week} (${testWeek}).`,
      ),
    )}</p>` +
    `<dl class="meta">${meta.map(([k, v]) => `<div><dt>${escapeHtml(k)}:</dt><dd>${escapeHtml(v)}</dd></div>`).join("")}</dl>`;

  const overview =
    `<ul class="figures">` +
    figure(n(red), say(language, "røde kommuner", "red municipalities")) +
    figure(n(data.classifications.length - red), say(language, "grønne kommuner", "green municipalities")) +
    figure(n(overridden), say(language, "med STPS-afgørelse", "under an STPS decision")) +
    figure(
      n(sum((q) => q.testWeekTotal)),
      say(language, `planlagte test i ${testWeek}`, `tests planned for ${testWeek}`),
    ) +
    figure(n(sum((q) => q.deferred)), say(language, "udskudte test", "tests deferred")) +
    figure(
      n(sum((q) => q.gapViolations)),
      say(language, "test over 6-ugers grænsen", "tests past the 6-week limit"),
    ) +
    `</ul>`;

  const missingNote =
    map.missing.length === 0
      ? ""
      : `<p>${escapeHtml(say(language, "Uden grænse på kortet (kun i tabellen): ", "No boundary on the map (table only): "))}${escapeHtml(map.missing.map((c) => describeMunicipality(c, undefined, language)).join("; "))}</p>`;
  const mapSection =
    `<p><a href="#municipality-list">${escapeHtml(say(language, "Spring kortet over: gå til tabellen", "Skip the map: go to the table"))}</a></p>` +
    `<div class="map-layout"><div>${map.svg}</div><div>${renderLegend(data, options)}` +
    `<p class="muted">${escapeHtml(say(language, "Farven viser den gældende status, som testplanen følger. Peg på en kommune, eller brug Tab-tasten, for at se navn, incidens og status.", "The colour shows the effective status the rota follows. Point at a municipality, or use the Tab key, to see its name, incidence and status."))}</p>` +
    `</div></div>` +
    missingNote +
    renderMunicipalityTable(data, overrides, options);

  const names = new Map(data.classifications.map((c) => [c.code, c.name]));
  const loads = new Map(data.loads.map((l) => [l.regionCode, l]));
  const regionSections = data.regions
    .flatMap((region) => {
      const load = loads.get(region.code);
      return load === undefined ? [] : [renderRegionLoad(region, load, names, language)];
    })
    .join("");
  const perRegion = new Map<number, number>();
  for (const c of data.classifications) perRegion.set(c.regionCode, (perRegion.get(c.regionCode) ?? 0) + 1);

  const main = [
    section("overview", say(language, "Overblik", "Overview"), overview),
    section(
      "map",
      say(language, "Kort: kommunernes status", "Map: status of the municipalities"),
      mapSection,
    ),
    section(
      "changes",
      say(language, "Ændringer siden sidste uge", "What changed since last week"),
      renderChanges({
        classifications: data.classifications,
        previousClassifications: data.previousClassifications,
        cadenceEvents: data.cadenceEvents,
        overrides,
        language,
      }),
    ),
    section(
      "regions",
      say(language, `Regionerne: testplan for ${testWeek}`, `The regions: rota for ${testWeek}`),
      `<p>${escapeHtml(say(language, "Planlagte test pr. testdag fordelt på vagter mod laboratoriets kapacitet pr. dag (stiplet linje).", "Tests planned per test day by shift against the lab capacity per day (dashed line)."))}</p><div class="regions">${regionSections}</div>`,
    ),
    data.attendance === undefined
      ? ""
      : section(
          "attendance",
          say(language, "Fremmøde og skyldige test", "Attendance and owed tests"),
          renderAttendanceSection(data.attendance, names, language),
        ),
    section(
      "history",
      say(language, `De seneste ${HISTORY_WEEKS} uger`, `The last ${HISTORY_WEEKS} weeks`),
      `<p>${escapeHtml(say(language, "Røde kommuner pr. uge (skala: regionens antal kommuner) og planlagte test pr. uge (skala: regionens største uge). Stiplet: ugen mangler i historikken.", "Red municipalities per week (scale: the region's number of municipalities) and tests planned per week (scale: the region's largest week). Dotted: the week is missing from the history."))}</p>` +
        renderHistory({
          week: data.week,
          regions: data.regions,
          municipalitiesPerRegion: perRegion,
          history: data.history,
          language,
        }),
    ),
  ]
    .filter((part) => part !== "")
    .join("\n");

  const footer =
    `<p>${escapeHtml(texts.noStaffData)}</p>` +
    `<p>${escapeHtml(say(language, "Incidens: Statens Serum Institut (SSI). Kommunegrænser: Geodatastyrelsen & Danske Kommuner, FOT-data 2014, 1:500.000 (frie geografiske data). Lavet af testrota.", "Incidence: Statens Serum Institut (SSI). Municipality boundaries: Geodatastyrelsen & Danske Kommuner, FOT data 2014, 1:500,000 (free geographic data). Made by testrota."))}</p>`;

  return renderPage({
    language,
    title: `${title} · testrota`,
    extraStyles: `\n${map.styles}\n`,
    header,
    main,
    footer,
  });
}
