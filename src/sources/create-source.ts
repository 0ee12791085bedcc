import type { Dispatcher } from "undici";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Municipality } from "../domain/reference.ts";
import type { Logger } from "../log.ts";
import { createArcgisSource } from "./arcgis.ts";
import { createCsvSource } from "./csv-source.ts";
import { createHttpClient } from "./http-client.ts";
import { DEFAULT_SOURCE_LIMITS, type SourceLimits } from "./limits.ts";
import { createReadLocation } from "./read-location.ts";
import type { IncidenceSource } from "./source.ts";
import { createSsiSource } from "./ssi.ts";

export type IncidenceSourceDeps = {
  readonly logger: Logger;
  readonly municipalities: readonly Municipality[];
  /** `testrota/<version>`, sent as User-Agent. */
  readonly userAgent: string;
  /** Replaces the proxy-aware agent (tests). */
  readonly dispatcher?: Dispatcher | undefined;
  /** The run's clock (default: the system clock). */
  readonly clock?: Clock | undefined;
  /**
   * Size limits; by default DEFAULT_SOURCE_LIMITS with the payload limit of `http.maxResponseBytes`
   * (until the config has a `source.limits` section).
   */
  readonly limits?: SourceLimits | undefined;
};

export type IncidenceSourceHandle = {
  readonly source: IncidenceSource;
  /** Closes the HTTP client's connections. */
  close(): Promise<void>;
};

/**
 * Builds the incidence source named by `config.source` (ssi, arcgis or csv) on one HTTP client
 * configured from `config.http`. The caller closes it when the run is over.
 */
export function createIncidenceSource(config: Config, deps: IncidenceSourceDeps): IncidenceSourceHandle {
  const limits = deps.limits ?? {
    ...DEFAULT_SOURCE_LIMITS,
    maxPayloadBytes: config.http.maxResponseBytes,
  };
  const http = createHttpClient(config.http, {
    logger: deps.logger,
    userAgent: deps.userAgent,
    dispatcher: deps.dispatcher,
    clock: deps.clock,
  });
  const readLocation = createReadLocation({ http, maxBytes: limits.maxPayloadBytes });
  const settings = config.source;
  const { municipalities, logger } = deps;
  try {
    const source =
      settings.type === "ssi"
        ? createSsiSource(settings, { readLocation, municipalities, logger, limits })
        : settings.type === "arcgis"
          ? createArcgisSource(settings, {
              http,
              municipalities,
              timezone: config.timezone,
              now: deps.clock,
              limits,
            })
          : createCsvSource(settings, { readLocation, municipalities, limits });
    return { source, close: () => http.close() };
  } catch (error) {
    // A source rejected its settings: nothing will use the client.
    void http.close();
    throw error;
  }
}
