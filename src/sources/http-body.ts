import type { Dispatcher } from "undici";
import { formatBytes, LIMIT_SETTINGS } from "./limits.ts";
import type { AttemptFailure } from "./retry-policy.ts";

/** A failure found while reading the body; `code` feeds the same retry decision as undici's. */
export class BodyProblem extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A final non-2xx answer that is not retried (404, 403, …). */
export class StatusProblem extends Error {
  readonly statusCode: number;
  constructor(statusCode: number) {
    super(`HTTP ${statusCode}`);
    this.statusCode = statusCode;
  }
}

/** The fields of a thrown value the retry policy looks at. */
export function fieldsOf(error: unknown): AttemptFailure {
  return typeof error === "object" && error !== null ? error : {};
}

const TOO_LARGE = "TESTROTA_TOO_LARGE";

function tooLarge(what: string, maxBytes: number): BodyProblem {
  return new BodyProblem(
    TOO_LARGE,
    `${what} exceeds the ${formatBytes(maxBytes)} limit (${LIMIT_SETTINGS.maxPayloadBytes})`,
  );
}

/**
 * Reads a 2xx body while counting: a Content-Length over `maxBytes` fails before the first byte,
 * a body without one fails as soon as the count passes it, so memory never holds more than the
 * limit. A body that breaks off or ends short of its Content-Length is a retryable `BodyProblem`.
 */
export async function readBoundedBody(
  response: Dispatcher.ResponseData,
  maxBytes: number,
): Promise<Uint8Array> {
  const { headers, body } = response;
  const declared = headers["content-length"];
  const expected = typeof declared === "string" ? Number(declared) : undefined;
  if (expected !== undefined && expected > maxBytes) {
    // Destroying an unread body reports an abort error we have no use for.
    body.on("error", () => undefined).destroy();
    throw tooLarge(`response of ${expected} bytes (Content-Length)`, maxBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      // Leaving the loop destroys the body: the rest is never downloaded.
      if (received > maxBytes) throw tooLarge(`response (more than ${received} bytes received)`, maxBytes);
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
