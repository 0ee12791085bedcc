import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { geoContains } from "d3-geo";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Site, StaffMember } from "../../src/domain/roster.ts";
import { generateDemoInput, writeDemoInput } from "../../src/roster/generate-demo.ts";
import { createCollectingSink } from "../../src/roster/input-problems.ts";
import { readBoundaries, type MunicipalityBoundary } from "../../src/roster/read-boundaries.ts";
import { readRoster } from "../../src/roster/read-roster.ts";
import { checkSiteNotes, readSites } from "../../src/roster/read-sites.ts";
import { readAllMunicipalities, SAMPLE_MUNICIPALITIES } from "../fixtures/roster/municipalities.ts";

const REFERENCE_DATE = "2020-09-30";
const ALL = readAllMunicipalities();
const national = generateDemoInput({ municipalities: ALL, seed: 2020, referenceDate: REFERENCE_DATE });

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function staffByMunicipality(input: { sites: Site[]; staff: StaffMember[] }): Map<number, StaffMember[]> {
  const municipalityOf = new Map(input.sites.map((site) => [site.id, site.municipalityCode]));
  return groupBy(input.staff, (member) => municipalityOf.get(member.siteId) ?? -1);
}

function dayOffset(date: string): number {
  return (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${REFERENCE_DATE}T00:00:00Z`)) / 86_400_000;
}

describe("generateDemoInput", () => {
  it("uses all 98 municipalities of the shared reference", () => {
    expect(ALL).toHaveLength(98);
  });

  it("is deterministic: same seed, same output; another seed, another roster", () => {
    const options = { municipalities: SAMPLE_MUNICIPALITIES, seed: 7, referenceDate: REFERENCE_DATE };
    const first = generateDemoInput(options);
    expect(generateDemoInput(options)).toEqual(first);
    const other = generateDemoInput({ ...options, seed: 8 });
    expect(other).not.toEqual(first);
    expect(other.staff.map((m) => m.name)).not.toEqual(first.staff.map((m) => m.name));
  });

  it("keeps one municipality's roster independent of the others in the list", () => {
    const alone = generateDemoInput({
      municipalities: SAMPLE_MUNICIPALITIES.filter((m) => m.code === 461),
      seed: 7,
      referenceDate: REFERENCE_DATE,
    });
    const together = generateDemoInput({
      municipalities: SAMPLE_MUNICIPALITIES,
      seed: 7,
      referenceDate: REFERENCE_DATE,
    });
    expect(together.sites.filter((s) => s.municipalityCode === 461)).toEqual(alone.sites);
    expect(together.staff.filter((m) => m.employeeId.startsWith("E461-"))).toEqual(alone.staff);
  });

  it.each([
    { name: "default share 1.7 %", share: undefined, expectedShare: 0.017 },
    { name: "configured share 2.5 %", share: 0.025, expectedShare: 0.025 },
  ])("staff per municipality is within ±2 % of the population share ($name)", ({ share, expectedShare }) => {
    const input =
      share === undefined
        ? national
        : generateDemoInput({
            municipalities: ALL,
            seed: 2020,
            staffShare: share,
            referenceDate: REFERENCE_DATE,
          });
    const byMunicipality = staffByMunicipality(input);
    for (const municipality of ALL) {
      const target = Math.round(municipality.population * expectedShare);
      const count = byMunicipality.get(municipality.code)?.length ?? 0;
      expect(Math.abs(count - target), `${municipality.code}: ${count} vs ${target}`).toBeLessThanOrEqual(
        Math.max(1, target * 0.02),
      );
    }
  });

  it("gives every municipality at least one nursing home and one home-care district", () => {
    const kindsByMunicipality = groupBy(national.sites, (site) => site.municipalityCode);
    for (const municipality of ALL) {
      const kinds = new Set(kindsByMunicipality.get(municipality.code)?.map((site) => site.kind));
      expect([...kinds].sort(), String(municipality.code)).toEqual(["home-care", "nursing-home"]);
    }
  });

  it("staffs every site in all three shifts, about 55 % day, 30 % evening, 15 % night", () => {
    const staffBySite = groupBy(national.staff, (member) => member.siteId);
    for (const site of national.sites) {
      const shifts = new Set(staffBySite.get(site.id)?.map((member) => member.shift));
      expect([...shifts].sort(), site.id).toEqual(["day", "evening", "night"]);
    }
    const total = national.staff.length;
    const share = (shift: string) => national.staff.filter((m) => m.shift === shift).length / total;
    expect(share("day")).toBeCloseTo(0.55, 1);
    expect(share("evening")).toBeCloseTo(0.3, 1);
    expect(share("night")).toBeCloseTo(0.15, 1);
  });

  it("sizes sites like real nursing homes and home-care districts, 55–65 % of staff in nursing homes", () => {
    const staffBySite = groupBy(national.staff, (member) => member.siteId);
    const siteById = new Map(national.sites.map((site) => [site.id, site]));
    const populationOf = new Map(ALL.map((m) => [m.code, m.population]));
    for (const site of national.sites) {
      // Small island municipalities (Læsø, Fanø, Samsø, Ærø) cannot fill typical sites.
      if ((populationOf.get(site.municipalityCode) ?? 0) < 10_000) continue;
      const size = staffBySite.get(site.id)?.length ?? 0;
      const [min, max] = site.kind === "nursing-home" ? [25, 160] : [40, 250];
      expect(size, site.id).toBeGreaterThanOrEqual(min);
      expect(size, site.id).toBeLessThanOrEqual(max);
    }
    for (const [code, staff] of staffByMunicipality(national)) {
      const inNursingHomes = staff.filter((m) => siteById.get(m.siteId)?.kind === "nursing-home").length;
      expect(inNursingHomes / staff.length, String(code)).toBeGreaterThanOrEqual(0.54);
      expect(inNursingHomes / staff.length, String(code)).toBeLessThanOrEqual(0.66);
    }
  });

  it("uses the documented id formats, unique per municipality", () => {
    for (const site of national.sites) {
      expect(site.id).toMatch(
        new RegExp(`^S${String(site.municipalityCode).padStart(4, "0")}-(NH|HC)\\d{2,}$`),
      );
      expect(site.id.includes("-NH")).toBe(site.kind === "nursing-home");
      expect(site.name).toMatch(site.kind === "nursing-home" ? /^Plejecenter / : /^Hjemmeplejen /);
      expect(site.address).toMatch(/^\S+ \d+, \d{4} .+$/);
    }
    expect(new Set(national.sites.map((s) => s.id)).size).toBe(national.sites.length);
    const municipalityOf = new Map(national.sites.map((site) => [site.id, site.municipalityCode]));
    const badIds = national.staff.filter(
      (member) =>
        !member.employeeId.startsWith(`E${municipalityOf.get(member.siteId)}-`) ||
        !/^E\d+-\d{6}$/.test(member.employeeId),
    );
    expect(badIds).toEqual([]);
    expect(new Set(national.staff.map((m) => m.employeeId)).size).toBe(national.staff.length);
  });

  it("has about 2 % new starters in the 6 weeks before and 1 % leavers in the 6 weeks after the reference date", () => {
    const starters = national.staff.filter((m) => m.startDate !== undefined);
    const leavers = national.staff.filter((m) => m.endDate !== undefined);
    expect(starters.length / national.staff.length).toBeGreaterThan(0.015);
    expect(starters.length / national.staff.length).toBeLessThan(0.025);
    expect(leavers.length / national.staff.length).toBeGreaterThan(0.007);
    expect(leavers.length / national.staff.length).toBeLessThan(0.013);
    for (const member of starters) {
      const offset = dayOffset(member.startDate ?? "");
      expect(offset).toBeGreaterThanOrEqual(-42);
      expect(offset).toBeLessThan(0);
    }
    for (const member of leavers) {
      const offset = dayOffset(member.endDate ?? "");
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThanOrEqual(42);
    }
  });

  // Speed at this scale is measured by `npm run bench`, not asserted here.
  it("generates a German-sized list of 400 districts at the target staff share", () => {
    const districts = Array.from({ length: 400 }, (_, i) => ({
      code: 1001 + i,
      name: `Kreis ${i + 1}`,
      population: 100_000 + ((i * 7_919) % 150_000),
    }));
    const expectedStaff = districts.reduce((sum, d) => sum + d.population * 0.017, 0);
    const big = generateDemoInput({ municipalities: districts, seed: 1, referenceDate: REFERENCE_DATE });
    expect(Math.abs(big.staff.length - expectedStaff) / expectedStaff).toBeLessThan(0.02);
    expect(big.sites.length).toBeGreaterThan(400 * 2);
  });
});

describe("writeDemoInput", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "demo-input-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes files that readSites and readRoster read back to the generated input", async () => {
    const { sitesPath, rosterDir } = await writeDemoInput(dir, national, ALL);

    const sites = await readSites(sitesPath, ALL);
    const roster = await readRoster({ dir: rosterDir, pattern: "{code}.csv", municipalities: ALL, sites });

    expect(sites).toEqual(national.sites);
    expect(roster.staff).toEqual(national.staff);
    expect(roster.files).toHaveLength(98);
  });

  it("writes UTF-8 with BOM and the HR export header", async () => {
    const { sitesPath, rosterDir } = await writeDemoInput(dir, national, ALL);
    const sitesText = await readFile(sitesPath, "utf8");
    const rosterText = await readFile(join(rosterDir, "101.csv"), "utf8");
    expect(
      sitesText.startsWith(
        "\uFEFFsite_id;municipality_code;kind;name;address;latitude;longitude;contact_phone;access_note;pickup_hours\n",
      ),
    ).toBe(true);
    expect(rosterText.startsWith("\uFEFFemployee_id;name;site_id;shift;start_date;end_date\n")).toBe(true);
    expect(sitesText).toContain(" København;");
  });

  it("writes positions to 5 decimals that readSites reads back", async () => {
    const boundaries = await readBoundaries();
    const placed = generateDemoInput({
      municipalities: SAMPLE_MUNICIPALITIES,
      seed: 7,
      referenceDate: REFERENCE_DATE,
      boundaries,
    });
    const { sitesPath } = await writeDemoInput(dir, placed, SAMPLE_MUNICIPALITIES);
    const sites = await readSites(sitesPath, SAMPLE_MUNICIPALITIES);
    expect(sites.map((site) => site.id)).toEqual(placed.sites.map((site) => site.id));
    sites.forEach((site, index) => {
      const generated = placed.sites[index] as Site;
      expect(site.location?.source).toBe("site");
      expect(site.location?.latitude).toBeCloseTo(generated.location?.latitude ?? 0, 5);
      expect(site.location?.longitude).toBeCloseTo(generated.location?.longitude ?? 0, 5);
      expect([site.contactPhone, site.accessNote, site.pickupHours]).toEqual([
        generated.contactPhone,
        generated.accessNote,
        generated.pickupHours,
      ]);
    });
  });
});

describe("generateDemoInput: what a driver needs", () => {
  let boundaries: Map<number, MunicipalityBoundary>;
  beforeAll(async () => {
    boundaries = await readBoundaries();
  });

  it("gives every site a phone, about 60 % an access note, pickup hours by kind of site", () => {
    const sites = national.sites;
    for (const site of sites) expect(site.contactPhone).toMatch(/^[2-9]\d \d\d \d\d \d\d$/);
    const share = (list: readonly Site[], test: (site: Site) => boolean) =>
      list.filter(test).length / list.length;
    expect(share(sites, (site) => site.accessNote !== undefined)).toBeGreaterThan(0.5);
    expect(share(sites, (site) => site.accessNote !== undefined)).toBeLessThan(0.7);
    const homeCare = sites.filter((site) => site.kind === "home-care");
    const nursingHomes = sites.filter((site) => site.kind === "nursing-home");
    expect(share(homeCare, (site) => site.pickupHours !== undefined)).toBeGreaterThan(0.6);
    expect(share(homeCare, (site) => site.pickupHours !== undefined)).toBeLessThan(0.8);
    expect(share(nursingHomes, (site) => site.pickupHours !== undefined)).toBeGreaterThan(0.1);
    expect(share(nursingHomes, (site) => site.pickupHours !== undefined)).toBeLessThan(0.3);
    for (const site of homeCare)
      expect(site.pickupHours ?? { open: "07:00", close: "22:00" }).toEqual({
        open: "07:00",
        close: "22:00",
      });
    // The morning (07:30–12:00) and Friday evening (15:30–19:00) runs find every site open.
    for (const site of sites) {
      if (site.pickupHours === undefined) continue;
      expect(site.pickupHours.open <= "07:30" && site.pickupHours.close >= "19:00").toBe(true);
    }
  });

  it("names no one on the roster in an access note", () => {
    const sink = createCollectingSink(20);
    checkSiteNotes("demo", national.sites, national.staff, sink);
    expect(sink.problems()).toEqual([]);
  });

  it("places every site inside its own municipality, and leaves sites and staff otherwise as they were", () => {
    const placed = generateDemoInput({
      municipalities: ALL,
      seed: 2020,
      referenceDate: REFERENCE_DATE,
      boundaries,
    });
    expect(placed.staff).toEqual(national.staff);
    expect(placed.sites.map(({ location: _location, ...site }) => site)).toEqual(national.sites);
    for (const site of placed.sites) {
      const location = site.location;
      expect(location?.source).toBe("generated");
      expect(
        geoContains(boundaries.get(site.municipalityCode) as MunicipalityBoundary, [
          location?.longitude ?? 0,
          location?.latitude ?? 0,
        ]),
        site.id,
      ).toBe(true);
    }
    const again = generateDemoInput({
      municipalities: ALL,
      seed: 2020,
      referenceDate: REFERENCE_DATE,
      boundaries,
    });
    expect(again.sites).toEqual(placed.sites);
  });
});
