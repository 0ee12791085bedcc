import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { Classification } from "../../src/domain/classify.ts";
import { renderClassificationCsv } from "../../src/outputs/classification-file.ts";

const W44 = { year: 2020, week: 44 };
const WINDOW = { start: "2020-10-20", end: "2020-10-26" };

function classification(
  partial: Partial<Classification> & Pick<Classification, "code" | "name">,
): Classification {
  return {
    week: W44,
    regionCode: 1084,
    window: WINDOW,
    cases7d: 10,
    population: 50_000,
    incidence: 20,
    rawStatus: "red",
    status: "red",
    overrideId: null,
    limitToSites: null,
    ...partial,
  };
}

describe("renderClassificationCsv", () => {
  it("writes the contract columns, one row per municipality sorted by code", () => {
    const input = [
      classification({
        code: 825,
        name: "Læsø",
        regionCode: 1081,
        cases7d: null,
        population: 1_800,
        incidence: 0,
        rawStatus: "green",
        status: "green",
      }),
      classification({
        code: 101,
        name: "København",
        cases7d: 412,
        population: 632_340,
        incidence: (412 * 100_000) / 632_340,
      }),
      classification({
        code: 147,
        name: "Frederiksberg",
        cases7d: 21,
        population: 104_305,
        incidence: (21 * 100_000) / 104_305,
        rawStatus: "green",
        status: "red",
        overrideId: "stps-7",
      }),
    ];
    const parsed = parse(Buffer.from(renderClassificationCsv(input)), { bom: true, delimiter: ";" });

    expect(parsed).toEqual([
      [
        "municipality_code",
        "municipality",
        "region_code",
        "window_start",
        "window_end",
        "cases_7d",
        "population",
        "incidence_per_100k",
        "raw_status",
        "status",
        "override",
      ],
      // 412 × 100000 / 632340 = 65.154…; 21 × 100000 / 104305 = 20.133…
      ["101", "København", "1084", "2020-10-20", "2020-10-26", "412", "632340", "65.15", "red", "red", ""],
      [
        "147",
        "Frederiksberg",
        "1084",
        "2020-10-20",
        "2020-10-26",
        "21",
        "104305",
        "20.13",
        "green",
        "red",
        "stps-7",
      ],
      ["825", "Læsø", "1081", "2020-10-20", "2020-10-26", "", "1800", "0.00", "green", "green", ""],
    ]);
  });

  it("rounds the incidence to 2 decimals", () => {
    const parsed = parse(
      Buffer.from(
        renderClassificationCsv([classification({ code: 101, name: "København", incidence: 19.996 })]),
      ),
      { bom: true, delimiter: ";" },
    );
    expect(parsed[1]?.[7]).toBe("20.00");
  });
});
