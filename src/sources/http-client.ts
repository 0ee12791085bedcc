import { setTimeout as delay } from "node:timers/promises";
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher, type RetryHandler } from "undici";
import { systemClock, type Clock } from "../clock.ts";
import { AbortedError, SourceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { redactUrl } from "../lib/redact-url.ts";
import { recordAttempts, type FetchState } from "./http-attempts.ts";
import { BodyProblem, fieldsOf, readBoundedBody, StatusProblem } from "./http-body.ts";
import { decideRetry, deadlineOf, RETRYABLE_STATUSES } from "./retry-policy.ts";

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
  /** Epoch ms now: Retry-After dates, the deadline arithmetic and attempt durations. */
  readonly clock?: Clock | undefined;
  /** Waits between attempts; must reject when `signal` aborts. */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** A signal that aborts when one fetch's deadline (ms from now) has passed. */
  readonly deadlineSignal?: ((ms: number) => AbortSignal) | undefined;
  /** Jitter source in [0, 1). */
  readonly random?: (() => number) | undefined;
};

/** GETs over HTTP(S) with timeouts, retry, a deadline and a size limit; failures are SourceErrors. */
export type HttpClient = {
  getBytes(url: string, signal?: AbortSignal): Promise<Uint8Array>;
  getJson(url: string, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
};

function describeFailure(error: unknown, state: FetchState): string {
  const { code, statusCode } = fieldsOf(error);
  const message = error instanceof Error ? error.message : String(error);
  let what: string;
  if (typeof statusCode === "number") what = `HTTP ${statusCode}`;
  else if (error instanceof BodyProblem || typeof code !== "string" || message.includes(code)) what = message;
  else what = `${message} (${code})`;
  const count = `${state.attempts} attempt${state.attempts === 1 ? "" : "s"}`;
  return `${what} after ${count}${state.note === undefined ? "" : `; ${state.note}`}`;
}

/**
 * Creates the one HTTP client of the incidence sources (undici 8).
 *
 * - Proxy from HTTP_PROXY / HTTPS_PROXY / NO_PROXY (`EnvHttpProxyAgent`), with connect, headers
 *   and body timeouts per attempt.
 * - Retry (undici's retry interceptor) as `retry-policy.ts` decides: network errors, timeouts,
 *   5xx and 429, at most `maxAttempts` attempts, backoff with jitter, `Retry-After` honoured up
 *   to `maxBackoffMs`. The policy callback is ours because undici's default has no jitter and
 *   could not share the attempt budget with the one hand-written step: re-fetching a 2xx body
 *   that broke mid-stream, which undici only resumes with a Range request and fails on servers
 *   that answer 200 (see `retryPolicy`).
 * - One deadline per fetch, retries included; a server that never answers fails within it.
 * - Bodies over `maxResponseBytes` fail at once (by Content-Length) or when the count passes it.
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
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }));
  const deadlineSignal = deps.deadlineSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  const random = deps.random ?? Math.random;
  const { logger } = deps;

  /** Delay before the next attempt, or undefined when the failure is final. */
  function planRetry(error: unknown, state: FetchState): number | undefined {
    const decision = decideRetry(
      fieldsOf(error),
      { attempts: state.attempts, now: clock(), deadlineAt: state.deadlineAt },
      settings,
      random,
    );
    if (decision.retry) {
      logger.info(
        { url: state.url, attempt: state.attempts, delayMs: Math.round(decision.waitMs) },
        "http retry scheduled",
      );
      return decision.waitMs;
    }
    state.note = decision.note;
    return undefined;
  }

  function retryPolicy(state: FetchState, signal: AbortSignal): RetryHandler.RetryCallback {
    return (error, _context, callback) => {
      // undici resumes a broken 2xx body with a Range request and gives up when the server
      // answers 200 (ArcGIS queries and most dynamic endpoints do), since part of the body has
      // already been handed on. Such failures surface here instead and `getBytes` re-issues the
      // whole request, within the same attempt budget.
      const wait = state.inBody ? undefined : planRetry(error, state);
      if (wait === undefined) {
        callback(error);
        return;
      }
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
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump();
      throw new StatusProblem(response.statusCode);
    }
    return readBoundedBody(response, settings.maxResponseBytes);
  }

  async function getBytes(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    const safeUrl = redactUrl(url);
    const deadline = deadlineSignal(settings.deadlineMs);
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    const state: FetchState = {
      url: safeUrl,
      deadlineAt: deadlineOf(clock(), settings),
      attempts: 0,
      inBody: false,
      note: undefined,
    };
    const dispatcher = base.compose(
      recordAttempts(state, logger, clock),
      interceptors.retry({
        retry: retryPolicy(state, combined),
        statusCodes: [...RETRYABLE_STATUSES],
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
          { cause: error },
        );
      }
      throw new SourceError(safeUrl, describeFailure(error, state), { cause: error });
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
        // JSON.parse's message quotes the body (raw, with its line breaks): not passed on.
        throw new SourceError(redactUrl(url), "not valid JSON — expected a JSON body", { cause: error });
      }
    },
    async close() {
      await ownAgent?.close();
    },
  };
}
