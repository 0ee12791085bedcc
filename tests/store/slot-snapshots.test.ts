import { describe, expect, it } from "vitest";
import type { CycleSlot } from "../../src/domain/plan-types.ts";
import { StorageError } from "../../src/errors.ts";
import { SCHEMA_VERSION } from "../../src/store/schema.ts";
import { decodeSlotSnapshot, encodeSlotSnapshot } from "../../src/store/slot-snapshots.ts";
import { storeKinds, useStoreUnderTest } from "../support/store-implementations.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

/*
 * A week's cycle slots are stored as one compressed snapshot per municipality (schema 7). What a
 * run reads back must be the map the plan had, whatever the employee ids look like; a damaged
 * snapshot is a StorageError naming the week and municipality; a store of schema 6 keeps its
 * slots when migrated.
 */

const W44 = { year: 2020, week: 44 };
const W45 = { year: 2020, week: 45 };

const slot = (
  siteId: string,
  cycleWeek: number,
  weekday: 1 | 2 | 3 | 4 | 5,
  shift: "day" | "evening" = "day",
) => ({ cycleWeek, weekday, shift, siteId }) as CycleSlot;

describe("encodeSlotSnapshot", () => {
  it("writes one slot as the documented columns", () => {
    const encoded = encodeSlotSnapshot({
      municipalityCode: 101,
      employeeIds: ["E1"],
      slots: [slot("S1", 2, 3)],
    });
    const expected = [
      [1], // format version
      [1, 0, 0, 0], // 1 slot
      [1, 0, 0, 0, 2, 0, 0x53, 0x31], // 1 site: "S1"
      [1, 3, 0, 0x64, 0x61, 0x79], // 1 shift: "day"
      [2, 0, 0x45, 0x31], // the ids' lengths, then the ids: "E1"
      [1, 2], // cycle weeks (1 byte each)
      [1, 3], // weekdays
      [1, 0], // shift indexes
      [1, 0], // site indexes
    ];
    expect([...encoded]).toEqual(expected.flat());
  });

  it("orders the slots by employee id and writes each site once", () => {
    const encoded = encodeSlotSnapshot({
      municipalityCode: 101,
      employeeIds: ["E2", "E1"],
      slots: [slot("S1", 5, 1), slot("S1", 0, 2)],
    });
    const expected = [
      [2, 0, 2, 0, 0x45, 0x31, 0x45, 0x32], // "E1", "E2"
      [1, 0, 5], // E1 is in cycle week 0, E2 in 5
      [1, 2, 1], // weekdays
      [1, 0, 0], // shift indexes
      [1, 0, 0], // site indexes: "S1" once
    ];
    // After the version, count, the one site and the one shift (9 + 4 + 1 + 5 bytes).
    expect([...encoded.subarray(19)]).toEqual(expected.flat());
  });

  it("reads back every slot, keys prefixed, equal slots one object", () => {
    const ids = ["Z9", "a,b", '"quoted"', "Ærø-7", "名前", "smile😀", "E1"];
    const slots = ids.map((_, index) => slot(index % 2 === 0 ? "S1" : "S2", index % 6, 1));
    const encoded = encodeSlotSnapshot({ municipalityCode: 147, employeeIds: ids, slots });
    const read = new Map<string, CycleSlot>();
    decodeSlotSnapshot(
      encoded,
      "147:",
      (text) => text,
      (key, value) => read.set(key, value),
    );
    expect(read).toEqual(new Map(ids.map((id, index) => [`147:${id}`, slots[index]])));
    const repeated = encodeSlotSnapshot({
      municipalityCode: 101,
      employeeIds: ["A", "B"],
      slots: [slot("S1", 1, 2), slot("S1", 1, 2)],
    });
    const objects: CycleSlot[] = [];
    decodeSlotSnapshot(
      repeated,
      "101:",
      (text) => text,
      (_, value) => objects.push(value),
    );
    expect(objects[0]).toBe(objects[1]);
  });
});

/** Slots in two municipalities, with ids a CSV or a naive decoder would trip over. */
const ODD_SLOTS = new Map<string, CycleSlot>([
  ["101:a,b", slot("S0101-NH01", 0, 1)],
  ['101:"quoted"', slot("S0101-NH01", 1, 2, "evening")],
  ["101:Ærø-ø", slot("S0101-NH02", 2, 3)],
  ["101:名前", slot("S0101-NH02", 3, 4)],
  ["101:smile😀", slot("S0101-NH01", 4, 5)],
  ["101:x'y; z", slot("S0101-NH01", 5, 1)],
  ["825:1", slot("S0825-HC01", 0, 2)],
  // Values the planner never makes but an old store may hold: kept as they were.
  ["825:2", slot("S0825-HC01", 300, 4)],
  ["825:3", slot("S0825-HC01", -1, 5)],
]);

const KINDS = storeKinds();

describe.each(KINDS)("$name store", (kind) => {
  const { under, open, opened } = useStoreUnderTest(kind);

  async function commit(week: typeof W44, slots: Map<string, CycleSlot>): Promise<void> {
    await (
      await opened()
    ).commitWeek({
      week,
      runId: `run-${week.week}`,
      classifications: [],
      cadence: new Map(),
      plan: weekPlanOf({ year: week.year, week: week.week + 1 }, { slots }),
      inputDigest: "d",
    });
  }

  it("reads back the plan's slots, one snapshot row per municipality", async () => {
    await commit(W44, ODD_SLOTS);
    const reopened = await open();
    expect(await reopened.loadSlotsBefore(W45)).toEqual(ODD_SLOTS);
    expect([...(await reopened.loadSlotsBefore(W45)).keys()]).toEqual([
      '101:"quoted"',
      "101:a,b",
      "101:smile😀",
      "101:x'y; z",
      "101:Ærø-ø",
      "101:名前",
      "825:1",
      "825:2",
      "825:3",
    ]);
    const rows = await under().query(
      "SELECT week, municipality_code, slots FROM slot_snapshots ORDER BY municipality_code",
    );
    expect(rows.map((row) => [row.week, row.municipality_code, row.slots])).toEqual([
      ["2020-W44", 101, 6],
      ["2020-W44", 825, 3],
    ]);
  });

  const DAMAGE = [
    {
      name: "bytes that are not gzip",
      sql:
        kind.name === "sqlite"
          ? "UPDATE slot_snapshots SET gzip = X'1f8b0800' WHERE municipality_code = 825"
          : "UPDATE slot_snapshots SET gzip = '\\x1f8b0800'::bytea WHERE municipality_code = 825",
      message:
        /cycle-slot snapshot of week 2020-W44, municipality 825: not valid gzip; the snapshot was altered/,
    },
    {
      name: "a checksum that does not match",
      sql: `UPDATE slot_snapshots SET sha256 = '${"0".repeat(64)}' WHERE municipality_code = 825`,
      message: new RegExp(
        `cycle-slot snapshot of week 2020-W44, municipality 825: SHA-256 [0-9a-f]{64} \\(\\d+ bytes\\) does not match the recorded ${"0".repeat(64)}`,
      ),
    },
    {
      name: "a slot count that does not match",
      sql: "UPDATE slot_snapshots SET slots = 5 WHERE municipality_code = 825",
      message:
        /cycle-slot snapshot of week 2020-W44, municipality 825: 3 slots, the row says 5; the snapshot was altered/,
    },
  ];

  it.each(DAMAGE)("refuses a snapshot with $name (StorageError, corrupt)", async ({ sql, message }) => {
    await commit(W44, ODD_SLOTS);
    await under().query(sql);
    const reading = (await open()).loadSlotsBefore(W45);
    await expect(reading).rejects.toThrow(StorageError);
    await expect(reading).rejects.toMatchObject({ fault: "corrupt", message });
  });

  it("migrates the slots of a schema-6 store into snapshots, unplaced ones by their site", async () => {
    await under().createAtVersion(6);
    const values = [
      "('2020-W43', 101, 'E1', 0, 1, 'day', 'S0101-NH01')",
      "('2020-W44', 101, 'a,b', 0, 1, 'day', 'S0101-NH01')",
      "('2020-W44', 101, '\"quoted\"', 1, 2, 'evening', 'S0101-NH01')",
      "('2020-W44', 101, 'Ærø-ø', 2, 3, 'day', 'S0101-NH02')",
      "('2020-W44', 825, 'x''y; z', 5, 1, 'day', 'S0825-HC01')",
      // Slots migration 5 could not place: one at a site the sites file knows, one at none.
      "('2020-W44', NULL, 'E3', 3, 4, 'day', 'S0147-NH01')",
      "('2020-W44', NULL, 'E4', 4, 5, 'day', 'S-GONE')",
    ];
    for (const value of values) {
      await under().query(
        `INSERT INTO cycle_slots (week, municipality_code, employee_id, cycle_week, weekday, shift, site_id) VALUES ${value}`,
      );
    }
    const migrated = await open();
    const version = await under().query(
      kind.name === "sqlite" ? "PRAGMA user_version" : "SELECT version AS user_version FROM schema_version",
    );
    expect(Number(version[0]?.user_version)).toBe(SCHEMA_VERSION);
    const gone = Promise.resolve().then(() => under().query("SELECT COUNT(*) AS n FROM cycle_slots"));
    await expect(gone).rejects.toThrow(/cycle_slots/);
    const rows = await under().query(
      "SELECT week, municipality_code, slots FROM slot_snapshots ORDER BY week, municipality_code",
    );
    expect(rows.map((row) => [row.week, row.municipality_code, row.slots])).toEqual([
      ["2020-W43", 101, 1],
      ["2020-W44", 0, 2],
      ["2020-W44", 101, 3],
      ["2020-W44", 825, 1],
    ]);
    const sites = new Map([
      ["S0101-NH01", 101],
      ["S0825-HC01", 825],
      ["S0147-NH01", 147],
    ]);
    expect(await migrated.loadSlotsBefore(W45, (siteId) => sites.get(siteId))).toEqual(
      new Map([
        ["101:a,b", slot("S0101-NH01", 0, 1)],
        ['101:"quoted"', slot("S0101-NH01", 1, 2, "evening")],
        ["101:Ærø-ø", slot("S0101-NH02", 2, 3)],
        ["825:x'y; z", slot("S0825-HC01", 5, 1)],
        ["147:E3", slot("S0147-NH01", 3, 4)],
      ]),
    );
    expect(await migrated.loadSlotsBefore(W44)).toEqual(new Map([["101:E1", slot("S0101-NH01", 0, 1)]]));
    // The next week's snapshot is written beside the migrated ones, and read instead of them.
    await commit(W45, new Map([["101:E1", slot("S0101-NH01", 1, 2)]]));
    expect(await migrated.loadSlotsBefore({ year: 2020, week: 46 })).toEqual(
      new Map([["101:E1", slot("S0101-NH01", 1, 2)]]),
    );
  });
});
