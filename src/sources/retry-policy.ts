/*
 * The HTTP retry policy, free of IO: which failures are worth another attempt, how long to wait
 * (exponential backoff with jitter, or the server's Retry-After), and whether that wait still fits
 * the fetch's deadline. Time and randomness are arguments, so every rule is testable without a
 * clock or a socket; `http-client.ts` wires it into undici.
 */

/** The part of the `http` settings the retry policy reads. */
export type RetrySettings = {
  readonly maxAttempts: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly deadlineMs: number;
};

/** Network failures worth another attempt: undici's defaults plus its timeouts and a short body. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ENETDOWN",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EHOSTUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

/** Server errors and rate limiting are retried; other statuses (404, 403, …) fail at once. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** The retryable statuses as a list, for undici's retry interceptor. */
export const RETRYABLE_STATUSES: readonly number[] = Array.from({ length: 600 }, (_, i) => i).filter(
  isRetryableStatus,
);

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds (`120`) or an HTTP date
 * (measured from `now`, epoch ms). Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  const text: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const seconds = Number(text.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential backoff with equal jitter after `failedAttempts` failures (1 = the first):
 * the step doubles from `minBackoffMs` up to `maxBackoffMs`; half of it is fixed, half random
 * (`random` in [0, 1)), so clients that failed together do not retry together.
 */
export function backoffDelay(failedAttempts: number, settings: RetrySettings, random: () => number): number {
  const step = Math.min(settings.maxBackoffMs, settings.minBackoffMs * 2 ** (failedAttempts - 1));
  return step / 2 + random() * (step / 2);
}

/** The instant (epoch ms) by which a fetch started at `startedAt` must be complete. */
export function deadlineOf(startedAt: number, settings: Pick<RetrySettings, "deadlineMs">): number {
  return startedAt + settings.deadlineMs;
}

/** What a failed attempt carries: a network code, or an HTTP status with its headers. */
export type AttemptFailure = {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly headers?: unknown;
};

export type RetryDecision =
  | { readonly retry: true; readonly waitMs: number }
  /** `note` says why a retryable failure was not retried when that is not obvious. */
  | { readonly retry: false; readonly note?: string };

/**
 * Decides whether to try again after the `attempts`-th attempt failed with `failure`: only
 * retryable statuses and network codes, within `maxAttempts`, and only when the wait ends before
 * the deadline. A status's `Retry-After` replaces the backoff, capped at `maxBackoffMs`.
 */
export function decideRetry(
  failure: AttemptFailure,
  context: { readonly attempts: number; readonly now: number; readonly deadlineAt: number },
  settings: RetrySettings,
  random: () => number,
): RetryDecision {
  if (context.attempts >= settings.maxAttempts) return { retry: false };
  const { code, statusCode, headers } = failure;
  let waitMs: number;
  if (typeof statusCode === "number") {
    if (!isRetryableStatus(statusCode)) return { retry: false };
    const header =
      typeof headers === "object" && headers !== null
        ? (headers as Record<string, unknown>)["retry-after"]
        : undefined;
    const asked = parseRetryAfter(header, context.now);
    waitMs =
      asked === undefined
        ? backoffDelay(context.attempts, settings, random)
        : Math.min(asked, settings.maxBackoffMs);
  } else {
    if (typeof code !== "string" || !RETRYABLE_CODES.has(code)) return { retry: false };
    waitMs = backoffDelay(context.attempts, settings, random);
  }
  if (context.now + waitMs >= context.deadlineAt) {
    return {
      retry: false,
      note: `the next attempt (in ${Math.round(waitMs)} ms) would pass the ${settings.deadlineMs} ms deadline`,
    };
  }
  return { retry: true, waitMs };
}
