import { createHash, randomUUID } from "node:crypto";
import type { Dispatcher } from "undici";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { activeRecipient } from "../portal/auth.ts";
import { publicBaseUrl } from "../portal/base-url.ts";
import { readReferenceTable } from "../roster/read-reference.ts";
import type { NotificationOutbox, OutboxEntry } from "../store/notification-outbox.ts";
import type { RecipientState } from "../store/recipients.ts";
import type { WorkerMetrics } from "../worker/metrics.ts";
import { createSmtpTransport, type MailTransport } from "./mailer.ts";
import { renderMail, renderWebhookBody, type MailMessage } from "./messages.ts";
import { createWebhookDispatcher, postWebhook } from "./webhook.ts";
import { readWeekFacts } from "./week-facts.ts";

/*
 * Notifications of published weeks, through the outbox in the store. When a week is published,
 * one row per recipient (mail, when SMTP is configured) and per webhook is enqueued under a key
 * of (week, the published folder's digest, channel, target): enqueueing again adds nothing, and a
 * week republished with other files is a new publication (an "updated" message). Rows are then
 * delivered; a failure is retried with exponential backoff until `notifications.maxAttempts`,
 * by this process or any other that delivers (worker, portal), and survives restarts.
 */

export type NotifierConfig = Pick<
  Config,
  "outDir" | "reference" | "smtp" | "webhooks" | "notifications" | "portal" | "documents"
> &
  Partial<Pick<Config, "referenceRules">>;

export type NotifierDeps = {
  readonly config: NotifierConfig;
  readonly store: RecipientState & NotificationOutbox;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics?: WorkerMetrics | undefined;
  /** Where the SMTP password and webhook secrets are read (default: process.env). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Replaces the SMTP transport (tests). */
  readonly createTransport?: (() => MailTransport) | undefined;
  /** Replaces the proxy-aware HTTP dispatcher of webhooks (tests). */
  readonly createDispatcher?: (() => Dispatcher) | undefined;
};

export type DeliverySummary = { readonly sent: number; readonly failed: number; readonly cancelled: number };

export type Notifier = {
  /** After a publish: enqueue the week's notifications and deliver what is due. Never rejects. */
  onPublished(report: { readonly week: string; readonly trigger: string }): Promise<void>;
  /** Enqueues the notifications of a published week; returns how many were new. */
  enqueueWeek(week: string): Promise<number>;
  /** Delivers the due rows of the outbox (one pass; concurrent calls share it). */
  deliverDue(): Promise<DeliverySummary>;
  /** Looks for due rows every `notifications.retryEverySeconds`; returns the stop function. */
  startRetries(): () => Promise<void>;
  /** Waits for a delivery pass in flight. */
  close(): Promise<void>;
};

/** A claimed row is another process's for this long (a send never takes longer). */
const LEASE_MS = 10 * 60 * 1000;
const BATCH = 20;
const MAX_ERROR_LENGTH = 300;

type MailPayload = MailMessage & { readonly messageId: string };

/** The wait after `attempts` failed attempts: min × 2^(attempts−1), capped, at least a second. */
export function backoffMs(attempts: number, settings: NotifierConfig["notifications"]): number {
  const wait = settings.minBackoffSeconds * 1000 * 2 ** Math.max(0, attempts - 1);
  return Math.max(1000, Math.min(wait, settings.maxBackoffSeconds * 1000));
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").slice(0, MAX_ERROR_LENGTH);
}

/**
 * True when a mail failed because of the server (unreachable, timeout, TLS, login, missing
 * password), not because of this one message (an SMTP answer to it): the rest of the pass would
 * fail the same way, each after its own timeout, so they wait for the next pass instead.
 */
export function isServerFailure(error: unknown): boolean {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  // 421: the server is closing the connection; EAUTH: the login failed. Both hold for every mail.
  if (code === "EAUTH" || responseCode === 421) return true;
  return !(code === "EENVELOPE" || code === "EMESSAGE" || typeof responseCode === "number");
}

function messageIdOf(key: string): string {
  return `<${createHash("sha256").update(key).digest("hex").slice(0, 40)}@testrota>`;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const { config, store, clock, metrics } = deps;
  const logger = deps.logger.child({ component: "notify" });
  const env = deps.env ?? process.env;
  const claimant = randomUUID();
  const baseUrl = publicBaseUrl(config.portal);
  const language = config.documents.language;
  let regionNames: Promise<Map<number, string>> | undefined;
  let delivering: Promise<DeliverySummary> | undefined;

  function readRegionNames(): Promise<Map<number, string>> {
    regionNames ??= readReferenceTable(config.reference, undefined, config.referenceRules).then(
      (table) => new Map(table.regions.map((r) => [r.code, r.name])),
      () => new Map<number, string>(),
    );
    return regionNames;
  }

  async function updatePending(): Promise<void> {
    if (metrics === undefined) return;
    const counts = await store.countNotifications();
    metrics.notificationsPending.set({ channel: "mail" }, counts.mail.pending);
    metrics.notificationsPending.set({ channel: "webhook" }, counts.webhook.pending);
  }

  async function enqueueWeek(week: string): Promise<number> {
    const wantsMail = config.smtp !== undefined;
    if (!wantsMail && config.webhooks.length === 0) return 0;
    const facts = await readWeekFacts(config.outDir, week, await readRegionNames());
    if (facts === undefined) {
      logger.warn({ week }, "published week not found or unreadable: nothing to notify");
      return 0;
    }
    const now = clock();
    const createdAt = new Date(now).toISOString();
    const entries = [];
    if (wantsMail) {
      for (const listed of await store.listRecipients()) {
        const recipient = await activeRecipient(store, listed.id, now);
        if (recipient === undefined) continue;
        const key = `mail|${week}|${facts.digest}|${recipient.id}`;
        const update = await store.hasNotification(week, "mail", recipient.id);
        const payload: MailPayload = {
          ...renderMail({ scope: recipient, facts, baseUrl, language, update }),
          messageId: messageIdOf(key),
        };
        entries.push({
          key,
          week,
          channel: "mail" as const,
          target: recipient.id,
          payload: JSON.stringify(payload),
          createdAt,
          dueAt: now,
        });
      }
    }
    for (const hook of config.webhooks) {
      const key = `webhook|${week}|${facts.digest}|${hook.id}`;
      const update = await store.hasNotification(week, "webhook", hook.id);
      const body = renderWebhookBody({ scope: hook, facts, baseUrl, delivery: key, update });
      entries.push({
        key,
        week,
        channel: "webhook" as const,
        target: hook.id,
        payload: body,
        createdAt,
        dueAt: now,
      });
    }
    const added = await store.enqueueNotifications(entries);
    logger.info({ week, added, already: entries.length - added }, "notifications enqueued");
    await updatePending();
    return added;
  }

  /** One delivery pass: its connections, and why mail stopped for the rest of it (if it did). */
  type Pass = { transport?: MailTransport; dispatcher?: Dispatcher; mailDown?: string };

  async function send(entry: OutboxEntry, pass: Pass): Promise<"sent" | "cancelled"> {
    if (entry.channel === "mail") {
      const recipient = await store.getRecipient(entry.target);
      if (recipient === undefined || recipient.removedAt !== null) return "cancelled";
      const payload = JSON.parse(entry.payload) as MailPayload;
      pass.transport ??= deps.createTransport?.() ?? createSmtpTransport(requireSmtp(), env);
      await pass.transport.send({
        to: recipient.email,
        subject: payload.subject,
        text: payload.text,
        messageId: payload.messageId,
        headers: { "Auto-Submitted": "auto-generated", "X-Testrota-Week": entry.week },
      });
      return "sent";
    }
    const hook = config.webhooks.find((h) => h.id === entry.target);
    if (hook === undefined) return "cancelled";
    const secret = env[hook.secretEnv];
    if (secret === undefined || secret === "") {
      throw new Error(`webhooks.${hook.id}.secretEnv: the environment variable ${hook.secretEnv} is not set`);
    }
    const timeoutMs = (config.smtp?.timeoutSeconds ?? 30) * 1000;
    pass.dispatcher ??= deps.createDispatcher?.() ?? createWebhookDispatcher(timeoutMs);
    await postWebhook(
      { url: hook.url, body: entry.payload, secret, delivery: entry.key, timeoutMs, userAgent: "testrota" },
      pass.dispatcher,
    );
    return "sent";
  }

  function requireSmtp(): NonNullable<NotifierConfig["smtp"]> {
    if (config.smtp === undefined)
      throw new Error("smtp: not configured, expected an SMTP server to send mail");
    return config.smtp;
  }

  async function attempt(
    entry: OutboxEntry,
    pass: Pass,
    summary: { sent: number; failed: number; cancelled: number },
  ) {
    const log = {
      week: entry.week,
      channel: entry.channel,
      target: entry.target,
      attempt: entry.attempts + 1,
    };
    if (entry.channel === "mail" && pass.mailDown !== undefined) {
      await store.releaseNotification(entry.seq, claimant);
      return;
    }
    try {
      const outcome = await send(entry, pass);
      const at = new Date(clock()).toISOString();
      if (outcome === "cancelled") {
        await store.finishNotificationAttempt(entry.seq, claimant, {
          outcome: "cancelled",
          error: "recipient or webhook removed",
          at,
        });
        summary.cancelled++;
        logger.info(log, "notification cancelled: its recipient or webhook was removed");
        return;
      }
      await store.finishNotificationAttempt(entry.seq, claimant, { outcome: "sent", at });
      metrics?.notificationsSent.inc({ channel: entry.channel });
      summary.sent++;
      logger.info(log, "notification sent");
    } catch (error) {
      const reason = oneLine(error);
      if (entry.channel === "mail" && isServerFailure(error)) pass.mailDown = reason;
      const attempts = entry.attempts + 1;
      metrics?.notificationsFailed.inc({ channel: entry.channel });
      summary.failed++;
      if (attempts >= config.notifications.maxAttempts) {
        await store.finishNotificationAttempt(entry.seq, claimant, {
          outcome: "failed",
          error: reason,
          at: new Date(clock()).toISOString(),
        });
        metrics?.notificationsAbandoned.inc({ channel: entry.channel });
        logger.error({ ...log, reason }, "notification given up after its last attempt");
        return;
      }
      const nextAttemptAt = clock() + backoffMs(attempts, config.notifications);
      await store.finishNotificationAttempt(entry.seq, claimant, {
        outcome: "retry",
        error: reason,
        nextAttemptAt,
      });
      logger.warn(
        { ...log, reason, retryAt: new Date(nextAttemptAt).toISOString() },
        "notification failed: retried later",
      );
    }
  }

  async function deliverPass(): Promise<DeliverySummary> {
    const summary = { sent: 0, failed: 0, cancelled: 0 };
    const pass: Pass = {};
    try {
      const seen = new Set<number>();
      for (;;) {
        const batch = await store.claimDueNotifications({
          now: clock(),
          claimant,
          leaseMs: LEASE_MS,
          limit: BATCH,
        });
        const fresh = batch.filter((entry) => !seen.has(entry.seq));
        for (const entry of batch) seen.add(entry.seq);
        for (const entry of batch) await attempt(entry, pass, summary);
        // A row due again within this pass (a short backoff) waits for the next pass.
        if (batch.length < BATCH || fresh.length === 0) break;
      }
    } finally {
      pass.transport?.close();
      await pass.dispatcher?.close();
      await updatePending();
    }
    return summary;
  }

  const notifier: Notifier = {
    async onPublished(report) {
      if (report.trigger === "replay") {
        logger.debug({ week: report.week }, "replayed week: recipients are not notified");
        return;
      }
      try {
        await enqueueWeek(report.week);
        await notifier.deliverDue();
      } catch (error) {
        // The week is published whatever happens here: what was enqueued is retried later.
        logger.error(
          { week: report.week, reason: oneLine(error) },
          "notifications of the published week failed",
        );
      }
    },
    enqueueWeek,
    deliverDue() {
      delivering ??= deliverPass().finally(() => {
        delivering = undefined;
      });
      return delivering;
    },
    startRetries() {
      const timer = setInterval(() => {
        notifier
          .deliverDue()
          .catch((error: unknown) =>
            logger.error({ reason: oneLine(error) }, "notification delivery failed"),
          );
      }, config.notifications.retryEverySeconds * 1000);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await notifier.close();
      };
    },
    async close() {
      await delivering?.catch(() => undefined);
    },
  };
  return notifier;
}
