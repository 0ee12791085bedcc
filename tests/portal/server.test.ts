/*
 * The portal over real HTTP on 127.0.0.1, with a week written by hand (tests/portal/week-fixture):
 * sign-in and the session cookie's attributes, bearer tokens (wrong, expired, rotated, removed),
 * scope (404 for what is out of it, exactly as for what does not exist), raw traversal requests
 * that no browser would send, a planted symlink, the security headers, the rate limits and the
 * download audit.
 */
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/log.ts";
import { startPortal, type PortalSettings, type RunningPortal } from "../../src/portal/server.ts";
import { issueToken } from "../../src/portal/token.ts";
import { openStateStore, type SqliteStateStore } from "../../src/store/sqlite-store.ts";
import type { RecipientScope } from "../../src/store/state-store.ts";
import { STAFF, WEEK, weekFiles, writeWeek } from "./week-fixture.ts";

let dir: string;
let outDir: string;
let store: SqliteStateStore;
let portal: RunningPortal;
let now: number;
const tokens = new Map<string, string>();

const START = Date.parse("2020-10-01T08:00:00Z");
const PLACES = {
  municipalityName: (code: number) => ({ 101: "København", 147: "Frederiksberg" })[code] ?? `kommune ${code}`,
  regionName: (code: number) => (code === 1084 ? "Region Hovedstaden" : `region ${code}`),
};

async function addRecipient(
  id: string,
  scope: RecipientScope,
  expiresAt: string | null = null,
): Promise<void> {
  const { token, tokenHash } = issueToken(id);
  await store.addRecipient({
    ...scope,
    id,
    email: `${id}@example.invalid`,
    label: id,
    tokenHash,
    expiresAt,
    author: "test",
    at: "2020-09-30T08:00:00.000Z",
  });
  tokens.set(id, token);
}

async function start(patch: Partial<PortalSettings> = {}): Promise<void> {
  portal = await startPortal({
    host: "127.0.0.1",
    port: 0,
    settings: {
      outDir,
      language: "da",
      baseUrl: "http://localhost:8080",
      trustProxy: false,
      secret: "a-test-secret-of-at-least-32-characters!",
      sessionHours: 8,
      loginRateLimit: { max: 50, windowSeconds: 60 },
      downloadRateLimit: { max: 500, windowSeconds: 60 },
      ...patch,
    },
    store,
    places: PLACES,
    clock: () => now,
    logger: createSilentLogger(),
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "testrota-portal-"));
  outDir = join(dir, "out");
  writeWeek(outDir);
  store = openStateStore(join(dir, "data", "testrota.sqlite"));
  now = START;
  await addRecipient("municipality-101", { role: "municipality", codes: [101] });
  await addRecipient("region-1084", { role: "region", codes: [1084] });
  await addRecipient("national", { role: "national", codes: [] });
  await addRecipient("expiring", { role: "municipality", codes: [147] }, "2020-10-02T00:00:00.000Z");
});

afterEach(async () => {
  await portal.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function bearer(id: string): Record<string, string> {
  return { authorization: `Bearer ${tokens.get(id) ?? ""}` };
}

async function login(token: string): Promise<Response> {
  return fetch(`${portal.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
  });
}

/** The session cookie (`name=value`) of a successful sign-in. */
async function sessionOf(id: string): Promise<string> {
  const response = await login(tokens.get(id) ?? "");
  expect(response.status).toBe(303);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/** A GET with the raw path exactly as given (no client-side normalisation of `..` or `%2e`). */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; csp: string }> {
  const url = new URL(portal.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path, headers, method: "GET" },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            csp: String(response.headers["content-security-policy"] ?? ""),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}

describe("signing in", () => {
  beforeEach(() => start());

  it("serves the sign-in page with a strict CSP and the security headers", async () => {
    const response = await fetch(`${portal.url}/login`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp.split(";").sort()).toEqual(
      [
        "base-uri 'none'",
        "default-src 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "img-src 'self'",
        "style-src 'self'",
      ].sort(),
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    const html = await response.text();
    expect(html).toContain('<html lang="da">');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/ style=/i);
  });

  it("a good token sets a signed, HttpOnly, SameSite=Strict session cookie (not Secure over plain http)", async () => {
    const response = await login(tokens.get("municipality-101") ?? "");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/weeks");
    const cookie = response.headers.get("set-cookie") ?? "";
    const attributes = cookie.split(";").map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(["httponly", "samesite=strict", "path=/", "max-age=28800"]),
    );
    expect(attributes).not.toContain("secure");
    expect(cookie).not.toContain(tokens.get("municipality-101")?.split(".")[2] ?? "?");
    const session = cookie.split(";")[0] ?? "";
    const page = await fetch(`${portal.url}/weeks`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/weeks/2020-W40");
  });

  it("a tampered cookie is no session", async () => {
    const session = await sessionOf("municipality-101");
    const tampered = session.replace("municipality-101", "national");
    const page = await fetch(`${portal.url}/weeks`, { headers: { cookie: tampered }, redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login");
  });

  it("wrong, expired and rotated tokens are refused; a rotation also ends the sessions of the old token", async () => {
    expect((await login("tr1.municipality-101.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(
      401,
    );
    expect((await login("not a token")).status).toBe(401);
    expect(
      (await fetch(`${portal.url}/api/weeks`, { headers: { authorization: "Bearer nope" } })).status,
    ).toBe(401);

    expect((await fetch(`${portal.url}/api/weeks`, { headers: bearer("expiring") })).status).toBe(200);
    now = Date.parse("2020-10-02T00:00:00Z");
    expect((await fetch(`${portal.url}/api/weeks`, { headers: bearer("expiring") })).status).toBe(401);
    expect((await login(tokens.get("expiring") ?? "")).status).toBe(401);

    const session = await sessionOf("municipality-101");
    const old = tokens.get("municipality-101") ?? "";
    const fresh = issueToken("municipality-101");
    await store.rotateRecipientToken("municipality-101", {
      tokenHash: fresh.tokenHash,
      author: "test",
      at: "2020-10-02T00:00:00.000Z",
    });
    expect(
      (await fetch(`${portal.url}/api/weeks`, { headers: { authorization: `Bearer ${old}` } })).status,
    ).toBe(401);
    expect((await login(old)).status).toBe(401);
    const afterRotation = await fetch(`${portal.url}/weeks`, {
      headers: { cookie: session },
      redirect: "manual",
    });
    expect(afterRotation.headers.get("location")).toBe("/login");
    expect(
      (await fetch(`${portal.url}/api/weeks`, { headers: { authorization: `Bearer ${fresh.token}` } }))
        .status,
    ).toBe(200);
  });

  it("a removed recipient's token and sessions stop at once", async () => {
    const session = await sessionOf("region-1084");
    await store.removeRecipient("region-1084", { author: "test", at: "2020-10-01T09:00:00.000Z", note: "" });
    expect((await fetch(`${portal.url}/api/weeks`, { headers: bearer("region-1084") })).status).toBe(401);
    const page = await fetch(`${portal.url}/weeks`, { headers: { cookie: session }, redirect: "manual" });
    expect(page.headers.get("location")).toBe("/login");
  });

  it("signing out clears the cookie", async () => {
    const session = await sessionOf("national");
    const response = await fetch(`${portal.url}/logout`, {
      method: "POST",
      headers: { cookie: session },
      redirect: "manual",
    });
    expect(response.headers.get("location")).toBe("/login");
    expect(response.headers.get("set-cookie")).toMatch(/^testrota_session=;/);
  });
});

describe("a Secure cookie behind https", () => {
  it("sets Secure when the public address is https", async () => {
    await start({ baseUrl: "https://testrota.example.dk" });
    const response = await login(tokens.get("national") ?? "");
    const attributes = (response.headers.get("set-cookie") ?? "")
      .split(";")
      .map((part) => part.trim().toLowerCase());
    expect(attributes).toContain("secure");
  });
});

describe("scope and downloads", () => {
  beforeEach(() => start());

  it("lists exactly the files of the scope in the API", async () => {
    const listed = async (id: string) => {
      const response = await fetch(`${portal.url}/api/weeks/${WEEK}`, { headers: bearer(id) });
      return ((await response.json()) as { files: { path: string }[] }).files.map((f) => f.path);
    };
    const shared = ["LÆS-MIG.txt", "README.txt", "classification.csv"];
    expect(await listed("municipality-101")).toEqual([
      ...shared,
      "lookahead/2020-W42/FORELØBIG-LÆS-MIG.txt",
      "lookahead/2020-W42/municipalities/101/FORELØBIG-rota.csv",
      "municipalities/101/LÆS-MIG.txt",
      "municipalities/101/rota.csv",
      "municipalities/101/sites/S0101-NH01.ics",
    ]);
    expect(await listed("region-1084")).toEqual([
      ...shared,
      "regions/1084/pickups.csv",
      "regions/1084/pickups.json",
    ]);
    expect(await listed("national")).toEqual([
      ...shared.slice(0, 2),
      "classification.csv",
      "manifest.json",
      "summary.json",
    ]);
  });

  it("downloads a file in scope with its exact bytes, and records who fetched what (never the token)", async () => {
    const response = await fetch(`${portal.url}/weeks/${WEEK}/files/municipalities/101/rota.csv`, {
      headers: bearer("municipality-101"),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="rota.csv"; filename*=UTF-8''rota.csv`,
    );
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(Buffer.from(await response.arrayBuffer()).toString("utf8")).toBe(
      weekFiles().get("municipalities/101/rota.csv"),
    );
    const danish = await fetch(`${portal.url}/weeks/${WEEK}/files/L%C3%86S-MIG.txt`, {
      headers: bearer("region-1084"),
    });
    expect(Buffer.from(await danish.arrayBuffer()).toString("utf8")).toBe(weekFiles().get("LÆS-MIG.txt"));
    expect(danish.headers.get("content-disposition")).toBe(
      `attachment; filename="L_S-MIG.txt"; filename*=UTF-8''L%C3%86S-MIG.txt`,
    );
    expect(await store.listDownloads()).toEqual([
      {
        seq: 2,
        recipientId: "region-1084",
        week: WEEK,
        path: "LÆS-MIG.txt",
        bytes: Buffer.byteLength(weekFiles().get("LÆS-MIG.txt") ?? ""),
        at: "2020-10-01T08:00:00.000Z",
      },
      {
        seq: 1,
        recipientId: "municipality-101",
        week: WEEK,
        path: "municipalities/101/rota.csv",
        bytes: Buffer.byteLength(weekFiles().get("municipalities/101/rota.csv") ?? ""),
        at: "2020-10-01T08:00:00.000Z",
      },
    ]);
    const rows = store.db.prepare("SELECT * FROM downloads").all();
    expect(JSON.stringify(rows)).not.toContain(tokens.get("municipality-101")?.split(".")[2] ?? "?");
  });

  it("answers 404 for what is out of scope exactly as for what does not exist", async () => {
    const notFound = await fetch(`${portal.url}/weeks/${WEEK}/files/municipalities/101/nope.csv`, {
      headers: bearer("municipality-101"),
    });
    const otherMunicipality = await fetch(`${portal.url}/weeks/${WEEK}/files/municipalities/147/rota.csv`, {
      headers: bearer("municipality-101"),
    });
    expect(notFound.status).toBe(404);
    expect(otherMunicipality.status).toBe(404);
    expect(await otherMunicipality.text()).toBe(await notFound.text());
    for (const [id, path] of [
      ["region-1084", "municipalities/101/rota.csv"],
      ["region-1084", "regions/1081/pickups.csv"],
      ["national", "municipalities/101/rota.csv"],
      ["national", "regions/1084/pickups.csv"],
      ["municipality-101", "summary.json"],
      ["municipality-101", "lookahead/2020-W42/municipalities/147/FORELØBIG-rota.csv"],
    ] as const) {
      const response = await fetch(`${portal.url}/weeks/${WEEK}/files/${encodeURI(path)}`, {
        headers: bearer(id),
      });
      expect(response.status, `${id} ${path}`).toBe(404);
    }
    expect((await fetch(`${portal.url}/weeks/2020-W39`, { headers: bearer("national") })).status).toBe(404);
    expect(await store.listDownloads()).toEqual([]);
  });

  it("refuses every traversal and encoding trick, and a symlink planted in out/", async () => {
    symlinkSync("/etc/passwd", join(outDir, WEEK, "municipalities", "101", "passwd.csv"));
    symlinkSync(
      join(outDir, WEEK, "municipalities", "147"),
      join(outDir, WEEK, "municipalities", "101", "sites", "nabo"),
    );
    const tricks = [
      `/weeks/${WEEK}/files/../../../../etc/passwd`,
      `/weeks/${WEEK}/files/municipalities/101/../147/rota.csv`,
      `/weeks/${WEEK}/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
      `/weeks/${WEEK}/files/municipalities/101/%2E%2E/147/rota.csv`,
      `/weeks/${WEEK}/files/municipalities%2F147%2Frota.csv`,
      `/weeks/${WEEK}/files/municipalities/101/..%2F147%2Frota.csv`,
      `/weeks/${WEEK}/files/municipalities/101/..%5C147%5Crota.csv`,
      `/weeks/${WEEK}/files/municipalities\\147\\rota.csv`,
      `/weeks/${WEEK}/files/municipalities/101/rota.csv%00.txt`,
      `/weeks/${WEEK}/files/municipalities/101/.%2e/147/rota.csv`,
      `/weeks/..%2F..%2Fetc/files/passwd`,
      `/weeks/${WEEK}%2F..%2F${WEEK}/files/municipalities/147/rota.csv`,
      `/weeks/${WEEK}/files/municipalities/101/passwd.csv`,
      `/weeks/${WEEK}/files/municipalities/101/sites/nabo/rota.csv`,
      `/weeks/${WEEK}/files/municipalities/101/%E0%A4%A.csv`,
    ];
    for (const path of tricks) {
      const response = await rawGet(path, bearer("municipality-101"));
      expect(response.status, path).toBe(404);
      expect(response.csp, path).toContain("default-src 'none'");
      expect(response.body, path).not.toContain("root:");
      for (const person of STAFF.filter((s) => s.municipality === 147))
        expect(response.body, path).not.toContain(person.name);
    }
    const listed = await fetch(`${portal.url}/api/weeks/${WEEK}`, { headers: bearer("municipality-101") });
    expect(await listed.text()).not.toMatch(/passwd|nabo/);
    expect(await store.listDownloads()).toEqual([]);
  });

  it("pages show the scope's status and files without any staff name", async () => {
    const page = await fetch(`${portal.url}/weeks/${WEEK}`, { headers: bearer("municipality-101") });
    const html = await page.text();
    expect(html).toContain("København (101)");
    expect(html).toContain('href="/weeks/2020-W40/files/municipalities/101/rota.csv"');
    expect(html).not.toContain("municipalities/147");
    for (const person of STAFF) {
      expect(html).not.toContain(person.name);
      expect(html).not.toContain(person.id);
    }
    // 101's rota has its two staff: the status table counts them.
    expect(html).toMatch(/data-label="Test" class="num">2</);
  });

  it("redirects a browser without a session to the sign-in page, whatever it asks for", async () => {
    for (const path of [
      "/weeks",
      `/weeks/${WEEK}`,
      `/weeks/${WEEK}/files/classification.csv`,
      `/weeks/${WEEK}/files/nope`,
    ]) {
      const response = await fetch(`${portal.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(303);
      expect(response.headers.get("location")).toBe("/login");
    }
    const api = await fetch(`${portal.url}/api/weeks`);
    expect(api.status).toBe(401);
    expect(api.headers.get("www-authenticate")).toBe('Bearer realm="testrota"');
  });
});

describe("rate limits", () => {
  it("the sign-in attempt after the limit is answered 429", async () => {
    await start({ loginRateLimit: { max: 3, windowSeconds: 60 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login("tr1.nobody.wrong")).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Also a good token: the limit counts attempts, not failures.
    expect((await login(tokens.get("national") ?? "")).status).toBe(429);
  });

  it("the download after the limit is answered 429", async () => {
    await start({ downloadRateLimit: { max: 2, windowSeconds: 60 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await fetch(`${portal.url}/weeks/${WEEK}/files/classification.csv`, { headers: bearer("national") }))
          .status,
      );
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
