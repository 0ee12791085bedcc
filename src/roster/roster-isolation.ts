import { relative } from "node:path";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { Municipality } from "../domain/reference.ts";
import type { IsolatedRoster, StaffMember } from "../domain/roster.ts";
import { formatProblem } from "./input-problems.ts";
import type { Roster } from "./read-roster.ts";
import { describeMunicipality } from "./roster-rows.ts";

/** Longest problem text kept in `summary.json` and the documents (messages quote ≤ 40 characters). */
const MAX_PROBLEM_LENGTH = 300;

/** A municipality's roster file as a run read it without a problem. */
export type GoodRosterFile = {
  readonly municipalityCode: number;
  /** SHA-256 of the file's bytes: an unchanged file is not stored again. */
  readonly sha256: string;
  /** The parsed rows (each with `municipalityCode` of this municipality). */
  readonly staff: readonly StaffMember[];
};

/** The last good roster of one municipality, kept for a week its file is missing or bad. */
export type StoredRoster = {
  readonly municipalityCode: number;
  /** The latest classification week whose committed run read this file. */
  readonly week: IsoWeek;
  readonly sha256: string;
  readonly staff: StaffMember[];
};

/** Looks up a municipality's last good roster (the state store's, see store/good-rosters.ts). */
export type LastGoodRoster = (municipalityCode: number) => Promise<StoredRoster | undefined>;

export type RosterIsolation = {
  /** Every municipality's staff in reference order: from its file, or from its last good roster. */
  readonly staff: StaffMember[];
  readonly isolated: IsolatedRoster[];
  /** The files read without a problem, to keep as last good rosters when the week commits. */
  readonly goodRosters: GoodRosterFile[];
  /** One line per isolated municipality, for the run's log (no staff data). */
  readonly warnings: string[];
  /** What the run was decided from besides the good files (for the input digest). */
  readonly digestParts: string[];
};

/** An entry of `summary.json`'s `inputs.isolated`: code, problem and what the run used instead. */
export function summariseIsolation(isolated: IsolatedRoster): {
  code: number;
  problem: string;
  using: string;
} {
  return {
    code: isolated.municipalityCode,
    problem: isolated.problem,
    using: isolated.lastGoodWeek === null ? "none" : `last good roster of ${isolated.lastGoodWeek}`,
  };
}

function oneLine(text: string): string {
  const line = text.replace(/[\r\n]+/g, " ");
  return line.length <= MAX_PROBLEM_LENGTH ? line : `${line.slice(0, MAX_PROBLEM_LENGTH - 1)}…`;
}

/**
 * Roster isolation: a missing or bad roster file never stops the other municipalities. Each
 * municipality in `roster.failed` is set aside as a whole (a file with one bad row is not half
 * used) and planned from its last good roster, or gets no rota when none is stored; the rest are
 * planned from their files. Staff keep the reference order of municipalities whichever source they
 * come from, so the other municipalities' plans are the same as with every file good.
 */
export async function isolateRosters(
  roster: Roster,
  settings: { readonly dir: string; readonly municipalities: readonly Municipality[] },
  lastGood: LastGoodRoster | undefined,
): Promise<RosterIsolation> {
  const failedByCode = new Map(roster.failed.map((failure) => [failure.municipality.code, failure]));
  const staffByCode = new Map<number, StaffMember[]>();
  for (const member of roster.staff) {
    if (failedByCode.has(member.municipalityCode)) continue;
    const list = staffByCode.get(member.municipalityCode);
    if (list === undefined) staffByCode.set(member.municipalityCode, [member]);
    else list.push(member);
  }
  const goodRosters = roster.files
    .filter((file) => !failedByCode.has(file.municipalityCode))
    .map((file) => ({
      municipalityCode: file.municipalityCode,
      sha256: file.sha256,
      staff: staffByCode.get(file.municipalityCode) ?? [],
    }));

  const isolated: IsolatedRoster[] = [];
  const warnings: string[] = [];
  const digestParts: string[] = [];
  for (const failure of roster.failed) {
    const code = failure.municipality.code;
    const stored = await lastGood?.(code);
    if (stored !== undefined) staffByCode.set(code, stored.staff);
    const entry: IsolatedRoster = {
      municipalityCode: code,
      problem: oneLine(formatProblem({ ...failure.problem, file: relative(settings.dir, failure.path) })),
      lastGoodWeek: stored === undefined ? null : formatIsoWeek(stored.week),
    };
    isolated.push(entry);
    digestParts.push(`isolated ${code} ${stored?.sha256 ?? "none"}`);
    warnings.push(
      `roster of ${describeMunicipality(failure.municipality)} set aside (${entry.problem}); ` +
        (stored === undefined
          ? "no last good roster is stored: the municipality gets no rota this week"
          : `planned from its last good roster of ${entry.lastGoodWeek ?? ""}`),
    );
  }

  const staff: StaffMember[] = [];
  for (const municipality of settings.municipalities) {
    // No spread: a large municipality's staff would exceed the argument limit.
    for (const member of staffByCode.get(municipality.code) ?? []) staff.push(member);
  }
  return { staff, isolated, goodRosters, warnings, digestParts };
}
