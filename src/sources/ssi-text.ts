import { isUtf8 } from "node:buffer";
import { parseCsvTable, type CsvColumns, type CsvTable } from "../lib/csv-table.ts";
import { InputError } from "../errors.ts";
import { quoteValue } from "./describe.ts";
import { csvLimitsOf, formatBytes, limitExceeded, type SourceLimits } from "./limits.ts";

/** The name of this source in logs, errors and the run ledger. */
export const SSI_SOURCE_NAME = "ssi";
export const TIME_SERIES_FILE = "Municipality_cases_time_series.csv";
export const TEST_POS_FILE = "Municipality_test_pos.csv";

/**
 * Reads one of SSI's files into a table through the one CSV reader: UTF-8 with an optional BOM,
 * `;`-separated, fields padded with spaces (trimmed), within the size limits. Every row must have
 * as many fields as the header, so a cut (truncated) line is named by its line.
 */
export function readSsiTable(
  bytes: Uint8Array,
  file: string,
  expected: CsvColumns,
  expectedHeader: string,
  limits: SourceLimits,
): CsvTable {
  if (bytes.length > limits.maxPayloadBytes) {
    throw limitExceeded(
      SSI_SOURCE_NAME,
      file,
      `${bytes.length} bytes`,
      "maxPayloadBytes",
      formatBytes(limits.maxPayloadBytes),
    );
  }
  // Checked on the bytes, without decoding a copy of the whole file: the CSV reader decodes
  // field by field. A non-UTF-8 file is refused, never read with U+FFFD in the data.
  if (!isUtf8(bytes)) {
    throw new InputError({ file }, `not UTF-8 text — expected SSI's UTF-8 CSV file`);
  }
  if (isBlank(bytes)) {
    throw new InputError({ file }, `empty file — expected a header ${expectedHeader} and rows`);
  }
  const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return parseCsvTable(file, content, expected, { limits: csvLimitsOf(limits, SSI_SOURCE_NAME, file) });
}

/** Nothing but a BOM, spaces and line breaks. */
function isBlank(bytes: Uint8Array): boolean {
  const BOM = [0xef, 0xbb, 0xbf];
  const start = BOM.every((byte, i) => bytes[i] === byte) ? BOM.length : 0;
  for (let i = start; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return true;
}

const DANISH_INTEGER = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$/;

/**
 * A whole number as SSI writes it: `.` thousands separator, optionally a `,` decimal comma with
 * zero decimals (`3.657`, `3657`, `3.657,0`). Anything else (negatives, fractions) is
 * undefined. A huge number (10^23) comes back inexact: callers bound every count.
 */
export function parseDanishCount(text: string): number | undefined {
  const match = DANISH_INTEGER.exec(text);
  const digits = match?.[1];
  if (digits === undefined) return undefined;
  if (match?.[2] !== undefined && !/^0+$/.test(match[2])) return undefined;
  return Number(digits.replaceAll(".", ""));
}

/** How a count that is not a whole number ≥ 0 is described: quoted, at most 40 characters. */
export function describeCount(text: string): string {
  return /^-\d/.test(text) ? `negative count ${quoteValue(text)}` : `count ${quoteValue(text)}`;
}

/** `1.234.567`: a number as SSI writes it, for messages that compare with the files. */
export function formatDanish(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** Header names compared as SSI spells them in either file: NFC, trimmed, lower case. */
export function normaliseName(name: string): string {
  return name.normalize("NFC").trim().toLowerCase();
}
