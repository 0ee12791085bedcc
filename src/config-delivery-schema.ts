import { z } from "zod";

/*
 * The delivery part of the configuration contract (see config-schema.ts): the portal, outgoing
 * mail, webhooks and the retries of notifications. Secrets are never in the file: the keys name
 * environment variables that hold them.
 */

/** An issue message that says what was found and what was expected. */
function expected(what: string) {
  return { error: (issue: { input?: unknown }) => `got ${JSON.stringify(issue.input)}, expected ${what}` };
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const envName = z
  .string()
  .regex(ENV_NAME, expected("an environment variable name like TESTROTA_SMTP_PASSWORD"));
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+/, expected("an http(s):// URL"));

const rateLimit = (max: number, what: string) =>
  z
    .strictObject({
      max: z.number().int().positive().default(max).describe(`${what} per client address in one window.`),
      windowSeconds: z.number().int().positive().default(60).describe("Length of the window in seconds."),
    })
    .default({ max, windowSeconds: 60 })
    .describe(`Rate limit of ${what.toLowerCase()} (HTTP 429 beyond it).`);

export const portalSchema = z
  .strictObject({
    host: z
      .string()
      .default("127.0.0.1")
      .describe("Address the portal listens on (`testrota serve --host` wins); 0.0.0.0 in a container."),
    port: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(8080)
      .describe("Port of the portal (`testrota serve --port` wins)."),
    baseUrl: httpUrl
      .optional()
      .describe(
        "The portal's public address as recipients reach it (behind the TLS proxy), used in mails and webhooks; default http://127.0.0.1:<port>.",
      ),
    trustProxy: z
      .boolean()
      .default(false)
      .describe(
        "Trust X-Forwarded-For/-Proto of a reverse proxy in front (client address for rate limits, https).",
      ),
    secretEnv: envName
      .default("TESTROTA_PORTAL_SECRET")
      .describe(
        "Environment variable holding the session-signing secret (at least 32 characters); unset: a random one per start.",
      ),
    sessionHours: z
      .number()
      .positive()
      .max(24 * 14)
      .default(8)
      .describe("How long a login lasts (signed session cookie)."),
    loginRateLimit: rateLimit(10, "Login attempts"),
    downloadRateLimit: rateLimit(300, "Downloads"),
  })
  .describe("The read-only portal of the published files (`testrota serve`).");

export const smtpSchema = z
  .strictObject({
    host: z.string().min(1).describe("SMTP server."),
    port: z.number().int().min(1).max(65_535).default(587).describe("SMTP port."),
    secure: z
      .boolean()
      .default(false)
      .describe("TLS from the start (port 465); false upgrades with STARTTLS when the server offers it."),
    user: z.string().min(1).optional().describe("SMTP user name, when the server wants a login."),
    passwordEnv: envName
      .optional()
      .describe("Environment variable holding the SMTP password (never in the file)."),
    from: z.string().min(3).describe('Sender, e.g. "testrota <testrota@example.dk>".'),
    timeoutSeconds: z
      .number()
      .int()
      .positive()
      .default(30)
      .describe("Connection, greeting and socket timeout per attempt."),
  })
  .describe("Outgoing mail: each recipient is mailed when a week is published.");

export const webhookSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, expected("an id of lowercase letters, digits and -"))
      .describe("Stable id of the webhook (the outbox keys deliveries by it)."),
    url: httpUrl.describe("Where the JSON POST goes."),
    secretEnv: envName.describe("Environment variable holding the HMAC-SHA256 key of the signature header."),
    role: z
      .enum(["municipality", "region", "national"])
      .describe("Scope of the files listed, as for a recipient."),
    codes: z
      .array(z.number().int())
      .default([])
      .describe(
        "Municipality codes (role municipality) or the one region code (role region); none for national.",
      ),
  })
  .refine(
    (w) =>
      w.role === "national"
        ? w.codes.length === 0
        : w.role === "region"
          ? w.codes.length === 1
          : w.codes.length > 0,
    {
      path: ["codes"],
      message: "expected one or more municipality codes, exactly one region code, or none for national",
    },
  );

export const notificationsSchema = z
  .strictObject({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(10)
      .describe("Attempts per mail or webhook before it is given up (and counted as abandoned)."),
    minBackoffSeconds: z
      .number()
      .int()
      .nonnegative()
      .default(60)
      .describe("Wait after the first failed attempt; doubles with every further one."),
    maxBackoffSeconds: z
      .number()
      .int()
      .positive()
      .default(6 * 3600)
      .describe("Longest wait between attempts."),
    retryEverySeconds: z
      .number()
      .int()
      .positive()
      .default(60)
      .describe("How often the worker and the portal look for notifications due again."),
  })
  .describe("Delivery of notifications (mail and webhooks) through the outbox in the store.");
