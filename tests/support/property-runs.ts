import type { Parameters } from "fast-check";

/** The seed every property test runs with unless `TESTROTA_FC_SEED` says otherwise. */
export const FIXED_SEED = 20_201_001;

/**
 * fast-check parameters for one property test: a fixed seed, so every run of the suite checks
 * the same cases and a failure replays as is. `TESTROTA_FC_SEED=random` draws a fresh seed
 * (fast-check prints it with any counterexample); `TESTROTA_FC_SEED=<integer>` replays that seed.
 */
export function propertyRuns<T>(numRuns = 100): Parameters<T> {
  const setting = process.env["TESTROTA_FC_SEED"]?.trim();
  if (setting === "random") return { numRuns };
  if (setting !== undefined && setting !== "") {
    const seed = Number(setting);
    if (!Number.isSafeInteger(seed)) {
      throw new Error(`TESTROTA_FC_SEED is "${setting}", expected "random" or an integer seed`);
    }
    return { numRuns, seed };
  }
  return { numRuns, seed: FIXED_SEED };
}
