import { afterEach, describe, expect, it, vi } from "vitest";
import { formatIsoWeek, parseIsoWeek, type IsoWeek } from "../../src/domain/calendar.ts";
import type { LedgerStatus } from "../../src/domain/schedule.ts";
import {
  createScheduler,
  type CronScheduler,
  type Scheduler,
  type SchedulerSettings,
} from "../../src/worker/scheduler.ts";
import type { LedgerView, RunOutcome, RunTrigger, RunWeek } from "../../src/worker/worker-types.ts";
import { createCapturingLogger } from "../support/capturing-logger.ts";

const CPH = "Europe/Copenhagen";

function w(text: string): IsoWeek {
  const week = parseIsoWeek(text);
  if (week === undefined) throw new Error(`bad week ${text}`);
  return week;
}

function settings(overrides: Partial<SchedulerSettings> = {}): SchedulerSettings {
  return {
    time: "10:00",
    zone: CPH,
    retryEveryMinutes: 60,
    lastAttempt: "20:00",
    catchUpWeeks: 1,
    ...overrides,
  };
}

type Call = { week: string; trigger: RunTrigger; at: string; scheduledFor: string };

/**
 * An in-memory ledger and a fake runWeek that records its calls and writes the ledger the way
 * the real run does (running while in flight, then its outcome).
 */
function createFakeRuns(initial: Record<string, LedgerStatus> = {}) {
  const statuses = new Map<string, LedgerStatus>(Object.entries(initial));
  const calls: Call[] = [];
  const state = {
    paused: false,
    markRunning: true,
    behaviour: (_call: Call): Promise<RunOutcome["status"]> | RunOutcome["status"] => "succeeded",
  };
  const ledger: LedgerView = {
    lastOutcome: (week) => Promise.resolve(statuses.get(formatIsoWeek(week))),
    isPaused: () => Promise.resolve(state.paused),
  };
  const runWeek: RunWeek = async (week, options) => {
    const call: Call = {
      week: formatIsoWeek(week),
      trigger: options.trigger,
      at: new Date(Date.now()).toISOString(),
      scheduledFor: new Date(options.scheduledFor).toISOString(),
    };
    calls.push(call);
    if (state.markRunning) statuses.set(call.week, "running");
    let status: RunOutcome["status"];
    try {
      status = await state.behaviour(call);
    } catch (error) {
      statuses.set(call.week, "failed");
      throw error;
    }
    statuses.set(call.week, status === "skipped" ? "failed" : status);
    return {
      week,
      runId: `run-${calls.length}`,
      status,
      durationMs: 1,
      ...(status === "failed" ? { error: "source down" } : {}),
    };
  };
  return { statuses, calls, state, ledger, runWeek };
}

let scheduler: Scheduler | undefined;

afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  vi.useRealTimers();
});

async function advanceTo(iso: string): Promise<void> {
  await vi.advanceTimersByTimeAsync(Date.parse(iso) - Date.now());
  await scheduler?.inFlight();
}

async function startAt(
  now: string,
  runs: ReturnType<typeof createFakeRuns>,
  s: SchedulerSettings,
  cron?: CronScheduler,
  settle = true,
) {
  vi.useFakeTimers({ now: Date.parse(now) });
  const { logger, lines } = createCapturingLogger();
  scheduler = createScheduler({
    runWeek: runs.runWeek,
    ledger: runs.ledger,
    clock: () => Date.now(),
    settings: s,
    logger,
    cron,
  });
  await scheduler.start();
  if (settle) await scheduler.inFlight();
  return lines;
}

describe("scheduler with node-cron (fake timers)", () => {
  // 10:00 in Copenhagen is 08:00Z in summer time and 09:00Z in winter time.
  const seasons = [
    {
      name: "autumn 2020: fall-back on Sunday 25 October",
      start: "2020-10-19T06:00:00Z",
      firstWeek: "2020-W43",
      runs: [
        { week: "2020-W43", at: "2020-10-21T08:00:00.000Z" },
        { week: "2020-W44", at: "2020-10-28T09:00:00.000Z" },
      ],
    },
    {
      name: "spring 2020: spring-forward on Sunday 29 March",
      start: "2020-03-23T06:00:00Z",
      firstWeek: "2020-W13",
      runs: [
        { week: "2020-W13", at: "2020-03-25T09:00:00.000Z" },
        { week: "2020-W14", at: "2020-04-01T08:00:00.000Z" },
      ],
    },
    {
      name: "autumn 2026",
      start: "2026-10-19T06:00:00Z",
      firstWeek: "2026-W43",
      runs: [
        { week: "2026-W43", at: "2026-10-21T08:00:00.000Z" },
        { week: "2026-W44", at: "2026-10-28T09:00:00.000Z" },
      ],
    },
    {
      name: "spring 2026",
      start: "2026-03-23T06:00:00Z",
      firstWeek: "2026-W13",
      runs: [
        { week: "2026-W13", at: "2026-03-25T09:00:00.000Z" },
        { week: "2026-W14", at: "2026-04-01T08:00:00.000Z" },
      ],
    },
  ];

  it.each(seasons)(
    "fires once on Wednesday 10:00 Copenhagen: $name",
    async ({ start, firstWeek, runs: expected }) => {
      const runs = createFakeRuns();
      await startAt(start, runs, settings({ firstWeek: w(firstWeek) }));
      expect(runs.calls).toEqual([]);
      for (const [index, run] of expected.entries()) {
        // One hour early is the other season's offset: it must not fire there.
        await advanceTo(new Date(Date.parse(run.at) - 60 * 60 * 1000).toISOString());
        expect(runs.calls).toHaveLength(index);
        await advanceTo(new Date(Date.parse(run.at) + 2_000).toISOString());
        expect(runs.calls).toHaveLength(index + 1);
        const call = runs.calls[index];
        expect(call?.week).toBe(run.week);
        expect(call?.trigger).toBe("schedule");
        expect(call?.scheduledFor).toBe(run.at);
        expect(Date.parse(call?.at ?? "") - Date.parse(run.at)).toBeLessThan(2_000);
      }
      // And nothing more until the next Wednesday.
      await advanceTo(new Date(Date.parse(expected.at(-1)?.at ?? "") + 6 * 24 * 3600 * 1000).toISOString());
      expect(runs.calls).toHaveLength(expected.length);
    },
  );

  it("restart after a missed Wednesday catches the week up once", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded", "2020-W40": "succeeded" });
    const s = settings({ firstWeek: w("2020-W39") });
    // Down over Wednesday 7 October; back on Thursday.
    await startAt("2020-10-08T07:00:00Z", runs, s);
    expect(runs.calls.map((c) => [c.week, c.trigger])).toEqual([["2020-W41", "catch-up"]]);
    // A second restart the same day finds the week done in the ledger.
    await scheduler?.stop();
    const { logger } = createCapturingLogger();
    scheduler = createScheduler({
      runWeek: runs.runWeek,
      ledger: runs.ledger,
      clock: () => Date.now(),
      settings: s,
      logger,
    });
    await scheduler.start();
    await scheduler.inFlight();
    expect(runs.calls).toHaveLength(1);
    // The next Wednesday runs on schedule.
    await advanceTo("2020-10-14T08:00:05Z");
    expect(runs.calls.map((c) => [c.week, c.trigger])).toEqual([
      ["2020-W41", "catch-up"],
      ["2020-W42", "schedule"],
    ]);
  });

  it("logs the next three runs at start-up", async () => {
    const runs = createFakeRuns();
    const lines = await startAt("2020-10-19T06:00:00Z", runs, settings({ firstWeek: w("2020-W43") }));
    const started = lines.find((line) => line.msg === "scheduler started");
    expect(started?.nextRuns).toEqual([
      "2020-10-21T10:00:00.000+02:00",
      "2020-10-28T10:00:00.000+01:00",
      "2020-11-04T10:00:00.000+01:00",
    ]);
    expect(scheduler?.nextRuns(2).map((ms) => new Date(ms).toISOString())).toEqual([
      "2020-10-21T08:00:00.000Z",
      "2020-10-28T09:00:00.000Z",
    ]);
  });

  it("a source down at 10:00 is retried hourly until a retry succeeds", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded" });
    let failuresLeft = 2;
    runs.state.behaviour = () => (failuresLeft-- > 0 ? "failed" : "succeeded");
    await startAt("2020-09-29T12:00:00Z", runs, settings({ firstWeek: w("2020-W39") }));
    await advanceTo("2020-09-30T20:00:00Z");
    expect(runs.calls.map((c) => [c.trigger, c.at.slice(11, 16)])).toEqual([
      ["schedule", "08:00"],
      ["retry", "09:00"],
      ["retry", "10:00"],
    ]);
    expect(runs.statuses.get("2020-W40")).toBe("succeeded");
  });

  it("retries stop at the last attempt time when the source stays down", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded" });
    runs.state.behaviour = () => "failed";
    const lines = await startAt(
      "2020-09-29T12:00:00Z",
      runs,
      settings({ firstWeek: w("2020-W39"), lastAttempt: "13:30" }),
    );
    await advanceTo("2020-10-06T12:00:00Z");
    // 10:00, then 11:00, 12:00, 13:00 local (+02:00); 14:00 is after 13:30.
    expect(runs.calls.map((c) => c.at.slice(0, 16))).toEqual([
      "2020-09-30T08:00",
      "2020-09-30T09:00",
      "2020-09-30T10:00",
      "2020-09-30T11:00",
    ]);
    expect(lines.some((line) => line.msg.startsWith("no retry left today"))).toBe(true);
  });

  it("paused: the fire is logged and skipped; after resume the next fire catches up", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded" });
    runs.state.paused = true;
    const lines = await startAt("2020-09-29T12:00:00Z", runs, settings({ firstWeek: w("2020-W39") }));
    await advanceTo("2020-09-30T08:00:05Z");
    expect(runs.calls).toEqual([]);
    expect(
      lines.some((line) => line.msg.includes("paused") && (line.due as string[]).includes("2020-W40")),
    ).toBe(true);
    runs.state.paused = false;
    await advanceTo("2020-10-07T08:00:05Z");
    expect(runs.calls.map((c) => [c.week, c.trigger])).toEqual([
      ["2020-W40", "catch-up"],
      ["2020-W41", "schedule"],
    ]);
  });

  // Another replica runs the week (the ledger says running, this process holds no run of it).
  const peerCases = [
    {
      name: "the peer dies mid-run: its week reads crashed and is caught up at the next look",
      peerEnds: "crashed" as const,
      expected: [["2020-W40", "catch-up"]],
    },
    {
      name: "the peer finishes: nothing is started and the looking stops",
      peerEnds: "succeeded" as const,
      expected: [],
    },
  ];
  it.each(peerCases)("$name", async ({ peerEnds, expected }) => {
    const runs = createFakeRuns({ "2020-W39": "succeeded", "2020-W40": "running" });
    const lines = await startAt("2020-09-30T08:00:30Z", runs, settings({ firstWeek: w("2020-W39") }));
    expect(runs.calls).toEqual([]);
    expect(lines.find((line) => line.msg.startsWith("weeks run by another process"))?.weeks).toEqual([
      "2020-W40",
    ]);
    // Still running at the first look (09:00:30Z): nothing started, another look in an hour.
    await advanceTo("2020-09-30T09:00:40Z");
    expect(runs.calls).toEqual([]);
    // The peer's process ends between two looks; what it left decides the next look.
    runs.statuses.set("2020-W40", peerEnds);
    await advanceTo("2020-09-30T10:00:40Z");
    expect(runs.calls.map((c) => [c.week, c.trigger, c.at.slice(11, 16)])).toEqual(
      expected.map(([week, trigger]) => [week, trigger, "10:00"]),
    );
    // No further look once the week is done here or there.
    const looks = lines.filter((line) => line.msg.startsWith("weeks run by another process")).length;
    await advanceTo("2020-09-30T14:00:00Z");
    expect(lines.filter((line) => line.msg.startsWith("weeks run by another process"))).toHaveLength(looks);
    expect(runs.calls).toHaveLength(expected.length);
  });

  it("a week run elsewhere after the last attempt time is still looked at (a takeover is a catch-up)", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded", "2020-W40": "running" });
    await startAt("2020-10-01T07:00:00Z", runs, settings({ firstWeek: w("2020-W39") }));
    runs.statuses.set("2020-W40", "crashed");
    await advanceTo("2020-10-01T08:00:10Z");
    expect(runs.calls.map((c) => [c.week, c.trigger, c.at.slice(0, 16)])).toEqual([
      ["2020-W40", "catch-up", "2020-10-01T08:00"],
    ]);
  });

  it("stop() cancels pending retries and further fires", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded" });
    runs.state.behaviour = () => "failed";
    await startAt("2020-09-29T12:00:00Z", runs, settings({ firstWeek: w("2020-W39") }));
    await advanceTo("2020-09-30T08:30:00Z");
    expect(runs.calls).toHaveLength(1);
    await scheduler?.stop();
    await advanceTo("2020-10-08T00:00:00Z");
    expect(runs.calls).toHaveLength(1);
  });
});

describe("scheduler with an injected cron", () => {
  function createManualCron() {
    const registered: { expression: string; options: unknown; fire: () => Promise<void> }[] = [];
    let destroyed = 0;
    const cron: CronScheduler = {
      schedule(expression, fn, options) {
        registered.push({ expression, options, fire: fn });
        return {
          destroy() {
            destroyed += 1;
          },
        };
      },
    };
    return { cron, registered, destroyed: () => destroyed };
  }

  it("registers a Wednesday cron in the configured zone with overlap prevention", async () => {
    const runs = createFakeRuns();
    const manual = createManualCron();
    await startAt(
      "2020-09-29T12:00:00Z",
      runs,
      settings({ time: "02:30", firstWeek: w("2020-W40") }),
      manual.cron,
    );
    expect(manual.registered.map((r) => r.expression)).toEqual(["30 2 * * 3"]);
    expect(manual.registered[0]?.options).toMatchObject({ timezone: CPH, noOverlap: true });
    await scheduler?.stop();
    expect(manual.destroyed()).toBe(1);
  });

  it("a double fire while the week runs starts it once", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded" });
    // The ledger only learns of the run when it ends: the scheduler itself must not start it twice.
    runs.state.markRunning = false;
    let finish: (status: RunOutcome["status"]) => void = () => undefined;
    runs.state.behaviour = () => new Promise((resolve) => (finish = resolve));
    const manual = createManualCron();
    await startAt(
      "2020-09-30T08:00:00Z",
      runs,
      settings({ firstWeek: w("2020-W39"), catchUpWeeks: 0 }),
      manual.cron,
      false,
    );
    // The start-up catch-up already started W40 (due at 10:00 local); two fires arrive meanwhile.
    const fire = manual.registered[0]?.fire;
    expect(fire).toBeDefined();
    const first = fire?.();
    const second = fire?.();
    await vi.advanceTimersByTimeAsync(10);
    finish("succeeded");
    await Promise.all([first, second]);
    await scheduler?.inFlight();
    expect(runs.calls.map((c) => c.week)).toEqual(["2020-W40"]);
  });

  it("a clock that jumps back never reruns a week", async () => {
    const runs = createFakeRuns({
      "2020-W39": "succeeded",
      "2020-W40": "succeeded",
      "2020-W41": "succeeded",
    });
    const manual = createManualCron();
    await startAt("2020-10-07T09:00:00Z", runs, settings({ firstWeek: w("2020-W39") }), manual.cron);
    vi.setSystemTime(Date.parse("2020-09-30T09:00:00Z"));
    await manual.registered[0]?.fire();
    expect(runs.calls).toEqual([]);
  });

  it("a run that throws counts as failed and is retried", async () => {
    const runs = createFakeRuns({ "2020-W39": "succeeded" });
    let attempts = 0;
    runs.state.behaviour = () => {
      attempts += 1;
      if (attempts === 1) throw new Error("boom");
      return "succeeded";
    };
    const manual = createManualCron();
    await startAt("2020-09-30T08:00:30Z", runs, settings({ firstWeek: w("2020-W39") }), manual.cron);
    expect(attempts).toBe(1);
    await advanceTo("2020-09-30T09:00:05Z");
    expect(runs.calls.map((c) => c.trigger)).toEqual(["catch-up", "retry"]);
    expect(runs.statuses.get("2020-W40")).toBe("succeeded");
  });
});
