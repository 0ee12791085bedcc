import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAttendanceShares, writeSimulatedReturns } from "../../src/attendance/simulate-attendance.ts";
import type { PlannedTest } from "../../src/domain/plan-types.ts";

const dir = mkdtempSync(join(tmpdir(), "simulate-attendance-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseAttendanceShares", () => {
  it.each([
    { text: "88/7/5", shares: { taken: 88, declined: 7, absent: 5 } },
    { text: " 90.5/4.5/5 ", shares: { taken: 90.5, declined: 4.5, absent: 5 } },
    { text: "100/0/0", shares: { taken: 100, declined: 0, absent: 0 } },
    { text: "88/7/4", shares: undefined },
    { text: "88/12", shares: undefined },
    { text: "88;7;5", shares: undefined },
    { text: "-2/97/5", shares: undefined },
  ])("$text", ({ text, shares }) => {
    expect(parseAttendanceShares(text)).toEqual(shares);
  });
});

function tests(code: number, count: number): PlannedTest[] {
  return Array.from({ length: count }, (_, i) => ({
    employeeId: `E${code}-${i}`,
    siteId: `S${code}`,
    municipalityCode: code,
    regionCode: 1084,
    date: "2020-10-05",
    weekday: 1,
    shift: "day",
    reason: "cycle",
  }));
}

describe("writeSimulatedReturns", () => {
  const week = { year: 2020, week: 41 };
  const shares = { taken: 88, declined: 7, absent: 5 };

  it("one CSV per municipality, every planned test once, drawn by the shares, the same on a rerun", async () => {
    const planned = [...tests(101, 6000), ...tests(350, 4000)];
    const files = await writeSimulatedReturns({ dataDir: dir, testWeek: week, planned, shares, seed: 2020 });
    expect(files).toEqual([
      join(dir, "attendance", "2020-W41", "101.csv"),
      join(dir, "attendance", "2020-W41", "350.csv"),
    ]);
    const first = files.map((f) => readFileSync(f));
    const rows = first.flatMap((bytes) =>
      bytes
        .toString("utf8")
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n")
        .slice(1),
    );
    expect(rows).toHaveLength(10_000);
    expect(rows[0]).toMatch(/^E101-0;2020-10-05;day;(taken|declined|absent)$/);
    const share = (outcome: string) => rows.filter((r) => r.endsWith(`;${outcome}`)).length / 100;
    // 10,000 draws: each share within 1.5 percentage points of the one asked for.
    expect(Math.abs(share("taken") - 88)).toBeLessThan(1.5);
    expect(Math.abs(share("declined") - 7)).toBeLessThan(1.5);
    expect(Math.abs(share("absent") - 5)).toBeLessThan(1.5);
    await writeSimulatedReturns({ dataDir: dir, testWeek: week, planned, shares, seed: 2020 });
    expect(files.map((f) => readFileSync(f))).toEqual(first);
    await writeSimulatedReturns({ dataDir: dir, testWeek: week, planned, shares, seed: 2021 });
    expect(readFileSync(files[0] ?? "")).not.toEqual(first[0]);
  });
});
