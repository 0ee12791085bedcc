import { DateTime } from "luxon";
import { ConfigError } from "./errors.ts";

/**
 * Epoch milliseconds now. The composition root creates one and hands it to everything outside
 * the domain; the domain receives time as an argument. This file is the only one in `src/` that
 * reads the system clock (an ESLint rule forbids `Date.now()` and `new Date()` elsewhere).
 */
export type Clock = () => number;

/** The machine's wall clock. */
export const systemClock: Clock = () => Date.now();

/**
 * The process clock. `TESTROTA_NOW` (ISO instant with offset, e.g. `2020-09-30T12:00:00+02:00`)
 * starts the clock at that instant and lets it run from there: simulations, demos and the
 * container test replay a historical Wednesday with the real code path.
 */
export function createClock(env: NodeJS.ProcessEnv, realNow: Clock = systemClock): Clock {
  const fixed = env.TESTROTA_NOW;
  if (fixed === undefined || fixed === "") return realNow;
  const start = DateTime.fromISO(fixed, { setZone: true });
  if (!start.isValid) {
    throw new ConfigError([
      `TESTROTA_NOW: got ${JSON.stringify(fixed)}, expected an ISO instant like 2020-09-30T12:00:00+02:00`,
    ]);
  }
  const offset = start.toMillis() - realNow();
  return () => realNow() + offset;
}
