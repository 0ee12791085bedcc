import { createHmac } from "node:crypto";
import { EnvHttpProxyAgent, request, type Dispatcher } from "undici";
import { redactUrl } from "../lib/redact-url.ts";

/*
 * Webhook delivery: a JSON POST whose body is signed with HMAC-SHA256 under a secret shared with
 * the receiver (from an environment variable, never the config file). The receiver recomputes
 * the HMAC over the raw body bytes and compares it in constant time (see docs/portal.md).
 */

export const SIGNATURE_HEADER = "x-testrota-signature";
export const DELIVERY_HEADER = "x-testrota-delivery";
export const EVENT_HEADER = "x-testrota-event";

/** `sha256=<hex HMAC-SHA256 of the body>`: the signature header's value. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

export type WebhookRequest = {
  readonly url: string;
  readonly body: string;
  readonly secret: string;
  readonly delivery: string;
  readonly timeoutMs: number;
  readonly userAgent: string;
};

/** A proxy-aware dispatcher (HTTP(S)_PROXY / NO_PROXY) for one delivery pass; the caller closes it. */
export function createWebhookDispatcher(timeoutMs: number): Dispatcher {
  return new EnvHttpProxyAgent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}

/** POSTs the signed body; resolves on a 2xx answer, rejects with a one-line reason otherwise. */
export async function postWebhook(input: WebhookRequest, dispatcher: Dispatcher): Promise<void> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(input.url, {
      method: "POST",
      dispatcher,
      body: input.body,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": input.userAgent,
        [EVENT_HEADER]: "week.published",
        [DELIVERY_HEADER]: input.delivery,
        [SIGNATURE_HEADER]: signBody(input.body, input.secret),
      },
      signal: AbortSignal.timeout(input.timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`webhook ${redactUrl(input.url)}: ${reason}`, { cause: error });
  }
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw new Error(`webhook ${redactUrl(input.url)}: HTTP ${response.statusCode}, expected 2xx`);
  }
}
