import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Municipality } from "../domain/reference.ts";
import type { Site, StaffMember } from "../domain/roster.ts";
import { ConfigError } from "../errors.ts";
import { decodeInputContent, describeReadFailure } from "./input-file.ts";
import { createThrowingSink, type InputProblem, type ProblemSink } from "./input-problems.ts";
import { createRosterContext, describeMunicipality, readRosterRows } from "./roster-rows.ts";

/** Placeholder in the configured file name pattern, e.g. `{code}.csv` → `101.csv`. */
export const CODE_PLACEHOLDER = "{code}";

export type RosterSettings = {
  readonly dir: string;
  /** File name per municipality; `{code}` is replaced by the municipality code. */
  readonly pattern: string;
  readonly municipalities: readonly Municipality[];
  readonly sites: readonly Site[];
  /** The sites file had refused rows (only `validate` goes on after that). */
  readonly sitesRefused?: boolean;
};

export type RosterFile = {
  readonly municipalityCode: number;
  readonly path: string;
  readonly sha256: string;
  readonly rows: number;
};

/** A municipality whose roster file is missing or has a problem (the first one found). */
export type RosterFailure = {
  readonly municipality: Municipality;
  readonly path: string;
  readonly problem: InputProblem;
};

export type Roster = {
  /** Valid rows of every file (in a file with problems, the rows without one). */
  readonly staff: StaffMember[];
  /** Files that could be read as a table (with their digest and row count). */
  readonly files: RosterFile[];
  /** Municipalities whose file is missing or has at least one problem, in reference order. */
  readonly failed: RosterFailure[];
  /** The roster folder itself is missing or no folder (then no file was read). */
  readonly folderProblem?: InputProblem | undefined;
};

/** The roster file of one municipality, e.g. `<dir>/101.csv` for pattern `{code}.csv`. */
export function rosterPathFor(settings: Pick<RosterSettings, "dir" | "pattern">, code: number): string {
  return join(settings.dir, settings.pattern.replaceAll(CODE_PLACEHOLDER, String(code)));
}

type FileRead = { municipality: Municipality; path: string; bytes?: Buffer; error?: unknown };

async function readRosterBytes(settings: RosterSettings): Promise<FileRead[]> {
  return Promise.all(
    settings.municipalities.map(async (municipality) => {
      const path = rosterPathFor(settings, municipality.code);
      try {
        return { municipality, path, bytes: await readFile(path) };
      } catch (error) {
        return { municipality, path, error };
      }
    }),
  );
}

/** The folder's problem when it is missing (one problem instead of one per municipality). */
async function checkFolder(settings: RosterSettings): Promise<InputProblem | undefined> {
  const info = await stat(settings.dir).catch((error: unknown) => error);
  if (info instanceof Error || !(info as { isDirectory(): boolean }).isDirectory()) {
    const found = info instanceof Error ? describeReadFailure(info) : "not a folder";
    return {
      file: settings.dir,
      message:
        `${found}, expected the roster folder with one CSV per municipality named by the pattern ` +
        `${settings.pattern} (${settings.municipalities.length} files)`,
    };
  }
  return undefined;
}

/** Forwards to `sink`, noting the file's first problem in `failed`. */
function trackFile(sink: ProblemSink, failed: RosterFailure[], file: FileRead): ProblemSink {
  let reported = false;
  return {
    report(problem) {
      if (!reported) failed.push({ municipality: file.municipality, path: file.path, problem });
      reported = true;
      sink.report(problem);
    },
    warn: (warning) => sink.warn(warning),
  };
}

/**
 * Reads one roster CSV per municipality, as exported by its HR system:
 * `employee_id;name;site_id;shift;start_date;end_date` (`name` and the dates optional, unknown
 * columns ignored, header names case-insensitive, UTF-8 or Windows-1252 with a warning). Each site
 * must belong to the file's municipality; an employee id appears once per file (ids are the HR
 * system's: the same id in another municipality's file is another identity). A missing file is a
 * problem; `failed` lists every municipality whose file is missing or has a problem, so a run can
 * set those files aside (roster isolation) and go on with the others.
 *
 * Problems go to `sink`; with the default sink the first one throws an `InputError` with file,
 * line and column. A missing roster folder is `folderProblem` (also reported to `sink`). Rows are
 * never logged, and messages never quote a roster value.
 */
export async function readRoster(
  settings: RosterSettings,
  sink: ProblemSink = createThrowingSink(),
): Promise<Roster> {
  if (!settings.pattern.includes(CODE_PLACEHOLDER)) {
    throw new ConfigError([
      `roster.pattern: got ${JSON.stringify(settings.pattern)}, expected a file name containing ${CODE_PLACEHOLDER}`,
    ]);
  }
  const staff: StaffMember[] = [];
  const files: RosterFile[] = [];
  const failed: RosterFailure[] = [];
  const folderProblem = await checkFolder(settings);
  if (folderProblem !== undefined) {
    sink.report(folderProblem);
    return { staff, files, failed, folderProblem };
  }
  const read = await readRosterBytes(settings);

  // Missing files first: they are what an operator must fix before anything else.
  const missing = read.filter((file) => file.bytes === undefined);
  for (const [index, file] of missing.entries()) {
    const others =
      index === 0 && missing.length > 1
        ? ` (${missing.length - 1} other municipalities lack theirs too)`
        : "";
    trackFile(sink, failed, file).report({
      file: file.path,
      message:
        `${describeReadFailure(file.error)}: expected the roster export of municipality ${describeMunicipality(file.municipality)} ` +
        `named by the pattern ${settings.pattern}; a run plans the municipality from its last good roster until it is back${others}`,
    });
  }

  const context = createRosterContext(settings.sites, settings.municipalities, {
    sitesRefused: settings.sitesRefused ?? false,
  });
  for (const file of read) {
    if (file.bytes === undefined) continue;
    const fileSink = trackFile(sink, failed, file);
    const content = decodeInputContent(file.path, file.bytes, fileSink);
    if (content === undefined) continue;
    const result = readRosterRows(file.path, content, file.municipality, context, fileSink);
    if (result === undefined) continue;
    // No spread: a large municipality's staff would exceed the argument limit.
    for (const member of result.staff) staff.push(member);
    files.push({
      municipalityCode: file.municipality.code,
      path: file.path,
      sha256: createHash("sha256").update(file.bytes).digest("hex"),
      rows: result.rows,
    });
  }
  // Missing files were reported first: list the failures in reference order.
  const order = new Map(settings.municipalities.map((m, index) => [m.code, index]));
  failed.sort((a, b) => (order.get(a.municipality.code) ?? 0) - (order.get(b.municipality.code) ?? 0));
  return { staff, files, failed };
}
