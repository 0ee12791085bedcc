import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderRotaCsv } from "../../src/outputs/rota-files.ts";
import { groupSiteSessions } from "../../src/outputs/site-sessions.ts";
import { renderRotaWorkbook, type WorkbookInput } from "../../src/outputs/workbook-file.ts";
import { FACTS, FRAME, GENERATED_AT, ROWS, SITES, settings } from "./document-fixture.ts";

function input(overrides: Partial<WorkbookInput> = {}): WorkbookInput {
  return {
    municipality: FACTS,
    frame: FRAME,
    sites: groupSiteSessions(ROWS, SITES),
    settings: settings(),
    ...overrides,
  };
}

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return workbook;
}

/** A cell as the reader sees it: dates day-month-year (exceljs's `text` ignores the format). */
function shown(cell: ExcelJS.Cell): string {
  if (cell.value instanceof Date) {
    const [year, month, day] = cell.value.toISOString().slice(0, 10).split("-");
    return `${day}-${month}-${year}`;
  }
  return cell.text;
}

/** Every non-empty cell of a sheet as shown, row by row (a merged range counts once). */
function texts(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    const cells: string[] = [];
    row.eachCell((cell) => {
      if (!cell.isMerged || cell.master === cell) cells.push(shown(cell));
    });
    rows.push(cells);
  });
  return rows;
}

const DANISH_HEADER = ["Dato", "Ugedag", "Vagt", "Medarbejdernr.", "Navn", "Årsag", "Udfald", "Prøve-ID"];
const KEYS = ["key_site_id", "key_date", "key_shift", "key_employee_id"];
// The reasons and shifts as a Danish coordinator reads them.
const DANISH_REASON: Record<string, string> = {
  cycle: "cyklus",
  "red-week-1": "rød uge 1",
  "red-retest": "rød gentest",
  "new-starter": "nyansat",
};
const DANISH_SHIFT: Record<string, string> = {
  day: "dag 07:00–15:00",
  evening: "aften 15:00–23:00",
  night: "nat 23:00–07:00",
};
const DANISH_WEEKDAY: Record<string, string> = {
  monday: "mandag",
  tuesday: "tirsdag",
  thursday: "torsdag",
  friday: "fredag",
};

describe("rota.xlsx: one sheet per site, read back with exceljs", () => {
  it("has a cover and a sheet for each site with tests (none for a site without)", async () => {
    const workbook = await load(await renderRotaWorkbook(input()));
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      "Forside",
      "S0492-HC01 Hjemmeplejen Ærø",
      "S0492-NH01 Plejecenter Søbækken",
    ]);
    expect(workbook.keywords).toBe("week=2020-W41;municipality=492;language=da");
    expect(workbook.created.toISOString()).toBe(GENERATED_AT);
    expect(workbook.modified.toISOString()).toBe(GENERATED_AT);
  });

  it("holds every rota.csv row on its site's sheet, with Danish labels and real dates", async () => {
    const workbook = await load(await renderRotaWorkbook(input()));
    const records: string[][] = parse(Buffer.from(renderRotaCsv(ROWS)), { bom: true, delimiter: ";" });
    const [header, ...csvRows] = records;
    expect(header?.slice(0, 8)).toEqual([
      "employee_id",
      "name",
      "site_id",
      "site_name",
      "date",
      "weekday",
      "shift",
      "reason",
    ]);
    expect(csvRows).toHaveLength(8);
    for (const [employeeId, name, siteId, , date, weekday, shift, reason] of csvRows) {
      const sheet = workbook.worksheets.find((s) => s.name.startsWith(`${siteId} `));
      expect(sheet, siteId).toBeDefined();
      if (sheet === undefined) continue;
      const found: ExcelJS.Row[] = [];
      sheet.eachRow((row) => {
        if (
          row.getCell(12).text === employeeId &&
          row.getCell(10).text === date &&
          row.getCell(11).text === shift
        ) {
          found.push(row);
        }
      });
      expect(found, `${employeeId} ${date} ${shift}`).toHaveLength(1);
      const row = found[0] as ExcelJS.Row;
      const dateCell = row.getCell(1);
      expect(dateCell.value).toBeInstanceOf(Date);
      expect((dateCell.value as Date).toISOString()).toBe(`${date}T00:00:00.000Z`);
      expect(dateCell.numFmt).toBe("dd-mm-yyyy");
      expect(shown(dateCell)).toBe(`${date?.slice(8, 10)}-${date?.slice(5, 7)}-${date?.slice(0, 4)}`);
      expect([2, 3, 4, 5, 6, 9].map((c) => row.getCell(c).text)).toEqual([
        DANISH_WEEKDAY[weekday ?? ""],
        DANISH_SHIFT[shift ?? ""],
        employeeId,
        name,
        DANISH_REASON[reason ?? ""],
        siteId,
      ]);
      // The columns the coordinator fills in start empty; outcome is a list of the three answers.
      expect(row.getCell(7).value).toBeNull();
      expect(row.getCell(8).value).toBeNull();
      expect(row.getCell(7).dataValidation).toMatchObject({
        type: "list",
        formulae: ['"taget,afslået,fraværende"'],
      });
    }
  });

  it("groups a site's rows under a heading per session: date, weekday, shift with its window", async () => {
    const workbook = await load(await renderRotaWorkbook(input()));
    const sheet = workbook.getWorksheet("S0492-NH01 Plejecenter Søbækken");
    expect(sheet).toBeDefined();
    if (sheet === undefined) return;
    // Visible columns only (the key columns are checked above).
    const rows = texts(sheet).map((cells) => cells.slice(0, 8));
    expect(rows).toEqual([
      ["Plejecenter Søbækken (S0492-NH01) – Ærø – uge 41, 2020 (05-10-2020 – 11-10-2020)"],
      [
        "plejehjem, Vestergade 9, 5970 Ærøskøbing. 4 test. Udfyld Udfald (taget / afslået / fraværende) og Prøve-ID for hver test, og send arbejdsbogen retur.",
      ],
      DANISH_HEADER,
      ["05-10-2020", "mandag", "dag 07:00–15:00", "3 test"],
      [
        "05-10-2020",
        "mandag",
        "dag 07:00–15:00",
        "E492-0001",
        "Bodil Kjær",
        "nyansat",
        "S0492-NH01",
        "2020-10-05",
      ],
      [
        "05-10-2020",
        "mandag",
        "dag 07:00–15:00",
        "E492-0002",
        "Søren Østergård",
        "cyklus",
        "S0492-NH01",
        "2020-10-05",
      ],
      ["05-10-2020", "mandag", "dag 07:00–15:00", "E492-0003", "cyklus", "S0492-NH01", "2020-10-05", "day"],
      ["06-10-2020", "tirsdag", "nat 23:00–07:00", "1 test"],
      [
        "06-10-2020",
        "tirsdag",
        "nat 23:00–07:00",
        "E492-0007",
        "Åse Ærenlund",
        "rød uge 1",
        "S0492-NH01",
        "2020-10-06",
      ],
    ]);
    expect(sheet.getRow(3).values).toEqual([undefined, ...DANISH_HEADER, ...KEYS]);
  });

  it("prints A4 landscape, one page wide, header rows on every page; frozen header and filter", async () => {
    const workbook = await load(await renderRotaWorkbook(input()));
    const sheet = workbook.getWorksheet("S0492-HC01 Hjemmeplejen Ærø");
    expect(sheet?.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: "landscape",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: "1:3",
    });
    expect(sheet?.views[0]).toMatchObject({ state: "frozen", ySplit: 3 });
    // Two sessions of two: heading rows 4 and 7, the last test on row 9.
    expect(sheet?.autoFilter).toBe("A3:H9");
    expect([9, 10, 11, 12].map((c) => sheet?.getColumn(c).hidden)).toEqual([true, true, true, true]);
    expect([1, 5, 8].map((c) => sheet?.getColumn(c).hidden)).toEqual([false, false, false]);
    const cover = workbook.getWorksheet("Forside");
    expect(cover?.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: "landscape",
      fitToWidth: 1,
      fitToHeight: 0,
    });
  });

  it("has a cover with the week's dates, status, flow, counts per site and day and the contact", async () => {
    const workbook = await load(await renderRotaWorkbook(input()));
    const cover = workbook.getWorksheet("Forside");
    expect(cover).toBeDefined();
    if (cover === undefined) return;
    const rows = texts(cover);
    expect(rows.slice(0, 13)).toEqual([
      ["Testplan for plejepersonale – Ærø"],
      ["Kommune", "Ærø (492)"],
      ["Testuge", "uge 41, 2020 (05-10-2020 – 11-10-2020)"],
      ["Første dag (mandag)", "05-10-2020"],
      ["Sidste dag (søndag)", "11-10-2020"],
      ["Klassificeret", "30-09-2020", "onsdag i uge 40"],
      ["Status", "rød: 32,4 nye tilfælde pr. 100.000 indbyggere på 7 dage (22-09-2020 – 28-09-2020)"],
      ["Forløb", 'Rødt forløb, "uge 1": alle medarbejdere testes i denne testuge.'],
      ["Antal test", "8"],
      ["Kontakt", "Testkoordinator Ærø, tlf. 63 52 50 00"],
      [
        "Sådan bruges den",
        "Ét ark pr. arbejdssted med test i ugen, sorteret efter dato og vagt. Udfyld Udfald og Prøve-ID for hver test og send arbejdsbogen retur; ændr ikke arkenes navne eller de skjulte kolonner. Til selve testen: arbejdsstedets PDF i mappen sites/ (med podningslog).",
      ],
      ["Test pr. arbejdssted og dag"],
      [
        "Sted-ID",
        "Arbejdssted",
        "Type",
        "man 05-10",
        "tir 06-10",
        "ons 07-10",
        "tor 08-10",
        "fre 09-10",
        "lør 10-10",
        "søn 11-10",
        "I alt",
      ],
    ]);
    // Søbækken: 3 on Monday, 1 on Tuesday; Hjemmeplejen Ærø: 2 on Thursday, 2 on Friday.
    expect(rows.slice(13, 17)).toEqual([
      ["S0492-HC01", "Hjemmeplejen Ærø", "hjemmepleje", "2", "2", "4"],
      ["S0492-NH01", "Plejecenter Søbækken", "plejehjem", "3", "1", "4"],
      ["S0492-NH02", "Plejehjemmet Østergården", "plejehjem", "0"],
      ["I alt", "3", "1", "0", "2", "2", "0", "0", "8"],
    ]);
    expect(rows[17]).toEqual(["Arbejdssteder uden test i ugen har intet ark, ingen PDF og ingen kalender."]);
    const first = cover.getRow(5).getCell(2);
    expect(first.value).toBeInstanceOf(Date);
    expect((first.value as Date).toISOString()).toBe("2020-10-05T00:00:00.000Z");
  });

  it("speaks English when asked: labels and the outcome list, same layout", async () => {
    const workbook = await load(await renderRotaWorkbook(input({ settings: settings("en") })));
    expect(workbook.worksheets.map((s) => s.name)[0]).toBe("Cover");
    const sheet = workbook.getWorksheet("S0492-HC01 Hjemmeplejen Ærø");
    expect(sheet?.getRow(3).values).toEqual([
      undefined,
      "Date",
      "Weekday",
      "Shift",
      "Employee ID",
      "Name",
      "Reason",
      "Outcome",
      "Sample ID",
      ...KEYS,
    ]);
    expect(sheet?.getRow(5).getCell(6).text).toBe("cycle");
    expect(sheet?.getRow(6).getCell(6).text).toBe("red retest");
    expect(sheet?.getRow(5).getCell(7).dataValidation?.formulae).toEqual(['"taken,declined,absent"']);
  });
});

describe("rota.xlsx of a week without tests", () => {
  const cases = [
    {
      name: "red, in the check week of its flow",
      flow: { kind: "red-flow", flowWeek: 4, limitToSites: null } as const,
      status: "red" as const,
      why: 'Ingen test i denne uge. Rødt forløb, "uge 4": ingen gentest i denne uge. Kommunen kontrolleres igen onsdag 07-10-2020; er den stadig rød, gentestes alle i uge 42. Ingen medarbejders faste plads i 6-ugers-cyklussen falder i uge 41.',
    },
    {
      name: "red in its planning week 0",
      flow: { kind: "red-flow", flowWeek: 0, limitToSites: null } as const,
      status: "red" as const,
      why: 'Ingen test i denne uge. Rød fra klassifikationen onsdag 30-09-2020 (uge 40, "uge −1" i det røde forløb). Testugen er "uge 0": planlægning. Alle medarbejdere testes i uge 42 ("uge 1"). Ingen medarbejders faste plads i 6-ugers-cyklussen falder i uge 41.',
    },
    {
      name: "green, with no cycle share this week",
      flow: { kind: "green", endedAtCheck: false } as const,
      status: "green" as const,
      why: "Ingen test i denne uge. Grøn: medarbejderne testes hver 6. uge på deres faste plads i 6-ugers-cyklussen. Ingen medarbejders faste plads i 6-ugers-cyklussen falder i uge 41.",
    },
  ];
  it.each(cases)("$name: the cover says why, and there are no site sheets", async ({ flow, status, why }) => {
    const municipality = { ...FACTS, flow, status, rawStatus: status, tests: 0 };
    const workbook = await load(
      await renderRotaWorkbook(input({ municipality, sites: groupSiteSessions([], SITES) })),
    );
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Forside"]);
    const rows = texts(workbook.getWorksheet("Forside") as ExcelJS.Worksheet);
    expect(rows).toContainEqual(["Hvorfor ingen test", why]);
    expect(rows).toContainEqual(["I alt", "0", "0", "0", "0", "0", "0", "0", "0"]);
  });
});

describe("rota.xlsx is byte-identical for identical input", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("whenever it is written: every date comes from generatedAt, never from the clock", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2021-03-01T12:00:00Z"));
    const first = await renderRotaWorkbook(input());
    vi.setSystemTime(new Date("2024-07-15T18:31:17Z"));
    const second = await renderRotaWorkbook(input());
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it("changes with generatedAt", async () => {
    const first = await renderRotaWorkbook(input());
    const later = await renderRotaWorkbook(
      input({ settings: { ...settings(), generatedAt: "2020-10-07T08:00:00.000Z" } }),
    );
    expect(Buffer.from(later).equals(Buffer.from(first))).toBe(false);
  });
});
