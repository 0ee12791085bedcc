import { describe, expect, it } from "vitest";
import { redactUrl } from "../../src/lib/redact-url.ts";

describe("redactUrl", () => {
  const cases = [
    {
      name: "plain URL unchanged",
      url: "https://x.dk/a.csv?where=1%3D1&f=json",
      expected: "https://x.dk/a.csv?where=1%3D1&f=json",
    },
    { name: "user and password removed", url: "https://u:p@x.dk/a.csv", expected: "https://x.dk/a.csv" },
    {
      name: "token value replaced",
      url: "https://x.dk/q?token=abc&f=json",
      expected: "https://x.dk/q?token=REDACTED&f=json",
    },
    { name: "key value replaced", url: "https://x.dk/q?key=abc", expected: "https://x.dk/q?key=REDACTED" },
    { name: "unparseable URL loses credentials", url: "//u:p@host/x", expected: "//host/x" },
  ];
  it.each(cases)("$name", ({ url, expected }) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
