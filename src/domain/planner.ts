import {
  addDays,
  dateInWeek,
  daysBetween,
  weeksBetween,
  type IsoDate,
  type IsoWeek,
  type Weekday,
} from "./calendar.ts";
import { placeWeek } from "./capacity.ts";
import { assignCycleDays, type DeadlineMember } from "./cycle-assignment.ts";
import type {
  CycleSlot,
  DeferralReport,
  DeferredTest,
  Pickup,
  PlanInput,
  PlannedTest,
  RedTestOrder,
  RegionPlanSettings,
  RegionQuality,
  TestReason,
  WeekPlan,
} from "./plan-types.ts";
import { planSitePickups, type SiteWeekSessions } from "./pickups.ts";
import { measureRegionQuality } from "./quality.ts";
import { isEmployedOn, type Shift, type SiteKind, type StaffMember } from "./roster.ts";

/** The green cycle: every staff member once every 6 weeks. */
export const CYCLE_WEEKS = 6;
/** No staff member goes more than 6 weeks (42 days) between tests; a new starter 42 days from the start date. */
export const GAP_DAYS = 42;

const REASONS: readonly TestReason[] = ["cycle", "new-starter", "red-week-1", "red-retest"];
const REASON_CODE: Readonly<Record<TestReason, number>> = {
  cycle: 0,
  "new-starter": 1,
  "red-week-1": 2,
  "red-retest": 3,
};
const SHIFT_CODE: Readonly<Record<Shift, number>> = { day: 0, evening: 1, night: 2 };
const KIND_CODE: Readonly<Record<SiteKind, number>> = { "nursing-home": 0, "home-care": 1 };
/** Dates are looked up by offset from the test week's Monday in this range (covers every rule below). */
const FIRST_OFFSET = -GAP_DAYS - 7;
const LAST_OFFSET = GAP_DAYS + 14;

/** Non-negative remainder (weeks before the anchor still land in cycle weeks 0–5). */
function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/** Week of the 6-week cycle of `week`: weeksBetween(cycleAnchor, week) mod 6, never negative. */
export function cycleWeekOf(cycleAnchor: IsoWeek, week: IsoWeek): number {
  return modulo(weeksBetween(cycleAnchor, week), CYCLE_WEEKS);
}

/** Dates around the test week by offset in days from its Monday, computed once per plan. */
type WeekCalendar = {
  readonly monday: IsoDate;
  readonly dateAt: (offset: number) => IsoDate;
  readonly offsetOf: (date: IsoDate) => number;
};

function createWeekCalendar(week: IsoWeek): WeekCalendar {
  const monday = dateInWeek(week, 1);
  const dates: IsoDate[] = [];
  const offsets = new Map<IsoDate, number>();
  for (let offset = FIRST_OFFSET; offset <= LAST_OFFSET; offset++) {
    const date = addDays(monday, offset);
    dates.push(date);
    offsets.set(date, offset);
  }
  return {
    monday,
    dateAt: (offset) => dates[offset - FIRST_OFFSET] ?? addDays(monday, offset),
    offsetOf: (date) => offsets.get(date) ?? daysBetween(monday, date),
  };
}

/**
 * One region's planning frame. Cycle days are the region's test days of the 6-week cycle, in
 * the order they next occur from the test week ("day 0" is the first test day of the test week).
 */
type RegionFrame = {
  readonly settings: RegionPlanSettings;
  readonly weekdays: readonly Weekday[];
  readonly testDays: number;
  readonly cycleDays: number;
  /** Test-day index of an ISO weekday, -1 when the region does not test that day. */
  readonly testDayOf: Int32Array;
  /** Days from the test week's Monday to each cycle day's next occurrence. */
  readonly offsetOfDay: Int32Array;
  /** For a deadline `o` days after the Monday: the last cycle day occurring by then, -1 if none. */
  readonly lastDayBy: Int32Array;
  readonly loads: Int32Array;
  readonly siteDays: Map<number, number[]>;
  readonly deadlines: DeadlineMember[];
  readonly free: number[];
};

function createRegionFrame(settings: RegionPlanSettings): RegionFrame {
  const weekdays = [...new Set(settings.testWeekdays)]
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= 7)
    .sort((a, b) => a - b);
  const testDays = weekdays.length;
  const cycleDays = CYCLE_WEEKS * testDays;
  const testDayOf = new Int32Array(8).fill(-1);
  weekdays.forEach((weekday, index) => (testDayOf[weekday] = index));
  const offsetOfDay = new Int32Array(cycleDays);
  for (let day = 0; day < cycleDays; day++) {
    offsetOfDay[day] = 7 * Math.floor(day / testDays) + (weekdays[day % testDays] ?? 1) - 1;
  }
  const lastDayBy = new Int32Array(7 * CYCLE_WEEKS).fill(-1);
  for (let offset = 0, day = -1; offset < lastDayBy.length; offset++) {
    while (day + 1 < cycleDays && (offsetOfDay[day + 1] ?? 0) <= offset) day++;
    lastDayBy[offset] = day;
  }
  return {
    settings,
    weekdays,
    testDays,
    cycleDays,
    testDayOf,
    offsetOfDay,
    lastDayBy,
    loads: new Int32Array(cycleDays),
    siteDays: new Map(),
    deadlines: [],
    free: [],
  };
}

/** Sites by index, with their region frame, municipality and kind. */
type SiteTable = {
  readonly indexById: Map<string, number>;
  readonly ids: string[];
  readonly region: Int32Array;
  readonly municipality: Int32Array;
  readonly kind: Uint8Array;
};

function indexSites(input: PlanInput, regionIndex: ReadonlyMap<number, number>): SiteTable {
  const regionOfMunicipality = new Map(
    input.municipalities.map((m) => [m.code, regionIndex.get(m.regionCode) ?? -1]),
  );
  const count = input.sites.length;
  const table: SiteTable = {
    indexById: new Map(),
    ids: [],
    region: new Int32Array(count).fill(-1),
    municipality: new Int32Array(count),
    kind: new Uint8Array(count),
  };
  for (const site of input.sites) {
    if (table.indexById.has(site.id)) continue;
    const index = table.ids.length;
    table.indexById.set(site.id, index);
    table.ids.push(site.id);
    table.region[index] = regionOfMunicipality.get(site.municipalityCode) ?? -1;
    table.municipality[index] = site.municipalityCode;
    table.kind[index] = KIND_CODE[site.kind] ?? 1;
  }
  return table;
}

type RedOrder = { readonly reason: TestReason; readonly sites: ReadonlySet<string> | null };

/** Red orders by municipality; several orders for one municipality merge (all sites win over a limit). */
function indexRedOrders(orders: readonly RedTestOrder[]): Map<number, RedOrder> {
  const byCode = new Map<number, RedOrder>();
  for (const order of orders) {
    const earlier = byCode.get(order.municipalityCode);
    const sites =
      order.limitToSites === null || (earlier !== undefined && earlier.sites === null)
        ? null
        : new Set([...(earlier?.sites ?? []), ...order.limitToSites]);
    byCode.set(order.municipalityCode, { reason: earlier?.reason ?? order.reason, sites });
  }
  return byCode;
}

/** Carried-over tests by employee (one owed test per person: the earliest latest date wins). */
function indexCarriedOver(carried: readonly DeferredTest[]): Map<string, DeferredTest> {
  const byId = new Map<string, DeferredTest>();
  for (const test of carried) {
    const earlier = byId.get(test.employeeId);
    if (earlier === undefined || test.latestDate < earlier.latestDate) byId.set(test.employeeId, test);
  }
  return byId;
}

function isSlotShape(slot: CycleSlot): boolean {
  return (
    Number.isInteger(slot.cycleWeek) &&
    slot.cycleWeek >= 0 &&
    slot.cycleWeek < CYCLE_WEEKS &&
    Number.isInteger(slot.weekday) &&
    slot.weekday >= 1 &&
    slot.weekday <= 7
  );
}

/** The staff members planned this week, by dense index, with their site, shift and cycle day. */
type Members = {
  readonly list: StaffMember[];
  /** Each member's slot after this plan (kept, or new once assigned). */
  readonly slot: CycleSlot[];
  readonly site: Int32Array;
  readonly shift: Uint8Array;
  readonly day: Int32Array;
};

/** Placeholder until a member's new slot is assigned. */
const UNASSIGNED: CycleSlot = { cycleWeek: 0, weekday: 1, shift: "day", siteId: "" };

type SlotCounts = { kept: number; added: number; moved: number; skipped: number; late: Int32Array };

/**
 * Reads the roster once: leavers and unknown sites drop out, kept slots load their cycle day,
 * everyone else waits for a new slot (with a deadline when a new starter's 6 weeks or a moved
 * member's 6-week gap is already running).
 */
function collectMembers(
  input: PlanInput,
  frames: readonly RegionFrame[],
  sites: SiteTable,
  calendar: WeekCalendar,
  cycleWeek: number,
): { members: Members; counts: SlotCounts } {
  const capacity = input.staff.length;
  const members: Members = {
    list: [],
    slot: [],
    site: new Int32Array(capacity),
    shift: new Uint8Array(capacity),
    day: new Int32Array(capacity),
  };
  const counts: SlotCounts = { kept: 0, added: 0, moved: 0, skipped: 0, late: new Int32Array(frames.length) };
  const newStarterFrom = calendar.dateAt(-GAP_DAYS);
  const hasPrevious = input.previousSlots.size > 0;
  for (const member of input.staff) {
    const site = sites.indexById.get(member.siteId);
    const frame = site === undefined ? undefined : frames[sites.region[site] ?? -1];
    if (site === undefined || frame === undefined) {
      counts.skipped += 1;
      continue;
    }
    // Leavers (end date before the test week) lose their slot; later leavers keep it until then.
    if (member.endDate !== undefined && member.endDate < calendar.monday) continue;
    const index = members.list.length;
    members.list.push(member);
    members.site[index] = site;
    members.shift[index] = SHIFT_CODE[member.shift] ?? 0;
    const previous = hasPrevious ? input.previousSlots.get(member.employeeId) : undefined;
    // Every member gets an entry now (the packed array stays fast); new slots replace it later.
    members.slot.push(previous ?? UNASSIGNED);
    const testDay = previous === undefined ? -1 : (frame.testDayOf[previous.weekday] ?? -1);
    if (
      previous !== undefined &&
      testDay >= 0 &&
      isSlotShape(previous) &&
      previous.siteId === member.siteId &&
      previous.shift === member.shift
    ) {
      const day = modulo(previous.cycleWeek - cycleWeek, CYCLE_WEEKS) * frame.testDays + testDay;
      members.day[index] = day;
      frame.loads[day] = (frame.loads[day] ?? 0) + 1;
      const days = frame.siteDays.get(site);
      if (days === undefined) frame.siteDays.set(site, [day]);
      else if (!days.includes(day)) days.push(day);
      counts.kept += 1;
      continue;
    }
    let deadline = Number.POSITIVE_INFINITY;
    if (previous === undefined) counts.added += 1;
    else {
      counts.moved += 1;
      // The next test must come no later than the old slot's next occurrence (6 weeks after the last).
      if (isSlotShape(previous)) {
        deadline = modulo(previous.cycleWeek - cycleWeek, CYCLE_WEEKS) * 7 + previous.weekday - 1;
      }
    }
    // A new starter's first test within 6 weeks of the start (a moved member's old slot, 6 weeks
    // after their last test, is always the earlier limit).
    const start = member.startDate;
    if (previous === undefined && start !== undefined && start < calendar.monday && start >= newStarterFrom) {
      deadline = Math.min(deadline, calendar.offsetOf(start) + GAP_DAYS);
    }
    if (Number.isFinite(deadline))
      frame.deadlines.push({ member: index, lastDay: frame.lastDayBy[deadline] ?? -1 });
    else frame.free.push(index);
  }
  return { members, counts };
}

/** One region's tests of the week, built up member by member (parallel arrays). */
type RegionDemand = {
  member: number[];
  fixedDay: number[];
  reason: number[];
  latest: number[];
  carried: (DeferredTest | undefined)[];
};

function emptyDemand(): RegionDemand {
  return { member: [], fixedDay: [], reason: [], latest: [], carried: [] };
}

type DemandContext = {
  readonly input: PlanInput;
  readonly frames: readonly RegionFrame[];
  readonly sites: SiteTable;
  readonly members: Members;
  readonly calendar: WeekCalendar;
  readonly redOrders: ReadonlyMap<number, RedOrder>;
  readonly carriedById: ReadonlyMap<string, DeferredTest>;
};

/**
 * What each region owes in the test week, at most one test per staff member:
 * - a cycle test on the member's slot day (`new-starter` when it falls within 6 weeks of the
 *   start date);
 * - a red test (week 1 or retest) for every staff member of a red municipality, or of the sites
 *   of a limit-to-sites order; it replaces a cycle test due the same week and then stays on the
 *   slot day, so the 6-week gap is kept; otherwise it is flexible within the week;
 * - a test carried over from an earlier week, merged into the above when there is one.
 * Staff employed on only some test days take the first such day; a carried-over test of someone
 * who has not started yet is carried again (`carriedAgain`); of someone gone before the first
 * test day it is no longer owed (left out of `consumed`, so it counts as dropped).
 */
function collectDemand(context: DemandContext): {
  demand: RegionDemand[];
  carriedAgain: DeferredTest[];
  consumed: Set<string>;
} {
  const { frames, sites, members, calendar } = context;
  const demand = frames.map(() => emptyDemand());
  const carriedAgain: DeferredTest[] = [];
  const consumed = new Set<string>();
  for (let index = 0; index < members.list.length; index++) {
    const member = members.list[index] as StaffMember;
    const site = members.site[index] ?? 0;
    const regionIndex = sites.region[site] ?? 0;
    const frame = frames[regionIndex] as RegionFrame;
    const day = members.day[index] ?? 0;
    const slotOffset = frame.offsetOfDay[day] ?? 0;
    const order = context.redOrders.get(sites.municipality[site] ?? 0);
    const red =
      order !== undefined && (order.sites === null || order.sites.has(member.siteId)) ? order : undefined;
    const carried = context.carriedById.size === 0 ? undefined : context.carriedById.get(member.employeeId);
    if (carried !== undefined) consumed.add(member.employeeId);
    const carriedLatest =
      carried === undefined ? Number.POSITIVE_INFINITY : calendar.offsetOf(carried.latestDate);

    let fixedDay: number;
    let latest = slotOffset;
    let reason = REASON_CODE.cycle;
    if (day < frame.testDays && isEmployedOn(member, calendar.dateAt(slotOffset))) {
      fixedDay = day;
      const start = member.startDate;
      if (start !== undefined && start >= calendar.dateAt(slotOffset - GAP_DAYS))
        reason = REASON_CODE["new-starter"];
    } else if (red !== undefined || carried !== undefined) {
      // No cycle test this week: the 6-week limit is the slot's next occurrence.
      if (day < frame.testDays) latest += CYCLE_WEEKS * 7;
      let first = -1;
      let all = true;
      frame.weekdays.forEach((weekday, testDay) => {
        if (isEmployedOn(member, calendar.dateAt(weekday - 1))) {
          if (first < 0) first = testDay;
        } else all = false;
      });
      if (first < 0) {
        // Not yet started: the test stays owed. Already gone by the first test day: nothing owed.
        const lastTestDate = calendar.dateAt((frame.weekdays[frame.testDays - 1] ?? 7) - 1);
        if (carried !== undefined && member.startDate !== undefined && member.startDate > lastTestDate) {
          carriedAgain.push(carried);
        } else if (carried !== undefined) consumed.delete(member.employeeId);
        continue;
      }
      fixedDay = all ? -1 : first;
    } else continue;
    if (carried !== undefined) reason = REASON_CODE[carried.reason];
    if (red !== undefined) reason = REASON_CODE[red.reason];
    const owed = demand[regionIndex] as RegionDemand;
    owed.member.push(index);
    owed.fixedDay.push(fixedDay);
    owed.reason.push(reason);
    owed.latest.push(Math.min(latest, carriedLatest));
    owed.carried.push(carried);
  }
  return { demand, carriedAgain, consumed };
}

/** Priority of a test under pressure, as sortable keys (see {@link planWeek}). */
type Priority = {
  readonly carried: Uint8Array;
  readonly red: Uint8Array;
  readonly statusGreen: Uint8Array;
  readonly incidence: Float64Array;
  readonly kind: Uint8Array;
  readonly latest: Float64Array;
  readonly site: Int32Array;
  readonly member: Int32Array;
};

function priorityOf(owed: RegionDemand, context: DemandContext): Priority {
  const count = owed.member.length;
  const priority: Priority = {
    carried: new Uint8Array(count),
    red: new Uint8Array(count),
    statusGreen: new Uint8Array(count),
    incidence: new Float64Array(count),
    kind: new Uint8Array(count),
    latest: Float64Array.from(owed.latest),
    site: new Int32Array(count),
    member: Int32Array.from(owed.member),
  };
  for (let item = 0; item < count; item++) {
    const site = context.members.site[owed.member[item] ?? 0] ?? 0;
    const status = context.input.statusByCode.get(context.sites.municipality[site] ?? 0);
    priority.carried[item] = owed.carried[item] === undefined ? 1 : 0;
    priority.red[item] = (owed.reason[item] ?? 0) >= REASON_CODE["red-week-1"] ? 0 : 1;
    priority.statusGreen[item] = status?.status === "red" ? 0 : 1;
    priority.incidence[item] = status?.incidence ?? 0;
    priority.kind[item] = context.sites.kind[site] ?? 1;
    priority.site[item] = site;
  }
  return priority;
}

/**
 * Priority order: carried-over tests first (they are owed from earlier weeks), then red before
 * green tests, tests in red municipalities before green ones, higher incidence first, nursing
 * homes before home care, the earliest 6-week limit first, then site and roster order.
 */
function comparePriority(p: Priority): (a: number, b: number) => number {
  return (a, b) =>
    (p.carried[a] ?? 0) - (p.carried[b] ?? 0) ||
    (p.red[a] ?? 0) - (p.red[b] ?? 0) ||
    (p.statusGreen[a] ?? 0) - (p.statusGreen[b] ?? 0) ||
    (p.incidence[b] ?? 0) - (p.incidence[a] ?? 0) ||
    (p.kind[a] ?? 0) - (p.kind[b] ?? 0) ||
    (p.latest[a] ?? 0) - (p.latest[b] ?? 0) ||
    (p.site[a] ?? 0) - (p.site[b] ?? 0) ||
    (p.member[a] ?? 0) - (p.member[b] ?? 0);
}

type DeferredEntry = {
  readonly test: DeferredTest;
  readonly regionCode: number;
  readonly kind: number;
  readonly violation: boolean;
};

function reportDeferrals(entries: readonly DeferredEntry[], input: PlanInput): DeferralReport[] {
  const byKey = new Map<string, { report: DeferralReport; count: number; violations: number }>();
  for (const entry of entries) {
    const test = entry.test;
    const key = `${test.municipalityCode}|${entry.kind}|${test.reason}`;
    let group = byKey.get(key);
    if (group === undefined) {
      group = {
        report: {
          municipalityCode: test.municipalityCode,
          regionCode: entry.regionCode,
          siteKind: entry.kind === 0 ? "nursing-home" : "home-care",
          reason: test.reason,
          count: 0,
          gapViolations: 0,
        },
        count: 0,
        violations: 0,
      };
      byKey.set(key, group);
    }
    group.count += 1;
    if (entry.violation) group.violations += 1;
  }
  const rank = (report: DeferralReport): [number, number, number, number, number] => {
    const status = input.statusByCode.get(report.municipalityCode);
    return [
      report.reason === "red-week-1" || report.reason === "red-retest" ? 0 : 1,
      status?.status === "red" ? 0 : 1,
      -(status?.incidence ?? 0),
      report.siteKind === "nursing-home" ? 0 : 1,
      report.municipalityCode,
    ];
  };
  return [...byKey.values()]
    .map((group) => ({ ...group.report, count: group.count, gapViolations: group.violations }))
    .sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] ?? 0) - (rb[i] ?? 0);
      return REASON_CODE[a.reason] - REASON_CODE[b.reason];
    });
}

/**
 * Plans one test week for every region: the green cycle's share, red tests and carried-over
 * tests, within each region's lab capacity; returns the tests, pickups, the slots to keep, what
 * is deferred and the quality figures. Pure and deterministic (same input, same plan).
 *
 * Rules:
 * - Green cycle: every staff member has a fixed slot (week of the 6-week cycle, weekday, their own
 *   shift) and is tested on it every 6 weeks; week of cycle = weeksBetween(cycleAnchor, week) mod 6.
 *   Slots in `previousSlots` are kept while site and shift stay and the weekday is still a test
 *   day; leavers (end date before the test week, or gone from the roster) lose theirs; everyone
 *   else gets a new slot (see `assignCycleDays`) that keeps each region's daily load at its even
 *   share over the cycle's test days, sites together on as few days as possible. A new starter's
 *   first test falls within 6 weeks of the start date (reason `new-starter`); a moved member's
 *   next test within 6 weeks of the last one.
 * - Red flow: all staff of a municipality in `redOrders` (only the named sites under a
 *   limit-to-sites order) are tested in the week, at most once: a red test replaces that week's
 *   cycle test on its slot day (the slot stays), the others are spread over the week's test days
 *   on top of the green load (water-filling, see `placeWeek`).
 * - Capacity: a region never plans more than `labCapacityPerDay` tests on a test day. Fixed tests
 *   of an over-full day move to other days of the same week; what does not fit the week is
 *   deferred (`deferred`, fed back as `carriedOver` and planned first next week) in priority order
 *   (carried over, then red before green, higher incidence first, nursing homes before home care)
 *   and reported per municipality (`deferrals`). A deferred test whose 6-week limit falls in or
 *   before the test week, or a test moved off its cycle day, counts as a gap violation.
 * - Pickups: one per site and test date (see `planSitePickups`).
 */
export function planWeek(input: PlanInput): WeekPlan {
  const calendar = createWeekCalendar(input.testWeek);
  const cycleWeek = cycleWeekOf(input.cycleAnchor, input.testWeek);
  const frames: RegionFrame[] = [];
  const regionIndex = new Map<number, number>();
  for (const settings of input.regions) {
    const frame = createRegionFrame(settings);
    if (regionIndex.has(settings.code) || frame.testDays === 0) continue;
    regionIndex.set(settings.code, frames.length);
    frames.push(frame);
  }
  const sites = indexSites(input, regionIndex);
  const { members, counts } = collectMembers(input, frames, sites, calendar, cycleWeek);

  frames.forEach((frame, index) => {
    const { late } = assignCycleDays({
      days: frame.cycleDays,
      loads: frame.loads,
      siteDays: frame.siteDays,
      deadlines: frame.deadlines,
      free: frame.free,
      siteOf: members.site,
      shiftOf: members.shift,
      dayOf: members.day,
    });
    counts.late[index] = late;
    const assign = (member: number): void => {
      const day = members.day[member] ?? 0;
      const staffMember = members.list[member] as StaffMember;
      members.slot[member] = {
        cycleWeek: (cycleWeek + Math.floor(day / frame.testDays)) % CYCLE_WEEKS,
        weekday: frame.weekdays[day % frame.testDays] ?? 1,
        shift: staffMember.shift,
        siteId: staffMember.siteId,
      };
    };
    for (const { member } of frame.deadlines) assign(member);
    for (const member of frame.free) assign(member);
  });
  const slots = new Map<string, CycleSlot>();
  for (let member = 0; member < members.list.length; member++) {
    slots.set((members.list[member] as StaffMember).employeeId, members.slot[member] as CycleSlot);
    if (slots.size === member) return planWithoutRepeatedIds(input, members.list, counts.skipped);
  }

  const context: DemandContext = {
    input,
    frames,
    sites,
    members,
    calendar,
    redOrders: indexRedOrders(input.redOrders),
    carriedById: indexCarriedOver(input.carriedOver),
  };
  const { demand, carriedAgain, consumed } = collectDemand(context);

  const tests: PlannedTest[] = [];
  const deferredEntries: DeferredEntry[] = [];
  const samples = new Int32Array(sites.ids.length * 7);
  const sunday = 6;
  const weekLoads = frames.map((frame) => new Int32Array(frame.testDays));
  const shiftTotals = frames.map((): Record<Shift, number> => ({ day: 0, evening: 0, night: 0 }));
  const hasRed = frames.map(() => false);
  const violations = Int32Array.from(counts.late);
  const deferredCounts = new Int32Array(frames.length);

  frames.forEach((frame, regionIdx) => {
    const owed = demand[regionIdx] as RegionDemand;
    const priority = priorityOf(owed, context);
    const compare = comparePriority(priority);
    const itemCount = owed.member.length;
    const shift = new Uint8Array(itemCount);
    for (let item = 0; item < itemCount; item++) shift[item] = members.shift[owed.member[item] ?? 0] ?? 0;
    const placement = placeWeek(
      { count: itemCount, fixedDay: Int32Array.from(owed.fixedDay), site: priority.site, shift, compare },
      frame.testDays,
      frame.settings.labCapacityPerDay,
    );
    violations[regionIdx] = (violations[regionIdx] ?? 0) + placement.movedCount;
    const deferredItems: number[] = [];
    const loads = weekLoads[regionIdx] ?? new Int32Array(0);
    const shifts = shiftTotals[regionIdx] ?? { day: 0, evening: 0, night: 0 };
    for (let item = 0; item < itemCount; item++) {
      const memberIndex = owed.member[item] ?? 0;
      const member = members.list[memberIndex] as StaffMember;
      const site = members.site[memberIndex] ?? 0;
      const reason = REASONS[owed.reason[item] ?? 0] ?? "cycle";
      const testDay = placement.day[item] ?? -1;
      if (testDay < 0) {
        deferredItems.push(item);
        continue;
      }
      const weekday = frame.weekdays[testDay] ?? 1;
      tests.push({
        employeeId: member.employeeId,
        siteId: member.siteId,
        municipalityCode: sites.municipality[site] ?? 0,
        regionCode: frame.settings.code,
        date: calendar.dateAt(weekday - 1),
        weekday,
        shift: member.shift,
        reason,
      });
      samples[site * 7 + weekday - 1] = (samples[site * 7 + weekday - 1] ?? 0) + 1;
      loads[testDay] = (loads[testDay] ?? 0) + 1;
      shifts[member.shift] += 1;
      if (reason === "red-week-1" || reason === "red-retest") hasRed[regionIdx] = true;
    }
    deferredItems.sort(compare);
    for (const item of deferredItems) {
      const memberIndex = owed.member[item] ?? 0;
      const member = members.list[memberIndex] as StaffMember;
      const site = members.site[memberIndex] ?? 0;
      const carried = owed.carried[item];
      const latest = priority.latest[item] ?? 0;
      const useCarried = carried !== undefined && calendar.offsetOf(carried.latestDate) <= latest;
      const violation = latest <= sunday;
      deferredEntries.push({
        test: {
          employeeId: member.employeeId,
          siteId: member.siteId,
          municipalityCode: sites.municipality[site] ?? 0,
          reason: REASONS[owed.reason[item] ?? 0] ?? "cycle",
          dueWeek: carried?.dueWeek ?? input.testWeek,
          latestDate: useCarried ? carried.latestDate : calendar.dateAt(latest),
        },
        regionCode: frame.settings.code,
        kind: sites.kind[site] ?? 1,
        violation,
      });
      deferredCounts[regionIdx] = (deferredCounts[regionIdx] ?? 0) + 1;
      if (violation) violations[regionIdx] = (violations[regionIdx] ?? 0) + 1;
    }
  });

  for (const test of carriedAgain) {
    const site = sites.indexById.get(test.siteId);
    const regionIdx = site === undefined ? -1 : (sites.region[site] ?? -1);
    const frame = frames[regionIdx];
    const violation = calendar.offsetOf(test.latestDate) <= sunday;
    deferredEntries.push({
      test,
      regionCode: frame?.settings.code ?? 0,
      kind: site === undefined ? 1 : (sites.kind[site] ?? 1),
      violation,
    });
    if (frame !== undefined) {
      deferredCounts[regionIdx] = (deferredCounts[regionIdx] ?? 0) + 1;
      if (violation) violations[regionIdx] = (violations[regionIdx] ?? 0) + 1;
    }
  }

  const pickupsByRegion = planPickups(frames, sites, samples, calendar);
  const quality: RegionQuality[] = frames.map((frame, index) => {
    let siteDayCount = 0;
    for (const days of frame.siteDays.values()) siteDayCount += days.length;
    return measureRegionQuality({
      regionCode: frame.settings.code,
      cycleLoads: frame.loads,
      weekLoads: weekLoads[index] ?? new Int32Array(0),
      hasRedLoad: hasRed[index] ?? false,
      shiftTotals: shiftTotals[index] ?? { day: 0, evening: 0, night: 0 },
      pickups: pickupsByRegion[index]?.length ?? 0,
      deferred: deferredCounts[index] ?? 0,
      gapViolations: violations[index] ?? 0,
      cyclePickupsPerSite: frame.siteDays.size === 0 ? 0 : siteDayCount / frame.siteDays.size,
    });
  });

  let carriedOverDropped = 0;
  for (const id of context.carriedById.keys()) if (!consumed.has(id)) carriedOverDropped += 1;
  return {
    testWeek: input.testWeek,
    tests,
    pickups: pickupsByRegion.flat(),
    slots,
    deferred: deferredEntries.map((entry) => entry.test),
    deferrals: reportDeferrals(deferredEntries, input),
    quality,
    changes: {
      kept: counts.kept,
      added: counts.added,
      removed: input.previousSlots.size - counts.kept - counts.moved,
      moved: counts.moved,
      carriedOverDropped,
      skippedRows: counts.skipped,
    },
  };
}

/**
 * An employee id on two roster rows (e.g. someone working in two municipalities) is one person
 * with one slot: only the first plannable row counts, the others are reported as skipped. Rare,
 * so it is handled by planning again without them rather than checked row by row.
 */
function planWithoutRepeatedIds(
  input: PlanInput,
  plannable: readonly StaffMember[],
  skipped: number,
): WeekPlan {
  const seen = new Set<string>();
  const staff = plannable.filter((member) => !seen.has(member.employeeId) && seen.add(member.employeeId));
  const plan = planWeek({ ...input, staff });
  const repeated = plannable.length - staff.length;
  return {
    ...plan,
    changes: { ...plan.changes, skippedRows: plan.changes.skippedRows + skipped + repeated },
  };
}

/** Pickups per region: sites in input order, one per test date (see `planSitePickups`). */
function planPickups(
  frames: readonly RegionFrame[],
  sites: SiteTable,
  samples: Int32Array,
  calendar: WeekCalendar,
): Pickup[][] {
  const byRegion: Pickup[][] = frames.map(() => []);
  const dateAfter = (date: IsoDate, days: number): IsoDate => calendar.dateAt(calendar.offsetOf(date) + days);
  for (let site = 0; site < sites.ids.length; site++) {
    const frame = frames[sites.region[site] ?? -1];
    if (frame === undefined) continue;
    const sessions: { date: IsoDate; samples: number }[] = [];
    for (let weekday = 1; weekday <= 7; weekday++) {
      const count = samples[site * 7 + weekday - 1] ?? 0;
      if (count > 0) sessions.push({ date: calendar.dateAt(weekday - 1), samples: count });
    }
    if (sessions.length === 0) continue;
    const week: SiteWeekSessions = {
      regionCode: frame.settings.code,
      municipalityCode: sites.municipality[site] ?? 0,
      siteId: sites.ids[site] ?? "",
      sessions,
    };
    byRegion[sites.region[site] ?? 0]?.push(...planSitePickups(week, frame.settings, dateAfter));
  }
  return byRegion;
}
