import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/worker/app.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";
import { readPublishedCsv } from "../support/published-files.ts";
import { createRunFixture, SMALL_ROSTER, useFileRoster, type RunFixture } from "../support/run-fixture.ts";

/*
 * Defect 4 of issue 10: two municipalities' HR systems both number their staff from 1. The same
 * employee id in two roster files is two people: both are planned, and each name appears only in
 * its own municipality's files. Before identities were (municipality, employee id), the second
 * person was never tested (`skippedRows: 1`) and the first municipality's rota showed the second
 * one's name.
 */

const W40 = { year: 2020, week: 40 };

let fixture: RunFixture | undefined;
afterEach(() => {
  fixture?.cleanup();
  fixture = undefined;
});

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/** The readable text of a published file: CSV, JSON, TXT, ICS as they are, an xlsx's XML parts. */
function textOf(path: string): string {
  const bytes = readFileSync(path);
  if (path.endsWith(".xlsx")) {
    return Object.values(unzipSync(new Uint8Array(bytes)))
      .map((part) => strFromU8(part))
      .join("\n");
  }
  return bytes.toString("utf8");
}

/** Gives the first staff row of a municipality's roster file employee id `1` and `name`. */
function renumberFirstRow(rosterDir: string, code: number, name: string): void {
  const file = join(rosterDir, `${code}.csv`);
  const lines = readFileSync(file, "utf8").split("\n");
  // Columns: employee_id;name;site_id;shift;start_date;end_date (line 0 is the header).
  const cells = (lines[1] ?? "").split(";");
  expect(cells).toHaveLength(6);
  cells[0] = "1";
  cells[1] = name;
  // Employed throughout, so the red retest of the test week covers them.
  cells[4] = "";
  cells[5] = "";
  lines[1] = cells.join(";");
  writeFileSync(file, lines.join("\n"));
}

describe("the same employee id in two municipalities", () => {
  it("plans both people and puts each name only into its own municipality's files", async () => {
    fixture = createRunFixture((json) => {
      json.demoRoster = SMALL_ROSTER;
    });
    const { rosterDir } = await useFileRoster(fixture);
    // Ballerup (151) and Gladsaxe (159) are still red at W40's check: every member of their staff
    // is retested in test week W41, so both employees `1` must be in the rota.
    renumberFirstRow(rosterDir, 151, "Anna Identitet");
    renumberFirstRow(rosterDir, 159, "Bent Identitet");

    const app = await createApp({ config: fixture.config(), logger: createCapturingLogger().logger });
    let report;
    try {
      report = await app.runWeek(W40, { trigger: "cli" });
    } finally {
      await app.close();
    }
    expect(report.planChanges.skippedRows).toBe(0);
    const out = join(fixture.outDir, "2020-W40");

    const rowOfOne = (code: number) =>
      readPublishedCsv(join(out, "municipalities", String(code), "rota.csv")).filter((row) => row[0] === "1");
    expect(rowOfOne(151).map((row) => [row[1], row[7]])).toEqual([["Anna Identitet", "red-retest"]]);
    expect(rowOfOne(159).map((row) => [row[1], row[7]])).toEqual([["Bent Identitet", "red-retest"]]);
    expect(rowOfOne(151)[0]?.[2]).toMatch(/^S0151-/);
    expect(rowOfOne(159)[0]?.[2]).toMatch(/^S0159-/);

    const own = new Map([
      ["Anna Identitet", "151"],
      ["Bent Identitet", "159"],
    ]);
    const seenIn = new Map<string, string[]>([...own.keys()].map((name) => [name, []]));
    for (const file of listFiles(out).filter((f) => /\.(csv|json|txt|ics|xlsx)$/.test(f))) {
      const text = textOf(join(out, file));
      for (const name of own.keys()) if (text.includes(name)) seenIn.get(name)?.push(file);
    }
    for (const [name, code] of own) {
      const files = seenIn.get(name) ?? [];
      expect(files.length, name).toBeGreaterThan(0);
      // Only the municipality's own folder (this week's and the look-ahead's).
      expect(
        files.filter((file) => !file.includes(`municipalities/${code}/`)),
        name,
      ).toEqual([]);
    }
  });
});
