import { z } from "zod";
import { WEEKDAY_NAMES } from "./domain/calendar.ts";
import { DENMARK_BOUNDS } from "./domain/geo.ts";

/*
 * The configuration of one region (part of the contract in config-schema.ts): test weekdays, lab
 * capacity, the pickup runs, the vans' routes and the kits. Strict, described and defaulted like
 * the rest; the cross-field rules (a run's latest arrival after its departure, same-evening days
 * among the pickup days) are checked here, so `validate` reports them with their JSON path.
 */

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** An issue message that says what was found and what was expected. */
export function expected(what: string) {
  return { error: (issue: { input?: unknown }) => `got ${JSON.stringify(issue.input)}, expected ${what}` };
}

export const localTime = z.string().regex(TIME, expected("a local time HH:MM (00:00–23:59)"));

const weekdayName = z.enum(WEEKDAY_NAMES);

const weekdayList = (what: string) => z.array(weekdayName).describe(what);

/** A run's departure and latest arrival at the lab, the arrival later the same day. */
function runTimesSchema(defaults: { departure: string; latestArrival: string }, what: string) {
  return z
    .strictObject({
      departure: localTime.default(defaults.departure).describe("Local time the vans leave the lab."),
      latestArrival: localTime
        .default(defaults.latestArrival)
        .describe("Local time by which every van must be back at the lab with the samples."),
    })
    .refine((run) => run.latestArrival > run.departure, {
      path: ["latestArrival"],
      error: (issue) => {
        const run = issue.input as { departure?: unknown; latestArrival?: unknown };
        return `got ${JSON.stringify(run.latestArrival)}, expected a time after the departure (${JSON.stringify(run.departure)}) the same day`;
      },
    })
    .default(defaults)
    .describe(what);
}

const DEFAULT_PICKUP_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"] as const;

const pickupsSchema = z
  .strictObject({
    weekdays: weekdayList("Days with a morning run; no weekend pickups by default.")
      .min(1)
      .default([...DEFAULT_PICKUP_WEEKDAYS]),
    morning: runTimesSchema(
      { departure: "07:30", latestArrival: "12:00" },
      "The morning run of every pickup day: it collects the samples of the shifts that ended since the last run.",
    ),
    sameEvening: z
      .strictObject({
        weekdays: weekdayList(
          "Pickup days that also have an evening run (for that day's day-shift samples); [] for none.",
        ).default(["friday"]),
        departure: localTime.default("15:30").describe("Local time the evening vans leave the lab."),
        latestArrival: localTime
          .default("19:00")
          .describe("Local time by which the evening vans must be back at the lab."),
      })
      .refine((run) => run.latestArrival > run.departure, {
        path: ["latestArrival"],
        error: (issue) => {
          const run = issue.input as { departure?: unknown; latestArrival?: unknown };
          return `got ${JSON.stringify(run.latestArrival)}, expected a time after the departure (${JSON.stringify(run.departure)}) the same day`;
        },
      })
      .default({ weekdays: ["friday"], departure: "15:30", latestArrival: "19:00" })
      .describe(
        "The same-evening run: by default on Friday only, so Friday's samples need not wait for Monday.",
      ),
    maxWaitHours: z
      .number()
      .positive()
      .max(168)
      .default(24)
      .describe(
        "Longest a session's samples may wait, from the end of the shift to the collecting run's latest arrival at the lab; the planner chooses no test day and shift that would wait longer.",
      ),
  })
  .superRefine((pickups, context) => {
    pickups.sameEvening.weekdays.forEach((weekday, index) => {
      if (!pickups.weekdays.includes(weekday)) {
        context.addIssue({
          code: "custom",
          path: ["sameEvening", "weekdays", index],
          message: `got ${JSON.stringify(weekday)}, expected one of the pickup weekdays (${pickups.weekdays.join(", ")})`,
        });
      }
    });
    if (
      pickups.sameEvening.weekdays.length > 0 &&
      pickups.sameEvening.departure < pickups.morning.latestArrival
    ) {
      context.addIssue({
        code: "custom",
        path: ["sameEvening", "departure"],
        message: `got ${JSON.stringify(pickups.sameEvening.departure)}, expected a time at or after the morning run's latest arrival (${JSON.stringify(pickups.morning.latestArrival)}): the vans drive both runs`,
      });
    }
  });

/** A coordinate of a lab, inside Denmark (a typo or swapped latitude/longitude is caught here). */
function degreesIn(axis: string, low: number, high: number) {
  return z
    .number()
    .refine((value) => value >= low && value <= high, expected(`a ${axis} within Denmark (${low}–${high})`));
}

const depotSchema = z.strictObject({
  name: z.string().min(1).max(100).describe("The lab's name as drivers know it, e.g. KMA Hvidovre Hospital."),
  latitude: degreesIn("latitude", DENMARK_BOUNDS.south, DENMARK_BOUNDS.north).describe(
    "WGS 84 latitude of the lab's sample reception.",
  ),
  longitude: degreesIn("longitude", DENMARK_BOUNDS.west, DENMARK_BOUNDS.east).describe(
    "WGS 84 longitude of the lab's sample reception.",
  ),
  vehicles: z.number().int().min(1).max(100).describe("Vans available per run: at most this many routes."),
  municipalities: z
    .array(z.number().int().min(101).max(999))
    .optional()
    .describe(
      "Municipality codes whose sites this lab serves (e.g. Bornholm, 400); other sites go to the nearest lab.",
    ),
});

const routesSchema = z
  .strictObject({
    depots: z
      .array(depotSchema)
      .min(1)
      .describe("The region's labs: every route starts and ends at one of them."),
    stopMinutes: z
      .number()
      .positive()
      .max(120)
      .default(10)
      .describe("Minutes on site per stop (parking, hand-over, kits)."),
    speedKmh: z
      .number()
      .positive()
      .max(130)
      .default(50)
      .describe("Average speed including towns and traffic, km/h."),
    roadFactor: z
      .number()
      .min(1)
      .max(3)
      .default(1.3)
      .describe("Road distance ÷ great-circle distance (Danish roads: 1.2–1.4)."),
  })
  .superRefine((routes, context) => {
    const depotOf = new Map<number, string>();
    routes.depots.forEach((depot, index) => {
      if (routes.depots.findIndex((other) => other.name === depot.name) < index) {
        context.addIssue({
          code: "custom",
          path: ["depots", index, "name"],
          message: `got ${JSON.stringify(depot.name)} again, expected a name per lab`,
        });
      }
      (depot.municipalities ?? []).forEach((code, position) => {
        const earlier = depotOf.get(code);
        if (earlier !== undefined) {
          context.addIssue({
            code: "custom",
            path: ["depots", index, "municipalities", position],
            message: `got ${code}, already served by ${JSON.stringify(earlier)}, expected each municipality at one lab`,
          });
        }
        depotOf.set(code, depot.name);
      });
    });
  });

/** A removed key: named in the error together with the key that replaced it. */
function replacedKey(by: string) {
  return z
    .unknown()
    .refine(() => false, { error: `removed: ${by}` })
    .optional()
    .describe(`Removed, gives an error: ${by}.`);
}

export const regionSchema = z.strictObject({
  code: z.number().int().describe("Region code (DAGI 1081–1085)."),
  testWeekdays: z
    .array(weekdayName)
    .min(1)
    .default(["monday", "tuesday", "wednesday", "thursday", "friday"])
    .describe(
      "Weekdays on which tests may be taken; a weekday and shift whose samples would wait longer than pickups.maxWaitHours is not chosen.",
    ),
  labCapacityPerDay: z
    .number()
    .int()
    .positive()
    .describe("Samples the region's lab can analyse per test day."),
  pickups: pickupsSchema
    .default(pickupsSchema.parse({}))
    .describe("When the vans drive: pickup days, morning and same-evening runs, the longest wait."),
  routes: routesSchema
    .optional()
    .describe(
      "Routes of the vans from the region's labs; without it the region gets pickups and kits but no routes (empty route columns, no routes.pdf).",
    ),
  kits: z
    .strictObject({
      bufferPercent: z
        .number()
        .int()
        .min(0)
        .max(100)
        .default(10)
        .describe("Spare kits on top of the planned tests, in whole percent, rounded up."),
    })
    .default({ bufferPercent: 10 })
    .describe("Test kits brought to the sites before each session."),
  pickupTime: replacedKey(
    "replaced by regions[].pickups.morning.departure (the time the morning run leaves the lab)",
  ),
  pickupDayOffset: replacedKey(
    "samples now go with the first pickup run after their shift ends; see regions[].pickups (weekdays, sameEvening, maxWaitHours)",
  ),
});
