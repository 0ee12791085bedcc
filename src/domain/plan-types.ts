import type { IsoDate, IsoWeek, Weekday } from "./calendar.ts";
import type { RedTestReason } from "./cadence.ts";
import type { Status } from "./classify.ts";
import type { Municipality } from "./reference.ts";
import type { Shift, Site, SiteKind, StaffMember } from "./roster.ts";

/**
 * Why a test is in the rota (output column `reason`):
 * `cycle` (6-week green cycle), `red-week-1`, `red-retest`, `new-starter` (first test after the
 * start date, within 6 weeks of it).
 */
export type TestReason = "cycle" | RedTestReason | "new-starter";

/** Per-region planning settings (from config). */
export type RegionPlanSettings = {
  readonly code: number;
  readonly testWeekdays: readonly Weekday[];
  readonly labCapacityPerDay: number;
  readonly pickupTime: string;
  readonly pickupDayOffset: number;
};

/** A staff member's fixed place in the 6-week green cycle. */
export type CycleSlot = {
  /** 0–5: week of the cycle, counted from the configured anchor week. */
  readonly cycleWeek: number;
  readonly weekday: Weekday;
  readonly shift: Shift;
  readonly siteId: string;
};

/** Red tests the test week must carry for one municipality (from the cadence). */
export type RedTestOrder = {
  readonly municipalityCode: number;
  readonly reason: RedTestReason;
  /** Only these sites (limit-to-sites override), or all sites of the municipality when null. */
  readonly limitToSites: readonly string[] | null;
};

/** Tests carried over from an earlier week because capacity ran short. */
export type DeferredTest = {
  readonly employeeId: string;
  readonly siteId: string;
  readonly municipalityCode: number;
  readonly reason: TestReason;
  /** The week the test was first due. */
  readonly dueWeek: IsoWeek;
  /** Last date the test may happen without breaking the 6-week gap. */
  readonly latestDate: IsoDate;
};

export type PlanInput = {
  /** The week the rota is for (the run of week W plans W+1). */
  readonly testWeek: IsoWeek;
  /** Week 0 of the 6-week cycle. */
  readonly cycleAnchor: IsoWeek;
  readonly regions: readonly RegionPlanSettings[];
  readonly municipalities: readonly Municipality[];
  readonly sites: readonly Site[];
  readonly staff: readonly StaffMember[];
  readonly redOrders: readonly RedTestOrder[];
  /** Effective status and incidence of the classification week, for priorities. */
  readonly statusByCode: ReadonlyMap<number, { readonly status: Status; readonly incidence: number }>;
  /** Slots kept from earlier runs (stability); staff without one get a new slot. */
  readonly previousSlots: ReadonlyMap<string, CycleSlot>;
  /** Tests deferred by earlier runs, still owed. */
  readonly carriedOver: readonly DeferredTest[];
};

export type PlannedTest = {
  readonly employeeId: string;
  readonly siteId: string;
  readonly municipalityCode: number;
  readonly regionCode: number;
  readonly date: IsoDate;
  readonly weekday: Weekday;
  readonly shift: Shift;
  readonly reason: TestReason;
};

/** One pickup: a site's samples of one test date, collected `pickupDayOffset` days later. */
export type Pickup = {
  readonly regionCode: number;
  readonly municipalityCode: number;
  readonly siteId: string;
  readonly testDate: IsoDate;
  readonly pickupDate: IsoDate;
  readonly pickupTime: string;
  readonly samples: number;
  /** Kits for the site's next session, delivered on this visit (one per planned test). */
  readonly kitsToDeliver: number;
};

/** Deferred tests of one municipality, with numbers (never dropped silently). */
export type DeferralReport = {
  readonly municipalityCode: number;
  readonly regionCode: number;
  readonly siteKind: SiteKind;
  readonly reason: TestReason;
  readonly count: number;
  /** Tests whose deferral breaks the 6-week gap (reported as violations). */
  readonly gapViolations: number;
};

export type RegionQuality = {
  readonly regionCode: number;
  /** (a) over the 6-week green cycle: peak daily load ÷ ⌈cycle total ÷ test days in the cycle⌉. */
  readonly cyclePeakRatio: number;
  /** (b) per week with red load: peak daily load ÷ ⌈week total ÷ test days⌉ (worst such week; 1 when none). */
  readonly redWeekPeakRatio: number;
  /** Bounds raised only to the largest single site-shift session that cannot be split. */
  readonly largestUnsplittableSession: number;
  readonly testWeekDailySpread: { readonly min: number; readonly max: number };
  /** Tests per shift in the test week. */
  readonly shiftTotals: Readonly<Record<Shift, number>>;
  readonly pickupsInTestWeek: number;
  readonly deferred: number;
  readonly gapViolations: number;
};

export type WeekPlan = {
  readonly testWeek: IsoWeek;
  readonly tests: readonly PlannedTest[];
  readonly pickups: readonly Pickup[];
  /** Slots of every active staff member after this plan (persisted for stability). */
  readonly slots: ReadonlyMap<string, CycleSlot>;
  /** Tests still owed after this week (carried to the next run). */
  readonly deferred: readonly DeferredTest[];
  readonly deferrals: readonly DeferralReport[];
  readonly quality: readonly RegionQuality[];
};
