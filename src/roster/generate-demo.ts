import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { addDays } from "../domain/calendar.ts";
import type { IsoDate } from "../domain/calendar.ts";
import type { PickupHours, Shift, Site, SiteKind, StaffMember } from "../domain/roster.ts";
import type { MunicipalityBoundary } from "./read-boundaries.ts";
import { createSeededRandom, type Random } from "./seeded-random.ts";
import { placeDemoSites, seedForSite } from "./site-locations.ts";

/** Care staff as a share of the population (Danish municipal care: about 100,000 of 5.8 million). */
export const DEFAULT_STAFF_SHARE = 0.017;

/** The smallest municipality still gets one site of each kind, each staffed in all three shifts. */
const MIN_STAFF_PER_MUNICIPALITY = 6;
const MIN_STAFF_PER_SITE = 3;

/** The generated staff count stays within ±1.5 % of the share, inside the ±2 % promised. */
const STAFF_JITTER = 0.015;
const NURSING_HOME_SHARE = { min: 0.55, max: 0.65 };

type SiteSizing = {
  readonly kind: SiteKind;
  readonly code: "NH" | "HC";
  /** Typical staff per site: plejecentre of 20–100 residents, home-care districts. */
  readonly min: number;
  readonly max: number;
  /** Range of the mean site size drawn per municipality. */
  readonly meanMin: number;
  readonly meanMax: number;
};

const NURSING_HOMES: SiteSizing = {
  kind: "nursing-home",
  code: "NH",
  min: 25,
  max: 160,
  meanMin: 50,
  meanMax: 80,
};
const HOME_CARE: SiteSizing = { kind: "home-care", code: "HC", min: 40, max: 250, meanMin: 90, meanMax: 150 };

/** Shift mix of care work: most staff on days, fewer in the evening, fewest at night. */
const SHIFT_SHARES = { evening: 0.3, night: 0.15 };
const SHIFT_SHARE_JITTER = 0.04;

/** About 2 % start within the 6 weeks before the reference date, about 1 % leave in the 6 after. */
const NEW_STARTER_RATE = 0.02;
const LEAVER_RATE = 0.01;
const WINDOW_DAYS = 42;

function words(list: string): readonly string[] {
  return list.split(" ");
}

// Synthetic name parts: common Danish words and names, combined at random; no real persons.
const NAME_PREFIXES = words(
  "Ege Bøge Birke Linde Rose Kilde Sol Skov Eng Mølle Strand Æble Fyrre Hassel Aske Pile Kastanje Syrene Lærke Vibe",
);
const NAME_SUFFIXES = words("bakken ly gården huset haven vang parken hjemmet toften lunden højen engen");
const DISTRICTS = words("Nord Syd Øst Vest Centrum Midt Nordvest Nordøst Sydvest Sydøst Land By");
const STREETS = words(
  "Skolevej Kirkevej Møllevej Stationsvej Søndergade Nørregade Vestergade Østergade Engvej Skovvej Birkevej Lindevej Parkvej Bakkevej Strandvej Bøgevej Rosenvej Kildevej Ahornvej Toftevej",
);
const FIRST_NAMES = words(
  "Anne Mette Hanne Susanne Lene Marianne Camilla Louise Charlotte Maria Pia Tina Helle Karina Sara Emma Ida Julie Peter Jens Lars Michael Henrik Thomas Søren Martin Jesper Anders Mads Ali",
);
const LAST_NAMES = words(
  "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen",
);

/** Synthetic access notes for drivers (about 60 % of sites have one); never a person's name. */
const ACCESS_NOTES = [
  "Personaleindgang ved p-pladsen, ring på",
  "Nøgleboks ved hoveddøren, kode hos vagten",
  "Prøver i køleskabet i personalerummet, 1. sal",
  "Brug varegården bag bygningen",
  "Henvend dig i receptionen",
  "Kør ind ad porten, parkér ved rampen",
  "Indgang B, kontoret til venstre",
] as const;
const ACCESS_NOTE_SHARE = 0.6;
/**
 * Pickup hours: home-care offices are staffed from the morning into the evening; most nursing
 * homes around the clock (no hours), some hand over only in the daytime and evening.
 */
const HOME_CARE_HOURS: PickupHours = { open: "07:00", close: "22:00" };
const NURSING_HOME_HOURS: PickupHours = { open: "06:00", close: "22:00" };
const HOURS_SHARE = { "home-care": 0.7, "nursing-home": 0.2 } as const;
/** Salt of the driver's-details stream, so it is independent of the site's position stream. */
const DETAILS_SALT = 0x2d1b_5a0f;

export type DemoMunicipality = { readonly code: number; readonly name: string; readonly population: number };

export type DemoOptions = {
  readonly municipalities: readonly DemoMunicipality[];
  readonly seed: number;
  /** Care staff as a share of the population; default 0.017. */
  readonly staffShare?: number | undefined;
  /** New starters' start dates and leavers' end dates are placed around this date. */
  readonly referenceDate: IsoDate;
  /** When given, every site gets a random point inside its municipality (`placeDemoSites`). */
  readonly boundaries?: ReadonlyMap<number, MunicipalityBoundary> | undefined;
};

export type DemoInput = { readonly sites: Site[]; readonly staff: StaffMember[] };

/** One stream per municipality, so adding a municipality does not reshuffle the others. */
function seedFor(seed: number, code: number): number {
  let hash = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(code, 0xc2b2ae35);
  hash = Math.imul(hash ^ (hash >>> 16), 0x7feb352d);
  return (hash ^ (hash >>> 15)) >>> 0;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

/** Target staff of a municipality: the share of its population with a little jitter. */
function staffCountFor(random: Random, population: number, share: number): number {
  const target = population * share * (1 + between(random, -STAFF_JITTER, STAFF_JITTER));
  return Math.max(MIN_STAFF_PER_MUNICIPALITY, Math.round(target));
}

/**
 * Splits `total` staff over sites of one kind: the number of sites follows a mean size drawn per
 * municipality; sizes vary by weight and are then pulled inside the typical range where the total
 * allows it (a tiny island municipality simply gets one small site).
 */
function splitIntoSites(random: Random, total: number, sizing: SiteSizing): number[] {
  const fewest = Math.max(1, Math.ceil(total / sizing.max));
  const most = Math.max(fewest, Math.floor(total / sizing.min));
  const mean = between(random, sizing.meanMin, sizing.meanMax);
  const count = Math.min(most, Math.max(fewest, Math.round(total / mean)));
  const weights = Array.from({ length: count }, () => between(random, 0.5, 1.6));
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const sizes = weights.map((weight) => Math.floor((total * weight) / weightSum));
  let remainder = total - sizes.reduce((sum, size) => sum + size, 0);
  for (let i = 0; remainder > 0; i = (i + 1) % count, remainder--) sizes[i] = (sizes[i] ?? 0) + 1;
  if (count > 1) clampSizes(sizes, sizing.min, sizing.max);
  return sizes;
}

/** Moves staff from large sites to small ones until every size is within [min, max] (feasible by count). */
function clampSizes(sizes: number[], min: number, max: number): void {
  for (let i = 0; i < sizes.length; i++) {
    for (let j = 0; j < sizes.length && (sizes[i] ?? 0) < min; j++) {
      const spare = (sizes[j] ?? 0) - min;
      if (j === i || spare <= 0) continue;
      const moved = Math.min(spare, min - (sizes[i] ?? 0));
      sizes[j] = (sizes[j] ?? 0) - moved;
      sizes[i] = (sizes[i] ?? 0) + moved;
    }
    for (let j = 0; j < sizes.length && (sizes[i] ?? 0) > max; j++) {
      const room = max - (sizes[j] ?? 0);
      if (j === i || room <= 0) continue;
      const moved = Math.min(room, (sizes[i] ?? 0) - max);
      sizes[j] = (sizes[j] ?? 0) + moved;
      sizes[i] = (sizes[i] ?? 0) - moved;
    }
  }
}

/** Shifts of one site's staff in random order: every site is staffed day, evening and night. */
function shiftsFor(random: Random, size: number): Shift[] {
  const night = Math.max(
    1,
    Math.round(size * (SHIFT_SHARES.night + (between(random, -1, 1) * SHIFT_SHARE_JITTER) / 2)),
  );
  const evening = Math.max(
    1,
    Math.round(size * (SHIFT_SHARES.evening + between(random, -1, 1) * SHIFT_SHARE_JITTER)),
  );
  const day = size - night - evening;
  const shifts: Shift[] = [
    ...Array<Shift>(day).fill("day"),
    ...Array<Shift>(evening).fill("evening"),
    ...Array<Shift>(night).fill("night"),
  ];
  for (let i = shifts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shifts[i], shifts[j]] = [shifts[j] as Shift, shifts[i] as Shift];
  }
  return shifts;
}

function siteNameFor(sizing: SiteSizing, index: number, offset: number): string {
  if (sizing.kind === "home-care") {
    const district = DISTRICTS[index];
    return district === undefined ? `Hjemmeplejen Distrikt ${index + 1}` : `Hjemmeplejen ${district}`;
  }
  const combinations = NAME_PREFIXES.length * NAME_SUFFIXES.length;
  // A stride coprime with the 240 combinations walks through all of them before repeating.
  const slot = (offset + index * 7) % combinations;
  const base = `Plejecenter ${NAME_PREFIXES[slot % NAME_PREFIXES.length]}${NAME_SUFFIXES[Math.floor(slot / NAME_PREFIXES.length)]}`;
  const round = Math.floor(index / combinations);
  return round === 0 ? base : `${base} ${round + 1}`;
}

function addressFor(random: Random, municipality: DemoMunicipality, postcode: number): string {
  return `${pick(random, STREETS)} ${1 + Math.floor(random() * 120)}, ${postcode} ${municipality.name}`;
}

function padNumber(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * A Danish 8-digit number as written at home (`dd dd dd dd`, first digit 2–9 as real numbers),
 * synthetic. Without `+45`: a CSV cell starting with `+` is escaped as a possible formula.
 */
function phoneFor(random: Random): string {
  const digits = [
    2 + Math.floor(random() * 8),
    ...Array.from({ length: 7 }, () => Math.floor(random() * 10)),
  ];
  const pairs = [0, 2, 4, 6].map((i) => `${digits[i]}${digits[i + 1]}`);
  return pairs.join(" ");
}

/**
 * What a driver needs to know about a demo site: a phone, often an access note, and pickup hours
 * where the kind of site has them. Drawn from the site's own stream (seed and site id), so the
 * roster's stream, and with it every staff member, stays as it was.
 */
function driverDetailsFor(site: Site, seed: number): Site {
  const random = createSeededRandom(seedForSite(seed ^ DETAILS_SALT, site.id));
  const contactPhone = phoneFor(random);
  const accessNote = random() < ACCESS_NOTE_SHARE ? pick(random, ACCESS_NOTES) : undefined;
  const hours = site.kind === "home-care" ? HOME_CARE_HOURS : NURSING_HOME_HOURS;
  const pickupHours = random() < HOURS_SHARE[site.kind] ? hours : undefined;
  return {
    ...site,
    contactPhone,
    ...(accessNote === undefined ? {} : { accessNote }),
    ...(pickupHours === undefined ? {} : { pickupHours }),
  };
}

/**
 * Generates a realistic synthetic roster, deterministically from `seed` (same seed, same output):
 * staff ≈ `staffShare` of each municipality's population, about 55–65 % of them in nursing homes
 * (25–160 staff each) and the rest in home-care districts (40–250 each); every municipality has
 * both kinds, every site all three shifts (≈ 55 % day, 30 % evening, 15 % night). About 2 % are
 * new starters and 1 % leave around `referenceDate`. Names are synthetic, not real persons. Every
 * site has a synthetic phone, about 60 % an access note, home-care offices and some nursing homes
 * pickup hours; with `boundaries`, a position inside its municipality.
 */
export function generateDemoInput(options: DemoOptions): DemoInput {
  const share = options.staffShare ?? DEFAULT_STAFF_SHARE;
  const startDates = Array.from({ length: WINDOW_DAYS }, (_, i) => addDays(options.referenceDate, -(i + 1)));
  const endDates = Array.from({ length: WINDOW_DAYS }, (_, i) => addDays(options.referenceDate, i + 1));
  const sites: Site[] = [];
  const staff: StaffMember[] = [];

  for (const municipality of options.municipalities) {
    const random = createSeededRandom(seedFor(options.seed, municipality.code));
    const total = staffCountFor(random, municipality.population, share);
    const nursingHomeStaff = Math.min(
      total - MIN_STAFF_PER_SITE,
      Math.max(
        MIN_STAFF_PER_SITE,
        Math.round(total * between(random, NURSING_HOME_SHARE.min, NURSING_HOME_SHARE.max)),
      ),
    );
    const postcodeBase = 1000 + Math.floor(random() * 89) * 100;
    const nameOffset = Math.floor(random() * NAME_PREFIXES.length * NAME_SUFFIXES.length);
    const siteCode = `S${padNumber(municipality.code, 4)}`;
    let employeeNumber = 0;

    for (const [sizing, kindTotal] of [
      [NURSING_HOMES, nursingHomeStaff],
      [HOME_CARE, total - nursingHomeStaff],
    ] as const) {
      splitIntoSites(random, kindTotal, sizing).forEach((size, index) => {
        const site = driverDetailsFor(
          {
            id: `${siteCode}-${sizing.code}${padNumber(index + 1, 2)}`,
            municipalityCode: municipality.code,
            kind: sizing.kind,
            name: siteNameFor(sizing, index, nameOffset),
            address: addressFor(random, municipality, postcodeBase + Math.floor(random() * 100)),
          },
          options.seed,
        );
        sites.push(site);
        for (const shift of shiftsFor(random, size)) {
          employeeNumber += 1;
          const starts = random() < NEW_STARTER_RATE;
          const leaves = random() < LEAVER_RATE;
          staff.push({
            municipalityCode: municipality.code,
            employeeId: `E${municipality.code}-${padNumber(employeeNumber, 6)}`,
            name: `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`,
            siteId: site.id,
            shift,
            startDate: starts ? startDates[Math.floor(random() * WINDOW_DAYS)] : undefined,
            endDate: leaves ? endDates[Math.floor(random() * WINDOW_DAYS)] : undefined,
          });
        }
      });
    }
  }
  if (options.boundaries === undefined) return { sites, staff };
  const placed = placeDemoSites(sites, options.boundaries, options.seed);
  return { sites: sites.map((site) => ({ ...site, location: placed.get(site.id) })), staff };
}

const SITE_HEADER = [
  "site_id",
  "municipality_code",
  "kind",
  "name",
  "address",
  "latitude",
  "longitude",
  "contact_phone",
  "access_note",
  "pickup_hours",
];

/** A site as a row of the sites file; coordinates to 5 decimals (about a metre). */
function siteRow(site: Site): (string | number)[] {
  const location = site.location;
  return [
    site.id,
    site.municipalityCode,
    site.kind,
    site.name,
    site.address,
    location === undefined ? "" : location.latitude.toFixed(5),
    location === undefined ? "" : location.longitude.toFixed(5),
    site.contactPhone ?? "",
    site.accessNote ?? "",
    site.pickupHours === undefined ? "" : `${site.pickupHours.open}-${site.pickupHours.close}`,
  ];
}
const ROSTER_HEADER = ["employee_id", "name", "site_id", "shift", "start_date", "end_date"];

function toCsv(records: (string | number)[][]): string {
  return stringify(records, { bom: true, delimiter: ";" });
}

/**
 * Writes generated input as the files an operator would supply: `<dir>/sites.csv` and
 * `<dir>/roster/<code>.csv` (one per municipality, HR export columns), UTF-8 with BOM, `;`.
 */
export async function writeDemoInput(
  dir: string,
  input: { readonly sites: readonly Site[]; readonly staff: readonly StaffMember[] },
  municipalities: readonly { readonly code: number }[],
): Promise<{ sitesPath: string; rosterDir: string }> {
  const sitesPath = join(dir, "sites.csv");
  const rosterDir = join(dir, "roster");
  await mkdir(rosterDir, { recursive: true });
  await writeFile(sitesPath, toCsv([SITE_HEADER, ...input.sites.map(siteRow)]));

  const rowsByMunicipality = new Map<number, string[][]>(
    municipalities.map((m) => [m.code, [ROSTER_HEADER]]),
  );
  for (const member of input.staff) {
    const rows = rowsByMunicipality.get(member.municipalityCode);
    if (rows === undefined) {
      throw new Error(
        `writeDemoInput: staff member at site ${member.siteId} outside the given municipalities`,
      );
    }
    rows.push([
      member.employeeId,
      member.name ?? "",
      member.siteId,
      member.shift,
      member.startDate ?? "",
      member.endDate ?? "",
    ]);
  }
  for (const [code, rows] of rowsByMunicipality) {
    await writeFile(join(rosterDir, `${code}.csv`), toCsv(rows));
  }
  return { sitesPath, rosterDir };
}
