import { formatDate, labelsFor, type DocumentLanguage } from "./document-labels.ts";
import {
  describeFlow,
  describeStatus,
  describeTestWeek,
  describeRosterNote,
  explainNoTests,
  type MunicipalityFacts,
  type WeekFrame,
} from "./municipality-week.ts";
import { countSiteTests, type SiteSessions } from "./site-sessions.ts";

/** The folder's own read-me files: Danish `LÆS-MIG.txt`, English `README.txt`. */
export const README_NAMES: Readonly<Record<DocumentLanguage, string>> = {
  da: "LÆS-MIG.txt",
  en: "README.txt",
};

/** File names of the provisional look-ahead: the word is in the name, its read-me says it first. */
export const LOOKAHEAD_ROTA_NAME = "FORELØBIG-rota.csv";
export const LOOKAHEAD_README_NAMES: Readonly<Record<DocumentLanguage, string>> = {
  da: "FORELØBIG-LÆS-MIG.txt",
  en: "PROVISIONAL-README.txt",
};

/** Counts of the week for the folder's read-me (no names). */
export type WeekReadmeInput = {
  readonly frame: WeekFrame;
  readonly lookaheadWeek: string;
  readonly municipalities: number;
  readonly sites: number;
  readonly sitesWithTests: number;
};

/** Plain text as Windows Notepad and every editor open it: UTF-8 with BOM, CRLF line ends. */
function toText(lines: readonly string[]): Uint8Array {
  return new TextEncoder().encode(`\uFEFF${lines.join("\r\n")}\r\n`);
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function weekNumber(week: string): string {
  return String(Number(week.slice(6)));
}

/**
 * The read-me at the root of a published week folder: which classification the folder is from,
 * which test week (with dates) its rota covers, and what each file is for.
 */
export function renderWeekReadme(input: WeekReadmeInput, language: DocumentLanguage): Uint8Array {
  const labels = labelsFor(language);
  const { frame } = input;
  const check = formatDate(frame.classificationDate, labels);
  const classified = weekNumber(frame.classificationWeek);
  const monday = formatDate(frame.testDates[0] ?? "", labels);
  const sunday = formatDate(frame.testDates[6] ?? "", labels);
  const testWeek = `${labels.weekdays[0]} ${monday} – ${labels.weekdays[6]} ${sunday}`;
  const ahead = weekNumber(input.lookaheadWeek);
  if (language === "da") {
    return toText([
      `LÆS MIG – testrota, mappe ${frame.classificationWeek}`,
      "",
      `Mappen er fra klassifikationen onsdag ${check} (uge ${classified}).`,
      `Den indeholder den ENDELIGE testplan for TESTUGE ${frame.testWeekNumber}: ${testWeek}.`,
      "Mappens navn er klassifikationsugen; testplanen gælder ugen efter.",
      "",
      "Filer",
      ...table([
        [
          "classification.csv",
          `Status (rød/grøn) og incidens for alle ${input.municipalities} kommuner i uge ${classified}.`,
        ],
        [
          "municipalities/<kode>/rota.xlsx",
          "Kommunens arbejdsbog: forside og ét ark pr. arbejdssted. Den, koordinatoren åbner.",
        ],
        [
          "municipalities/<kode>/rota.csv",
          "Samme testplan som data (fast kolonneformat, UTF-8, semikolon) til andre systemer.",
        ],
        [
          "municipalities/<kode>/sites/<sted>.pdf",
          "Testliste til udskrift pr. arbejdssted: afkrydsning, prøve-ID og podningslog.",
        ],
        [
          "municipalities/<kode>/sites/<sted>.ics",
          "Kalender pr. arbejdssted: én aftale pr. testvagt, uden navne.",
        ],
        ["municipalities/<kode>/LÆS-MIG.txt", "Kort vejledning til kommunens mappe og dens arbejdssteder."],
        [
          "regions/<kode>/pickups.csv, .json",
          "Afhentning af prøver og levering af kits til regionens logistik: rute, rækkefølge, ETA (kun antal, ingen navne).",
        ],
        [
          "regions/<kode>/routes.pdf",
          "Ruteark til chaufførerne: én side pr. rute og kørsel, med kortskitse.",
        ],
        [
          `lookahead/${input.lookaheadWeek}/`,
          `FORELØBIG plan for uge ${ahead}; den endelige kommer med kørslen i uge ${frame.testWeekNumber}.`,
        ],
        ["summary.json", "Nøgletal for kørslen (ingen navne)."],
        ["manifest.json", "Alle filer med deres SHA-256."],
      ]),
      "",
      `${input.sitesWithTests} af ${input.sites} arbejdssteder har test i uge ${frame.testWeekNumber}. Arbejdssteder uden test får`,
      "ingen PDF og ingen kalender; arbejdsbogens forside og kommunens LÆS-MIG.txt nævner dem.",
      "Navne og medarbejdernumre står kun i kommunens egen mappe (municipalities/<kode>/).",
    ]);
  }
  return toText([
    `README – testrota, folder ${frame.classificationWeek}`,
    "",
    `This folder is from the classification on Wednesday ${check} (week ${classified}).`,
    `It holds the FINAL test rota of TEST WEEK ${frame.testWeekNumber}: ${testWeek}.`,
    "The folder is named after the classification week; its rota is for the week after.",
    "",
    "Files",
    ...table([
      [
        "classification.csv",
        `Status (red/green) and incidence of all ${input.municipalities} municipalities in week ${classified}.`,
      ],
      [
        "municipalities/<code>/rota.xlsx",
        "The municipality's workbook: a cover and one sheet per site. What the coordinator opens.",
      ],
      [
        "municipalities/<code>/rota.csv",
        "The same rota as data (fixed columns, UTF-8, semicolons) for other systems.",
      ],
      [
        "municipalities/<code>/sites/<site>.pdf",
        "Printable test list per site: tick boxes, sample IDs and the swab log.",
      ],
      [
        "municipalities/<code>/sites/<site>.ics",
        "Calendar per site: one event per test session, without names.",
      ],
      [
        "municipalities/<code>/LÆS-MIG.txt",
        "Short guide to the municipality's folder and its sites (README.txt in English).",
      ],
      [
        "regions/<code>/pickups.csv, .json",
        "Sample pickups and kit deliveries for the region's logistics: route, stop order, ETA (counts only, no names).",
      ],
      [
        "regions/<code>/routes.pdf",
        "Route sheets for the drivers: one page per route and run, with a sketch map.",
      ],
      [
        `lookahead/${input.lookaheadWeek}/`,
        `PROVISIONAL (FORELØBIG) rota of week ${ahead}; the final one comes with the run of week ${frame.testWeekNumber}.`,
      ],
      ["summary.json", "Key figures of the run (no names)."],
      ["manifest.json", "Every file with its SHA-256."],
    ]),
    "",
    `${input.sitesWithTests} of ${input.sites} sites have tests in week ${frame.testWeekNumber}. Sites without tests get no PDF`,
    "and no calendar; the workbook's cover and the municipality's read-me list them.",
    "Names and employee ids appear only in the municipality's own folder (municipalities/<code>/).",
  ]);
}

/** The read-me of one municipality's folder: its week, its files and which sites have tests. */
export function renderMunicipalityReadme(
  facts: MunicipalityFacts,
  frame: WeekFrame,
  sites: readonly SiteSessions[],
  language: DocumentLanguage,
): Uint8Array {
  const labels = labelsFor(language);
  const da = language === "da";
  const tested = sites.filter((site) => site.sessions.length > 0);
  const idle = sites.filter((site) => site.sessions.length === 0);
  const siteLines = (list: readonly SiteSessions[], withCount: boolean) =>
    list.length === 0
      ? [da ? "  (ingen)" : "  (none)"]
      : table(
          list.map((site) => [
            site.siteId,
            `${site.siteName}${withCount ? ` (${labels.tests(countSiteTests(site))}) → sites/${site.fileStem}.pdf, .ics` : ""}`,
          ]),
        );
  const why = explainNoTests(facts, frame, labels);
  const rosterNote = describeRosterNote(facts, labels);
  const check = formatDate(frame.classificationDate, labels);
  const count =
    why.length > 0
      ? why.join(" ")
      : da
        ? `${labels.tests(facts.tests)} på ${tested.length} arbejdssteder.`
        : `${labels.tests(facts.tests)} at ${tested.length} sites.`;
  const lines = da
    ? [
        `LÆS MIG – ${facts.name} Kommune (${facts.code}), testuge ${frame.testWeekNumber}`,
        "",
        `Testuge: ${describeTestWeek(frame, labels)}.`,
        `Klassifikation onsdag ${check}: ${describeStatus(facts, labels)}.`,
        ...(why.length > 0 ? [] : [describeFlow(facts, frame, labels)]),
        count,
        ...(rosterNote === undefined ? [] : [rosterNote]),
        "",
        "Filer",
        ...table([
          [
            "rota.xlsx",
            "Arbejdsbogen: forside og ét ark pr. arbejdssted. Udfyld Udfald og Prøve-ID, og send den retur.",
          ],
          [
            "rota.csv",
            "Samme plan som data til andre systemer (UTF-8, semikolon). Åbn arbejdsbogen i stedet.",
          ],
          [
            "sites/<sted>.pdf",
            "Testliste til udskrift: afkrydsning taget/afslået/fraværende, prøve-ID, podningslog.",
          ],
          ["sites/<sted>.ics", "Kalender: én aftale pr. testvagt med antal test, uden navne."],
        ]),
        "",
        `Arbejdssteder med test i uge ${frame.testWeekNumber}`,
        ...siteLines(tested, true),
        "",
        "Arbejdssteder uden test (ingen PDF, ingen kalender)",
        ...siteLines(idle, false),
      ]
    : [
        `README – ${facts.name} (${facts.code}), test week ${frame.testWeekNumber}`,
        "",
        `Test week: ${describeTestWeek(frame, labels)}.`,
        `Classification on Wednesday ${check}: ${describeStatus(facts, labels)}.`,
        ...(why.length > 0 ? [] : [describeFlow(facts, frame, labels)]),
        count,
        ...(rosterNote === undefined ? [] : [rosterNote]),
        "",
        "Files",
        ...table([
          [
            "rota.xlsx",
            "The workbook: a cover and one sheet per site. Fill in Outcome and Sample ID and send it back.",
          ],
          [
            "rota.csv",
            "The same rota as data for other systems (UTF-8, semicolons). Open the workbook instead.",
          ],
          ["sites/<site>.pdf", "Printable test list: tick taken/declined/absent, sample ID, swab log."],
          [
            "sites/<site>.ics",
            "Calendar: one event per test session with the number of tests, without names.",
          ],
        ]),
        "",
        `Sites with tests in week ${frame.testWeekNumber}`,
        ...siteLines(tested, true),
        "",
        "Sites without tests (no PDF, no calendar)",
        ...siteLines(idle, false),
      ];
  return toText(lines);
}

/**
 * The read-me of the provisional look-ahead folder; its first line says FORELØBIG / PROVISIONAL.
 * The rota files beside it keep the contract's CSV header as their first line (a CSV reader must
 * still read them); their name carries the word instead.
 */
export function renderLookaheadReadme(
  frame: WeekFrame,
  lookaheadWeek: string,
  language: DocumentLanguage,
): Uint8Array {
  const week = weekNumber(lookaheadWeek);
  const next = frame.testWeekNumber;
  return toText(
    language === "da"
      ? [
          `FORELØBIG – testplan for uge ${week} (${lookaheadWeek}), IKKE endelig`,
          "",
          `Planen er lavet ved klassifikationen i uge ${weekNumber(frame.classificationWeek)} som et første bud på uge ${week}: cyklus-test,`,
          "udskudte test og uge 1-test for kommuner, der netop er blevet røde. Gentest afhænger af næste",
          `uges kontrol og er ikke med. Den ENDELIGE plan for uge ${week} kommer med kørslen i uge ${next}`,
          `(mappen ${frame.testWeek}/).`,
          "",
          `municipalities/<kode>/${LOOKAHEAD_ROTA_NAME}: samme kolonner som rota.csv.`,
        ]
      : [
          `PROVISIONAL (FORELØBIG) – test rota of week ${week} (${lookaheadWeek}), NOT final`,
          "",
          `Planned at the classification of week ${weekNumber(frame.classificationWeek)} as a first view of week ${week}: cycle tests,`,
          "deferred tests and week-1 tests of municipalities that just turned red. Retests depend on next",
          `week's check and are not in it. The FINAL rota of week ${week} comes with the run of week ${next}`,
          `(folder ${frame.testWeek}/).`,
          "",
          `municipalities/<code>/${LOOKAHEAD_ROTA_NAME}: the same columns as rota.csv.`,
        ],
  );
}
