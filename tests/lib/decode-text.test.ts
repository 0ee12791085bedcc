import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeText } from "../../src/lib/decode-text.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))),
  );

describe("decodeText", () => {
  it.each([
    { name: "UTF-8", input: utf8("a;b\nSøren;Åse\n"), text: "a;b\nSøren;Åse\n", encoding: "utf-8" },
    {
      name: "UTF-8 with BOM (dropped)",
      input: bytes([0xef, 0xbb, 0xbf], "a;Ø"),
      text: "a;Ø",
      encoding: "utf-8",
    },
    // S ø r e n in Windows-1252: ø is the single byte 0xF8.
    {
      name: "Windows-1252",
      input: bytes("a\n", [0x53, 0xf8, 0x72, 0x65, 0x6e]),
      text: "a\nSøren",
      encoding: "windows-1252",
    },
    {
      name: "Windows-1252 with € (0x80) and curly quotes (0x93, 0x94)",
      input: bytes([0x80, 0x93, 0x41, 0x94]),
      text: "€“A”",
      encoding: "windows-1252",
    },
    {
      name: "UTF-16LE with BOM",
      input: bytes([0xff, 0xfe, 0x41, 0x00, 0xf8, 0x00]),
      text: "Aø",
      encoding: "utf-16le",
    },
    {
      name: "UTF-16BE with BOM",
      input: bytes([0xfe, 0xff, 0x00, 0x41, 0x00, 0xf8]),
      text: "Aø",
      encoding: "utf-16be",
    },
    { name: "an empty file", input: new Uint8Array(), text: "", encoding: "utf-8" },
  ])("reads $name", ({ input, text, encoding }) => {
    expect(decodeText(input)).toEqual({ ok: true, text, encoding });
  });

  it.each([
    {
      name: "a byte undefined in Windows-1252 (0x81) on line 2",
      input: bytes("a;b\nx", [0x81], "y\n"),
      line: 2,
      says: "byte 0x81 is neither UTF-8 nor Windows-1252",
    },
    {
      name: "UTF-8 and Windows-1252 mixed (ø as UTF-8 on line 1, as 0xF8 on line 3)",
      input: bytes("Søren\nok\n", [0x53, 0xf8]),
      line: 3,
      says: "two encodings mixed",
    },
    {
      name: "a UTF-8 BOM followed by a Windows-1252 byte",
      input: bytes([0xef, 0xbb, 0xbf], "a\nb\n", [0xe6]),
      line: 3,
      says: "byte order mark but byte 0xE6 is not UTF-8",
    },
    {
      name: "UTF-16 without a BOM (NUL bytes in the first line)",
      input: Buffer.from("a;b\nc;d\n", "utf16le"),
      line: 1,
      says: "UTF-16 without a byte order mark",
    },
    {
      name: "UTF-16LE with an odd number of bytes",
      input: bytes([0xff, 0xfe, 0x41, 0x00, 0x42]),
      line: 1,
      says: "odd number of bytes",
    },
    {
      name: "UTF-16LE with a lone surrogate",
      input: bytes([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]),
      line: 1,
      says: "invalid UTF-16",
    },
  ])("refuses $name", ({ input, line, says }) => {
    const decoded = decodeText(input);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.line).toBe(line);
    expect(decoded.problem).toContain(says);
  });

  it("never puts U+FFFD into the text of a file Windows-1252 can decode", () => {
    // Every byte Windows-1252 defines, once, except NUL (read as a sign of UTF-16).
    const defined = [...Array(256).keys()].filter(
      (byte) => byte !== 0 && ![0x81, 0x8d, 0x8f, 0x90, 0x9d].includes(byte),
    );
    const decoded = decodeText(Uint8Array.from(defined));
    expect(decoded).toMatchObject({ ok: true, encoding: "windows-1252" });
    if (!decoded.ok) return;
    expect(decoded.text).not.toContain("\uFFFD");
    expect(decoded.text).toBe(iconv.decode(Buffer.from(defined), "windows-1252"));
    expect(decoded.text).toContain("€");
    for (const letter of "æøåÆØÅ") expect(decoded.text).toContain(letter);
  });
});
