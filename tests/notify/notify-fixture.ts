// Shared set-up of the notification tests: a store with one recipient per role, a hand-written
// published week, the notifier's settings and a mail transport that records (or fails).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLED_REFERENCE, configSchema } from "../../src/config-schema.ts";
import type { MailTransport, OutgoingMail } from "../../src/notify/mailer.ts";
import type { NotifierConfig } from "../../src/notify/notifier.ts";
import { issueToken } from "../../src/portal/token.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import type { RecipientScope, StateStore } from "../../src/store/state-store.ts";
import { writeWeek } from "../portal/week-fixture.ts";

export const BASE_URL = "https://testrota.example.dk";

export type NotifyFixture = {
  readonly dir: string;
  readonly outDir: string;
  readonly storePath: string;
  store: StateStore;
  reopen(): Promise<void>;
  cleanup(): Promise<void>;
};

export const RECIPIENTS: readonly (RecipientScope & { id: string })[] = [
  { id: "municipality-101", role: "municipality", codes: [101] },
  { id: "region-1084", role: "region", codes: [1084] },
  { id: "national", role: "national", codes: [] },
];

export async function createNotifyFixture(): Promise<NotifyFixture> {
  const dir = mkdtempSync(join(tmpdir(), "testrota-notify-"));
  const outDir = join(dir, "out");
  writeWeek(outDir);
  const storePath = join(dir, "data", "testrota.sqlite");
  const fixture: NotifyFixture = {
    dir,
    outDir,
    storePath,
    store: openStateStore(storePath),
    async reopen() {
      await fixture.store.close();
      fixture.store = openStateStore(storePath);
    },
    async cleanup() {
      await fixture.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const r of RECIPIENTS) {
    await fixture.store.addRecipient({
      ...r,
      email: `${r.id}@example.invalid`,
      label: r.id,
      tokenHash: issueToken(r.id).tokenHash,
      expiresAt: null,
      author: "test",
      at: "2020-09-30T08:00:00.000Z",
    });
  }
  return fixture;
}

/** The notifier's part of a config: defaults of the schema, SMTP on, the given out folder. */
export function notifierConfig(outDir: string, patch: Partial<NotifierConfig> = {}): NotifierConfig {
  const parsed = configSchema.parse({
    source: { type: "csv", url: "x.csv" },
    regions: [{ code: 1084, labCapacityPerDay: 100 }],
    demoRoster: {},
    portal: { baseUrl: BASE_URL },
    smtp: { host: "127.0.0.1", port: 2525, from: "testrota <testrota@example.invalid>" },
    notifications: { maxAttempts: 3, minBackoffSeconds: 60, maxBackoffSeconds: 3600, retryEverySeconds: 60 },
  });
  return {
    outDir,
    reference: BUNDLED_REFERENCE,
    smtp: parsed.smtp,
    webhooks: parsed.webhooks,
    notifications: parsed.notifications,
    portal: parsed.portal,
    documents: parsed.documents,
    ...patch,
  };
}

/** What nodemailer rejects a message with that the server refused for now (this message only). */
export function mailboxBusy(): Error {
  return Object.assign(new Error("Message failed: 450 4.2.1 mailbox busy, try again later"), {
    code: "EENVELOPE",
    responseCode: 450,
  });
}

/** A transport that records what it sends; `failures` makes the next sends throw `failure()`. */
export function createRecordingTransport(): MailTransport & {
  sent: OutgoingMail[];
  failures: number;
  failure: () => Error;
  attempts: number;
  closed: number;
} {
  const transport = {
    sent: [] as OutgoingMail[],
    failures: 0,
    failure: mailboxBusy,
    attempts: 0,
    closed: 0,
    send(mail: OutgoingMail) {
      transport.attempts++;
      if (transport.failures > 0) {
        transport.failures--;
        return Promise.reject(transport.failure());
      }
      transport.sent.push(mail);
      return Promise.resolve();
    },
    close() {
      transport.closed++;
    },
  };
  return transport;
}
