import { describe, expect, it } from "vitest";
import {
  addDays,
  addWeeks,
  classificationDate,
  compareWeeks,
  daysBetween,
  isIsoDate,
  localDate,
  classificationWindow,
  formatIsoWeek,
  instantAt,
  parseIsoWeek,
  weekAt,
  weekRange,
  weeksBetween,
} from "../../src/domain/calendar.ts";

describe("ISO weeks", () => {
  const parseCases = [
    { name: "2020 has a week 53", text: "2020-W53", valid: true },
    { name: "2021 has no week 53", text: "2021-W53", valid: false },
    { name: "week 00 does not exist", text: "2020-W00", valid: false },
    { name: "loose format is refused", text: "2020W44", valid: false },
  ];
  it.each(parseCases)("$name", ({ text, valid }) => {
    expect(parseIsoWeek(text) !== undefined).toBe(valid);
  });

  it("reads a week with surrounding blanks and formats it back with zero padding", () => {
    expect(parseIsoWeek(" 2020-W07\n")).toEqual({ year: 2020, week: 7 });
    expect(formatIsoWeek({ year: 2020, week: 7 })).toBe("2020-W07");
    expect(formatIsoWeek({ year: 987, week: 12 })).toBe("0987-W12");
  });

  it.each([
    { a: { year: 2020, week: 40 }, b: { year: 2020, week: 41 }, sign: -1 },
    { a: { year: 2020, week: 41 }, b: { year: 2020, week: 40 }, sign: 1 },
    { a: { year: 2020, week: 53 }, b: { year: 2021, week: 1 }, sign: -1 },
    { a: { year: 2021, week: 1 }, b: { year: 2020, week: 53 }, sign: 1 },
    { a: { year: 2020, week: 41 }, b: { year: 2020, week: 41 }, sign: 0 },
  ])("compareWeeks orders $a before or after $b", ({ a, b, sign }) => {
    expect(Math.sign(compareWeeks(a, b))).toBe(sign);
  });

  it.each([
    { text: "2020-02-29", valid: true },
    { text: "2021-02-29", valid: false },
    { text: "2020-13-01", valid: false },
    { text: "2020-1-01", valid: false },
    { text: "20200101", valid: false },
  ])("isIsoDate($text) is $valid", ({ text, valid }) => {
    expect(isIsoDate(text)).toBe(valid);
  });

  it("gives the local date of an instant: 23:30 UTC on 3 January 2021 is 4 January in Copenhagen", () => {
    expect(localDate(Date.UTC(2021, 0, 3, 23, 30), "Europe/Copenhagen")).toBe("2021-01-04");
    expect(localDate(Date.UTC(2021, 0, 3, 23, 30), "UTC")).toBe("2021-01-03");
  });

  it("counts calendar days and adds them across month and year ends", () => {
    expect(addDays("2020-12-30", 3)).toBe("2021-01-02");
    expect(addDays("2020-03-01", -1)).toBe("2020-02-29");
    expect(daysBetween("2020-08-24", "2020-10-05")).toBe(42);
    expect(daysBetween("2020-10-05", "2020-08-24")).toBe(-42);
  });

  it("adds weeks across week 53", () => {
    expect(formatIsoWeek(addWeeks({ year: 2020, week: 52 }, 2))).toBe("2021-W01");
    expect(formatIsoWeek(addWeeks({ year: 2021, week: 1 }, -1))).toBe("2020-W53");
    expect(weeksBetween({ year: 2020, week: 50 }, { year: 2021, week: 2 })).toBe(5);
    expect(weekRange({ year: 2020, week: 52 }, { year: 2021, week: 1 }).map(formatIsoWeek)).toEqual([
      "2020-W52",
      "2020-W53",
      "2021-W01",
    ]);
  });

  it("classifies on the Wednesday; the default window is D−8 … D−2 (Tuesday to Monday)", () => {
    expect(classificationDate({ year: 2020, week: 37 })).toBe("2020-09-09");
    expect(classificationWindow({ year: 2020, week: 37 })).toEqual({
      start: "2020-09-01",
      end: "2020-09-07",
    });
    expect(
      classificationWindow({ year: 2020, week: 37 }, { startOffsetDays: -7, endOffsetDays: -1 }),
    ).toEqual({
      start: "2020-09-02",
      end: "2020-09-08",
    });
  });

  const zoneCases = [
    // 2021-01-03 23:30 UTC is already Monday 00:30 in Copenhagen: week 1 of 2021.
    { name: "a UTC Sunday night is a Copenhagen Monday", ms: Date.UTC(2021, 0, 3, 23, 30), week: "2021-W01" },
    {
      name: "a UTC Sunday evening is still the Copenhagen week before",
      ms: Date.UTC(2021, 0, 3, 22, 30),
      week: "2020-W53",
    },
  ];
  it.each(zoneCases)("$name", ({ ms, week }) => {
    expect(formatIsoWeek(weekAt(ms, "Europe/Copenhagen"))).toBe(week);
  });

  it("maps Copenhagen wall-clock times to UTC across DST", () => {
    expect(new Date(instantAt("2020-09-30", "10:00", "Europe/Copenhagen")).toISOString()).toBe(
      "2020-09-30T08:00:00.000Z",
    );
    expect(new Date(instantAt("2020-11-04", "10:00", "Europe/Copenhagen")).toISOString()).toBe(
      "2020-11-04T09:00:00.000Z",
    );
  });
});
