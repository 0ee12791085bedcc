import { z } from "zod";
import { DENMARK_BOUNDS, type CoordinateBounds } from "../domain/geo.ts";
import type { Municipality } from "../domain/reference.ts";
import { SITE_KINDS } from "../domain/roster.ts";
import type { PickupHours, Site, SiteLocation } from "../domain/roster.ts";
import { describeValue, isCodeLike, MAX_ID_LENGTH, MAX_TEXT_LENGTH, quoteValue } from "./field-text.ts";
import { readInputTable, readInputText } from "./input-file.ts";
import { createThrowingSink, type ProblemSink } from "./input-problems.ts";
import { rawRowOf, validateRow, type RowSpec } from "./validate-row.ts";

const SITE_COLUMNS = ["site_id", "municipality_code", "kind", "name", "address"] as const;
/**
 * What a driver needs, all optional (absent from the header, or empty): the position (WGS 84
 * decimal degrees, both or neither), the site's phone, how to get in, and the hours in which it
 * hands over samples (`08:00-16:00`).
 */
export const SITE_OPTIONAL_COLUMNS = [
  "latitude",
  "longitude",
  "contact_phone",
  "access_note",
  "pickup_hours",
] as const;
type SiteColumn = (typeof SITE_COLUMNS)[number] | (typeof SITE_OPTIONAL_COLUMNS)[number];

/**
 * Only ids, codes, kinds, coordinates and hours are quoted, and only when they look like one: the
 * file holds no staff data, but a misplaced column may put a name or an address under `site_id`,
 * and a phone or an access note may be a person's (so they are described, never quoted).
 */
const QUOTED_COLUMNS: ReadonlySet<SiteColumn> = new Set([
  "site_id",
  "municipality_code",
  "kind",
  "latitude",
  "longitude",
]);

/** Longest phone number accepted (room for `+45 33 12 34 56 (vagt)`-style spacing, not prose). */
const MAX_PHONE_LENGTH = 30;

const SITE_ROW: RowSpec<SiteColumn> = {
  columns: [...SITE_COLUMNS, ...SITE_OPTIONAL_COLUMNS],
  optional: new Set(SITE_OPTIONAL_COLUMNS),
  text: {
    site_id: { maxLength: MAX_ID_LENGTH, id: true },
    municipality_code: { maxLength: MAX_ID_LENGTH, id: true },
    kind: { maxLength: MAX_ID_LENGTH, id: true },
    name: { maxLength: MAX_TEXT_LENGTH },
    address: { maxLength: MAX_TEXT_LENGTH },
    latitude: { maxLength: MAX_ID_LENGTH, id: true },
    longitude: { maxLength: MAX_ID_LENGTH, id: true },
    contact_phone: { maxLength: MAX_PHONE_LENGTH },
    access_note: { maxLength: MAX_TEXT_LENGTH },
    pickup_hours: { maxLength: MAX_ID_LENGTH },
  },
  describe: (column, value) =>
    QUOTED_COLUMNS.has(column) && isCodeLike(value) ? quoteValue(value) : describeValue(value),
};

/** Decimal degrees with a decimal point (as the postcode table; a spreadsheet's comma is refused, not guessed). */
function degrees(axis: "latitude" | "longitude", low: number, high: number, area: string, example: string) {
  return z
    .string()
    .regex(/^-?\d{1,3}(\.\d+)?$/, {
      error: `a ${axis} in decimal degrees with a decimal point, e.g. ${example}`,
    })
    .transform(Number)
    .refine((value) => value >= low && value <= high, {
      error: `a ${axis} within ${area} (${low}–${high})`,
    });
}

const CLOCK = "([01]\\d|2[0-3]):[0-5]\\d";
const HOURS_PATTERN = new RegExp(`^(${CLOCK})\\s*[-–]\\s*(${CLOCK})$`);

const pickupHoursSchema = z
  .string()
  .regex(HOURS_PATTERN, { error: "opening hours HH:MM-HH:MM, e.g. 08:00-16:00" })
  .transform((text): PickupHours => {
    const [open = "", close = ""] = text.split(/\s*[-–]\s*/);
    return { open, close };
  })
  .refine((hours) => hours.open < hours.close, {
    error: "opening hours that close after they open, within one day (e.g. 08:00-16:00)",
  });

const phoneSchema = z
  .string()
  .regex(/^\+?[\d ()./-]+$/, {
    error: "a phone number of digits, spaces and + ( ) . / -, e.g. +45 33 12 34 56",
  })
  .refine((text) => (text.match(/\d/g) ?? []).length >= 8, {
    error: "a phone number with at least 8 digits, e.g. +45 33 12 34 56",
  });

function createSiteRowSchema(codes: ReadonlySet<number>, bounds: CoordinateBounds) {
  const { label, south, north, west, east } = bounds;
  return z
    .object({
      site_id: z.string().min(1, { error: "a non-empty site id" }),
      municipality_code: z
        .string()
        .regex(/^\d+$/, { error: "a numeric municipality code" })
        .transform(Number)
        .refine((code) => codes.has(code), {
          error: `one of the ${codes.size} municipality codes of the reference`,
        }),
      kind: z.enum(SITE_KINDS, { error: SITE_KINDS.join(" or ") }),
      name: z.string().min(1, { error: "a non-empty site name" }),
      address: z.string().min(1, { error: "a non-empty address (pickups go there)" }),
      latitude: degrees("latitude", south, north, label, "55.6761").optional(),
      longitude: degrees("longitude", west, east, label, "12.5683").optional(),
      contact_phone: phoneSchema.optional(),
      access_note: z.string().optional(),
      pickup_hours: pickupHoursSchema.optional(),
    })
    .superRefine((row, context) => {
      // A position needs both halves; the other one is reported where it is missing.
      if ((row.latitude === undefined) !== (row.longitude === undefined)) {
        const missing = row.latitude === undefined ? "latitude" : "longitude";
        context.addIssue({
          code: "custom",
          path: [missing],
          message: `a ${missing} as well (a position needs both latitude and longitude, or neither)`,
        });
      }
    });
}

/** The optional driver's columns of a valid row, as a site's fields (absent ones left out). */
function driverFields(row: {
  latitude?: number | undefined;
  longitude?: number | undefined;
  contact_phone?: string | undefined;
  access_note?: string | undefined;
  pickup_hours?: PickupHours | undefined;
}): Partial<Site> {
  const fields: { -readonly [K in keyof Site]?: Site[K] } = {};
  if (row.latitude !== undefined && row.longitude !== undefined) {
    const location: SiteLocation = {
      latitude: row.latitude,
      longitude: row.longitude,
      source: "site",
      approximate: false,
    };
    fields.location = location;
  }
  if (row.contact_phone !== undefined) fields.contactPhone = row.contact_phone;
  if (row.access_note !== undefined) fields.accessNote = row.access_note;
  if (row.pickup_hours !== undefined) fields.pickupHours = row.pickup_hours;
  return fields;
}

/**
 * Checks the rows of a sites table and returns the valid sites; every problem goes to `sink`.
 * Every site must belong to one of `municipalities` (joined on the code) and ids are unique; a
 * site's own coordinates must lie within `bounds` (Denmark unless another country's reference).
 */
export function readSiteRows(
  path: string,
  text: string,
  municipalities: readonly Municipality[],
  sink: ProblemSink,
  bounds: CoordinateBounds = DENMARK_BOUNDS,
): Site[] {
  const table = readInputTable(path, text, { required: SITE_COLUMNS, optional: SITE_OPTIONAL_COLUMNS }, sink);
  if (table === undefined) return [];
  const schema = createSiteRowSchema(new Set(municipalities.map((m) => m.code)), bounds);
  const firstLineById = new Map<string, number>();
  const sites: Site[] = [];
  for (const row of table.rows) {
    const site = validateRow(path, row, rawRowOf(SITE_ROW, table, row), SITE_ROW, schema, sink);
    if (site === undefined) continue;
    const firstLine = firstLineById.get(site.site_id);
    if (firstLine !== undefined) {
      sink.report({
        file: path,
        line: row.line,
        column: "site_id",
        message: `expected unique site ids, found ${SITE_ROW.describe("site_id", site.site_id)} again (first on line ${firstLine})`,
      });
      continue;
    }
    firstLineById.set(site.site_id, row.line);
    sites.push({
      id: site.site_id,
      municipalityCode: site.municipality_code,
      kind: site.kind,
      name: site.name,
      address: site.address,
      ...driverFields(site),
    });
  }
  return sites;
}

/**
 * Reads the sites file `site_id;municipality_code;kind;name;address`, optionally with
 * `latitude;longitude;contact_phone;access_note;pickup_hours` (`;`, UTF-8 with or without BOM;
 * Windows-1252 is read with a warning to `sink`). With the default sink the first problem
 * throws an `InputError` naming the file, the line, the column and what was expected.
 */
export async function readSites(
  path: string,
  municipalities: readonly Municipality[],
  sink: ProblemSink = createThrowingSink(),
  bounds: CoordinateBounds = DENMARK_BOUNDS,
): Promise<Site[]> {
  const input = await readInputText(path, "sites file", sink);
  if (input === undefined) return [];
  return readSiteRows(path, input.text, municipalities, sink, bounds);
}

/** Longest staff name (in words) looked for in a note; longer names are matched by their first words. */
const MAX_NAME_WORDS = 4;

/** A word of a note or name: what {@link wordsOf} splits a text into. */
const FIRST_WORD = /[\p{L}\p{N}'-]+/u;

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}'-]+/u)
    .filter((word) => word !== "");
}

/**
 * Reports every site whose access note names a staff member of the roster (a full name of two or
 * more words, any case): the note is printed on the drivers' route sheets and in the regions'
 * pickup files, where staff data never goes. The message names the site and the column, never the
 * name found. (Employee ids are not looked for: numbering from 1, they match house numbers.)
 */
export function checkSiteNotes(
  path: string,
  sites: readonly Site[],
  staff: readonly { readonly name?: string | undefined }[],
  sink: ProblemSink,
): void {
  const notes = new Map<Site, string[]>();
  const noteWords = new Set<string>();
  for (const site of sites) {
    if (site.accessNote === undefined) continue;
    const words = wordsOf(site.accessNote);
    notes.set(site, words);
    for (const word of words) noteWords.add(word);
  }
  if (noteWords.size === 0) return;
  // Only the names whose first word is in some note can be found in one: the others (nearly all
  // of a national roster) are passed over after one look at their first word.
  const names = new Set<string>();
  for (const member of staff) {
    if (member.name === undefined) continue;
    const lower = member.name.toLowerCase();
    const first = FIRST_WORD.exec(lower)?.[0];
    if (first === undefined || !noteWords.has(first)) continue;
    const words = wordsOf(lower);
    if (words.length >= 2) names.add(words.slice(0, MAX_NAME_WORDS).join(" "));
  }
  for (const [site, words] of notes) {
    const found = words.some((_, start) =>
      [2, 3, 4].some(
        (length) => start + length <= words.length && names.has(words.slice(start, start + length).join(" ")),
      ),
    );
    if (found) {
      sink.report({
        file: path,
        column: "access_note",
        message: `expected no staff names in the access note of site ${SITE_ROW.describe("site_id", site.id)} (it is printed on the drivers' route sheets), found a name from the roster`,
      });
    }
  }
}
