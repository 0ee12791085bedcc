/*
 * The recipient commands, the audit and the portal command through the CLI: a token is printed
 * once and only its SHA-256 is stored; list and audit never show a token or hash; changes carry
 * their author; scopes are checked against the reference; rotate and remove take effect at once;
 * `recipient demo` makes one recipient per role; `serve` listens until the signal and exits 0.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import { createRunFixture, type RunFixture } from "../support/run-fixture.ts";

type Result = { code: number; stdout: string; stderr: string };

let fixture: RunFixture;

beforeEach(() => {
  fixture = createRunFixture();
});

afterEach(() => {
  fixture.cleanup();
});

async function cli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = { TESTROTA_AUTHOR: "ops-anna" },
  signal?: AbortSignal,
  onOutput?: (text: string) => void,
): Promise<Result> {
  const result = { code: 0, stdout: "", stderr: "" };
  const io = {
    stdout: (text: string) => {
      result.stdout += text;
      onOutput?.(text);
    },
    stderr: (text: string) => {
      result.stderr += text;
    },
  };
  result.code = await runCli([...args, "--config", fixture.configFile], io, {
    env: { LOG_LEVEL: "silent", ...env },
    signal,
  });
  return result;
}

async function storedHash(id: string): Promise<string | undefined> {
  const store = openStateStore(join(fixture.dataDir, "testrota.sqlite"));
  try {
    return (await store.getRecipient(id))?.tokenHash;
  } finally {
    await store.close();
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const TOKEN = /tr1\.[a-z0-9-]+\.[A-Za-z0-9_-]{43}/g;

describe("recipient add and list", () => {
  it("prints the token once; the store keeps only the SHA-256 of its secret; list shows neither", async () => {
    const added = await cli([
      "recipient",
      "add",
      "--role",
      "municipality",
      "--municipality",
      "101",
      "--email",
      "k@kk.example.invalid",
    ]);
    expect(added.code).toBe(0);
    const tokens = added.stdout.match(TOKEN) ?? [];
    expect(tokens).toHaveLength(1);
    const token = tokens[0] ?? "";
    expect(token.startsWith("tr1.municipality-101.")).toBe(true);
    const secret = token.split(".")[2] ?? "";
    expect(await storedHash("municipality-101")).toBe(sha256(secret));
    expect(added.stdout).toContain("municipality-101");
    expect(added.stdout).toContain('"København (101)"');

    const listed = await cli(["recipient", "list"]);
    expect(listed.stdout).toMatch(
      /^municipality-101 {2}municipality 101 {2}k@kk\.example\.invalid {2}"København \(101\)" {2}no expiry, token set /,
    );
    const json = await cli(["recipient", "list", "--json"]);
    for (const output of [listed.stdout, json.stdout]) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(sha256(secret));
    }
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        id: "municipality-101",
        role: "municipality",
        codes: [101],
        createdBy: "ops-anna",
        expiresAt: null,
      }),
    ]);
    expect(Object.keys((JSON.parse(json.stdout) as object[])[0] ?? {})).not.toContain("tokenHash");
  });

  it("--json prints the recipient and its token; a second recipient of the same scope gets the next id", async () => {
    await cli(["recipient", "add", "--role", "region", "--region", "1084", "--email", "a@example.invalid"]);
    const second = await cli([
      "recipient",
      "add",
      "--role",
      "region",
      "--region",
      "1084",
      "--email",
      "b@example.invalid",
      "--json",
    ]);
    const parsed = JSON.parse(second.stdout) as { added: Record<string, unknown>; token: string };
    expect(parsed.added).toMatchObject({
      id: "region-1084-2",
      role: "region",
      codes: [1084],
      label: "Region Hovedstaden",
    });
    expect(parsed.added).not.toHaveProperty("tokenHash");
    expect(parsed.token).toMatch(/^tr1\.region-1084-2\.[A-Za-z0-9_-]{43}$/);
  });

  it("--expires DATE: valid through that day in the config's timezone (Copenhagen: 23:00 UTC in winter)", async () => {
    const added = await cli([
      "recipient",
      "add",
      "--role",
      "national",
      "--email",
      "n@example.invalid",
      "--expires",
      "2020-12-31",
      "--json",
    ]);
    expect((JSON.parse(added.stdout) as { added: { expiresAt: string } }).added.expiresAt).toBe(
      "2020-12-31T23:00:00.000Z",
    );
  });

  it.each([
    {
      name: "no role",
      args: ["--email", "x@example.invalid"],
      message: '--role: got "", expected municipality | region | national',
    },
    {
      name: "unknown municipality",
      args: ["--role", "municipality", "--municipality", "999", "--email", "x@example.invalid"],
      message: "--municipality: got 999, expected one of the 98 municipality codes",
    },
    {
      name: "unknown region",
      args: ["--role", "region", "--region", "1090", "--email", "x@example.invalid"],
      message: "--region: got 1090, expected one of 1081, 1082, 1083, 1084, 1085",
    },
    {
      name: "national with codes",
      args: ["--role", "national", "--municipality", "101", "--email", "x@example.invalid"],
      message: "a national recipient has no codes",
    },
    {
      name: "no e-mail",
      args: ["--role", "national"],
      message: '--email: got "", expected the recipient\'s e-mail address',
    },
    {
      name: "a bad id",
      args: ["--role", "national", "--email", "x@example.invalid", "--id", "Nat ional"],
      message: '--id: got "Nat ional"',
    },
    {
      name: "a bad expiry",
      args: ["--role", "national", "--email", "x@example.invalid", "--expires", "31-12-2020"],
      message: '--expires: got "31-12-2020"',
    },
  ])("refuses $name (exit 64)", async ({ args, message }) => {
    const result = await cli(["recipient", "add", ...args]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(await storedHash("national")).toBeUndefined();
  });

  it("refuses an unaudited change: no --author, $TESTROTA_AUTHOR or $USER", async () => {
    const result = await cli(["recipient", "add", "--role", "national", "--email", "x@example.invalid"], {});
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("--author: missing");
  });
});

describe("recipient rotate and remove", () => {
  it("rotate prints a new token once and replaces the hash; remove keeps it on file; both audited", async () => {
    const first =
      (await cli(["recipient", "add", "--role", "national", "--email", "n@example.invalid"])).stdout.match(
        TOKEN,
      )?.[0] ?? "";
    const rotated = await cli(["recipient", "rotate", "--id", "national", "--author", "ops-bo"]);
    expect(rotated.code).toBe(0);
    const second = rotated.stdout.match(TOKEN) ?? [];
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first);
    expect(await storedHash("national")).toBe(sha256(second[0]?.split(".")[2] ?? ""));

    const removed = await cli([
      "recipient",
      "remove",
      "--id",
      "national",
      "--reason",
      "moved to STPS data office",
      "--author",
      "ops-cai",
    ]);
    expect(removed.stdout).toBe("recipient national removed: its token no longer works\n");
    expect((await cli(["recipient", "list"])).stdout).toBe(
      "no recipients (add one: testrota recipient add --help)\n",
    );
    expect((await cli(["recipient", "list", "--all"])).stdout).toContain("REMOVED by ops-cai");
    const again = await cli(["recipient", "rotate", "--id", "national"]);
    expect(again.code).toBe(64);
    expect(again.stderr).toContain('--id: got "national", expected the id of an active recipient');
    const reused = await cli([
      "recipient",
      "add",
      "--role",
      "national",
      "--email",
      "n@example.invalid",
      "--id",
      "national",
    ]);
    expect(reused.code).toBe(64);

    const audit = await cli(["audit", "--recipient", "national", "--json"]);
    const report = JSON.parse(audit.stdout) as {
      changes: { action: string; author: string; note: string }[];
    };
    expect(report.changes.map((c) => [c.action, c.author, c.note])).toEqual([
      ["remove", "ops-cai", "moved to STPS data office"],
      ["rotate", "ops-bo", ""],
      ["add", "ops-anna", "national"],
    ]);
    expect(audit.stdout).not.toMatch(TOKEN);
  });
});

describe("recipient demo", () => {
  it("creates one recipient per role and prints their tokens; run again, it re-keys them", async () => {
    const first = await cli(["recipient", "demo"], {});
    expect(first.code).toBe(0);
    const tokens = first.stdout.match(TOKEN) ?? [];
    expect(tokens.map((t) => t.split(".")[1])).toEqual([
      "demo-koordinator-101",
      "demo-region-1084",
      "demo-national",
    ]);
    expect(first.stdout).toContain("start the portal:   npm run testrota -- serve");
    expect(first.stdout).toContain("then open http://127.0.0.1:8080 and paste one of the tokens");
    const second = await cli(["recipient", "demo", "--json"], {});
    const parsed = JSON.parse(second.stdout) as {
      portal: string;
      recipients: { id: string; scope: string; token: string }[];
    };
    expect(parsed.portal).toBe("http://127.0.0.1:8080");
    expect(parsed.recipients.map((r) => [r.id, r.scope])).toEqual([
      ["demo-koordinator-101", "municipality 101"],
      ["demo-region-1084", "region 1084"],
      ["demo-national", "national"],
    ]);
    expect(parsed.recipients.map((r) => r.token)).not.toEqual(tokens);
    const listed = JSON.parse((await cli(["recipient", "list", "--json"])).stdout) as {
      id: string;
      createdBy: string;
    }[];
    expect(listed.map((r) => [r.id, r.createdBy])).toEqual([
      ["demo-koordinator-101", "demo"],
      ["demo-national", "demo"],
      ["demo-region-1084", "demo"],
    ]);
  });
});

describe("audit", () => {
  it("lists downloads newest first, filtered by recipient and week", async () => {
    await cli(["recipient", "add", "--role", "region", "--region", "1084", "--email", "r@example.invalid"]);
    const store = openStateStore(join(fixture.dataDir, "testrota.sqlite"));
    await store.recordDownload({
      recipientId: "region-1084",
      week: "2020-W40",
      path: "regions/1084/pickups.csv",
      bytes: 1234,
      at: "2020-10-01T06:00:00.000Z",
    });
    await store.recordDownload({
      recipientId: "other",
      week: "2020-W40",
      path: "classification.csv",
      bytes: 99,
      at: "2020-10-01T07:00:00.000Z",
    });
    await store.recordDownload({
      recipientId: "region-1084",
      week: "2020-W41",
      path: "regions/1084/pickups.json",
      bytes: 77,
      at: "2020-10-08T06:00:00.000Z",
    });
    await store.close();
    const text = await cli(["audit", "--recipient", "region-1084"]);
    expect(text.stdout.split("\n").slice(0, 3)).toEqual([
      "downloads (2):",
      "  2020-10-08T08:00:00+02:00  region-1084  2020-W41  regions/1084/pickups.json  77 B",
      "  2020-10-01T08:00:00+02:00  region-1084  2020-W40  regions/1084/pickups.csv  1234 B",
    ]);
    const json = JSON.parse((await cli(["audit", "--week", "2020-W40", "--json"])).stdout) as {
      downloads: { recipientId: string }[];
    };
    expect(json.downloads.map((d) => d.recipientId)).toEqual(["other", "region-1084"]);
    expect((await cli(["audit", "--week", "40"])).code).toBe(64);
  });
});

describe("serve", () => {
  it("listens (port 0: a free one), answers, and exits 0 on the signal", async () => {
    const controller = new AbortController();
    let url = "";
    let resolveListening: () => void = () => undefined;
    const listening = new Promise<void>((resolve) => {
      resolveListening = resolve;
    });
    const done = cli(
      ["serve", "--port", "0"],
      { TESTROTA_PORTAL_SECRET: "x".repeat(32) },
      controller.signal,
      (text) => {
        const match = /portal listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
        if (match !== null) {
          url = match[1] ?? "";
          resolveListening();
        }
      },
    );
    await listening;
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
    const login = await fetch(`${url}/login`);
    expect(login.status).toBe(200);
    controller.abort(new Error("test over"));
    const result = await done;
    expect(result.code).toBe(0);
  });

  it("refuses a session secret shorter than 32 characters (exit 78)", async () => {
    const result = await cli(["serve", "--port", "0"], { TESTROTA_PORTAL_SECRET: "short" });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(
      "TESTROTA_PORTAL_SECRET: got 5 characters, expected a secret of at least 32",
    );
  });

  it("refuses a bad --port (exit 64)", async () => {
    const result = await cli(["serve", "--port", "http"]);
    expect(result.code).toBe(64);
  });
});
