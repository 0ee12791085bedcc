import { UsageError } from "../errors.ts";
import type { StoredDownload } from "../store/download-audit.ts";
import type { OutboxEntry } from "../store/notification-outbox.ts";
import type { RecipientEvent } from "../store/recipients.ts";
import { formatInstant, printJson, stringFlag, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "audit [--recipient ID] [--week YYYY-Www] [--limit N] [--json] [common options]",
  description: `Who fetched what, and what was done about recipients: every portal download (recipient,
week, file, size, time), every change of a recipient (added, token rotated, removed: by whom
and when) and the notifications of the published weeks (mail and webhooks: sent, pending with
their last error, given up). Newest first. No token is ever recorded.`,
  options: `  --recipient ID     only this recipient (its downloads, changes and mails)
  --week YYYY-Www    only this week's downloads and notifications
  --limit N          at most N downloads (default 200)
  --json             print { downloads, changes, notifications } as JSON`,
  examples: `  testrota audit
  testrota audit --recipient municipality-101 --week 2020-W40
  testrota audit --json | jq '.downloads[] | select(.path | endswith("rota.csv"))'`,
});

type AuditReport = {
  readonly downloads: readonly StoredDownload[];
  readonly changes: readonly RecipientEvent[];
  readonly notifications: readonly Omit<OutboxEntry, "payload">[];
};

function limitFlag(text: string | undefined, problems: string[]): number {
  if (text === undefined) return 200;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    problems.push(`--limit: got ${JSON.stringify(text)}, expected a positive whole number`);
  }
  return Number(text);
}

export const auditCommand: Command = {
  name: "audit",
  summary: "portal downloads, recipient changes and notifications (who, what, when)",
  usage,
  options: {
    recipient: { type: "string" },
    week: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
  },
  run(flags, ctx) {
    const problems: string[] = [];
    const recipientId = stringFlag(flags, "recipient")?.trim();
    const week = stringFlag(flags, "week")?.trim();
    if (week !== undefined && !/^\d{4}-W\d{2}$/.test(week)) {
      problems.push(`--week: got ${JSON.stringify(week)}, expected an ISO week like 2020-W40`);
    }
    const limit = limitFlag(stringFlag(flags, "limit"), problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const report: AuditReport = {
        downloads: await app.store.listDownloads({ recipientId, week, limit }),
        changes: (await app.store.listRecipientEvents(recipientId)).reverse(),
        notifications: (await app.store.listNotifications(week === undefined ? {} : { week }))
          .filter((n) => recipientId === undefined || n.target === recipientId)
          .map(({ payload: _payload, ...entry }) => entry),
      };
      if (flags.json === true) {
        printJson(ctx.io, report);
        return 0;
      }
      const zone = app.config.timezone;
      const lines = [
        `downloads (${report.downloads.length}${report.downloads.length === limit ? `, the latest ${limit}` : ""}):`,
        ...report.downloads.map(
          (d) => `  ${formatInstant(d.at, zone)}  ${d.recipientId}  ${d.week}  ${d.path}  ${d.bytes} B`,
        ),
        `recipient changes (${report.changes.length}):`,
        ...report.changes.map(
          (e) =>
            `  ${formatInstant(e.at, zone)}  ${e.recipientId}  ${e.action}  by ${e.author}${e.note === "" ? "" : `  ${e.note}`}`,
        ),
        `notifications (${report.notifications.length}):`,
        ...report.notifications.map(
          (n) =>
            `  ${formatInstant(n.createdAt, zone)}  ${n.week}  ${n.channel}  ${n.target}  ${n.status}, ${n.attempts} attempt${n.attempts === 1 ? "" : "s"}${n.lastError === null ? "" : `  last error: ${n.lastError}`}`,
        ),
      ];
      ctx.io.stdout(`${lines.join("\n")}\n`);
      return 0;
    });
  },
};
