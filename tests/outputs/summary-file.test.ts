import { describe, expect, it } from "vitest";
import { renderSummaryJson } from "../../src/outputs/summary-file.ts";

describe("renderSummaryJson", () => {
  it("keeps the key order given, indents by 2 and ends with a newline", () => {
    const summary = {
      week: "2020-W44",
      generatedAt: "2020-10-28T06:00:00.000Z",
      counts: { red: 3, green: 95 },
    };
    const text = new TextDecoder().decode(renderSummaryJson(summary));
    expect(text).toBe(
      [
        "{",
        '  "week": "2020-W44",',
        '  "generatedAt": "2020-10-28T06:00:00.000Z",',
        '  "counts": {',
        '    "red": 3,',
        '    "green": 95',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it.each([
    { name: "an employee id key", summary: { deferred: [{ employeeId: "E1" }] } },
    { name: "a snake-case employee id key", summary: { rows: { employee_id: "E1" } } },
    { name: "a staff list", summary: { staff: [] } },
  ])("refuses $name", ({ summary }) => {
    expect(() => renderSummaryJson(summary)).toThrow(/staff data/);
  });
});
