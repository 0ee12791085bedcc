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
  it.each([
    { text: "24:00", message: 'clock time "24:00", expected HH:MM (00:00–23:59)' },
    { text: "7:30", message: 'clock time "7:30", expected HH:MM (00:00–23:59)' },
    { text: "07:60", message: 'clock time "07:60", expected HH:MM (00:00–23:59)' },
    { text: "0730", message: 'clock time "0730", expected HH:MM (00:00–23:59)' },
    { text: "", message: 'clock time "", expected HH:MM (00:00–23:59)' },
  ])("rejects $text", ({ text, message }) => {
    expect(() => parseClockMinutes(text)).toThrow(new RangeError(message));
  });
});

describe("formatClockMinutes", () => {
  it.each([
    { minutes: 450, text: "07:30" },
    { minutes: 536.49, text: "08:56" },
    { minutes: 536.5, text: "08:57" },
    { minutes: 1439.6, text: "00:00 +1d" },
    { minutes: 1440 + 94, text: "01:34 +1d" },
    { minutes: 2 * 1440 + 5, text: "00:05 +2d" },
    // Before midnight of the day: -10 min is 23:50 of the day before (no "+" on a negative day).
    { minutes: -10, text: "23:50 -1d" },
  ])("$minutes → $text", ({ minutes, text }) => {
    expect(formatClockMinutes(minutes)).toBe(text);
  });
});
