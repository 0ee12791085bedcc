import type { MissedTest } from "./attendance.ts";
import type { IsoDate, IsoWeek, Weekday } from "./calendar.ts";
import type { RedTestReason } from "./cadence.ts";
import type { Status } from "./classify.ts";
import type { PlannedRoster } from "./cycle-slots.ts";
import type { KitSettings } from "./kit-deliveries.ts";
import type { PickupDaySettings } from "./pickup-days.ts";
import type { RegionRouteSettings } from "./pickup-routes.ts";
import type { Municipality } from "./reference.ts";
import type { Shift, Site, SiteKind, StaffMember } from "./roster.ts";
import type { RegionPickups } from "./week-pickups.ts";

/**
 * Why a test is in the rota (output column `reason`):
 * `cycle` (6-week green cycle), `red-week-1`, `red-retest`, `new-starter` (a cycle test at most
 * 42 days after the start date: the first one), `make-up` (an earlier test was missed: absent,
 * or not reported by the grace; see `owesMakeUp`).
 */
export type TestReason = "cycle" | RedTestReason | "new-starter" | "make-up";

/** Per-region planning settings (from config). */
export type RegionPlanSettings = {
  readonly code: number;
  readonly testWeekdays: readonly Weekday[];
  readonly labCapacityPerDay: number;
  /**
   * The region's pickup runs. The planner chooses no test weekday and shift whose samples would
   * wait longer than its `maxWaitHours` (see `listAllowedTestWeekdays`). When absent (callers that
   * plan the rota only), every test weekday and shift may be chosen and pickups follow
   * `DEFAULT_PICKUP_DAY_SETTINGS`.
   */
  readonly pickups?: PickupDaySettings | undefined;
  /** The vans' routes from the region's labs; when absent, pickups and kits are planned without routes. */
  readonly routes?: RegionRouteSettings | undefined;
  /** Kits per session; `DEFAULT_KIT_SETTINGS` (10 % buffer) when absent. */
  readonly kits?: KitSettings | undefined;
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
  /**
   * `staffKey` of each member of `staff` (same order), when the caller has them already: plans
   * over the same roster then key their slot maps by the same strings instead of building a
   * million keys each (memory at German scale). Built here when left out. (The look-ahead of a
   * run takes the plan's keys with its members, see `sameRosterAs`.)
   */
  readonly staffKeys?: readonly string[] | undefined;
  readonly redOrders: readonly RedTestOrder[];
  /** Effective status and incidence of the classification week, for priorities. */
  readonly statusByCode: ReadonlyMap<number, { readonly status: Status; readonly incidence: number }>;
  /**
   * Slots kept from earlier runs (stability), by `staffKey(municipalityCode, employeeId)`; staff
   * without one get a new slot.
   */
  readonly previousSlots: ReadonlyMap<string, CycleSlot>;
  /** Tests deferred by earlier runs, still owed. */
  readonly carriedOver: readonly DeferredTest[];
  /**
   * The tests of the week before the test week (the previous plan): their pickups on runs after
   * this plan is published join this plan's routes. None when absent.
   */
  readonly earlierTests?: readonly PlannedTest[] | undefined;
  /** Plan the routes of regions that configure them (default true; the look-ahead needs none). */
  readonly withRoutes?: boolean | undefined;
  /**
   * False: no identity is on two plannable rows of `staff` (the caller knows, e.g. the plan of the
   * week before over the same roster skipped no row), and the plan's `slots` are not wanted: they
   * come back empty (the look-ahead, whose slots nobody keeps: a million-entry map less).
   * Default true.
   */
  readonly withSlots?: boolean | undefined;
  /**
   * The members of the plan of the week before over the same roster (see `planWeekAndRoster`),
   * when `previousSlots` are that plan's slots: the roster is then not read again (no site or
   * slot looked up per row). Ignored unless `staff`, `sites`, `municipalities`, `regions` and
   * `previousSlots` are the very objects that plan had; the plan comes out the same either way.
   */
  readonly sameRosterAs?: PlannedRoster | undefined;
  /**
   * By staff key (`staffKey`): people whose latest planned test was missed (attendance, see
   * `reviewAttendance`); a make-up test is planned when `owesMakeUp` says so. None when absent.
   */
  readonly missed?: ReadonlyMap<string, MissedTest> | undefined;
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

/**
 * One line of the deferral report: the deferred tests of one municipality, site kind and reason
 * (nothing is dropped silently), in the planning priority order (see `compareDeferralReports`).
 */
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
  /**
   * (b) per week with red load: peak daily load ÷ ⌈week total ÷ test days⌉ (worst such week; 1 when
   * none). A plan covers one test week, so this is that week's ratio when it carries red tests.
   */
  readonly redWeekPeakRatio: number;
  /**
   * Bounds raised only to the largest single site-shift session that cannot be split. The planner
   * splits sessions down to single tests, so this is 1 whenever the region has tests (0 without).
   */
  readonly largestUnsplittableSession: number;
  readonly testWeekDailySpread: { readonly min: number; readonly max: number };
  /** Tests per shift in the test week. */
  readonly shiftTotals: Readonly<Record<Shift, number>>;
  readonly pickupsInTestWeek: number;
  readonly deferred: number;
  /**
   * Tests past their 6-week limit because of this plan: deferred tests whose latest date falls in
   * or before the test week, tests moved off their cycle day, and new slots that cannot meet a
   * deadline (a mover or new starter seen too late). 0 whenever capacity suffices.
   */
  readonly gapViolations: number;
  /** Tests planned in the test week (all reasons). */
  readonly testWeekTotal: number;
  /** Cycle slots of the region (its green cycle total over 6 weeks). */
  readonly cycleTotal: number;
  /** Test days in the 6-week cycle (6 × test weekdays). */
  readonly cycleTestDays: number;
  /** Mean number of distinct cycle days (pickups per cycle) per site with slots. */
  readonly cyclePickupsPerSite: number;
};

/** What the plan changed in the cycle slots (stability report), and roster rows it could not plan. */
export type SlotChanges = {
  /** Previous slots kept unchanged. */
  readonly kept: number;
  /** New slots: staff without a previous slot (new starters, first run). */
  readonly added: number;
  /** Previous slots dropped: the employee left (end date before the test week) or is gone from the roster. */
  readonly removed: number;
  /** Staff whose site, shift or region test days changed: a new slot replaces the previous one. */
  readonly moved: number;
  /** Carried-over tests no longer owed because the employee left or is gone from the roster. */
  readonly carriedOverDropped: number;
  /**
   * Roster rows not planned: a site not in the sites list or of another municipality, a
   * municipality or region not configured, or an employee id already seen in the same
   * municipality (the first row of an identity is planned).
   */
  readonly skippedRows: number;
};

export type WeekPlan = {
  readonly testWeek: IsoWeek;
  readonly tests: readonly PlannedTest[];
  /** Each region's pickups: runs, stops, kits and routes (see `planWeekPickups`), in region order. */
  readonly pickups: readonly RegionPickups[];
  /**
   * Slots of every active staff member after this plan (persisted for stability), by
   * `staffKey(municipalityCode, employeeId)`.
   */
  readonly slots: ReadonlyMap<string, CycleSlot>;
  /** Tests still owed after this week (carried to the next run). */
  readonly deferred: readonly DeferredTest[];
  readonly deferrals: readonly DeferralReport[];
  readonly quality: readonly RegionQuality[];
  /** Slots kept / added / removed / moved by this plan. */
  readonly changes: SlotChanges;
};
