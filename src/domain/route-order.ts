import { estimateRoadKm, estimateTravelMinutes, type GeoPoint } from "./geo.ts";

/**
 * A routing problem in index form: node 0 is the depot (the region's lab), nodes 1…n the stops in
 * site-id order, so "lower index first" is the deterministic tie-break everywhere. Times are
 * minutes after local midnight of the run's day.
 */
export type RoutingProblem = {
  readonly size: number;
  /** Road km between nodes, row-major (size × size); symmetric. */
  readonly km: Float64Array;
  /** Travel minutes between nodes, row-major (size × size); symmetric. */
  readonly minutes: Float64Array;
  readonly service: readonly number[];
  /** Opening time per node (−∞ when the stop has no opening hours). */
  readonly open: readonly number[];
  /** Closing time per node (+∞ when the stop has no opening hours). */
  readonly close: readonly number[];
  readonly departure: number;
  /** True when some stop has opening hours: orders are then evaluated on the schedule, not travel. */
  readonly hasWindows: boolean;
};

/** One node of a problem besides the depot. */
export type ProblemStop = {
  readonly location: GeoPoint;
  readonly serviceMinutes: number;
  readonly open?: number | undefined;
  readonly close?: number | undefined;
};

/** Builds the distance and time matrices (road factor × great-circle, at the average speed). */
export function buildRoutingProblem(
  depot: GeoPoint,
  stops: readonly ProblemStop[],
  road: { readonly roadFactor: number; readonly speedKmh: number; readonly departure: number },
): RoutingProblem {
  const points = [depot, ...stops.map((stop) => stop.location)];
  const size = points.length;
  const km = new Float64Array(size * size);
  const minutes = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const distance = estimateRoadKm(points[i] as GeoPoint, points[j] as GeoPoint, road.roadFactor);
      const time = estimateTravelMinutes(distance, road.speedKmh);
      km[i * size + j] = km[j * size + i] = distance;
      minutes[i * size + j] = minutes[j * size + i] = time;
    }
  }
  return {
    size,
    km,
    minutes,
    service: [0, ...stops.map((stop) => stop.serviceMinutes)],
    open: [-Infinity, ...stops.map((stop) => stop.open ?? -Infinity)],
    close: [Infinity, ...stops.map((stop) => stop.close ?? Infinity)],
    departure: road.departure,
    hasWindows: stops.some((stop) => stop.open !== undefined || stop.close !== undefined),
  };
}

/** Travel minutes from node `a` to node `b`. */
export function travelMinutes(problem: RoutingProblem, a: number, b: number): number {
  return problem.minutes[a * problem.size + b] ?? 0;
}

/** What driving an order from the depot and back costs. */
export type OrderSchedule = {
  /** Arrival back at the depot, minutes after midnight. */
  readonly returnAt: number;
  /** Minutes summed over stops reached after their closing time. */
  readonly minutesAfterClose: number;
};

/**
 * Drives `order` from the depot at the departure time: each stop's service starts at arrival, or
 * at opening time when the van is early (it waits); a stop reached after closing is still served
 * and its lateness counted (the plan reports it rather than dropping the samples).
 */
export function scheduleOrder(problem: RoutingProblem, order: readonly number[]): OrderSchedule {
  let clock = problem.departure;
  let previous = 0;
  let minutesAfterClose = 0;
  for (const node of order) {
    const arrival = clock + travelMinutes(problem, previous, node);
    const start = Math.max(arrival, problem.open[node] ?? -Infinity);
    minutesAfterClose += Math.max(0, arrival - (problem.close[node] ?? Infinity));
    clock = start + (problem.service[node] ?? 0);
    previous = node;
  }
  return { returnAt: clock + travelMinutes(problem, previous, 0), minutesAfterClose };
}

/**
 * Closing-time lateness weighs far more than a longer drive: being let in at all comes first.
 * (Any weight above the longest possible day does; this one keeps the numbers readable.)
 */
const AFTER_CLOSE_WEIGHT = 10_000;

/** The single number a route's order is judged by: duration, plus heavy weight on closing lateness. */
export function costOfOrder(problem: RoutingProblem, order: readonly number[]): number {
  const schedule = scheduleOrder(problem, order);
  return schedule.returnAt - problem.departure + AFTER_CLOSE_WEIGHT * schedule.minutesAfterClose;
}

/** Improvements smaller than this are float noise, not a better route (keeps the search finite). */
const EPSILON = 1e-9;

/** Nearest neighbour from the depot by travel time; ties go to the lower index (site id). */
export function orderByNearestNeighbour(problem: RoutingProblem, nodes: readonly number[]): number[] {
  const left = [...nodes].sort((a, b) => a - b);
  const order: number[] = [];
  let current = 0;
  while (left.length > 0) {
    let best = 0;
    for (let i = 1; i < left.length; i++) {
      if (
        travelMinutes(problem, current, left[i] as number) <
        travelMinutes(problem, current, left[best] as number) - EPSILON
      ) {
        best = i;
      }
    }
    current = left.splice(best, 1)[0] as number;
    order.push(current);
  }
  return order;
}

/** Node at position `i` of the closed tour depot → order → depot (−1 and length are the depot). */
function at(order: readonly number[], i: number): number {
  return i < 0 || i >= order.length ? 0 : (order[i] as number);
}

/**
 * 2-opt on travel time (first improvement): reverse a stretch whenever the two new edges are
 * shorter than the two removed ones. Valid as the whole cost when no stop has opening hours,
 * because service time does not depend on the order. Rearranges `order` in place; true when it moved
 * anything.
 */
export function improveByTwoOpt(problem: RoutingProblem, order: number[]): boolean {
  let improvedAny = false;
  for (let improved = true; improved;) {
    improved = false;
    for (let i = 0; i < order.length - 1; i++) {
      for (let j = i + 1; j < order.length; j++) {
        const a = at(order, i - 1);
        const b = at(order, i);
        const c = at(order, j);
        const d = at(order, j + 1);
        const delta =
          travelMinutes(problem, a, c) +
          travelMinutes(problem, b, d) -
          travelMinutes(problem, a, b) -
          travelMinutes(problem, c, d);
        if (delta < -EPSILON) {
          reverseStretch(order, i, j);
          improved = improvedAny = true;
        }
      }
    }
  }
  return improvedAny;
}

function reverseStretch(order: number[], i: number, j: number): void {
  for (let left = i, right = j; left < right; left++, right--) {
    [order[left], order[right]] = [order[right] as number, order[left] as number];
  }
}

/**
 * Or-opt on travel time: move a run of 1–3 consecutive stops (either way round) to the best other
 * place in the route, which repairs what 2-opt cannot (a stop picked up on the wrong side).
 * Rearranges `order` in place; true when it moved anything.
 */
export function improveByOrOpt(problem: RoutingProblem, order: number[]): boolean {
  let improvedAny = false;
  for (let improved = true; improved;) {
    improved = false;
    for (let length = 1; length <= 3 && !improved; length++) {
      for (let i = 0; i + length <= order.length && !improved; i++) {
        const first = at(order, i);
        const last = at(order, i + length - 1);
        const before = at(order, i - 1);
        const after = at(order, i + length);
        const removeGain =
          travelMinutes(problem, before, first) +
          travelMinutes(problem, last, after) -
          travelMinutes(problem, before, after);
        const rest = [...order.slice(0, i), ...order.slice(i + length)];
        for (let p = 0; p <= rest.length && !improved; p++) {
          if (p === i) continue;
          const u = at(rest, p - 1);
          const v = at(rest, p);
          const base = travelMinutes(problem, u, v);
          const forward = travelMinutes(problem, u, first) + travelMinutes(problem, last, v) - base;
          const backward = travelMinutes(problem, u, last) + travelMinutes(problem, first, v) - base;
          const insertCost = Math.min(forward, backward);
          if (insertCost - removeGain < -EPSILON) {
            const segment = order.slice(i, i + length);
            if (backward < forward - EPSILON) segment.reverse();
            order.splice(0, order.length, ...rest.slice(0, p), ...segment, ...rest.slice(p));
            improved = improvedAny = true;
          }
        }
      }
    }
  }
  return improvedAny;
}

/**
 * The same moves (2-opt reversal, or-opt relocation) judged by the full schedule, for routes with
 * opening hours where waiting and closing times make the order matter beyond distance (a run is
 * relocated as it is, not reversed). Rearranges `order` in place.
 */
export function improveBySchedule(problem: RoutingProblem, order: number[]): void {
  let cost = costOfOrder(problem, order);
  for (let improved = true; improved;) {
    improved = false;
    for (let i = 0; i < order.length - 1 && !improved; i++) {
      for (let j = i + 1; j < order.length && !improved; j++) {
        const candidate = [...order];
        reverseStretch(candidate, i, j);
        const candidateCost = costOfOrder(problem, candidate);
        if (candidateCost < cost - EPSILON) {
          order.splice(0, order.length, ...candidate);
          cost = candidateCost;
          improved = true;
        }
      }
    }
    for (let length = 1; length <= 3 && !improved; length++) {
      for (let i = 0; i + length <= order.length && !improved; i++) {
        const segment = order.slice(i, i + length);
        const rest = [...order.slice(0, i), ...order.slice(i + length)];
        for (let p = 0; p <= rest.length && !improved; p++) {
          // p = i puts the run back where it was: the same order at the same cost, never taken, so
          // its schedule is not computed.
          if (p === i) continue;
          const candidate = [...rest.slice(0, p), ...segment, ...rest.slice(p)];
          const candidateCost = costOfOrder(problem, candidate);
          if (candidateCost < cost - EPSILON) {
            order.splice(0, order.length, ...candidate);
            cost = candidateCost;
            improved = true;
          }
        }
      }
    }
  }
}

/**
 * Farthest insertion: the stop farthest from the tour so far joins it where it adds least. A
 * second, differently shaped start for the local search (it fixes the outline first), because
 * nearest neighbour alone can leave a long last leg that 2-opt and or-opt cannot undo. Ties go to
 * the lower node index and to the earlier position.
 */
export function orderByFarthestInsertion(problem: RoutingProblem, nodes: readonly number[]): number[] {
  const left = [...nodes].sort((a, b) => a - b);
  const tour: number[] = [];
  const gap = new Map(left.map((node) => [node, travelMinutes(problem, 0, node)]));
  while (left.length > 0) {
    let pick = 0;
    for (let i = 1; i < left.length; i++) {
      if ((gap.get(left[i] as number) ?? 0) > (gap.get(left[pick] as number) ?? 0) + EPSILON) pick = i;
    }
    const node = left.splice(pick, 1)[0] as number;
    let bestPosition = 0;
    let bestDelta = Infinity;
    for (let p = 0; p <= tour.length; p++) {
      const u = at(tour, p - 1);
      const v = at(tour, p);
      const delta =
        travelMinutes(problem, u, node) + travelMinutes(problem, node, v) - travelMinutes(problem, u, v);
      if (delta < bestDelta - EPSILON) {
        bestDelta = delta;
        bestPosition = p;
      }
    }
    tour.splice(bestPosition, 0, node);
    for (const other of left) {
      gap.set(other, Math.min(gap.get(other) ?? Infinity, travelMinutes(problem, node, other)));
    }
  }
  return tour;
}

function improveToLocalOptimum(problem: RoutingProblem, order: number[]): number[] {
  for (let improved = true; improved;) {
    const twoOpt = improveByTwoOpt(problem, order);
    const orOpt = improveByOrOpt(problem, order);
    improved = twoOpt || orOpt;
  }
  if (problem.hasWindows) improveBySchedule(problem, order);
  return order;
}

/**
 * Improves an existing order to a local optimum of the same moves (cheap when it is nearly
 * optimal already, as after moving one stop between routes).
 */
export function polishOrder(problem: RoutingProblem, order: readonly number[]): number[] {
  return improveToLocalOptimum(problem, [...order]);
}

/**
 * Orders the stops of one route: from two starts (nearest neighbour from the depot, farthest
 * insertion), 2-opt and or-opt until neither improves (a local optimum of both), then — when stops
 * have opening hours — the same moves judged by the schedule; the cheaper result wins (nearest
 * neighbour's on a tie). Deterministic: ties go to the lower node index.
 */
export function orderRoute(problem: RoutingProblem, nodes: readonly number[]): number[] {
  const nearest = improveToLocalOptimum(problem, orderByNearestNeighbour(problem, nodes));
  // With three stops or fewer one relocation reaches every other order, so the first local optimum
  // is the optimum already and a second start cannot be cheaper.
  if (nodes.length <= 3) return nearest;
  const farthest = improveToLocalOptimum(problem, orderByFarthestInsertion(problem, nodes));
  return costOfOrder(problem, farthest) < costOfOrder(problem, nearest) - EPSILON ? farthest : nearest;
}

/**
 * Cheapest-insertion tour lengths of every stretch of a circular sequence, in minutes of driving
 * plus service: `result[start][length - 1]` for the stretch of `length` nodes from `start`. Built
 * incrementally (each stretch extends the previous one by a cheapest insertion), so all n² figures
 * cost O(n³): a quick, fair estimate for choosing how to cut the sweep into routes.
 */
export function estimateStretchMinutes(problem: RoutingProblem, circle: readonly number[]): number[][] {
  const n = circle.length;
  return circle.map((_, start) => {
    const tour: number[] = [];
    let travel = 0;
    let service = 0;
    const lengths: number[] = [];
    for (let length = 1; length <= n; length++) {
      const node = circle[(start + length - 1) % n] as number;
      let bestPosition = 0;
      let bestDelta = Infinity;
      for (let p = 0; p <= tour.length; p++) {
        const u = at(tour, p - 1);
        const v = at(tour, p);
        const delta =
          travelMinutes(problem, u, node) + travelMinutes(problem, node, v) - travelMinutes(problem, u, v);
        if (delta < bestDelta - EPSILON) {
          bestDelta = delta;
          bestPosition = p;
        }
      }
      tour.splice(bestPosition, 0, node);
      travel += bestDelta;
      service += problem.service[node] ?? 0;
      lengths.push(travel + service);
    }
    return lengths;
  });
}
