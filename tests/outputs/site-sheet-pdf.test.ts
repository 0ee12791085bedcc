import PDFDocument from "pdfkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSheetFont, readSheetFontFile, type SheetFont } from "../../src/outputs/pdf-fonts.ts";
import { groupSiteSessions, type SiteSessions } from "../../src/outputs/site-sessions.ts";
import { renderSiteSheetPdf, type SiteSheetInput } from "../../src/outputs/site-sheet-pdf.ts";
import type { RotaRow } from "../../src/outputs/rota-files.ts";
import { FRAME, ROWS, SITES, settings } from "./document-fixture.ts";
import { pdfFonts, pdfInfo, pdfText, withPdfFile } from "./pdf-tools.ts";

const [HC01, NH01] = groupSiteSessions(ROWS, SITES) as [SiteSessions, SiteSessions, SiteSessions];

function input(site: SiteSessions, language: "da" | "en" = "da"): SiteSheetInput {
  return { municipality: { code: 492, name: "Ærø" }, frame: FRAME, site, settings: settings(language) };
}

const FIRST = ["Åse", "Søren", "Bodil", "Jørgen", "Lærke", "Mads", "Ida", "Kåre"];
const LAST = ["Ærenlund", "Østergård", "Kjær", "Bækgaard", "Nørgaard", "Sørensen", "Møller"];

/**
 * A large nursing home: 40 tests on Monday's day shift, 20 on Wednesday's evening shift. A page
 * holds 36 rows of a session below its heading: Monday fills page 1 and runs 4 rows into page 2
 * (heading repeated, "fortsat"), Wednesday follows on page 2; the swab log is page 3.
 */
function largeSite(): SiteSessions {
  const rows: RotaRow[] = [];
  const add = (count: number, offset: number, date: string, weekday: 1 | 3, shift: "day" | "evening") => {
    for (let i = 0; i < count; i++) {
      const n = offset + i;
      rows.push({
        employeeId: `E492-${String(n).padStart(4, "0")}`,
        name: `${FIRST[n % FIRST.length]} ${LAST[n % LAST.length]} ${n}`,
        siteId: "S0492-NH01",
        siteName: "Plejecenter Søbækken",
        date,
        weekday,
        shift,
        reason: n % 5 === 0 ? "red-retest" : "cycle",
      });
    }
  };
  add(40, 1, "2020-10-05", 1, "day");
  add(20, 41, "2020-10-07", 3, "evening");
  return groupSiteSessions(rows, [SITES[0] as (typeof SITES)[number]])[0] as SiteSessions;
}

function render(site: SiteSessions, language: "da" | "en" = "da"): Promise<Uint8Array> {
  return renderSiteSheetPdf(input(site, language), loadSheetFont());
}

describe("site sheet PDF, read with poppler", () => {
  it("lists every person of the site's sessions by session, with æøå intact and the swab log", async () => {
    const bytes = await render(NH01);
    withPdfFile(bytes, (path) => {
      const info = pdfInfo(path);
      expect(info.get("Pages")).toBe("2");
      expect(info.get("Page size")).toMatch(/^595\.2\d* x 841\.8\d* pts \(A4\)$/);
      const page1 = pdfText(path, 1);
      // The header: site, municipality and test week.
      expect(page1).toContain("Plejecenter Søbækken (S0492-NH01)");
      expect(page1).toContain("Testuge 41, 2020 (05-10-2020 – 11-10-2020) · Ærø Kommune (492)");
      expect(page1).toContain("Plejehjem · Vestergade 9, 5970 Ærøskøbing");
      // Sessions in order, people by employee id, each with the reason in Danish.
      const lines = page1.split("\n").map((line) => line.trim().replace(/\s+/g, " "));
      const sessionLines = lines.filter((line) => /^(Mandag|Tirsdag) /.test(line) || /^E492-/.test(line));
      expect(sessionLines).toEqual([
        "Mandag 05-10-2020 · dag 07:00–15:00 · 3 test",
        "E492-0001 Bodil Kjær nyansat",
        "E492-0002 Søren Østergård cyklus",
        "E492-0003 cyklus",
        "Tirsdag 06-10-2020 · nat 23:00–07:00 · 1 test",
        "E492-0007 Åse Ærenlund rød uge 1",
      ]);
      expect(lines).toContain("Medarbejdernr. Navn Årsag taget afslået fraværende Prøve-ID");
      expect(page1).toContain("side 1 af 2");
      const page2 = pdfText(path, 2);
      expect(page2).toContain("Podningslog");
      expect(page2.replace(/\s+/g, " ")).toContain("Poderens navn Dato Sted Underskrift");
      expect(page2).toContain("side 2 af 2");
      expect(page2).toContain("Plejecenter Søbækken (S0492-NH01)");
    });
  });

  it("prints a long name whole (smaller) rather than cutting it", async () => {
    const bytes = await render(HC01);
    withPdfFile(bytes, (path) => {
      expect(pdfText(path, 1).replace(/\s+/g, " ")).toContain(
        "E492-0104 Anne-Mette Christiansen-Østergaard Bøgelund rød gentest",
      );
    });
  });

  it("runs a large site over several pages: the session heading repeats, 'side 2 af 3'", async () => {
    const site = largeSite();
    const bytes = await render(site);
    withPdfFile(bytes, (path) => {
      expect(pdfInfo(path).get("Pages")).toBe("3");
      const idsOn = (page: number) =>
        [...pdfText(path, page).matchAll(/E492-(\d{4})/g)].map((m) => Number(m[1]));
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      expect(idsOn(1)).toEqual(range(1, 36));
      expect(idsOn(2)).toEqual(range(37, 60));
      expect(idsOn(3)).toEqual([]);
      const page2 = pdfText(path, 2);
      expect(page2).toContain("Mandag 05-10-2020 · dag 07:00–15:00 · 40 test (fortsat)");
      expect(page2).toContain("Onsdag 07-10-2020 · aften 15:00–23:00 · 20 test");
      expect(page2).toContain("side 2 af 3");
      expect(pdfText(path, 3)).toContain("Podningslog");
      expect(pdfText(path, 3)).toContain("side 3 af 3");
      // Every name of the site's sessions is on the sheet.
      const all = pdfText(path);
      for (const person of site.sessions.flatMap((s) => s.people)) expect(all).toContain(person.name);
    });
  });

  it("embeds its one font (DejaVu Sans, a subset) and relies on no system font", async () => {
    const bytes = await render(NH01);
    withPdfFile(bytes, (path) => {
      const fonts = pdfFonts(path);
      expect(fonts).toHaveLength(1);
      // name, type ("CID TrueType"), encoding, emb, sub, uni, object id
      const [name, , , , emb, sub, uni] = fonts[0] ?? [];
      expect(name).toMatch(/^[A-Z]{6}\+DejaVuSans$/);
      expect([emb, sub, uni]).toEqual(["yes", "yes", "yes"]);
    });
  });

  it("speaks English when asked", async () => {
    const bytes = await render(NH01, "en");
    withPdfFile(bytes, (path) => {
      const page1 = pdfText(path, 1);
      expect(page1).toContain("Monday 05-10-2020 · day 07:00–15:00 · 3 tests");
      expect(page1.replace(/\s+/g, " ")).toContain("Employee ID Name Reason taken declined absent Sample ID");
      expect(page1).toContain("page 1 of 2");
      expect(pdfText(path, 2)).toContain("Swab log");
    });
  });
});

describe("site sheet PDF is byte-identical for identical input", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("whenever it is written: creation date, modification date and document ID from generatedAt", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2021-03-01T12:00:00Z"));
    const first = await render(NH01);
    vi.setSystemTime(new Date("2024-07-15T18:31:17Z"));
    const second = await render(NH01);
    vi.useRealTimers();
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    withPdfFile(first, (path) => {
      const info = pdfInfo(path);
      expect(info.get("CreationDate")).toBe("2020-09-30T08:00:00Z");
      expect(info.get("ModDate")).toBe("2020-09-30T08:00:00Z");
    });
  });

  it("differs between two sites (their own title, so their own document ID)", async () => {
    const a = Buffer.from(await render(NH01)).toString("latin1");
    const b = Buffer.from(await render(HC01)).toString("latin1");
    const id = (pdf: string) => /\/ID \[<([0-9a-f]+)>/.exec(pdf)?.[1];
    expect(id(a)).toBeDefined();
    expect(id(a)).not.toBe(id(b));
  });

  it("the same with fontkit's own subsetting and a fresh word layout for every sheet", async () => {
    // The shared font copies each glyph into a sheet's subset from a per-process cache, and the
    // sheets share word layouts; a font parsed here the same way (no GSUB/GPOS) but without either
    // goes through fontkit's and pdfkit's own code. Every sheet, the large one too, is the same.
    const plainFont = (): SheetFont => {
      const probe = new PDFDocument({ autoFirstPage: false, font: "" });
      probe.font(Buffer.from(readSheetFontFile()));
      const parsed = (probe as unknown as { _font: { font: { _tables: Record<string, unknown> } } })._font
        .font;
      parsed._tables.GSUB = null;
      parsed._tables.GPOS = null;
      return parsed as unknown as SheetFont;
    };
    for (const site of [NH01, HC01, largeSite()]) {
      for (const language of ["da", "en"] as const) {
        const shared = await renderSiteSheetPdf(input(site, language), loadSheetFont());
        const plain = await renderSiteSheetPdf(input(site, language), plainFont());
        expect(Buffer.from(shared).equals(Buffer.from(plain)), `${site.siteId} ${language}`).toBe(true);
      }
    }
  });
});
