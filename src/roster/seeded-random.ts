import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { mersenne } from "pure-rand/generator/mersenne";

/** A source of floats in [0, 1). */
export type Random = () => number;

/**
 * A deterministic random stream (Mersenne Twister from pure-rand): the same seed always gives the
 * same synthetic roster, benchmark world or simulation.
 */
export function createSeededRandom(seed: number): Random {
  const generator = mersenne(seed);
  return () => uniformFloat64(generator);
}
