/** Minutes in a day: the wall-clock times of a pickup run are minutes after local midnight. */
export const MINUTES_PER_DAY = 24 * 60;

const CLOCK_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses a local wall-clock time `HH:MM` (00:00–23:59) into minutes after midnight. */
export function parseClockMinutes(text: string): number {
  const match = CLOCK_PATTERN.exec(text);
  if (match === null)
    throw new RangeError(`clock time ${JSON.stringify(text)}, expected HH:MM (00:00–23:59)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Formats minutes after midnight as `HH:MM`, rounded to the nearest minute (a driver's sheet shows
 * whole minutes). A time past midnight, which only a badly late route can reach, gets ` +1d`.
 */
export function formatClockMinutes(minutes: number): string {
  const rounded = Math.round(minutes);
  const days = Math.floor(rounded / MINUTES_PER_DAY);
  const within = rounded - days * MINUTES_PER_DAY;
  const text = `${String(Math.floor(within / 60)).padStart(2, "0")}:${String(within % 60).padStart(2, "0")}`;
  return days === 0 ? text : `${text} ${days > 0 ? "+" : ""}${days}d`;
}
