import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Topology } from "topojson-specification";
import { feature } from "topojson-client";
import { loadConfig } from "../../../src/config.ts";
import { assembleWeek, type AssembledWeek } from "../../../src/domain/assemble-week.ts";
import { addWeeks, type IsoWeek } from "../../../src/domain/calendar.ts";
import type { CadenceState } from "../../../src/domain/cadence.ts";
import type { Override } from "../../../src/domain/classify.ts";
import { lastCompleteDate } from "../../../src/domain/incidence.ts";
import type { CycleSlot, DeferredTest } from "../../../src/domain/plan-types.ts";
import type { StaffMember } from "../../../src/domain/roster.ts";
import type {
  MunicipalityBoundaries,
  RegionHistoryPoint,
  WeekReportData,
} from "../../../src/outputs/report/report-types.ts";
import {
  countTestsByRegion,
  summarizeRegionLoads,
  summarizeRegionWeek,
} from "../../../src/outputs/report/week-report-data.ts";
import { generateDemoInput } from "../../../src/roster/generate-demo.ts";
import { readReferenceTable } from "../../../src/roster/read-reference.ts";
import { parseSsiPair } from "../../../src/sources/ssi.ts";
import { REPO } from "../../support/run-fixture.ts";

export const DEMO_WEEK: IsoWeek = { year: 2020, week: 40 };
export const SSI_2020_09_30 = join(REPO, "config", "demo", "ssi", "2020-09-30");

/** The bundled municipality boundaries as GeoJSON, the way the caller of the renderer reads them. */
export function readBoundaries(): MunicipalityBoundaries {
  const topology = JSON.parse(
    readFileSync(join(REPO, "reference", "municipalities.topo.json"), "utf8"),
  ) as Topology;
  const dk = topology.objects.dk;
  if (dk === undefined) throw new Error("municipalities.topo.json has no object dk");
  const collection = feature(topology, dk);
  if (collection.type !== "FeatureCollection") throw new Error("object dk is not a collection");
  return collection;
}

/** STPS decisions for the test: Næstved (red by incidence) kept green, Thisted (green) forced red. */
export const TEST_OVERRIDES: readonly Override[] = [
  {
    id: "stps-2020-17",
    municipalityCode: 370,
    from: DEMO_WEEK,
    to: { year: 2020, week: 42 },
    action: "keep-green",
    siteIds: [],
    reason: "Lille kontrolleret udbrud på ét plejehjem",
  },
  {
    id: "stps-2020-18",
    municipalityCode: 787,
    from: DEMO_WEEK,
    to: DEMO_WEEK,
    action: "force-red",
    siteIds: [],
    reason: "Udbrud i hjemmeplejen",
  },
];

export type DemoWeek = {
  readonly data: WeekReportData;
  readonly assembled: AssembledWeek;
  readonly staff: readonly StaffMember[];
};

export type DemoWeekOptions = {
  /** Share of the population in the synthetic roster (the demo uses 0.017). */
  readonly staffShare: number;
  readonly overrides?: readonly Override[];
};

/**
 * The weekly report data of 2020-W40 built with the project's own pipeline: the bundled config,
 * SSI's files of 2020-09-30 and the seeded demo roster, run week by week from 2020-W29 as the
 * worker would have (cadence, slots and deferred tests carried from one week to the next), so
 * that the 12-week history is real too.
 */
export async function buildDemoWeek(options: DemoWeekOptions): Promise<DemoWeek> {
  const config = loadConfig(join(REPO, "config", "testrota.json"));
  const reference = await readReferenceTable(config.reference);
  const demo = generateDemoInput({
    municipalities: reference.municipalities,
    seed: 2020,
    staffShare: options.staffShare,
    referenceDate: "2020-09-30",
  });
  const dataset = parseSsiPair({
    timeSeries: readFileSync(join(SSI_2020_09_30, "Municipality_cases_time_series.csv")),
    testPos: readFileSync(join(SSI_2020_09_30, "Municipality_test_pos.csv")),
    timeSeriesOrigin: "Municipality_cases_time_series.csv",
    testPosOrigin: "Municipality_test_pos.csv",
    municipalities: reference.municipalities,
  });
  const overrides = options.overrides ?? [];
  let cadence: ReadonlyMap<number, CadenceState> | undefined;
  let slots: ReadonlyMap<string, CycleSlot> = new Map();
  let deferred: readonly DeferredTest[] = [];
  const history: RegionHistoryPoint[] = [];
  const regionCodes = config.regions.map((r) => r.code);
  const weeks: AssembledWeek[] = [];
  for (let back = 11; back >= 0; back--) {
    const week = addWeeks(DEMO_WEEK, -back);
    const result = assembleWeek({
      week,
      dataset,
      municipalities: reference.municipalities,
      thresholdPer100k: config.thresholdPer100k,
      windowOffsets: config.window,
      overrides,
      previousCadence: cadence,
      warmUpWeeks: config.warmUpWeeks,
      // The report reads no routes, and its generated sites have no positions: plan pickups
      // without routes (the routes of twelve weeks would also cost seconds).
      regions: config.regions.map((region) => ({ ...region, routes: undefined })),
      cycleAnchor: config.cycle.anchorWeek,
      sites: demo.sites,
      staff: demo.staff,
      previousSlots: slots,
      carriedOver: deferred,
    });
    if (!result.ok) throw new Error(result.problem);
    const assembled = result.week;
    cadence = assembled.cadence;
    slots = assembled.plan.slots;
    deferred = assembled.plan.deferred;
    weeks.push(assembled);
    history.push(
      ...summarizeRegionWeek(
        week,
        regionCodes,
        assembled.classifications,
        countTestsByRegion(assembled.plan.tests),
      ),
    );
  }
  const assembled = weeks.at(-1);
  const previous = weeks.at(-2);
  if (assembled === undefined || previous === undefined) throw new Error("no weeks assembled");
  const lastDate = lastCompleteDate(dataset);
  const data: WeekReportData = {
    week: assembled.week,
    testWeek: assembled.testWeek,
    generatedAt: "2020-09-30T10:00:00.000+02:00",
    source: {
      name: "ssi",
      dataLastDate: lastDate,
      window: assembled.classifications[0]?.window ?? { start: "", end: "" },
    },
    thresholdPer100k: config.thresholdPer100k,
    regions: reference.regions,
    classifications: assembled.classifications,
    previousClassifications: previous.classifications,
    cadenceEvents: assembled.events,
    overrides,
    loads: summarizeRegionLoads({
      testWeek: assembled.testWeek,
      regions: config.regions,
      tests: assembled.plan.tests,
      quality: assembled.plan.quality,
      deferrals: assembled.plan.deferrals,
    }),
    history,
    boundaries: readBoundaries(),
  };
  return { data, assembled, staff: demo.staff };
}
