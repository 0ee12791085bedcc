import { daysBetween, type DateWindow, type IsoDate } from "./calendar.ts";
import type { Municipality } from "./reference.ts";

/**
 * Daily confirmed cases per municipality, as in SSI's `Municipality_cases_time_series.csv`
 * joined with `Municipality_test_pos.csv` (population). Dates ascend and are consecutive.
 */
export type DailyCasesDataset = {
  readonly kind: "daily";
  /** File path or URL, named in error messages. */
  readonly origin: string;
  /** First and last date present in the file (the last row may be an incomplete day). */
  readonly firstDate: IsoDate;
  readonly lastDate: IsoDate;
  /** Cases per day from `firstDate`, one entry per date; keyed by municipality code. */
  readonly casesByCode: ReadonlyMap<number, readonly number[]>;
  readonly populationByCode: ReadonlyMap<number, number>;
};

/** One municipality's totals as delivered by a source that already aggregates 7 days. */
export type WindowTotalsRow = {
  /** Cases in the 7-day window; null when the source only delivers an incidence. */
  readonly cases7d: number | null;
  readonly population: number | null;
  readonly incidence: number;
};

/**
 * Pre-aggregated totals (ArcGIS layer or plain CSV). `lastUpdate` is the last day the figures
 * cover, when the source says so; without it the source cannot prove freshness.
 */
export type WindowTotalsDataset = {
  readonly kind: "window";
  readonly origin: string;
  readonly lastUpdate: IsoDate | null;
  readonly rowsByCode: ReadonlyMap<number, WindowTotalsRow>;
};

export type IncidenceDataset = DailyCasesDataset | WindowTotalsDataset;

/** Incidence of one municipality in one window. */
export type Observation = {
  readonly code: number;
  readonly window: DateWindow;
  readonly cases7d: number | null;
  readonly population: number;
  /** New confirmed cases in the window per 100,000 inhabitants. */
  readonly incidence: number;
};

export type ObservationResult =
  | { readonly ok: true; readonly observations: readonly Observation[] }
  | { readonly ok: false; readonly problem: string };

/** Incidence per 100,000 inhabitants. */
export function incidencePer100k(cases: number, population: number): number {
  return (cases * 100_000) / population;
}

/**
 * Observes every municipality in `window`. Fails (never guesses) when the data does not cover
 * the window (stale or too short) or a municipality is missing: no rota from bad data. Data
 * that ends exactly on the window's last day covers it.
 */
export function observeWindow(
  dataset: IncidenceDataset,
  window: DateWindow,
  municipalities: readonly Municipality[],
): ObservationResult {
  return dataset.kind === "daily"
    ? observeDaily(dataset, window, municipalities)
    : observeTotals(dataset, window, municipalities);
}

/** One observation per municipality, or the problem naming every municipality without figures. */
function observeEach(
  municipalities: readonly Municipality[],
  observe: (municipality: Municipality) => Observation | undefined,
): ObservationResult {
  const missing: string[] = [];
  const observations: Observation[] = [];
  for (const municipality of municipalities) {
    const observation = observe(municipality);
    if (observation === undefined) missing.push(`${municipality.code} ${municipality.name}`);
    else observations.push(observation);
  }
  if (missing.length > 0) {
    return {
      ok: false,
      problem: `partial data: no figures for ${missing.length} municipalities (${missing.join(", ")})`,
    };
  }
  return { ok: true, observations };
}

function observeDaily(
  dataset: DailyCasesDataset,
  window: DateWindow,
  municipalities: readonly Municipality[],
): ObservationResult {
  if (window.end > dataset.lastDate) {
    return {
      ok: false,
      problem: `stale data: window ${window.start}…${window.end} needs data up to ${window.end}, the file ends ${dataset.lastDate}`,
    };
  }
  if (window.start < dataset.firstDate) {
    return {
      ok: false,
      problem: `window ${window.start}…${window.end} starts before the first date in the file (${dataset.firstDate})`,
    };
  }
  const from = daysBetween(dataset.firstDate, window.start);
  const to = daysBetween(dataset.firstDate, window.end);
  return observeEach(municipalities, (municipality) => {
    const series = dataset.casesByCode.get(municipality.code);
    const population = dataset.populationByCode.get(municipality.code);
    if (series === undefined || population === undefined) return undefined;
    let cases = 0;
    for (let day = from; day <= to; day++) cases += series[day] ?? 0;
    return {
      code: municipality.code,
      window,
      cases7d: cases,
      population,
      incidence: incidencePer100k(cases, population),
    };
  });
}

function observeTotals(
  dataset: WindowTotalsDataset,
  window: DateWindow,
  municipalities: readonly Municipality[],
): ObservationResult {
  if (dataset.lastUpdate !== null && dataset.lastUpdate < window.end) {
    return {
      ok: false,
      problem: `stale data: last update ${dataset.lastUpdate} is before the window end ${window.end}`,
    };
  }
  return observeEach(municipalities, (municipality) => {
    const row = dataset.rowsByCode.get(municipality.code);
    if (row === undefined) return undefined;
    return {
      code: municipality.code,
      window,
      cases7d: row.cases7d,
      // A source without population figures is joined to the reference population.
      population: row.population ?? municipality.population,
      incidence: row.incidence,
    };
  });
}

/** The latest window end date the dataset can serve (used to report staleness). */
export function lastCompleteDate(dataset: IncidenceDataset): IsoDate | null {
  return dataset.kind === "daily" ? dataset.lastDate : dataset.lastUpdate;
}
