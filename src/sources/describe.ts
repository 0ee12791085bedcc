import type { Municipality } from "../domain/reference.ts";

/** Longest piece of any input value an error message quotes. */
export const MAX_QUOTED_CHARS = 40;

/**
 * A value from an input file as an error message may quote it: JSON-quoted (control characters
 * escaped, so the message stays one line) and cut to 40 characters with `…` and its length, so a
 * 100,000-character field never floods a log line.
 */
export function quoteValue(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const chars = [...text];
  if (chars.length <= MAX_QUOTED_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(chars.slice(0, MAX_QUOTED_CHARS).join(""))}… (${chars.length} characters)`;
}

/** Municipalities named in a "partial data" message; more are counted, keeping the line short. */
const NAMED_MISSING = 5;

/**
 * The one "partial data" message of every source: which municipalities the data lacks and what
 * was expected. `what` says what is missing for each (`no row`, `no feature`, …).
 */
export function describePartialData(
  missing: readonly Pick<Municipality, "code" | "name">[],
  what: string,
  expected: string,
): string {
  const count = `${missing.length} municipalit${missing.length === 1 ? "y" : "ies"}`;
  const named = missing.slice(0, NAMED_MISSING).map((m) => `${m.code} ${m.name}`);
  if (missing.length > NAMED_MISSING) named.push(`and ${missing.length - NAMED_MISSING} more`);
  return `partial data: ${what} for ${count} (${named.join(", ")}) — expected ${expected}`;
}
