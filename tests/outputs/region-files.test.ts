/**
 * The region files of a week as the run writes them: pickups.csv/json and routes.pdf from one
 * plan. The route sheets are read back with `pdftotext -layout`, page by page, and compared with
 * the CSV rows of the same route: the same stops in the same order with their addresses. No staff
 * name or employee id of the roster appears in any region file.
 */
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PICKUP_DAY_SETTINGS } from "../../src/domain/pickup-days.ts";
import type { WeekPlan } from "../../src/domain/plan-types.ts";
import { planWeek } from "../../src/domain/planner.ts";
import type { Municipality } from "../../src/domain/reference.ts";
import type { Site, StaffMember } from "../../src/domain/roster.ts";
import { planRegionFiles, type RegionFilesInput } from "../../src/outputs/region-files.ts";
import { renderDocumentJobs } from "../../src/outputs/render-pool.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readBoundaries, type MunicipalityBoundary } from "../../src/roster/read-boundaries.ts";
import { pdfInfo, pdfText, withPdfFile } from "./pdf-tools.ts";

// Region Sjælland (routes) and Nordjylland's Læsø (no routes configured).
const MUNICIPALITIES: Municipality[] = [
  { code: 336, name: "Stevns", regionCode: 1085, population: 22_500, aliases: [] },
  { code: 320, name: "Faxe", regionCode: 1085, population: 36_500, aliases: [] },
  { code: 825, name: "Læsø", regionCode: 1081, population: 1_800, aliases: [] },
];
const REGIONS = [
  {
    code: 1085,
    testWeekdays: [1, 2, 3, 4, 5] as const,
    labCapacityPerDay: 5000,
    pickups: DEFAULT_PICKUP_DAY_SETTINGS,
    routes: {
      depots: [{ name: "KMA Slagelse", location: { latitude: 55.4023, longitude: 11.358 }, vehicles: 3 }],
      stopMinutes: 10,
      speedKmh: 50,
      roadFactor: 1.3,
    },
  },
  {
    code: 1081,
    testWeekdays: [1, 2, 3, 4, 5] as const,
    labCapacityPerDay: 5000,
    pickups: DEFAULT_PICKUP_DAY_SETTINGS,
  },
];

let sites: Site[];
let staff: StaffMember[];
let plan: WeekPlan;
let boundaries: Map<number, MunicipalityBoundary>;
let files: Map<string, Uint8Array>;

function regionInput(): RegionFilesInput {
  return {
    pickups: plan.pickups,
    regionCodes: [1081, 1085],
    regions: [
      { code: 1081, name: "Region Nordjylland" },
      { code: 1085, name: "Region Sjælland" },
    ],
    municipalities: MUNICIPALITIES,
    sites,
    outlines: boundaries,
    testWeek: "2020-W41",
    language: "da",
    createdAt: new Date("2020-09-30T08:00:00Z"),
  };
}

/** Every region file, the route sheets rendered in this thread. */
async function render(): Promise<Map<string, Uint8Array>> {
  const { files: made, jobs } = planRegionFiles(regionInput());
  const rendered = await renderDocumentJobs(jobs, { threads: 1 });
  jobs.forEach((job, index) => made.set(job.path, rendered[index] ?? new Uint8Array()));
  return made;
}

beforeAll(async () => {
  boundaries = await readBoundaries();
  const demo = generateDemoInput({
    municipalities: MUNICIPALITIES,
    seed: 5,
    referenceDate: "2020-09-30",
    boundaries,
  });
  sites = demo.sites;
  staff = demo.staff;
  plan = planWeek({
    testWeek: { year: 2020, week: 41 },
    cycleAnchor: { year: 2020, week: 1 },
    regions: REGIONS.map((region) => ({ ...region, testWeekdays: [...region.testWeekdays] })),
    municipalities: MUNICIPALITIES,
    sites,
    staff,
    redOrders: [
      { municipalityCode: 336, reason: "red-week-1", limitToSites: null },
      { municipalityCode: 825, reason: "red-week-1", limitToSites: null },
    ],
    statusByCode: new Map(),
    previousSlots: new Map(),
    carriedOver: [],
  });
  files = await render();
});

function csvRows(path: string): Record<string, string>[] {
  const table: string[][] = parse(Buffer.from(files.get(path) ?? new Uint8Array()), {
    bom: true,
    delimiter: ";",
  });
  const [header, ...rows] = table;
  return rows.map((row) => Object.fromEntries((header ?? []).map((column, i) => [column, row[i] ?? ""])));
}

describe("planRegionFiles", () => {
  it("writes pickups for every region and route sheets only where the region has labs", () => {
    expect([...files.keys()].sort()).toEqual([
      "regions/1081/pickups.csv",
      "regions/1081/pickups.json",
      "regions/1085/pickups.csv",
      "regions/1085/pickups.json",
      "regions/1085/routes.pdf",
    ]);
    const laesoe = csvRows("regions/1081/pickups.csv");
    expect(laesoe.length).toBeGreaterThan(0);
    expect(laesoe.every((row) => row.route === "" && row.eta === "" && row.depot === "")).toBe(true);
  });

  it("prints one page per route and run, its stops in the CSV's order with their addresses", () => {
    const rows = csvRows("regions/1085/pickups.csv");
    // The stops of each route, in order, from the CSV (one row per stop and test date).
    const routes = new Map<string, { name: string; address: string; eta: string }[]>();
    for (const row of rows) {
      const key = `${row.date} ${row.pickup_run} ${row.route}`;
      const stops = routes.get(key) ?? [];
      if (stops.length === Number(row.stop_order) - 1) {
        stops.push({ name: row.site_name ?? "", address: row.address ?? "", eta: row.eta ?? "" });
      }
      routes.set(key, stops);
    }
    const pdf = files.get("regions/1085/routes.pdf") ?? new Uint8Array();
    withPdfFile(pdf, (path) => {
      const pages = Number(pdfInfo(path).get("Pages"));
      expect(pages).toBeGreaterThanOrEqual(routes.size);
      const text = pdfText(path);
      const pageTexts = text.split("\f").slice(0, -1);
      // Each route's page: its title says route n of m, its stops come in the CSV's order.
      let page = 0;
      for (const [key, stops] of routes) {
        const [, , route] = key.split(" ");
        const pageText = pageTexts[page] ?? "";
        expect(pageText, key).toMatch(new RegExp(`Rute ${route} af \\d+`));
        let at = 0;
        for (const stop of stops) {
          const found = pageText.indexOf(stop.name, at);
          expect(found, `${key}: ${stop.name}`).toBeGreaterThan(at - 1);
          at = found + stop.name.length;
          // The street and number (the address wraps within its column).
          expect(pageText, stop.address).toContain((stop.address.split(",")[0] ?? "").trim());
          expect(pageText).toContain(stop.eta);
        }
        // A route too long for one page continues on the next (its stops are few here).
        page += 1;
      }
      expect(page).toBe(pages);
    });
  });

  it("names no one on the roster in any region file", () => {
    const texts = [...files].map(([path, bytes]) =>
      path.endsWith(".pdf") ? withPdfFile(bytes, (pdf) => pdfText(pdf)) : new TextDecoder().decode(bytes),
    );
    const all = texts.join("\n");
    const names = new Set(staff.map((member) => member.name ?? "").filter((name) => name !== ""));
    expect(names.size).toBeGreaterThan(50);
    expect([...names].filter((name) => all.includes(name))).toEqual([]);
    expect(staff.filter((member) => all.includes(member.employeeId))).toEqual([]);
  });

  it("gives byte-identical files when rendered again", async () => {
    const again = await render();
    for (const [path, bytes] of files)
      expect(Buffer.from(again.get(path) ?? []).equals(Buffer.from(bytes)), path).toBe(true);
  });

  it("hands the route sheets to the render threads with only the sites their runs name, same bytes", async () => {
    const { files: made, jobs } = planRegionFiles(regionInput());
    expect([...made.keys()].sort()).toEqual([
      "regions/1081/pickups.csv",
      "regions/1081/pickups.json",
      "regions/1085/pickups.csv",
      "regions/1085/pickups.json",
    ]);
    expect(jobs.map((job) => [job.kind, job.path])).toEqual([["routes", "regions/1085/routes.pdf"]]);
    const [job] = jobs;
    if (job === undefined) throw new Error("expected the route sheets of region 1085");
    // The sites a job carries are those its runs stop at, each once (not the whole sites file).
    const stops = new Set(job.input.runs.flatMap((run) => run.stops.map((stop) => stop.siteId)));
    expect(stops.size).toBeGreaterThan(3);
    expect(new Set(job.input.sites.keys())).toEqual(stops);
    expect(job.input.sites.size).toBeLessThan(sites.length);
    const [pooled] = await renderDocumentJobs(jobs, { threads: 2 });
    expect(Buffer.from(pooled ?? []).equals(Buffer.from(files.get(job.path) ?? [1]))).toBe(true);
  });
});
