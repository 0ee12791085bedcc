import type { AssembledWeek } from "../domain/assemble-week.ts";
import { formatIsoWeek } from "../domain/calendar.ts";
import type { Municipality, Region } from "../domain/reference.ts";
import type { IsolatedRoster, Site, StaffMember } from "../domain/roster.ts";
import { renderClassificationCsv } from "./classification-file.ts";
import { planMunicipalityJobs, type DocumentJob } from "./document-jobs.ts";
import { resolveDocumentSettings, type DocumentOptions, type DocumentSettings } from "./document-settings.ts";
import { buildMunicipalityFacts, buildWeekFrame, type WeekFrame } from "./municipality-week.ts";
import { planRegionFiles, type MunicipalityOutline } from "./region-files.ts";
import type { WeekReportData } from "./report/report-types.ts";
import { renderDocumentJobs, type RenderOptions } from "./render-pool.ts";
import type { StagingFolder, WeekFile } from "./staging.ts";
import { renderWeekReport } from "./report/week-report.ts";
import { buildRotaRowsOfWeeks, renderRotaCsv, type RotaRow } from "./rota-files.ts";
import { groupSiteSessions } from "./site-sessions.ts";
import { renderSummaryJson } from "./summary-file.ts";
import {
  LOOKAHEAD_README_NAMES,
  LOOKAHEAD_ROTA_NAME,
  README_NAMES,
  renderLookaheadReadme,
  renderMunicipalityReadme,
  renderWeekReadme,
} from "./week-readme.ts";

export type WeekFilesInput = {
  readonly assembled: AssembledWeek;
  readonly municipalities: readonly Municipality[];
  readonly regionCodes: readonly number[];
  readonly sites: readonly Site[];
  readonly staff: readonly StaffMember[];
  /**
   * Municipalities whose roster file was set aside (roster isolation): their read-me and workbook
   * cover say why and which roster the rota is from.
   */
  readonly isolatedRosters?: readonly IsolatedRoster[] | undefined;
  /** The run's scheduled time: written into the files instead of the clock (byte-identical reruns). */
  readonly generatedAt: Date;
  /** `summary.json` content (counts and metrics only). */
  readonly summary: unknown;
  /**
   * Language, shift hours, time zone and contact of the documents people read (workbook, site
   * sheets, calendars, read-me files); Danish and the default shift hours when left out.
   */
  readonly documents?: DocumentOptions | undefined;
  /** Region names for the route sheets (else `Region <code>`). */
  readonly regions?: readonly Region[] | undefined;
  /** Municipality outlines for the route sheets' sketch maps. */
  readonly outlines?: ReadonlyMap<number, MunicipalityOutline> | undefined;
  /** The weekly report's data: `report.html` (in the documents' language) when given. */
  readonly report?: WeekReportData | undefined;
  /** Threads the documents are rendered on (same bytes whatever the count) and their phase timer. */
  readonly render?: Omit<RenderOptions, "staging"> | undefined;
};

/**
 * Week files whose documents are written to a staging folder as they are rendered (see
 * outputs/staging.ts): the map holds their sizes and digests instead of their bytes.
 */
export type StagedWeekFilesInput = Omit<WeekFilesInput, "render"> & {
  readonly render: RenderOptions & { readonly staging: StagingFolder };
};

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

/** Roster rows per municipality (through their site): 0 tells "no staff" from "no tests". */
function countStaff(staff: readonly StaffMember[], sites: readonly Site[]): Map<number, number> {
  const municipalityOf = new Map(sites.map((site) => [site.id, site.municipalityCode]));
  const counts = new Map<number, number>();
  for (const member of staff) {
    const code = municipalityOf.get(member.siteId);
    if (code !== undefined) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return counts;
}

/**
 * The provisional rota of the week after (see AssembledWeek.lookahead): CSV only, same columns,
 * "FORELØBIG" in its file name and in the first line of the read-me beside it.
 */
function addLookaheadFiles(
  files: Map<string, WeekFile>,
  municipalities: readonly Municipality[],
  rows: ReadonlyMap<number, readonly RotaRow[]>,
  frame: WeekFrame,
  lookaheadWeek: string,
): void {
  const folder = `lookahead/${lookaheadWeek}`;
  for (const language of ["da", "en"] as const) {
    files.set(
      `${folder}/${LOOKAHEAD_README_NAMES[language]}`,
      renderLookaheadReadme(frame, lookaheadWeek, language),
    );
  }
  for (const municipality of municipalities) {
    files.set(
      `${folder}/municipalities/${municipality.code}/${LOOKAHEAD_ROTA_NAME}`,
      renderRotaCsv(rows.get(municipality.code) ?? []),
    );
  }
}

/**
 * Each municipality's `rota.csv` and read-me (into `files`) and the jobs of its documents, with
 * the counts of sites the week's read-me gives.
 */
function planDocuments(
  files: Map<string, WeekFile>,
  input: WeekFilesInput,
  rotaRows: ReadonlyMap<number, readonly RotaRow[]>,
  context: { readonly settings: DocumentSettings; readonly frame: WeekFrame },
): { jobs: DocumentJob[]; siteCount: number; sitesWithTests: number } {
  const { settings, frame } = context;
  const sitesByMunicipality = groupBy(input.sites, (site) => site.municipalityCode);
  const testsByMunicipality = new Map([...rotaRows].map(([code, rows]) => [code, rows.length]));
  const facts = buildMunicipalityFacts(
    input.assembled,
    input.municipalities,
    countStaff(input.staff, input.sites),
    testsByMunicipality,
    new Map((input.isolatedRosters ?? []).map((r) => [r.municipalityCode, r])),
  );
  const jobs: DocumentJob[] = [];
  let siteCount = 0;
  let sitesWithTests = 0;
  for (const municipality of input.municipalities) {
    const rows = rotaRows.get(municipality.code) ?? [];
    const folder = `municipalities/${municipality.code}`;
    files.set(`${folder}/rota.csv`, renderRotaCsv(rows));
    const sites = groupSiteSessions(rows, sitesByMunicipality.get(municipality.code) ?? []);
    siteCount += sites.length;
    sitesWithTests += sites.filter((site) => site.sessions.length > 0).length;
    const municipalityFacts = facts.get(municipality.code);
    if (municipalityFacts === undefined) {
      throw new Error(`week files: municipality ${municipality.code} has no classification`);
    }
    files.set(
      `${folder}/${README_NAMES[settings.language]}`,
      renderMunicipalityReadme(municipalityFacts, frame, sites, settings.language),
    );
    jobs.push(...planMunicipalityJobs(folder, { municipality: municipalityFacts, frame, sites, settings }));
  }
  return { jobs, siteCount, sitesWithTests };
}

/**
 * Every file of a week's folder except `manifest.json` (added on publish):
 * - `LÆS-MIG.txt` and `README.txt`: which classification the folder is from and which test week
 *   (with dates) it covers, and what each file is for;
 * - `classification.csv`;
 * - per municipality: `rota.csv` (the contract columns, header-only when nobody is tested),
 *   `rota.xlsx` (cover + one sheet per site), `sites/<site>.pdf` and `.ics` for each site with
 *   tests, and a read-me in the document language;
 * - the provisional rota of the week after under `lookahead/<week>/` (`FORELØBIG-rota.csv`,
 *   with a read-me whose first line says so);
 * - one pickup schedule per region (CSV + JSON), its route sheets (`routes.pdf`, where the region
 *   has routes), the summary and the weekly `report.html`.
 * Names appear only under `municipalities/<code>/`. The documents are rendered from plain data
 * per municipality and site ({@link DocumentJob}) on worker threads (render-pool.ts).
 */
export function renderWeekFiles(input: StagedWeekFilesInput): Promise<Map<string, WeekFile>>;
export function renderWeekFiles(input: WeekFilesInput): Promise<Map<string, Uint8Array>>;
export async function renderWeekFiles(
  input: WeekFilesInput | StagedWeekFilesInput,
): Promise<Map<string, WeekFile>> {
  const files = new Map<string, WeekFile>();
  const { assembled } = input;
  const settings = resolveDocumentSettings(input.documents ?? {}, input.generatedAt);
  const frame = buildWeekFrame(assembled);
  const lookaheadWeek = formatIsoWeek(assembled.lookahead.testWeek);

  // The look-ahead's rows too: one pass over the roster for both weeks.
  const [rotaRows = new Map<number, RotaRow[]>(), lookaheadRows = new Map<number, RotaRow[]>()] =
    buildRotaRowsOfWeeks([assembled.plan.tests, assembled.lookahead.tests], input.staff, input.sites);
  // The look-ahead's files first: its rows are let go before the documents render.
  addLookaheadFiles(files, input.municipalities, lookaheadRows, frame, lookaheadWeek);
  lookaheadRows.clear();
  files.set("classification.csv", renderClassificationCsv(assembled.classifications));
  const planned = planDocuments(files, input, rotaRows, { settings, frame });
  // The jobs carry the rows they need; the rows by municipality are let go while they render.
  rotaRows.clear();
  // The pickup files now; the route sheets render on the threads with the other documents.
  const region = planRegionFiles({
    ...input,
    pickups: assembled.plan.pickups,
    testWeek: formatIsoWeek(assembled.testWeek),
    language: settings.language,
    createdAt: input.generatedAt,
  });
  for (const [path, bytes] of region.files) files.set(path, bytes);
  const jobs: DocumentJob[] = [...planned.jobs, ...region.jobs];
  planned.jobs.length = 0;
  const rendered = await renderDocumentJobs(jobs, input.render);
  jobs.forEach((job, index) => {
    const file = rendered[index];
    if (file === undefined) throw new Error(`week files: ${job.path} was not rendered`);
    files.set(job.path, file);
  });
  jobs.length = 0;

  const readme = {
    frame,
    lookaheadWeek,
    municipalities: input.municipalities.length,
    sites: planned.siteCount,
    sitesWithTests: planned.sitesWithTests,
  };
  files.set(README_NAMES.da, renderWeekReadme(readme, "da"));
  files.set(README_NAMES.en, renderWeekReadme(readme, "en"));

  files.set("summary.json", renderSummaryJson(input.summary));
  if (input.report !== undefined) {
    const html = renderWeekReport(input.report, { language: settings.language });
    files.set("report.html", new TextEncoder().encode(html));
  }
  return files;
}
