import { describe, expect, it } from "vitest";
import { createPhaseTimer, phaseRecord, totalSeconds } from "../../src/lib/phase-timer.ts";

/** A clock the test moves by hand, in milliseconds. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let at = 1_000;
  return { now: () => at, advance: (ms) => (at += ms) };
}

describe("createPhaseTimer", () => {
  it("credits each moment to the innermost open phase, so the phases add up to the time measured", async () => {
    const clock = manualClock();
    const timer = createPhaseTimer(clock.now);
    clock.advance(50); // before any phase: not counted
    await timer.measure("files", async () => {
      clock.advance(200);
      await timer.measure("workbook", () => {
        clock.advance(1_500);
        return Promise.resolve();
      });
      clock.advance(300);
    });
    timer.measureSync("store", () => clock.advance(400));
    expect(timer.phases()).toEqual([
      { phase: "files", seconds: 0.5 },
      { phase: "workbook", seconds: 1.5 },
      { phase: "store", seconds: 0.4 },
    ]);
    expect(totalSeconds(timer.phases())).toBeCloseTo(2.4, 10);
  });

  it("moves a call's time on to the next step with mark (classify → plan → lookahead)", () => {
    const clock = manualClock();
    const timer = createPhaseTimer(clock.now);
    timer.measureSync("state", () => {
      clock.advance(100);
      timer.mark("classify");
      clock.advance(20);
      timer.mark("plan");
      clock.advance(700);
      timer.mark("lookahead");
      clock.advance(600);
    });
    clock.advance(1_000); // after the phase closed: not counted
    expect(phaseRecord(timer.phases())).toEqual({ state: 0.1, classify: 0.02, plan: 0.7, lookahead: 0.6 });
  });

  it("closes a phase that throws and adds a phase entered twice up", async () => {
    const clock = manualClock();
    const timer = createPhaseTimer(clock.now);
    await expect(
      timer.measure("fetch", () => {
        clock.advance(250);
        return Promise.reject(new Error("source down"));
      }),
    ).rejects.toThrow("source down");
    timer.measureSync("load", () => clock.advance(100));
    timer.measureSync("fetch", () => clock.advance(250));
    expect(timer.phases()).toEqual([
      { phase: "fetch", seconds: 0.5 },
      { phase: "load", seconds: 0.1 },
    ]);
  });
});
