/*
 * Notifications through the outbox, with an injected clock and a recording mail transport: one
 * mail per active recipient per publication of a week (however often it is enqueued), retries
 * with backoff after a failure, given up after the last attempt, counted in the metrics, kept
 * across a restart (new notifier, reopened store) without loss or repetition, cancelled for a
 * recipient removed meanwhile, an "updated" mail when the week is republished with other files,
 * and nothing for replayed weeks.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/log.ts";
import { backoffMs, createNotifier, isServerFailure, type Notifier } from "../../src/notify/notifier.ts";
import { createMetrics, type WorkerMetrics } from "../../src/worker/metrics.ts";
import { STAFF, WEEK } from "../portal/week-fixture.ts";
import {
  BASE_URL,
  createNotifyFixture,
  createRecordingTransport,
  notifierConfig,
  type NotifyFixture,
} from "./notify-fixture.ts";

const START = Date.parse("2020-09-30T08:30:00Z");

let fx: NotifyFixture;
let now: number;
let transport: ReturnType<typeof createRecordingTransport>;
let metrics: WorkerMetrics;

beforeEach(async () => {
  fx = await createNotifyFixture();
  now = START;
  transport = createRecordingTransport();
  metrics = createMetrics({ defaultMetrics: false });
});

afterEach(async () => {
  await fx.cleanup();
});

function notifier(config = notifierConfig(fx.outDir)): Notifier {
  return createNotifier({
    config,
    store: fx.store,
    logger: createSilentLogger(),
    clock: () => now,
    metrics,
    env: {},
    createTransport: () => transport,
  });
}

async function counter(
  metric: { get(): Promise<{ values: { value: number; labels: object }[] }> },
  channel: string,
) {
  const { values } = await metric.get();
  return values.find((v) => (v.labels as { channel?: string }).channel === channel)?.value ?? 0;
}

describe("one mail per recipient per published week", () => {
  it("mails each active recipient once, with the week's link, whatever is enqueued again", async () => {
    const n = notifier();
    await n.onPublished({ week: WEEK, trigger: "cli" });
    await n.onPublished({ week: WEEK, trigger: "schedule" });
    expect(await n.enqueueWeek(WEEK)).toBe(0);
    await n.deliverDue();
    expect(transport.sent.map((m) => m.to).sort()).toEqual([
      "municipality-101@example.invalid",
      "national@example.invalid",
      "region-1084@example.invalid",
    ]);
    for (const mail of transport.sent) {
      expect(mail.text).toContain(`${BASE_URL}/weeks/2020-W40`);
      expect(mail.subject).toBe("testrota: uge 40 er offentliggjort – testplan for uge 41");
      expect(mail.headers["Auto-Submitted"]).toBe("auto-generated");
      for (const person of STAFF) {
        expect(mail.text).not.toContain(person.name);
        expect(mail.text).not.toContain(person.id);
      }
    }
    const byTo = new Map(transport.sent.map((m) => [m.to, m.text]));
    // 101: red, in a red flow, two rows in its rota (the fixture's two staff).
    expect(byTo.get("municipality-101@example.invalid")).toContain(
      "København (101): rød, incidens 94,89 pr. 100.000. I rødt forløb. 2 planlagte test i uge 41.",
    );
    // 1084: the two pickups of the fixture's pickups.json (2 + 1 samples, 2 + 1 kits).
    expect(byTo.get("region-1084@example.invalid")).toContain(
      "Region Hovedstaden (1084): 2 afhentninger fra 2 arbejdssteder 6/10–7/10: 3 prøver, 3 testsæt at levere.",
    );
    expect(byTo.get("region-1084@example.invalid")).toContain(
      "- Frederiksberg (147): rød, incidens 76,95 pr. 100.000. Blev rød",
    );
    expect(byTo.get("national@example.invalid")).toContain(
      "3 planlagte test i alt, 0 udskudt af kapacitetshensyn.",
    );
    expect(await counter(metrics.notificationsSent, "mail")).toBe(3);
    expect(await counter(metrics.notificationsPending, "mail")).toBe(0);
    expect(transport.closed).toBeGreaterThanOrEqual(1);
    // What /metrics of the worker exposes.
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('testrota_notifications_sent_total{channel="mail"} 3');
    expect(exposition).toContain('testrota_notifications_pending{channel="mail"} 0');
    expect(exposition).toContain("# TYPE testrota_notifications_failed_total counter");
    expect(exposition).toContain("# TYPE testrota_notifications_abandoned_total counter");
  });

  it("does not mail expired or removed recipients", async () => {
    await fx.store.rotateRecipientToken("national", {
      tokenHash: "c".repeat(64),
      expiresAt: "2020-09-30T08:00:00.000Z",
      author: "t",
      at: "2020-09-30T08:00:00.000Z",
    });
    await fx.store.removeRecipient("region-1084", { author: "t", at: "2020-09-30T08:00:00.000Z", note: "" });
    await notifier().onPublished({ week: WEEK, trigger: "cli" });
    expect(transport.sent.map((m) => m.to)).toEqual(["municipality-101@example.invalid"]);
  });

  it("cancels a mail whose recipient was removed before it went out", async () => {
    const n = notifier();
    await n.enqueueWeek(WEEK);
    await fx.store.removeRecipient("region-1084", { author: "t", at: "2020-09-30T08:00:00.000Z", note: "" });
    expect(await n.deliverDue()).toEqual({ sent: 2, failed: 0, cancelled: 1 });
    expect((await fx.store.listNotifications()).find((e) => e.target === "region-1084")?.status).toBe(
      "cancelled",
    );
  });

  it("replayed weeks notify no one", async () => {
    await notifier().onPublished({ week: WEEK, trigger: "replay" });
    expect(await fx.store.listNotifications()).toEqual([]);
    expect(transport.sent).toEqual([]);
  });

  it("a week republished with other files is a new publication: one 'updated' mail each", async () => {
    const n = notifier();
    await n.onPublished({ week: WEEK, trigger: "cli" });
    appendFileSync(join(fx.outDir, WEEK, "manifest.json"), " ");
    await n.onPublished({ week: WEEK, trigger: "cli" });
    await n.onPublished({ week: WEEK, trigger: "cli" });
    expect(transport.sent).toHaveLength(6);
    expect(transport.sent.slice(3).map((m) => m.subject)).toEqual(
      Array(3).fill("testrota: uge 40 er opdateret – testplan for uge 41"),
    );
  });
});

describe("failures, retries and restarts", () => {
  it("retries a failed mail after the backoff and counts the failure", async () => {
    transport.failures = 1;
    const n = notifier();
    await n.onPublished({ week: WEEK, trigger: "cli" });
    expect(transport.sent).toHaveLength(2);
    expect(await counter(metrics.notificationsFailed, "mail")).toBe(1);
    expect(await counter(metrics.notificationsPending, "mail")).toBe(1);
    const pending = (await fx.store.listNotifications()).find((e) => e.status === "pending");
    expect(pending).toMatchObject({ attempts: 1, nextAttemptAt: START + 60_000 });
    expect(pending?.lastError).toBe("Message failed: 450 4.2.1 mailbox busy, try again later");

    now = START + 59_999;
    expect(await n.deliverDue()).toEqual({ sent: 0, failed: 0, cancelled: 0 });
    now = START + 60_000;
    expect(await n.deliverDue()).toEqual({ sent: 1, failed: 0, cancelled: 0 });
    expect(transport.sent).toHaveLength(3);
    expect(await counter(metrics.notificationsSent, "mail")).toBe(3);
    expect(await counter(metrics.notificationsPending, "mail")).toBe(0);
  });

  it("gives up after notifications.maxAttempts (3): waits 60 s, then 120 s, then stops", async () => {
    transport.failures = 100;
    const n = notifier();
    await n.enqueueWeek(WEEK);
    await n.deliverDue();
    now += 60_000;
    await n.deliverDue();
    now += 119_999;
    expect(await n.deliverDue()).toEqual({ sent: 0, failed: 0, cancelled: 0 });
    now += 1;
    expect(await n.deliverDue()).toEqual({ sent: 0, failed: 3, cancelled: 0 });
    now += 10 * 3600_000;
    expect(await n.deliverDue()).toEqual({ sent: 0, failed: 0, cancelled: 0 });
    expect((await fx.store.countNotifications()).mail).toEqual({
      pending: 0,
      sent: 0,
      failed: 3,
      cancelled: 0,
    });
    expect(await counter(metrics.notificationsFailed, "mail")).toBe(9);
    expect(await counter(metrics.notificationsAbandoned, "mail")).toBe(3);
  });

  it("a server that cannot be reached costs one attempt per pass, not one timeout per mail", async () => {
    transport.failures = 100;
    transport.failure = () => Object.assign(new Error("Connection timeout"), { code: "ETIMEDOUT" });
    const n = notifier();
    await n.onPublished({ week: WEEK, trigger: "cli" });
    expect(transport.attempts).toBe(1);
    expect((await fx.store.listNotifications()).map((e) => e.attempts).sort()).toEqual([0, 0, 1]);
    // The two not attempted are due at once and unclaimed; the one attempted waits for its backoff.
    expect(await n.deliverDue()).toEqual({ sent: 0, failed: 1, cancelled: 0 });
    expect(transport.attempts).toBe(2);
    transport.failures = 0;
    now += 60_000;
    expect(await n.deliverDue()).toEqual({ sent: 3, failed: 0, cancelled: 0 });
  });

  it.each([
    { name: "connection closed", error: { code: "ECONNECTION" }, server: true },
    { name: "login failed (535)", error: { code: "EAUTH", responseCode: 535 }, server: true },
    { name: "service closing (421)", error: { code: "EENVELOPE", responseCode: 421 }, server: true },
    { name: "missing password (ConfigError)", error: new Error("smtp.passwordEnv: …"), server: true },
    { name: "mailbox busy (450)", error: { code: "EENVELOPE", responseCode: 450 }, server: false },
    { name: "no such user (550)", error: { code: "EENVELOPE", responseCode: 550 }, server: false },
    { name: "message refused", error: { code: "EMESSAGE", responseCode: 552 }, server: false },
  ])("isServerFailure: $name → $server", ({ error, server }) => {
    expect(isServerFailure(error)).toBe(server);
  });

  it("backoff doubles from the minimum up to the maximum, never under a second", () => {
    const settings = {
      maxAttempts: 10,
      minBackoffSeconds: 60,
      maxBackoffSeconds: 3600,
      retryEverySeconds: 60,
    };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffMs(a, settings) / 1000)).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]);
    expect(backoffMs(1, { ...settings, minBackoffSeconds: 0 })).toBe(1000);
  });

  it("a restart loses nothing and repeats nothing: what was enqueued is sent once by the next process", async () => {
    transport.failures = 100;
    await notifier().onPublished({ week: WEEK, trigger: "cli" });
    expect((await fx.store.countNotifications()).mail.pending).toBe(3);
    await fx.reopen();
    transport.failures = 0;
    now += 60_000;
    const next = notifier();
    await next.onPublished({ week: WEEK, trigger: "catch-up" });
    await next.deliverDue();
    expect(transport.sent.map((m) => m.to).sort()).toEqual([
      "municipality-101@example.invalid",
      "national@example.invalid",
      "region-1084@example.invalid",
    ]);
  });

  it("a process that died holding a claim: the row is sent by another once the lease ran out", async () => {
    await notifier().enqueueWeek(WEEK);
    // The dying process claimed everything and never reported back.
    await fx.store.claimDueNotifications({ now, claimant: "dead", leaseMs: 10 * 60_000, limit: 10 });
    const survivor = notifier();
    expect(await survivor.deliverDue()).toEqual({ sent: 0, failed: 0, cancelled: 0 });
    now += 10 * 60_000;
    expect(await survivor.deliverDue()).toEqual({ sent: 3, failed: 0, cancelled: 0 });
    now += 10 * 60_000;
    expect(await survivor.deliverDue()).toEqual({ sent: 0, failed: 0, cancelled: 0 });
    expect(transport.sent).toHaveLength(3);
  });

  it("no SMTP configured and no webhooks: nothing is enqueued", async () => {
    await notifier(notifierConfig(fx.outDir, { smtp: undefined })).onPublished({
      week: WEEK,
      trigger: "cli",
    });
    expect(await fx.store.listNotifications()).toEqual([]);
  });
});
