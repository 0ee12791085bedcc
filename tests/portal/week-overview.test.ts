/*
 * Pickup totals of a region's week, read from its pickups.json: a pickup is a visit collecting
 * samples (site, date and run), whatever number of test dates it collects; a delivery-only stop
 * brings kits but is no pickup. Files of both layouts count the same way.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readPickupTotals } from "../../src/portal/week-overview.ts";

const WEEK = "2020-W40";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "testrota-overview-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writePickups(rows: readonly Record<string, unknown>[]): void {
  const folder = join(dir, WEEK, "regions", "1084");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "pickups.json"), `${JSON.stringify({ region_code: 1084, pickups: rows })}\n`);
}

describe("readPickupTotals", () => {
  it("counts visits with samples as pickups, and every row's samples and kits", async () => {
    // Rows as routes' pickups.json has them (further columns left out): one per stop and test date.
    writePickups([
      // A delivery-only stop on Friday evening's run: 11 kits, no pickup.
      { date: "2020-10-02", pickup_time: "15:30", site_id: "S1", samples: 0, kits_to_deliver: 11 },
      // S1 on Tuesday morning collects two test dates: one pickup, kits on its first row only.
      { date: "2020-10-06", pickup_time: "07:30", site_id: "S1", samples: 4, kits_to_deliver: 6 },
      { date: "2020-10-06", pickup_time: "07:30", site_id: "S1", samples: 3, kits_to_deliver: 0 },
      { date: "2020-10-06", pickup_time: "07:30", site_id: "S2", samples: 5, kits_to_deliver: 0 },
      // S1 again on Thursday: a second pickup at the same site.
      { date: "2020-10-08", pickup_time: "07:30", site_id: "S1", samples: 2, kits_to_deliver: 0 },
    ]);
    await expect(readPickupTotals(dir, WEEK, 1084)).resolves.toEqual({
      pickups: 3,
      sites: 2,
      samples: 4 + 3 + 5 + 2,
      kits: 11 + 6,
      firstDate: "2020-10-02",
      lastDate: "2020-10-08",
    });
  });

  it("reads a file of one row per pickup (the earlier layout) as before", async () => {
    writePickups([
      { date: "2020-10-06", pickup_time: "07:30", site_id: "S1", samples: 2, kits_to_deliver: 2 },
      { date: "2020-10-07", pickup_time: "07:30", site_id: "S2", samples: 1, kits_to_deliver: 1 },
    ]);
    await expect(readPickupTotals(dir, WEEK, 1084)).resolves.toEqual({
      pickups: 2,
      sites: 2,
      samples: 3,
      kits: 3,
      firstDate: "2020-10-06",
      lastDate: "2020-10-07",
    });
  });
});
