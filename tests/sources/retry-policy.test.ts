/*
 * The pure retry policy: every rule with literal, hand-worked cases (no clock, no socket).
 */
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  deadlineOf,
  decideRetry,
  isRetryableStatus,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  type RetrySettings,
} from "../../src/sources/retry-policy.ts";

const SETTINGS: RetrySettings = {
  maxAttempts: 5,
  minBackoffMs: 500,
  maxBackoffMs: 30_000,
  deadlineMs: 120_000,
};
/** 2020-10-28 10:00:00 UTC. */
const NOW = Date.UTC(2020, 9, 28, 10, 0, 0);

describe("isRetryableStatus", () => {
  it.each([
    { status: 429, retry: true },
    { status: 500, retry: true },
    { status: 503, retry: true },
    { status: 599, retry: true },
    { status: 400, retry: false },
    { status: 403, retry: false },
    { status: 404, retry: false },
    { status: 428, retry: false },
    { status: 600, retry: false },
  ])("$status → $retry", ({ status, retry }) => {
    expect(isRetryableStatus(status)).toBe(retry);
  });

  it("lists 429 and 500…599 for undici", () => {
    expect(RETRYABLE_STATUSES).toHaveLength(101);
    expect(RETRYABLE_STATUSES[0]).toBe(429);
    expect(RETRYABLE_STATUSES.at(-1)).toBe(599);
  });
});

describe("parseRetryAfter", () => {
  it.each([
    { name: "delay-seconds", value: "120", wait: 120_000 },
    { name: "zero", value: "0", wait: 0 },
    { name: "padded", value: " 3 ", wait: 3_000 },
    { name: "the first of repeated headers", value: ["2", "9"], wait: 2_000 },
    { name: "an HTTP date 90 s ahead", value: "Wed, 28 Oct 2020 10:01:30 GMT", wait: 90_000 },
    { name: "an HTTP date in the past", value: "Wed, 28 Oct 2020 09:00:00 GMT", wait: 0 },
    { name: "negative seconds", value: "-5", wait: 0 },
    { name: "garbage", value: "soon", wait: undefined },
    { name: "empty", value: "", wait: undefined },
    { name: "absent", value: undefined, wait: undefined },
  ])("$name → $wait", ({ value, wait }) => {
    expect(parseRetryAfter(value, NOW)).toBe(wait);
  });
});

describe("backoffDelay", () => {
  // Steps 500, 1000, 2000, …, capped at 30,000; half fixed, half scaled by random().
  it.each([
    { failed: 1, random: 0, wait: 250 },
    { failed: 1, random: 0.5, wait: 375 },
    { failed: 1, random: 0.999, wait: 499.75 },
    { failed: 2, random: 0, wait: 500 },
    { failed: 3, random: 0.5, wait: 1_500 },
    { failed: 7, random: 0, wait: 15_000 },
    { failed: 8, random: 0, wait: 15_000 },
    { failed: 8, random: 0.5, wait: 22_500 },
  ])("after $failed failures with random $random → $wait ms", ({ failed, random, wait }) => {
    expect(backoffDelay(failed, SETTINGS, () => random)).toBe(wait);
  });
});

describe("decideRetry", () => {
  const context = { attempts: 1, now: NOW, deadlineAt: deadlineOf(NOW, SETTINGS) };
  const half = () => 0.5;

  it("puts the deadline deadlineMs after the start", () => {
    expect(deadlineOf(NOW, SETTINGS)).toBe(NOW + 120_000);
  });

  it.each([
    { name: "503 → backoff", failure: { statusCode: 503 }, decision: { retry: true, waitMs: 375 } },
    {
      name: "429 with Retry-After 7 → 7 s",
      failure: { statusCode: 429, headers: { "retry-after": "7" } },
      decision: { retry: true, waitMs: 7_000 },
    },
    {
      name: "Retry-After above maxBackoffMs → capped",
      failure: { statusCode: 503, headers: { "retry-after": "45" } },
      decision: { retry: true, waitMs: 30_000 },
    },
    { name: "404 → final", failure: { statusCode: 404 }, decision: { retry: false } },
    { name: "ECONNRESET → backoff", failure: { code: "ECONNRESET" }, decision: { retry: true, waitMs: 375 } },
    {
      name: "a headers timeout → backoff",
      failure: { code: "UND_ERR_HEADERS_TIMEOUT" },
      decision: { retry: true, waitMs: 375 },
    },
    { name: "a too-large body → final", failure: { code: "TESTROTA_TOO_LARGE" }, decision: { retry: false } },
    { name: "no code, no status → final", failure: {}, decision: { retry: false } },
  ])("$name", ({ failure, decision }) => {
    expect(decideRetry(failure, context, SETTINGS, half)).toEqual(decision);
  });

  it("stops after maxAttempts attempts", () => {
    expect(decideRetry({ statusCode: 503 }, { ...context, attempts: 4 }, SETTINGS, half)).toEqual({
      retry: true,
      waitMs: 3_000,
    });
    expect(decideRetry({ statusCode: 503 }, { ...context, attempts: 5 }, SETTINGS, half)).toEqual({
      retry: false,
    });
  });

  it("refuses a wait that reaches the deadline, saying so; one ms earlier it waits", () => {
    const failure = { statusCode: 503, headers: { "retry-after": "10" } };
    expect(decideRetry(failure, { ...context, deadlineAt: NOW + 10_000 }, SETTINGS, half)).toEqual({
      retry: false,
      note: "the next attempt (in 10000 ms) would pass the 120000 ms deadline",
    });
    expect(decideRetry(failure, { ...context, deadlineAt: NOW + 10_001 }, SETTINGS, half)).toEqual({
      retry: true,
      waitMs: 10_000,
    });
  });
});
