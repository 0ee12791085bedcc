import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pickUpAttendance } from "../../src/attendance/attendance-folder.ts";
import type { PlannedTest } from "../../src/domain/plan-types.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

/* The folder `<data>/attendance/2020-W41/` beside a store holding the rota of test week 2020-W41. */
const MUNICIPALITIES = [
  { code: 350, name: "Lejre", regionCode: 1085, population: 27_000, aliases: [] },
  { code: 492, name: "Ærø", regionCode: 1083, population: 6_000, aliases: [] },
];

function planned(employeeId: string, municipalityCode: number): PlannedTest {
  return {
    employeeId,
    siteId: `S${municipalityCode}`,
    municipalityCode,
    regionCode: 1085,
    date: "2020-10-05",
    weekday: 1,
    shift: "day",
    reason: "cycle",
  };
}

let dataDir: string;
let folder: string;
let store: StateStore;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "attendance-folder-"));
  folder = join(dataDir, "attendance", "2020-W41");
  mkdirSync(folder, { recursive: true });
  store = openStateStore(join(dataDir, "testrota.sqlite"));
  await store.commitWeek({
    week: { year: 2020, week: 40 },
    runId: "run-40",
    classifications: [],
    cadence: new Map(),
    inputDigest: "d".repeat(64),
    plan: weekPlanOf(
      { year: 2020, week: 41 },
      { tests: [planned("L-1", 350), planned("L-2", 350), planned("A-1", 492)] },
    ),
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function pickUp(week = 42) {
  return pickUpAttendance({
    dataDir,
    store,
    municipalities: MUNICIPALITIES,
    runWeek: { year: 2020, week },
    at: "2020-10-14T08:00:00.000Z",
  });
}

describe("the attendance folder the worker picks up before each run", () => {
  it("imports the valid files, refuses a broken one with its problems, and leaves the rest alone next time", async () => {
    writeFileSync(
      join(folder, "350.csv"),
      "employee_id;date;shift;outcome\nL-1;2020-10-05;day;taken\nL-2;2020-10-05;day;absent\n",
    );
    writeFileSync(join(folder, "492.csv"), "employee_id;date;shift;outcome\nA-1;2020-10-05;day;maybe\n");
    writeFileSync(join(folder, "notes.txt"), "ignored");
    const first = await pickUp();
    expect(first.results.map((r) => [r.municipalityCode, r.action])).toEqual([[350, "imported"]]);
    expect(first.refused).toEqual([
      {
        file: join(folder, "492.csv"),
        problems: [
          `${join(folder, "492.csv")}:2: outcome: expected taken, declined or absent (or taget, afslået, fraværende), or blank when not known, found a value of 5 characters`,
        ],
      },
    ]);
    expect((await store.listAttendanceAudit()).map((a) => a.author)).toEqual(["attendance folder"]);

    // The same folder again: nothing to do.
    expect((await pickUp()).results).toEqual([]);

    // A correction from the command line is not undone by the older file still in the folder.
    const [original] = await store.listAttendanceReturns();
    await store.importAttendance(
      [
        {
          testWeek: { year: 2020, week: 41 },
          municipalityCode: 350,
          digest: "corrected",
          fileName: "350-rettet.csv",
          fileSha256: "f".repeat(64),
          format: "csv",
          outcomes: [],
          counts: { rows: 2, taken: 0, declined: 0, absent: 0, blank: 2 },
        },
      ],
      { author: "kl-anne", at: "2020-10-14T09:00:00.000Z" },
    );
    expect((await pickUp()).results).toEqual([]);
    expect((await store.listAttendanceReturns())[0]?.digest).toBe("corrected");

    // A changed file in the folder is a new return.
    writeFileSync(
      join(folder, "350.csv"),
      "employee_id;date;shift;outcome\nL-1;2020-10-05;day;taken\nL-2;2020-10-05;day;taken\n",
    );
    const changed = await pickUp();
    expect(changed.results.map((r) => [r.municipalityCode, r.action, r.previousDigest])).toEqual([
      [350, "replaced", "corrected"],
    ]);
    expect(original?.digest).not.toBe(changed.results[0]?.digest);
  });

  it("looks back 12 weeks: the run of 2020-W53 reads test week 2020-W41, that of 2021-W01 no longer", async () => {
    writeFileSync(join(folder, "350.csv"), "employee_id;date;shift;outcome\nL-1;2020-10-05;day;taken\n");
    const run = (year: number, week: number) =>
      pickUpAttendance({ dataDir, store, municipalities: MUNICIPALITIES, runWeek: { year, week }, at: "t" });
    expect((await run(2021, 1)).results).toEqual([]);
    expect((await run(2020, 53)).results).toHaveLength(1);
  });
});
