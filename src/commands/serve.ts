import { randomBytes } from "node:crypto";
import { ConfigError, UsageError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { publicBaseUrl } from "../portal/base-url.ts";
import { placesOf } from "./recipient-common.ts";
import { stringFlag, usageText, withApp, type Command, type Flags } from "./command.ts";

const usage = usageText({
  synopsis: "serve [--port N] [--host ADDRESS] [common options]",
  description: `The read-only portal of the published weeks: each recipient (testrota recipient add) signs
in with its token and sees the weeks, the status and what changed, and downloads the files of
its own scope; everything else answers 404. Every download is recorded (testrota audit). Scripts
send the token as "Authorization: Bearer <token>" (GET /api/weeks, /api/weeks/<week>).
It also delivers the notifications still due in the outbox (mail, webhooks) every
notifications.retryEverySeconds. Put it behind a TLS-terminating reverse proxy and set
portal.baseUrl to the address recipients use (see docs/portal.md). Sessions are signed with
$TESTROTA_PORTAL_SECRET (portal.secretEnv), at least 32 characters; without it a random secret
is used and sessions end when the portal restarts. SIGTERM/SIGINT: stop and exit 0.`,
  options: `  --port N           port (default portal.port, 8080); 0 picks a free one
  --host ADDRESS     address to listen on (default portal.host, 127.0.0.1; 0.0.0.0 in a container)`,
  examples: `  testrota serve
  TESTROTA_PORTAL_SECRET=$(openssl rand -base64 48) testrota serve --host 0.0.0.0 --port 8080`,
});

const MIN_SECRET_LENGTH = 32;

/** The session-signing secret from the environment, or a random one (sessions end at restart). */
export function portalSecret(secretEnv: string, env: NodeJS.ProcessEnv, logger: Logger): string {
  const secret = env[secretEnv];
  if (secret === undefined || secret === "") {
    logger.warn(
      { secretEnv },
      `${secretEnv} is not set: sessions are signed with a random secret and end when the portal restarts`,
    );
    return randomBytes(32).toString("base64url");
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError([
      `${secretEnv}: got ${secret.length} characters, expected a secret of at least ${MIN_SECRET_LENGTH} (e.g. openssl rand -base64 48)`,
    ]);
  }
  return secret;
}

function portFlag(flags: Flags, problems: string[]): number | undefined {
  const text = stringFlag(flags, "port");
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    problems.push(`--port: got ${JSON.stringify(text)}, expected a port number 0–65535`);
    return undefined;
  }
  return port;
}

export const serveCommand: Command = {
  name: "serve",
  summary: "the read-only portal: each recipient sees and downloads its own files",
  usage,
  options: { port: { type: "string" }, host: { type: "string" } },
  logLevel: "info",
  run(flags, ctx) {
    const problems: string[] = [];
    const port = portFlag(flags, problems);
    if (problems.length > 0) throw new UsageError(problems, usage);
    return withApp(this, flags, ctx, async (app) => {
      const { portal } = app.config;
      const secret = portalSecret(portal.secretEnv, ctx.env, app.logger);
      // The portal's web server (fastify) is loaded by this command only.
      const { startPortal } = await import("../portal/server.ts");
      const running = await startPortal({
        host: stringFlag(flags, "host") ?? portal.host,
        port: port ?? portal.port,
        settings: {
          outDir: app.config.outDir,
          language: app.config.documents.language,
          baseUrl: publicBaseUrl(portal),
          trustProxy: portal.trustProxy,
          secret,
          sessionHours: portal.sessionHours,
          loginRateLimit: portal.loginRateLimit,
          downloadRateLimit: portal.downloadRateLimit,
        },
        store: app.store,
        places: await placesOf(app),
        clock: app.clock,
        logger: app.logger,
      });
      const stopRetries = app.notifier.startRetries();
      app.logger.info({ url: running.url, baseUrl: publicBaseUrl(portal) }, "portal listening");
      ctx.io.stdout(`portal listening on ${running.url} (recipients use ${publicBaseUrl(portal)})\n`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await running.close();
      await stopRetries();
      app.logger.info("portal stopped");
      return 0;
    });
  },
};
