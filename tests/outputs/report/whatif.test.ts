import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { addWeeks, parseIsoWeek, formatIsoWeek } from "../../../src/domain/calendar.ts";
import type { Municipality, Region } from "../../../src/domain/reference.ts";
import type { WHATIF_COLUMNS } from "../../../src/outputs/report/whatif-csv.ts";
import { renderWhatIfCsv } from "../../../src/outputs/report/whatif-csv.ts";
import { renderWhatIfReport } from "../../../src/outputs/report/whatif-report.ts";
import { computeNeededCapacity, summarizeWhatIfRegion } from "../../../src/outputs/report/whatif-summary.ts";
import type { WhatIfData, WhatIfRegion } from "../../../src/outputs/report/whatif-types.ts";
import { readReferenceTable } from "../../../src/roster/read-reference.ts";
import { REPO } from "../../support/run-fixture.ts";
import { buildWhatIfData } from "./whatif-fixture.ts";

type CsvRow = Record<(typeof WHATIF_COLUMNS)[number], string>;

function readCsv(bytes: Uint8Array): CsvRow[] {
  const rows: CsvRow[] = parse(Buffer.from(bytes), { delimiter: ";", bom: true, columns: true });
  return rows;
}

/** A Danish number from the report (`1.234`) as a number. */
function danish(text: string): number {
  return Number(text.replaceAll(".", "").replace(",", "."));
}

/** The rows of a region's weekly table: week → [demanded, carried in, planned, deferred, busiest day]. */
function weeklyTable(html: string, regionName: string): Map<string, number[]> {
  const start = html.indexOf(`<caption>Efterspørgsel pr. uge, ${regionName}</caption>`);
  const table = html.slice(start, html.indexOf("</table>", start));
  return new Map(
    [
      ...table.matchAll(/<tr><th scope="row">(\d{4}-W\d{2})<\/th>((?:<td class="num">[\d.]+<\/td>)+)<\/tr>/g),
    ].map((m) => [m[1] ?? "", [...(m[2] ?? "").matchAll(/>([\d.]+)</g)].map((c) => danish(c[1] ?? ""))]),
  );
}

/** The figures of a region's row in the overview table. */
function overviewRow(html: string, regionName: string): number[] {
  const match = new RegExp(
    `<tr><th scope="row">${regionName}</th>((?:<td class="num">[\\d.]+</td>)+)</tr>`,
  ).exec(html);
  if (match === null) throw new Error(`no overview row for ${regionName}`);
  return [...(match[1] ?? "").matchAll(/>([\d.]+)</g)].map((c) => danish(c[1] ?? ""));
}

/** Weeks named by the "weeks short of capacity" line of a region, ranges expanded. */
function weeksShort(html: string, regionName: string): string[] {
  const section = html.slice(html.indexOf(`>${regionName}</h3>`));
  const match = /<strong>Uger med for lidt kapacitet:<\/strong> ([^<]*)<\/p>/.exec(section);
  const text = match?.[1] ?? "";
  if (text === "Ingen") return [];
  return text.split(", ").flatMap((range) => {
    const [from = "", to = from] = range.split(" – ");
    const first = parseIsoWeek(from);
    const last = parseIsoWeek(to);
    if (first === undefined || last === undefined) throw new Error(`bad range ${range}`);
    const weeks: string[] = [];
    for (let week = first; formatIsoWeek(week) <= formatIsoWeek(last); week = addWeeks(week, 1)) {
      weeks.push(formatIsoWeek(week));
    }
    return weeks;
  });
}

describe("computeNeededCapacity", () => {
  const cases = [
    { name: "an empty period needs nothing", demand: [], peak: 0, p95: 0 },
    { name: "one day: that day", demand: [7], peak: 7, p95: 7 },
    // 20 days: rank ⌈0.95 × 20⌉ = 19, the second largest.
    {
      name: "20 days: the 19th smallest",
      demand: [5, 1, 20, 3, 18, 2, 4, 19, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
      peak: 20,
      p95: 19,
    },
    // 10 days: rank ⌈9.5⌉ = 10, the peak itself.
    { name: "10 days: the peak", demand: [300, 100, 250, 120, 90, 80, 500, 70, 60, 50], peak: 500, p95: 500 },
    // 40 days: rank 38 of the sorted demand 1…40 is 38.
    { name: "40 days: rank 38", demand: Array.from({ length: 40 }, (_, i) => 40 - i), peak: 40, p95: 38 },
  ];
  it.each(cases)("$name", ({ demand, peak, p95 }) => {
    expect(computeNeededCapacity(demand)).toEqual({ peak, p95 });
  });
});

describe("summarizeWhatIfRegion", () => {
  const region: WhatIfRegion = {
    code: 1085,
    name: "Region Sjælland",
    capacityPerDay: 100,
    needed: { peak: 130, p95: 130 },
    days: [
      // 2020-W53 (Monday 28 December) and 2021-W01 (Monday 4 January): the year boundary. The
      // planner defers per week: W53's 40 deferred tests are carried into W01.
      { date: "2020-12-28", demanded: 130, carriedIn: 0, planned: 100, deferred: 30 },
      { date: "2020-12-29", demanded: 110, carriedIn: 0, planned: 100, deferred: 10 },
      { date: "2021-01-04", demanded: 125, carriedIn: 40, planned: 100, deferred: 25 },
    ],
  };

  it("sums per ISO week across the year boundary and names the weeks that ran short", () => {
    const summary = summarizeWhatIfRegion(region);
    expect(summary.weeks).toEqual([
      {
        week: { year: 2020, week: 53 },
        demanded: 240,
        carriedIn: 0,
        planned: 200,
        deferred: 40,
        peakDay: 130,
        testDays: 2,
      },
      {
        week: { year: 2021, week: 1 },
        demanded: 125,
        carriedIn: 40,
        planned: 100,
        deferred: 25,
        peakDay: 125,
        testDays: 1,
      },
    ]);
    // New tests: 130 + 110 + 85; deferrals 30 + 10 + 25; the last week's 25 are owed at the end.
    expect(summary).toMatchObject({
      newTests: 325,
      planned: 300,
      deferred: 65,
      outstandingAtEnd: 25,
      daysShort: 3,
    });
    expect(summary.weeksShort).toEqual([
      { year: 2020, week: 53 },
      { year: 2021, week: 1 },
    ]);
  });

  const broken = [
    {
      name: "demanded ≠ planned + deferred",
      day: { date: "2021-01-05", demanded: 90, carriedIn: 0, planned: 80, deferred: 5 },
      message: /demanded 90 ≠ planned 80 \+ deferred 5/,
    },
    {
      name: "dates not ascending",
      day: { date: "2020-12-29", demanded: 1, carriedIn: 0, planned: 1, deferred: 0 },
      message: /dates must ascend/,
    },
    {
      name: "a negative count",
      day: { date: "2021-01-05", demanded: -1, carriedIn: 0, planned: -1, deferred: 0 },
      message: /whole numbers/,
    },
    {
      name: "more carried in than demanded",
      day: { date: "2021-01-05", demanded: 5, carriedIn: 6, planned: 5, deferred: 0 },
      message: /carried in 6 > demanded 5/,
    },
  ];
  it.each(broken)("refuses days where $name", ({ day, message }) => {
    expect(() => summarizeWhatIfRegion({ ...region, days: [...region.days, day] })).toThrow(message);
  });
});

describe("renderWhatIfCsv", () => {
  it("writes the documented columns, one row per region and test day, UTF-8 with BOM and ;", () => {
    const data: WhatIfData = {
      from: { year: 2020, week: 53 },
      to: { year: 2020, week: 53 },
      generatedAt: "2021-01-06T10:00:00.000+01:00",
      source: "test",
      roster: "test",
      capacity: { kind: "scaled", scale: 0.5 },
      regions: [
        {
          code: 1081,
          name: "Region Nordjylland",
          capacityPerDay: 50,
          needed: { peak: 60, p95: 60 },
          days: [{ date: "2020-12-28", demanded: 60, carriedIn: 0, planned: 50, deferred: 10 }],
        },
      ],
      gaps: [],
    };
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(renderWhatIfCsv(data));
    expect(text).toBe(
      "\uFEFFregion_code;region;week;date;capacity_per_day;demanded;carried_in;planned;deferred\r\n" +
        "1081;Region Nordjylland;2020-W53;2020-12-28;50;60;0;50;10\r\n",
    );
  });
});

describe("the what-if report of a synthetic autumn-2020 wave (2020-W36 … 2021-W10)", () => {
  let regions: readonly Region[];
  let municipalities: readonly Municipality[];

  beforeAll(async () => {
    const reference = await readReferenceTable(join(REPO, "reference", "municipalities.csv"));
    regions = reference.regions;
    municipalities = reference.municipalities;
  });

  it("with ample capacity defers nothing, and the needed capacity is the planned daily peak", () => {
    const data = buildWhatIfData(regions, municipalities, 10);
    const rows = readCsv(renderWhatIfCsv(data));
    const html = renderWhatIfReport(data, { language: "da" });
    expect(rows.every((r) => r.deferred === "0" && r.demanded === r.planned)).toBe(true);
    for (const region of regions) {
      const planned = rows.filter((r) => r.region_code === String(region.code)).map((r) => Number(r.planned));
      // 2020 has 53 ISO weeks: W36…W53 and W01…W10 are 28 weeks of 5 test days.
      expect(planned.length).toBe(28 * 5);
      const [, peak, , , , deferrals, owed, daysShort, weeks] = overviewRow(html, region.name);
      expect(peak, region.name).toBe(Math.max(...planned));
      expect([deferrals, owed, daysShort, weeks]).toEqual([0, 0, 0, 0]);
      expect(weeksShort(html, region.name)).toEqual([]);
    }
  });

  it("with capacity scaled to 0.7: demand = planned + deferred in every region and week, short weeks named", () => {
    const data = buildWhatIfData(regions, municipalities, 0.7);
    const rows = readCsv(renderWhatIfCsv(data));
    const html = renderWhatIfReport(data, { language: "da" });
    expect(rows).toHaveLength(5 * 28 * 5);
    for (const row of rows) expect(Number(row.demanded)).toBe(Number(row.planned) + Number(row.deferred));
    let deferredWeeks = 0;
    for (const region of regions) {
      const own = rows.filter((r) => r.region_code === String(region.code));
      const byWeek = new Map<string, number[]>();
      for (const r of own) {
        const sums = byWeek.get(r.week) ?? [0, 0, 0, 0];
        byWeek.set(r.week, [
          (sums[0] ?? 0) + Number(r.demanded),
          (sums[1] ?? 0) + Number(r.carried_in),
          (sums[2] ?? 0) + Number(r.planned),
          (sums[3] ?? 0) + Number(r.deferred),
        ]);
      }
      const table = weeklyTable(html, region.name);
      expect(table.size).toBe(28);
      for (const [week, [demanded = 0, carried = 0, planned = 0, deferred = 0]] of byWeek) {
        expect(table.get(week)?.slice(0, 4), `${region.name} ${week}`).toEqual([
          demanded,
          carried,
          planned,
          deferred,
        ]);
        expect(demanded).toBe(planned + deferred);
      }
      const short = [...byWeek].filter(([, sums]) => (sums[3] ?? 0) > 0).map(([week]) => week);
      expect(weeksShort(html, region.name)).toEqual(short);
      deferredWeeks += short.length;
      expect(overviewRow(html, region.name)[0]).toBe(Number(own[0]?.capacity_per_day));
    }
    expect(deferredWeeks).toBeGreaterThan(10);
  });

  it("lists staff past 6 weeks per municipality as counts only", () => {
    const data = buildWhatIfData(regions, municipalities, 0.7);
    const html = renderWhatIfReport(data, { language: "da" });
    const listed = [
      ...html.matchAll(
        /<tr><td>Region [^<]+<\/td><th scope="row">([^<]+)<\/th><td class="num">([\d.]+)<\/td><\/tr>/g,
      ),
    ];
    expect(listed.length).toBe(data.gaps.length);
    expect(listed.length).toBeGreaterThan(20);
    const total = data.gaps.reduce((sum, g) => sum + g.staffOverSixWeeks, 0);
    expect(listed.reduce((sum, m) => sum + danish(m[2] ?? "0"), 0)).toBe(total);
  });

  it("renders the same bytes twice, is self-contained and speaks English on request", () => {
    const data = buildWhatIfData(regions, municipalities, 0.7);
    const html = renderWhatIfReport(data, { language: "da" });
    expect(renderWhatIfReport(data, { language: "da" })).toBe(html);
    expect(Buffer.from(renderWhatIfCsv(data)).equals(Buffer.from(renderWhatIfCsv(data)))).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|https?:|src=/i);
    expect((html.match(/<h1>/g) ?? []).length).toBe(1);
    const english = renderWhatIfReport(data, { language: "en" });
    expect(english).toContain("<h1>Capacity what-if: 2020-W36 – 2021-W10</h1>");
  });
});
