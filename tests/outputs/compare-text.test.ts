import { describe, expect, it } from "vitest";
import { compareText } from "../../src/outputs/compare-text.ts";

describe("compareText", () => {
  it("orders by UTF-16 code units, whatever the locale", () => {
    // Z U+005A < a U+0061 < Æ U+00C6 < å U+00E5; a Danish or English collation would put "a"
    // before "Z" and group "å" with "a" or after "Æ".
    expect(["å", "Æ", "a", "Z"].sort(compareText)).toEqual(["Z", "a", "Æ", "å"]);
    // Digits compare one by one: "S10" < "S2" (1 U+0031 < 2 U+0032), no numeric collation.
    expect(["S2", "S10", "S1"].sort(compareText)).toEqual(["S1", "S10", "S2"]);
    // 😀 U+1F600 is the surrogate pair D83D DE00, before ﬀ U+FB00 in code units (after it in code points).
    expect(["ﬀ", "😀"].sort(compareText)).toEqual(["😀", "ﬀ"]);
  });

  it.each([
    { a: "a", b: "b", sign: -1 },
    { a: "b", b: "a", sign: 1 },
    { a: "Ø", b: "Ø", sign: 0 },
    { a: "ab", b: "a", sign: 1 },
    { a: "", b: "a", sign: -1 },
  ])("compares $a with $b as $sign", ({ a, b, sign }) => {
    expect(Math.sign(compareText(a, b))).toBe(sign);
  });
});
