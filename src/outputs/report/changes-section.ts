import type { CadenceEvent } from "../../domain/cadence.ts";
import type { Classification, Override } from "../../domain/classify.ts";
import { compareText } from "../compare-text.ts";
import { escapeHtml, formatNumber, formatWeek } from "./format.ts";
import type { ReportLanguage } from "./report-types.ts";
import { commonTexts, say } from "./texts.ts";

export type ChangesInput = {
  readonly classifications: readonly Classification[];
  readonly previousClassifications: readonly Classification[];
  readonly cadenceEvents: ReadonlyMap<number, CadenceEvent>;
  readonly overrides: ReadonlyMap<string, Override>;
  readonly language: ReportLanguage;
};

/** The cadence events the report lists, in the order of the red flow. */
const LISTED_EVENTS: readonly CadenceEvent[] = ["flow-started", "week-1-next", "retest-next", "flow-ended"];

function byName(a: Classification, b: Classification): number {
  return compareText(a.name, b.name) || a.code - b.code;
}

function renderGroup(
  level: "h3" | "h4",
  heading: string,
  items: readonly string[],
  language: ReportLanguage,
): string {
  const body =
    items.length === 0
      ? `<p class="muted">${escapeHtml(commonTexts(language).none)}</p>`
      : `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`;
  return `<div><${level}>${escapeHtml(heading)} <span class="muted">(${formatNumber(items.length, language)})</span></${level}>${body}</div>`;
}

function renderOverrides(input: ChangesInput): string {
  const { language } = input;
  const texts = commonTexts(language);
  const rows = input.classifications
    .filter((c) => c.overrideId !== null)
    .sort(byName)
    .map((c) => {
      const override = input.overrides.get(c.overrideId ?? "");
      const action = override === undefined ? (c.overrideId ?? "") : texts.overrideAction[override.action];
      const weeks =
        override === undefined ? "–" : `${formatWeek(override.from)} – ${formatWeek(override.to)}`;
      const sites =
        c.limitToSites === null ? "" : ` (${say(language, "steder", "sites")}: ${c.limitToSites.join(", ")})`;
      return (
        `<tr><th scope="row">${escapeHtml(c.name)}</th><td>${escapeHtml(action + sites)}</td><td>${escapeHtml(weeks)}</td>` +
        `<td>${escapeHtml(texts.status[c.rawStatus])} → ${escapeHtml(texts.status[c.status])}</td><td>${escapeHtml(override?.reason ?? "")}</td></tr>`
      );
    });
  const heading = `<h3>${escapeHtml(say(language, "STPS-afgørelser i kraft", "STPS decisions in force"))} <span class="muted">(${formatNumber(rows.length, language)})</span></h3>`;
  if (rows.length === 0) return `${heading}<p class="muted">${escapeHtml(texts.none)}</p>`;
  const head = [
    texts.municipality,
    say(language, "Afgørelse", "Decision"),
    say(language, "Uger", "Weeks"),
    say(language, "Rå → gældende status", "Raw → effective status"),
    say(language, "Begrundelse", "Reason"),
  ];
  return (
    heading +
    `<table><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`
  );
}

/**
 * What changed since last week: municipalities that turned red or went back to green (effective
 * status against last week's), the red-flow events of this week's run (flows started, week-1 tests,
 * checks that found a municipality still red or green again) and the STPS decisions in force.
 */
export function renderChanges(input: ChangesInput): string {
  const { language } = input;
  const texts = commonTexts(language);
  const previous = new Map(input.previousClassifications.map((c) => [c.code, c]));
  const incidence = (c: Classification | undefined) =>
    c === undefined ? "–" : formatNumber(c.incidence, language, 2);
  const moved = (from: "red" | "green", to: "red" | "green") =>
    input.classifications
      .filter((c) => c.status === to && previous.get(c.code)?.status === from)
      .sort(byName)
      .map((c) => `${c.name} (${incidence(previous.get(c.code))} → ${incidence(c)})`);
  const statusPart =
    previous.size === 0
      ? `<p>${escapeHtml(say(language, "Sidste uges klassifikation findes ikke i historikken, så skift i status kan ikke vises.", "Last week's classification is not in the history, so status changes cannot be shown."))}</p>`
      : `<div class="changes">${renderGroup("h3", say(language, "Skiftet til rød", "Turned red"), moved("green", "red"), language)}${renderGroup("h3", say(language, "Tilbage til grøn", "Back to green"), moved("red", "green"), language)}</div>`;
  const names = new Map(input.classifications.map((c) => [c.code, c]));
  const eventGroups = LISTED_EVENTS.map((event) => {
    const items = [...input.cadenceEvents]
      .filter(([, e]) => e === event)
      .flatMap(([code]) => {
        const c = names.get(code);
        return c === undefined ? [] : [c];
      })
      .sort(byName)
      .map((c) => c.name);
    return renderGroup("h4", texts.event[event], items, language);
  });
  return (
    `<p>${escapeHtml(say(language, "Status og incidens sidste uge → denne uge.", "Status and incidence last week → this week."))}</p>` +
    statusPart +
    `<h3>${escapeHtml(say(language, "Røde forløb i denne uges kørsel", "Red flows in this week's run"))}</h3>` +
    `<div class="changes">${eventGroups.join("")}</div>` +
    renderOverrides(input)
  );
}
