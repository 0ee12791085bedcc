import type { RoutesPdfInput } from "./routes-pdf.ts";
import type { SiteSheetInput } from "./site-sheet-pdf.ts";
import type { WorkbookInput } from "./workbook-file.ts";

/**
 * One document of a week folder to render: its path and the plain data it is made from (one
 * municipality's or one site's rows, one region's routes; structured-clone safe), so jobs can be
 * handed to worker threads and rendered in any order with the same bytes (document-renderer.ts
 * renders them).
 */
export type DocumentJob =
  | { readonly kind: "workbook"; readonly path: string; readonly input: WorkbookInput }
  | { readonly kind: "site-sheet"; readonly path: string; readonly input: SiteSheetInput }
  | { readonly kind: "site-calendar"; readonly path: string; readonly input: SiteSheetInput }
  | { readonly kind: "routes"; readonly path: string; readonly input: RoutesPdfInput };

/** The jobs of one municipality: its workbook, and a sheet and a calendar per site with tests. */
export function planMunicipalityJobs(folder: string, workbook: WorkbookInput): DocumentJob[] {
  const jobs: DocumentJob[] = [{ kind: "workbook", path: `${folder}/rota.xlsx`, input: workbook }];
  const municipality = { code: workbook.municipality.code, name: workbook.municipality.name };
  for (const site of workbook.sites) {
    if (site.sessions.length === 0) continue;
    const input: SiteSheetInput = { municipality, frame: workbook.frame, site, settings: workbook.settings };
    jobs.push({ kind: "site-sheet", path: `${folder}/sites/${site.fileStem}.pdf`, input });
    jobs.push({ kind: "site-calendar", path: `${folder}/sites/${site.fileStem}.ics`, input });
  }
  return jobs;
}
