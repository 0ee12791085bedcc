import type { DailyCasesDataset } from "../domain/incidence.ts";
import { CHRISTIANSOE_CODE, type Municipality } from "../domain/reference.ts";
import { AbortedError, ConfigError, SourceError, TestrotaError } from "../errors.ts";
import { redactUrl } from "../lib/redact-url.ts";
import type { Logger } from "../log.ts";
import { describePartialData } from "./describe.ts";
import { DEFAULT_SOURCE_LIMITS, type SourceLimits } from "./limits.ts";
import type { IncidenceSource, RawPayload, ReadLocation } from "./source.ts";
import { checkTotals } from "./ssi-checks.ts";
import { DATE_COLUMNS, readSeriesLayout, readSeriesRows, type SsiFormat } from "./ssi-series.ts";
import { readTestPos, type TestPosRow } from "./ssi-test-pos.ts";
import { normaliseName, readSsiTable, SSI_SOURCE_NAME, TEST_POS_FILE, TIME_SERIES_FILE } from "./ssi-text.ts";
import { baseName, extractPair } from "./ssi-zip.ts";

export { SSI_SOURCE_NAME, TEST_POS_FILE, TIME_SERIES_FILE } from "./ssi-text.ts";
export type { SsiFormat } from "./ssi-series.ts";

export type SsiPairInput = {
  readonly timeSeries: Uint8Array;
  readonly testPos: Uint8Array;
  /** Path or URL of each file, named in error messages. */
  readonly timeSeriesOrigin: string;
  readonly testPosOrigin: string;
  readonly municipalities: readonly Municipality[];
  /** Size limits (defaults: DEFAULT_SOURCE_LIMITS). */
  readonly limits?: SourceLimits | undefined;
};

/** The parsed pair and which of SSI's layouts the time series had. */
export type SsiPair = { readonly dataset: DailyCasesDataset; readonly format: SsiFormat };

export type SsiSettings = {
  readonly timeSeries?: string | undefined;
  readonly testPos?: string | undefined;
  /** A zip holding both files (in any folder), instead of the two locations. */
  readonly zip?: string | undefined;
};

export type SsiDeps = {
  readonly readLocation: ReadLocation;
  readonly municipalities: readonly Municipality[];
  /** Where the source says which file and format it read. */
  readonly logger?: Logger | undefined;
  readonly limits?: SourceLimits | undefined;
};

/**
 * Maps names to codes: first the test_pos file's own code/name pairs, then the reference names
 * and the other spellings SSI uses (`Copenhagen` for København in the time series).
 */
function buildNameIndex(
  testPos: ReadonlyMap<number, TestPosRow>,
  municipalities: readonly Municipality[],
): Map<string, number> {
  // Christiansø's column (later files) is recognised and then ignored like its test_pos row.
  const index = new Map<string, number>([[normaliseName("Christiansø"), CHRISTIANSOE_CODE]]);
  for (const [code, row] of testPos) index.set(normaliseName(row.name), code);
  for (const municipality of municipalities) {
    for (const name of [municipality.name, ...municipality.aliases]) {
      const key = normaliseName(name);
      if (!index.has(key)) index.set(key, municipality.code);
    }
  }
  return index;
}

/**
 * Parses SSI's pair — `Municipality_cases_time_series.csv` (new confirmed cases per sample date,
 * one column per municipality *by name*) and `Municipality_test_pos.csv` (code, name, cumulative
 * confirmed, population) — in either layout (`date_sample`, 2020; `SampleDate` with `NA` and
 * Christiansø columns, later) and joins them on the municipality code.
 *
 * Validated by meaning: every municipality has a population; a municipality without a column
 * must have no confirmed case (else partial data, `SourceError`); every column is a known
 * municipality; counts are whole numbers between 0 and the population; dates strictly ascend,
 * skipping only 2020-02-29 (SSI has no row for it) unless the totals prove a skipped date had no
 * case; and where the pair's totals are comparable (see `checkTotals`) swapped columns and
 * missing days are named. The last (incomplete) day is kept: the classification window excludes
 * it by date. Problems in a file are `InputError`s naming file and line.
 */
export function parseSsiPairWithFormat(input: SsiPairInput): SsiPair {
  const { timeSeriesOrigin: seriesFile, testPosOrigin: testPosFile, municipalities } = input;
  const limits = input.limits ?? DEFAULT_SOURCE_LIMITS;
  const codes = new Set(municipalities.map((m) => m.code));
  const testPos = readTestPos(input.testPos, testPosFile, codes, limits);
  const withoutPopulation = municipalities.filter((m) => !testPos.has(m.code));
  if (withoutPopulation.length > 0) {
    throw new SourceError(
      SSI_SOURCE_NAME,
      describePartialData(
        withoutPopulation,
        `no row (population) in ${testPosFile}`,
        `a row for each of the ${municipalities.length} municipalities`,
      ),
    );
  }
  const populationOf = (code: number): number => testPos.get(code)?.population ?? 0;

  const expectedHeader = `${DATE_COLUMNS["2020"]} or ${DATE_COLUMNS["2021+"]};<municipality>;…`;
  const table = readSsiTable(input.timeSeries, seriesFile, { required: [] }, expectedHeader, limits);
  const layout = readSeriesLayout(table.header, seriesFile, buildNameIndex(testPos, municipalities));
  const partial = municipalities.filter(
    (m) => !layout.positionByCode.has(m.code) && (testPos.get(m.code)?.confirmed ?? 0) > 0,
  );
  if (partial.length > 0) {
    throw new SourceError(
      SSI_SOURCE_NAME,
      describePartialData(
        partial,
        `missing municipality column in ${seriesFile}`,
        `a column for every municipality with confirmed cases in ${testPosFile}`,
      ),
    );
  }
  const series = readSeriesRows(table, layout, municipalities, populationOf, seriesFile);
  checkTotals({ header: table.header, layout, series, testPos, seriesFile });

  const firstDate = series.dates[0];
  const lastDate = series.dates.at(-1);
  if (firstDate === undefined || lastDate === undefined) {
    throw new SourceError(SSI_SOURCE_NAME, `${seriesFile}: no dated rows — expected one row per sample date`);
  }
  return {
    format: layout.format,
    dataset: {
      kind: "daily",
      origin: seriesFile,
      firstDate,
      lastDate,
      casesByCode: series.casesByCode,
      populationByCode: new Map(municipalities.map((m) => [m.code, populationOf(m.code)])),
    },
  };
}

/** `parseSsiPairWithFormat`'s dataset alone. */
export function parseSsiPair(input: SsiPairInput): DailyCasesDataset {
  return parseSsiPairWithFormat(input).dataset;
}

/**
 * The `ssi` incidence source: SSI's CSV pair read from two locations (paths or URLs), or from
 * one zip holding both. Returns the parsed dataset, the format read (`2020` or `2021+`, also
 * logged) and the raw bytes as fetched (the two CSVs, or the zip) for audit and offline replay.
 * Untyped failures become `SourceError("ssi", …)`.
 */
export function createSsiSource(settings: SsiSettings, deps: SsiDeps): IncidenceSource {
  const { zip, timeSeries, testPos } = settings;
  const limits = deps.limits ?? DEFAULT_SOURCE_LIMITS;
  if (zip === undefined && (timeSeries === undefined || testPos === undefined)) {
    throw new ConfigError(["source (ssi): expected either `zip` or both `timeSeries` and `testPos`"]);
  }

  async function read(location: string, signal: AbortSignal | undefined): Promise<RawPayload> {
    const origin = redactUrl(location);
    try {
      return {
        name: baseName(origin.split(/[?#]/)[0] ?? origin),
        origin,
        bytes: await deps.readLocation(location, signal),
      };
    } catch (error) {
      if (error instanceof TestrotaError) throw error;
      if (signal?.aborted === true) {
        throw new AbortedError(`source ${SSI_SOURCE_NAME}: reading ${origin} aborted`, { cause: error });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new SourceError(SSI_SOURCE_NAME, `cannot read ${origin}: ${reason}`, { cause: error });
    }
  }

  async function readPair(signal: AbortSignal | undefined) {
    if (zip !== undefined) {
      const archive = await read(zip, signal);
      return { payloads: [archive], pair: extractPair(archive.bytes, archive.origin, limits) };
    }
    const [seriesPayload, testPosPayload] = await Promise.all([
      read(timeSeries ?? "", signal),
      read(testPos ?? "", signal),
    ]);
    const pair = {
      timeSeries: { ...seriesPayload, name: TIME_SERIES_FILE },
      testPos: { ...testPosPayload, name: TEST_POS_FILE },
    };
    return { payloads: [pair.timeSeries, pair.testPos], pair };
  }

  return {
    name: SSI_SOURCE_NAME,
    async fetchIncidence(signal) {
      const { payloads, pair } = await readPair(signal);
      try {
        const { dataset, format } = parseSsiPairWithFormat({
          timeSeries: pair.timeSeries.bytes,
          testPos: pair.testPos.bytes,
          timeSeriesOrigin: pair.timeSeries.origin,
          testPosOrigin: pair.testPos.origin,
          municipalities: deps.municipalities,
          limits,
        });
        deps.logger?.info(
          {
            source: SSI_SOURCE_NAME,
            format,
            timeSeries: pair.timeSeries.origin,
            firstDate: dataset.firstDate,
            lastDate: dataset.lastDate,
          },
          `ssi source read (${format} format)`,
        );
        return { dataset, payloads, format };
      } catch (error) {
        if (error instanceof TestrotaError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new SourceError(SSI_SOURCE_NAME, `cannot parse ${pair.timeSeries.origin}: ${reason}`, {
          cause: error,
        });
      }
    },
  };
}
