import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { PickupRun } from "../../src/domain/pickup-days.ts";
import type { PickupStop, PlannedStop, RunRoutes } from "../../src/domain/pickup-routes.ts";
import type { Site } from "../../src/domain/roster.ts";
import type { RegionPickups } from "../../src/domain/week-pickups.ts";
import { buildPickupRows, renderPickupsCsv, renderPickupsJson } from "../../src/outputs/pickup-files.ts";

const ORIGINAL = [
  "date",
  "pickup_time",
  "site_id",
  "site_name",
  "address",
  "municipality_code",
  "samples",
  "kits_to_deliver",
  "test_date",
];
const ADDED = [
  "pickup_run",
  "depot",
  "route",
  "route_count",
  "stop_order",
  "eta",
  "samples_by_shift",
  "kits_for_sessions",
  "delivery_only",
  "earlier_plan",
  "contact_phone",
  "access_note",
  "pickup_hours",
  "latitude",
  "longitude",
  "location_approximate",
  "wait_hours",
];

const SITES: Site[] = [
  {
    id: "S1",
    municipalityCode: 147,
    kind: "nursing-home",
    name: 'Plejecenter "Egely"',
    address: "Skolevej 1; st., 2000 Frederiksberg",
    location: { latitude: 55.681234, longitude: 12.531239, source: "site", approximate: false },
    contactPhone: "38 14 00 00",
    accessNote: "Indgang B, kontoret til venstre",
    pickupHours: { open: "07:00", close: "22:00" },
  },
  // No position of its own and no details: the municipality stood in.
  {
    id: "S2",
    municipalityCode: 101,
    kind: "home-care",
    name: "Hjemmeplejen Syd",
    address: "Vej 2, 2300 København S",
    location: { latitude: 55.67, longitude: 12.57, source: "municipality", approximate: true },
  },
];

const FRIDAY_EVENING: PickupRun = {
  date: "2020-10-02",
  kind: "evening",
  departure: "15:30",
  latestArrival: "19:00",
};
const MONDAY: PickupRun = { date: "2020-10-05", kind: "morning", departure: "07:30", latestArrival: "12:00" };
const TUESDAY: PickupRun = {
  date: "2020-10-06",
  kind: "morning",
  departure: "07:30",
  latestArrival: "12:00",
};

// Friday evening: kits only for S1's Monday sessions. Monday: S2's Friday-night and Sunday
// samples. Tuesday: S1's Monday samples of all three shifts (and kits for Wednesday), S2 empty-handed
// on the first route, so route order and site order disagree.
const STOPS: PickupStop[] = [
  {
    siteId: "S1",
    run: FRIDAY_EVENING,
    collects: [],
    kits: [
      { date: "2020-10-05", shift: "evening", kits: 6 },
      { date: "2020-10-05", shift: "day", kits: 11 },
    ],
    fromEarlierPlan: false,
  },
  {
    siteId: "S2",
    run: MONDAY,
    collects: [
      { date: "2020-10-04", shift: "day", samples: 2, waitHours: 21 },
      { date: "2020-10-02", shift: "night", samples: 1, waitHours: 53 },
    ],
    kits: [{ date: "2020-10-06", shift: "day", kits: 3 }],
    fromEarlierPlan: true,
  },
  {
    siteId: "S1",
    run: TUESDAY,
    collects: [
      { date: "2020-10-05", shift: "night", samples: 3, waitHours: 5 },
      { date: "2020-10-05", shift: "day", samples: 10, waitHours: 21 },
      { date: "2020-10-05", shift: "evening", samples: 5, waitHours: 13 },
    ],
    kits: [{ date: "2020-10-07", shift: "day", kits: 4 }],
    fromEarlierPlan: false,
  },
  {
    siteId: "S2",
    run: TUESDAY,
    collects: [{ date: "2020-10-05", shift: "day", samples: 7, waitHours: 21 }],
    kits: [],
    fromEarlierPlan: false,
  },
];

function place(stop: PickupStop, route: number, routeCount: number, order: number, eta: number): PlannedStop {
  return { ...stop, depot: "KMA Hvidovre", route, routeCount, order, eta };
}

function runOf(run: PickupRun, stops: PlannedStop[]): RunRoutes {
  return { run, routes: [], violations: [], stops };
}

const [FRIDAY_S1, MONDAY_S2, TUESDAY_S1, TUESDAY_S2] = STOPS as [
  PickupStop,
  PickupStop,
  PickupStop,
  PickupStop,
];

function pickups(routed: boolean, stops: readonly PickupStop[] = STOPS): RegionPickups {
  return {
    regionCode: 1084,
    routed,
    deliveryFrom: "2020-10-01",
    shiftsWithoutTestDay: [],
    plan: {
      stops,
      runs: routed
        ? [
            runOf(FRIDAY_EVENING, [place(FRIDAY_S1, 1, 1, 1, 15 * 60 + 52)]),
            runOf(MONDAY, [place(MONDAY_S2, 1, 1, 1, 7 * 60 + 48)]),
            runOf(TUESDAY, [
              place(TUESDAY_S2, 1, 2, 3, 8 * 60 + 41.6),
              place(TUESDAY_S1, 2, 2, 1, 7 * 60 + 55),
            ]),
          ]
        : [],
      allocations: [],
      waitViolations: [],
      unservedKits: [],
    },
  };
}

function csvOf(bytes: Uint8Array): string[][] {
  return parse(Buffer.from(bytes), { bom: true, delimiter: ";" });
}

// Worked out by hand from STOPS: one row per stop and test date, kits on a stop's first row.
const S1_DETAILS = [
  "38 14 00 00",
  "Indgang B, kontoret til venstre",
  "07:00-22:00",
  "55.68123",
  "12.53124",
  "no",
];
const S2_DETAILS = ["", "", "", "55.67", "12.57", "yes"];
const S1_HEAD = ["S1", 'Plejecenter "Egely"', "Skolevej 1; st., 2000 Frederiksberg", "147"];
const S2_HEAD = ["S2", "Hjemmeplejen Syd", "Vej 2, 2300 København S", "101"];
const EXPECTED_ROUTED = [
  [
    ...["2020-10-02", "15:30", ...S1_HEAD, "0", "17", ""],
    ...["evening", "KMA Hvidovre", "1", "1", "1", "15:52", ""],
    ...["2020-10-05 day 11|2020-10-05 evening 6", "yes", "no", ...S1_DETAILS, ""],
  ],
  [
    ...["2020-10-05", "07:30", ...S2_HEAD, "1", "3", "2020-10-02"],
    ...["morning", "KMA Hvidovre", "1", "1", "1", "07:48", "night 1"],
    ...["2020-10-06 day 3", "no", "yes", ...S2_DETAILS, "53"],
  ],
  [
    ...["2020-10-05", "07:30", ...S2_HEAD, "2", "0", "2020-10-04"],
    ...["morning", "KMA Hvidovre", "1", "1", "1", "07:48", "day 2"],
    ...["", "no", "yes", ...S2_DETAILS, "21"],
  ],
  [
    ...["2020-10-06", "07:30", ...S2_HEAD, "7", "0", "2020-10-05"],
    ...["morning", "KMA Hvidovre", "1", "2", "3", "08:42", "day 7"],
    ...["", "no", "no", ...S2_DETAILS, "21"],
  ],
  [
    ...["2020-10-06", "07:30", ...S1_HEAD, "18", "4", "2020-10-05"],
    ...["morning", "KMA Hvidovre", "2", "2", "1", "07:55", "day 10|evening 5|night 3"],
    ...["2020-10-07 day 4", "no", "no", ...S1_DETAILS, "21"],
  ],
];

describe("pickups.csv", () => {
  it("keeps the nine original columns first and adds the route columns at the end", () => {
    const [header] = csvOf(renderPickupsCsv([]));
    expect(header).toEqual([...ORIGINAL, ...ADDED]);
  });

  it("writes one row per stop and test date, in driving order, with kits on a stop's first row", () => {
    const [, ...rows] = csvOf(renderPickupsCsv(buildPickupRows(pickups(true), SITES)));
    expect(rows).toEqual(EXPECTED_ROUTED);
  });

  it("leaves the route columns empty for a region without routes, ordered by run and site", () => {
    const [, ...rows] = csvOf(renderPickupsCsv(buildPickupRows(pickups(false), SITES)));
    const routeColumns = (row: string[]) => row.slice(10, 15);
    expect(rows.map(routeColumns)).toEqual(rows.map(() => ["", "", "", "", ""]));
    // Tuesday: S1 before S2 by site id once there are no routes.
    expect(rows.map((row) => `${row[0]} ${row[2]} ${row[8]}`)).toEqual([
      "2020-10-02 S1 ",
      "2020-10-05 S2 2020-10-02",
      "2020-10-05 S2 2020-10-04",
      "2020-10-06 S1 2020-10-05",
      "2020-10-06 S2 2020-10-05",
    ]);
  });

  it("gives the same bytes whatever order the stops come in", () => {
    const forward = renderPickupsCsv(buildPickupRows(pickups(true), SITES));
    const backward = renderPickupsCsv(buildPickupRows(pickups(true, [...STOPS].reverse()), SITES));
    expect(backward).toEqual(forward);
  });

  it("refuses a stop at a site missing from the sites list", () => {
    expect(() => buildPickupRows(pickups(true), SITES.slice(0, 1))).toThrow(/S2/);
  });
});

describe("pickups.json", () => {
  it("has the CSV's keys in order, numbers as numbers and null where the CSV cell is empty", () => {
    const text = new TextDecoder().decode(renderPickupsJson(1084, buildPickupRows(pickups(true), SITES)));
    expect(text.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(text) as { region_code: number; pickups: Record<string, unknown>[] };
    expect(Object.keys(parsed)).toEqual(["region_code", "pickups"]);
    expect(parsed.region_code).toBe(1084);
    expect(parsed.pickups.map((p) => Object.keys(p))).toEqual(
      EXPECTED_ROUTED.map(() => [...ORIGINAL, ...ADDED]),
    );
    expect(parsed.pickups[0]).toEqual({
      date: "2020-10-02",
      pickup_time: "15:30",
      site_id: "S1",
      site_name: 'Plejecenter "Egely"',
      address: "Skolevej 1; st., 2000 Frederiksberg",
      municipality_code: 147,
      samples: 0,
      kits_to_deliver: 17,
      test_date: null,
      pickup_run: "evening",
      depot: "KMA Hvidovre",
      route: 1,
      route_count: 1,
      stop_order: 1,
      eta: "15:52",
      samples_by_shift: "",
      kits_for_sessions: "2020-10-05 day 11|2020-10-05 evening 6",
      delivery_only: "yes",
      earlier_plan: "no",
      contact_phone: "38 14 00 00",
      access_note: "Indgang B, kontoret til venstre",
      pickup_hours: "07:00-22:00",
      latitude: 55.68123,
      longitude: 12.53124,
      location_approximate: "no",
      wait_hours: null,
    });
  });
});
