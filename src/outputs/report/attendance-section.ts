import type { AttendanceReport } from "../../domain/attendance-report.ts";
import { compareText } from "../compare-text.ts";
import { escapeHtml, formatDate, formatNumber, formatPercent, formatWeek } from "./format.ts";
import type { ReportLanguage } from "./report-types.ts";
import { commonTexts, say } from "./texts.ts";

function figure(value: string, label: string): string {
  return `<li><span class="value">${escapeHtml(value)}</span><span class="label">${escapeHtml(label)}</span></li>`;
}

function share(part: number, whole: number, language: ReportLanguage): string {
  return whole > 0 ? formatPercent(part / whole, language) : "–";
}

/**
 * The weekly report's attendance section (counts only, no names or employee ids): what came back
 * for the test week whose returns were due by this run (taken, declined, absent, not reported),
 * the owed tests the rota carries forward, and staff past 6 weeks since their last taken test —
 * those who declined apart — in all and per municipality returning attendance.
 */
export function renderAttendanceSection(
  report: AttendanceReport,
  names: ReadonlyMap<number, string>,
  language: ReportLanguage,
): string {
  const n = (value: number) => formatNumber(value, language);
  const texts = commonTexts(language);
  const { uptake, owed, gap } = report;
  const total = uptake.total;
  const carried = owed.makeUp + owed.covered + owed.deferred;
  const week = formatWeek(report.settledWeek);
  const figures =
    `<ul class="figures">` +
    figure(
      share(total.taken, total.planned, language),
      say(language, `test taget i ${week}`, `tests taken in ${week}`),
    ) +
    figure(n(total.declined), say(language, "afslået", "declined")) +
    figure(n(total.absent), say(language, "fraværende", "absent")) +
    figure(n(total.notReported), say(language, "ikke meldt tilbage", "not reported")) +
    figure(
      n(carried),
      say(language, "skyldige test planlagt eller udskudt", "owed tests planned or deferred"),
    ) +
    figure(
      n(gap.over6Weeks - gap.declined),
      say(
        language,
        "over 6 uger siden sidste test (+ afslag)",
        "past 6 weeks since the last test (+ declined)",
      ),
    ) +
    `</ul>`;
  const lead = say(
    language,
    `Udfald for testuge ${week}, som skulle være meldt tilbage inden denne kørsel (${report.trackedMunicipalities} kommuner melder tilbage). Manglende test (fraværende eller ikke meldt) genplanlægges tidligt i næste testuge; afslåede test tilbydes igen ved næste faste testdag. Tid siden sidste tagne test er opgjort ${formatDate(report.asOf, language)}: ${n(gap.declined)} har afslået, og ${n(gap.over6Weeks - gap.declined)} venter på en ny test.`,
    `Outcomes of test week ${week}, due back by this run (${report.trackedMunicipalities} municipalities returning attendance). Missed tests (absent or not reported) are made up early in the next test week; declined tests are offered again at the next cycle slot. Time since the last taken test as of ${formatDate(report.asOf, language)}: ${n(gap.declined)} declined, ${n(gap.over6Weeks - gap.declined)} are waiting for a new test.`,
  );
  const owedByCode = new Map(owed.municipalities.map((m) => [m.municipalityCode, m]));
  const gapByCode = new Map(gap.municipalities.map((m) => [m.municipalityCode, m]));
  const nameOf = (code: number) => names.get(code) ?? String(code);
  const rows = [...uptake.municipalities]
    .sort(
      (a, b) =>
        compareText(nameOf(a.municipalityCode), nameOf(b.municipalityCode)) ||
        a.municipalityCode - b.municipalityCode,
    )
    .map((m) => {
      const o = owedByCode.get(m.municipalityCode);
      const g = gapByCode.get(m.municipalityCode);
      const cells = [
        n(m.planned),
        share(m.taken, m.planned, language),
        n(m.declined),
        n(m.absent),
        m.returned ? n(m.notReported) : `${n(m.notReported)} ${say(language, "(intet svar)", "(no return)")}`,
        n(o === undefined ? 0 : o.makeUp + o.covered + o.deferred),
        n(g === undefined ? 0 : g.over6Weeks - g.declined),
        n(g?.declined ?? 0),
      ];
      return `<tr><th scope="row">${escapeHtml(nameOf(m.municipalityCode))}</th>${cells.map((c) => `<td class="num">${escapeHtml(c)}</td>`).join("")}</tr>`;
    });
  const head = [
    texts.municipality,
    say(language, "Planlagt", "Planned"),
    say(language, "Taget", "Taken"),
    say(language, "Afslået", "Declined"),
    say(language, "Fraværende", "Absent"),
    say(language, "Ikke meldt", "Not reported"),
    say(language, "Skyldige", "Owed"),
    say(language, "Over 6 uger", "Past 6 weeks"),
    say(language, "Heraf afslag", "Declined, past 6 weeks"),
  ];
  const table =
    rows.length === 0
      ? `<p class="muted">${escapeHtml(texts.none)}</p>`
      : `<details id="attendance-table"><summary>${escapeHtml(say(language, "Pr. kommune", "Per municipality"))}</summary>` +
        `<table><caption>${escapeHtml(say(language, `Fremmøde i ${week} pr. kommune`, `Attendance in ${week} per municipality`))}</caption>` +
        `<thead><tr>${head.map((h, i) => `<th scope="col"${i > 0 ? ' class="num"' : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
        `<tbody>${rows.join("")}</tbody></table></details>`;
  return `${figures}<p>${escapeHtml(lead)}</p>${table}`;
}
