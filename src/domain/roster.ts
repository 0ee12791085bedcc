import type { IsoDate } from "./calendar.ts";

export const SITE_KINDS = ["nursing-home", "home-care"] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const SHIFTS = ["day", "evening", "night"] as const;
/** Testing happens at the workplace, in working time, in all three shifts. */
export type Shift = (typeof SHIFTS)[number];

export type Site = {
  readonly id: string;
  readonly municipalityCode: number;
  readonly kind: SiteKind;
  readonly name: string;
  readonly address: string;
};

export type StaffMember = {
  readonly employeeId: string;
  readonly name?: string | undefined;
  readonly siteId: string;
  readonly shift: Shift;
  /** First working day; a new starter is tested within 6 weeks of it. */
  readonly startDate?: IsoDate | undefined;
  /** Last working day; no tests are planned after it. */
  readonly endDate?: IsoDate | undefined;
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
  return `${municipalityCode}:${employeeId}`;
}
