import { readFile } from "node:fs/promises";
import { decodeText, isPlainUtf8 } from "../lib/decode-text.ts";
import { readCsvTable, type CsvColumns, type CsvTable } from "../lib/csv-table.ts";
import type { ProblemSink } from "./input-problems.ts";

export type InputText = { readonly bytes: Buffer; readonly text: string };

const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "a folder, not a file",
};

/** Why a file could not be read, e.g. "no such file". */
export function describeReadFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined ? READ_FAILURES[code] : undefined) ?? `unreadable (${code ?? "I/O error"})`;
}

/**
 * Decodes an input file's bytes (see `decodeText`): UTF-8, or Windows-1252 / UTF-16 with a
 * warning naming the file. A file that cannot be decoded is reported to `sink` (undefined).
 */
export function decodeInputText(path: string, bytes: Buffer, sink: ProblemSink): InputText | undefined {
  const decoded = decodeText(bytes);
  if (!decoded.ok) {
    sink.report({ file: path, line: decoded.line, message: decoded.problem });
    return undefined;
  }
  if (decoded.encoding === "windows-1252") {
    sink.warn(
      `${path}: not UTF-8, read as Windows-1252 (Excel's "CSV (semikolonsepareret)"); save it as "CSV UTF-8" to be sure every letter is read right`,
    );
  } else if (decoded.encoding !== "utf-8") {
    sink.warn(
      `${path}: read as ${decoded.encoding.toUpperCase()} (it has a byte order mark), expected UTF-8`,
    );
  }
  return { bytes, text: decoded.text };
}

/**
 * What the CSV parser reads of an input file: its bytes as they are when they are plain UTF-8
 * (the parser decodes each field itself, so a file of a million rows is not decoded twice),
 * else the text {@link decodeInputText} gives (with its warning or problem).
 */
export function decodeInputContent(
  path: string,
  bytes: Buffer,
  sink: ProblemSink,
): Buffer | string | undefined {
  if (!isPlainUtf8(bytes)) return decodeInputText(path, bytes, sink)?.text;
  // The decoder drops one byte order mark, and the parser another: so here.
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** Reads and decodes an input file; a file that cannot be read is reported to `sink` (undefined). */
export async function readInputText(
  path: string,
  what: string,
  sink: ProblemSink,
): Promise<InputText | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    sink.report({
      file: path,
      message: `${describeReadFailure(error)}, expected the ${what} as a readable file`,
    });
    return undefined;
  }
  return decodeInputText(path, bytes, sink);
}

/** Reads an input file's CSV table, reporting its structural problems to `sink` with the file name. */
export function readInputTable(
  path: string,
  text: string | Buffer,
  columns: CsvColumns,
  sink: ProblemSink,
): CsvTable | undefined {
  return readCsvTable(text, columns, (problem) =>
    sink.report(
      problem.line === undefined
        ? { file: path, message: problem.message }
        : { file: path, line: problem.line, message: problem.message },
    ),
  );
}
