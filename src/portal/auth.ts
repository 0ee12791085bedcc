import type { StoredRecipient } from "../store/recipients.ts";
import { hashSecret, parseToken, sameText, secretMatches, tokenFingerprint } from "./token.ts";

/*
 * Who is asking: a bearer token (scripts) or the session cookie set at login (browsers). A
 * recipient counts only while active: not removed and not past its expiry. The session cookie
 * is signed by the server (see server.ts) and holds the recipient id, a fingerprint of the
 * current token hash (so a rotated or removed token ends every session at once) and its own
 * expiry; never the token.
 */

export type RecipientLookup = { getRecipient(id: string): Promise<StoredRecipient | undefined> };

/** Stands in for a missing recipient's hash, so an unknown id costs the same comparison. */
const ABSENT_HASH = hashSecret("no recipient has this token");

/** The recipient when it exists, is not removed and has not expired at `now` (epoch ms). */
export async function activeRecipient(
  store: RecipientLookup,
  id: string,
  now: number,
): Promise<StoredRecipient | undefined> {
  const recipient = await store.getRecipient(id);
  if (recipient === undefined || recipient.removedAt !== null) return undefined;
  if (recipient.expiresAt !== null && Date.parse(recipient.expiresAt) <= now) return undefined;
  return recipient;
}

/** The active recipient a presented token belongs to; undefined for a wrong, expired or replaced token. */
export async function authenticateToken(
  store: RecipientLookup,
  presented: string,
  now: number,
): Promise<StoredRecipient | undefined> {
  const parsed = parseToken(presented);
  if (parsed === undefined) return undefined;
  const recipient = await activeRecipient(store, parsed.recipientId, now);
  const matches = secretMatches(parsed.secret, recipient?.tokenHash ?? ABSENT_HASH);
  return matches ? recipient : undefined;
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** The (unsigned) session cookie value: `v1|<id>|<fingerprint>|<expires epoch ms>`. */
export function sessionValue(recipient: StoredRecipient, expiresAt: number): string {
  return ["v1", recipient.id, tokenFingerprint(recipient.tokenHash), String(Math.floor(expiresAt))].join("|");
}

/** The active recipient of a verified session value, or undefined when it expired or the token changed. */
export async function readSession(
  store: RecipientLookup,
  value: string,
  now: number,
): Promise<StoredRecipient | undefined> {
  const [version, id = "", fingerprint = "", expires = ""] = value.split("|");
  if (version !== "v1" || !/^\d+$/.test(expires) || Number(expires) <= now) return undefined;
  const recipient = await activeRecipient(store, id, now);
  if (recipient === undefined) return undefined;
  return sameText(fingerprint, tokenFingerprint(recipient.tokenHash)) ? recipient : undefined;
}
