import type { DocumentJob } from "./document-jobs.ts";
import { loadSheetFont, type SheetFont } from "./pdf-fonts.ts";
import { renderRoutesPdf } from "./routes-pdf.ts";
import { renderSiteCalendar } from "./site-calendar.ts";
import { renderSiteSheetPdf } from "./site-sheet-pdf.ts";
import { renderRotaWorkbook } from "./workbook-file.ts";

/*
 * The document renderers (exceljs, pdfkit, ical-generator, d3-geo) behind one function. Loaded
 * only where documents are rendered (render-pool.ts imports this module on first use): a run's
 * main thread that hands every job to the render threads never loads them.
 */

/** Renders one job to bytes: a pure function of the job (and the bundled font). */
export type DocumentRenderer = (job: DocumentJob) => Promise<Uint8Array>;

function renderDocumentJob(job: DocumentJob, font: SheetFont): Promise<Uint8Array> {
  switch (job.kind) {
    case "workbook":
      return renderRotaWorkbook(job.input);
    case "site-sheet":
      return renderSiteSheetPdf(job.input, font);
    case "site-calendar":
      return Promise.resolve(renderSiteCalendar(job.input));
    case "routes":
      return renderRoutesPdf(job.input);
  }
}

/** A renderer with the site sheets' font loaded once. */
export function createDocumentRenderer(): DocumentRenderer {
  const font = loadSheetFont();
  return (job) => renderDocumentJob(job, font);
}
