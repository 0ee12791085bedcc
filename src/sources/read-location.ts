import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { AbortedError, SourceError } from "../errors.ts";
import type { HttpClient } from "./http-client.ts";
import { redactUrl } from "../lib/redact-url.ts";
import type { ReadLocation } from "./source.ts";

export type ReadLocationDeps = {
  /** Needed only for http(s) locations. */
  readonly http?: HttpClient | undefined;
};

/**
 * Reads a location named in the config: http(s) URLs through the HTTP client (retry, deadline,
 * size limit), `file:` URLs and everything else from the local file system.
 */
export function createReadLocation(deps: ReadLocationDeps): ReadLocation {
  return async (location, signal) => {
    if (/^https?:\/\//i.test(location)) {
      if (deps.http === undefined) {
        throw new SourceError(redactUrl(location), "no HTTP client available to fetch this URL");
      }
      return deps.http.getBytes(location, signal);
    }
    const path = /^file:/i.test(location) ? fileURLToPath(location) : location;
    try {
      return new Uint8Array(await readFile(path, { signal }));
    } catch (error) {
      if (signal?.aborted === true) throw new AbortedError(`reading ${path} aborted`, { cause: error });
      const code = (error as NodeJS.ErrnoException).code;
      const problem =
        code === "ENOENT"
          ? "file not found, expected the incidence file at this path"
          : `cannot read file (${code ?? (error as Error).message})`;
      throw new SourceError(path, problem, { cause: error });
    }
  };
}
