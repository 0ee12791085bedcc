import { describe, expect, it } from "vitest";
import { formatClockMinutes, parseClockMinutes } from "../../src/domain/route-clock.ts";

describe("parseClockMinutes", () => {
  it.each([
    { text: "00:00", minutes: 0 },
    { text: "07:30", minutes: 450 },
    { text: "23:59", minutes: 1439 },
  ])("$text → $minutes", ({ text, minutes }) => {
    expect(parseClockMinutes(text)).toBe(minutes);
  });
  it.each(["24:00", "7:30", "07:60", "0730", ""])("rejects %j", (text) => {
    expect(() => parseClockMinutes(text)).toThrow(RangeError);
  });
});

describe("formatClockMinutes", () => {
  it.each([
    { minutes: 450, text: "07:30" },
    { minutes: 536.49, text: "08:56" },
    { minutes: 536.5, text: "08:57" },
    { minutes: 1439.6, text: "00:00 +1d" },
    { minutes: 1440 + 94, text: "01:34 +1d" },
  ])("$minutes → $text", ({ minutes, text }) => {
    expect(formatClockMinutes(minutes)).toBe(text);
  });
});
