import type { Dispatcher } from "undici";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";

/** What one fetch (all its attempts) has seen so far. */
export type FetchState = {
  readonly url: string;
  readonly deadlineAt: number;
  attempts: number;
  /** The current attempt answered 2xx and its body is being handed downstream. */
  inBody: boolean;
  /** Why the last retry was refused, when that is not obvious from the error. */
  note: string | undefined;
};

/**
 * An undici interceptor below the retry handler: counts attempts in `state` and logs each one
 * (one line: url, attempt, status, duration; a warning when it failed).
 */
export function recordAttempts(
  state: FetchState,
  logger: Logger,
  clock: Clock,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    state.attempts += 1;
    state.inBody = false;
    const attempt = state.attempts;
    const started = clock();
    let status: number | undefined;
    let logged = false;
    const log = (error?: Error) => {
      if (logged) return;
      logged = true;
      const fields = { url: state.url, attempt, status: status ?? null, durationMs: clock() - started };
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
