import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../log.ts";
import type { StateStore } from "../store/state-store.ts";

/*
 * /healthz: the process is alive (200 while it answers at all).
 * /readyz: the state store open and writable and the run ledger readable; 503 with the reasons
 * otherwise. It names the store (`sqlite` or `postgres`) and, with several replicas, whether this
 * one leads (holds a week's run lock). (The server starts only after the config loaded.)
 * /metrics: the worker's Prometheus registry in text format.
 * /report: the latest published week's `report.html` (read-only; that one file and nothing else).
 */

export type ReadinessReport = {
  readonly ready: boolean;
  readonly reasons: readonly string[];
  /** Extra state shown on /readyz (last run, pause flag…). */
  readonly details: Readonly<Record<string, unknown>>;
};

export type ReadinessInputs = {
  /** The state store; undefined when it could not be opened. */
  readonly store: Pick<StateStore, "kind" | "probe"> | undefined;
  /** Whether this replica leads: it holds a week's run lock right now. */
  readonly leading?: (() => boolean) | undefined;
  /** The latest run as the ledger knows it (no staff data). */
  readonly lastRun?: (() => Promise<unknown>) | undefined;
  readonly paused?: (() => Promise<boolean>) | undefined;
  /** How long the probe waits for another process's write lock (default 200 ms). */
  readonly probeTimeoutMs?: number | undefined;
};

export type HealthServerOptions = {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: () => Promise<ReadinessReport>;
  /** The latest published week's report, undefined when there is none (serves 404). */
  readonly report?: (() => Promise<Uint8Array | undefined>) | undefined;
  readonly logger?: Logger | undefined;
};

export type HealthServer = {
  /** The port actually listened on. */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
};

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Decides readiness: store writable, ledger readable; includes the last run and pause flag. */
export async function assessReadiness(inputs: ReadinessInputs): Promise<ReadinessReport> {
  const reasons: string[] = [];
  const details: Record<string, unknown> = {};
  if (inputs.store === undefined) {
    reasons.push("state store not open");
  } else {
    details.storeType = inputs.store.kind;
    try {
      const probe = await inputs.store.probe(inputs.probeTimeoutMs);
      if (probe.writable) details.store = probe.note ?? "writable";
      else reasons.push(probe.problem);
    } catch (error) {
      reasons.push(`state store check failed: ${describe(error)}`);
    }
  }
  if (inputs.leading !== undefined) details.leading = inputs.leading();
  try {
    if (inputs.lastRun !== undefined) details.lastRun = (await inputs.lastRun()) ?? null;
    if (inputs.paused !== undefined) details.paused = await inputs.paused();
  } catch (error) {
    reasons.push(`run ledger unreadable: ${describe(error)}`);
  }
  return { ready: reasons.length === 0, reasons, details };
}

function sendJson(response: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
  });
  response.end(head ? undefined : text);
}

/**
 * The report is served as the document it is: scripts, frames, plug-ins and every load are
 * forbidden; only its own inline styles apply (the page carries the same policy as a meta tag).
 */
const REPORT_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
} as const;

async function sendReport(
  options: HealthServerOptions,
  response: ServerResponse,
  head: boolean,
): Promise<void> {
  const bytes = await options.report?.();
  if (bytes === undefined) {
    sendJson(response, 404, { error: "no report yet: no published week has a report.html" }, head);
    return;
  }
  response.writeHead(200, { ...REPORT_HEADERS, "content-length": bytes.byteLength });
  response.end(head ? undefined : bytes);
}

async function handle(
  options: HealthServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? "GET";
  const head = method === "HEAD";
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (method !== "GET" && !head) {
    response.setHeader("allow", "GET, HEAD");
    sendJson(response, 405, { error: `method ${method} not allowed, expected GET or HEAD` }, false);
    return;
  }
  switch (path) {
    case "/healthz":
      sendJson(response, 200, { status: "ok" }, head);
      return;
    case "/readyz": {
      const report = await options.readiness();
      sendJson(
        response,
        report.ready ? 200 : 503,
        { status: report.ready ? "ready" : "not-ready", reasons: report.reasons, ...report.details },
        head,
      );
      return;
    }
    case "/metrics": {
      const text = await options.registry.metrics();
      response.writeHead(200, {
        "content-type": options.registry.contentType,
        "cache-control": "no-store",
        "content-length": Buffer.byteLength(text),
      });
      response.end(head ? undefined : text);
      return;
    }
    case "/report":
      await sendReport(options, response, head);
      return;
    default:
      sendJson(
        response,
        404,
        { error: `no route ${path}, expected /healthz, /readyz, /metrics or /report` },
        head,
      );
  }
}

/** Starts the health server; resolves once it listens (rejects e.g. on EADDRINUSE). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const logger = options.logger?.child({ component: "health-server" });
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      logger?.error({ err: error, url: request.url }, "health endpoint failed");
      if (!response.headersSent) sendJson(response, 500, { error: describe(error) }, false);
      else response.destroy();
    });
  });
  // Probes are short requests: do not let idle keep-alive sockets hold up shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  logger?.info({ host: address.address, port: address.port }, "health server listening");
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `http://${hostForUrl}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
