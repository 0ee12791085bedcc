import { describe, expect, it } from "vitest";
import type { GeoPoint } from "../../src/domain/geo.ts";
import {
  compareScores,
  cutsBySweep,
  cutSweep,
  groupAndOrderStops,
  improveBetweenRoutes,
  improves,
  insertCheapest,
  isBetterCut,
  type RouteFigures,
  type Score,
  scoreFigures,
  startsFor,
  sweepOrder,
} from "../../src/domain/route-grouping.ts";
import type { RoutingProblem } from "../../src/domain/route-order.ts";

/** Travel minutes |a − b| between points on one road through the lab (at 0). */
function lineMinutes(positions: readonly number[]): number[][] {
  return positions.map((a) => positions.map((b) => Math.abs(a - b)));
}

/** Travel minutes of spokes from the lab: `arm` out to each stop, stop to stop via the lab. */
function starMinutes(stops: number, arm: number): number[][] {
  return Array.from({ length: stops + 1 }, (_, i) =>
    Array.from({ length: stops + 1 }, (_, j) => (i === j ? 0 : i === 0 || j === 0 ? arm : 2 * arm)),
  );
}

/** The float-noise margin of the module (1e-9 minutes). */
const EPSILON = 1e-9;

type Windows = {
  readonly service?: readonly number[];
  readonly open?: readonly number[];
  readonly close?: readonly number[];
  readonly departure?: number;
};

/**
 * A routing problem from a hand-written symmetric matrix of travel minutes (node 0 the lab). No
 * service time unless given; opening hours only where `open`/`close` are given.
 */
function problemOf(minutes: readonly (readonly number[])[], windows: Windows = {}): RoutingProblem {
  const size = minutes.length;
  return {
    size,
    km: new Float64Array(minutes.flat()),
    minutes: new Float64Array(minutes.flat()),
    service: windows.service ?? Array<number>(size).fill(0),
    open: windows.open ?? Array<number>(size).fill(-Infinity),
    close: windows.close ?? Array<number>(size).fill(Infinity),
    departure: windows.departure ?? 0,
    hasWindows: windows.open !== undefined || windows.close !== undefined,
  };
}

describe("startsFor", () => {
  it.each([
    { name: "1 stop: 1 start", stops: 1, starts: 1 },
    { name: "12 stops: every cut (12)", stops: 12, starts: 12 },
    { name: "13 stops: 4", stops: 13, starts: 4 },
    { name: "40 stops: 4", stops: 40, starts: 4 },
    { name: "41 stops: 2", stops: 41, starts: 2 },
  ])("$name", ({ stops, starts }) => {
    expect(startsFor(stops)).toBe(starts);
  });
});

describe("compareScores", () => {
  const score = (afterClose: number, durations: number[]): Score => ({ afterClose, durations, late: 0 });
  it.each([
    {
      name: "closing lateness first: 5 vs 3 minutes after closing → +2 whatever the durations",
      a: score(5, [10]),
      b: score(3, [10]),
      expected: 2,
    },
    {
      name: "closing lateness 1e-10 apart is noise: the durations decide, 10 − 20 = −10",
      a: score(1e-10, [10]),
      b: score(0, [20]),
      expected: -10,
    },
    {
      name: "closing lateness exactly EPSILON apart is still noise: 10 − 20 = −10",
      a: score(EPSILON, [10]),
      b: score(0, [20]),
      expected: -10,
    },
    {
      name: "equal longest routes: the second longest decides, 5 − 7 = −2",
      a: score(0, [10, 5]),
      b: score(0, [10, 7]),
      expected: -2,
    },
    {
      name: "a missing route counts as 0 minutes: [10, 5] vs [10] → +5",
      a: score(0, [10, 5]),
      b: score(0, [10]),
      expected: 5,
    },
    {
      name: "durations exactly EPSILON apart are equal",
      a: score(0, [EPSILON]),
      b: score(0, [0]),
      expected: 0,
    },
    {
      name: "equal closing lateness (2 and 2): the durations decide, 10 − 20 = −10",
      a: score(2, [10]),
      b: score(2, [20]),
      expected: -10,
    },
    { name: "equal scores → 0", a: score(2, [30, 20]), b: score(2, [30, 20]), expected: 0 },
  ])("$name", ({ a, b, expected }) => {
    expect(compareScores(a, b)).toBe(expected);
  });
});

describe("scoreFigures", () => {
  it("sums closing lateness, sorts durations longest first and adds the longest route's lateness at the lab", () => {
    // Departure 100, latest 140: the 50-minute route is back at 150, 10 minutes late; 2 + 3 = 5
    // minutes after closing; late = 5 + 10 = 15.
    const figures: RouteFigures[] = [
      { duration: 30, afterClose: 2 },
      { duration: 50, afterClose: 3 },
    ];
    expect(scoreFigures(problemOf([[0]], { departure: 100 }), figures, 140)).toEqual({
      afterClose: 5,
      durations: [50, 30],
      late: 15,
    });
  });

  it("routes back before the latest arrival add no lateness; no routes score 0", () => {
    // Back at 100 + 30 = 130 ≤ 140.
    const problem = problemOf([[0]], { departure: 100 });
    expect(scoreFigures(problem, [{ duration: 30, afterClose: 1 }], 140)).toEqual({
      afterClose: 1,
      durations: [30],
      late: 1,
    });
    expect(scoreFigures(problem, [], 140)).toEqual({ afterClose: 0, durations: [], late: 0 });
  });
});

describe("sweepOrder", () => {
  it("sorts by bearing counter-clockwise from south, nearer first on one bearing, then by node", () => {
    // Lab at 55.25° N: on the flat projection east is angle 0, north π/2, west π, south −π/2.
    // (55.25 × 180 is odd, so a projection scale taken in the wrong unit would flip east and west.)
    const depot: GeoPoint = { latitude: 55.25, longitude: 12 };
    const stops: GeoPoint[] = [
      { latitude: 55.25, longitude: 12.3 }, // node 1: east, far (angle 0)
      { latitude: 55.35, longitude: 12 }, // node 2: north (π/2)
      { latitude: 55.25, longitude: 12.1 }, // node 3: east, near (angle 0)
      { latitude: 55.15, longitude: 12 }, // node 4: south (−π/2)
      { latitude: 55.25, longitude: 11.9 }, // node 5: west (π)
      { latitude: 55.35, longitude: 12 }, // node 6: north, same place as node 2
      { latitude: 55.35, longitude: 12.1 }, // node 7: north-east, atan2(0.1, 0.1 × cos 55.25°) ≈ 1.05
    ];
    expect(sweepOrder(depot, stops)).toEqual([4, 3, 1, 7, 2, 6, 5]);
  });

  it("breaks ties the same way whichever input position the nearer or lower node has", () => {
    const depot: GeoPoint = { latitude: 55.25, longitude: 12 };
    // Nodes: 1 west, 2 north (same place twice: 2 and 3), 4 east near, 5 east far.
    const stops: GeoPoint[] = [
      { latitude: 55.25, longitude: 11.9 },
      { latitude: 55.35, longitude: 12 },
      { latitude: 55.35, longitude: 12 },
      { latitude: 55.25, longitude: 12.1 },
      { latitude: 55.25, longitude: 12.3 },
    ];
    expect(sweepOrder(depot, stops)).toEqual([4, 5, 2, 3, 1]);
  });
});

describe("isBetterCut", () => {
  it.each([
    {
      name: "shorter longest group wins despite more total",
      max: 9,
      sum: 100,
      best: { max: 10, sum: 0 },
      better: true,
    },
    {
      name: "equal longest group: less total wins",
      max: 10,
      sum: 5,
      best: { max: 10, sum: 6 },
      better: true,
    },
    { name: "full tie is not better", max: 10, sum: 6, best: { max: 10, sum: 6 }, better: false },
    {
      name: "longer longest group loses despite less total",
      max: 11,
      sum: 1,
      best: { max: 10, sum: 6 },
      better: false,
    },
    {
      name: "longest group exactly EPSILON shorter is a tie on it (then more total loses)",
      max: 10 - EPSILON,
      sum: 5,
      best: { max: 10, sum: 0 },
      better: false,
    },
    {
      name: "longest groups exactly EPSILON apart tie, so less total wins",
      max: EPSILON,
      sum: 5,
      best: { max: 0, sum: 6 },
      better: true,
    },
    {
      name: "total exactly EPSILON less is a tie, not better",
      max: 10,
      sum: 6 - EPSILON,
      best: { max: 10, sum: 6 },
      better: false,
    },
  ])("$name", ({ max, sum, best, better }) => {
    expect(isBetterCut(max, sum, best)).toBe(better);
  });
});

/**
 * A circle of four stops whose stretch estimate is the sum of the stops' weights plus 1 (the
 * drive): weights by position 1, 2, 3, 4 (nodes 1–4). `stretch[start][length − 1]`:
 * from 0: 1, 1+2, 1+2+3, 10 → 2, 4, 7, 11; from 1: 2, 5, 9, 10 → 3, 6, 10, 11;
 * from 2: 3, 7, 8, 10 → 4, 8, 9, 11; from 3: 4, 5, 7, 10 → 5, 6, 8, 11.
 */
const WEIGHTED = [
  [2, 4, 7, 11],
  [3, 6, 10, 11],
  [4, 8, 9, 11],
  [5, 6, 8, 11],
];

describe("cutSweep", () => {
  it.each([
    {
      // Cuts after 1: 2 | 10; after 2: 4 | 8; after 3: 7 | 5 → longest 7, total 12.
      name: "from the first stop into 2 groups: [1 2 3] [4]",
      stretch: WEIGHTED,
      circle: [1, 2, 3, 4],
      rotation: 0,
      count: 2,
      expected: { groups: [[1, 2, 3], [4]], max: 7, sum: 12 },
    },
    {
      // Sweep 2 3 4 1: after 1: 3 | 9; after 2: 6 | 6; after 3: 10 | 2 → longest 6, total 12.
      name: "from the second stop into 2 groups: [2 3] [4 1]",
      stretch: WEIGHTED,
      circle: [1, 2, 3, 4],
      rotation: 1,
      count: 2,
      expected: {
        groups: [
          [2, 3],
          [4, 1],
        ],
        max: 6,
        sum: 12,
      },
    },
    {
      // Nodes named 7 8 9 6 on the same weights. Two groups ending at 2: [1] 2 | [2] 3 → (3, 5);
      // ending at 3: [1] 2 | [2 3] 6 → (6, 8), or [1 2] 4 | [3] 4 → (4, 8) ✓. Three groups:
      // (3, 5) + [3 4] 8 → (8, 13); (4, 8) + [4] 5 → (5, 13) ✓.
      name: "into 3 groups: [7 8] [9] [6], the node names taken from the circle",
      stretch: WEIGHTED,
      circle: [7, 8, 9, 6],
      rotation: 0,
      count: 3,
      expected: { groups: [[7, 8], [9], [6]], max: 5, sum: 13 },
    },
    {
      name: "one group from the third stop: the whole circle [3 4 1 2]",
      stretch: WEIGHTED,
      circle: [1, 2, 3, 4],
      rotation: 2,
      count: 1,
      expected: { groups: [[3, 4, 1, 2]], max: 11, sum: 11 },
    },
    {
      // Every stretch costs 10 (one address): both cuts give (10, 20); the first stays.
      name: "equal cuts: the first cut point stays, no empty group",
      stretch: [
        [10, 10, 10],
        [10, 10, 10],
        [10, 10, 10],
      ],
      circle: [1, 2, 3],
      rotation: 0,
      count: 2,
      expected: { groups: [[1], [2, 3]], max: 10, sum: 20 },
    },
    {
      // After 1: [1] 8 | [2 3] 10 → (10, 18); after 2: [1 2] 10 | [3] 2 → (10, 12): equal
      // longest, less total wins.
      name: "equal longest group: the later cut with less total wins",
      stretch: [
        [8, 10, 99],
        [5, 10, 99],
        [2, 99, 99],
      ],
      circle: [1, 2, 3],
      rotation: 0,
      count: 2,
      expected: { groups: [[1, 2], [3]], max: 10, sum: 12 },
    },
  ])("$name", ({ stretch, circle, rotation, count, expected }) => {
    expect(cutSweep(stretch, circle, rotation, count)).toEqual(expected);
  });
});

describe("cutsBySweep", () => {
  it("tries every start, keeps each grouping once (the first start's), best estimate first", () => {
    // Start 0: [1 2 3] [4] (7, 12). Start 1: [2 3] [4 1] (6, 12). Start 2: after 1: 4 | 8,
    // after 2: 8 | 4, after 3: 9 | 3 → first of the (8, 12) ties: [3] [4 1 2]. Start 3: after 1:
    // 5 | 7, after 2: 6 | 6, after 3: 8 | 4 → [4 1] [2 3], the grouping of start 1 again.
    expect(cutsBySweep(WEIGHTED, [1, 2, 3, 4], 2)).toEqual([
      {
        groups: [
          [2, 3],
          [4, 1],
        ],
        max: 6,
        sum: 12,
      },
      { groups: [[1, 2, 3], [4]], max: 7, sum: 12 },
      { groups: [[3], [4, 1, 2]], max: 8, sum: 12 },
    ]);
  });

  it("tells groupings apart by their node ids: [1 23] [2 3] differs from [1 2 3] [23]", () => {
    // Circle 1 23 2 3; every stretch costs 10 per stop except 2 3 1 (from position 2, 3 long): 15.
    // Start 0: after 1 10 | 30, after 2 20 | 20, after 3 30 | 10 → [1 23] [2 3] (20, 40).
    // Start 1: after 1 [23] 10 | [2 3 1] 15 → (15, 25). Start 2: after 3 [2 3 1] 15 | [23] 10,
    // the grouping of start 1. Start 3: after 2 [3 1] 20 | [23 2] 20 → (20, 40).
    const stretch = [
      [10, 20, 30, 40],
      [10, 20, 30, 40],
      [10, 20, 15, 40],
      [10, 20, 30, 40],
    ];
    expect(cutsBySweep(stretch, [1, 23, 2, 3], 2)).toEqual([
      { groups: [[23], [2, 3, 1]], max: 15, sum: 25 },
      {
        groups: [
          [1, 23],
          [2, 3],
        ],
        max: 20,
        sum: 40,
      },
      {
        groups: [
          [3, 1],
          [23, 2],
        ],
        max: 20,
        sum: 40,
      },
    ]);
  });

  it("one group from every start is the same grouping: kept once, from the first start", () => {
    expect(cutsBySweep(WEIGHTED, [1, 2, 3, 4], 1)).toEqual([{ groups: [[1, 2, 3, 4]], max: 11, sum: 11 }]);
  });

  it("over 64 stops tries every second start only: 65 stops give 33 groupings", () => {
    // Each stretch costs its length: from any start the best 2 groups are 32 | 33 (longest 33,
    // the first of the two equal cuts); starts 0, 2, …, 64 give 33 different groupings.
    const n = 65;
    const stretch = Array.from({ length: n }, () => Array.from({ length: n }, (_, k) => k + 1));
    const circle = Array.from({ length: n }, (_, i) => i + 1);
    const cuts = cutsBySweep(stretch, circle, 2);
    expect(cuts).toHaveLength(33);
    expect(cuts[0]?.groups.map((group) => group.length)).toEqual([32, 33]);
    expect(cuts[1]?.groups[0]?.[0]).toBe(3);
  });
});

describe("insertCheapest", () => {
  // Route 1 → 2; node 3 joins. Lab–1 20, lab–2 20, 1–2 10, 3 is 10 from each.
  // Extra minutes: before 1: 10 + 10 − 20 = 0; between: 10 + 10 − 10 = 10; after 2: 10 + 10 − 20 = 0.
  const tie = problemOf([
    [0, 20, 20, 10],
    [20, 0, 10, 10],
    [20, 10, 0, 10],
    [10, 10, 10, 0],
  ]);
  // Lab–1 10, lab–2 10, 1–2 10, lab–3 3, 1–3 12, 2–3 8. Before 1: 3 + 12 − 10 = 5; between:
  // 12 + 8 − 10 = 10; after 2: 8 + 3 − 10 = 1.
  const triangle = problemOf([
    [0, 10, 10, 3],
    [10, 0, 10, 12],
    [10, 10, 0, 8],
    [3, 12, 8, 0],
  ]);
  // Like `tie` but lab–3 30: before 1: 30 + 10 − 20 = 20; between: 10; after 2: 10 + 30 − 20 = 20.
  const between = problemOf([
    [0, 20, 20, 30],
    [20, 0, 10, 10],
    [20, 10, 0, 10],
    [30, 10, 10, 0],
  ]);
  // Lab–1 10, lab–2 10, 1–2 10, lab–3 5, 1–3 10, 2–3 10; departure 0, no service; node 3 opens
  // at 15 and closes at 25. Before 1: 3 at 5, waits to 15, 1 at 25, 2 at 35, back 45.
  // Between: 1 at 10, 3 at 20, 2 at 30, back 40 ✓. After 2: 3 at 30, 5 minutes after closing.
  // By travel alone the first place would win (5 + 10 − 10 = 5 = after 2 < 10).
  const opening = problemOf(
    [
      [0, 10, 10, 5],
      [10, 0, 10, 10],
      [10, 10, 0, 10],
      [5, 10, 10, 0],
    ],
    { open: [-Infinity, -Infinity, -Infinity, 15], close: [Infinity, Infinity, Infinity, 25] },
  );
  it.each([
    { name: "a tie goes to the earliest place (before the first stop)", problem: tie, expected: [3, 1, 2] },
    { name: "the cheapest place may be after the last stop", problem: triangle, expected: [1, 2, 3] },
    { name: "the cheapest place may be between stops", problem: between, expected: [1, 3, 2] },
    { name: "with opening hours the schedule decides, not travel", problem: opening, expected: [1, 3, 2] },
  ])("$name", ({ problem, expected }) => {
    expect(insertCheapest(problem, [1, 2], 3)).toEqual(expected);
  });

  it("into an empty route", () => {
    expect(insertCheapest(tie, [], 3)).toEqual([3]);
  });
});

describe("improves", () => {
  const figures = (...pairs: [number, number][]): RouteFigures[] =>
    pairs.map(([duration, afterClose]) => ({ duration, afterClose }));
  it.each([
    {
      name: "less closing lateness (5 → 3) improves though the route gets longer",
      before: figures([10, 5]),
      after: figures([20, 3]),
      better: true,
    },
    {
      name: "more closing lateness (3 → 5) does not improve though the route gets shorter",
      before: figures([20, 3]),
      after: figures([10, 5]),
      better: false,
    },
    {
      name: "closing lateness EPSILON apart is noise: the shorter route decides",
      before: figures([20, 0]),
      after: figures([10, EPSILON]),
      better: true,
    },
    {
      name: "equal longest route (30): the second longest decides, 20 → 10",
      before: figures([30, 0], [20, 0]),
      after: figures([10, 0], [30, 0]),
      better: true,
    },
    {
      name: "equal longest route (30): the second longest gets longer, 10 → 20",
      before: figures([10, 0], [30, 0]),
      after: figures([30, 0], [20, 0]),
      better: false,
    },
    {
      name: "three routes compared longest first without sorting: 30 = 30, then 20 → 18",
      before: figures([10, 0], [30, 0], [20, 0]),
      after: figures([30, 0], [12, 0], [18, 0]),
      better: true,
    },
    {
      name: "a route exactly EPSILON shorter is no improvement",
      before: figures([EPSILON, 0]),
      after: figures([0, 0]),
      better: false,
    },
    {
      name: "the same figures do not improve",
      before: figures([10, 1]),
      after: figures([10, 1]),
      better: false,
    },
  ])("$name", ({ before, after, better }) => {
    expect(improves(before, after)).toBe(better);
  });
});

describe("improveBetweenRoutes", () => {
  it("moves a stop into an empty route when that shortens the longest", () => {
    // Stops at −10 (node 1) and +10 (node 2) on one road: together 10 + 20 + 10 = 40; apart
    // 20 and 20. Moving 2 back beside 1 would make 40 again.
    const orders = [[1, 2], []];
    improveBetweenRoutes(problemOf(lineMinutes([0, -10, 10])), orders);
    expect(orders).toEqual([[2], [1]]);
  });

  it("keeps moving stops while that helps: three spokes end on three vans", () => {
    // Three spokes 10 minutes long (60 for all three on one van). Moving 1 to the first empty
    // van: 40 | 20 | 0. Then 2 cannot join 1 (20 | 40, no better) but goes to the empty van:
    // 20 | 20 | 20.
    const orders = [[1, 2, 3], [], []];
    improveBetweenRoutes(problemOf(starMinutes(3, 10)), orders);
    expect(orders).toEqual([[3], [1], [2]]);
  });

  /**
   * Stops on one road, 5 minutes on site: 1 at +10, 2 at −1 (van A), 3 at −10, 4 at +1 (van B);
   * both 22 + 10 = 32. No single move helps: 1 to B 7 | 55, 2 to B 25 | 37, 3 to A 7 | 55, 4 to A
   * 25 | 37. Swapping 1 and 3 (each inserted at its cheapest place, the first of two equal):
   * A = [3 2] 10 + 9 + 1 + 10 = 30, B = [1 4] 30; nothing improves after that.
   */
  const swapPositions = [0, 10, -1, -10, 1];
  const swapProblem = (extraStops: number): RoutingProblem => {
    const positions = [...swapPositions, ...Array<number>(extraStops).fill(0)];
    return problemOf(lineMinutes(positions), { service: positions.map((_, i) => (i === 0 ? 0 : 5)) });
  };
  it.each([
    {
      name: "4 stops: the swap is made",
      extra: 0,
      expected: [
        [3, 2],
        [1, 4],
      ],
    },
    {
      name: "80 stops in the problem: swaps are still tried",
      extra: 76,
      expected: [
        [3, 2],
        [1, 4],
      ],
    },
    {
      name: "81 stops in the problem: no swaps, the routes stay",
      extra: 77,
      expected: [
        [1, 2],
        [3, 4],
      ],
    },
  ])("swaps two stops between routes when no single move helps ($name)", ({ extra, expected }) => {
    const orders = [
      [1, 2],
      [3, 4],
    ];
    improveBetweenRoutes(swapProblem(extra), orders);
    expect(orders).toEqual(expected);
  });

  it("goes on after a swap: two such pairs far apart are both swapped", () => {
    // Nodes 5–8 copy nodes 1–4 on a second road; the roads are 100 minutes apart (no triangle
    // needed), so moving a stop between the pairs only costs. Pair one swaps first, then pair two.
    const size = 9;
    const position = [0, 10, -1, -10, 1, 10, -1, -10, 1];
    const road = (i: number): number => (i === 0 ? 0 : i <= 4 ? 1 : 2);
    const minutes = Array.from({ length: size }, (_, i) =>
      Array.from({ length: size }, (_, j) => {
        const [pi, pj] = [position[i] as number, position[j] as number];
        return road(i) === 0 || road(j) === 0 || road(i) === road(j) ? Math.abs(pi - pj) : 100;
      }),
    );
    const orders = [
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ];
    improveBetweenRoutes(problemOf(minutes, { service: [0, 5, 5, 5, 5, 5, 5, 5, 5] }), orders);
    expect(orders).toEqual([
      [3, 2],
      [1, 4],
      [7, 6],
      [5, 8],
    ]);
  });

  it.each([
    // 1 at 10, 2 at 20, 3 at 30 on one road: 2 1 3 drives 20 + 10 + 20 + 30 = 80, 1 2 3 drives 60.
    { name: "a route ordered afresh when that is shorter", order: [2, 1, 3], expected: [1, 2, 3] },
    { name: "an equally short order is kept", order: [3, 2, 1], expected: [3, 2, 1] },
  ])("$name", ({ order, expected }) => {
    const orders = [order];
    improveBetweenRoutes(problemOf(lineMinutes([0, 10, 20, 30])), orders);
    expect(orders).toEqual([expected]);
  });
});

describe("groupAndOrderStops", () => {
  const depot: GeoPoint = { latitude: 55.25, longitude: 12 };
  /** Nodes 1 north, 2 east, 3 south, 4 west of the lab: swept 3, 2, 1, 4 (from south, anticlockwise). */
  const compass: GeoPoint[] = [
    { latitude: 55.35, longitude: 12 },
    { latitude: 55.25, longitude: 12.1 },
    { latitude: 55.15, longitude: 12 },
    { latitude: 55.25, longitude: 11.9 },
  ];

  it("no stops: no routes", () => {
    expect(groupAndOrderStops(problemOf([[0]]), depot, [], 2, 100)).toEqual([]);
  });

  it("starts at the first van count whose estimate fits, even when fewer vans would do no worse than the next", () => {
    // Four spokes of 10 minutes (20 per stop). Departure 100, latest 120: 20 minutes. Estimates:
    // 1 van 80, 2 vans 40, 3 vans 40 (2 + 1 + 1 stops), 4 vans 20 ✓ — one stop each, on time.
    // (Counting up from one van would stop at 2: 3 vans are as late as 2.)
    const problem = problemOf(starMinutes(4, 10), { departure: 100 });
    expect(groupAndOrderStops(problem, depot, compass, 4, 120)).toEqual([[3], [2], [1], [4]]);
  });

  it("of equally good cuts the first (lowest start bearing) wins", () => {
    // Same spokes, 2 vans, 40 minutes: 1 van 80 > 40, 2 vans 40 ✓. Cuts of the sweep 3 2 1 4
    // into two pairs: [3 2] [1 4] (start 0) and [2 1] [4 3] (start 1), both 40 | 40; each pair
    // ordered lower node first (both 10 from the lab).
    const problem = problemOf(starMinutes(4, 10), { departure: 100 });
    expect(groupAndOrderStops(problem, depot, compass, 2, 140)).toEqual([
      [2, 3],
      [1, 4],
    ]);
  });

  const northSouth: GeoPoint[] = [compass[0] as GeoPoint, compass[2] as GeoPoint];
  it("a single van whose estimate is back exactly at the latest arrival suffices", () => {
    // Node 1 north, node 2 south, 10 minutes out each, 20 apart: one van 40 = 40 available.
    const problem = problemOf(lineMinutes([0, 10, -10]));
    expect(groupAndOrderStops(problem, depot, northSouth, 2, 40)).toEqual([[1, 2]]);
  });

  it("adds a van when the routes reach sites after closing", () => {
    // Both sites close at 15: one van reaches the second at 30 (15 minutes after closing),
    // two vans reach both at 10. Estimates (40 ≤ 1000) start with one van.
    const problem = problemOf(lineMinutes([0, 10, -10]), {
      open: [-Infinity, -Infinity, -Infinity],
      close: [Infinity, 15, 15],
    });
    expect(groupAndOrderStops(problem, depot, northSouth, 2, 1000)).toEqual([[2], [1]]);
  });

  it("keeps fewer vans when another van does not cut the lateness", () => {
    // Node 1 closes at 5 but is 10 minutes out: 5 minutes after closing with one van or two.
    const problem = problemOf(lineMinutes([0, 10, -10]), {
      open: [-Infinity, -Infinity, -Infinity],
      close: [Infinity, 5, Infinity],
    });
    expect(groupAndOrderStops(problem, depot, northSouth, 2, 1000)).toEqual([[1, 2]]);
  });

  it("drops a route whose stops all moved to another", () => {
    // Two sites at one address 10 minutes out, no time on site, 10 minutes available: the
    // estimates ask for 2 vans (1 van 20), but the second stop joins the first (20 | 0 beats
    // 20 | 20), so one route remains.
    const same: GeoPoint[] = [compass[0] as GeoPoint, compass[0] as GeoPoint];
    const problem = problemOf([
      [0, 10, 10],
      [10, 0, 0],
      [10, 0, 0],
    ]);
    expect(groupAndOrderStops(problem, depot, same, 2, 10)).toEqual([[1, 2]]);
  });
});
