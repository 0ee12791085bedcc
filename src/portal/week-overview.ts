import { parse } from "csv-parse/sync";
import { z } from "zod";
import { addWeeks, formatIsoWeek, parseIsoWeek } from "../domain/calendar.ts";
import type { RecipientScope } from "../store/recipients.ts";
import { readPublishedFile } from "./published-files.ts";

/*
 * What a published week says, for the portal's pages and the notifications: read from the
 * week's own nameless files (summary.json, classification.csv, the region's pickups.json), and
 * for a municipality the number of rows of its rota (counted, never read out). Nothing here
 * carries a staff name or id.
 */

export type Status = "red" | "green";

export type MunicipalityStatus = {
  readonly code: number;
  readonly name: string;
  readonly regionCode: number;
  readonly incidence: string;
  readonly status: Status;
  readonly rawStatus: Status;
  /** The STPS decision that changed the status, or "". */
  readonly override: string;
  /** The status in the week before, when that week was published; null otherwise. */
  readonly previousStatus: Status | null;
  /** The red-flow step of the week (`flow-started`, `week-1-next`, …; `none`). */
  readonly event: string;
};

export type WeekOverview = {
  readonly week: string;
  readonly testWeek: string;
  readonly lookaheadWeek: string;
  readonly generatedAt: string;
  readonly red: number;
  readonly green: number;
  readonly tests: number;
  readonly deferred: number;
  readonly gapViolations: number;
  readonly municipalities: readonly MunicipalityStatus[];
};

export type PickupTotals = {
  readonly pickups: number;
  readonly sites: number;
  readonly samples: number;
  readonly kits: number;
  readonly firstDate: string | null;
  readonly lastDate: string | null;
};

const summarySchema = z.object({
  week: z.string(),
  test_week: z.string(),
  generated_at: z.string(),
  counts: z.object({
    red: z.number(),
    green: z.number(),
    tests: z.number(),
    deferred: z.number(),
    gapViolations: z.number().default(0),
  }),
  red_flow: z.array(z.object({ code: z.number(), event: z.string() })).default([]),
  lookahead: z.object({ test_week: z.string() }).optional(),
});

const pickupsSchema = z.object({
  pickups: z.array(
    z.object({ date: z.string(), site_id: z.string(), samples: z.number(), kits_to_deliver: z.number() }),
  ),
});

type ClassificationRow = Record<string, string>;

function parseCsv(bytes: Buffer): ClassificationRow[] {
  return parse<ClassificationRow>(bytes, {
    bom: true,
    delimiter: ";",
    columns: true,
    skip_empty_lines: true,
  });
}

function asStatus(text: string | undefined): Status {
  return text === "red" ? "red" : "green";
}

async function readClassification(outDir: string, week: string): Promise<ClassificationRow[] | undefined> {
  const bytes = await readPublishedFile(outDir, week, "classification.csv");
  return bytes === undefined ? undefined : parseCsv(bytes);
}

/** The week's overview, or undefined when the week is not published (or its summary unreadable). */
export async function readWeekOverview(outDir: string, week: string): Promise<WeekOverview | undefined> {
  const bytes = await readPublishedFile(outDir, week, "summary.json");
  if (bytes === undefined) return undefined;
  let summary: z.output<typeof summarySchema>;
  try {
    summary = summarySchema.parse(JSON.parse(bytes.toString("utf8")));
  } catch {
    return undefined;
  }
  const parsedWeek = parseIsoWeek(week);
  const previousWeek = parsedWeek === undefined ? undefined : formatIsoWeek(addWeeks(parsedWeek, -1));
  const [rows = [], previousRows = []] = await Promise.all([
    readClassification(outDir, week),
    previousWeek === undefined ? undefined : readClassification(outDir, previousWeek),
  ]);
  const previous = new Map(previousRows.map((row) => [row.municipality_code, asStatus(row.status)]));
  const events = new Map(summary.red_flow.map((flow) => [flow.code, flow.event]));
  const municipalities = rows.map((row) => {
    const code = Number(row.municipality_code);
    return {
      code,
      name: row.municipality ?? "",
      regionCode: Number(row.region_code),
      incidence: row.incidence_per_100k ?? "",
      status: asStatus(row.status),
      rawStatus: asStatus(row.raw_status),
      override: row.override ?? "",
      previousStatus: previous.get(row.municipality_code ?? "") ?? null,
      event: events.get(code) ?? "none",
    };
  });
  return {
    week,
    testWeek: summary.test_week,
    lookaheadWeek: summary.lookahead?.test_week ?? "",
    generatedAt: summary.generated_at,
    red: summary.counts.red,
    green: summary.counts.green,
    tests: summary.counts.tests,
    deferred: summary.counts.deferred,
    gapViolations: summary.counts.gapViolations,
    municipalities,
  };
}

/** The municipalities a scope is about: its own, its region's, or (national) all of them. */
export function municipalitiesOf(overview: WeekOverview, scope: RecipientScope): MunicipalityStatus[] {
  switch (scope.role) {
    case "municipality":
      return overview.municipalities.filter((m) => scope.codes.includes(m.code));
    case "region":
      return overview.municipalities.filter((m) => scope.codes.includes(m.regionCode));
    case "national":
      return [...overview.municipalities];
  }
}

/** True when the municipality's status or red flow changed this week. */
export function hasChanged(m: MunicipalityStatus): boolean {
  return (
    (m.previousStatus !== null && m.previousStatus !== m.status) ||
    (m.event !== "none" && m.event !== "in-flow")
  );
}

/** Tests in a municipality's final rota of the week: its rows, counted without reading them out. */
export async function countRotaTests(
  outDir: string,
  week: string,
  code: number,
): Promise<number | undefined> {
  const bytes = await readPublishedFile(outDir, week, `municipalities/${code}/rota.csv`);
  if (bytes === undefined) return undefined;
  const records = parse(bytes, { bom: true, delimiter: ";", skip_empty_lines: true }) as unknown[];
  return Math.max(0, records.length - 1);
}

/** Pickups, sites, samples and kits of a region's schedule of the week. */
export async function readPickupTotals(
  outDir: string,
  week: string,
  region: number,
): Promise<PickupTotals | undefined> {
  const bytes = await readPublishedFile(outDir, week, `regions/${region}/pickups.json`);
  if (bytes === undefined) return undefined;
  let pickups: z.output<typeof pickupsSchema>["pickups"];
  try {
    pickups = pickupsSchema.parse(JSON.parse(bytes.toString("utf8"))).pickups;
  } catch {
    return undefined;
  }
  const dates = pickups.map((p) => p.date).sort();
  return {
    pickups: pickups.length,
    sites: new Set(pickups.map((p) => p.site_id)).size,
    samples: pickups.reduce((sum, p) => sum + p.samples, 0),
    kits: pickups.reduce((sum, p) => sum + p.kits_to_deliver, 0),
    firstDate: dates[0] ?? null,
    lastDate: dates.at(-1) ?? null,
  };
}
