import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IsoWeek } from "../../src/domain/calendar.ts";
import type { StaffMember } from "../../src/domain/roster.ts";
import type { GoodRosterFile } from "../../src/roster/roster-isolation.ts";
import type { StateStore } from "../../src/store/state-store.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";
import { weekPlanOf } from "../fixtures/store/committed-week.ts";

/*
 * Each municipality's last good roster is kept with the week it was committed in: a run that
 * commits records the files it read without a problem; a failed run changes nothing.
 */

const W39: IsoWeek = { year: 2020, week: 39 };
const W40: IsoWeek = { year: 2020, week: 40 };
const W41: IsoWeek = { year: 2020, week: 41 };

const STAFF_751: StaffMember[] = [
  {
    municipalityCode: 751,
    employeeId: "1",
    name: "Åse Ærø",
    siteId: "S0751-NH01",
    shift: "night",
    startDate: "2020-09-01",
  },
  { municipalityCode: 751, employeeId: "2", siteId: "S0751-HC01", shift: "day", endDate: "2020-12-31" },
];

describe.each(storeKinds())("$name store", (kind) => {
  let dir: string;
  let store: StateStore;
  let under: StoreUnderTest;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "good-rosters-"));
    under = kind.create();
    store = await under.open();
  });
  afterEach(async () => {
    await under.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function commit(
    week: IsoWeek,
    rosters: GoodRosterFile[] | undefined,
    publish?: () => void,
  ): Promise<void> {
    await store.commitWeek({
      week,
      runId: `run-${week.week}`,
      classifications: [],
      cadence: new Map(),
      plan: weekPlanOf({ year: week.year, week: week.week + 1 }),
      inputDigest: "d",
      rosters,
      publish,
    });
  }

  describe("last good rosters", () => {
    it("has none before a run recorded one", async () => {
      expect(await store.loadGoodRoster(751)).toBeUndefined();
    });

    it("round-trips the parsed rows with the file digest and the week", async () => {
      await commit(W39, [{ municipalityCode: 751, sha256: "a".repeat(64), staff: STAFF_751 }]);
      await store.close();
      store = await under.open();
      expect(await store.loadGoodRoster(751)).toEqual({
        municipalityCode: 751,
        week: W39,
        sha256: "a".repeat(64),
        staff: STAFF_751,
      });
      expect(await store.loadGoodRoster(825)).toBeUndefined();
    });

    it("moves an unchanged file's week forward, never back, and replaces a changed file's rows", async () => {
      await commit(W40, [{ municipalityCode: 751, sha256: "a".repeat(64), staff: STAFF_751 }]);
      // The same digest: only the week moves (the rows given are not even looked at).
      await commit(W41, [{ municipalityCode: 751, sha256: "a".repeat(64), staff: [] }]);
      expect(await store.loadGoodRoster(751)).toMatchObject({ week: W41, staff: STAFF_751 });
      await commit(W39, [{ municipalityCode: 751, sha256: "a".repeat(64), staff: [] }]);
      expect((await store.loadGoodRoster(751))?.week).toEqual(W41);
      const changed = STAFF_751.slice(1);
      await commit(W41, [{ municipalityCode: 751, sha256: "b".repeat(64), staff: changed }]);
      expect(await store.loadGoodRoster(751)).toEqual({
        municipalityCode: 751,
        week: W41,
        sha256: "b".repeat(64),
        staff: changed,
      });
    });

    it("keeps the previous rosters when the week's commit fails, and when a run has no roster files", async () => {
      await commit(W39, [{ municipalityCode: 751, sha256: "a".repeat(64), staff: STAFF_751 }]);
      await expect(
        commit(W40, [{ municipalityCode: 751, sha256: "b".repeat(64), staff: [] }], () => {
          throw new Error("disk full");
        }),
      ).rejects.toThrow("disk full");
      await commit(W41, undefined);
      expect(await store.loadGoodRoster(751)).toMatchObject({
        week: W39,
        sha256: "a".repeat(64),
        staff: STAFF_751,
      });
    });
  });
});
