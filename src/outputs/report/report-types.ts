import type { FeatureCollection, GeoJsonProperties, Geometry } from "geojson";
import type { AttendanceReport } from "../../domain/attendance-report.ts";
import type { DateWindow, IsoDate, IsoWeek, Weekday } from "../../domain/calendar.ts";
import type { CadenceEvent } from "../../domain/cadence.ts";
import type { Classification, Override } from "../../domain/classify.ts";
import type { DeferralReport, RegionQuality } from "../../domain/plan-types.ts";
import type { Shift } from "../../domain/roster.ts";

/** The language of the human documents: Danish by default. */
export type ReportLanguage = "da" | "en";

export type ReportOptions = { readonly language: ReportLanguage };

/**
 * Municipality boundaries as GeoJSON (`reference/municipalities.topo.json` read with
 * topojson-client's `feature`): property `lau_1` is the municipality code (a string or a number).
 * Features whose code has no classification (Christiansø, 411) are left out of the map.
 */
export type MunicipalityBoundaries = FeatureCollection<Geometry | null, GeoJsonProperties>;

export type ReportRegion = { readonly code: number; readonly name: string };

/** Tests planned on one test day of a region, per shift. */
export type RegionDayLoad = {
  readonly date: IsoDate;
  readonly weekday: Weekday;
  readonly byShift: Readonly<Record<Shift, number>>;
};

/** One region's plan for the test week, as the report shows it. */
export type RegionWeekLoad = {
  readonly regionCode: number;
  readonly labCapacityPerDay: number;
  /** Every test day of the region in the test week, in date order (days without tests included). */
  readonly days: readonly RegionDayLoad[];
  /** The planner's quality figures for the region (deferred and gap violations included). */
  readonly quality: RegionQuality;
  /** Deferred tests of the region per municipality, site kind and reason (counts only). */
  readonly deferrals: readonly DeferralReport[];
};

/** One region in one earlier (or the current) week, for the 12-week small multiples. */
export type RegionHistoryPoint = {
  /** The classification week of the run. */
  readonly week: IsoWeek;
  readonly regionCode: number;
  /** Municipalities of the region with effective status red in that week. */
  readonly redMunicipalities: number;
  /** Tests the run of that week planned for its test week (week + 1). */
  readonly testsPlanned: number;
};

/** Everything the weekly `report.html` shows. Counts and municipality figures only: no staff data. */
export type WeekReportData = {
  /** The classification week W. */
  readonly week: IsoWeek;
  /** The week the rota is for (W + 1). */
  readonly testWeek: IsoWeek;
  /** The run's scheduled time as written in `summary.json` (ISO 8601 with offset). */
  readonly generatedAt: string;
  readonly source: {
    readonly name: string;
    /** Last complete day of the data, when the source says. */
    readonly dataLastDate: IsoDate | null;
    readonly window: DateWindow;
  };
  /** Red from this incidence per 100,000 (inclusive). */
  readonly thresholdPer100k: number;
  /** The regions, in the order the report lists them (usually by code). */
  readonly regions: readonly ReportRegion[];
  /** This week's classification of the 98 municipalities. */
  readonly classifications: readonly Classification[];
  /** Last week's classification; empty when the store has no such week. */
  readonly previousClassifications: readonly Classification[];
  /** The cadence event of each municipality this week (`AssembledWeek.events`). */
  readonly cadenceEvents: ReadonlyMap<number, CadenceEvent>;
  /** The STPS decisions, at least those named by `classifications[].overrideId`. */
  readonly overrides: readonly Override[];
  /** The plan of the test week per region. */
  readonly loads: readonly RegionWeekLoad[];
  /** Up to 12 weeks per region ending with `week`; weeks missing from the store are left out. */
  readonly history: readonly RegionHistoryPoint[];
  readonly boundaries: MunicipalityBoundaries;
  /** Uptake, owed tests and the gap from the last taken test; only once attendance is returned. */
  readonly attendance?: AttendanceReport | undefined;
};
