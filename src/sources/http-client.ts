import { setTimeout as delay } from "node:timers/promises";
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher, type RetryHandler } from "undici";
import { AbortedError, SourceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { redactUrl } from "../lib/redact-url.ts";

/** The config `http` section: timeouts per attempt, overall deadline, retry and size limits. */
export type HttpSettings = {
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly deadlineMs: number;
  readonly maxAttempts: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxResponseBytes: number;
};

export type HttpClientDeps = {
  readonly logger: Logger;
  /** `testrota/<version>`: servers see who is calling. */
  readonly userAgent: string;
  /** Replaces the proxy-aware agent (tests); the client does not close a dispatcher it was given. */
  readonly dispatcher?: Dispatcher | undefined;
  /** Waits between attempts; must reject when `signal` aborts. */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Jitter source in [0, 1). */
  readonly random?: (() => number) | undefined;
};

/** GETs over HTTP(S) with timeouts, retry, a deadline and a size limit; failures are SourceErrors. */
export type HttpClient = {
  getBytes(url: string, signal?: AbortSignal): Promise<Uint8Array>;
  getJson(url: string, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
};

/** Network failures worth another attempt: undici's defaults plus its timeouts and a short body. */
const RETRYABLE_CODES = new Set([
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

/** Server errors and rate limiting are retried; other statuses fail at once. */
const RETRYABLE_STATUSES = [429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];

/** A failure found while reading the body; `code` feeds the same retry decision as undici's. */
class BodyProblem extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A final non-2xx answer that is not retried (404, 403, …). */
class StatusProblem extends Error {
  readonly statusCode: number;
  constructor(statusCode: number) {
    super(`HTTP ${statusCode}`);
    this.statusCode = statusCode;
  }
}

/** What one fetch (all its attempts) has seen so far. */
type FetchState = {
  readonly url: string;
  readonly deadlineAt: number;
  attempts: number;
  /** The current attempt answered 2xx and its body is being handed downstream. */
  inBody: boolean;
  /** Why the last retry was refused, when that is not obvious from the error. */
  note: string | undefined;
};

type ErrorFields = { code?: unknown; statusCode?: unknown; headers?: unknown };

function fieldsOf(error: unknown): ErrorFields {
  return typeof error === "object" && error !== null ? error : {};
}

function retryAfterMs(headers: unknown, now: number): number | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)["retry-after"];
  const text: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const seconds = Number(text.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Logs every attempt (one line each) and tracks the attempt count; sits below the retry handler. */
function recordAttempts(state: FetchState, logger: Logger): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    state.attempts += 1;
    state.inBody = false;
    const attempt = state.attempts;
    const started = performance.now();
    let status: number | undefined;
    let logged = false;
    const log = (error?: Error) => {
      if (logged) return;
      logged = true;
      const fields = {
        url: state.url,
        attempt,
        status: status ?? null,
        durationMs: Math.round(performance.now() - started),
      };
      if (error === undefined && status !== undefined && status < 400) {
        logger.info(fields, "http attempt");
      } else {
        logger.warn({ ...fields, error: error?.message }, "http attempt failed");
      }
    };
    const wrapped: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) =>
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) => {
        if (statusCode >= 200) {
          status = statusCode;
          state.inBody = statusCode < 300;
        }
        return handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => {
        log();
        return handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => {
        log(error);
        return handler.onResponseError?.(controller, error);
      },
    };
    return dispatch(options, wrapped);
  };
}

/**
 * Creates the one HTTP client of the incidence sources (undici 8).
 *
 * - Proxy from HTTP_PROXY / HTTPS_PROXY / NO_PROXY (`EnvHttpProxyAgent`), with connect, headers
 *   and body timeouts per attempt.
 * - Retry (undici's retry interceptor): network errors, timeouts, 5xx and 429, at most
 *   `maxAttempts` attempts, exponential backoff with jitter, `Retry-After` (seconds or HTTP date)
 *   honoured up to `maxBackoffMs`. The policy callback is ours because undici's default has no
 *   jitter and could not share the attempt budget with the one hand-written step: re-fetching a
 *   2xx body that broke mid-stream (reset, or shorter than its Content-Length), which undici
 *   only resumes with a Range request and fails on servers that answer 200 (see retryPolicy).
 * - One deadline per fetch, retries included; a server that never answers fails within it.
 * - Bodies over `maxResponseBytes` fail at once (by Content-Length) or when the count passes it.
 * - A body shorter than its Content-Length is an error and is retried.
 */
export function createHttpClient(settings: HttpSettings, deps: HttpClientDeps): HttpClient {
  const ownAgent =
    deps.dispatcher === undefined
      ? new EnvHttpProxyAgent({
          connectTimeout: settings.connectTimeoutMs,
          headersTimeout: settings.headersTimeoutMs,
          bodyTimeout: settings.bodyTimeoutMs,
        })
      : undefined;
  const base: Dispatcher = deps.dispatcher ?? (ownAgent as Dispatcher);
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }));
  const random = deps.random ?? Math.random;
  const { logger } = deps;

  /** Delay before the next attempt, or undefined when the failure is final. */
  function planRetry(error: unknown, state: FetchState): number | undefined {
    if (state.attempts >= settings.maxAttempts) return undefined;
    const { code, statusCode, headers } = fieldsOf(error);
    const now = Date.now();
    let wait: number;
    if (typeof statusCode === "number") {
      if (!RETRYABLE_STATUSES.includes(statusCode)) return undefined;
      const asked = retryAfterMs(headers, now);
      wait = asked === undefined ? backoff(state.attempts) : Math.min(asked, settings.maxBackoffMs);
    } else {
      if (typeof code !== "string" || !RETRYABLE_CODES.has(code)) return undefined;
      wait = backoff(state.attempts);
    }
    if (now + wait >= state.deadlineAt) {
      state.note = `the next attempt (in ${Math.round(wait)} ms) would pass the ${settings.deadlineMs} ms deadline`;
      return undefined;
    }
    return wait;
  }

  /** Exponential backoff with equal jitter: half the step fixed, half random. */
  function backoff(failedAttempts: number): number {
    const step = Math.min(settings.maxBackoffMs, settings.minBackoffMs * 2 ** (failedAttempts - 1));
    return step / 2 + random() * (step / 2);
  }

  function retryPolicy(state: FetchState, signal: AbortSignal): RetryHandler.RetryCallback {
    return (error, _context, callback) => {
      // undici resumes a broken 2xx body with a Range request and gives up when the server
      // answers 200 (ArcGIS queries and most dynamic endpoints do), since part of the body has
      // already been handed on. Such failures surface here instead and `fetchOnce`'s caller
      // re-issues the whole request, within the same attempt budget.
      if (state.inBody) {
        callback(error);
        return;
      }
      const wait = planRetry(error, state);
      if (wait === undefined) {
        callback(error);
        return;
      }
      logger.info(
        { url: state.url, attempt: state.attempts, delayMs: Math.round(wait) },
        "http retry scheduled",
      );
      sleep(wait, signal).then(
        () => callback(null),
        (reason: unknown) => callback(reason instanceof Error ? reason : new Error(String(reason))),
      );
    };
  }

  async function fetchOnce(url: string, dispatcher: Dispatcher, signal: AbortSignal): Promise<Uint8Array> {
    const response = await request(url, {
      method: "GET",
      dispatcher,
      signal,
      headers: { "user-agent": deps.userAgent, accept: "*/*" },
    });
    const { statusCode, headers, body } = response;
    if (statusCode < 200 || statusCode >= 300) {
      await body.dump();
      throw new StatusProblem(statusCode);
    }
    const declared = headers["content-length"];
    const expected = typeof declared === "string" ? Number(declared) : undefined;
    if (expected !== undefined && expected > settings.maxResponseBytes) {
      // Destroying an unread body reports an abort error we have no use for.
      body.on("error", () => undefined).destroy();
      throw new BodyProblem(
        "TESTROTA_TOO_LARGE",
        `response of ${expected} bytes (Content-Length) exceeds the ${settings.maxResponseBytes} byte limit`,
      );
    }
    const chunks: Buffer[] = [];
    let received = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > settings.maxResponseBytes) {
          // Leaving the loop destroys the body.
          throw new BodyProblem(
            "TESTROTA_TOO_LARGE",
            `response exceeds the ${settings.maxResponseBytes} byte limit (more than ${received} bytes received)`,
          );
        }
        chunks.push(chunk);
      }
    } catch (error) {
      const { code } = fieldsOf(error);
      if (error instanceof BodyProblem || code === "UND_ERR_ABORTED" || typeof code !== "string") throw error;
      const cause = (error as Error).message;
      throw new BodyProblem(
        code,
        expected === undefined
          ? `body broke off after ${received} bytes (${cause}, ${code})`
          : `truncated body: received ${received} of ${expected} bytes announced by Content-Length (${cause}, ${code})`,
      );
    }
    // undici's parser already rejects a short HTTP/1.1 body; this also covers other transports.
    if (expected !== undefined && received !== expected) {
      throw new BodyProblem(
        "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
        `truncated body: Content-Length ${expected}, received ${received} bytes`,
      );
    }
    return new Uint8Array(Buffer.concat(chunks, received));
  }

  function describe(error: unknown, state: FetchState): string {
    const { code, statusCode } = fieldsOf(error);
    const message = error instanceof Error ? error.message : String(error);
    let what: string;
    if (typeof statusCode === "number") what = `HTTP ${statusCode}`;
    else if (error instanceof BodyProblem || typeof code !== "string" || message.includes(code))
      what = message;
    else what = `${message} (${code})`;
    const count = `${state.attempts} attempt${state.attempts === 1 ? "" : "s"}`;
    return `${what} after ${count}${state.note === undefined ? "" : `; ${state.note}`}`;
  }

  async function getBytes(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    const safeUrl = redactUrl(url);
    const deadline = AbortSignal.timeout(settings.deadlineMs);
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    const state: FetchState = {
      url: safeUrl,
      deadlineAt: Date.now() + settings.deadlineMs,
      attempts: 0,
      inBody: false,
      note: undefined,
    };
    const dispatcher = base.compose(
      recordAttempts(state, logger),
      interceptors.retry({
        retry: retryPolicy(state, combined),
        statusCodes: RETRYABLE_STATUSES,
        methods: ["GET"],
      }),
      interceptors.redirect({ maxRedirections: 5 }),
    );
    try {
      for (;;) {
        try {
          return await fetchOnce(url, dispatcher, combined);
        } catch (error) {
          // Only a body that broke after a 2xx reaches here retryable (see retryPolicy).
          const wait = state.inBody && !combined.aborted ? planRetry(error, state) : undefined;
          if (wait === undefined) throw error;
          logger.info(
            { url: safeUrl, attempt: state.attempts, delayMs: Math.round(wait) },
            "http retry scheduled",
          );
          await sleep(wait, combined);
        }
      }
    } catch (error) {
      if (signal?.aborted === true) {
        throw new AbortedError(`fetch of ${safeUrl} aborted after ${state.attempts} attempt(s)`, {
          cause: error,
        });
      }
      if (deadline.aborted) {
        const count = `${state.attempts} attempt${state.attempts === 1 ? "" : "s"}`;
        throw new SourceError(
          safeUrl,
          `no complete response within the ${settings.deadlineMs} ms deadline after ${count}`,
          {
            cause: error,
          },
        );
      }
      throw new SourceError(safeUrl, describe(error, state), { cause: error });
    }
  }

  return {
    getBytes,
    async getJson(url, signal) {
      const bytes = await getBytes(url, signal);
      const text = new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, "");
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new SourceError(redactUrl(url), `expected a JSON body (${(error as Error).message})`, {
          cause: error,
        });
      }
    },
    async close() {
      await ownAgent?.close();
    },
  };
}
