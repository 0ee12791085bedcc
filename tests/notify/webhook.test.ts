/*
 * Webhooks: a local HTTP receiver on 127.0.0.1 verifies the HMAC-SHA256 signature over the raw
 * body the way docs/portal.md tells receivers to, answers 500 once (the delivery is retried after
 * the backoff with the same body and delivery id) and then 200. The body lists the files of the
 * webhook's scope only and carries no staff name or id.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/log.ts";
import { createNotifier } from "../../src/notify/notifier.ts";
import { signBody } from "../../src/notify/webhook.ts";
import { STAFF, WEEK } from "../portal/week-fixture.ts";
import { BASE_URL, createNotifyFixture, notifierConfig, type NotifyFixture } from "./notify-fixture.ts";

const SECRET = "whsec-test-0123456789abcdef";

type Received = { headers: Record<string, string | string[] | undefined>; body: Buffer; verified: boolean };

let fx: NotifyFixture;
let server: Server;
let url: string;
let received: Received[];
let statuses: number[];

/** What a receiver does: HMAC-SHA256 of the raw bytes with the shared secret, constant-time compare. */
function verify(body: Buffer, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

beforeEach(async () => {
  fx = await createNotifyFixture();
  received = [];
  statuses = [500];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const header = request.headers["x-testrota-signature"];
      received.push({
        headers: request.headers,
        body,
        verified: verify(body, typeof header === "string" ? header : undefined, SECRET),
      });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/testrota`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fx.cleanup();
});

describe("webhooks", () => {
  it("POSTs a signed JSON body the receiver can verify; a 500 is retried with the same delivery", async () => {
    let now = Date.parse("2020-09-30T08:30:00Z");
    const config = notifierConfig(fx.outDir, {
      smtp: undefined,
      webhooks: [
        { id: "regionh-logistik", url, secretEnv: "TESTROTA_WEBHOOK_SECRET", role: "region", codes: [1084] },
      ],
    });
    const notifier = createNotifier({
      config,
      store: fx.store,
      logger: createSilentLogger(),
      clock: () => now,
      env: { TESTROTA_WEBHOOK_SECRET: SECRET },
      createDispatcher: () => new Agent(),
    });
    await notifier.onPublished({ week: WEEK, trigger: "schedule" });
    expect(received).toHaveLength(1);
    now += 60_000;
    await notifier.deliverDue();
    expect(received).toHaveLength(2);
    expect(received.every((r) => r.verified)).toBe(true);
    const [first, second] = received;
    expect(second?.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
    expect(second?.headers["x-testrota-delivery"]).toBe(first?.headers["x-testrota-delivery"]);
    expect(second?.headers["x-testrota-event"]).toBe("week.published");
    expect(second?.headers["content-type"]).toBe("application/json; charset=utf-8");
    // A receiver holding a different secret rejects it.
    expect(
      verify(
        second?.body ?? Buffer.alloc(0),
        second?.headers["x-testrota-signature"] as string,
        "another secret",
      ),
    ).toBe(false);

    const body = JSON.parse(second?.body.toString("utf8") ?? "{}") as {
      delivery: string;
      week: string;
      test_week: string;
      portal_url: string;
      scope: unknown;
      pickups: unknown;
      files: { path: string; url: string }[];
    };
    expect(body.delivery).toBe(second?.headers["x-testrota-delivery"]);
    expect(body).toMatchObject({
      week: "2020-W40",
      test_week: "2020-W41",
      portal_url: `${BASE_URL}/weeks/2020-W40`,
      scope: { role: "region", codes: [1084] },
      pickups: {
        pickups: 2,
        sites: 2,
        samples: 3,
        kits_to_deliver: 3,
        first_date: "2020-10-06",
        last_date: "2020-10-07",
      },
    });
    expect(body.files.map((f) => f.path)).toEqual([
      "LÆS-MIG.txt",
      "README.txt",
      "classification.csv",
      "regions/1084/pickups.csv",
      "regions/1084/pickups.json",
    ]);
    expect(body.files[0]?.url).toBe(`${BASE_URL}/weeks/2020-W40/files/L%C3%86S-MIG.txt`);
    const text = second?.body.toString("utf8") ?? "";
    for (const person of STAFF) {
      expect(text).not.toContain(person.name);
      expect(text).not.toContain(person.id);
    }
    expect((await fx.store.countNotifications()).webhook).toEqual({
      pending: 0,
      sent: 1,
      failed: 0,
      cancelled: 0,
    });
  });

  it("signBody is the hex HMAC-SHA256 of the body, prefixed sha256=", () => {
    // Reference value of RFC 4231 test case 2 (key "Jefe").
    expect(signBody("what do ya want for nothing?", "Jefe")).toBe(
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("a missing secret is a failed attempt (retried), never an unsigned POST", async () => {
    const config = notifierConfig(fx.outDir, {
      smtp: undefined,
      webhooks: [{ id: "national", url, secretEnv: "TESTROTA_WEBHOOK_SECRET", role: "national", codes: [] }],
    });
    const notifier = createNotifier({
      config,
      store: fx.store,
      logger: createSilentLogger(),
      clock: () => 0,
      env: {},
      createDispatcher: () => new Agent(),
    });
    await notifier.onPublished({ week: WEEK, trigger: "cli" });
    expect(received).toEqual([]);
    expect((await fx.store.listNotifications())[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "webhooks.national.secretEnv: the environment variable TESTROTA_WEBHOOK_SECRET is not set",
    });
  });
});
