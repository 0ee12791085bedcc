import { Unzip, UnzipInflate, unzipSync, type UnzipFile, type UnzipFileInfo } from "fflate";
import { SourceError } from "../errors.ts";
import { formatBytes, limitExceeded, type SourceLimits } from "./limits.ts";
import type { RawPayload } from "./source.ts";
import { SSI_SOURCE_NAME, TEST_POS_FILE, TIME_SERIES_FILE } from "./ssi-text.ts";

/**
 * Compressed bytes handed to the inflater at a time. DEFLATE expands at most about 1032:1, so
 * one step yields at most ~16 MB and a zip bomb is stopped within one step of its limit.
 */
const CHUNK_BYTES = 16 * 1024;

export function baseName(entry: string): string {
  return entry.split(/[/\\]/).at(-1) ?? entry;
}

/**
 * An entry's name as messages and payload origins show it: the folder part is the zip's own
 * text, so it is kept only when short and plain, else replaced by `…`.
 */
function shownName(entry: string): string {
  const base = baseName(entry);
  const folder = entry.slice(0, entry.length - base.length);
  return folder.length <= 40 && /^[\w .()/+-]*$/.test(folder) ? entry : `…/${base}`;
}

/** The zip's table of contents (central directory), read without decompressing anything. */
function listEntries(zip: Uint8Array, origin: string): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  try {
    unzipSync(zip, {
      filter: (file) => {
        entries.push(file);
        return false;
      },
    });
  } catch (error) {
    throw new SourceError(
      SSI_SOURCE_NAME,
      `${origin} is not a readable zip archive — expected SSI's zip holding ${TIME_SERIES_FILE} and ${TEST_POS_FILE}`,
      { cause: error },
    );
  }
  return entries;
}

function findEntry(entries: readonly UnzipFileInfo[], name: string, origin: string): UnzipFileInfo {
  const matches = entries.filter((entry) => baseName(entry.name).toLowerCase() === name.toLowerCase());
  const [entry, ...others] = matches;
  if (entry === undefined) {
    throw new SourceError(
      SSI_SOURCE_NAME,
      `${origin} holds no ${name} — expected ${TIME_SERIES_FILE} and ${TEST_POS_FILE} in the zip`,
    );
  }
  if (others.length > 0) {
    const names = matches
      .slice(0, 3)
      .map((m) => shownName(m.name))
      .join(", ");
    throw new SourceError(
      SSI_SOURCE_NAME,
      `${origin} holds ${name} more than once (${names}) — expected one`,
    );
  }
  return entry;
}

type Inflating = { chunks: Uint8Array[]; received: number; done: boolean };

/**
 * Inflates the named entries of `zip` while counting: each entry stops at `maxPayloadBytes` and
 * all of them together at `maxDecompressedBytes`, whatever sizes the zip declares. Entries not
 * named are skipped without being inflated.
 */
function inflateEntries(
  zip: Uint8Array,
  origin: string,
  wanted: readonly string[],
  limits: SourceLimits,
): Map<string, Uint8Array> {
  const progress = new Map<string, Inflating>();
  let total = 0;
  let failure: Error | undefined;
  const unzip = new Unzip((file: UnzipFile) => {
    if (!wanted.includes(file.name) || progress.has(file.name)) return;
    const state: Inflating = { chunks: [], received: 0, done: false };
    progress.set(file.name, state);
    file.ondata = (error, data, final) => {
      if (failure !== undefined) return;
      if (error !== null) {
        failure = new SourceError(
          SSI_SOURCE_NAME,
          `${origin}#${shownName(file.name)}: cannot inflate (${error.message}) — expected a readable zip entry`,
          { cause: error },
        );
        return;
      }
      state.received += data.length;
      total += data.length;
      if (state.received > limits.maxPayloadBytes) {
        failure = limitExceeded(
          SSI_SOURCE_NAME,
          `${origin}#${shownName(file.name)}`,
          `more than ${state.received} bytes decompressed`,
          "maxPayloadBytes",
          formatBytes(limits.maxPayloadBytes),
        );
        return;
      }
      if (total > limits.maxDecompressedBytes) {
        failure = limitExceeded(
          SSI_SOURCE_NAME,
          origin,
          `more than ${total} bytes decompressed`,
          "maxDecompressedBytes",
          formatBytes(limits.maxDecompressedBytes),
        );
        return;
      }
      if (data.length > 0) state.chunks.push(data);
      state.done = final;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < zip.length && failure === undefined; at += CHUNK_BYTES) {
      unzip.push(zip.subarray(at, at + CHUNK_BYTES), at + CHUNK_BYTES >= zip.length);
    }
  } catch (error) {
    failure ??= new SourceError(
      SSI_SOURCE_NAME,
      `${origin} is not a readable zip archive (${(error as Error).message}) — expected SSI's zip`,
      { cause: error },
    );
  }
  if (failure !== undefined) throw failure;
  const result = new Map<string, Uint8Array>();
  for (const name of wanted) {
    const state = progress.get(name);
    if (state?.done !== true) {
      throw new SourceError(
        SSI_SOURCE_NAME,
        `${origin}#${shownName(name)}: the entry ends early — expected a complete zip`,
      );
    }
    result.set(name, Buffer.concat(state.chunks, state.received));
  }
  return result;
}

/**
 * Extracts SSI's pair from a zip (in any folder). A missing or repeated file is a `SourceError`;
 * so is an entry whose declared or actual decompressed size passes the limits (a zip bomb fails
 * at the limit, not after filling the memory).
 */
export function extractPair(
  zip: Uint8Array,
  origin: string,
  limits: SourceLimits,
): { timeSeries: RawPayload; testPos: RawPayload } {
  const entries = listEntries(zip, origin);
  const chosen = [TIME_SERIES_FILE, TEST_POS_FILE].map((name) => findEntry(entries, name, origin));
  for (const entry of chosen) {
    if (entry.originalSize > limits.maxPayloadBytes) {
      throw limitExceeded(
        SSI_SOURCE_NAME,
        `${origin}#${shownName(entry.name)}`,
        `declared size ${entry.originalSize} bytes`,
        "maxPayloadBytes",
        formatBytes(limits.maxPayloadBytes),
      );
    }
  }
  const names = chosen.map((entry) => entry.name);
  const inflated = inflateEntries(zip, origin, names, limits);
  const payload = (entry: UnzipFileInfo, name: string): RawPayload => ({
    name,
    origin: `${origin}#${shownName(entry.name)}`,
    bytes: inflated.get(entry.name) ?? new Uint8Array(),
  });
  const [series, testPos] = chosen as [UnzipFileInfo, UnzipFileInfo];
  return { timeSeries: payload(series, TIME_SERIES_FILE), testPos: payload(testPos, TEST_POS_FILE) };
}
