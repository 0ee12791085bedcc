import { describe, expect, it } from "vitest";
import {
  escapeHtml,
  formatDate,
  formatLongDate,
  formatNumber,
  formatPercent,
  formatShortDate,
  formatTimestamp,
  weekOfDate,
} from "../../../src/outputs/report/format.ts";

describe("formatNumber (fixed separators, not the machine's locale)", () => {
  const cases = [
    { name: "Danish thousands dot", value: 37_253, decimals: 0, da: "37.253", en: "37,253" },
    { name: "Danish decimal comma", value: 97.7321, decimals: 2, da: "97,73", en: "97.73" },
    { name: "millions", value: 1_234_567.5, decimals: 1, da: "1.234.567,5", en: "1,234,567.5" },
    { name: "small number, no separator", value: 594, decimals: 0, da: "594", en: "594" },
    {
      name: "rounds like toFixed (1.005 is stored below 1.005)",
      value: 1.005,
      decimals: 1,
      da: "1,0",
      en: "1.0",
    },
    { name: "negative with a minus sign", value: -1500, decimals: 0, da: "−1.500", en: "−1,500" },
    { name: "negative zero after rounding has no sign", value: -0.001, decimals: 2, da: "0,00", en: "0.00" },
  ];
  it.each(cases)("$name", ({ value, decimals, da, en }) => {
    expect(formatNumber(value, "da", decimals)).toBe(da);
    expect(formatNumber(value, "en", decimals)).toBe(en);
  });

  it("formats shares as whole percentages", () => {
    expect(formatPercent(0.396, "da")).toBe("40 %");
    expect(formatPercent(0.396, "en")).toBe("40%");
  });
});

describe("dates and times", () => {
  it.each([
    {
      date: "2020-09-30",
      da: "30. september 2020",
      en: "30 September 2020",
      short: "30/9",
      long: "onsdag 30. september 2020",
    },
    {
      date: "2020-10-05",
      da: "5. oktober 2020",
      en: "5 October 2020",
      short: "5/10",
      long: "mandag 5. oktober 2020",
    },
    {
      date: "2021-01-03",
      da: "3. januar 2021",
      en: "3 January 2021",
      short: "3/1",
      long: "søndag 3. januar 2021",
    },
  ])("$date", ({ date, da, en, short, long }) => {
    expect(formatDate(date, "da")).toBe(da);
    expect(formatDate(date, "en")).toBe(en);
    expect(formatShortDate(date, "da")).toBe(short);
    expect(formatLongDate(date, "da")).toBe(long);
  });

  it("shows a timestamp in its own offset, whatever the machine's zone", () => {
    expect(formatTimestamp("2020-09-30T10:00:00.000+02:00", "da")).toBe("30. september 2020 kl. 10:00");
    expect(formatTimestamp("2021-03-10T10:00:00.000+01:00", "en")).toBe("10 March 2021, 10:00");
    expect(() => formatTimestamp("last Wednesday", "da")).toThrow(/not an ISO 8601 timestamp/);
  });

  it("finds the ISO week of a date across the year boundary", () => {
    expect(weekOfDate("2021-01-03")).toEqual({ year: 2020, week: 53 });
    expect(weekOfDate("2021-01-04")).toEqual({ year: 2021, week: 1 });
  });
});

describe("escapeHtml", () => {
  it("escapes markup and quotes", () => {
    expect(escapeHtml(`<b a="1">Ærø & 'x'</b>`)).toBe(
      "&lt;b a=&quot;1&quot;&gt;Ærø &amp; &#39;x&#39;&lt;/b&gt;",
    );
  });
});
