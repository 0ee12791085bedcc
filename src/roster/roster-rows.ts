import { DateTime } from "luxon";
import { z } from "zod";
import type { IsoDate } from "../domain/calendar.ts";
import type { Municipality } from "../domain/reference.ts";
import { SHIFTS } from "../domain/roster.ts";
import type { Shift, Site, StaffMember } from "../domain/roster.ts";
import { describeValue, MAX_ID_LENGTH, MAX_TEXT_LENGTH, quoteValue } from "./field-text.ts";
import { readInputTable } from "./input-file.ts";
import type { ProblemSink } from "./input-problems.ts";
import { createCellValidator, type CellValidator, type RowSpec } from "./validate-row.ts";

export const ROSTER_REQUIRED_COLUMNS = ["employee_id", "site_id", "shift"] as const;
export const ROSTER_OPTIONAL_COLUMNS = ["name", "start_date", "end_date"] as const;
type RosterColumn = (typeof ROSTER_REQUIRED_COLUMNS)[number] | (typeof ROSTER_OPTIONAL_COLUMNS)[number];

const ID_RULE = { maxLength: MAX_ID_LENGTH, id: true };

/** Each shift's name as one shared string (see `readRosterRows`). */
const SHIFT_NAMES: Readonly<Record<Shift, Shift>> = { day: "day", evening: "evening", night: "night" };

/**
 * Every column of a roster may hold staff data (an export whose header does not match its rows
 * puts names under `site_id`), so no roster value is ever quoted, only described.
 */
const ROSTER_ROW: RowSpec<RosterColumn> = {
  columns: [...ROSTER_REQUIRED_COLUMNS, ...ROSTER_OPTIONAL_COLUMNS],
  optional: new Set(ROSTER_OPTIONAL_COLUMNS),
  text: {
    employee_id: ID_RULE,
    name: { maxLength: MAX_TEXT_LENGTH },
    site_id: ID_RULE,
    shift: ID_RULE,
    start_date: ID_RULE,
    end_date: ID_RULE,
  },
  describe: (_column, value) => describeValue(value),
};

/**
 * Dates as HR systems write them: ISO `YYYY-MM-DD`, and the Danish `DD-MM-YYYY` and `DD.MM.YYYY`
 * that Excel writes in a Danish locale (day and month may have one digit). A four-digit year is
 * required so that no date is ambiguous.
 */
const DATE_FORMATS = [
  { pattern: /^\d{4}-\d{2}-\d{2}$/, format: "yyyy-MM-dd" },
  { pattern: /^\d{1,2}-\d{1,2}-\d{4}$/, format: "d-M-yyyy" },
  { pattern: /^\d{1,2}\.\d{1,2}\.\d{4}$/, format: "d.M.yyyy" },
] as const;

const DATE_EXPECTED = "a date YYYY-MM-DD (or DD-MM-YYYY / DD.MM.YYYY)";

/** The ISO date of a roster date, or undefined when it is no real date in an accepted format. */
export function parseRosterDate(text: string): IsoDate | undefined {
  const accepted = DATE_FORMATS.find((entry) => entry.pattern.test(text));
  if (accepted === undefined) return undefined;
  const date = DateTime.fromFormat(text, accepted.format, { zone: "UTC" });
  return date.isValid ? (date.toISODate() ?? undefined) : undefined;
}

function createRosterRowSchema() {
  // Many rows share a handful of dates: remember each verdict instead of re-parsing with luxon.
  const dates = new Map<string, IsoDate | undefined>();
  const toIsoDate = (text: string): IsoDate | undefined => {
    if (!dates.has(text)) dates.set(text, parseRosterDate(text));
    return dates.get(text);
  };
  const rosterDate = z
    .string()
    .refine((text) => toIsoDate(text) !== undefined, { error: DATE_EXPECTED })
    .transform((text) => toIsoDate(text) ?? text);
  return z.object({
    employee_id: z.string().min(1, { error: "a non-empty employee id" }),
    name: z.string().optional(),
    site_id: z.string().min(1, { error: "a non-empty site id" }),
    shift: z.enum(SHIFTS, { error: "day, evening or night" }),
    start_date: rosterDate.optional(),
    end_date: rosterDate.optional(),
  });
}

export type RosterRowSchema = ReturnType<typeof createRosterRowSchema>;
type RosterRow = z.output<RosterRowSchema>;

/** Columns whose values repeat over a national roster: their verdicts are remembered. */
const REPEATING_COLUMNS: ReadonlySet<RosterColumn> = new Set(["site_id", "shift", "start_date", "end_date"]);

/** What the rows of every roster file are checked against. */
export type RosterContext = {
  readonly sitesById: ReadonlyMap<string, Site>;
  readonly municipalityByCode: ReadonlyMap<number, Municipality>;
  readonly schema: RosterRowSchema;
  /** The schema and text rules applied cell by cell (see `createCellValidator`). */
  readonly cells: CellValidator<RosterColumn>;
  /** Known site ids by their lower-case form, to point out a site id in the wrong letter case. */
  readonly siteIdByLowerCase: ReadonlyMap<string, string>;
  /** The sites file had refused rows (`validate`): an unknown site may be one of them. */
  readonly sitesRefused: boolean;
};

export function createRosterContext(
  sites: readonly Site[],
  municipalities: readonly Municipality[],
  options: { readonly sitesRefused?: boolean } = {},
): RosterContext {
  const schema = createRosterRowSchema();
  return {
    sitesById: new Map(sites.map((site) => [site.id, site])),
    municipalityByCode: new Map(municipalities.map((m) => [m.code, m])),
    schema,
    cells: createCellValidator(ROSTER_ROW, schema, REPEATING_COLUMNS),
    siteIdByLowerCase: new Map(sites.map((site) => [site.id.toLowerCase(), site.id])),
    sitesRefused: options.sitesRefused ?? false,
  };
}

export function describeMunicipality(municipality: Municipality): string {
  return `${municipality.code} ${municipality.name}`;
}

function describeMunicipalityCode(context: RosterContext, code: number): string {
  const municipality = context.municipalityByCode.get(code);
  return municipality === undefined ? String(code) : describeMunicipality(municipality);
}

/** The problem with a row's site, or undefined when it is a site of the file's municipality. */
function checkSite(siteId: string, municipality: Municipality, context: RosterContext): string | undefined {
  const site = context.sitesById.get(siteId);
  if (site === undefined) {
    const sameButCase = context.siteIdByLowerCase.get(siteId.toLowerCase());
    const hint =
      sameButCase !== undefined
        ? ` (the known site ${quoteValue(sameButCase)} differs only in letter case)`
        : context.sitesRefused
          ? " (or its row in the sites file was refused)"
          : "";
    return `expected a site id listed in the sites file, found ${describeValue(siteId)} that is not a known site id${hint}`;
  }
  if (site.municipalityCode !== municipality.code) {
    // A known site id comes from the sites file, not from the roster: it may be quoted.
    return (
      `expected a site of municipality ${describeMunicipality(municipality)}, ` +
      `found the site ${quoteValue(site.id)} of municipality ${describeMunicipalityCode(context, site.municipalityCode)}`
    );
  }
  return undefined;
}

/** A site id's verdict in one file: its problem, else the sites file's own id string. */
type SiteVerdict = { readonly problem?: string | undefined; readonly id: string };

function siteVerdictOf(siteId: string, municipality: Municipality, context: RosterContext): SiteVerdict {
  const problem = checkSite(siteId, municipality, context);
  return problem === undefined
    ? { id: context.sitesById.get(siteId)?.id ?? siteId }
    : { problem, id: siteId };
}

/**
 * Checks the rows of one municipality's roster export and returns its valid staff; every problem
 * goes to `sink` with file, line and column. Each site must be a site of `municipality` in the
 * sites file, each employee id appears once per file, an end date is not before the start date.
 * Returns undefined when the file is no readable table. Messages never quote a roster value.
 */
export function readRosterRows(
  path: string,
  content: string | Buffer,
  municipality: Municipality,
  context: RosterContext,
  sink: ProblemSink,
): { staff: StaffMember[]; rows: number } | undefined {
  const table = readInputTable(
    path,
    content,
    { required: ROSTER_REQUIRED_COLUMNS, optional: ROSTER_OPTIONAL_COLUMNS },
    sink,
  );
  if (table === undefined) return undefined;
  const firstLineById = new Map<string, number>();
  // A file names each of its sites on many rows: one verdict per site id.
  const siteVerdicts = new Map<string, SiteVerdict>();
  const staff: StaffMember[] = [];
  for (const row of table.rows) {
    const cells = context.cells.validate(path, row.line, row.fields, table.columns, sink);
    if (cells === undefined) continue;
    const member = cells as RosterRow;
    let valid = true;
    let site = siteVerdicts.get(member.site_id);
    if (site === undefined) {
      site = siteVerdictOf(member.site_id, municipality, context);
      siteVerdicts.set(member.site_id, site);
    }
    if (site.problem !== undefined) {
      sink.report({ file: path, line: row.line, column: "site_id", message: site.problem });
      valid = false;
    }
    if (
      member.start_date !== undefined &&
      member.end_date !== undefined &&
      member.end_date < member.start_date
    ) {
      const message = `expected a date on or after start_date, found a date before it`;
      sink.report({ file: path, line: row.line, column: "end_date", message });
      valid = false;
    }
    // The id itself is not repeated in the message: employee ids never reach logs.
    const firstLine = firstLineById.get(member.employee_id);
    if (firstLine !== undefined) {
      const message = `expected each employee id once per file, found the id of line ${firstLine} again`;
      sink.report({ file: path, line: row.line, column: "employee_id", message });
      valid = false;
    } else {
      firstLineById.set(member.employee_id, row.line);
    }
    if (!valid) continue;
    staff.push({
      municipalityCode: municipality.code,
      employeeId: member.employee_id,
      name: member.name === undefined || member.name === "" ? undefined : member.name,
      // The sites file's own id and the shift constant, not the row's copies: a national roster
      // repeats a few thousand site ids and three shifts over a million rows (memory, see
      // docs/performance.md).
      siteId: site.id,
      shift: SHIFT_NAMES[member.shift],
      startDate: member.start_date,
      endDate: member.end_date,
    });
  }
  return { staff, rows: table.rows.length };
}
