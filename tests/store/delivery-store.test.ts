/*
 * The delivery tables of the store: recipients (hash only, audited changes, soft removal), the
 * download audit and the notification outbox (idempotent enqueue, leases, retries). Everything
 * must survive closing and reopening the store, as after a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import type { NewNotification, StateStore } from "../../src/store/state-store.ts";
import { storeKinds, type StoreUnderTest } from "../support/store-implementations.ts";

describe.each(storeKinds())("$name store", (kind) => {
  let store: StateStore;
  let under: StoreUnderTest;

  beforeEach(async () => {
    under = kind.create();
    store = await under.open();
  });

  afterEach(async () => {
    await under.cleanup();
  });

  async function reopen(): Promise<void> {
    await store.close();
    store = await under.open();
  }

  const HASH_A = "a".repeat(64);
  const HASH_B = "b".repeat(64);

  async function addCoordinator(id = "municipality-101"): Promise<void> {
    await store.addRecipient({
      id,
      role: "municipality",
      codes: [101, 147],
      email: "k@example.invalid",
      label: "København og Frederiksberg",
      tokenHash: HASH_A,
      expiresAt: "2021-01-01T23:00:00.000Z",
      author: "ops-anna",
      at: "2020-09-30T08:00:00.000Z",
    });
  }

  describe("recipients", () => {
    it("are kept with their scope, hash and expiry across a restart", async () => {
      await addCoordinator();
      await reopen();
      expect(await store.getRecipient("municipality-101")).toEqual({
        id: "municipality-101",
        role: "municipality",
        codes: [101, 147],
        email: "k@example.invalid",
        label: "København og Frederiksberg",
        tokenHash: HASH_A,
        tokenSetAt: "2020-09-30T08:00:00.000Z",
        expiresAt: "2021-01-01T23:00:00.000Z",
        createdAt: "2020-09-30T08:00:00.000Z",
        createdBy: "ops-anna",
        removedAt: null,
        removedBy: null,
      });
    });

    it("a rotation replaces the hash (and the expiry only when given); every change is an event", async () => {
      await addCoordinator();
      await store.rotateRecipientToken("municipality-101", {
        tokenHash: HASH_B,
        author: "ops-bo",
        at: "2020-10-01T08:00:00.000Z",
      });
      expect(await store.getRecipient("municipality-101")).toMatchObject({
        tokenHash: HASH_B,
        tokenSetAt: "2020-10-01T08:00:00.000Z",
        expiresAt: "2021-01-01T23:00:00.000Z",
      });
      await store.rotateRecipientToken("municipality-101", {
        tokenHash: HASH_A,
        expiresAt: null,
        author: "ops-bo",
        at: "2020-10-02T08:00:00.000Z",
      });
      expect((await store.getRecipient("municipality-101"))?.expiresAt).toBeNull();
      await store.removeRecipient("municipality-101", {
        author: "ops-cai",
        at: "2020-10-03T08:00:00.000Z",
        note: "left",
      });
      await reopen();
      expect(await store.listRecipients()).toEqual([]);
      expect((await store.listRecipients({ includeRemoved: true })).map((r) => [r.id, r.removedBy])).toEqual([
        ["municipality-101", "ops-cai"],
      ]);
      expect(
        (await store.listRecipientEvents("municipality-101")).map((e) => [e.action, e.author, e.at, e.note]),
      ).toEqual([
        ["add", "ops-anna", "2020-09-30T08:00:00.000Z", "municipality 101,147"],
        ["rotate", "ops-bo", "2020-10-01T08:00:00.000Z", ""],
        ["rotate", "ops-bo", "2020-10-02T08:00:00.000Z", "expires never"],
        ["remove", "ops-cai", "2020-10-03T08:00:00.000Z", "left"],
      ]);
    });

    it("refuses a duplicate id (removed ids stay taken) and changes to a removed recipient", async () => {
      await addCoordinator();
      await store.removeRecipient("municipality-101", {
        author: "ops",
        at: "2020-10-03T08:00:00.000Z",
        note: "",
      });
      await expect(addCoordinator()).rejects.toThrow(InputError);
      await expect(
        store.rotateRecipientToken("municipality-101", {
          tokenHash: HASH_B,
          author: "ops",
          at: "2020-10-04T08:00:00.000Z",
        }),
      ).rejects.toThrow(/no active recipient with this id/);
      await expect(
        store.removeRecipient("municipality-101", {
          author: "ops",
          at: "2020-10-04T08:00:00.000Z",
          note: "",
        }),
      ).rejects.toThrow(/no active recipient with this id/);
      // The failed add wrote no event (one transaction).
      expect((await store.listRecipientEvents()).map((e) => e.action)).toEqual(["add", "remove"]);
    });
  });

  describe("download audit", () => {
    it("records who fetched which file of which week, newest first, filtered by recipient and week", async () => {
      await store.recordDownload({
        recipientId: "a",
        week: "2020-W40",
        path: "classification.csv",
        bytes: 10,
        at: "2020-10-01T08:00:00.000Z",
      });
      await store.recordDownload({
        recipientId: "b",
        week: "2020-W40",
        path: "regions/1084/pickups.csv",
        bytes: 20,
        at: "2020-10-01T08:01:00.000Z",
      });
      await store.recordDownload({
        recipientId: "a",
        week: "2020-W41",
        path: "municipalities/101/rota.csv",
        bytes: 30,
        at: "2020-10-08T08:00:00.000Z",
      });
      await reopen();
      expect((await store.listDownloads()).map((d) => d.path)).toEqual([
        "municipalities/101/rota.csv",
        "regions/1084/pickups.csv",
        "classification.csv",
      ]);
      expect((await store.listDownloads({ recipientId: "a" })).map((d) => d.week)).toEqual([
        "2020-W41",
        "2020-W40",
      ]);
      expect((await store.listDownloads({ week: "2020-W40", limit: 1 })).map((d) => d.recipientId)).toEqual([
        "b",
      ]);
    });
  });

  describe("notification outbox", () => {
    function entry(key: string, target: string, dueAt = 1000): NewNotification {
      return {
        key,
        week: "2020-W40",
        channel: "mail",
        target,
        payload: "{}",
        createdAt: "2020-10-01T08:00:00.000Z",
        dueAt,
      };
    }

    it("adds a key once, whatever is enqueued again", async () => {
      expect(await store.enqueueNotifications([entry("k1", "a"), entry("k2", "b")])).toBe(2);
      expect(await store.enqueueNotifications([entry("k1", "a"), entry("k3", "c")])).toBe(1);
      await reopen();
      expect((await store.listNotifications()).map((n) => n.key)).toEqual(["k3", "k2", "k1"]);
      expect(await store.hasNotification("2020-W40", "mail", "b")).toBe(true);
      expect(await store.hasNotification("2020-W40", "mail", "z")).toBe(false);
      expect(await store.hasNotification("2020-W40", "webhook", "b")).toBe(false);
    });

    it("a claim holds for its lease: another claimant gets nothing until it expires", async () => {
      await store.enqueueNotifications([entry("k1", "a"), entry("k2", "b", 5000)]);
      const first = await store.claimDueNotifications({
        now: 1000,
        claimant: "p1",
        leaseMs: 60_000,
        limit: 10,
      });
      expect(first.map((n) => n.key)).toEqual(["k1"]);
      expect(
        await store.claimDueNotifications({ now: 2000, claimant: "p2", leaseMs: 60_000, limit: 10 }),
      ).toEqual([]);
      // k2 became due; k1 is still leased to p1.
      expect(
        (await store.claimDueNotifications({ now: 5000, claimant: "p2", leaseMs: 60_000, limit: 10 })).map(
          (n) => n.key,
        ),
      ).toEqual(["k2"]);
      // p1 died: its lease ran out at 61 000.
      expect(
        (await store.claimDueNotifications({ now: 61_000, claimant: "p3", leaseMs: 60_000, limit: 10 })).map(
          (n) => n.key,
        ),
      ).toEqual(["k1"]);
      // p1's late result is ignored: the row is p3's now.
      await store.finishNotificationAttempt(first[0]?.seq ?? 0, "p1", { outcome: "sent", at: "x" });
      expect((await store.countNotifications()).mail).toEqual({
        pending: 2,
        sent: 0,
        failed: 0,
        cancelled: 0,
      });
    });

    it("records sent, retry (attempts, next time, error) and given up", async () => {
      await store.enqueueNotifications([entry("k1", "a"), entry("k2", "b"), entry("k3", "c")]);
      const claimed = await store.claimDueNotifications({
        now: 1000,
        claimant: "p",
        leaseMs: 60_000,
        limit: 10,
      });
      const [k1, k2, k3] = claimed.map((n) => n.seq);
      await store.finishNotificationAttempt(k1 ?? 0, "p", {
        outcome: "sent",
        at: "2020-10-01T08:00:01.000Z",
      });
      await store.finishNotificationAttempt(k2 ?? 0, "p", {
        outcome: "retry",
        error: "421 busy",
        nextAttemptAt: 61_000,
      });
      await store.finishNotificationAttempt(k3 ?? 0, "p", {
        outcome: "failed",
        error: "550 no such user",
        at: "2020-10-01T08:00:02.000Z",
      });
      await reopen();
      const byKey = new Map((await store.listNotifications()).map((n) => [n.key, n]));
      expect(byKey.get("k1")).toMatchObject({
        status: "sent",
        attempts: 1,
        lastError: null,
        finishedAt: "2020-10-01T08:00:01.000Z",
      });
      expect(byKey.get("k2")).toMatchObject({
        status: "pending",
        attempts: 1,
        lastError: "421 busy",
        nextAttemptAt: 61_000,
      });
      expect(byKey.get("k3")).toMatchObject({ status: "failed", attempts: 1, lastError: "550 no such user" });
      expect(
        await store.claimDueNotifications({ now: 60_999, claimant: "q", leaseMs: 1, limit: 10 }),
      ).toEqual([]);
      expect(
        (await store.claimDueNotifications({ now: 61_000, claimant: "q", leaseMs: 1, limit: 10 })).map(
          (n) => n.key,
        ),
      ).toEqual(["k2"]);
      expect(await store.countNotifications()).toEqual({
        mail: { pending: 1, sent: 1, failed: 1, cancelled: 0 },
        webhook: { pending: 0, sent: 0, failed: 0, cancelled: 0 },
      });
    });
  });
});
