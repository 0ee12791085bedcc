// The coordinator's office suite opens the workbook: LibreOffice Calc (Debian's libreoffice-calc,
// installed by the test setup) converts it to PDF as it would print it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotaRow } from "../../src/outputs/rota-files.ts";
import { groupSiteSessions } from "../../src/outputs/site-sessions.ts";
import { renderRotaWorkbook } from "../../src/outputs/workbook-file.ts";
import { FACTS, FRAME, ROWS, SITES, settings } from "./document-fixture.ts";
import { pdfInfo, pdfText } from "./pdf-tools.ts";

const HEADERS = ["Dato", "Ugedag", "Vagt", "Medarbejdernr.", "Navn", "Årsag", "Udfald", "Prøve-ID"];

/** Søbækken gets 70 more tests on Thursday's day shift: its sheet prints on more than one page. */
function moreRows(): RotaRow[] {
  return Array.from({ length: 70 }, (_, i) => ({
    employeeId: `E492-${String(200 + i).padStart(4, "0")}`,
    name: `Kåre Ærenlund ${i}`,
    siteId: "S0492-NH01",
    siteName: "Plejecenter Søbækken",
    date: "2020-10-08",
    weekday: 4 as const,
    shift: "day" as const,
    reason: "cycle" as const,
  }));
}

let dir = "";
let pdf = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "testrota-office-"));
  const rows = [...ROWS, ...moreRows()];
  const bytes = await renderRotaWorkbook({
    municipality: { ...FACTS, tests: rows.length },
    frame: FRAME,
    sites: groupSiteSessions(rows, SITES),
    settings: settings(),
  });
  writeFileSync(join(dir, "rota.xlsx"), bytes);
  // A profile of its own: two LibreOffice runs sharing one would wait on each other's lock.
  const profile = pathToFileURL(join(dir, "profile")).href;
  execFileSync(
    "soffice",
    [
      `-env:UserInstallation=${profile}`,
      "--headless",
      "--convert-to",
      "pdf",
      "--outdir",
      dir,
      join(dir, "rota.xlsx"),
    ],
    { stdio: "ignore", timeout: 170_000 },
  );
  pdf = join(dir, "rota.pdf");
  expect(readFileSync(pdf).subarray(0, 5).toString("latin1")).toBe("%PDF-");
}, 180_000);

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

/** Pages (1-based) whose text contains `needle`. */
function pagesWith(needle: string, pages: number): number[] {
  return Array.from({ length: pages }, (_, i) => i + 1).filter((page) => pdfText(pdf, page).includes(needle));
}

describe("LibreOffice prints the workbook", () => {
  it("on A4 landscape pages", () => {
    const info = pdfInfo(pdf);
    expect(info.get("Page size")).toMatch(/^841\.8\d* x 595\.\d+ pts \(A4\)$/);
    expect(Number(info.get("Pages"))).toBeGreaterThanOrEqual(4);
  });

  it("one column-set wide: every page of a site sheet shows every column header and its title", () => {
    const pages = Number(pdfInfo(pdf).get("Pages"));
    const sites = [
      { title: "Hjemmeplejen Ærø (S0492-HC01)", ids: ["E492-0101", "E492-0104"] },
      { title: "Plejecenter Søbækken (S0492-NH01)", ids: ["E492-0001", "E492-0269"] },
    ];
    for (const site of sites) {
      const sitePages = pagesWith(site.title, pages);
      expect(sitePages.length, site.title).toBeGreaterThanOrEqual(1);
      for (const page of sitePages) {
        const text = pdfText(pdf, page);
        for (const header of HEADERS) expect(text, `${site.title} page ${page}`).toContain(header);
      }
      // The first and the last person of the site are on its pages.
      const text = sitePages.map((page) => pdfText(pdf, page)).join("\n");
      for (const id of site.ids) expect(text).toContain(id);
    }
    // Søbækken's 74 tests need more than one page; its title rows repeat on each.
    expect(pagesWith("Plejecenter Søbækken (S0492-NH01)", pages).length).toBeGreaterThanOrEqual(2);
    // No page holds only part of the columns: every page with a test row has the headers.
    for (let page = 1; page <= pages; page++) {
      const text = pdfText(pdf, page);
      if (/E492-\d{4}/.test(text)) expect(text, `page ${page}`).toContain("Prøve-ID");
    }
  });

  it("shows the cover first, with the test week's dates and why-or-how-many", () => {
    const cover = pdfText(pdf, 1);
    expect(cover).toContain("Testplan for plejepersonale – Ærø");
    expect(cover).toContain("05-10-2020");
    expect(cover).toContain("11-10-2020");
    expect(cover).toContain("Test pr. arbejdssted og dag");
  });
});
