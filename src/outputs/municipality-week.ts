import type { AssembledWeek } from "../domain/assemble-week.ts";
import {
  addWeeks,
  classificationDate,
  dateInWeek,
  formatIsoWeek,
  weeksBetween,
  type DateWindow,
  type IsoDate,
  type IsoWeek,
} from "../domain/calendar.ts";
import type { Status } from "../domain/classify.ts";
import type { Municipality } from "../domain/reference.ts";
import { formatDate, formatDecimal, type DocumentLabels } from "./document-labels.ts";

/** The weeks a published folder is about: classified in one, the rota is for the next. */
export type WeekFrame = {
  /** `2020-W40`: the week whose Wednesday classified (the folder's name). */
  readonly classificationWeek: string;
  readonly classificationDate: IsoDate;
  /** `2020-W41`: the week the rota is for. */
  readonly testWeek: string;
  readonly testWeekNumber: number;
  /** Monday … Sunday of the test week. */
  readonly testDates: readonly IsoDate[];
};

/** Where a municipality stands in the national model for the test week. */
export type FlowFacts =
  | { readonly kind: "green"; readonly endedAtCheck: boolean }
  | {
      readonly kind: "red-flow";
      /** Week of the red flow the test week is (0 = planning, 1 = all tested, 2 = check, 3 = retest …). */
      readonly flowWeek: number;
      readonly limitToSites: readonly string[] | null;
    };

/** Plain facts of one municipality's week, enough to explain its documents (no staff data). */
export type MunicipalityFacts = {
  readonly code: number;
  readonly name: string;
  readonly status: Status;
  readonly rawStatus: Status;
  readonly incidence: number;
  readonly window: DateWindow;
  readonly overrideId: string | null;
  readonly flow: FlowFacts;
  /** Staff on the municipality's roster (active or not): 0 means no roster rows at all. */
  readonly staffCount: number;
  /** Tests of this municipality deferred for lack of lab capacity. */
  readonly deferred: number;
  readonly tests: number;
  /** Set when this week's roster file was set aside (roster isolation); absent otherwise. */
  readonly roster?: RosterNote | undefined;
};

/** Why the municipality's roster file was set aside and what the rota is planned from. */
export type RosterNote = {
  /** One line naming file, line and column, without staff data. */
  readonly problem: string;
  /** The week of the last good roster the rota is planned from; null: none, so no rota. */
  readonly lastGoodWeek: string | null;
};

/** The frame of the week `assembled` was classified in. */
export function buildWeekFrame(assembled: AssembledWeek): WeekFrame {
  const testWeek: IsoWeek = assembled.testWeek;
  return {
    classificationWeek: formatIsoWeek(assembled.week),
    classificationDate: classificationDate(assembled.week),
    testWeek: formatIsoWeek(testWeek),
    testWeekNumber: testWeek.week,
    testDates: ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => dateInWeek(testWeek, weekday)),
  };
}

/**
 * The facts of every municipality of the week, keyed by code. `staffByMunicipality` counts roster
 * rows per municipality; `testsByMunicipality` the planned tests; `rosterNotes` the municipalities
 * whose roster file was set aside.
 */
export function buildMunicipalityFacts(
  assembled: AssembledWeek,
  municipalities: readonly Municipality[],
  staffByMunicipality: ReadonlyMap<number, number>,
  testsByMunicipality: ReadonlyMap<number, number>,
  rosterNotes: ReadonlyMap<number, RosterNote> = new Map(),
): Map<number, MunicipalityFacts> {
  const deferred = new Map<number, number>();
  for (const report of assembled.plan.deferrals) {
    deferred.set(report.municipalityCode, (deferred.get(report.municipalityCode) ?? 0) + report.count);
  }
  const classifications = new Map(assembled.classifications.map((c) => [c.code, c]));
  const facts = new Map<number, MunicipalityFacts>();
  for (const municipality of municipalities) {
    const c = classifications.get(municipality.code);
    if (c === undefined) continue;
    const state = assembled.cadence.get(municipality.code);
    const flow: FlowFacts =
      state?.phase === "red-flow"
        ? {
            kind: "red-flow",
            flowWeek: weeksBetween(state.flowStart, assembled.week),
            limitToSites: state.limitToSites,
          }
        : { kind: "green", endedAtCheck: assembled.events.get(municipality.code) === "flow-ended" };
    const roster = rosterNotes.get(municipality.code);
    facts.set(municipality.code, {
      code: municipality.code,
      name: municipality.name,
      status: c.status,
      rawStatus: c.rawStatus,
      incidence: c.incidence,
      window: c.window,
      overrideId: c.overrideId,
      flow,
      staffCount: staffByMunicipality.get(municipality.code) ?? 0,
      deferred: deferred.get(municipality.code) ?? 0,
      tests: testsByMunicipality.get(municipality.code) ?? 0,
      ...(roster === undefined
        ? {}
        : { roster: { problem: roster.problem, lastGoodWeek: roster.lastGoodWeek } }),
    });
  }
  return facts;
}

/** `uge 41 (05-10-2020 – 11-10-2020)`: the test week with its Monday and Sunday. */
export function describeTestWeek(frame: WeekFrame, labels: DocumentLabels): string {
  const monday = formatDate(frame.testDates[0] ?? "", labels);
  const sunday = formatDate(frame.testDates[6] ?? "", labels);
  const word = labels.language === "da" ? "uge" : "week";
  return `${word} ${frame.testWeekNumber}, ${frame.testWeek.slice(0, 4)} (${monday} – ${sunday})`;
}

/** `rød, 45,3 pr. 100.000 (22-09-2020 – 28-09-2020)`: status and incidence of the classification. */
export function describeStatus(facts: MunicipalityFacts, labels: DocumentLabels): string {
  const window = `${formatDate(facts.window.start, labels)} – ${formatDate(facts.window.end, labels)}`;
  const incidence = formatDecimal(facts.incidence, labels);
  const override =
    facts.overrideId === null
      ? ""
      : labels.language === "da"
        ? `; afgørelse fra Styrelsen for Patientsikkerhed: ${facts.overrideId} (beregnet: ${labels.status[facts.rawStatus]})`
        : `; decision by the Danish Patient Safety Authority: ${facts.overrideId} (computed: ${labels.status[facts.rawStatus]})`;
  return labels.language === "da"
    ? `${labels.status[facts.status]}: ${incidence} nye tilfælde pr. 100.000 indbyggere på 7 dage (${window})${override}`
    : `${labels.status[facts.status]}: ${incidence} new cases per 100,000 inhabitants in 7 days (${window})${override}`;
}

function weekNumberAfter(frame: WeekFrame, weeks: number): number {
  const [year, week] = frame.testWeek.split("-W").map(Number);
  return addWeeks({ year: year ?? 0, week: week ?? 0 }, weeks).week;
}

/** True when the red flow puts red tests (week 1 or a retest) into the test week. */
export function redTestsDue(flow: FlowFacts): boolean {
  return flow.kind === "red-flow" && (flow.flowWeek === 1 || (flow.flowWeek >= 3 && flow.flowWeek % 2 === 1));
}

/** Where the municipality stands in the national model this test week, in one or two sentences. */
export function describeFlow(facts: MunicipalityFacts, frame: WeekFrame, labels: DocumentLabels): string {
  const da = labels.language === "da";
  const flow = facts.flow;
  const check = formatDate(frame.classificationDate, labels);
  if (flow.kind === "green") {
    if (flow.endedAtCheck) {
      return da
        ? `Det røde forløb er slut: kommunen var grøn ved kontrollen onsdag ${check}. Medarbejderne testes igen hver 6. uge på deres faste plads i cyklussen.`
        : `The red flow has ended: the municipality was green at the check on Wednesday ${check}. Staff are again tested every 6 weeks on their fixed cycle slot.`;
    }
    return da
      ? "Grøn: medarbejderne testes hver 6. uge på deres faste plads i 6-ugers-cyklussen."
      : "Green: staff are tested every 6 weeks on their fixed slot in the 6-week cycle.";
  }
  const limited =
    flow.limitToSites === null
      ? ""
      : da
        ? ` Kun de udpegede arbejdssteder er med i det røde forløb: ${flow.limitToSites.join(", ")}.`
        : ` Only the named sites are in the red flow: ${flow.limitToSites.join(", ")}.`;
  const n = flow.flowWeek;
  if (n === 0) {
    return da
      ? `Rød fra klassifikationen onsdag ${check} (uge ${frame.classificationWeek.slice(6)}, "uge −1" i det røde forløb). Testugen er "uge 0": planlægning. Alle medarbejdere testes i uge ${weekNumberAfter(frame, 1)} ("uge 1").${limited}`
      : `Red from the classification on Wednesday ${check} (week ${frame.classificationWeek.slice(6)}, "week −1" of the red flow). The test week is "week 0": planning. Every staff member is tested in week ${weekNumberAfter(frame, 1)} ("week 1").${limited}`;
  }
  if (n === 1) {
    return da
      ? `Rødt forløb, "uge 1": alle medarbejdere testes i denne testuge.${limited}`
      : `Red flow, "week 1": every staff member is tested in this test week.${limited}`;
  }
  if (n % 2 === 1) {
    return da
      ? `Rødt forløb, "uge ${n}": kommunen var stadig rød ved kontrollen onsdag ${check}, så alle medarbejdere gentestes i denne testuge.${limited}`
      : `Red flow, "week ${n}": the municipality was still red at the check on Wednesday ${check}, so every staff member is retested in this test week.${limited}`;
  }
  const nextCheck = formatDate(frame.testDates[2] ?? "", labels);
  return da
    ? `Rødt forløb, "uge ${n}": ingen gentest i denne uge. Kommunen kontrolleres igen onsdag ${nextCheck}; er den stadig rød, gentestes alle i uge ${weekNumberAfter(frame, 1)}.${limited}`
    : `Red flow, "week ${n}": no retest this week. The municipality is checked again on Wednesday ${nextCheck}; if still red, everyone is retested in week ${weekNumberAfter(frame, 1)}.${limited}`;
}

/**
 * Why nobody is tested this week, as sentences for the workbook's cover: no staff on the roster;
 * otherwise where the red flow stands, that no cycle slot falls in the week, and tests deferred for
 * lack of lab capacity. Empty when there are tests.
 */
export function explainNoTests(facts: MunicipalityFacts, frame: WeekFrame, labels: DocumentLabels): string[] {
  if (facts.tests > 0) return [];
  const da = labels.language === "da";
  if (facts.staffCount === 0 && facts.roster !== undefined) {
    return [
      da
        ? `Ingen test i denne uge: kommunens personaleliste (roster) kunne ikke bruges (${facts.roster.problem}), og der er ingen tidligere gyldig liste at planlægge efter. Ret filen; næste kørsel planlægger efter den.`
        : `No tests this week: the municipality's roster file could not be used (${facts.roster.problem}) and no earlier good roster is stored to plan from. Fix the file; the next run plans from it.`,
    ];
  }
  if (facts.staffCount === 0) {
    return [
      da
        ? "Ingen test i denne uge: kommunen har ingen medarbejdere på personalelisten (roster)."
        : "No tests this week: the municipality has no staff on the roster.",
    ];
  }
  const sentences = [
    da ? "Ingen test i denne uge." : "No tests this week.",
    describeFlow(facts, frame, labels),
  ];
  if (redTestsDue(facts.flow)) {
    sentences.push(
      da
        ? "Ingen af de medarbejdere, det røde forløb omfatter, er ansat på testdagene."
        : "None of the staff the red flow covers is employed on the test days.",
    );
  } else {
    sentences.push(
      da
        ? `Ingen medarbejders faste plads i 6-ugers-cyklussen falder i uge ${frame.testWeekNumber}.`
        : `No staff member's fixed slot in the 6-week cycle falls in week ${frame.testWeekNumber}.`,
    );
  }
  if (facts.deferred > 0) {
    sentences.push(
      da
        ? `${facts.deferred} test er udskudt, fordi laboratoriekapaciteten ikke slog til; de planlægges først i næste uge.`
        : `${facts.deferred} tests were deferred for lack of lab capacity; they are planned first next week.`,
    );
  }
  return sentences;
}

/**
 * Where the rota's staff came from when this week's roster file was set aside: the last good
 * roster of an earlier week, with the problem to fix. Undefined when the file was used (or when
 * there is no rota at all: `explainNoTests` says so).
 */
export function describeRosterNote(facts: MunicipalityFacts, labels: DocumentLabels): string | undefined {
  const note = facts.roster;
  if (note === undefined || note.lastGoodWeek === null) return undefined;
  return labels.language === "da"
    ? `Denne uges personaleliste (roster) kunne ikke bruges (${note.problem}); rotaen er planlagt efter den seneste gyldige liste fra kørslen i ${note.lastGoodWeek}. Ret filen; næste kørsel planlægger efter den.`
    : `This week's roster file could not be used (${note.problem}); the rota is planned from the last good roster, read by the run of ${note.lastGoodWeek}. Fix the file; the next run plans from it.`;
}
