import type { Feature, MultiPolygon, Polygon } from "geojson";
import type { AssembledWeek } from "../../domain/assemble-week.ts";
import { addWeeks, compareWeeks, type DateWindow, type IsoDate } from "../../domain/calendar.ts";
import type { Classification, Override } from "../../domain/classify.ts";
import type { RegionPlanSettings } from "../../domain/plan-types.ts";
import type {
  MunicipalityBoundaries,
  RegionHistoryPoint,
  ReportRegion,
  WeekReportData,
} from "./report-types.ts";
import { HISTORY_WEEKS } from "./history-section.ts";
import { countTestsByRegion, summarizeRegionLoads, summarizeRegionWeek } from "./week-report-data.ts";

/** One municipality's area with its code and name (as `readBoundaries` gives them). */
export type MunicipalityArea = Feature<
  Polygon | MultiPolygon,
  { readonly code: number; readonly name: string }
>;

/**
 * The boundaries as the report's map reads them (property `lau_1` = the code, `label_dk` = the
 * name), in the order given: read once at start, kept for every run.
 */
export function collectBoundaries(areas: Iterable<MunicipalityArea>): MunicipalityBoundaries {
  return {
    type: "FeatureCollection",
    features: [...areas].map((area) => ({
      type: "Feature",
      geometry: area.geometry,
      properties: { lau_1: String(area.properties.code), label_dk: area.properties.name },
    })),
  };
}

/** What a run knows besides its assembled week, gathered by the composition root. */
export type WeekReportInput = {
  readonly assembled: AssembledWeek;
  readonly generatedAt: string;
  readonly source: {
    readonly name: string;
    readonly dataLastDate: IsoDate | null;
    readonly window: DateWindow;
  };
  readonly thresholdPer100k: number;
  readonly regions: readonly ReportRegion[];
  /** The regions' planning settings (test weekdays, lab capacity), from the config. */
  readonly regionSettings: readonly RegionPlanSettings[];
  /** Last week's classification from the store; empty on the first run. */
  readonly previousClassifications: readonly Classification[];
  /** The STPS decisions the run classified with (config and operator overrides). */
  readonly overrides: readonly Override[];
  /** The store's counts of the weeks before this one (see {@link historyRange}). */
  readonly history: readonly RegionHistoryPoint[];
  readonly boundaries: MunicipalityBoundaries;
};

/** The earlier weeks of the 12-week history the store is asked for: W−11 … W−1. */
export function historyRange(assembled: Pick<AssembledWeek, "week">): {
  from: AssembledWeek["week"];
  to: AssembledWeek["week"];
} {
  return { from: addWeeks(assembled.week, -(HISTORY_WEEKS - 1)), to: addWeeks(assembled.week, -1) };
}

/**
 * The weekly report's data from a run: the region loads of the plan, the history from the store
 * plus this week (counted from the plan, as the store will count it once committed). Counts and
 * municipality figures only.
 */
export function buildWeekReportData(input: WeekReportInput): WeekReportData {
  const { assembled } = input;
  const { plan } = assembled;
  const regionCodes = input.regions.map((region) => region.code);
  const earlier = input.history.filter((point) => compareWeeks(point.week, assembled.week) < 0);
  return {
    week: assembled.week,
    testWeek: assembled.testWeek,
    generatedAt: input.generatedAt,
    source: input.source,
    thresholdPer100k: input.thresholdPer100k,
    regions: input.regions,
    classifications: assembled.classifications,
    previousClassifications: input.previousClassifications,
    cadenceEvents: assembled.events,
    overrides: input.overrides,
    loads: summarizeRegionLoads({
      testWeek: assembled.testWeek,
      regions: input.regionSettings,
      tests: plan.tests,
      quality: plan.quality,
      deferrals: plan.deferrals,
    }),
    history: [
      ...earlier,
      ...summarizeRegionWeek(
        assembled.week,
        regionCodes,
        assembled.classifications,
        countTestsByRegion(plan.tests),
      ),
    ],
    boundaries: input.boundaries,
    // Only once attendance is returned (the section is left out before).
    ...(assembled.attendance === undefined ? {} : { attendance: assembled.attendance }),
  };
}
