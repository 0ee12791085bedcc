import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { join } from "node:path";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { DownloadAudit } from "../store/download-audit.ts";
import type { StoredRecipient } from "../store/recipients.ts";
import { authenticateToken, bearerToken, readSession, sessionValue, type RecipientLookup } from "./auth.ts";
import { renderLogin, renderMessage } from "./pages.ts";
import { registerWeekRoutes } from "./week-routes.ts";
import { textsFor, type Language, type Places, type Texts } from "./texts.ts";

/*
 * The read-only portal (fastify): sign in with a token (form → signed session cookie) or send it
 * as a bearer token; see the weeks and the files of one's own scope; download them (each one
 * recorded). Security headers and a strict CSP (helmet: nothing but the own stylesheet, no
 * scripts, no frames), rate limits on sign-in and downloads, 404 for everything outside the
 * scope whether it exists or not.
 */

export const SESSION_COOKIE = "testrota_session";

export type PortalSettings = {
  readonly outDir: string;
  readonly language: Language;
  /** The public address (mails, webhooks); `https:` makes the session cookie Secure. */
  readonly baseUrl: string;
  readonly trustProxy: boolean;
  /** Signs the session cookies (at least 32 characters). */
  readonly secret: string;
  readonly sessionHours: number;
  readonly loginRateLimit: { readonly max: number; readonly windowSeconds: number };
  readonly downloadRateLimit: { readonly max: number; readonly windowSeconds: number };
};

export type PortalDeps = {
  readonly settings: PortalSettings;
  readonly store: RecipientLookup & Pick<DownloadAudit, "recordDownload">;
  readonly places: Places;
  readonly clock: Clock;
  readonly logger: Logger;
};

/** What every route needs: who is asking, the words, the places. */
export type PortalContext = PortalDeps & {
  readonly texts: Texts;
  /** The active recipient of the request (bearer token or session cookie), or undefined. */
  identify(request: FastifyRequest): Promise<StoredRecipient | undefined>;
  /** The HTML 404 (also for what exists but is out of scope). */
  notFound(reply: FastifyReply, recipient?: StoredRecipient): FastifyReply;
};

const ASSETS = join(import.meta.dirname, "assets");

/** Nothing but the portal's own stylesheet and icon: no scripts, no frames, forms to itself only. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** The headers helmet sets, for the one reply sent before its hook runs (an undecodable URL). */
const EARLY_SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none';style-src 'self';img-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "SAMEORIGIN",
};
const HTML = "text/html; charset=utf-8";

function isHttps(request: FastifyRequest, settings: PortalSettings): boolean {
  return request.protocol === "https" || settings.baseUrl.startsWith("https:");
}

/** Builds the portal's fastify instance (not listening yet). */
export async function createPortal(deps: PortalDeps): Promise<FastifyInstance> {
  const { settings } = deps;
  const texts = textsFor(settings.language);
  // Typed as fastify's logger interface, so the instance keeps fastify's default generics.
  const logger: FastifyBaseLogger = deps.logger.child({ component: "portal" });
  const app = Fastify({
    loggerInstance: logger,
    // Request lines would repeat every path; downloads are recorded in the store instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: settings.trustProxy,
    bodyLimit: 16 * 1024,
    // Shutdown does not wait for clients that keep a connection open.
    forceCloseConnections: true,
    // A URL that does not even decode (`%E0%A4%A`) is answered like any other unknown path.
    frameworkErrors: (_error, _request, reply) => {
      void (reply as FastifyReply)
        .code(404)
        .headers(EARLY_SECURITY_HEADERS)
        .header("cache-control", "no-store")
        .type(HTML)
        .send(renderMessage(texts, texts.notFoundTitle, texts.notFound));
    },
  });

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: "no-referrer" },
  });
  await app.register(cookie, { secret: settings.secret });
  await app.register(formbody, { bodyLimit: 4 * 1024 });
  await app.register(rateLimit, { global: false });
  await app.register(fastifyStatic, {
    root: ASSETS,
    prefix: "/assets/",
    wildcard: false,
    index: false,
    dotfiles: "deny",
    decorateReply: false,
    maxAge: "1h",
  });

  const context: PortalContext = {
    ...deps,
    texts,
    identify(request) {
      const now = deps.clock();
      const bearer = bearerToken(request.headers.authorization);
      if (bearer !== undefined) return authenticateToken(deps.store, bearer, now);
      const raw = request.cookies[SESSION_COOKIE];
      if (raw === undefined) return Promise.resolve(undefined);
      const unsigned = request.unsignCookie(raw);
      return unsigned.valid && unsigned.value !== null
        ? readSession(deps.store, unsigned.value, now)
        : Promise.resolve(undefined);
    },
    notFound(reply, recipient) {
      const frame = recipient === undefined ? undefined : { value: recipient, places: deps.places };
      return reply
        .code(404)
        .header("cache-control", "no-store")
        .type(HTML)
        .send(renderMessage(texts, texts.notFoundTitle, texts.notFound, frame));
    },
  };

  app.setNotFoundHandler(async (request, reply) => {
    if (request.url.startsWith("/api/")) return reply.code(404).send({ error: "not found" });
    return context.notFound(reply, await context.identify(request));
  });
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply
        .code(429)
        .header("cache-control", "no-store")
        .type(HTML)
        .send(renderMessage(texts, texts.tooManyTitle, texts.tooMany));
    }
    if (status >= 500)
      request.log.error({ err: error, url: request.url.split("?")[0] }, "portal request failed");
    return reply
      .code(status >= 400 ? status : 500)
      .send({ error: status >= 500 ? "internal error" : (error.message ?? "bad request") });
  });

  app.get("/healthz", (_request, reply) => reply.header("cache-control", "no-store").send({ status: "ok" }));

  app.get("/", async (request, reply) =>
    reply.redirect((await context.identify(request)) ? "/weeks" : "/login", 303),
  );

  app.get("/login", async (request, reply) => {
    if (await context.identify(request)) return reply.redirect("/weeks", 303);
    return reply.header("cache-control", "no-store").type(HTML).send(renderLogin(texts, false));
  });

  app.post(
    "/login",
    {
      config: {
        rateLimit: {
          max: settings.loginRateLimit.max,
          timeWindow: settings.loginRateLimit.windowSeconds * 1000,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { token?: unknown } | undefined;
      const presented = typeof body?.token === "string" ? body.token : "";
      const now = deps.clock();
      const recipient = await authenticateToken(deps.store, presented, now);
      if (recipient === undefined) {
        request.log.info({ address: request.ip }, "portal sign-in refused");
        return reply.code(401).header("cache-control", "no-store").type(HTML).send(renderLogin(texts, true));
      }
      const maxAge = Math.round(settings.sessionHours * 3600);
      request.log.info({ recipient: recipient.id }, "portal sign-in");
      return reply
        .setCookie(SESSION_COOKIE, sessionValue(recipient, now + maxAge * 1000), {
          signed: true,
          httpOnly: true,
          sameSite: "strict",
          secure: isHttps(request, settings),
          path: "/",
          maxAge,
        })
        .redirect("/weeks", 303);
    },
  );

  app.post("/logout", (_request, reply) =>
    reply.clearCookie(SESSION_COOKIE, { path: "/" }).redirect("/login", 303),
  );

  registerWeekRoutes(app, context);
  return app;
}

export type RunningPortal = { readonly url: string; readonly port: number; close(): Promise<void> };

/** Creates the portal and listens; resolves once it accepts connections. */
export async function startPortal(
  deps: PortalDeps & { readonly host: string; readonly port: number },
): Promise<RunningPortal> {
  const app = await createPortal(deps);
  await app.listen({ host: deps.host, port: deps.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : deps.port;
  const host = deps.host.includes(":") ? `[${deps.host}]` : deps.host;
  return { url: `http://${host}:${port}`, port, close: () => app.close() };
}
