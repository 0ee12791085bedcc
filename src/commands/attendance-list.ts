import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { UsageError } from "../errors.ts";
import type { App } from "../worker/app.ts";
import {
  formatInstant,
  printJson,
  stringFlag,
  usageText,
  weekFlag,
  withApp,
  type Command,
} from "./command.ts";

const usage = usageText({
  synopsis: "attendance list [--week YYYY-Www] [--json]",
  description: `Show what attendance is on record, counts only (no names or employee ids): for a TEST
week, per municipality with tests, the tests planned, the return (digest, file kind, when and by
whom) with its taken / declined / absent / blank rows, and how many tests are not reported; then
the audit trail of the week (imports and replacements). Without --week: one line per test week
with returns.`,
  options: `  --week YYYY-Www    the test week (e.g. 2020-W41)
  --json             print the same as JSON`,
  examples: `  testrota attendance list --week 2020-W41
  testrota attendance list --json | jq '.weeks[]'`,
});

type MunicipalityLine = {
  readonly municipalityCode: number;
  readonly name: string;
  readonly planned: number;
  readonly returned: boolean;
  readonly digest: string | null;
  readonly format: string | null;
  readonly importedAt: string | null;
  readonly author: string | null;
  readonly taken: number;
  readonly declined: number;
  readonly absent: number;
  readonly blank: number;
  readonly notReported: number;
};

type AuditLine = {
  readonly municipalityCode: number;
  readonly action: string;
  readonly author: string;
  readonly at: string;
  readonly fileName: string;
  readonly oldDigest: string | null;
  readonly newDigest: string;
  readonly oldCounts: unknown;
  readonly newCounts: unknown;
};

async function listWeek(
  app: App,
  week: IsoWeek,
): Promise<{ municipalities: MunicipalityLine[]; audit: AuditLine[] }> {
  const zone = app.config.timezone;
  const planned = new Map<number, number>();
  for (const test of await app.store.loadPlannedTests(week)) {
    planned.set(test.municipalityCode, (planned.get(test.municipalityCode) ?? 0) + 1);
  }
  const returns = new Map((await app.store.listAttendanceReturns(week)).map((r) => [r.municipalityCode, r]));
  const codes = [...new Set([...planned.keys(), ...returns.keys()])].sort((a, b) => a - b);
  const municipalities = codes.map((code): MunicipalityLine => {
    const r = returns.get(code);
    const count = planned.get(code) ?? 0;
    const reported = r === undefined ? 0 : r.counts.taken + r.counts.declined + r.counts.absent;
    return {
      municipalityCode: code,
      name: app.municipalities.find((m) => m.code === code)?.name ?? "",
      planned: count,
      returned: r !== undefined,
      digest: r?.digest ?? null,
      format: r?.format ?? null,
      importedAt: r === undefined ? null : formatInstant(r.importedAt, zone),
      author: r?.author ?? null,
      taken: r?.counts.taken ?? 0,
      declined: r?.counts.declined ?? 0,
      absent: r?.counts.absent ?? 0,
      blank: r?.counts.blank ?? 0,
      notReported: Math.max(0, count - reported),
    };
  });
  const audit = (await app.store.listAttendanceAudit(week)).map((entry): AuditLine => ({
    municipalityCode: entry.municipalityCode,
    action: entry.action,
    author: entry.author,
    at: formatInstant(entry.at, zone),
    fileName: entry.fileName,
    oldDigest: entry.oldDigest,
    newDigest: entry.newDigest,
    oldCounts: entry.oldCounts,
    newCounts: entry.newCounts,
  }));
  return { municipalities, audit };
}

function formatWeek(week: IsoWeek, listed: Awaited<ReturnType<typeof listWeek>>): string {
  const returned = listed.municipalities.filter((m) => m.returned).length;
  const lines = [
    `test week ${formatIsoWeek(week)}: ${returned} of ${listed.municipalities.length} municipalities with tests returned attendance`,
  ];
  for (const m of listed.municipalities) {
    const head = `  ${m.municipalityCode} ${m.name}: ${m.planned} planned`;
    lines.push(
      m.returned
        ? `${head}; ${m.taken} taken, ${m.declined} declined, ${m.absent} absent, ${m.notReported} not reported (${m.format} ${(m.digest ?? "").slice(0, 12)}, ${m.importedAt} by ${m.author})`
        : `${head}; no return (${m.notReported} not reported)`,
    );
  }
  for (const entry of listed.audit) {
    lines.push(
      `  audit: ${entry.at} ${entry.author} ${entry.action} ${entry.municipalityCode} (${entry.fileName})`,
    );
  }
  return lines.join("\n");
}

export const attendanceListCommand: Command = {
  name: "attendance list",
  summary: "show the attendance on record for a test week (counts only) and its audit trail",
  usage,
  options: { week: { type: "string" }, json: { type: "boolean" } },
  run(flags, ctx) {
    const problems: string[] = [];
    const week = stringFlag(flags, "week") === undefined ? undefined : weekFlag(flags, "week", problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    const json = flags.json === true;
    return withApp(this, flags, ctx, async (app) => {
      if (week !== undefined) {
        const listed = await listWeek(app, week);
        if (json) printJson(ctx.io, { testWeek: formatIsoWeek(week), ...listed });
        else ctx.io.stdout(`${formatWeek(week, listed)}\n`);
        return 0;
      }
      const byWeek = new Map<
        string,
        { returns: number; taken: number; declined: number; absent: number; blank: number }
      >();
      for (const r of await app.store.listAttendanceReturns()) {
        const key = formatIsoWeek(r.testWeek);
        const entry = byWeek.get(key) ?? { returns: 0, taken: 0, declined: 0, absent: 0, blank: 0 };
        byWeek.set(key, {
          returns: entry.returns + 1,
          taken: entry.taken + r.counts.taken,
          declined: entry.declined + r.counts.declined,
          absent: entry.absent + r.counts.absent,
          blank: entry.blank + r.counts.blank,
        });
      }
      const weeks = [...byWeek.entries()].map(([testWeek, counts]) => ({ testWeek, ...counts }));
      if (json) printJson(ctx.io, { weeks });
      else {
        const lines = weeks.map(
          (w) =>
            `test week ${w.testWeek}: ${w.returns} returns; ${w.taken} taken, ${w.declined} declined, ${w.absent} absent, ${w.blank} blank`,
        );
        ctx.io.stdout(`${lines.length === 0 ? "no attendance on record" : lines.join("\n")}\n`);
      }
      return 0;
    });
  },
};
