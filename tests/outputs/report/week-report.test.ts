import { beforeAll, describe, expect, it } from "vitest";
import { renderWeekReport } from "../../../src/outputs/report/week-report.ts";
import { buildDemoWeek, SSI_2020_09_30, TEST_OVERRIDES, type DemoWeek } from "./demo-week-data.ts";
import { classifyByHand, type HandStatus } from "./ssi-by-hand.ts";

/** Window of 2020-W40 (Wednesday 2020-09-30 − 8 … − 2) and of 2020-W39. */
const W40_WINDOW = { start: "2020-09-22", end: "2020-09-28" };
const W39_WINDOW = { start: "2020-09-15", end: "2020-09-21" };

function effective(hand: readonly HandStatus[]): Map<number, "red" | "green"> {
  const statuses = new Map(hand.map((h) => [h.code, h.status]));
  statuses.set(370, "green");
  statuses.set(787, "red");
  return statuses;
}

function headings(html: string): number[] {
  return [...html.matchAll(/<h([1-6])[ >]/g)].map((m) => Number(m[1]));
}

function listAfter(html: string, heading: string): string[] {
  const start = html.indexOf(heading);
  if (start < 0) throw new Error(`heading ${heading} not found`);
  const rest = html.slice(start);
  const end = rest.indexOf("</div>");
  return [...rest.slice(0, end).matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1] ?? "");
}

describe("renderWeekReport (2020-W40 built from the demo's SSI files and roster)", () => {
  let demo: DemoWeek;
  let html: string;
  const hand = classifyByHand(SSI_2020_09_30, W40_WINDOW);
  const lastWeek = classifyByHand(SSI_2020_09_30, W39_WINDOW);

  beforeAll(async () => {
    demo = await buildDemoWeek({ staffShare: 0.002, overrides: TEST_OVERRIDES });
    html = renderWeekReport(demo.data, { language: "da" });
  });

  it("the by-hand classification of SSI's rows gives 77 red and 21 green, as the demo prints", () => {
    expect(hand).toHaveLength(98);
    expect(hand.filter((h) => h.status === "red")).toHaveLength(77);
    // København: 618 cases in 7 days, 632,340 inhabitants → 97.73 per 100,000.
    expect(hand.find((h) => h.code === 101)).toMatchObject({
      cases: 618,
      population: 632_340,
      status: "red",
    });
  });

  it("draws one path per municipality, coloured by the effective status", () => {
    const shapes = [
      ...html.matchAll(
        /<path id="m(\d+)" class="muni[^"]*" d="M[^"]+" fill="(#[0-9a-f]{6})" data-code="\d+" data-status="(red|green)"/g,
      ),
    ];
    expect(shapes).toHaveLength(98);
    const expected = effective(hand);
    for (const [, code, fill, status] of shapes) {
      expect(status, `municipality ${code}`).toBe(expected.get(Number(code)));
      expect(fill, `municipality ${code}`).toBe(status === "red" ? "#b3261e" : "#8cc98c");
    }
    // Christiansø is not a municipality: not on the map.
    expect(html).not.toContain('id="m411"');
  });

  it("names each shape with incidence in Danish decimal comma, status and the override", () => {
    expect(html).toContain('aria-label="København, incidens 97,73, Rød"');
    const naestved = hand.find((h) => h.code === 370);
    const incidence = (((naestved?.cases ?? 0) * 100_000) / (naestved?.population ?? 1))
      .toFixed(2)
      .replace(".", ",");
    expect(html).toContain(
      `aria-label="Næstved, incidens ${incidence}, Grøn, overstyret: Forbliver grøn (rå status rød)"`,
    );
  });

  it("lists the municipalities that turned red or went back to green since 2020-W39", () => {
    const before = new Map(lastWeek.map((h) => [h.code, h.status]));
    const now = effective(hand);
    const names = new Map(hand.map((h) => [h.code, h.name]));
    const moved = (from: string, to: string) =>
      [...now]
        .filter(([code, status]) => status === to && before.get(code) === from)
        .map(([code]) => names.get(code) ?? "")
        .sort();
    const shown = (heading: string) =>
      listAfter(html, heading)
        .map((item) => item.replace(/ \(.*\)$/, ""))
        .sort();
    expect(shown("<h3>Skiftet til rød")).toEqual(moved("green", "red"));
    expect(shown("<h3>Tilbage til grøn")).toEqual(moved("red", "green"));
    expect(moved("green", "red").length).toBeGreaterThan(5);
  });

  it("shows the overrides in force with their decision and reason", () => {
    const overrides = html.slice(html.indexOf("STPS-afgørelser i kraft"));
    expect(overrides).toContain(
      '<th scope="row">Næstved</th><td>Forbliver grøn</td><td>2020-W40 – 2020-W42</td><td>Rød → Grøn</td>',
    );
    expect(overrides).toContain(
      '<th scope="row">Thisted</th><td>Tvunget rød</td><td>2020-W40 – 2020-W40</td><td>Grøn → Rød</td>',
    );
  });

  it("has a table fallback with all 98 municipalities ordered by region, then name", () => {
    const table = html.slice(html.indexOf('<details id="municipality-table">'));
    const rows = [
      ...table.matchAll(
        /<tr data-code="(\d+)" data-status="(red|green)"><td>([^<]+)<\/td><th scope="row">([^<]+)<\/th>/g,
      ),
    ];
    expect(rows).toHaveLength(98);
    const first = rows.slice(0, 3).map((r) => r[4]);
    // Region Nordjylland (1081) comes first; its names in code-point order (locale-free).
    expect(first).toEqual(["Aalborg", "Brønderslev", "Frederikshavn"]);
    expect(rows.at(-1)?.[3]).toBe("Region Sjælland");
  });

  it("is one page with one h1, ordered headings, Danish by language and nothing to fetch", () => {
    const levels = headings(html);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) {
      expect((levels[i] ?? 0) - (levels[i - 1] ?? 0)).toBeLessThanOrEqual(1);
    }
    expect(html).toContain('<html lang="da">');
    expect(html).toContain("<h1>Ugerapport 2020-W40</h1>");
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|https?:|src=/i);
  });

  it("charts every region's test days with role=img, a title and a description", () => {
    for (const code of [1081, 1082, 1083, 1084, 1085]) {
      expect(html).toContain(
        `<svg viewBox="0 0 520 250" width="520" height="250" role="img" aria-labelledby="load-${code}-title load-${code}-desc">`,
      );
    }
    // Region Nordjylland, test week 2020-W41: Monday 5 October is the first test day.
    expect(html).toMatch(
      /<desc id="load-1081-desc">mandag 5\. oktober 2020: [\d.]+ test \(dag [\d.]+, aften [\d.]+, nat [\d.]+\)/,
    );
  });

  it("carries no staff name or employee id of the roster it was built next to", () => {
    expect(demo.staff.length).toBeGreaterThan(5_000);
    const names = new Set(demo.staff.map((s) => s.name ?? ""));
    for (const name of names) expect(html.includes(name), name).toBe(false);
    const leaked = demo.staff.filter((s) => html.includes(s.employeeId)).map((s) => s.employeeId);
    expect(leaked).toEqual([]);
  });

  it("gives the same bytes for the same data, whatever the order of its lists", () => {
    const again = renderWeekReport(demo.data, { language: "da" });
    expect(again).toBe(html);
    const shuffled = {
      ...demo.data,
      classifications: [...demo.data.classifications].reverse(),
      previousClassifications: [...demo.data.previousClassifications].reverse(),
      cadenceEvents: new Map([...demo.data.cadenceEvents].reverse()),
      history: [...demo.data.history].reverse(),
      loads: [...demo.data.loads].reverse(),
    };
    expect(renderWeekReport(shuffled, { language: "da" })).toBe(html);
  });

  it("speaks English on request, with English number formats", () => {
    const english = renderWeekReport(demo.data, { language: "en" });
    expect(english).toContain('<html lang="en">');
    expect(english).toContain("<h1>Weekly report 2020-W40</h1>");
    expect(english).toContain('aria-label="København, incidence 97.73, Red"');
  });
});
