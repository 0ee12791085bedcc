import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PICKUP_DAY_SETTINGS, collectTestSessions } from "../../src/domain/pickup-days.ts";
import {
  planRegionPickupRoutes,
  type RegionPickupInput,
  type RegionPickupPlan,
} from "../../src/domain/pickup-routes.ts";
import { generateDemoInput } from "../../src/roster/generate-demo.ts";
import { readBoundaries, type MunicipalityBoundary } from "../../src/roster/read-boundaries.ts";
import { placeDemoSites } from "../../src/roster/site-locations.ts";
import { renderRoutesPdf, type RoutesPdfInput, type RoutesPdfSite } from "../../src/outputs/routes-pdf.ts";

/** Three small municipalities of Region Sjælland and Region Hovedstaden, with a synthetic roster. */
const MUNICIPALITIES = [
  { code: 336, name: "Stevns", population: 22_500 },
  { code: 320, name: "Faxe", population: 36_500 },
  { code: 400, name: "Bornholm", population: 39_500 },
];
const DEPOTS = [
  { name: "KMA Slagelse", location: { latitude: 55.405, longitude: 11.356 }, vehicles: 2 },
  {
    name: "Bornholms Hospital",
    location: { latitude: 55.096, longitude: 14.706 },
    vehicles: 1,
    municipalityCodes: [400],
  },
];

let dir: string;
let boundaries: Map<number, MunicipalityBoundary>;
let staffNames: string[];
let sites: Map<string, RoutesPdfSite>;
let plan: RegionPickupPlan;
let base: RoutesPdfInput;

function planFor(latestArrival: string): RegionPickupPlan {
  return planRegionPickupRoutes(regionInput(latestArrival));
}

let regionInput: (latestArrival: string) => RegionPickupInput;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "routes-pdf-"));
  boundaries = await readBoundaries();
  const demo = generateDemoInput({ municipalities: MUNICIPALITIES, seed: 11, referenceDate: "2020-09-30" });
  staffNames = demo.staff.map((member) => member.name ?? "").filter((name) => name !== "");
  const placed = placeDemoSites(demo.sites, boundaries, 11);
  sites = new Map(
    demo.sites.map((site, i) => [
      site.id,
      {
        name: site.name,
        address: site.address,
        contactPhone: `+45 70 10 ${String(10 + i).padStart(2, "0")} 00`,
        accessNote: i % 2 === 0 ? "Personaleindgangen, nøgleboks 4" : undefined,
        location: placed.get(site.id) ?? { latitude: 0, longitude: 0 },
        approximate: i === 0,
      },
    ]),
  );
  // Every staff member tested once: Monday–Thursday by position, in their own shift.
  const dates = ["2020-10-05", "2020-10-06", "2020-10-07", "2020-10-08"];
  const sessions = collectTestSessions(
    demo.staff.map((member, i) => ({
      siteId: member.siteId,
      date: dates[i % 4] as string,
      shift: member.shift,
    })),
  );
  const municipalityOf = new Map(demo.sites.map((site) => [site.id, site.municipalityCode]));
  regionInput = (latestArrival) => ({
    sessions,
    sites: new Map(
      [...sites].map(([id, site]) => [
        id,
        { location: site.location, municipalityCode: municipalityOf.get(id) ?? 0 },
      ]),
    ),
    pickupDays: {
      ...DEFAULT_PICKUP_DAY_SETTINGS,
      morningRun: { ...DEFAULT_PICKUP_DAY_SETTINGS.morningRun, latestArrival },
    },
    kits: { bufferPercent: 10 },
    routing: { depots: DEPOTS, stopMinutes: 10, speedKmh: 50, roadFactor: 1.3 },
    deliveryFrom: "2020-10-01",
  });
  plan = planFor("12:00");
  base = {
    regionCode: 1085,
    regionName: "Region Sjælland",
    testWeek: "2020-W41",
    runs: plan.runs,
    sites,
    outlines: MUNICIPALITIES.map((m) => boundaries.get(m.code) as MunicipalityBoundary),
    createdAt: new Date("2020-09-30T10:00:00Z"),
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pdfText(bytes: Uint8Array, name: string): Promise<string[]> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return execFileSync("pdftotext", ["-layout", path, "-"], { encoding: "utf8" }).split("\f").slice(0, -1);
}

describe("renderRoutesPdf", () => {
  it("has one page per route and run, each listing its stops in order with their addresses", async () => {
    const pages = await pdfText(await renderRoutesPdf(base), "routes.pdf");
    const routes = plan.runs.flatMap((run) => run.routes.map((route) => ({ run, route })));
    expect(routes.length).toBeGreaterThan(5);
    expect(pages).toHaveLength(routes.length);
    routes.forEach(({ run, route }, page) => {
      const text = pages[page] ?? "";
      expect(text).toContain(`Rute ${route.number} af ${run.routes.length}`);
      expect(text).toContain(route.depot.name);
      const stops = run.stops.filter((stop) => stop.route === route.number);
      let previous = -1;
      for (const stop of stops) {
        const at = text.indexOf(stop.siteId);
        expect(at, `${stop.siteId} on page ${page + 1}`).toBeGreaterThan(previous);
        previous = at;
        const street = sites.get(stop.siteId)?.address.split(",")[0] ?? "";
        expect(text).toContain(street);
      }
    });
  });

  it("names no staff member anywhere", async () => {
    const text = (await pdfText(await renderRoutesPdf(base), "names.pdf")).join("\n");
    expect(staffNames.length).toBeGreaterThan(1000);
    for (const name of new Set(staffNames)) expect(text).not.toContain(name);
  });

  it("shows contact, access note, samples per session, kits and the session they are for", async () => {
    const [first] = await pdfText(await renderRoutesPdf(base), "details.pdf");
    expect(first).toMatch(/Tlf\. \+45 70 10 \d\d 00/);
    expect(first).toContain("Adgang:");
    expect(first).toMatch(/til (man|tir|ons|tor|fre) \d+\/10 (dag|aften|nat)/);
  });

  it("prints every late route with its minutes and latest arrival", async () => {
    const late = planFor("08:30");
    const text = (await pdfText(await renderRoutesPdf({ ...base, runs: late.runs }), "late.pdf")).join("\n");
    const expected = late.runs.flatMap((run) =>
      run.violations.map((v) => `${Math.ceil(v.minutes)} min efter seneste ankomst ${run.run.latestArrival}`),
    );
    expect(expected.some((line) => line.endsWith("08:30"))).toBe(true);
    for (const line of expected) expect(text).toContain(line);
  });

  it("writes English when asked and an explicit page when there are no runs", async () => {
    const english = (await pdfText(await renderRoutesPdf({ ...base, language: "en" }), "en.pdf"))[0] ?? "";
    expect(english).toContain("Route 1 of");
    expect(english).toContain("Contact and access");
    const empty = await pdfText(await renderRoutesPdf({ ...base, runs: [] }), "empty.pdf");
    expect(empty).toHaveLength(1);
    expect(empty[0]).toContain("Ingen kørsler i denne uge.");
  });

  it("gives byte-identical files for the same input", async () => {
    const first = await renderRoutesPdf(base);
    const second = await renderRoutesPdf(base);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });
});
