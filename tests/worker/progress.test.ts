import { describe, expect, it } from "vitest";
import {
  createProgress,
  formatProgressLine,
  partProgress,
  type ProgressStream,
} from "../../src/worker/progress.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";

const CLEAR = "\r\u001b[2K";

function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return {
    isTTY,
    columns,
    writes,
    write(text: string) {
      writes.push(text);
      return true;
    },
  };
}

describe("formatProgressLine", () => {
  const cases = [
    {
      name: "nothing done yet",
      fraction: 0,
      line: "run 2020-W44  [....................]   0 %  load roster",
    },
    {
      name: "37 %: 7 of 20 marks (rounded), percentage rounded down",
      fraction: 0.379,
      line: "run 2020-W44  [########............]  37 %  load roster",
    },
    {
      name: "all done",
      fraction: 1,
      line: "run 2020-W44  [####################] 100 %  load roster",
    },
    {
      name: "out of range is clamped",
      fraction: 1.7,
      line: "run 2020-W44  [####################] 100 %  load roster",
    },
  ];
  it.each(cases)("$name", ({ fraction, line }) => {
    expect(formatProgressLine("run 2020-W44", "load roster", fraction)).toBe(line);
  });

  it("cuts a long line to one character less than the terminal's width", () => {
    const line = formatProgressLine("replay 2020-W30..2020-W40", "2020-W33 4/11: classify + plan", 0.3, 60);
    // 25 + 2 + 22 + 8 characters before the phase: one of it fits beside the ellipsis.
    expect(line).toBe("replay 2020-W30..2020-W40  [######..............]  30 %  2…");
    expect(line.length).toBe(59);
  });
});

describe("progress on a terminal (a fake TTY stream)", () => {
  it("redraws one line in place, only when it changes, and clears it when done", () => {
    const stream = fakeStream(true, 100);
    const { logger, lines } = createCapturingLogger("info");
    const progress = createProgress({ label: "run 2020-W44", stream, logger });
    progress.update("load roster", 0.05);
    progress.update("load roster", 0.051);
    progress.update("fetch incidence", 0.15);
    progress.done();
    expect(stream.writes).toEqual([
      `${CLEAR}run 2020-W44  [#...................]   5 %  load roster`,
      `${CLEAR}run 2020-W44  [###.................]  15 %  fetch incidence`,
      CLEAR,
    ]);
    // Never a newline: the line is redrawn, and nothing goes to the log.
    expect(stream.writes.join("")).not.toContain("\n");
    expect(lines).toEqual([]);
  });

  it("takes 80 columns when the terminal reports none (0)", () => {
    const stream = fakeStream(true, 0);
    createProgress({ label: "whatif", stream }).update("x".repeat(200), 0.5);
    expect(stream.writes[0]?.length).toBe(CLEAR.length + 79);
  });

  it("writes nothing when done without an update", () => {
    const stream = fakeStream(true);
    createProgress({ label: "run", stream }).done();
    expect(stream.writes).toEqual([]);
  });
});

describe("progress when stderr is not a terminal", () => {
  it("logs plain info lines, one per phase and tenth of the way, and never writes the stream", () => {
    const stream = fakeStream(false);
    const { logger, lines } = createCapturingLogger("info");
    const progress = createProgress({ label: "whatif 2020-W36..2021-W10", stream, logger });
    for (let week = 1; week <= 28; week++) progress.update("replay", week / 28);
    progress.update("write report", 1);
    progress.done();
    expect(stream.writes).toEqual([]);
    // 1/28 … 28/28 cross the tenths 0, 1, …, 10 once each (28 updates, 11 lines), then a new phase.
    expect(lines.map((line) => [line.phase, line.percent])).toEqual([
      ["replay", 3],
      ["replay", 10],
      ["replay", 21],
      ["replay", 32],
      ["replay", 42],
      ["replay", 50],
      ["replay", 60],
      ["replay", 71],
      ["replay", 82],
      ["replay", 92],
      ["replay", 100],
      ["write report", 100],
    ]);
    expect(lines.every((line) => line.level === "info" && line.task === "whatif 2020-W36..2021-W10")).toBe(
      true,
    );
  });

  it("without a stream at all (library use) it logs too", () => {
    const { logger, lines } = createCapturingLogger("info");
    createProgress({ label: "run", logger }).update("publish", 0.85);
    expect(lines.map((line) => line.msg)).toEqual(["progress"]);
  });
});

describe("partProgress", () => {
  it("maps a week's 0–1 onto its share of a replay and prefixes its phases", () => {
    const stream = fakeStream(true, 120);
    const whole = createProgress({ label: "replay", stream });
    // The third of four weeks covers 50 % … 75 %: half of it is 62.5 %, 12.5 of 20 marks → 13.
    const part = partProgress(whole, "2020-W42 3/4", 2 / 4, 3 / 4);
    part.update("render files", 0.5);
    expect(stream.writes).toEqual([
      `${CLEAR}replay  [#############.......]  62 %  2020-W42 3/4: render files`,
    ]);
  });
});
