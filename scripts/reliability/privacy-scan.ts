// The privacy scan of `npm run reliability`: every published file, every log line and message a
// child process wrote, and every ledger row of every store, against the names and employee ids of
// the roster files. Names and ids may appear only in files under `municipalities/<code>/` (also
// in the look-ahead) of a municipality that has such a person; anywhere else is a leak. The
// store's private planning tables (cycle slots, planned and deferred tests, last good rosters,
// attendance outcomes) hold ids by design and are not scanned; its ledger and every other table are.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parse } from "csv-parse/sync";
import { strFromU8, unzipSync } from "fflate";
import { checkWeekFolder, listFiles, type Installation } from "./harness.ts";

/** Tables that hold staff ids by design (private planning state); everything else is scanned. */
const PRIVATE_TABLES = new Set([
  "slot_snapshots",
  "planned_tests",
  "deferred_tests",
  "good_rosters",
  "attendance_outcomes",
]);

export type StaffIndex = {
  /** Full name → municipality codes having someone of that name. */
  readonly names: ReadonlyMap<string, ReadonlySet<number>>;
  /** Employee id → municipality codes having it. */
  readonly ids: ReadonlyMap<string, ReadonlySet<number>>;
};

export type Leak = {
  readonly where: string;
  readonly what: "name" | "employee id";
  readonly allowed: string;
};

function add(map: Map<string, Set<number>>, key: string, code: number): void {
  const codes = map.get(key) ?? new Set<number>();
  codes.add(code);
  map.set(key, codes);
}

/** Every name and employee id of the roster files in `rosterDir` (`<code>.csv`). */
export function indexRoster(rosterDir: string): StaffIndex {
  const names = new Map<string, Set<number>>();
  const ids = new Map<string, Set<number>>();
  for (const file of readdirSync(rosterDir).filter((name) => /^\d+\.csv$/.test(name))) {
    const code = Number(file.slice(0, -4));
    const rows = parse<Record<string, string>>(readFileSync(join(rosterDir, file)), {
      bom: true,
      delimiter: ";",
      columns: true,
      relax_column_count: true,
    });
    for (const row of rows) {
      if (row.employee_id) add(ids, row.employee_id, code);
      if (row.name) add(names, row.name.replace(/\s+/g, " ").trim(), code);
    }
  }
  return { names, ids };
}

/** The text a person could read in a file: as it is, an xlsx's XML parts, a PDF's text. */
function readableText(path: string): string {
  if (path.endsWith(".xlsx")) {
    return Object.values(unzipSync(new Uint8Array(readFileSync(path))))
      .map((part) => strFromU8(part))
      .join("\n");
  }
  if (path.endsWith(".pdf")) {
    const text = spawnSync("pdftotext", ["-q", "-enc", "UTF-8", path, "-"], { encoding: "utf8" });
    if (text.status === 0) return text.stdout;
  }
  return readFileSync(path).toString("utf8");
}

/** Names (as word pairs and triples) and ids (as tokens) found in `text`, with where. */
function findStaff(text: string, index: StaffIndex): { name: string[]; id: string[] } {
  const words = text.split(/[^\p{L}\p{M}'-]+/u).filter((word) => word !== "");
  const name: string[] = [];
  for (let i = 0; i < words.length; i++) {
    for (const length of [2, 3]) {
      const candidate = words.slice(i, i + length).join(" ");
      if (index.names.has(candidate)) name.push(candidate);
    }
  }
  const id = text.split(/[^A-Za-z0-9_-]+/).filter((token) => index.ids.has(token));
  return { name, id };
}

/** Names and ids found where they are allowed: a scan that finds none of those is broken. */
let allowedHits = 0;

/** Scans one text: `allowedCode` is the municipality whose own file it is (undefined: nobody's). */
function scanText(text: string, where: string, allowedCode: number | undefined, index: StaffIndex): Leak[] {
  const found = findStaff(text, index);
  const leaks: Leak[] = [];
  const allowedBy = (codes: ReadonlySet<number> | undefined) =>
    allowedCode !== undefined && codes?.has(allowedCode) === true;
  for (const [what, values, known] of [
    ["name", found.name, index.names],
    ["employee id", found.id, index.ids],
  ] as const) {
    for (const value of new Set(values)) {
      if (allowedBy(known.get(value))) allowedHits += 1;
      else leaks.push({ where, what, allowed: ownerText(allowedCode) });
    }
  }
  return leaks;
}

function ownerText(code: number | undefined): string {
  return code === undefined ? "no staff data allowed" : `only municipality ${code}'s staff allowed`;
}

export type ScanCounts = {
  files: number;
  folders: number;
  logLines: number;
  ledgerRows: number;
  /** Names and ids found in their own municipality's files (the scan sees what it looks for). */
  allowedHits: number;
};

/**
 * Scans the published week folders of `installs` (each distinct folder once, by digest), the
 * captured output lines and every store's non-private tables. Returns the leaks and what was read.
 */
export function scanForLeaks(
  installs: readonly Installation[],
  output: readonly string[],
  index: StaffIndex,
): { leaks: Leak[]; counts: ScanCounts } {
  const leaks: Leak[] = [];
  allowedHits = 0;
  const counts: ScanCounts = { files: 0, folders: 0, logLines: 0, ledgerRows: 0, allowedHits: 0 };
  const seenFolders = new Set<string>();
  for (const install of installs) {
    for (const folder of existsSync(install.outDir) ? readdirSync(install.outDir) : []) {
      const path = join(install.outDir, folder);
      const digest = checkWeekFolder(install.outDir, folder).digest ?? path;
      if (seenFolders.has(digest)) continue;
      seenFolders.add(digest);
      counts.folders += 1;
      for (const file of listFiles(path)) {
        counts.files += 1;
        const own = /(?:^|\/)municipalities\/(\d+)\//.exec(file);
        const where = `${path}/${file}`;
        leaks.push(
          ...scanText(readableText(join(path, file)), where, own ? Number(own[1]) : undefined, index),
        );
      }
    }
    const dbPath = join(install.dataDir, "testrota.sqlite");
    if (!existsSync(dbPath)) continue;
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(dbPath, { readOnly: true });
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all()
        .map((row) => String(row.name))
        .filter((name) => !PRIVATE_TABLES.has(name));
      for (const table of tables) {
        for (const row of db.prepare(`SELECT * FROM "${table}"`).all()) {
          counts.ledgerRows += 1;
          leaks.push(...scanText(JSON.stringify(row), `${dbPath} ${table}`, undefined, index));
        }
      }
    } catch {
      // A store damaged on purpose (a storage fault left unrepaired) has no rows to read.
    } finally {
      db?.close();
    }
  }
  for (const chunk of output) {
    for (const line of chunk.split("\n")) {
      if (line === "") continue;
      counts.logLines += 1;
      leaks.push(...scanText(line, "captured output", undefined, index));
    }
  }
  counts.allowedHits = allowedHits;
  return { leaks, counts };
}
