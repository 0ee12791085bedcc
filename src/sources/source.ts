import type { IncidenceDataset } from "../domain/incidence.ts";

/** A payload exactly as fetched, kept (compressed) beside the run for audit and offline replay. */
export type RawPayload = {
  /** Logical name, e.g. `Municipality_test_pos.csv` or `arcgis-page-0003.json`. */
  readonly name: string;
  /** Where it came from: URL (without credentials) or absolute file path. */
  readonly origin: string;
  readonly bytes: Uint8Array;
};

export type FetchResult = {
  readonly dataset: IncidenceDataset;
  readonly payloads: readonly RawPayload[];
  /** Which layout of the source's files was read, where it has several (ssi: `2020` or `2021+`). */
  readonly format?: string | undefined;
};

/**
 * An incidence adapter. Implementations are created by factories (`createSsiSource`,
 * `createArcgisSource`, `createCsvSource`) and faked in tests through this same type.
 * `fetchIncidence` validates before returning and throws `SourceError` on anything bad.
 */
export type IncidenceSource = {
  readonly name: string;
  fetchIncidence(signal?: AbortSignal): Promise<FetchResult>;
};

/** Reads a local path or fetches a URL; the HTTP implementation retries and times out. */
export type ReadLocation = (location: string, signal?: AbortSignal) => Promise<Uint8Array>;
