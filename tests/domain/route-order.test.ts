import { describe, expect, it } from "vitest";
import {
  buildRoutingProblem,
  costOfOrder,
  estimateStretchMinutes,
  improveByOrOpt,
  improveBySchedule,
  improveByTwoOpt,
  orderByFarthestInsertion,
  orderByNearestNeighbour,
  orderRoute,
  polishOrder,
  type RoutingProblem,
  scheduleOrder,
} from "../../src/domain/route-order.ts";

type Extra = {
  readonly service?: readonly number[];
  readonly open?: readonly number[];
  readonly close?: readonly number[];
  readonly departure?: number;
};

/**
 * A hand-made problem from a symmetric table of travel minutes (row 0 the depot), so every figure
 * in the tests below is plain arithmetic on the table. Missing service is 0, missing opening hours
 * are −∞/+∞, departure 0.
 */
function matrixProblem(rows: readonly (readonly number[])[], extra: Extra = {}): RoutingProblem {
  const size = rows.length;
  const minutes = new Float64Array(rows.flat());
  return {
    size,
    km: minutes,
    minutes,
    service: extra.service ?? Array<number>(size).fill(0),
    open: extra.open ?? Array<number>(size).fill(-Infinity),
    close: extra.close ?? Array<number>(size).fill(Infinity),
    departure: extra.departure ?? 0,
    hasWindows: extra.open !== undefined || extra.close !== undefined,
  };
}

/** Travel minutes = Manhattan distance between grid points (point 0 the depot): integers, easy sums. */
function gridProblem(points: readonly (readonly [number, number])[], extra: Extra = {}): RoutingProblem {
  return matrixProblem(
    points.map(([x1, y1]) => points.map(([x2, y2]) => Math.abs(x1 - x2) + Math.abs(y1 - y2))),
    extra,
  );
}

/**
 * The square used in several tests: depot (0,0), 1 at (0,10), 2 at (10,10), 3 at (10,0). Around the
 * square (0→1→2→3→0 or back) is 40 minutes; any crossing order is 60.
 */
const SQUARE: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 10],
  [10, 10],
  [10, 0],
];

describe("buildRoutingProblem", () => {
  // Depot 55°N 12°E, stops 0.5° and 1° due north. Along a meridian the great circle is R·Δφ:
  // 6371.0088 km × 0.5° × π/180 = 55.5975 km; × road factor 1.3 = 72.27680 km; at 50 km/h that is
  // 72.27680 / 50 × 60 = 86.73216 min. Depot→2 is twice that; 1→2 once.
  // Built inside each test (not when the suite is collected) so every test exercises the builder.
  const build = (): RoutingProblem =>
    buildRoutingProblem(
      { latitude: 55, longitude: 12 },
      [
        { location: { latitude: 55.5, longitude: 12 }, serviceMinutes: 10, open: 480 },
        { location: { latitude: 56, longitude: 12 }, serviceMinutes: 15, close: 600 },
      ],
      { roadFactor: 1.3, speedKmh: 50, departure: 450 },
    );
  const a = 72.2768;
  const t = 86.73216;

  it("fills both triangles of the km and minute matrices", () => {
    const near = (x: number): unknown => (x === 0 ? 0 : expect.closeTo(x, 4));
    const problem = build();
    expect(problem.size).toBe(3);
    expect(Array.from(problem.km)).toEqual([0, a, 2 * a, a, 0, a, 2 * a, a, 0].map(near));
    expect(Array.from(problem.minutes)).toEqual([0, t, 2 * t, t, 0, t, 2 * t, t, 0].map(near));
  });

  it("puts the depot first with no service and no opening hours; missing hours are −∞/+∞", () => {
    const problem = build();
    expect(problem.service).toEqual([0, 10, 15]);
    expect(problem.open).toEqual([-Infinity, 480, -Infinity]);
    expect(problem.close).toEqual([Infinity, Infinity, 600]);
    expect(problem.departure).toBe(450);
  });

  const here = { latitude: 55, longitude: 12 };
  it.each([
    { name: "no stop has hours", stops: [{}, {}], hasWindows: false },
    { name: "one stop of two has an opening time only", stops: [{}, { open: 480 }], hasWindows: true },
    { name: "one stop has a closing time only", stops: [{ close: 600 }], hasWindows: true },
    { name: "no stops at all", stops: [], hasWindows: false },
  ])("hasWindows: $name", ({ stops, hasWindows }) => {
    const built = buildRoutingProblem(
      here,
      stops.map((hours) => ({ location: here, serviceMinutes: 5, ...hours })),
      { roadFactor: 1.3, speedKmh: 50, departure: 0 },
    );
    expect(built.hasWindows).toBe(hasWindows);
  });
});

describe("scheduleOrder and costOfOrder", () => {
  // Depot (0,0), 1 at (10,0) opening at 120, 2 at (10,20) closing at 130; 5 min service each;
  // departure 100. Legs: 0–1 10, 1–2 20, 0–2 30.
  const problem = gridProblem(
    [
      [0, 0],
      [10, 0],
      [10, 20],
    ],
    {
      service: [0, 5, 5],
      open: [-Infinity, 120, -Infinity],
      close: [Infinity, Infinity, 130],
      departure: 100,
    },
  );

  it.each([
    {
      // 1 reached at 110, waits until 120, leaves 125; 2 reached at 145 (15 after closing), leaves
      // 150; back at 180. Cost 180 − 100 + 10 000 × 15 = 150 080.
      name: "waits for opening time and counts the lateness of a closed stop",
      order: [1, 2],
      schedule: { returnAt: 180, minutesAfterClose: 15 },
      cost: 150_080,
    },
    {
      // 2 reached at 130, exactly at closing: not late; leaves 135; 1 reached at 155 (open), leaves
      // 160; back at 170. Cost 70.
      name: "arriving exactly at closing time is not late",
      order: [2, 1],
      schedule: { returnAt: 170, minutesAfterClose: 0 },
      cost: 70,
    },
    {
      name: "an empty order returns at departure",
      order: [],
      schedule: { returnAt: 100, minutesAfterClose: 0 },
      cost: 0,
    },
  ])("$name", ({ order, schedule, cost }) => {
    expect(scheduleOrder(problem, order)).toEqual(schedule);
    expect(costOfOrder(problem, order)).toBe(cost);
  });
});

describe("orderByNearestNeighbour", () => {
  it("takes the nearest stop each time, not the first or the last listed", () => {
    // Depot (0,0), 1 (5,0), 2 (0,2), 3 (0,3). From the depot 5/2/3 → 2; from 2: 1 is 7, 3 is 1 → 3;
    // then 1.
    const problem = gridProblem([
      [0, 0],
      [5, 0],
      [0, 2],
      [0, 3],
    ]);
    expect(orderByNearestNeighbour(problem, [1, 2, 3])).toEqual([2, 3, 1]);
  });

  it("breaks ties to the lower index whatever the input order", () => {
    // Depot (0,0), 1 (2,0), 2 (0,2), 3 (−2,0): all 2 from the depot → 1; from 1 both others are 4 → 2.
    const problem = gridProblem([
      [0, 0],
      [2, 0],
      [0, 2],
      [-2, 0],
    ]);
    expect(orderByNearestNeighbour(problem, [3, 2, 1])).toEqual([1, 2, 3]);
  });

  it("treats a difference of exactly EPSILON (1e-9 min) as a tie", () => {
    const problem = matrixProblem([
      [0, 1, 1 - 1e-9],
      [1, 0, 1],
      [1 - 1e-9, 1, 0],
    ]);
    expect(orderByNearestNeighbour(problem, [2, 1])).toEqual([1, 2]);
  });
});

describe("improveByTwoOpt", () => {
  it("uncrosses the square and reports the change", () => {
    // Order 1,3,2 = 4 + 8 + 4 + 8 = 24 on the square scaled to 4 (1 (0,4), 2 (4,4), 3 (4,0)).
    // i=0: both reversals change nothing (delta 0). i=1, j=2: a=1, b=3, c=2, d=0:
    // t(1,2) + t(3,0) − t(1,3) − t(2,0) = 4 + 4 − 8 − 8 = −8 → reverse to 1,2,3 (16). A second pass
    // finds only +8 and 0 deltas.
    const problem = gridProblem([
      [0, 0],
      [0, 4],
      [4, 4],
      [4, 0],
    ]);
    const order = [1, 3, 2];
    expect(improveByTwoOpt(problem, order)).toBe(true);
    expect(order).toEqual([1, 2, 3]);
  });

  it("leaves an order that is already uncrossed alone", () => {
    const problem = gridProblem(SQUARE);
    const order = [3, 2, 1];
    expect(improveByTwoOpt(problem, order)).toBe(false);
    expect(order).toEqual([3, 2, 1]);
  });

  it("reverses only stretches of stops, even where a leg is longer than a detour via the depot", () => {
    // Hand-made table (not a metric: t(1,3) = 12 > t(1,0) + t(0,3) = 8). Order 3,2,1 = 2+14+12+6 = 34.
    // i=0: j=1 gives t(0,2) + t(3,1) − t(0,3) − t(2,1) = 4+12−2−12 = 2, j=2 gives 0. i=1, j=2:
    // t(3,1) + t(2,0) − t(3,2) − t(1,0) = 12+4−14−6 = −4 → 3,1,2 = 2+12+12+4 = 30. Second pass: 6, 0
    // and 14+6−12−4 = 4: done.
    const problem = matrixProblem([
      [0, 6, 4, 2],
      [6, 0, 12, 12],
      [4, 12, 0, 14],
      [2, 12, 14, 0],
    ]);
    const order = [3, 2, 1];
    expect(improveByTwoOpt(problem, order)).toBe(true);
    expect(order).toEqual([3, 1, 2]);
  });

  it("takes no move that gains exactly EPSILON", () => {
    // All legs 0 except 2–3 = 1e-9: reversing 1,2 (i=0, j=1) gives t(0,2) + t(1,3) − t(0,1) − t(2,3)
    // = −1e-9, which is float noise, not an improvement.
    const e = 1e-9;
    const problem = matrixProblem([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, e],
      [0, 0, e, 0],
    ]);
    const order = [1, 2, 3];
    expect(improveByTwoOpt(problem, order)).toBe(false);
    expect(order).toEqual([1, 2, 3]);
  });
});

/**
 * Three sites at one address make a run that only moves as a whole: the depot (0,0), four sites
 * A = 1…4 at (0,10), three sites C = 5…7 at (10,0), four sites B = 8…11 at (10,10). Any order
 * with A…C…B (or B…A…C) as a subsequence drives at least 10 + 20 + 10 + 20 = 60; around the square
 * is 40. Moving one or two stops leaves at least one of each group in place, so only the run of
 * three (all of C) can improve.
 */
const GROUPS: readonly (readonly [number, number])[] = [
  [0, 0],
  ...Array<[number, number]>(4).fill([0, 10]),
  ...Array<[number, number]>(3).fill([10, 0]),
  ...Array<[number, number]>(4).fill([10, 10]),
];

describe("improveByOrOpt", () => {
  it("moves a run of three to the end of the route (between the last stop and the depot)", () => {
    // Order A,C,B = 60. C (i=4) removed: t(4,5) + t(7,8) − t(4,8) = 20 + 10 − 10 = 20 saved.
    // Inserted at p=0 costs t(0,5) + t(7,1) − t(0,1) = 10 + 20 − 10 = 20 (no gain), inside A 40,
    // inside B 20, after B (p=8) t(11,5) + t(7,0) − t(11,0) = 10 + 10 − 20 = 0 → 20 gained: A,B,C = 40.
    const problem = gridProblem(GROUPS);
    const order = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    expect(improveByOrOpt(problem, order)).toBe(true);
    expect(order).toEqual([1, 2, 3, 4, 8, 9, 10, 11, 5, 6, 7]);
  });

  it("moves the route's last run of three to the front", () => {
    // Order B,A,C = 20 + 10 + 20 + 10 = 60. C is the last run (i=8). Removed: t(4,5) + t(7,0) −
    // t(4,0) = 20 + 10 − 10 = 20; inserted at p=0: t(0,5) + t(7,8) − t(0,8) = 10 + 10 − 20 = 0
    // → C,B,A = 40.
    const problem = gridProblem(GROUPS);
    const order = [8, 9, 10, 11, 1, 2, 3, 4, 5, 6, 7];
    expect(improveByOrOpt(problem, order)).toBe(true);
    expect(order).toEqual([5, 6, 7, 8, 9, 10, 11, 1, 2, 3, 4]);
  });

  it("moves a single stop to its side of the square", () => {
    // Order 2,1,3 = 20 + 10 + 20 + 10 = 60. Stop 2 (i=0) removed: t(0,2) + t(2,1) − t(0,1) = 20;
    // put between 1 and 3: t(1,2) + t(2,3) − t(1,3) = 10 + 10 − 20 = 0 → 1,2,3 = 40.
    const problem = gridProblem(SQUARE);
    const order = [2, 1, 3];
    expect(improveByOrOpt(problem, order)).toBe(true);
    expect(order).toEqual([1, 2, 3]);
  });

  it("inserts a run reversed when that side fits", () => {
    // Legs of the cycle 0–1–2–3–4–5–0 take 1 minute, every other leg 10. Order 1,2,5,4,3 drives
    // 1+1+10+1+1+10 = 24. No single stop gains (each move breaks a cheap leg for at most one new
    // one). The first run of two, 1,2 (i=0), saves t(0,1) + t(2,5) − t(0,5) = 1 + 10 − 1 = 10; after
    // 3 (the last place) it costs t(3,1) + t(2,0) − t(3,0) = 10 forward but t(3,2) + t(1,0) − t(3,0)
    // = 1 + 1 − 10 = −8 backward → 5,4,3,2,1 = 6, the cheap cycle.
    const problem = matrixProblem(
      Array.from({ length: 6 }, (_, a) =>
        Array.from({ length: 6 }, (_, b) =>
          a === b ? 0 : Math.abs(a - b) === 1 || Math.abs(a - b) === 5 ? 1 : 10,
        ),
      ),
    );
    const order = [1, 2, 5, 4, 3];
    expect(improveByOrOpt(problem, order)).toBe(true);
    expect(order).toEqual([5, 4, 3, 2, 1]);
  });

  it("leaves a route around the square alone", () => {
    const problem = gridProblem(GROUPS);
    const order = [1, 2, 3, 4, 8, 9, 10, 11, 5, 6, 7];
    expect(improveByOrOpt(problem, order)).toBe(false);
    expect(order).toEqual([1, 2, 3, 4, 8, 9, 10, 11, 5, 6, 7]);
  });
});

describe("orderByFarthestInsertion", () => {
  it("starts with the farthest stop and inserts each where it adds least (ties: lower index, earlier place)", () => {
    // Square, input reversed. Depot gaps 10/20/10 → 2 first: [2]. Gaps to {0,2}: 1 → 10, 3 → 10, a
    // tie → 1. Placing 1 before or after 2 both add 10 + 10 − 20 = 0 → earlier: [1,2]. 3: before 1
    // adds 10 + 20 − 10 = 20, between 1 and 2 adds 20 + 10 − 10 = 20, after 2 (the last place)
    // adds 10 + 10 − 20 = 0 → [1,2,3].
    expect(orderByFarthestInsertion(gridProblem(SQUARE), [3, 2, 1])).toEqual([1, 2, 3]);
  });

  it("measures how far a stop is from the whole tour so far, not from the depot or the last stop", () => {
    // Hand-made table. 1 first (20 from the depot). Gaps: 2 min(17, 3) = 3, 3 min(13, 34) = 13,
    // 4 min(19, 40) = 19 → 4; placed before 1 (39 either way, earlier wins): [4,1].
    // Gaps: 2 min(3, 36) = 3, 3 min(13, 6) = 6 → 3: before 4 adds 13 + 6 − 19 = 0: [3,4,1].
    // 2: between 4 and 1 adds 36 + 3 − 40 = −1 (the least): [3,4,2,1].
    // Taking 2 before 3 (by depot distance 17 > 13, by distance to 4 alone 36 > 6, or by the
    // largest distance 36 > 34) would put 3 between 4 and 2 (6 + 20 − 36 = −10): [4,3,2,1].
    const problem = matrixProblem([
      [0, 20, 17, 13, 19],
      [20, 0, 3, 34, 40],
      [17, 3, 0, 20, 36],
      [13, 34, 20, 0, 6],
      [19, 40, 36, 6, 0],
    ]);
    expect(orderByFarthestInsertion(problem, [1, 2, 3, 4])).toEqual([3, 4, 2, 1]);
  });
});

describe("polishOrder", () => {
  it("with opening hours, reorders by the schedule even when travel is the same", () => {
    // Depot (0,0), 1 (0,10), 2 (10,0) closing at 15; departure 0. Both orders drive 40, but 1,2
    // reaches 2 at 30 (15 late) and 2,1 reaches it at 10.
    const problem = gridProblem(
      [
        [0, 0],
        [0, 10],
        [10, 0],
      ],
      { close: [Infinity, Infinity, 15] },
    );
    expect(polishOrder(problem, [1, 2])).toEqual([2, 1]);
  });
});

describe("improveBySchedule", () => {
  it("reverses a stretch so that every stop is reached before it closes", () => {
    // Three sites at one address (0,10), 10 min service each, closing at 10, 20, 30 for 3, 2, 1.
    // 1,2,3 reaches them at 10, 20, 30: 3 is 20 late. 3,2,1 reaches each in time.
    const problem = gridProblem([[0, 0], ...Array<[number, number]>(3).fill([0, 10])], {
      service: [0, 10, 10, 10],
      close: [Infinity, 30, 20, 10],
    });
    const order = [1, 2, 3];
    improveBySchedule(problem, order);
    expect(order).toEqual([3, 2, 1]);
  });

  it("tries reversals before relocations (the order they reach differs here)", () => {
    // Four sites at one address (0,10), 10 min service, closing 1 at 10, 4 at 20, 2 and 3 at 40:
    // the k-th stop is reached at 10k. 4,3,2,1 leaves 1 30 late. Reversals: 3,4,2,1 (30),
    // 2,3,4,1 (4 and 1 late: 40), 1,2,3,4 (4 20 late: 20) taken; then 2,1,3,4 30, 3,2,1,4 40,
    // 4,3,2,1 30, 1,3,2,4 20, 1,4,3,2 0 taken. (Relocations alone would end at 1,4,2,3.)
    const problem = gridProblem([[0, 0], ...Array<[number, number]>(4).fill([0, 10])], {
      service: [0, 10, 10, 10, 10],
      close: [Infinity, 10, 40, 40, 20],
    });
    const order = [4, 3, 2, 1];
    improveBySchedule(problem, order);
    expect(order).toEqual([1, 4, 3, 2]);
  });
});

/** Cheapest round trip over every order of `nodes` (all permutations): the true optimum of a few stops. */
function bruteForceCost(problem: RoutingProblem, nodes: readonly number[]): number {
  if (nodes.length === 0) return costOfOrder(problem, []);
  return Math.min(
    ...nodes.map((node) =>
      Math.min(
        ...permute(nodes.filter((other) => other !== node)).map((rest) =>
          costOfOrder(problem, [node, ...rest]),
        ),
      ),
    ),
  );
}

function permute(nodes: readonly number[]): number[][] {
  if (nodes.length <= 1) return [[...nodes]];
  return nodes.flatMap((node) =>
    permute(nodes.filter((other) => other !== node)).map((rest) => [node, ...rest]),
  );
}

describe("orderRoute", () => {
  it("returns the square's round trip for three stops (nearest neighbour: 1 before 3 on the tie)", () => {
    expect(orderRoute(gridProblem(SQUARE), [3, 2, 1])).toEqual([1, 2, 3]);
  });

  it("takes the farthest-insertion start when it ends cheaper (five stops)", () => {
    // Depot (0,0), 1 (3,−2), 2 (−1,0), 3 (2,2), 4 (3,0), 5 (−3,−3).
    // Farthest insertion: 5 (6 from the depot) → [5]; gaps 1 5, 2 1, 3 4, 4 3 → 1 before 5 (adds
    // 5 + 7 − 6 = 6 either side): [1,5]; gaps 2 1, 3 4, 4 2 → 3 before 1 (4 + 5 − 5 = 4): [3,1,5];
    // 4 between 3 and 1 (3 + 2 − 5 = 0): [3,4,1,5]; 2 after 5 (5 + 1 − 6 = 0): [3,4,1,5,2]
    // = 4 + 3 + 2 + 7 + 5 + 1 = 22, the optimum (brute force below), so the local search keeps it.
    // Nearest neighbour starts 2,4,1,3,5 (28) and its local search stops at 26.
    const problem = gridProblem([
      [0, 0],
      [3, -2],
      [-1, 0],
      [2, 2],
      [3, 0],
      [-3, -3],
    ]);
    const nodes = [1, 5, 2, 4, 3];
    expect(bruteForceCost(problem, nodes)).toBe(22);
    expect(orderRoute(problem, nodes)).toEqual([3, 4, 1, 5, 2]);
  });

  it("keeps the nearest-neighbour result when both starts end equally cheap (four stops)", () => {
    // Depot (0,0), 1 (−4,−2), 2 (2,0), 3 (0,−3), 4 (−1,1).
    // Nearest neighbour: 2 (2, tie with 4 → lower index), 4 (4), 3 (5), 1: 2,4,3,1 = 2+4+5+5+6 = 22.
    // 2-opt: the only negative delta is i=2, j=3: t(4,1) + t(3,0) − t(4,3) − t(1,0) = 6+3−5−6 = −2
    // → 2,4,1,3 = 20, the optimum. Farthest insertion: 1, then 3 before it, 2 before 3, 4 after 1:
    // 2,3,1,4 = 2+5+5+6+2 = 20 as well, so nearest neighbour's order stays.
    const problem = gridProblem([
      [0, 0],
      [-4, -2],
      [2, 0],
      [0, -3],
      [-1, 1],
    ]);
    const nodes = [3, 2, 1, 4];
    expect(bruteForceCost(problem, nodes)).toBe(20);
    expect(orderByFarthestInsertion(problem, nodes)).toEqual([2, 3, 1, 4]);
    expect(orderRoute(problem, nodes)).toEqual([2, 4, 1, 3]);
  });
});

describe("estimateStretchMinutes", () => {
  it("grows each stretch by cheapest insertion and adds service", () => {
    // Square with service 1, 2, 3 at stops 1, 2, 3; circle 1,2,3.
    // From 1: [1] 20 + 1 = 21; 2 before 1 adds 20 + 10 − 10 = 20 → 40 + 3 = 43; 3 before 2 adds
    //   10 + 10 − 20 = 0 → 40 + 6 = 46.
    // From 2: [2] 40 + 2 = 42; 3 before 2 adds 0 → 40 + 5 = 45; 1 after 2 adds 10 + 10 − 20 = 0 → 46.
    // From 3: [3] 20 + 3 = 23; 1 adds 10 + 20 − 10 = 20 either side → 40 + 4 = 44; 2 between 1 and
    //   3 adds 10 + 10 − 20 = 0 → 46.
    const problem = gridProblem(SQUARE, { service: [0, 1, 2, 3] });
    expect(estimateStretchMinutes(problem, [1, 2, 3])).toEqual([
      [21, 43, 46],
      [42, 45, 46],
      [23, 44, 46],
    ]);
  });

  it.each([
    {
      // Depot (0,0), 1 (−3,−4), 2 (−3,3), 3 (1,−3): t01 7, t02 6, t03 4, t12 7, t13 5, t23 10.
      // From 1: 14; 3 adds 4+5−7 = 2 (before 1 on the tie) → 16; 2 before 3 adds 6+10−4 = 12,
      //   between 3 and 1 10+7−5 = 12, after 1 7+6−7 = 6 (the least) → 22.
      // From 3: 8; 2 adds 6+10−4 = 12 → 20; 1 between 2 and 3 adds 7+5−10 = 2 → 22.
      // From 2: 12; 1 adds 7+7−6 = 8 → 20; 3 before 1 adds 4+5−7 = 2 → 22.
      name: "the cheapest place is the last one",
      points: [
        [0, 0],
        [-3, -4],
        [-3, 3],
        [1, -3],
      ] as const,
      circle: [1, 3, 2],
      expected: [
        [14, 16, 22],
        [8, 20, 22],
        [12, 20, 22],
      ],
    },
    {
      // Depot (0,0), 1 (2,−3), 2 (3,3), 3 (−2,−1): t01 5, t02 6, t03 3, t12 7, t13 6, t23 9.
      // From 3: 6; 1 adds 5+6−3 = 8 → 14; 2: before 3 12, between 3 and 1 9+7−6 = 10, after 1
      //   7+6−5 = 8 → 22.
      // From 1: 10; 2 adds 6+7−5 = 8 → 18; 3: before 1 3+6−5 = 4, between 1 and 2 8, after 2 6 → 22.
      // From 2: 12; 3 adds 3+9−6 = 6 → 18; 1: before 3 8, between 3 and 2 6+7−9 = 4, after 2 6 → 22.
      name: "the cheapest place is in the middle",
      points: [
        [0, 0],
        [2, -3],
        [3, 3],
        [-2, -1],
      ] as const,
      circle: [3, 1, 2],
      expected: [
        [6, 14, 22],
        [10, 18, 22],
        [12, 18, 22],
      ],
    },
  ])("$name", ({ points, circle, expected }) => {
    expect(estimateStretchMinutes(gridProblem(points), circle)).toEqual(expected);
  });
});
