import { assignCycleDays, type DeadlineMember } from "./cycle-assignment.ts";
import {
  allowsShift,
  CYCLE_WEEKS,
  cycleShiftsOn,
  GAP_DAYS,
  slotPlaceOf,
  weeksUntil,
  type PlanFrame,
  type RegionFrame,
} from "./plan-frame.ts";
import type { CycleSlot, PlanInput } from "./plan-types.ts";
import { staffKeyOf, type Shift, type StaffMember } from "./roster.ts";
import { addSiteDay, type SiteDays } from "./site-days.ts";
import { createSlotLookup } from "./slot-lookup.ts";

const SHIFT_CODE: Readonly<Record<Shift, number>> = { day: 0, evening: 1, night: 2 };

/** The staff members planned this week, by dense index, with their site, shift and cycle day. */
export type Members = {
  readonly list: StaffMember[];
  /** Each member's identity (`staffKey`), built once per plan. */
  readonly key: string[];
  /** Each member's slot after this plan (kept, or new once assigned). */
  readonly slot: CycleSlot[];
  /** Site index (see `SiteTable`). */
  readonly site: Int32Array;
  /** Shift code: 0 day, 1 evening, 2 night. */
  readonly shift: Uint8Array;
  /** Cycle day of the member's slot (see `RegionFrame`). */
  readonly day: Int32Array;
};

/** One region's green cycle: slots per cycle day, the days each site has slots on, and who needs a new slot. */
export type RegionCycle = {
  readonly loads: Int32Array;
  readonly siteDays: SiteDays;
  /** New slots needed by a deadline (a new starter, a member whose slot moved). */
  readonly deadlines: DeadlineMember[];
  /** New slots needed without a deadline, in roster order. */
  readonly free: number[];
};

/** What reading the roster found, for the stability report. */
export type SlotCounts = {
  kept: number;
  added: number;
  moved: number;
  /** Roster rows whose site, municipality or region is not configured, or whose site is another municipality's. */
  skipped: number;
};

/** Placeholder until a member's new slot is assigned. */
const UNASSIGNED: CycleSlot = { cycleWeek: 0, weekday: 1, shift: "day", siteId: "" };

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

/**
 * The cycle day a previous slot keeps (see `RegionFrame`), or -1: a slot is kept while the
 * member's site and shift are unchanged, its weekday is still a test day of the region and the
 * member's shift may still be tested that day (the max wait of the pickups, see `allowsShift`).
 */
function keptDay(
  previous: CycleSlot | undefined,
  member: StaffMember,
  region: RegionFrame,
  frame: PlanFrame,
): number {
  if (previous === undefined || !isSlotShape(previous)) return -1;
  if (previous.siteId !== member.siteId || previous.shift !== member.shift) return -1;
  const testDay = region.testDayOf[previous.weekday] ?? -1;
  if (testDay < 0 || !allowsShift(region, testDay, SHIFT_CODE[member.shift] ?? 0)) return -1;
  return weeksUntil(frame, previous.cycleWeek) * region.testDays + testDay;
}

/**
 * A plan's members, kept for the plan of the next week over the same roster (see
 * {@link collectMembersAgain}): only a plan that skipped no roster row and holds every identity
 * once gives them. The next plan reuses them only when its input holds the very same arrays and
 * plans from this plan's slots.
 */
export type PlannedRoster = {
  readonly input: Pick<PlanInput, "staff" | "sites" | "municipalities" | "regions">;
  /** The plan's slots (the next plan's `previousSlots`); undefined when it kept none. */
  readonly slots: ReadonlyMap<string, CycleSlot> | undefined;
  readonly frame: PlanFrame;
  readonly members: Members;
};

/** The members of one plan as they are read: every admitted member gets the next index. */
type MemberCollector = {
  readonly cycles: RegionCycle[];
  readonly counts: SlotCounts;
  /**
   * Admits a plannable roster row (site and region known) with its identity and its previous
   * slot; a leaver (end date before the test week's Monday) is left out.
   */
  readonly admit: (member: StaffMember, site: number, key: string, previous: CycleSlot | undefined) => void;
  /** The admitted members, the arrays cut to their count. */
  readonly finish: () => Members;
};

/** The arrays of `Members` that a plan over the same roster repeats entry for entry. */
type RosterColumns = Pick<Members, "list" | "key" | "site" | "shift">;

/** The first `count` entries of `columns`, in arrays of `capacity` entries. */
function copyColumns(columns: RosterColumns, count: number, capacity: number): RosterColumns {
  const site = new Int32Array(capacity);
  const shift = new Uint8Array(capacity);
  site.set(columns.site.subarray(0, count));
  shift.set(columns.shift.subarray(0, count));
  return { list: columns.list.slice(0, count), key: columns.key.slice(0, count), site, shift };
}

/**
 * The per-member rules of {@link collectMembers}: keep the previous slot or queue the member for a
 * new one, by a deadline when a clock is running. `reuse`: the columns of a plan over the same
 * roster whose entries the admitted members repeat in the same order while nobody is left out:
 * they are shared instead of written again, and copied at the first leaver.
 */
function createMemberCollector(frame: PlanFrame, capacity: number, reuse?: RosterColumns): MemberCollector {
  const { calendar, sites } = frame;
  // Sized for the whole roster up front and cut to the planned count at the end: grown by push,
  // arrays of a million entries leave as much again behind for the garbage collector.
  let columns: RosterColumns = reuse ?? {
    list: new Array<StaffMember>(capacity),
    key: new Array<string>(capacity),
    site: new Int32Array(capacity),
    shift: new Uint8Array(capacity),
  };
  let shared = reuse !== undefined;
  const slot = new Array<CycleSlot>(capacity);
  const dayOf = new Int32Array(capacity);
  const cycles: RegionCycle[] = frame.regions.map((region) => ({
    loads: new Int32Array(region.cycleDays),
    siteDays: new Map(),
    deadlines: [],
    free: [],
  }));
  const counts: SlotCounts = { kept: 0, added: 0, moved: 0, skipped: 0 };
  const newStarterFrom = calendar.dateAt(-GAP_DAYS);
  let planned = 0;
  let seen = 0;
  const admit = (member: StaffMember, site: number, key: string, previous: CycleSlot | undefined): void => {
    seen += 1;
    if (member.endDate !== undefined && member.endDate < calendar.monday) return;
    const index = planned++;
    if (shared && index + 1 !== seen) {
      // Someone was left out: from here on the entries shift, so the shared columns are copied.
      columns = copyColumns(columns, index, capacity);
      shared = false;
    }
    if (!shared) {
      columns.list[index] = member;
      columns.key[index] = key;
      columns.site[index] = site;
      columns.shift[index] = SHIFT_CODE[member.shift] ?? 0;
    }
    const regionIndex = sites.region[site] ?? -1;
    const cycle = cycles[regionIndex] as RegionCycle;
    const region = frame.regions[regionIndex] as RegionFrame;
    // Every member gets an entry now (the packed array stays fast); new slots replace it later.
    slot[index] = previous ?? UNASSIGNED;
    const day = keptDay(previous, member, region, frame);
    if (day >= 0) {
      dayOf[index] = day;
      cycle.loads[day] = (cycle.loads[day] ?? 0) + 1;
      addSiteDay(cycle.siteDays, site, day);
      counts.kept += 1;
      return;
    }
    let deadline = Number.POSITIVE_INFINITY;
    if (previous !== undefined) {
      counts.moved += 1;
      if (isSlotShape(previous)) deadline = weeksUntil(frame, previous.cycleWeek) * 7 + previous.weekday - 1;
    } else {
      counts.added += 1;
      const start = member.startDate;
      // Starters from the Monday on are tested within 42 days wherever their slot falls.
      if (start !== undefined && start < calendar.monday && start >= newStarterFrom) {
        deadline = calendar.offsetOf(start) + GAP_DAYS;
      }
    }
    if (Number.isFinite(deadline))
      cycle.deadlines.push({ member: index, lastDay: region.lastDayBy[deadline] ?? -1 });
    else cycle.free.push(index);
  };
  const finish = (): Members => {
    // Leavers at the very end: the shared columns are longer than the plan.
    if (shared && planned < columns.list.length) columns = copyColumns(columns, planned, capacity);
    else if (!shared) {
      columns.list.length = planned;
      columns.key.length = planned;
    }
    slot.length = planned;
    return { ...columns, slot, day: dayOf };
  };
  return { cycles, counts, admit, finish };
}

/**
 * Reads the roster once. Rows whose site is unknown, outside a planned region or of another
 * municipality than the member's (identity is per municipality, see `staffKey`) are skipped;
 * leavers (end date before the test week's Monday) lose their slot, later leavers keep it until
 * they go. A previous slot is kept while site and shift are unchanged and its weekday is still a
 * test day of the region on which the shift may be tested (the pickups' maximum wait); everyone
 * else needs a new slot, by a deadline when a clock is running:
 * - a moved member's next test comes no later than the old slot's next occurrence (6 weeks after
 *   the last test);
 * - a new starter (no previous slot) who started in the 42 days before the Monday — the start
 *   exactly 42 days before included — is first tested within 42 days of the start date. Staff
 *   who started earlier and were never planned get an ordinary slot.
 */
export function collectMembers(
  input: PlanInput,
  frame: PlanFrame,
): { members: Members; cycles: RegionCycle[]; counts: SlotCounts } {
  const { sites } = frame;
  const collector = createMemberCollector(frame, input.staff.length);
  const previousOf = createSlotLookup(input.previousSlots);
  for (let row = 0; row < input.staff.length; row++) {
    const member = input.staff[row] as StaffMember;
    const site = sites.indexById.get(member.siteId) ?? -1;
    const regionIndex = sites.region[site] ?? -1;
    if (collector.cycles[regionIndex] === undefined || sites.municipality[site] !== member.municipalityCode) {
      collector.counts.skipped += 1;
      continue;
    }
    const key = input.staffKeys?.[row] ?? staffKeyOf(member);
    collector.admit(member, site, key, previousOf(key));
  }
  return { members: collector.finish(), cycles: collector.cycles, counts: collector.counts };
}

/**
 * {@link collectMembers} for the plan of the week after `earlier` over the same roster, whose
 * previous slots are `earlier`'s: the same rules, read from `earlier`'s members instead of the
 * roster. `earlier` skipped no row and holds every identity once, so each of its members is a
 * roster row whose previous slot is its own slot in `earlier`, and whose site index and key are
 * the same (the caller checks that the frame's sites are `earlier`'s); staff who left before the
 * week were already left out by `earlier`. No row is looked up by site id or identity, and the
 * member and key arrays are shared with `earlier` while nobody has left in between.
 */
export function collectMembersAgain(
  earlier: Members,
  frame: PlanFrame,
): { members: Members; cycles: RegionCycle[]; counts: SlotCounts } {
  const count = earlier.list.length;
  const collector = createMemberCollector(frame, count, earlier);
  for (let index = 0; index < count; index++) {
    collector.admit(
      earlier.list[index] as StaffMember,
      earlier.site[index] ?? 0,
      earlier.key[index] as string,
      earlier.slot[index],
    );
  }
  return { members: collector.finish(), cycles: collector.cycles, counts: collector.counts };
}

/**
 * Gives every member without a kept slot a new one (see `assignCycleDays`) and returns, per
 * region, how many new slots cannot meet their deadline (counted as gap violations).
 */
export function assignNewSlots(
  frame: PlanFrame,
  cycles: readonly RegionCycle[],
  members: Members,
): Int32Array {
  const late = new Int32Array(frame.regions.length);
  frame.regions.forEach((region, index) => {
    const cycle = cycles[index] as RegionCycle;
    late[index] = assignCycleDays({
      days: region.cycleDays,
      loads: cycle.loads,
      siteDays: cycle.siteDays,
      deadlines: cycle.deadlines,
      free: cycle.free,
      siteOf: members.site,
      shiftOf: members.shift,
      dayOf: members.day,
      shiftsOn: cycleShiftsOn(region),
    }).late;
    const assign = (member: number): void => {
      const day = members.day[member] ?? 0;
      const { shift, siteId } = members.list[member] as StaffMember;
      const { cycleWeek, weekday } = slotPlaceOf(frame, region, day);
      members.slot[member] = { cycleWeek, weekday, shift, siteId };
    };
    for (const { member } of cycle.deadlines) assign(member);
    for (const member of cycle.free) assign(member);
  });
  return late;
}

/**
 * Every member's slot by identity (`staffKey`: municipality and employee id); undefined when one
 * identity is on two planned rows.
 */
export function slotsByEmployee(members: Members): Map<string, CycleSlot> | undefined {
  const slots = new Map<string, CycleSlot>();
  for (let member = 0; member < members.list.length; member++) {
    slots.set(members.key[member] as string, members.slot[member] as CycleSlot);
    if (slots.size === member) return undefined;
  }
  return slots;
}
