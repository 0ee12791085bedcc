import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import { createCollectingSink, createThrowingSink, formatProblem } from "../../src/roster/input-problems.ts";

describe("createCollectingSink", () => {
  it("keeps at most the cap per file, sorted by line, and counts the rest in one entry", () => {
    const sink = createCollectingSink(2);
    sink.report({ file: "b.csv", line: 9, column: "shift", message: "m1" });
    sink.report({ file: "a.csv", line: 5, message: "m2" });
    sink.report({ file: "b.csv", line: 4, column: "name", message: "m3" });
    sink.report({ file: "b.csv", line: 2, message: "m4" });
    sink.report({ file: "b.csv", line: 3, message: "m5" });
    sink.report({ file: "a.csv", message: "m6" });
    expect(sink.problems()).toEqual([
      { file: "b.csv", line: 4, column: "name", message: "m3" },
      { file: "b.csv", line: 9, column: "shift", message: "m1" },
      { file: "b.csv", message: "… and 2 more problems in this file" },
      { file: "a.csv", message: "m6" },
      { file: "a.csv", line: 5, message: "m2" },
    ]);
    expect(sink.count()).toBe(6);
  });

  it("keeps warnings apart from problems", () => {
    const sink = createCollectingSink();
    sink.warn("x.csv: read as Windows-1252");
    expect(sink.problems()).toEqual([]);
    expect(sink.warnings).toEqual(["x.csv: read as Windows-1252"]);
  });
});

describe("createThrowingSink", () => {
  it("throws the first problem as an InputError and collects warnings", () => {
    const warnings: string[] = [];
    const sink = createThrowingSink(warnings);
    sink.warn("w");
    expect(() => sink.report({ file: "r.csv", line: 3, column: "shift", message: "expected day" })).toThrow(
      new InputError({ file: "r.csv", line: 3 }, "shift: expected day"),
    );
    expect(warnings).toEqual(["w"]);
  });
});

describe("formatProblem", () => {
  it.each([
    { problem: { file: "r.csv", line: 3, column: "shift", message: "m" }, text: "r.csv:3: shift: m" },
    { problem: { file: "r.csv", line: 3, message: "m" }, text: "r.csv:3: m" },
    { problem: { file: "r.csv", message: "m" }, text: "r.csv: m" },
  ])("prints $text", ({ problem, text }) => {
    expect(formatProblem(problem)).toBe(text);
  });
});
