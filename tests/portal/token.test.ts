/*
 * Tokens and sessions: a token is `tr1.<id>.<43 base64url characters>`, only the SHA-256 of its
 * secret is stored, the comparison goes through crypto.timingSafeEqual, and a wrong, expired,
 * replaced (rotated) or removed recipient's token is refused — as is every session signed in
 * with a token that was rotated since.
 */
import crypto, { createHash } from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticateToken, bearerToken, readSession, sessionValue } from "../../src/portal/auth.ts";
import { hashSecret, issueToken, parseToken, secretMatches } from "../../src/portal/token.ts";
import type { StoredRecipient } from "../../src/store/recipients.ts";

const NOW = Date.parse("2020-10-01T08:00:00Z");

function recipientWith(tokenHash: string, patch: Partial<StoredRecipient> = {}): StoredRecipient {
  return {
    id: "municipality-101",
    role: "municipality",
    codes: [101],
    email: "k@example.invalid",
    label: "København",
    tokenHash,
    tokenSetAt: "2020-09-30T08:00:00.000Z",
    expiresAt: null,
    createdAt: "2020-09-30T08:00:00.000Z",
    createdBy: "ops",
    removedAt: null,
    removedBy: null,
    ...patch,
  };
}

function lookup(...recipients: StoredRecipient[]) {
  return { getRecipient: (id: string) => Promise.resolve(recipients.find((r) => r.id === id)) };
}

afterEach(() => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
});

describe("tokens", () => {
  it("a token names its recipient and carries 32 random bytes; the store keeps the SHA-256 of the secret", () => {
    const { token, tokenHash } = issueToken("municipality-101");
    expect(token).toMatch(/^tr1\.municipality-101\.[A-Za-z0-9_-]{43}$/);
    const secret = token.split(".")[2] ?? "";
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(tokenHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(tokenHash).not.toContain(secret);
    expect(issueToken("municipality-101").token).not.toBe(token);
  });

  it.each([
    { name: "no prefix", text: "municipality-101.abc" },
    { name: "other version", text: `tr2.municipality-101.${"a".repeat(43)}` },
    { name: "short secret", text: `tr1.municipality-101.${"a".repeat(42)}` },
    { name: "bad id", text: `tr1.Municipality_101.${"a".repeat(43)}` },
    { name: "extra part", text: `tr1.a.b.${"a".repeat(43)}` },
    { name: "empty", text: "" },
  ])("parseToken refuses $name", ({ text }) => {
    expect(parseToken(text)).toBeUndefined();
  });

  it("compares hashes with crypto.timingSafeEqual, never with ===", () => {
    const spy = vi.spyOn(crypto, "timingSafeEqual");
    syncBuiltinESMExports();
    const { token, tokenHash } = issueToken("region-1084");
    const secret = token.split(".")[2] ?? "";
    expect(secretMatches(secret, tokenHash)).toBe(true);
    // One character off: the last one flipped.
    const wrong = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    expect(secretMatches(wrong, tokenHash)).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) {
      expect(Buffer.isBuffer(a) && Buffer.isBuffer(b)).toBe(true);
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it("an unknown recipient id costs a comparison too (no early return that times differently)", async () => {
    const spy = vi.spyOn(crypto, "timingSafeEqual");
    syncBuiltinESMExports();
    const { token } = issueToken("nobody");
    expect(await authenticateToken(lookup(), token, NOW)).toBeUndefined();
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe("authenticateToken", () => {
  const { token, tokenHash } = issueToken("municipality-101");

  it("accepts the recipient's current token", async () => {
    expect((await authenticateToken(lookup(recipientWith(tokenHash)), token, NOW))?.id).toBe(
      "municipality-101",
    );
  });

  it("refuses a wrong token for the same recipient", async () => {
    const other = issueToken("municipality-101").token;
    expect(await authenticateToken(lookup(recipientWith(tokenHash)), other, NOW)).toBeUndefined();
  });

  it("refuses the token of an expired recipient (expiry at or before now)", async () => {
    const expired = recipientWith(tokenHash, { expiresAt: "2020-10-01T08:00:00.000Z" });
    expect(await authenticateToken(lookup(expired), token, NOW)).toBeUndefined();
    const valid = recipientWith(tokenHash, { expiresAt: "2020-10-01T08:00:01.000Z" });
    expect((await authenticateToken(lookup(valid), token, NOW))?.id).toBe("municipality-101");
  });

  it("refuses the old token after a rotation", async () => {
    const rotated = issueToken("municipality-101");
    const store = lookup(recipientWith(rotated.tokenHash));
    expect(await authenticateToken(store, token, NOW)).toBeUndefined();
    expect((await authenticateToken(store, rotated.token, NOW))?.id).toBe("municipality-101");
  });

  it("refuses a removed recipient's token", async () => {
    const removed = recipientWith(tokenHash, { removedAt: "2020-09-30T09:00:00.000Z", removedBy: "ops" });
    expect(await authenticateToken(lookup(removed), token, NOW)).toBeUndefined();
  });

  it("refuses another recipient's token presented under this id", async () => {
    const region = issueToken("region-1084");
    const forged = `tr1.municipality-101.${region.token.split(".")[2] ?? ""}`;
    expect(await authenticateToken(lookup(recipientWith(tokenHash)), forged, NOW)).toBeUndefined();
  });

  it("reads bearer headers", () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer   ${token} `)).toBe(token);
    expect(bearerToken(`Basic ${token}`)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe("sessions", () => {
  const { tokenHash } = issueToken("municipality-101");
  const recipient = recipientWith(tokenHash);

  it("holds the id, a fingerprint of the token hash and the expiry, never the hash itself", async () => {
    const value = sessionValue(recipient, NOW + 3600_000);
    expect(value.split("|")).toHaveLength(4);
    expect(value.startsWith("v1|municipality-101|")).toBe(true);
    expect(value.endsWith(`|${NOW + 3600_000}`)).toBe(true);
    expect(value).not.toContain(tokenHash);
    expect((await readSession(lookup(recipient), value, NOW))?.id).toBe("municipality-101");
  });

  it("ends at its expiry", async () => {
    const value = sessionValue(recipient, NOW + 1000);
    expect((await readSession(lookup(recipient), value, NOW + 999))?.id).toBe("municipality-101");
    expect(await readSession(lookup(recipient), value, NOW + 1000)).toBeUndefined();
  });

  it("ends when the token is rotated, the recipient removed or expired", async () => {
    const value = sessionValue(recipient, NOW + 3600_000);
    const rotated = recipientWith(issueToken("municipality-101").tokenHash);
    expect(await readSession(lookup(rotated), value, NOW)).toBeUndefined();
    expect(
      await readSession(lookup(recipientWith(tokenHash, { removedAt: "2020-10-01T07:00:00Z" })), value, NOW),
    ).toBeUndefined();
    expect(
      await readSession(lookup(recipientWith(tokenHash, { expiresAt: "2020-10-01T07:00:00Z" })), value, NOW),
    ).toBeUndefined();
  });

  it("refuses malformed values", async () => {
    for (const value of ["", "v1", "v2|municipality-101|x|9999999999999", `v1|municipality-101|x|soon`]) {
      expect(await readSession(lookup(recipient), value, NOW)).toBeUndefined();
    }
  });

  it("hashSecret is SHA-256 hex", () => {
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
