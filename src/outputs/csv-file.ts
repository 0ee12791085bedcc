import { stringify } from "csv-stringify/sync";

export type CsvValue = string | number;

/** First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Defuses CSV formula injection (OWASP "CSV Injection"): a text value starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return gets a leading single quote, so a spreadsheet shows it as
 * text instead of running it (`=HYPERLINK(…)` → `'=HYPERLINK(…)`). Only text is escaped: a
 * value passed as a number (a count, a negative difference) is written as that number.
 */
export function escapeFormula(value: CsvValue): CsvValue {
  return typeof value === "string" && FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Renders a CSV file the way Danish Excel opens it correctly: UTF-8 with BOM, `;` between fields,
 * `\r\n` after every record, quotes only around fields that need them (a `;`, a quote or a line
 * break). Numbers are written as given (`.` decimal point); callers format decimals themselves.
 * Text values that a spreadsheet would run as a formula are escaped (see {@link escapeFormula});
 * this is the one CSV writer, so every published CSV is covered.
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
    // Numbers take csv-stringify's number cast and are never escaped.
    cast: { string: (value) => String(escapeFormula(value)) },
  });
  return new TextEncoder().encode(text);
}
