import type { IsoDate } from "./calendar.ts";
import type { GeoPoint } from "./geo.ts";

export const SITE_KINDS = ["nursing-home", "home-care"] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const SHIFTS = ["day", "evening", "night"] as const;
/** Testing happens at the workplace, in working time, in all three shifts. */
export type Shift = (typeof SHIFTS)[number];

/**
 * Where a site's position came from: its own sites-file columns, the operator's postcode table,
 * the municipality (a point inside it), or the demo generator.
 */
export type LocationSource = "site" | "postcode" | "municipality" | "generated";

/** A site's position for routing; approximate for the postcode and municipality stand-ins. */
export type SiteLocation = GeoPoint & {
  readonly source: LocationSource;
  /** True when the postcode or municipality stood in: the ETA at that stop is rough. */
  readonly approximate: boolean;
};

/** Hours in which a site hands over samples and takes kits, local `HH:MM` (open before close). */
export type PickupHours = { readonly open: string; readonly close: string };

export type Site = {
  readonly id: string;
  readonly municipalityCode: number;
  readonly kind: SiteKind;
  readonly name: string;
  readonly address: string;
  /** The site's position: from its own columns, or filled in by the loader (postcode, municipality). */
  readonly location?: SiteLocation | undefined;
  /** The site's phone for the driver (a duty phone, never a person's private number). */
  readonly contactPhone?: string | undefined;
  /** How the driver gets in (entrance, key box); never a staff name. */
  readonly accessNote?: string | undefined;
  readonly pickupHours?: PickupHours | undefined;
};

export type StaffMember = {
  /**
   * The municipality whose roster file the member came from (whose HR system numbers them).
   * With `employeeId` it is the member's identity (see `staffKey`).
   */
  readonly municipalityCode: number;
  /** The HR system's id: unique within one municipality only. */
  readonly employeeId: string;
  readonly name?: string | undefined;
  readonly siteId: string;
  readonly shift: Shift;
  /** First working day; a new starter is tested within 6 weeks of it. */
  readonly startDate?: IsoDate | undefined;
  /** Last working day; no tests are planned after it. */
  readonly endDate?: IsoDate | undefined;
};

/**
 * A municipality whose roster file could not be used this run (missing, or with a problem). The
 * other municipalities go on: this one is planned from its last good roster (the last file a
 * committed run read without a problem), or, with none stored, gets no rota. Holds no staff data:
 * it is logged and published.
 */
export type IsolatedRoster = {
  readonly municipalityCode: number;
  /**
   * The first problem, one line: the file relative to the roster folder, line and column, what
   * was expected (never a roster value), e.g. `751.csv:3: shift: expected day, evening or night…`.
   */
  readonly problem: string;
  /** The classification week whose run last read the municipality's file well; null: none stored. */
  readonly lastGoodWeek: string | null;
};

/** True when the staff member works on `date` (start and end dates both inclusive). */
export function isEmployedOn(member: StaffMember, date: IsoDate): boolean {
  if (member.startDate !== undefined && date < member.startDate) return false;
  if (member.endDate !== undefined && date > member.endDate) return false;
  return true;
}

/**
 * A staff member's identity across the country: (municipality, employee id). Each municipality's
 * HR system numbers its own staff (often from 1), so the same employee id in two municipalities is
 * two people; every map, slot and owed test is keyed by this, never by the employee id alone.
 */
export function staffKey(municipalityCode: number, employeeId: string): string {
  // Joined into one flat string: a template literal makes a cons string over a `code:` prefix,
  // which V8 copies flat on the first map look-up and then keeps both. A run holds a million of
  // these keys twice (last week's slots and this week's): ~25 MiB less each (docs/performance.md).
  return [municipalityCode, employeeId].join(":");
}

/** The identity of a staff member, a planned or a deferred test (see `staffKey`). */
export function staffKeyOf(who: { readonly municipalityCode: number; readonly employeeId: string }): string {
  return staffKey(who.municipalityCode, who.employeeId);
}

/** The municipality and employee id of a `staffKey` (undefined for text that is none). */
export function splitStaffKey(key: string): { municipalityCode: number; employeeId: string } | undefined {
  const colon = key.indexOf(":");
  const municipalityCode = Number(key.slice(0, colon));
  if (colon <= 0 || !Number.isInteger(municipalityCode)) return undefined;
  return { municipalityCode, employeeId: key.slice(colon + 1) };
}
