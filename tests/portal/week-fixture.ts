// A small published week written by hand (not by the code under test): two municipalities of
// region 1084 with named staff in their own folders only, one region folder, the shared files
// and a manifest, for the portal and notification tests that need no real run.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const WEEK = "2020-W40";

/** Staff of the fixture: they must never appear outside their municipality's folder. */
export const STAFF = [
  { id: "E101-000001", name: "Mette Kjærgaard", municipality: 101 },
  { id: "E101-000002", name: "Jonas Überlund", municipality: 101 },
  { id: "E147-000001", name: "Sofie Frandsen", municipality: 147 },
] as const;

const BOM = "\uFEFF";

function csv(rows: readonly (readonly (string | number)[])[]): string {
  return `${BOM}${rows.map((row) => row.join(";")).join("\r\n")}\r\n`;
}

function rota(code: number): string {
  const staff = STAFF.filter((s) => s.municipality === code);
  return csv([
    ["employee_id", "name", "site_id", "site_name", "date", "weekday", "shift", "reason"],
    ...staff.map((s) => [
      s.id,
      s.name,
      `S0${code}-NH01`,
      "Plejecenter Egevang",
      "2020-10-05",
      "monday",
      "day",
      "cycle",
    ]),
  ]);
}

/** The files of the week (path → content). */
export function weekFiles(week = WEEK, testWeek = "2020-W41"): Map<string, string> {
  const summary = {
    week,
    test_week: testWeek,
    generated_at: "2020-09-30T10:00:00.000+02:00",
    counts: { municipalities: 98, red: 77, green: 21, tests: 3, deferred: 0, gapViolations: 0 },
    red_flow: [
      { code: 101, name: "København", event: "in-flow" },
      { code: 147, name: "Frederiksberg", event: "flow-started" },
    ],
    lookahead: { test_week: "2020-W42", provisional: true, tests: 1, deferred: 0 },
  };
  const files = new Map<string, string>([
    ["LÆS-MIG.txt", `${BOM}LÆS MIG – testrota, mappe ${week}\r\n`],
    ["README.txt", `${BOM}READ ME – testrota, folder ${week}\r\n`],
    [
      "classification.csv",
      csv([
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
        [101, "København", 1084, "2020-09-22", "2020-09-28", 600, 632340, "94.89", "red", "red", ""],
        [147, "Frederiksberg", 1084, "2020-09-22", "2020-09-28", 80, 103960, "76.95", "red", "red", ""],
        [825, "Læsø", 1081, "2020-09-22", "2020-09-28", 0, 1800, "0.00", "green", "green", ""],
      ]),
    ],
    ["summary.json", `${JSON.stringify(summary, null, 2)}\n`],
    ["municipalities/101/rota.csv", rota(101)],
    ["municipalities/101/LÆS-MIG.txt", `${BOM}København (101)\r\n`],
    [
      "municipalities/101/sites/S0101-NH01.ics",
      "BEGIN:VCALENDAR\r\nSUMMARY:Mette Kjærgaard\r\nEND:VCALENDAR\r\n",
    ],
    ["municipalities/147/rota.csv", rota(147)],
    ["lookahead/2020-W42/FORELØBIG-LÆS-MIG.txt", `${BOM}FORELØBIG\r\n`],
    ["lookahead/2020-W42/municipalities/101/FORELØBIG-rota.csv", rota(101)],
    ["lookahead/2020-W42/municipalities/147/FORELØBIG-rota.csv", rota(147)],
    [
      "regions/1084/pickups.csv",
      csv([
        ["date", "pickup_time", "site_id", "samples"],
        ["2020-10-06", "07:30", "S0101-NH01", 2],
      ]),
    ],
    [
      "regions/1084/pickups.json",
      `${JSON.stringify({
        region_code: 1084,
        pickups: [
          {
            date: "2020-10-06",
            pickup_time: "07:30",
            site_id: "S0101-NH01",
            samples: 2,
            kits_to_deliver: 2,
            municipality_code: 101,
          },
          {
            date: "2020-10-07",
            pickup_time: "07:30",
            site_id: "S0147-NH01",
            samples: 1,
            kits_to_deliver: 1,
            municipality_code: 147,
          },
        ],
      })}\n`,
    ],
    ["regions/1081/pickups.csv", csv([["date", "pickup_time", "site_id", "samples"]])],
  ]);
  const manifest = {
    folder: week,
    files: [...files.keys()].sort().map((path) => {
      const bytes = Buffer.from(files.get(path) ?? "", "utf8");
      return { path, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
    }),
  };
  files.set("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
  return files;
}

/** Writes the week under `outDir/<week>/`; returns the week folder. */
export function writeWeek(outDir: string, week = WEEK, testWeek = "2020-W41"): string {
  const root = join(outDir, week);
  for (const [path, content] of weekFiles(week, testWeek)) {
    const file = join(root, ...path.split("/"));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}
