import { compareWeeks, type DateWindow, type IsoWeek } from "./calendar.ts";
import type { Observation } from "./incidence.ts";
import type { Municipality } from "./reference.ts";

export type Status = "red" | "green";

export const OVERRIDE_ACTIONS = ["keep-green", "force-red", "limit-to-sites"] as const;
/**
 * Decisions by the Danish Patient Safety Authority (STPS):
 * - `keep-green`: suspend a switch to red (e.g. a small controlled outbreak);
 * - `force-red`: treat as red whatever the incidence;
 * - `limit-to-sites`: when red, frequent testing only at the named sites near the outbreak.
 */
export type OverrideAction = (typeof OVERRIDE_ACTIONS)[number];

export type Override = {
  readonly id: string;
  readonly municipalityCode: number;
  /** First and last ISO week (both included) the decision applies to. */
  readonly from: IsoWeek;
  readonly to: IsoWeek;
  readonly action: OverrideAction;
  /** Sites for `limit-to-sites`; empty for the other actions. */
  readonly siteIds: readonly string[];
  readonly reason: string;
  readonly author?: string | undefined;
};

export type Classification = {
  readonly week: IsoWeek;
  readonly code: number;
  readonly name: string;
  readonly regionCode: number;
  readonly window: DateWindow;
  readonly cases7d: number | null;
  readonly population: number;
  readonly incidence: number;
  /** Status from the incidence alone. */
  readonly rawStatus: Status;
  /** Status after overrides: the one the cadence follows. */
  readonly status: Status;
  /** The override that applied this week, if any (recorded even when it changed nothing). */
  readonly overrideId: string | null;
  /** When red under a limit-to-sites decision: the only sites tested in the red flow. */
  readonly limitToSites: readonly string[] | null;
};

export type ClassifyInput = {
  readonly week: IsoWeek;
  readonly observations: readonly Observation[];
  readonly municipalities: readonly Municipality[];
  /** Red from this many cases per 100,000 in 7 days, inclusive (20.0 exactly is red). */
  readonly thresholdPer100k: number;
  readonly overrides: readonly Override[];
};

/**
 * Raw status from the 7-day incidence: red when incidence ≥ threshold (inclusive).
 * With case counts the comparison is done in integers (cases × 100,000 ≥ threshold × population)
 * so that exactly 20.0 is never lost to floating-point rounding.
 */
export function rawStatusOf(observation: Observation, thresholdPer100k: number): Status {
  const red =
    observation.cases7d !== null
      ? observation.cases7d * 100_000 >= thresholdPer100k * observation.population
      : observation.incidence >= thresholdPer100k;
  return red ? "red" : "green";
}

/** The override in force for a municipality in a week; the last one listed wins. */
export function activeOverride(
  overrides: readonly Override[],
  municipalityCode: number,
  week: IsoWeek,
): Override | undefined {
  return overrides.findLast(
    (o) =>
      o.municipalityCode === municipalityCode &&
      compareWeeks(o.from, week) <= 0 &&
      compareWeeks(week, o.to) <= 0,
  );
}

/**
 * Classifies every municipality for `week` (the Wednesday of the week, Europe/Copenhagen):
 * raw status by the inclusive threshold, then the STPS override in force, if any.
 * Observations must cover every municipality (checked by `observeWindow`).
 */
export function classifyWeek(input: ClassifyInput): Classification[] {
  const byCode = new Map(input.observations.map((o) => [o.code, o]));
  return input.municipalities.map((municipality) => {
    const observation = byCode.get(municipality.code);
    if (observation === undefined) {
      throw new Error(`no observation for municipality ${municipality.code}`);
    }
    const rawStatus = rawStatusOf(observation, input.thresholdPer100k);
    const override = activeOverride(input.overrides, municipality.code, input.week);
    let status = rawStatus;
    let limitToSites: readonly string[] | null = null;
    if (override?.action === "keep-green") status = "green";
    if (override?.action === "force-red") status = "red";
    if (override?.action === "limit-to-sites" && status === "red") limitToSites = override.siteIds;
    return {
      week: input.week,
      code: municipality.code,
      name: municipality.name,
      regionCode: municipality.regionCode,
      window: observation.window,
      cases7d: observation.cases7d,
      population: observation.population,
      incidence: observation.incidence,
      rawStatus,
      status,
      overrideId: override?.id ?? null,
      limitToSites,
    };
  });
}
