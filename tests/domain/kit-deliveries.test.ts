import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { computeKitCount, planKitDeliveries, type KitPlan } from "../../src/domain/kit-deliveries.ts";
import {
  DEFAULT_PICKUP_DAY_SETTINGS,
  planPickupDays,
  type PickupRun,
  type TestSession,
} from "../../src/domain/pickup-days.ts";
import { SHIFTS } from "../../src/domain/roster.ts";
import { createSeededRandom } from "../../src/roster/seeded-random.ts";

const SETTINGS = DEFAULT_PICKUP_DAY_SETTINGS;
/** Shift starts of the defaults (07, 15, 23), written out here rather than read from the code. */
const SHIFT_START = { day: "07:00", evening: "15:00", night: "23:00" } as const;
/** The rota of test week 2020-W41 is published on Wednesday 2020-09-30: deliveries from Thursday. */
const DELIVERY_FROM = "2020-10-01";

function runLabel(run: PickupRun): string {
  return `${run.date} ${run.kind}`;
}

function planKits(sessions: readonly TestSession[], deliveryFrom = DELIVERY_FROM): KitPlan {
  const pickups = planPickupDays(sessions, SETTINGS);
  return planKitDeliveries({
    sessions,
    visits: pickups.visits,
    pickupDays: SETTINGS,
    kits: { bufferPercent: 10 },
    deliveryFrom,
  });
}

describe("computeKitCount", () => {
  it.each([
    { tests: 10, buffer: 10, kits: 11 },
    { tests: 11, buffer: 10, kits: 13 }, // 12.1 → 13
    { tests: 1, buffer: 10, kits: 2 }, // 1.1 → 2
    { tests: 40, buffer: 10, kits: 44 },
    { tests: 0, buffer: 10, kits: 0 },
    { tests: 3, buffer: 50, kits: 5 }, // 4.5 → 5
    { tests: 100, buffer: 0, kits: 100 },
  ])("$tests tests + $buffer % → $kits kits", ({ tests, buffer, kits }) => {
    expect(computeKitCount(tests, buffer)).toBe(kits);
  });
  it.each([
    { tests: 1.5, buffer: 10 },
    { tests: -1, buffer: 10 },
    { tests: 5, buffer: 12.5 },
  ])("rejects $tests tests at $buffer %", ({ tests, buffer }) => {
    expect(() => computeKitCount(tests, buffer)).toThrow(RangeError);
  });
  it.each([
    { tests: 1.5, buffer: 10, message: "computeKitCount: 1.5 tests, expected a whole number ≥ 0" },
    { tests: -1, buffer: 10, message: "computeKitCount: -1 tests, expected a whole number ≥ 0" },
    { tests: 5, buffer: 12.5, message: "computeKitCount: buffer 12.5 %, expected a whole percentage ≥ 0" },
    { tests: 5, buffer: -10, message: "computeKitCount: buffer -10 %, expected a whole percentage ≥ 0" },
  ])("says why it rejects $tests tests at $buffer %", ({ tests, buffer, message }) => {
    expect(() => computeKitCount(tests, buffer)).toThrow(new RangeError(message));
  });
});

describe("planKitDeliveries", () => {
  it("red week 1 on Monday: kits for all three shifts come on the Friday evening run before", () => {
    const sessions: TestSession[] = [
      { siteId: "S1", date: "2020-10-05", shift: "day", tests: 40 },
      { siteId: "S1", date: "2020-10-05", shift: "evening", tests: 20 },
      { siteId: "S1", date: "2020-10-05", shift: "night", tests: 10 },
    ];
    const plan = planKits(sessions);
    expect(plan.deliveryVisits.map((v) => `${v.siteId} ${runLabel(v.run)}`)).toEqual([
      "S1 2020-10-02 evening",
    ]);
    expect(plan.allocations.map((a) => [a.shift, a.kits, runLabel(a.run), a.deliveryOnly])).toEqual([
      ["day", 44, "2020-10-02 evening", true],
      ["evening", 22, "2020-10-02 evening", true],
      ["night", 11, "2020-10-02 evening", true],
    ]);
    expect(plan.unserved).toEqual([]);
  });

  it("a later session gets its kits with the pickup visit of an earlier one", () => {
    const sessions: TestSession[] = [
      { siteId: "S1", date: "2020-10-05", shift: "day", tests: 5 },
      { siteId: "S1", date: "2020-10-07", shift: "day", tests: 8 },
      { siteId: "S1", date: "2020-10-08", shift: "evening", tests: 3 },
    ];
    const plan = planKits(sessions);
    expect(plan.allocations.map((a) => [a.date, a.kits, runLabel(a.run), a.deliveryOnly])).toEqual([
      ["2020-10-05", 6, "2020-10-02 evening", true],
      // Tuesday's pickup (of Monday's samples) is the last visit before Wednesday 07:00.
      ["2020-10-07", 9, "2020-10-06 morning", false],
      // Thursday's morning run (Wednesday's samples) is back by 12:00, before the 15:00 shift.
      ["2020-10-08", 4, "2020-10-08 morning", false],
    ]);
    expect(plan.deliveryVisits).toHaveLength(1);
  });

  it("a first session on Wednesday gets a delivery-only stop on Tuesday's run", () => {
    const plan = planKits([{ siteId: "S9", date: "2020-10-07", shift: "day", tests: 7 }]);
    expect(plan.deliveryVisits.map((v) => runLabel(v.run))).toEqual(["2020-10-06 morning"]);
    expect(plan.allocations[0]?.kits).toBe(8);
  });

  it("does not load kits onto a visit before publication", () => {
    const session: TestSession = { siteId: "S1", date: "2020-10-07", shift: "day", tests: 4 };
    const plan = planKitDeliveries({
      sessions: [session],
      visits: [
        {
          siteId: "S1",
          run: { date: "2020-10-05", kind: "morning", departure: "07:30", latestArrival: "12:00" },
        },
      ],
      pickupDays: SETTINGS,
      kits: { bufferPercent: 10 },
      deliveryFrom: "2020-10-06",
    });
    expect(plan.allocations.map((a) => [runLabel(a.run), a.deliveryOnly])).toEqual([
      ["2020-10-06 morning", true],
    ]);
  });

  it("reports a session no run can supply after publication", () => {
    const plan = planKits([{ siteId: "S1", date: "2020-10-05", shift: "day", tests: 7 }], "2020-10-05");
    expect(plan.allocations).toEqual([]);
    expect(plan.unserved).toEqual([{ siteId: "S1", date: "2020-10-05", shift: "day", tests: 7, kits: 8 }]);
  });

  it("on a random week of 40 sites every session's kits come at a visit that ends before it", () => {
    const random = createSeededRandom(41);
    const sessions: TestSession[] = [];
    for (let site = 0; site < 40; site++) {
      for (let day = 5; day <= 9; day++) {
        for (const shift of SHIFTS) {
          if (random() < 0.3) {
            sessions.push({
              siteId: `S${site}`,
              date: `2020-10-0${day}`,
              shift,
              tests: 1 + Math.floor(random() * 30),
            });
          }
        }
      }
    }
    const pickups = planPickupDays(sessions, SETTINGS);
    const plan = planKitDeliveries({
      sessions,
      visits: pickups.visits,
      pickupDays: SETTINGS,
      kits: { bufferPercent: 10 },
      deliveryFrom: DELIVERY_FROM,
    });
    expect(plan.unserved).toEqual([]);
    expect(plan.allocations).toHaveLength(sessions.length);
    const visitKeys = new Set(
      [...pickups.visits, ...plan.deliveryVisits].map((v) => `${v.siteId} ${runLabel(v.run)}`),
    );
    for (const allocation of plan.allocations) {
      const session = sessions.find(
        (s) => s.siteId === allocation.siteId && s.date === allocation.date && s.shift === allocation.shift,
      );
      const runEnd = DateTime.fromISO(`${allocation.run.date}T${allocation.run.latestArrival}`, {
        zone: "Europe/Copenhagen",
      });
      const sessionStart = DateTime.fromISO(`${allocation.date}T${SHIFT_START[allocation.shift]}`, {
        zone: "Europe/Copenhagen",
      });
      expect(runEnd <= sessionStart).toBe(true);
      expect(allocation.run.date >= DELIVERY_FROM).toBe(true);
      expect(allocation.kits).toBe(Math.ceil(((session?.tests ?? 0) * 110) / 100));
      expect(visitKeys.has(`${allocation.siteId} ${runLabel(allocation.run)}`)).toBe(true);
    }
    // A delivery-only stop is only added where the site has no earlier visit.
    for (const delivery of plan.deliveryVisits) {
      const pickupAtSameRun = pickups.visits.some(
        (v) => v.siteId === delivery.siteId && runLabel(v.run) === runLabel(delivery.run),
      );
      expect(pickupAtSameRun).toBe(false);
    }
  });

  /*
   * The cases of the former pickups.ts (`planSitePickups`, one pickup per test date a fixed number
   * of days later), restated for runs: a visit brings a session's kits only when its run is back
   * before the session starts, so a session never gets its kits from its own pickup.
   */
  it("a same-day pickup brings the kits for the site's next session, never its own", () => {
    // Same-evening runs every weekday: Monday's day-shift samples go on Monday evening's run.
    const settings = { ...SETTINGS, sameEveningWeekdays: [1, 2, 3, 4, 5] as const };
    const sessions: TestSession[] = [
      { siteId: "S1", date: "2020-10-05", shift: "day", tests: 4 },
      { siteId: "S1", date: "2020-10-07", shift: "day", tests: 9 },
    ];
    const pickups = planPickupDays(sessions, settings);
    expect(pickups.visits.map((v) => `${v.siteId} ${runLabel(v.run)}`)).toEqual([
      "S1 2020-10-05 evening",
      "S1 2020-10-07 evening",
    ]);
    const plan = planKitDeliveries({
      sessions,
      visits: pickups.visits,
      pickupDays: settings,
      kits: { bufferPercent: 10 },
      deliveryFrom: DELIVERY_FROM,
    });
    expect(plan.allocations.map((a) => [a.date, a.kits, runLabel(a.run), a.deliveryOnly])).toEqual([
      // Monday 07:00: no visit of the site before it, so a stop on Friday evening's run (back 19:00).
      ["2020-10-05", 5, "2020-10-02 evening", true],
      // Wednesday 07:00: Monday evening's pickup; Wednesday evening's own pickup comes too late.
      ["2020-10-07", 10, "2020-10-05 evening", false],
    ]);
  });

  it("a session before its pickup cannot use the kits that pickup brings: a later one does", () => {
    // Defaults: Monday's samples go on Tuesday morning's run (back 12:00), after Tuesday's 07:00 start.
    const plan = planKits([
      { siteId: "S1", date: "2020-10-05", shift: "day", tests: 4 },
      { siteId: "S1", date: "2020-10-06", shift: "day", tests: 2 },
      { siteId: "S1", date: "2020-10-08", shift: "day", tests: 7 },
    ]);
    expect(plan.allocations.map((a) => [a.date, a.kits, runLabel(a.run), a.deliveryOnly])).toEqual([
      ["2020-10-05", 5, "2020-10-02 evening", true],
      // Tuesday's session uses the Friday stop too: Tuesday morning's visit is back only at 12:00.
      ["2020-10-06", 3, "2020-10-02 evening", true],
      // Thursday's session: Wednesday morning's visit (Tuesday's samples), back by 12:00 the day before.
      ["2020-10-08", 8, "2020-10-07 morning", false],
    ]);
    expect(plan.deliveryVisits.map((v) => runLabel(v.run))).toEqual(["2020-10-02 evening"]);
  });
});

describe("planKitDeliveries at its boundaries", () => {
  const run = (date: string, kind: "morning" | "evening" = "morning"): PickupRun =>
    kind === "morning"
      ? { date, kind, departure: "07:30", latestArrival: "12:00" }
      : { date, kind, departure: "15:30", latestArrival: "19:00" };

  it("a visit on the first delivery date may bring kits", () => {
    // Deliveries from Tuesday 6 October: S1's Tuesday-morning visit (back 12:00) is usable for its
    // Wednesday 07:00 session, so no delivery-only stop is needed.
    const plan = planKitDeliveries({
      sessions: [{ siteId: "S1", date: "2020-10-07", shift: "day", tests: 4 }],
      visits: [{ siteId: "S1", run: run("2020-10-06") }],
      pickupDays: SETTINGS,
      kits: { bufferPercent: 10 },
      deliveryFrom: "2020-10-06",
    });
    expect(plan).toEqual({
      allocations: [
        {
          siteId: "S1",
          date: "2020-10-07",
          shift: "day",
          tests: 4,
          kits: 5,
          run: run("2020-10-06"),
          deliveryOnly: false,
        },
      ],
      deliveryVisits: [],
      unserved: [],
    });
  });

  it("takes the site's latest visit back before the session even when visits come in reverse", () => {
    // Thursday 07:00 session: Wednesday's and Tuesday's visits are both back before it; the latest
    // (Wednesday's) brings the kits (3 + 10 % → 4).
    const plan = planKitDeliveries({
      sessions: [{ siteId: "S1", date: "2020-10-08", shift: "day", tests: 3 }],
      visits: [
        { siteId: "S1", run: run("2020-10-07") },
        { siteId: "S1", run: run("2020-10-06") },
      ],
      pickupDays: SETTINGS,
      kits: { bufferPercent: 10 },
      deliveryFrom: DELIVERY_FROM,
    });
    expect(plan.allocations.map((a) => [runLabel(a.run), a.kits, a.deliveryOnly])).toEqual([
      ["2020-10-07 morning", 4, false],
    ]);
  });

  it("a run back at the lab exactly when the shift starts is in time", () => {
    // Morning runs back by 15:00, the evening shift starts 15:00. S1's Tuesday-morning visit brings
    // its Tuesday-evening kits (10 → 11); S2 has no visit and gets a delivery-only stop on that same
    // Tuesday run (1 → 2), not Monday's.
    const settings = { ...SETTINGS, morningRun: { departure: "07:30", latestArrival: "15:00" } };
    const tuesday: PickupRun = {
      date: "2020-10-06",
      kind: "morning",
      departure: "07:30",
      latestArrival: "15:00",
    };
    const plan = planKitDeliveries({
      sessions: [
        { siteId: "S2", date: "2020-10-06", shift: "evening", tests: 1 },
        { siteId: "S1", date: "2020-10-06", shift: "evening", tests: 10 },
      ],
      visits: [{ siteId: "S1", run: tuesday }],
      pickupDays: settings,
      kits: { bufferPercent: 10 },
      deliveryFrom: "2020-10-05",
    });
    expect(plan).toEqual({
      allocations: [
        {
          siteId: "S1",
          date: "2020-10-06",
          shift: "evening",
          tests: 10,
          kits: 11,
          run: tuesday,
          deliveryOnly: false,
        },
        {
          siteId: "S2",
          date: "2020-10-06",
          shift: "evening",
          tests: 1,
          kits: 2,
          run: tuesday,
          deliveryOnly: true,
        },
      ],
      deliveryVisits: [{ siteId: "S2", run: tuesday }],
      unserved: [],
    });
  });

  it("orders sessions given in reverse, skips empty ones, and lists delivery stops by run then site", () => {
    // No Monday pickups. S3 Monday day (07:00) and S1 Monday evening (15:00): the last run back
    // before either is Friday 2 October's evening run (19:00). S2 Wednesday day (07:00): Tuesday's
    // morning run (back 12:00). S1's Monday night (23:00) uses S1's Friday stop: no second stop.
    // S4's session has no tests: no kits, no stop. Allocations in session order (date, shift,
    // site); delivery stops by run, then site.
    const settings = { ...SETTINGS, pickupWeekdays: [2, 3, 4, 5] as const };
    const plan = planKitDeliveries({
      sessions: [
        { siteId: "S2", date: "2020-10-07", shift: "day", tests: 5 },
        { siteId: "S1", date: "2020-10-05", shift: "night", tests: 3 },
        { siteId: "S1", date: "2020-10-05", shift: "evening", tests: 20 },
        { siteId: "S4", date: "2020-10-05", shift: "day", tests: 0 },
        { siteId: "S3", date: "2020-10-05", shift: "day", tests: 9 },
      ],
      visits: [],
      pickupDays: settings,
      kits: { bufferPercent: 10 },
      deliveryFrom: DELIVERY_FROM,
    });
    expect(
      plan.allocations.map((a) => `${a.siteId} ${a.date} ${a.shift} ${a.kits} ${runLabel(a.run)}`),
    ).toEqual([
      "S3 2020-10-05 day 10 2020-10-02 evening",
      "S1 2020-10-05 evening 22 2020-10-02 evening",
      "S1 2020-10-05 night 4 2020-10-02 evening",
      "S2 2020-10-07 day 6 2020-10-06 morning",
    ]);
    expect(plan.deliveryVisits.map((v) => `${v.siteId} ${runLabel(v.run)}`)).toEqual([
      "S1 2020-10-02 evening",
      "S3 2020-10-02 evening",
      "S2 2020-10-06 morning",
    ]);
    expect(plan.unserved).toEqual([]);
  });
});
