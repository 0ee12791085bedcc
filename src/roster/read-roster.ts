import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { isIsoDate } from "../domain/calendar.ts";
import type { Municipality } from "../domain/reference.ts";
import { SHIFTS } from "../domain/roster.ts";
import type { Site, StaffMember } from "../domain/roster.ts";
import { ConfigError, InputError } from "../errors.ts";
import { parseCsvTable } from "../lib/csv-table.ts";
import type { CsvTable } from "../lib/csv-table.ts";

const REQUIRED_COLUMNS = ["employee_id", "site_id", "shift"] as const;
const OPTIONAL_COLUMNS = ["name", "start_date", "end_date"] as const;
type RosterColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Placeholder in the configured file name pattern, e.g. `{code}.csv` → `101.csv`. */
const CODE_PLACEHOLDER = "{code}";

export type RosterSettings = {
  readonly dir: string;
  /** File name per municipality; `{code}` is replaced by the municipality code. */
  readonly pattern: string;
  readonly municipalities: readonly Municipality[];
  readonly sites: readonly Site[];
};

export type RosterFile = {
  readonly municipalityCode: number;
  readonly path: string;
  readonly sha256: string;
  readonly rows: number;
};

export type Roster = {
  readonly staff: StaffMember[];
  readonly files: RosterFile[];
};

function createRosterRowSchema() {
  // Many rows share a handful of dates: remember each verdict instead of re-parsing with luxon.
  const dateVerdicts = new Map<string, boolean>();
  const isDate = (text: string): boolean => {
    let verdict = dateVerdicts.get(text);
    if (verdict === undefined) {
      verdict = isIsoDate(text);
      dateVerdicts.set(text, verdict);
    }
    return verdict;
  };
  const isoDate = z.string().refine(isDate, { error: "a date YYYY-MM-DD" });
  return z
    .object({
      employee_id: z.string().min(1, { error: "a non-empty employee id" }),
      name: z.string().optional(),
      site_id: z.string().min(1, { error: "a non-empty site id" }),
      shift: z.enum(SHIFTS, { error: "day, evening or night" }),
      start_date: isoDate.optional(),
      end_date: isoDate.optional(),
    })
    .refine(
      (row) => row.start_date === undefined || row.end_date === undefined || row.end_date >= row.start_date,
      {
        path: ["end_date"],
        error: (issue) =>
          `a date on or after start_date ${(issue.input as { start_date?: string }).start_date ?? ""}`,
      },
    );
}

/** The roster file of one municipality, e.g. `<dir>/101.csv` for pattern `{code}.csv`. */
export function rosterPathFor(settings: Pick<RosterSettings, "dir" | "pattern">, code: number): string {
  return join(settings.dir, settings.pattern.replaceAll(CODE_PLACEHOLDER, String(code)));
}

function describeMunicipality(municipality: Municipality): string {
  return `${municipality.code} ${municipality.name}`;
}

type LoadedFile = { municipality: Municipality; path: string; content: Buffer };

async function loadRosterFiles(settings: RosterSettings): Promise<LoadedFile[]> {
  const loaded: LoadedFile[] = [];
  const missing: { municipality: Municipality; path: string; error: unknown }[] = [];
  await Promise.all(
    settings.municipalities.map(async (municipality, index) => {
      const path = rosterPathFor(settings, municipality.code);
      try {
        loaded[index] = { municipality, path, content: await readFile(path) };
      } catch (error) {
        missing[index] = { municipality, path, error };
      }
    }),
  );
  const failed = missing.filter((entry) => entry !== undefined);
  const first = failed[0];
  if (first !== undefined) {
    const others = failed.length > 1 ? ` (and ${failed.length - 1} other municipalities)` : "";
    throw new InputError(
      { file: first.path },
      `roster file missing or unreadable for municipality ${describeMunicipality(first.municipality)}${others}, ` +
        `expected one CSV per municipality named by the pattern ${settings.pattern}`,
      { cause: first.error },
    );
  }
  return loaded;
}

function readStaffRows(
  file: LoadedFile,
  table: CsvTable,
  sitesById: ReadonlyMap<string, Site>,
  schema: ReturnType<typeof createRosterRowSchema>,
  staff: StaffMember[],
): void {
  const { path, municipality } = file;
  const at = (column: RosterColumn): number | undefined => table.columns.get(column);
  const [employeeId, name, siteId, shift, startDate, endDate] = [
    at("employee_id"),
    at("name"),
    at("site_id"),
    at("shift"),
    at("start_date"),
    at("end_date"),
  ];
  const firstLineById = new Map<string, number>();

  for (const row of table.rows) {
    const { fields } = row;
    const cell = (position: number | undefined) => (position === undefined ? undefined : fields[position]);
    // Optional columns may be absent or empty; both mean "not given".
    const optional = (position: number | undefined) => cell(position) || undefined;
    const raw: Partial<Record<RosterColumn, string>> = {
      employee_id: cell(employeeId),
      name: optional(name),
      site_id: cell(siteId),
      shift: cell(shift),
      start_date: optional(startDate),
      end_date: optional(endDate),
    };
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = String(issue?.path[0] ?? "row") as RosterColumn;
      throw new InputError(
        { file: path, line: row.line },
        `${field}: got ${JSON.stringify(raw[field] ?? "")}, expected ${issue?.message ?? "a valid roster row"}`,
      );
    }
    const member = result.data;
    const site = sitesById.get(member.site_id);
    if (site === undefined) {
      throw new InputError(
        { file: path, line: row.line },
        `site_id: got ${JSON.stringify(member.site_id)}, expected a site id listed in the sites file`,
      );
    }
    if (site.municipalityCode !== municipality.code) {
      throw new InputError(
        { file: path, line: row.line },
        `site_id: got ${JSON.stringify(member.site_id)} of municipality ${site.municipalityCode}, ` +
          `expected a site of municipality ${describeMunicipality(municipality)}`,
      );
    }
    // The id itself is not repeated in the message: employee ids never reach logs.
    const firstLine = firstLineById.get(member.employee_id);
    if (firstLine !== undefined) {
      throw new InputError(
        { file: path, line: row.line },
        `employee_id: got the id of line ${firstLine} again, expected each employee id once per file`,
      );
    }
    firstLineById.set(member.employee_id, row.line);
    staff.push({
      employeeId: member.employee_id,
      name: member.name === undefined || member.name === "" ? undefined : member.name,
      siteId: member.site_id,
      shift: member.shift,
      startDate: member.start_date,
      endDate: member.end_date,
    });
  }
}

/**
 * Reads one roster CSV per municipality, as exported by its HR system:
 * `employee_id;name;site_id;shift;start_date;end_date` (`name` and the dates optional, unknown
 * columns ignored, header names case-insensitive). Each site must belong to the file's
 * municipality; an employee id appears once per file (the same person may work in two
 * municipalities). The first problem becomes an `InputError` with file and line; rows are never
 * logged or quoted beyond the offending field.
 */
export async function readRoster(settings: RosterSettings): Promise<Roster> {
  if (!settings.pattern.includes(CODE_PLACEHOLDER)) {
    throw new ConfigError([
      `roster.pattern: got ${JSON.stringify(settings.pattern)}, expected a file name containing ${CODE_PLACEHOLDER}`,
    ]);
  }
  const loaded = await loadRosterFiles(settings);
  const sitesById = new Map(settings.sites.map((site) => [site.id, site]));
  const schema = createRosterRowSchema();
  const staff: StaffMember[] = [];
  const files: RosterFile[] = [];

  for (const file of loaded) {
    const table = parseCsvTable(file.path, file.content, {
      required: REQUIRED_COLUMNS,
      optional: OPTIONAL_COLUMNS,
    });
    readStaffRows(file, table, sitesById, schema, staff);
    files.push({
      municipalityCode: file.municipality.code,
      path: file.path,
      sha256: createHash("sha256").update(file.content).digest("hex"),
      rows: table.rows.length,
    });
  }
  return { staff, files };
}
