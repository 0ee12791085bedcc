import { readReturnFiles } from "../attendance/read-returns.ts";
import { addWeeks, formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import { UsageError } from "../errors.ts";
import { createCollectingSink, formatProblem } from "../roster/input-problems.ts";
import type { AttendanceCounts, ImportResult } from "../store/state-store.ts";
import type { App } from "../worker/app.ts";
import {
  authorOf,
  POSITIONALS,
  printJson,
  stopIfAborted,
  stringFlag,
  usageText,
  weekFlag,
  withApp,
  type Command,
  type Flags,
} from "./command.ts";

const usage = usageText({
  synopsis: `attendance import --week YYYY-Www FILE… [--municipality CODE] [--author NAME] [--json]`,
  description: `Record what came back from a published TEST week: per planned test taken, declined or
absent (and the sample ID). Each FILE is one municipality's return, either
  - the workbook rota.xlsx of that week, filled in and sent back (read by its hidden key
    columns; the outcome in Danish or English: taget/afslået/fraværende, taken/declined/absent), or
  - a CSV employee_id;date;shift;outcome[;sample_id] named <code>.csv (or give --municipality).
A blank outcome means not reported. Every file is checked against the week's rota (unknown
employees, tests never planned for that person, date and shift, dates outside the test week,
a test twice) and every problem is printed as file:line: column: message; then nothing is
imported (exit 65). Otherwise all files are imported in one transaction. The same content again
changes nothing; a corrected file replaces the municipality's earlier return for the week,
recorded with author, time, both digests and both counts.

--week is the TEST week (the rota of test week W+1 is published by the run of W, in out/W/).
Its attendance is due by the run of the week after it: a test without an outcome by then is
"not reported" and, like an absent one, is made up in the next rota (docs/attendance.md).`,
  options: `  --week YYYY-Www      the test week the returns are for (e.g. 2020-W41, published in out/2020-W40/)
  --municipality CODE  the municipality of every FILE (default: the workbook's own, else the file name <code>.csv)
  --author NAME        who imports (default $TESTROTA_AUTHOR, else $USER; required when neither is set)
  --json               print {testWeek, results, warnings} (or {ok: false, problems}) as JSON`,
  examples: `  testrota attendance import --week 2020-W41 returns/350.csv returns/rota-492.xlsx --author kl-anne
  testrota attendance import --week 2020-W41 --municipality 350 Lejre-uge41.xlsx
  testrota attendance list --week 2020-W41`,
});

type Request = {
  readonly week: IsoWeek;
  readonly files: readonly string[];
  readonly municipality: number | undefined;
  readonly author: string;
};

function parseRequest(flags: Flags, env: NodeJS.ProcessEnv): Request {
  const problems: string[] = [];
  const week = weekFlag(flags, "week", problems);
  const files = flags[POSITIONALS];
  if (!Array.isArray(files) || files.length === 0) {
    problems.push("FILE: missing, expected at least one return (a .csv or the returned .xlsx)");
  }
  const code = stringFlag(flags, "municipality")?.trim();
  if (code !== undefined && !/^\d+$/.test(code)) {
    problems.push(`--municipality: got ${JSON.stringify(code)}, expected a municipality code like 350`);
  }
  const author = authorOf(flags, env, problems);
  if (problems.length > 0 || week === undefined) throw new UsageError(problems, usage);
  return {
    week,
    files: (files as readonly string[]).map(String),
    municipality: code === undefined ? undefined : Number(code),
    author,
  };
}

function describeCounts(c: AttendanceCounts): string {
  return `${c.rows} tests: ${c.taken} taken, ${c.declined} declined, ${c.absent} absent, ${c.blank} blank`;
}

function describeResult(app: App, r: ImportResult): string {
  const m = app.municipalities.find((x) => x.code === r.municipalityCode);
  const who = `${r.municipalityCode}${m === undefined ? "" : ` ${m.name}`}, test week ${formatIsoWeek(r.testWeek)}`;
  if (r.action === "unchanged") return `${who}: unchanged (the same content as the return on record)`;
  if (r.action === "imported") return `${who}: imported (${describeCounts(r.counts)})`;
  return (
    `${who}: replaced the earlier return (digest ${(r.previousDigest ?? "").slice(0, 12)} → ${r.digest.slice(0, 12)}; ` +
    `${r.previousCounts === null ? "?" : describeCounts(r.previousCounts)} → ${describeCounts(r.counts)})`
  );
}

function resultJson(r: ImportResult): Record<string, unknown> {
  return {
    municipalityCode: r.municipalityCode,
    testWeek: formatIsoWeek(r.testWeek),
    action: r.action,
    digest: r.digest,
    previousDigest: r.previousDigest,
    counts: r.counts,
    previousCounts: r.previousCounts,
  };
}

export const attendanceImportCommand: Command = {
  name: "attendance import",
  summary: "record returned attendance (workbook or CSV) of a test week; corrections replace, audited",
  usage,
  positionals: true,
  options: {
    week: { type: "string" },
    municipality: { type: "string" },
    author: { type: "string" },
    json: { type: "boolean" },
  },
  run(flags, ctx) {
    const request = parseRequest(flags, ctx.env);
    const json = flags.json === true;
    return withApp(this, flags, ctx, async (app) => {
      const weekText = formatIsoWeek(request.week);
      const planned = await app.store.loadPlannedTests(request.week);
      if (planned.length === 0) {
        throw new UsageError(
          [
            `--week: test week ${weekText} has no published rota in the store (it comes from the run of ${formatIsoWeek(addWeeks(request.week, -1))}), expected a test week testrota planned`,
          ],
          usage,
        );
      }
      const sink = createCollectingSink();
      const returns = await readReturnFiles(
        request.files,
        {
          testWeek: request.week,
          municipalities: app.municipalities,
          planned,
          municipalityCode: request.municipality,
        },
        sink,
      );
      for (const warning of sink.warnings) ctx.io.stderr(`testrota attendance import: warning: ${warning}\n`);
      if (sink.count() > 0) {
        const problems = sink.problems();
        if (json) printJson(ctx.io, { ok: false, testWeek: weekText, problemCount: sink.count(), problems });
        else {
          ctx.io.stderr(problems.map((p) => `${formatProblem(p)}\n`).join(""));
          ctx.io.stderr(
            `testrota attendance import: ${sink.count()} problem${sink.count() === 1 ? "" : "s"}; nothing imported\n`,
          );
        }
        return 65;
      }
      stopIfAborted(ctx.signal, this.name);
      const results = await app.store.importAttendance(returns, {
        author: request.author,
        at: new Date(app.clock()).toISOString(),
      });
      if (json) {
        printJson(ctx.io, {
          ok: true,
          testWeek: weekText,
          results: results.map(resultJson),
          warnings: sink.warnings,
        });
      } else {
        ctx.io.stdout(`${results.map((r) => describeResult(app, r)).join("\n")}\n`);
      }
      return 0;
    });
  },
};
