/**
 * What both floors of the benchmark (io-floor.ts, library-floor.ts) read and write the same way:
 * csv-parse's options for the inputs, and rota rows in the rota's columns cycled from a roster
 * export's records, written with the rota's CSV options.
 */
import { stringify } from "csv-stringify/sync";

export const PARSE_OPTIONS = { bom: true, delimiter: ";", trim: true, skip_empty_lines: true } as const;

const HEADER = ["employee_id", "name", "site_id", "site_name", "date", "weekday", "shift", "reason"];

/** `count` rota rows cycled from a roster export's `records` (its first record is the header). */
export function makeRotaRows(
  records: readonly string[][],
  count: number,
  siteNames: ReadonlyMap<string, string>,
): string[][] {
  const rows: string[][] = [];
  for (let i = 1; i <= count; i++) {
    const record = records[1 + ((i - 1) % Math.max(1, records.length - 1))] ?? [];
    const site = record[2] ?? "";
    rows.push([
      record[0] ?? "",
      record[1] ?? "",
      site,
      siteNames.get(site) ?? "",
      "2020-10-05",
      "monday",
      record[3] ?? "",
      "cycle",
    ]);
  }
  return rows;
}

/** The rota's CSV (header, BOM, CRLF) of `rows`. */
export function stringifyRotaRows(rows: readonly string[][]): string {
  return stringify([HEADER, ...rows], {
    bom: true,
    delimiter: ";",
    record_delimiter: "\r\n",
    quote_record_delimiter: true,
    eof: true,
  });
}
