import { chmodSync, renameSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { DateTime } from "luxon";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { IncidenceDataset } from "../domain/incidence.ts";
import { AbortedError, ConfigError } from "../errors.ts";
import { writeDurably } from "../lib/durable-write.ts";
import type { Logger } from "../log.ts";
import { renderWhatIfCsv } from "../outputs/report/whatif-csv.ts";
import { renderWhatIfReport } from "../outputs/report/whatif-report.ts";
import { summarizeWhatIfRegion } from "../outputs/report/whatif-summary.ts";
import type { WhatIfCapacity, WhatIfData } from "../outputs/report/whatif-types.ts";
import { createInputLoader, type RunInputs } from "../roster/load-inputs.ts";
import { readReferenceTable, type ReferenceTable } from "../roster/read-reference.ts";
import { createIncidenceSource } from "../sources/create-source.ts";
import { TEST_POS_FILE, TIME_SERIES_FILE } from "../sources/ssi.ts";
import { makeDirectory, modesFor } from "../store/file-modes.ts";
import { silentProgress, type Progress } from "../worker/progress.ts";
import { readCapacityFile } from "./capacity-file.ts";
import { replayCapacity, type CapacityReplay } from "./replay-capacity.ts";

export type WhatIfRequest = {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly from: IsoWeek;
  readonly to: IsoWeek;
  readonly capacity: WhatIfCapacity;
  /** A folder with SSI's pair (`Municipality_cases_time_series.csv`, `Municipality_test_pos.csv`) instead of the configured source. */
  readonly sourceDir?: string | undefined;
  /** Where `whatif/<from>_<to>/` goes (default: the config's out folder). */
  readonly outDir?: string | undefined;
  /** `testrota/<version>`, sent when the configured source is fetched over HTTP. */
  readonly userAgent: string;
  readonly signal?: AbortSignal | undefined;
  readonly progress?: Progress | undefined;
};

/** What a what-if did: figures for the terminal (counts only) and where it wrote them. */
export type WhatIfOutcome = {
  readonly from: string;
  readonly to: string;
  readonly weeks: number;
  readonly staffCount: number;
  readonly capacity: WhatIfCapacity;
  readonly durationMs: number;
  readonly dir: string;
  readonly report: string;
  readonly csv: string;
  readonly staffOverSixWeeks: number;
  readonly regions: readonly {
    readonly code: number;
    readonly name: string;
    readonly capacityPerDay: number;
    readonly neededPeak: number;
    readonly neededP95: number;
    readonly deferrals: number;
    readonly weeksShort: number;
  }[];
};

/** Fetches the history once: the configured source, or SSI's pair from `sourceDir`. */
async function fetchHistory(
  request: WhatIfRequest,
  reference: ReferenceTable,
): Promise<{ dataset: IncidenceDataset; name: string }> {
  const { config } = request;
  const source =
    request.sourceDir === undefined
      ? config.source
      : {
          type: "ssi" as const,
          timeSeries: join(resolve(request.sourceDir), TIME_SERIES_FILE),
          testPos: join(resolve(request.sourceDir), TEST_POS_FILE),
        };
  const handle = createIncidenceSource(
    { ...config, source },
    {
      logger: request.logger,
      municipalities: reference.municipalities,
      clock: request.clock,
      userAgent: request.userAgent,
    },
  );
  try {
    const fetched = await handle.source.fetchIncidence(request.signal);
    if (fetched.dataset.kind !== "daily") {
      throw new ConfigError([
        `${config.configFile}: source.type: a what-if replays daily history (ssi), got ${config.source.type}; use --source-dir with SSI's files`,
      ]);
    }
    return { dataset: fetched.dataset, name: handle.source.name };
  } finally {
    await handle.close();
  }
}

function capacityOf(request: WhatIfRequest, regionCodes: readonly number[]): Promise<Map<number, number>> {
  const { config, capacity } = request;
  if (capacity.kind === "file") return readCapacityFile(capacity.file, regionCodes);
  const scale = capacity.kind === "scaled" ? capacity.scale : 1;
  return Promise.resolve(
    new Map(config.regions.map((r) => [r.code, Math.round(r.labCapacityPerDay * scale)])),
  );
}

function describeHistory(dataset: IncidenceDataset, name: string): string {
  if (dataset.kind !== "daily") return name;
  return `${name.toUpperCase()} ${basename(dataset.origin)}, ${dataset.firstDate} – ${dataset.lastDate}`;
}

function buildData(
  request: WhatIfRequest,
  parts: { reference: ReferenceTable; inputs: RunInputs; replay: CapacityReplay; history: string },
): WhatIfData {
  const { config } = request;
  const regionName = new Map(parts.reference.regions.map((r) => [r.code, r.name]));
  const names = new Map(parts.inputs.municipalities.map((m) => [m.code, m]));
  return {
    from: request.from,
    to: request.to,
    generatedAt: DateTime.fromMillis(request.clock(), { zone: config.timezone }).toISO() ?? "",
    source: parts.history,
    roster: parts.inputs.rosterOrigin,
    capacity: request.capacity,
    regions: parts.replay.regions.map((region) => ({
      ...region,
      name: regionName.get(region.code) ?? String(region.code),
    })),
    gaps: [...parts.replay.staffOverSixWeeks].map(([code, count]) => ({
      municipalityCode: code,
      name: names.get(code)?.name ?? String(code),
      regionCode: names.get(code)?.regionCode ?? 0,
      staffOverSixWeeks: count,
    })),
  };
}

/** Writes each file next to its final name, then renames it over: a reader never sees half a file. */
async function writeFiles(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const modes = modesFor();
  makeDirectory(dir, modes);
  for (const [name, bytes] of files) {
    const temp = join(dir, `.${name}.tmp-${process.pid}`);
    await writeDurably(temp, bytes);
    chmodSync(temp, modes.file);
    renameSync(temp, join(dir, name));
  }
}

/**
 * `testrota whatif`: replays `from`…`to` of the real history with the configured roster and a
 * given lab capacity (see {@link replayCapacity}), then writes `whatif/<from>_<to>/report.html`
 * and `whatif.csv` under the out folder. The replay's state lives in memory only: the state
 * store is never opened and no published week is touched.
 */
export async function runWhatIf(request: WhatIfRequest): Promise<WhatIfOutcome> {
  const { config, signal } = request;
  const started = request.clock();
  const progress = request.progress ?? silentProgress;
  const stopIfAborted = (where: string) => {
    if (signal?.aborted === true) throw new AbortedError(`whatif: aborted ${where}, nothing written`);
  };
  progress.update("load roster", 0);
  const reference = await readReferenceTable(config.reference, undefined, config.referenceRules);
  const inputs = await createInputLoader(config).load();
  for (const warning of inputs.warnings) request.logger.warn({ warning }, "input warning");
  const capacityPerDay = await capacityOf(
    request,
    config.regions.map((r) => r.code),
  );
  stopIfAborted("before fetching the history");
  progress.update("fetch history", 0.02);
  const history = await fetchHistory(request, reference);
  const replay = replayCapacity({
    from: request.from,
    to: request.to,
    dataset: history.dataset,
    sourceName: history.name,
    municipalities: inputs.municipalities,
    sites: inputs.sites,
    staff: inputs.staff,
    thresholdPer100k: config.thresholdPer100k,
    windowOffsets: config.window,
    warmUpWeeks: config.warmUpWeeks,
    cycleAnchor: config.cycle.anchorWeek,
    // Config overrides only: the operator's decisions in the state store are not read.
    overrides: config.overrides,
    regions: config.regions,
    capacityPerDay,
    onWeek: (done, total, week) => {
      stopIfAborted(`after ${formatIsoWeek(week)}`);
      progress.update(`replay ${formatIsoWeek(week)} (${done}/${total})`, 0.05 + (0.9 * done) / total);
    },
  });
  progress.update("write report", 0.95);
  const data = buildData(request, {
    reference,
    inputs,
    replay,
    history: describeHistory(history.dataset, history.name),
  });
  const html = renderWhatIfReport(data, { language: config.documents.language });
  const dir = join(
    request.outDir ?? config.outDir,
    "whatif",
    `${formatIsoWeek(request.from)}_${formatIsoWeek(request.to)}`,
  );
  await writeFiles(
    dir,
    new Map([
      ["report.html", new TextEncoder().encode(html)],
      ["whatif.csv", renderWhatIfCsv(data)],
    ]),
  );
  progress.update("done", 1);
  return {
    from: formatIsoWeek(request.from),
    to: formatIsoWeek(request.to),
    weeks: replay.weeks,
    staffCount: inputs.staff.length,
    capacity: request.capacity,
    durationMs: request.clock() - started,
    dir,
    report: join(dir, "report.html"),
    csv: join(dir, "whatif.csv"),
    staffOverSixWeeks: data.gaps.reduce((sum, g) => sum + g.staffOverSixWeeks, 0),
    regions: data.regions.map((region) => {
      const summary = summarizeWhatIfRegion(region);
      return {
        code: region.code,
        name: region.name,
        capacityPerDay: region.capacityPerDay,
        neededPeak: region.needed.peak,
        neededP95: region.needed.p95,
        deferrals: summary.deferred,
        weeksShort: summary.weeksShort.length,
      };
    }),
  };
}
