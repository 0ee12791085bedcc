import { createHash } from "node:crypto";
import { z } from "zod";
import { readPublishedFile } from "../portal/published-files.ts";
import {
  countRotaTests,
  readPickupTotals,
  readWeekOverview,
  type PickupTotals,
} from "../portal/week-overview.ts";
import type { WeekFacts } from "./messages.ts";

const manifestSchema = z.object({
  files: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number() })),
});

/**
 * What the notifications of a published week say, read back from the published folder: its
 * overview, the digest of its manifest (which publication this is), rota row counts of the
 * municipalities and pickup totals of the regions. Undefined when the week is not (completely)
 * published.
 */
export async function readWeekFacts(
  outDir: string,
  week: string,
  regionNames: ReadonlyMap<number, string>,
): Promise<WeekFacts | undefined> {
  const manifestBytes = await readPublishedFile(outDir, week, "manifest.json");
  const overview = await readWeekOverview(outDir, week);
  if (manifestBytes === undefined || overview === undefined) return undefined;
  const manifest = manifestSchema.parse(JSON.parse(manifestBytes.toString("utf8"))).files;
  const testsByMunicipality = new Map<number, number>();
  for (const m of overview.municipalities) {
    const tests = await countRotaTests(outDir, week, m.code);
    if (tests !== undefined) testsByMunicipality.set(m.code, tests);
  }
  const pickupsByRegion = new Map<number, PickupTotals>();
  for (const region of new Set(overview.municipalities.map((m) => m.regionCode))) {
    const totals = await readPickupTotals(outDir, week, region);
    if (totals !== undefined) pickupsByRegion.set(region, totals);
  }
  return {
    overview,
    digest: createHash("sha256").update(manifestBytes).digest("hex"),
    manifest,
    testsByMunicipality,
    pickupsByRegion,
    regionNames,
  };
}
