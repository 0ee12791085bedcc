import { stringify } from "csv-stringify/sync";

export type CsvValue = string | number;

/**
 * Renders a CSV file the way Danish Excel opens it correctly: UTF-8 with BOM, `;` between fields,
 * `\r\n` after every record, quotes only around fields that need them (a `;`, a quote or a line
 * break). Numbers are written as given (`.` decimal point); callers format decimals themselves.
 */
export function renderCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): Uint8Array {
  for (const [index, row] of rows.entries()) {
    if (row.length !== header.length) {
      throw new Error(`CSV row ${index + 1} has ${row.length} fields, expected ${header.length}`);
    }
  }
  const text = stringify([header, ...rows] as unknown[], {
    bom: true,
    delimiter: ";",
    record_delimiter: "\r\n",
    // With a custom record delimiter csv-stringify stops quoting bare `\n`/`\r` by default,
    // which would split a record when read back; keep quoting them.
    quote_record_delimiter: true,
    eof: true,
  });
  return new TextEncoder().encode(text);
}
