import { describe, expect, it } from "vitest";
import { checkFieldText, describeValue, quoteValue } from "../../src/roster/field-text.ts";

const NAME = { maxLength: 200 };
const ID = { maxLength: 64, id: true };

describe("checkFieldText", () => {
  it.each([
    { name: "plain Danish text", value: "Søren Ærøskøbing", rule: NAME },
    { name: "a tab inside", value: "Vej 1\tst.", rule: NAME },
    { name: "an Arabic name with a right-to-left mark (allowed in names)", value: "ليلى\u200F", rule: NAME },
    { name: "exactly the limit", value: "x".repeat(64), rule: ID },
    { name: "64 astral characters (128 UTF-16 units)", value: "😀".repeat(64), rule: ID },
  ])("accepts $name", ({ value, rule }) => {
    expect(checkFieldText(value, rule)).toBeUndefined();
  });

  it.each([
    { name: "NUL", value: "Søren\u0000", rule: NAME, says: "found a NUL byte at character 6" },
    { name: "a line feed", value: "a\nb", rule: NAME, says: "found a line break at character 2" },
    { name: "a carriage return", value: "\rb", rule: NAME, says: "found a line break at character 1" },
    {
      name: "ESC",
      value: "a\u001b[31m",
      rule: NAME,
      says: "found a control character U+001B at character 2",
    },
    { name: "DEL", value: "a\u007f", rule: NAME, says: "found a control character U+007F" },
    {
      name: "a C1 control (NEL)",
      value: "a\u0085b",
      rule: NAME,
      says: "found a C1 control character U+0085",
    },
    {
      name: "a line separator",
      value: "a\u2028b",
      rule: NAME,
      says: "found a Unicode line separator U+2028",
    },
    {
      name: "a right-to-left override",
      value: "abc\u202Egpj.exe",
      rule: NAME,
      says: "found a bidirectional-text control U+202E (it can disguise text) at character 4",
    },
    {
      name: "a first-strong isolate",
      value: "\u2068x",
      rule: NAME,
      says: "bidirectional-text control U+2068",
    },
    { name: "U+FFFD", value: "S\uFFFDren", rule: NAME, says: "found a replacement character U+FFFD" },
    {
      name: "a zero-width space in an id",
      value: "S0101\u200B",
      rule: ID,
      says: "invisible character U+200B",
    },
    {
      name: "a no-break space in an id",
      value: "S0101\u00A0NH01",
      rule: ID,
      says: "invisible character U+00A0",
    },
    {
      name: "65 characters in an id",
      value: "x".repeat(65),
      rule: ID,
      says: "expected at most 64 characters, found 65",
    },
    {
      name: "a 100,000-character name",
      value: "Æ".repeat(100_000),
      rule: NAME,
      says: "expected at most 200 characters, found 100000",
    },
  ])("refuses $name", ({ value, rule, says }) => {
    const problem = checkFieldText(value, rule);
    expect(problem).toContain(says);
    expect(problem).not.toContain(value);
  });
});

describe("quoteValue", () => {
  it.each([
    { name: "a short value", value: "S0101-NH01", quoted: '"S0101-NH01"' },
    { name: "quotes and backslashes", value: 'a"b\\c', quoted: '"a\\"b\\\\c"' },
    { name: "control characters", value: "a\u0000b\u202Ec\n", quoted: '"a\\u0000b\\u202Ec\\u000A"' },
    {
      name: "a long value, cut at 40 characters",
      value: `${"0123456789".repeat(4)}TAIL${"z".repeat(99_956)}`,
      quoted: `"${"0123456789".repeat(4)}…" (100000 characters)`,
    },
  ])("quotes $name", ({ value, quoted }) => {
    expect(quoteValue(value)).toBe(quoted);
  });
});

describe("describeValue", () => {
  it.each([
    { value: "", described: "an empty value" },
    { value: "x", described: "a value of 1 character" },
    { value: "Søren Ærøskøbing", described: "a value of 16 characters" },
    { value: "31-10-20", described: "a value of 8 characters shaped 99-99-99" },
    // A CPR number is described by its shape only.
    { value: "010203-1234", described: "a value of 11 characters shaped 999999-9999" },
  ])("describes $value as $described", ({ value, described }) => {
    expect(describeValue(value)).toBe(described);
  });
});
