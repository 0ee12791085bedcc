import { describe, expect, it } from "vitest";
import type { CycleSlot, WeekPlan } from "../../src/domain/plan-types.ts";
import { PG_MIGRATIONS } from "../../src/store/postgres-schema.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/store/schema.ts";
import { storeKinds, useStoreUnderTest, type StoreUnderTest } from "../support/store-implementations.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

/*
 * Identity is (municipality, employee id) in the store too: cycle slots are keyed by both, and a
 * store written before (schema 1 to 4, slots keyed by employee id alone) is migrated (migration 5),
 * each slot taking the municipality of its site. Both stores, the same expectations.
 */

const W44 = { year: 2020, week: 44 };
const W45 = { year: 2020, week: 45 };

function plan(slots: Map<string, CycleSlot>): WeekPlan {
  return weekPlanOf(W45, { slots });
}

const slot = (siteId: string, weekday: 1 | 2 | 3 | 4 | 5): CycleSlot => ({
  cycleWeek: 2,
  weekday,
  shift: "day",
  siteId,
});

/** Every schema version a store in the field may have before identities (migration 5). */
const EARLIER_VERSIONS = [1, 2, 3, 4];

/** A store as an earlier release left it: schema `version`, slots keyed by employee id alone. */
async function writeEarlierStore(under: StoreUnderTest, version: number): Promise<void> {
  await under.createAtVersion(version);
  const insertSlot = (values: string) =>
    under.query(
      `INSERT INTO cycle_slots (week, employee_id, cycle_week, weekday, shift, site_id) VALUES ${values}`,
    );
  // E1's site had a planned test (101), E2's only a deferred one (825); E3's site had neither
  // (it only had slots in other cycle weeks), E4's site is gone from everywhere.
  await insertSlot("('2020-W44', 'E1', 2, 1, 'day', 'S0101-NH01')");
  await insertSlot("('2020-W44', 'E2', 2, 2, 'day', 'S0825-HC01')");
  await insertSlot("('2020-W44', 'E3', 2, 3, 'day', 'S0147-NH01')");
  await insertSlot("('2020-W44', 'E4', 2, 4, 'day', 'S-GONE')");
  await under.query(
    `INSERT INTO planned_tests (test_week, seq, run_week, employee_id, site_id, municipality_code,
       region_code, date, weekday, shift, reason) VALUES ('2020-W45', 0, '2020-W44', 'E9', 'S0101-NH01',
       101, 1084, '2020-11-02', 1, 'day', 'cycle')`,
  );
  await under.query(
    `INSERT INTO deferred_tests (week, seq, employee_id, site_id, municipality_code, reason, due_week,
       latest_date) VALUES ('2020-W44', 0, 'E8', 'S0825-HC01', 825, 'cycle', '2020-W45', '2020-11-20')`,
  );
  if (version >= 4) {
    // Attendance (schema 4) is already keyed by municipality and employee id: kept as it is.
    await under.query(
      `INSERT INTO attendance_outcomes (test_week, municipality_code, employee_id, date, shift, outcome,
         sample_id) VALUES ('2020-W45', 101, 'E9', '2020-11-02', 'day', 'taken', NULL)`,
    );
  }
}

/** The schema version the store records (SQLite: the header's user_version). */
async function schemaVersion(kind: string, under: StoreUnderTest): Promise<number> {
  const rows = await under.query(
    kind === "sqlite" ? "PRAGMA user_version" : "SELECT version AS user_version FROM schema_version",
  );
  return Number(rows[0]?.user_version);
}

describe.each([
  { name: "sqlite", migrations: MIGRATIONS },
  { name: "postgres", migrations: PG_MIGRATIONS },
])("schema ($name)", ({ migrations }) => {
  it("puts identities (migration 5) after delivery (3) and attendance (4), before raw captures (6)", () => {
    expect(SCHEMA_VERSION).toBe(7);
    expect(migrations).toHaveLength(7);
    expect(migrations[2]).toContain("CREATE TABLE recipients");
    expect(migrations[3]).toContain("CREATE TABLE attendance_outcomes");
    expect(migrations[4]).toContain("CREATE TABLE good_rosters");
    expect(migrations[5]).toContain("CREATE TABLE raw_captures");
    expect(migrations[6]).toContain("CREATE TABLE slot_snapshots");
  });
});

const KINDS = storeKinds();

describe.each(KINDS)("$name store", (kind) => {
  const { under, open } = useStoreUnderTest(kind);

  describe.each(EARLIER_VERSIONS)("migration to identities from schema %i", (version) => {
    it("gives each existing slot the municipality of its site, as the store's tests know it", async () => {
      await writeEarlierStore(under(), version);
      const store = await open();
      expect(await schemaVersion(kind.name, under())).toBe(SCHEMA_VERSION);
      // Since migration 7 the slots are one snapshot per municipality: E1's (101), E2's (825), and
      // the two slots migration 5 could not place (E3, E4) under municipality 0.
      const rows = (
        await under().query(
          "SELECT week, municipality_code, slots FROM slot_snapshots ORDER BY municipality_code",
        )
      ).map((row) => [row.week, row.municipality_code, row.slots]);
      expect(rows).toEqual([
        ["2020-W44", 0, 2],
        ["2020-W44", 101, 1],
        ["2020-W44", 825, 1],
      ]);
      expect(await store.loadSlotsBefore(W45)).toEqual(
        new Map([
          ["101:E1", slot("S0101-NH01", 1)],
          ["825:E2", slot("S0825-HC01", 2)],
        ]),
      );
      // Every table of every migration is there, and what an earlier schema held is kept.
      for (const table of [
        "week_locks",
        "recipients",
        "notification_outbox",
        "attendance_outcomes",
        "good_rosters",
      ]) {
        expect(await under().query(`SELECT COUNT(*) AS n FROM ${table}`)).toHaveLength(1);
      }
      expect((await store.loadPlannedTests(W45)).map((t) => [t.municipalityCode, t.employeeId])).toEqual([
        [101, "E9"],
      ]);
      const outcomes = (
        await under().query("SELECT municipality_code, employee_id, outcome FROM attendance_outcomes")
      ).map((row) => [row.municipality_code, row.employee_id, row.outcome]);
      expect(outcomes).toEqual(version >= 4 ? [[101, "E9", "taken"]] : []);
    });

    it("places a slot the store could not place by the sites file when reading it; a vanished site's slot is dropped", async () => {
      await writeEarlierStore(under(), version);
      const store = await open();
      const sites = new Map([
        ["S0101-NH01", 101],
        ["S0825-HC01", 825],
        ["S0147-NH01", 147],
      ]);
      const slots = await store.loadSlotsBefore(W45, (siteId) => sites.get(siteId));
      expect([...slots.keys()].sort()).toEqual(["101:E1", "147:E3", "825:E2"]);
      expect(slots.get("147:E3")).toEqual(slot("S0147-NH01", 3));
      // Without the sites, only the slots the migration placed.
      expect([...(await store.loadSlotsBefore(W45)).keys()]).toEqual(["101:E1", "825:E2"]);
    });
  });

  describe("cycle slots by identity", () => {
    it("keeps the slots of the same employee id in two municipalities apart", async () => {
      let store = await open();
      const slots = new Map([
        ["101:1", slot("S0101-NH01", 1)],
        ["825:1", slot("S0825-HC01", 4)],
      ]);
      await store.commitWeek({
        week: W44,
        runId: "r1",
        classifications: [],
        cadence: new Map(),
        plan: plan(slots),
        inputDigest: "d",
      });
      store = await open();
      expect(await store.loadSlotsBefore(W45)).toEqual(slots);
      const rows = (
        await under().query("SELECT municipality_code, slots FROM slot_snapshots ORDER BY municipality_code")
      ).map((row) => [row.municipality_code, row.slots]);
      expect(rows).toEqual([
        [101, 1],
        [825, 1],
      ]);
    });

    it("refuses a slot whose key is no identity", async () => {
      const store = await open();
      await expect(
        store.commitWeek({
          week: W44,
          runId: "r1",
          classifications: [],
          cadence: new Map(),
          plan: plan(new Map([["E1", slot("S0101-NH01", 1)]])),
          inputDigest: "d",
        }),
      ).rejects.toThrow("commitWeek 2020-W44: a cycle slot without a staff key");
    });
  });
});
