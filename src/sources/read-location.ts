import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { AbortedError, SourceError } from "../errors.ts";
import type { HttpClient } from "./http-client.ts";
import { redactUrl } from "../lib/redact-url.ts";
import { DEFAULT_SOURCE_LIMITS, formatBytes, limitExceeded } from "./limits.ts";
import type { ReadLocation } from "./source.ts";

export type ReadLocationDeps = {
  /** Needed only for http(s) locations. */
  readonly http?: HttpClient | undefined;
  /** Largest local file read (bytes); URLs have the HTTP client's `maxResponseBytes`. */
  readonly maxBytes?: number | undefined;
};

/**
 * Reads a local file while counting, so that a huge file (or a device that never ends) fails at
 * `maxBytes` instead of filling the memory.
 */
async function readLimited(path: string, maxBytes: number, signal: AbortSignal | undefined) {
  const chunks: Buffer[] = [];
  let received = 0;
  const stream = createReadStream(path, { signal, highWaterMark: 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      stream.destroy();
      throw limitExceeded(
        path,
        "reading the file",
        `its content (${received} bytes read so far)`,
        "maxPayloadBytes",
        formatBytes(maxBytes),
      );
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, received));
}

/**
 * Reads a location named in the config: http(s) URLs through the HTTP client (retry, deadline,
 * size limit), `file:` URLs and everything else from the local file system (size limit).
 */
export function createReadLocation(deps: ReadLocationDeps): ReadLocation {
  const maxBytes = deps.maxBytes ?? DEFAULT_SOURCE_LIMITS.maxPayloadBytes;
  return async (location, signal) => {
    if (/^https?:\/\//i.test(location)) {
      if (deps.http === undefined) {
        throw new SourceError(redactUrl(location), "no HTTP client available to fetch this URL");
      }
      return deps.http.getBytes(location, signal);
    }
    const path = /^file:/i.test(location) ? fileURLToPath(location) : location;
    try {
      return await readLimited(path, maxBytes, signal);
    } catch (error) {
      if (error instanceof SourceError) throw error;
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
