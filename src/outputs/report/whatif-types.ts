import type { IsoDate, IsoWeek } from "../../domain/calendar.ts";

/** Lab capacity per test day that would have deferred nothing. */
export type NeededCapacity = {
  /** The largest daily demand of the period. */
  readonly peak: number;
  /** The 95th percentile of daily demand (nearest rank): enough on 95 % of the test days. */
  readonly p95: number;
};

/** One test day of one region in the replay. Invariant: `demanded = planned + deferred`. */
export type WhatIfDay = {
  readonly date: IsoDate;
  /**
   * Tests the rule put on this day: the green cycle share, red tests and tests carried over from
   * earlier weeks, placed the way the planner spreads a week.
   */
  readonly demanded: number;
  /**
   * Of `demanded`, tests owed from earlier weeks (deferred there): they count again here, so sums
   * of `demanded` count a test once per week it is owed; new tests are demanded − carriedIn.
   */
  readonly carriedIn: number;
  /** Tests planned within the capacity. */
  readonly planned: number;
  /**
   * Tests of this day that did not fit the week and were carried over to the next week (the
   * planner defers per week: what exceeds capacity × test days, lowest priority first).
   */
  readonly deferred: number;
};

export type WhatIfRegion = {
  readonly code: number;
  readonly name: string;
  /** The lab capacity per test day the replay ran with. */
  readonly capacityPerDay: number;
  /**
   * Capacity that would have deferred nothing: from a replay without a capacity limit (its daily
   * loads through `computeNeededCapacity`), since carried-over tests inflate a short replay's demand.
   */
  readonly needed: NeededCapacity;
  /** Every test day of the region in the period, in date order. */
  readonly days: readonly WhatIfDay[];
};

/** Staff of one municipality whose gap between tests exceeded 6 weeks because of deferrals (a count). */
export type WhatIfGapCount = {
  readonly municipalityCode: number;
  readonly name: string;
  readonly regionCode: number;
  readonly staffOverSixWeeks: number;
};

/** How the replay's capacity was chosen. */
export type WhatIfCapacity =
  | { readonly kind: "configured" }
  | { readonly kind: "scaled"; readonly scale: number }
  | { readonly kind: "file"; readonly file: string };

/** Everything the what-if report and CSV show. Counts only: no staff data. */
export type WhatIfData = {
  /** First and last replayed classification week (both included). */
  readonly from: IsoWeek;
  readonly to: IsoWeek;
  /** When the replay ran (ISO 8601 with offset). */
  readonly generatedAt: string;
  /** The incidence history replayed, e.g. `SSI Municipality_cases_time_series.csv, 2020-02-26 – 2023-02-08`. */
  readonly source: string;
  /** The roster, e.g. `synthetic demo roster (seed 2020)`. */
  readonly roster: string;
  readonly capacity: WhatIfCapacity;
  readonly regions: readonly WhatIfRegion[];
  /** Municipalities with at least one such staff member (others may be left out). */
  readonly gaps: readonly WhatIfGapCount[];
};
