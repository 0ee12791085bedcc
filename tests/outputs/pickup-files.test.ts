import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { Pickup } from "../../src/domain/plan-types.ts";
import type { Site } from "../../src/domain/roster.ts";
import {
  buildPickupRows,
  renderPickupsCsv,
  renderPickupsJson,
  type PickupRow,
} from "../../src/outputs/pickup-files.ts";

const HEADER = [
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

const ROWS: PickupRow[] = [
  {
    date: "2020-11-04",
    pickupTime: "10:00",
    siteId: "S2",
    siteName: "Hjemmeplejen Syd",
    address: "Vej 1; st.",
    municipalityCode: 101,
    samples: 7,
    kitsToDeliver: 9,
    testDate: "2020-11-03",
  },
  {
    date: "2020-11-03",
    pickupTime: "10:00",
    siteId: "S1",
    siteName: 'Plejecenter "Egely"',
    address: "Skolevej 1, 2300 København S",
    municipalityCode: 147,
    samples: 12,
    kitsToDeliver: 0,
    testDate: "2020-11-02",
  },
];

describe("renderPickupsCsv", () => {
  it("writes the contract columns plus test_date, sorted by pickup date", () => {
    const parsed = parse(Buffer.from(renderPickupsCsv(ROWS)), { bom: true, delimiter: ";" });
    expect(parsed).toEqual([
      HEADER,
      [
        "2020-11-03",
        "10:00",
        "S1",
        'Plejecenter "Egely"',
        "Skolevej 1, 2300 København S",
        "147",
        "12",
        "0",
        "2020-11-02",
      ],
      ["2020-11-04", "10:00", "S2", "Hjemmeplejen Syd", "Vej 1; st.", "101", "7", "9", "2020-11-03"],
    ]);
  });
});

describe("pickup row order", () => {
  const row = (date: string, pickupTime: string, siteId: string, testDate: string): PickupRow => ({
    date,
    pickupTime,
    siteId,
    siteName: siteId,
    address: "x",
    municipalityCode: 101,
    samples: 1,
    kitsToDeliver: 1,
    testDate,
  });
  // Given in an order that each tie-break has to repair: pickup date, then time, then site id
  // (code units: "S10" < "S2"), then test date.
  const rows = [
    row("2020-10-06", "08:00", "S2", "2020-10-05"),
    row("2020-10-06", "07:30", "S9", "2020-10-05"),
    row("2020-10-06", "08:00", "S10", "2020-10-05"),
    row("2020-10-06", "08:00", "S2", "2020-10-02"),
    row("2020-10-05", "09:00", "S1", "2020-10-02"),
  ];
  const expected = [
    ["2020-10-05", "09:00", "S1", "2020-10-02"],
    ["2020-10-06", "07:30", "S9", "2020-10-05"],
    ["2020-10-06", "08:00", "S10", "2020-10-05"],
    ["2020-10-06", "08:00", "S2", "2020-10-02"],
    ["2020-10-06", "08:00", "S2", "2020-10-05"],
  ];

  it("sorts the CSV by pickup date, time, site id and test date", () => {
    const parsed: string[][] = parse(Buffer.from(renderPickupsCsv(rows)), { bom: true, delimiter: ";" });
    expect(parsed.slice(1).map((r) => [r[0], r[1], r[2], r[8]])).toEqual(expected);
  });

  it("sorts the JSON the same way", () => {
    const parsed = JSON.parse(new TextDecoder().decode(renderPickupsJson(1084, rows))) as {
      pickups: { date: string; pickup_time: string; site_id: string; test_date: string }[];
    };
    expect(parsed.pickups.map((p) => [p.date, p.pickup_time, p.site_id, p.test_date])).toEqual(expected);
  });
});

describe("renderPickupsJson", () => {
  it("writes region_code and the pickups with the CSV's keys in order, 2-space indent, final newline", () => {
    const text = new TextDecoder().decode(renderPickupsJson(1084, ROWS));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('\n  "pickups": [\n    {\n      "date": "2020-11-03",');
    const parsed = JSON.parse(text) as { region_code: number; pickups: Record<string, unknown>[] };
    expect(Object.keys(parsed)).toEqual(["region_code", "pickups"]);
    expect(parsed.region_code).toBe(1084);
    expect(parsed.pickups.map((p) => Object.keys(p))).toEqual([HEADER, HEADER]);
    expect(parsed.pickups[1]).toEqual({
      date: "2020-11-04",
      pickup_time: "10:00",
      site_id: "S2",
      site_name: "Hjemmeplejen Syd",
      address: "Vej 1; st.",
      municipality_code: 101,
      samples: 7,
      kits_to_deliver: 9,
      test_date: "2020-11-03",
    });
  });

  it("is the same bytes whatever the input order", () => {
    expect(renderPickupsJson(1084, [...ROWS].reverse())).toEqual(renderPickupsJson(1084, ROWS));
  });
});

describe("buildPickupRows", () => {
  it("joins site name and address and groups by region", () => {
    const sites: Site[] = [
      { id: "S1", municipalityCode: 147, kind: "nursing-home", name: "Egely", address: "Skolevej 1" },
      { id: "S9", municipalityCode: 825, kind: "home-care", name: "Læsø", address: "Doktorvejen 2" },
    ];
    const pickups: Pickup[] = [
      {
        regionCode: 1084,
        municipalityCode: 147,
        siteId: "S1",
        testDate: "2020-11-02",
        pickupDate: "2020-11-03",
        pickupTime: "10:00",
        samples: 5,
        kitsToDeliver: 6,
      },
      {
        regionCode: 1081,
        municipalityCode: 825,
        siteId: "S9",
        testDate: "2020-11-04",
        pickupDate: "2020-11-05",
        pickupTime: "09:00",
        samples: 2,
        kitsToDeliver: 2,
      },
    ];
    const rows = buildPickupRows(pickups, sites);
    expect(rows.get(1084)).toEqual([
      {
        date: "2020-11-03",
        pickupTime: "10:00",
        siteId: "S1",
        siteName: "Egely",
        address: "Skolevej 1",
        municipalityCode: 147,
        samples: 5,
        kitsToDeliver: 6,
        testDate: "2020-11-02",
      },
    ]);
    expect(rows.get(1081)?.map((r) => r.siteId)).toEqual(["S9"]);
    expect(() => buildPickupRows([{ ...pickups[0]!, siteId: "S404" }], sites)).toThrow(/S404/);
  });
});
