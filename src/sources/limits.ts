import type { CsvLimits } from "../lib/csv-table.ts";
import { SourceError } from "../errors.ts";

/**
 * Size limits of the incidence sources, each enforced while the data streams in (download,
 * decompression, CSV parsing, ArcGIS paging) so that a hostile or broken payload fails at the
 * limit instead of after it has been held in memory. Real payloads are far below them: SSI's
 * whole 2020–2023 time series is 0.3 MB and 1,079 rows; an ArcGIS layer of 98 municipalities is
 * a few kB.
 */
export type SourceLimits = {
  /** One payload: a local file, or one zip entry after decompression (bytes). */
  readonly maxPayloadBytes: number;
  /** All entries decompressed from one zip together (bytes). */
  readonly maxDecompressedBytes: number;
  /** Records of one CSV file, header included. */
  readonly maxCsvRows: number;
  /** Fields of one CSV file over all its records. */
  readonly maxCsvFields: number;
  /** Characters of one CSV record. */
  readonly maxCsvRecordChars: number;
  /** Features over all pages of one ArcGIS fetch. */
  readonly maxArcgisFeatures: number;
  /** Bytes over all pages of one ArcGIS fetch. */
  readonly maxArcgisBytes: number;
};

const MiB = 1024 * 1024;

/** The defaults until the config offers `source.limits` (see docs/incidence-sources.md). */
export const DEFAULT_SOURCE_LIMITS: SourceLimits = {
  maxPayloadBytes: 50 * MiB,
  maxDecompressedBytes: 200 * MiB,
  maxCsvRows: 100_000,
  maxCsvFields: 2_000_000,
  maxCsvRecordChars: 64 * 1024,
  maxArcgisFeatures: 10_000,
  maxArcgisBytes: 50 * MiB,
};

/** The setting that would change each limit, named in the error so an operator knows what to raise. */
export const LIMIT_SETTINGS: Readonly<Record<keyof SourceLimits, string>> = {
  maxPayloadBytes: "http.maxResponseBytes",
  maxDecompressedBytes: "source.limits.maxDecompressedBytes",
  maxCsvRows: "source.limits.maxCsvRows",
  maxCsvFields: "source.limits.maxCsvFields",
  maxCsvRecordChars: "source.limits.maxCsvRecordChars",
  maxArcgisFeatures: "source.limits.maxArcgisFeatures",
  maxArcgisBytes: "source.limits.maxArcgisBytes",
};

/** `52428800 bytes (50 MiB)`: exact for the operator, readable at a glance. */
export function formatBytes(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0 ? `${bytes} bytes (${bytes / MiB} MiB)` : `${bytes} bytes`;
}

/** The error for a passed limit: exit 69, naming what, where, the limit and its setting. */
export function limitExceeded(
  source: string,
  where: string,
  what: string,
  limit: keyof SourceLimits,
  value: string,
): SourceError {
  return new SourceError(source, `${where}: ${what} exceeds the ${value} limit (${LIMIT_SETTINGS[limit]})`);
}

/**
 * The CSV parse limits of a source, failing with a `SourceError` naming the file (when it is not
 * the source itself) and line.
 */
export function csvLimitsOf(limits: SourceLimits, source: string, file?: string): CsvLimits {
  const where = file === undefined ? "" : `${file}: `;
  return {
    maxRows: limits.maxCsvRows,
    maxFields: limits.maxCsvFields,
    maxRecordChars: limits.maxCsvRecordChars,
    error: (problem, line) =>
      new SourceError(
        source,
        `${where}line ${line}: ${problem} (source.limits.maxCsvRows, maxCsvFields, maxCsvRecordChars)`,
      ),
  };
}
