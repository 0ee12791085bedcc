import { vi } from "vitest";
import type { HttpSettings } from "../../src/sources/http-client.ts";

/** HTTP settings for tests against the local fault server: short backoffs keep retries fast. */
export const FAST_HTTP_SETTINGS: HttpSettings = {
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  deadlineMs: 10_000,
  maxAttempts: 3,
  minBackoffMs: 10,
  maxBackoffMs: 50,
  maxResponseBytes: 5_000_000,
};

export const TEST_USER_AGENT = "testrota/0.0.0-test";

/**
 * Removes proxy variables for the current test (restore with `vi.unstubAllEnvs()`), so a proxy
 * configured on the machine never sees the requests to 127.0.0.1.
 */
export function clearProxyEnv(): void {
  for (const name of ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"]) {
    vi.stubEnv(name, undefined);
  }
}

/** A `sleep` for the HTTP client that returns at once: retries in tests never wait in real time. */
export function instantSleep(): Promise<void> {
  return Promise.resolve();
}
