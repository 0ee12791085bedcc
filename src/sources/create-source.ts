import type { Dispatcher } from "undici";
import type { Config } from "../config.ts";
import type { Municipality } from "../domain/reference.ts";
import type { Logger } from "../log.ts";
import { createArcgisSource } from "./arcgis.ts";
import { createCsvSource } from "./csv-source.ts";
import { createHttpClient } from "./http-client.ts";
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
  const http = createHttpClient(config.http, {
    logger: deps.logger,
    userAgent: deps.userAgent,
    dispatcher: deps.dispatcher,
  });
  const readLocation = createReadLocation({ http });
  const settings = config.source;
  try {
    const source =
      settings.type === "ssi"
        ? createSsiSource(settings, { readLocation, municipalities: deps.municipalities })
        : settings.type === "arcgis"
          ? createArcgisSource(settings, {
              http,
              municipalities: deps.municipalities,
              timezone: config.timezone,
            })
          : createCsvSource(settings, { readLocation, municipalities: deps.municipalities });
    return { source, close: () => http.close() };
  } catch (error) {
    // A source rejected its settings: nothing will use the client.
    void http.close();
    throw error;
  }
}
