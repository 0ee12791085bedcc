import { describe, expect, it } from "vitest";
import { classificationWindow, type IsoWeek } from "../../src/domain/calendar.ts";
import { classifyWeek } from "../../src/domain/classify.ts";
import {
  incidencePer100k,
  lastCompleteDate,
  observeWindow,
  type DailyCasesDataset,
  type WindowTotalsDataset,
} from "../../src/domain/incidence.ts";
import type { Municipality } from "../../src/domain/reference.ts";

/*
 * Real rows of SSI's files of 2020-09-30 (config/demo/ssi/2020-09-30): daily confirmed cases
 * from Municipality_cases_time_series.csv (2020-09-21 … 2020-09-29, the file's last day) and the
 * population (Befolkningstal) from Municipality_test_pos.csv.
 */
const HALSNAES: Municipality = {
  code: 260,
  name: "Halsnæs",
  regionCode: 1084,
  population: 31_384,
  aliases: [],
};
const STRUER: Municipality = { code: 671, name: "Struer", regionCode: 1082, population: 21_036, aliases: [] };
const HEDENSTED: Municipality = {
  code: 766,
  name: "Hedensted",
  regionCode: 1082,
  population: 46_722,
  aliases: [],
};
const TOWNS = [HALSNAES, STRUER, HEDENSTED];
//                        09-21 22 23 24 25 26 27 28 29
const HALSNAES_CASES = [0, 1, 0, 2, 0, 1, 0, 2, 0];
const STRUER_CASES = [0, 2, 0, 0, 0, 2, 0, 0, 0];
const HEDENSTED_CASES = [1, 0, 2, 0, 4, 1, 1, 2, 0];

function ssi(options: { firstDate?: string; lastDate?: string; days?: number } = {}): DailyCasesDataset {
  const days = options.days ?? 9;
  return {
    kind: "daily",
    origin: "Municipality_cases_time_series.csv",
    firstDate: options.firstDate ?? "2020-09-21",
    lastDate: options.lastDate ?? "2020-09-29",
    casesByCode: new Map([
      [260, HALSNAES_CASES.slice(0, days)],
      [671, STRUER_CASES.slice(0, days)],
      [766, HEDENSTED_CASES.slice(0, days)],
    ]),
    populationByCode: new Map(TOWNS.map((town) => [town.code, town.population])),
  };
}

const W40: IsoWeek = { year: 2020, week: 40 };

describe("classificationWindow", () => {
  it.each([
    // Wednesday 2020-09-30: D−8 = Tuesday 09-22, D−2 = Monday 09-28.
    { name: "default: D−8 … D−2", offsets: undefined, start: "2020-09-22", end: "2020-09-28" },
    // D−7 … D−1: the window ends on the last day of SSI's file of D.
    {
      name: "D−7 … D−1",
      offsets: { startOffsetDays: -7, endOffsetDays: -1 },
      start: "2020-09-23",
      end: "2020-09-29",
    },
    {
      name: "D−9 … D−3",
      offsets: { startOffsetDays: -9, endOffsetDays: -3 },
      start: "2020-09-21",
      end: "2020-09-27",
    },
  ])("$name for 2020-W40", ({ offsets, start, end }) => {
    expect(classificationWindow(W40, offsets)).toEqual({ start, end });
  });
});

describe("observeWindow over real SSI rows", () => {
  it("sums the 7 days of the window only and divides by the population", () => {
    const window = classificationWindow(W40);
    const result = observeWindow(ssi(), window, TOWNS);
    if (!result.ok) throw new Error(result.problem);
    // 09-22 … 09-28: Halsnæs 1+0+2+0+1+0+2 = 6; Struer 2+0+0+0+2+0+0 = 4; Hedensted 0+2+0+4+1+1+2 = 10
    // (its case of 09-21 is outside the window). Incidence = cases × 100,000 ÷ population:
    // 600,000 ÷ 31,384 = 19.118…; 400,000 ÷ 21,036 = 19.015…; 1,000,000 ÷ 46,722 = 21.403….
    expect(result.observations.map((o) => [o.code, o.cases7d, o.population])).toEqual([
      [260, 6, 31_384],
      [671, 4, 21_036],
      [766, 10, 46_722],
    ]);
    expect(result.observations.map((o) => o.window)).toEqual([window, window, window]);
    const [halsnaes, struer, hedensted] = result.observations.map((o) => o.incidence);
    expect(halsnaes).toBeCloseTo(19.118, 3);
    expect(struer).toBeCloseTo(19.015, 3);
    expect(hedensted).toBeCloseTo(21.403, 3);
  });

  it.each([
    // Red from 20 per 100,000 inclusive: red needs cases × 100,000 ≥ 20 × population.
    // Halsnæs: 600,000 < 627,680 (7 cases would be red); Struer: 400,000 < 420,720 (5 would be);
    // Hedensted: 1,000,000 ≥ 934,440.
    { name: "default window 09-22 … 09-28", offsets: undefined, statuses: ["green", "green", "red"] },
    // 09-21 … 09-27: Hedensted 1+0+2+0+4+1+1 = 9 → 900,000 < 934,440: green. The window is
    // chosen by date, and one day earlier changes the colour.
    {
      name: "window 09-21 … 09-27",
      offsets: { startOffsetDays: -9, endOffsetDays: -3 },
      statuses: ["green", "green", "green"],
    },
    // 09-23 … 09-29: Halsnæs 0+2+0+1+0+2+0 = 5, Struer 0+0+0+2+0+0+0 = 2, Hedensted 2+0+4+1+1+2+0 = 10.
    {
      name: "window 09-23 … 09-29",
      offsets: { startOffsetDays: -7, endOffsetDays: -1 },
      statuses: ["green", "green", "red"],
    },
  ])("classifies at the threshold of 20: $name", ({ offsets, statuses }) => {
    const result = observeWindow(ssi(), classificationWindow(W40, offsets), TOWNS);
    if (!result.ok) throw new Error(result.problem);
    const classified = classifyWeek({
      week: W40,
      observations: result.observations,
      municipalities: TOWNS,
      thresholdPer100k: 20,
      overrides: [],
    });
    expect(classified.map((c) => c.status)).toEqual(statuses);
  });

  it("accepts a file that ends exactly on the window's last day", () => {
    // Window 09-23 … 09-29 and the file's last day 09-29.
    const result = observeWindow(
      ssi(),
      classificationWindow(W40, { startOffsetDays: -7, endOffsetDays: -1 }),
      TOWNS,
    );
    expect(result.ok && result.observations.map((o) => o.cases7d)).toEqual([5, 2, 10]);
  });

  it("refuses a file one day short of the window's end as stale", () => {
    // The same rows up to 09-28 only: the window 09-23 … 09-29 lacks its last day.
    const result = observeWindow(
      ssi({ lastDate: "2020-09-28", days: 8 }),
      classificationWindow(W40, { startOffsetDays: -7, endOffsetDays: -1 }),
      TOWNS,
    );
    expect(result).toEqual({
      ok: false,
      problem:
        "stale data: window 2020-09-23…2020-09-29 needs data up to 2020-09-29, the file ends 2020-09-28",
    });
  });

  it("accepts a window that starts on the file's first day and refuses one that starts the day before", () => {
    const window = { start: "2020-09-21", end: "2020-09-27" };
    const fromFirstDay = observeWindow(ssi(), window, TOWNS);
    // 09-21 … 09-27: Halsnæs 0+1+0+2+0+1+0 = 4, Struer 0+2+0+0+0+2+0 = 4, Hedensted 1+0+2+0+4+1+1 = 9.
    expect(fromFirstDay.ok && fromFirstDay.observations.map((o) => o.cases7d)).toEqual([4, 4, 9]);
    const cases = (series: readonly number[]) => series.slice(1);
    const later: DailyCasesDataset = {
      ...ssi(),
      firstDate: "2020-09-22",
      casesByCode: new Map([
        [260, cases(HALSNAES_CASES)],
        [671, cases(STRUER_CASES)],
        [766, cases(HEDENSTED_CASES)],
      ]),
    };
    expect(observeWindow(later, window, TOWNS)).toEqual({
      ok: false,
      problem: "window 2020-09-21…2020-09-27 starts before the first date in the file (2020-09-22)",
    });
  });

  it("refuses partial data and names every municipality without figures", () => {
    const dataset = ssi();
    // Struer has cases but no population, 998 a population but no cases, 999 neither.
    const withoutStruer: DailyCasesDataset = {
      ...dataset,
      populationByCode: new Map([
        [260, 31_384],
        [766, 46_722],
        [998, 5_000],
      ]),
    };
    const others: Municipality[] = [
      ...TOWNS,
      { code: 998, name: "Casefree", regionCode: 1082, population: 5_000, aliases: [] },
      { code: 999, name: "Nowhere", regionCode: 1082, population: 1, aliases: [] },
    ];
    expect(observeWindow(withoutStruer, classificationWindow(W40), others)).toEqual({
      ok: false,
      problem: "partial data: no figures for 3 municipalities (671 Struer, 998 Casefree, 999 Nowhere)",
    });
  });
});

describe("observeWindow over pre-aggregated totals", () => {
  const window = classificationWindow(W40);
  // Halsnæs with case count and population; Struer with an incidence only (population joined
  // from the reference).
  function totals(lastUpdate: string | null): WindowTotalsDataset {
    return {
      kind: "window",
      origin: "totals.csv",
      lastUpdate,
      rowsByCode: new Map([
        [260, { cases7d: 6, population: 31_384, incidence: 19.118 }],
        [671, { cases7d: null, population: null, incidence: 19.015 }],
      ]),
    };
  }

  it("accepts figures updated exactly on the window's last day", () => {
    expect(observeWindow(totals("2020-09-28"), window, [HALSNAES, STRUER])).toEqual({
      ok: true,
      observations: [
        { code: 260, window, cases7d: 6, population: 31_384, incidence: 19.118 },
        { code: 671, window, cases7d: null, population: 21_036, incidence: 19.015 },
      ],
    });
  });

  it("refuses figures updated one day before the window's last day as stale", () => {
    expect(observeWindow(totals("2020-09-27"), window, [HALSNAES, STRUER])).toEqual({
      ok: false,
      problem: "stale data: last update 2020-09-27 is before the window end 2020-09-28",
    });
  });

  it("takes figures without an update date as they are", () => {
    expect(observeWindow(totals(null), window, [HALSNAES]).ok).toBe(true);
  });

  it("refuses partial data", () => {
    expect(observeWindow(totals("2020-09-28"), window, [HALSNAES, HEDENSTED])).toEqual({
      ok: false,
      problem: "partial data: no figures for 1 municipalities (766 Hedensted)",
    });
  });
});

describe("incidencePer100k and lastCompleteDate", () => {
  it("computes cases per 100,000 inhabitants", () => {
    // 10 × 100,000 ÷ 50,000 = 20; 3 × 100,000 ÷ 1,000 = 300.
    expect(incidencePer100k(10, 50_000)).toBe(20);
    expect(incidencePer100k(3, 1_000)).toBe(300);
  });

  it("is the file's last day for daily data and the update date for totals", () => {
    expect(lastCompleteDate(ssi())).toBe("2020-09-29");
    expect(
      lastCompleteDate({ kind: "window", origin: "x", lastUpdate: "2020-09-28", rowsByCode: new Map() }),
    ).toBe("2020-09-28");
  });
});
