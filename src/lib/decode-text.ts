import { isUtf8 } from "node:buffer";
import iconv from "iconv-lite";

/** The encodings an input file is read in. */
export type TextEncodingName = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be";

export type DecodedText =
  | { readonly ok: true; readonly text: string; readonly encoding: TextEncodingName }
  /** `line` is 1-based, counted in `\n` bytes before the offending byte. */
  | { readonly ok: false; readonly line: number; readonly problem: string };

/** Bytes Windows-1252 leaves undefined: a file holding one is not Windows-1252 either. */
const UNDEFINED_IN_WINDOWS_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

const LINE_FEED = 0x0a;

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index += 1) if (bytes[index] === LINE_FEED) line += 1;
  return line;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** Length of the UTF-8 sequence starting at `offset`, or 0 when the bytes there are not valid UTF-8. */
function utf8SequenceLength(bytes: Uint8Array, offset: number): number {
  const lead = bytes[offset] ?? 0;
  const continuation = (at: number, min = 0x80, max = 0xbf): boolean => {
    const byte = bytes[offset + at];
    return byte !== undefined && byte >= min && byte <= max;
  };
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const min = lead === 0xe0 ? 0xa0 : 0x80;
    const max = lead === 0xed ? 0x9f : 0xbf;
    return continuation(1, min, max) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const min = lead === 0xf0 ? 0x90 : 0x80;
    const max = lead === 0xf4 ? 0x8f : 0xbf;
    return continuation(1, min, max) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

type Utf8Scan = { firstInvalid: number | undefined; multiByte: number };

function scanUtf8(bytes: Uint8Array): Utf8Scan {
  let firstInvalid: number | undefined;
  let multiByte = 0;
  let offset = 0;
  while (offset < bytes.length) {
    const length = utf8SequenceLength(bytes, offset);
    if (length === 0) {
      firstInvalid ??= offset;
      offset += 1;
    } else {
      if (length > 1) multiByte += 1;
      offset += length;
    }
  }
  return { firstInvalid, multiByte };
}

function decodeUtf16(bytes: Uint8Array, encoding: "utf-16le" | "utf-16be"): DecodedText {
  if ((bytes.length - 2) % 2 !== 0) {
    return {
      ok: false,
      line: lineAt(bytes, bytes.length - 1),
      problem: `starts with a ${encoding.toUpperCase()} byte order mark but has an odd number of bytes, expected UTF-8 (or complete UTF-16)`,
    };
  }
  try {
    return {
      ok: true,
      text: new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes),
      encoding,
    };
  } catch {
    return {
      ok: false,
      line: 1,
      problem: `starts with a ${encoding.toUpperCase()} byte order mark but holds invalid UTF-16, expected UTF-8`,
    };
  }
}

/** True when the first line holds a NUL byte: UTF-16 without a byte order mark. */
function hasNulInFirstLine(bytes: Uint8Array): boolean {
  const firstLineEnd = bytes.indexOf(LINE_FEED);
  return bytes.subarray(0, firstLineEnd === -1 ? bytes.length : firstLineEnd).indexOf(0) !== -1;
}

/**
 * True when {@link decodeText} reads `bytes` as UTF-8 without a word: valid UTF-8 (with or
 * without a BOM) and no NUL in the first line. Checked without decoding, for readers that let
 * the CSV parser decode.
 */
export function isPlainUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes) && !hasNulInFirstLine(bytes);
}

/**
 * Decodes an input file, so that no character is ever replaced by U+FFFD on the way:
 * - UTF-8 (with or without BOM) is the format asked for;
 * - invalid UTF-8 is read as Windows-1252 — what Danish Excel writes for "CSV (semikolonsepareret)"
 *   — unless that is undecidable: a byte Windows-1252 leaves undefined, or valid UTF-8 letters
 *   beside invalid bytes (two encodings mixed in one file);
 * - UTF-16 with a byte order mark (Excel's "Unicode text") is decoded as such;
 * - NUL bytes in the first line mean UTF-16 without a BOM, which cannot be read safely.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes, "utf-16le");
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes, "utf-16be");
  if (hasNulInFirstLine(bytes)) {
    return {
      ok: false,
      line: 1,
      problem:
        "the first line holds NUL bytes: looks like UTF-16 without a byte order mark, expected UTF-8 (Excel: CSV UTF-8)",
    };
  }
  try {
    // The common case, natively; TextDecoder drops a leading BOM.
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    // Not UTF-8: find out below whether it is Windows-1252.
  }
  const scan = scanUtf8(bytes);
  const firstInvalid = scan.firstInvalid ?? 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return {
      ok: false,
      line: lineAt(bytes, firstInvalid),
      problem: `starts with a UTF-8 byte order mark but byte ${hex(bytes[firstInvalid] ?? 0)} is not UTF-8, expected all UTF-8`,
    };
  }
  const undefinedAt = bytes.findIndex((byte) => UNDEFINED_IN_WINDOWS_1252.has(byte));
  if (undefinedAt !== -1) {
    return {
      ok: false,
      line: lineAt(bytes, undefinedAt),
      problem: `byte ${hex(bytes[undefinedAt] ?? 0)} is neither UTF-8 nor Windows-1252, expected a UTF-8 file`,
    };
  }
  if (scan.multiByte > 0) {
    return {
      ok: false,
      line: lineAt(bytes, firstInvalid),
      problem: `byte ${hex(bytes[firstInvalid] ?? 0)} is not UTF-8 although other lines are: two encodings mixed in one file, expected all UTF-8`,
    };
  }
  return { ok: true, text: iconv.decode(Buffer.from(bytes), "windows-1252"), encoding: "windows-1252" };
}
