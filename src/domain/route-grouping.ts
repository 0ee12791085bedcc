import type { GeoPoint } from "./geo.ts";
import {
  costOfOrder,
  estimateStretchMinutes,
  orderRoute,
  polishOrder,
  type RoutingProblem,
  scheduleOrder,
  travelMinutes,
} from "./route-order.ts";

/** Sweeps over this many start bearings at most (all of them for usual run sizes). */
const MAX_ROTATIONS = 64;
/**
 * Local search from one start can get stuck, so the improvement runs from several sweep cuts
 * (the best estimates): all of them for a handful of stops, fewer as runs grow, to keep a region's
 * week well under a second or two.
 */
export function startsFor(stops: number): number {
  return stops <= 12 ? stops : stops <= 40 ? 4 : 2;
}

/** Runs with this many stops or fewer also try swapping stops between routes (O(n²) moves). */
const SWAP_LIMIT = 80;
const EPSILON = 1e-9;

/**
 * How good a set of routes is: first the minutes after closing (summed), then the route durations
 * from longest to shortest, compared one by one (leximax). The longest route decides when the last
 * samples reach the lab; comparing the next ones too keeps the other routes balanced even when one
 * route cannot get shorter (a far island), instead of piling their stops onto one van.
 */
export type Score = {
  readonly afterClose: number;
  /** Durations, longest first. */
  readonly durations: readonly number[];
  /** Minutes after closing plus the longest route's minutes after the latest arrival. */
  readonly late: number;
};

/** Orders two scores: negative when `a` is better (see {@link Score}), 0 within float noise. */
export function compareScores(a: Score, b: Score): number {
  if (Math.abs(a.afterClose - b.afterClose) > EPSILON) return a.afterClose - b.afterClose;
  const length = Math.max(a.durations.length, b.durations.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.durations[i] ?? 0) - (b.durations[i] ?? 0);
    if (Math.abs(difference) > EPSILON) return difference;
  }
  return 0;
}

/** Duration and closing lateness of one route, the parts a score is made of. */
export type RouteFigures = { readonly duration: number; readonly afterClose: number };

function figuresOf(problem: RoutingProblem, order: readonly number[]): RouteFigures {
  const schedule = scheduleOrder(problem, order);
  return { duration: schedule.returnAt - problem.departure, afterClose: schedule.minutesAfterClose };
}

/** The score of a set of routes from their figures; `late` measures against `latest` (minutes after midnight). */
export function scoreFigures(
  problem: RoutingProblem,
  figures: readonly RouteFigures[],
  latest: number,
): Score {
  const afterClose = figures.reduce((sum, route) => sum + route.afterClose, 0);
  const durations = figures.map((route) => route.duration).sort((x, y) => y - x);
  const lateAtLab = Math.max(0, problem.departure + (durations[0] ?? 0) - latest);
  return { afterClose, durations, late: afterClose + lateAtLab };
}

/**
 * The stops in sweep order: by bearing around the lab (on a local flat projection, exact enough
 * within a region), nearer first on equal bearing, then by node index (site id).
 */
export function sweepOrder(depot: GeoPoint, stops: readonly GeoPoint[]): number[] {
  const scale = Math.cos((depot.latitude * Math.PI) / 180);
  const polar = stops.map((stop, i) => {
    const x = (stop.longitude - depot.longitude) * scale;
    const y = stop.latitude - depot.latitude;
    return { node: i + 1, angle: Math.atan2(y, x), radius: Math.hypot(x, y) };
  });
  polar.sort((a, b) => a.angle - b.angle || a.radius - b.radius || a.node - b.node);
  return polar.map((entry) => entry.node);
}

export type Cut = { readonly groups: number[][]; readonly max: number; readonly sum: number };

/** Whether a cut with this longest group `max` and total `sum` beats `best` (shorter longest, then less total). */
export function isBetterCut(
  max: number,
  sum: number,
  best: { readonly max: number; readonly sum: number },
): boolean {
  return max < best.max - EPSILON || (Math.abs(max - best.max) <= EPSILON && sum < best.sum - EPSILON);
}

/**
 * Cuts the circular sweep, starting at `rotation`, into `count` consecutive groups with the
 * shortest longest group (dynamic programming over the cut points; ties: less total time).
 */
export function cutSweep(
  stretch: readonly number[][],
  circle: readonly number[],
  rotation: number,
  count: number,
): Cut {
  const n = circle.length;
  const cost = (from: number, to: number): number => stretch[(rotation + from) % n]?.[to - from - 1] ?? 0;
  type Cell = { readonly max: number; readonly sum: number; readonly cut: number };
  const table: Cell[][] = [
    Array.from({ length: n + 1 }, (_, end) =>
      end === 0 ? { max: Infinity, sum: Infinity, cut: 0 } : { max: cost(0, end), sum: cost(0, end), cut: 0 },
    ),
  ];
  for (let groups = 2; groups <= count; groups++) {
    const previous = table[groups - 2] as Cell[];
    table.push(
      Array.from({ length: n + 1 }, (_, end) => {
        let best: Cell = { max: Infinity, sum: Infinity, cut: 0 };
        for (let cut = groups - 1; cut < end; cut++) {
          const before = previous[cut] as Cell;
          const piece = cost(cut, end);
          const max = Math.max(before.max, piece);
          if (isBetterCut(max, before.sum + piece, best)) best = { max, sum: before.sum + piece, cut };
        }
        return best;
      }),
    );
  }
  const bounds = [n];
  for (let groups = count; groups > 1; groups--) {
    bounds.unshift(table[groups - 1]?.[bounds[0] as number]?.cut ?? 0);
  }
  bounds.unshift(0);
  const last = table[count - 1]?.[n] as Cell;
  const groups = bounds
    .slice(1)
    .map((end, g) =>
      Array.from(
        { length: end - (bounds[g] as number) },
        (_, k) => circle[(rotation + (bounds[g] as number) + k) % n] as number,
      ),
    );
  return { groups, max: last.max, sum: last.sum };
}

/**
 * The cuts of the sweep into `count` groups over the start bearings, best estimate first
 * (distinct groupings only; the stable sort keeps the lower start bearing on a tie).
 */
export function cutsBySweep(stretch: readonly number[][], circle: readonly number[], count: number): Cut[] {
  const step = Math.max(1, Math.ceil(circle.length / MAX_ROTATIONS));
  const cuts = new Map<string, Cut>();
  for (let rotation = 0; rotation < circle.length; rotation += step) {
    const cut = cutSweep(stretch, circle, rotation, count);
    const key = cut.groups
      .map((group) => [...group].sort((a, b) => a - b).join(","))
      .sort()
      .join("|");
    if (!cuts.has(key)) cuts.set(key, cut);
  }
  return [...cuts.values()].sort((a, b) =>
    isBetterCut(a.max, a.sum, b) ? -1 : isBetterCut(b.max, b.sum, a) ? 1 : 0,
  );
}

/** Where `node` joins `order` at least cost (by travel alone when no stop has opening hours). */
export function insertCheapest(problem: RoutingProblem, order: readonly number[], node: number): number[] {
  let bestPosition = order.length;
  let bestCost = Infinity;
  for (let p = 0; p <= order.length; p++) {
    let cost: number;
    if (problem.hasWindows) {
      cost = costOfOrder(problem, [...order.slice(0, p), node, ...order.slice(p)]);
    } else {
      const u = p === 0 ? 0 : (order[p - 1] as number);
      const v = p === order.length ? 0 : (order[p] as number);
      cost = travelMinutes(problem, u, node) + travelMinutes(problem, node, v) - travelMinutes(problem, u, v);
    }
    if (cost < bestCost - EPSILON) {
      bestCost = cost;
      bestPosition = p;
    }
  }
  return [...order.slice(0, bestPosition), node, ...order.slice(bestPosition)];
}

/** A route's new order in a candidate move, with its figures. */
type Change = { readonly route: number; readonly order: number[]; readonly figures: RouteFigures };

/**
 * Whether changing some routes from `before` to `after` improves the score. Leximax comparison
 * is independent of the routes a move leaves alone, so comparing the changed routes decides.
 */
export function improves(before: readonly RouteFigures[], after: readonly RouteFigures[]): boolean {
  let closing = 0;
  for (const f of after) closing += f.afterClose;
  for (const f of before) closing -= f.afterClose;
  if (Math.abs(closing) > EPSILON) return closing < 0;
  // A move changes two or three routes: compare their durations longest first, without sorting.
  const old = before.map((f) => f.duration);
  const next = after.map((f) => f.duration);
  while (old.length > 0) {
    const oldIndex = indexOfLongest(old);
    const nextIndex = indexOfLongest(next);
    const step = (next[nextIndex] ?? 0) - (old[oldIndex] ?? 0);
    if (Math.abs(step) > EPSILON) return step < 0;
    old.splice(oldIndex, 1);
    next.splice(nextIndex, 1);
  }
  return false;
}

function indexOfLongest(durations: readonly number[]): number {
  let longest = 0;
  for (let i = 1; i < durations.length; i++) if ((durations[i] ?? 0) > (durations[longest] ?? 0)) longest = i;
  return longest;
}

function without(order: readonly number[], index: number): number[] {
  return [...order.slice(0, index), ...order.slice(index + 1)];
}

/**
 * Improves the routes by moves between them while the score improves (closing lateness, then the
 * durations longest first): a stop moves to another route; two stops swap routes; or a chain — a
 * stop moves to a second route whose stop moves on to a third (which frees room where a single
 * move would only overload the second route). The sweep's straight cuts rarely sit exactly where
 * they should. A move is judged with each stop inserted at its cheapest place; the routes it
 * changes are then polished by 2-opt and or-opt (which can only make them shorter), and at the end
 * every route is ordered afresh from both starts when that is shorter. Swaps and chains are tried
 * on runs of up to {@link SWAP_LIMIT} stops.
 */
export function improveBetweenRoutes(problem: RoutingProblem, orders: number[][]): void {
  const figures = orders.map((order) => figuresOf(problem, order));
  const changeOf = (route: number, order: number[]): Change => ({
    route,
    order,
    figures: figuresOf(problem, order),
  });
  const apply = (changes: readonly Change[]): boolean => {
    const before = changes.map((change) => figures[change.route] as RouteFigures);
    if (
      !improves(
        before,
        changes.map((change) => change.figures),
      )
    )
      return false;
    for (const change of changes) {
      orders[change.route] = polishOrder(problem, change.order);
      figures[change.route] = figuresOf(problem, orders[change.route] as number[]);
    }
    return true;
  };
  const route = (r: number): number[] => orders[r] as number[];
  const longest = (): number => Math.max(...figures.map((f) => f.duration));
  const relocate = (): boolean => {
    for (let a = 0; a < orders.length; a++) {
      for (let i = 0; i < route(a).length; i++) {
        const rest = changeOf(a, without(route(a), i));
        for (let b = 0; b < orders.length; b++) {
          if (
            b !== a &&
            apply([rest, changeOf(b, insertCheapest(problem, route(b), route(a)[i] as number))])
          ) {
            return true;
          }
        }
      }
    }
    return false;
  };
  const swapOrChain = (): boolean => {
    // Routes stay unchanged until a move is applied, so insertions into them can be reused.
    const insertions = new Map<number, Change>();
    const insertInto = (c: number, node: number): Change => {
      const key = c * problem.size + node;
      const known = insertions.get(key) ?? changeOf(c, insertCheapest(problem, route(c), node));
      insertions.set(key, known);
      return known;
    };
    for (let a = 0; a < orders.length; a++) {
      for (let i = 0; i < route(a).length; i++) {
        const node = route(a)[i] as number;
        const rest = changeOf(a, without(route(a), i));
        for (let b = 0; b < orders.length; b++) {
          if (b === a) continue;
          for (let j = 0; j < route(b).length; j++) {
            const other = route(b)[j] as number;
            const swapped = changeOf(b, insertCheapest(problem, without(route(b), j), node));
            // No route may end up longer than the longest one now (closing lateness aside).
            if (!problem.hasWindows && swapped.figures.duration > longest() + EPSILON) continue;
            for (let c = 0; c < orders.length; c++) {
              if (c === b || (c === a && b < a)) continue; // a swap is tried once per pair
              const changes =
                c === a
                  ? [changeOf(a, insertCheapest(problem, rest.order, other)), swapped]
                  : [rest, swapped, insertInto(c, other)];
              if (apply(changes)) return true;
            }
          }
        }
      }
    }
    return false;
  };
  const stops = problem.size - 1;
  const limit = 4 * stops * orders.length;
  // Cheap single moves first; the costlier swaps and chains only where those are exhausted.
  for (let moves = 0; moves < limit; moves++) {
    if (!relocate() && (stops > SWAP_LIMIT || !swapOrChain())) break;
  }
  orders.forEach((order, r) => {
    const fresh = orderRoute(problem, order);
    if (costOfOrder(problem, fresh) < costOfOrder(problem, order) - EPSILON) orders[r] = fresh;
  });
}

/**
 * Groups the stops of a run into at most `vehicles` routes and orders each (cluster first, route
 * second). The stops are swept by bearing around the lab and cut into consecutive groups with the
 * shortest longest route (for each start bearing, on quick cheapest-insertion estimates); from
 * the best few cuts each group is ordered (`orderRoute`), then stops move and swap between routes
 * while that helps; the best result wins.
 * As few vans as meet the latest arrival are used: the estimates pick the first van count worth
 * trying, more are added while the routes still end late, and when even all vans are late the
 * plan with the least lateness is returned (adding vans stops when one more does not help). Returns node orders (node = stop index + 1).
 */
export function groupAndOrderStops(
  problem: RoutingProblem,
  depot: GeoPoint,
  locations: readonly GeoPoint[],
  vehicles: number,
  latest: number,
): number[][] {
  const circle = sweepOrder(depot, locations);
  const stretch = estimateStretchMinutes(problem, circle);
  const most = Math.min(vehicles, circle.length);
  const available = latest - problem.departure;
  let count = 1;
  while (count < most && (cutsBySweep(stretch, circle, count)[0]?.max ?? 0) > available) count += 1;
  let best: { orders: number[][]; score: Score } | undefined;
  for (; count <= most; count++) {
    let bestOfCount: { orders: number[][]; score: Score } | undefined;
    for (const cut of cutsBySweep(stretch, circle, count).slice(0, startsFor(circle.length))) {
      const orders = cut.groups.map((group) => orderRoute(problem, group));
      improveBetweenRoutes(problem, orders);
      const figures = orders.map((order) => figuresOf(problem, order));
      const score = scoreFigures(problem, figures, latest);
      if (bestOfCount === undefined || compareScores(score, bestOfCount.score) < 0)
        bestOfCount = { orders, score };
    }
    if (bestOfCount === undefined) break;
    // Another van is only worth it while it cuts lateness (a site that closes before any van
    // can reach it stays late however many drive).
    if (best !== undefined && bestOfCount.score.late >= best.score.late - EPSILON) break;
    best = bestOfCount;
    if (best.score.late <= EPSILON) break;
  }
  return (best?.orders ?? []).filter((order) => order.length > 0);
}
