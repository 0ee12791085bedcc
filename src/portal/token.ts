import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/*
 * Access tokens of the recipients: `tr1.<recipient id>.<secret>`, the secret 32 random bytes in
 * base64url. Only the SHA-256 of the secret is stored (a random 256-bit secret needs no slow
 * hash: there is nothing to guess); the id in front finds the recipient without a search over
 * hashes, and the comparison of hashes is constant-time.
 */

const PREFIX = "tr1";
const SECRET_BYTES = 32;
/** Recipient ids: lowercase letters, digits and dashes (they appear in tokens, URLs and logs). */
export const RECIPIENT_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export type ParsedToken = { readonly recipientId: string; readonly secret: string };

/** Hex SHA-256 of a token's secret: what the store keeps. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new token for `recipientId` and the hash to store; the token itself is shown once and never kept. */
export function issueToken(recipientId: string): { token: string; tokenHash: string } {
  if (!RECIPIENT_ID.test(recipientId))
    throw new Error(`token: recipient id ${JSON.stringify(recipientId)} is not valid`);
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { token: `${PREFIX}.${recipientId}.${secret}`, tokenHash: hashSecret(secret) };
}

/** The parts of a presented token; undefined for anything not shaped like one. */
export function parseToken(presented: string): ParsedToken | undefined {
  const parts = presented.trim().split(".");
  if (parts.length !== 3) return undefined;
  const [prefix = "", recipientId = "", secret = ""] = parts;
  if (prefix !== PREFIX || !RECIPIENT_ID.test(recipientId) || !SECRET.test(secret)) return undefined;
  return { recipientId, secret };
}

/**
 * True when `secret` hashes to `storedHash`. Both sides are fixed-length digests compared with
 * crypto.timingSafeEqual, so the time taken says nothing about how much of it matched.
 */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  if (stored.length !== presented.length) {
    // Still compare (against itself) so a malformed stored hash takes the same time.
    timingSafeEqual(presented, presented);
    return false;
  }
  return timingSafeEqual(presented, stored);
}

/** A short fingerprint of the stored hash, kept in session cookies: a rotated token ends them. */
export function tokenFingerprint(storedHash: string): string {
  return createHash("sha256").update(`session:${storedHash}`, "utf8").digest("base64url").slice(0, 22);
}

/** Constant-time equality of two short strings (session fingerprints). */
export function sameText(a: string, b: string): boolean {
  const left = createHash("sha256").update(a, "utf8").digest();
  const right = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(left, right);
}
