/*
 * A real HTTP server on 127.0.0.1 for exercising the production undici client end to end.
 *
 * msw does not intercept undici requests sent through a custom dispatcher (measured on these
 * machines with msw 3 and undici 8), so tests point the real client (EnvHttpProxyAgent + retry
 * interceptor) at this server. Routes are keyed by path; each route answers with a plain route
 * function or with msw handlers (run through msw's `getResponse`), and may inject a fault per
 * attempt. Every request is recorded; a request to an unknown route gets HTTP 599 and lands in
 * `unhandled`, which tests assert to be empty.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getResponse, type RequestHandler } from "msw";

/** A fault injected instead of (or into) the route's normal answer. */
export type Fault =
  /** Answer with this status (e.g. 500, or 429 with `headers: { "retry-after": "1" }`). */
  | {
      readonly kind: "status";
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  /** Accept the request and never answer. */
  | { readonly kind: "hang" }
  /** Send headers and part of the body, then reset the TCP connection (RST). */
  | { readonly kind: "reset-mid-body"; readonly afterBytes?: number }
  /** Announce the full Content-Length, send only part of the body, then close (FIN). */
  | { readonly kind: "truncate"; readonly afterBytes?: number }
  /** HTTP 200 without Content-Length and a body that never ends (chunks until the client leaves). */
  | { readonly kind: "endless" }
  /** ArcGIS style: HTTP 200 with `{"error":{…}}`. */
  | { readonly kind: "arcgis-error"; readonly code: number; readonly message: string };

/** A route's normal answer. `chunked` omits Content-Length and sends the body in pieces. */
export type RouteReply = {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
  readonly chunked?: boolean;
};

export type RecordedRequest = {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** 1 for the first request to this path, 2 for the second, … */
  readonly attempt: number;
};

export type RouteFunction = (request: RecordedRequest) => RouteReply | Promise<RouteReply>;

export type Route = {
  readonly respond: RouteFunction | readonly RequestHandler[];
  /** `faults[i]` applies to request i + 1 of this route; null (or past the end) answers normally. */
  readonly faults?: readonly (Fault | null)[];
};

export type FaultServer = {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  urlOf(path: string): string;
  setRoute(path: string, route: Route): void;
  requestsTo(path: string): readonly RecordedRequest[];
  /** Resolves once `count` requests to `path` have arrived (tests act on it instead of waiting). */
  requestArrived(path: string, count?: number): Promise<RecordedRequest>;
  readonly requests: readonly RecordedRequest[];
  /** Requests to paths without a route (answered 599). */
  readonly unhandled: readonly RecordedRequest[];
  close(): Promise<void>;
};

/** Serves a file's bytes (read once) as a route. */
export function serveFile(path: string, contentType = "text/csv; charset=utf-8"): RouteFunction {
  const bytes = readFileSync(path);
  return () => ({ headers: { "content-type": contentType }, body: bytes });
}

/** Serves JSON as a route. */
export function serveJson(value: unknown): RouteFunction {
  return () => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(value) });
}

/**
 * An ArcGIS FeatureServer `/query` endpoint over `features` (attribute objects): honours
 * `resultOffset` and `resultRecordCount` (capped at `maxRecordCount`, as ArcGIS does) and sets
 * `exceededTransferLimit` while features remain.
 */
export function serveArcgisLayer(
  features: readonly Readonly<Record<string, unknown>>[],
  options: { readonly maxRecordCount?: number } = {},
): RouteFunction {
  const maxRecordCount = options.maxRecordCount ?? 2000;
  return (request) => {
    const params = request.url.searchParams;
    if (params.get("f") !== "json") {
      return { status: 400, body: "expected f=json" };
    }
    const offset = Number(params.get("resultOffset") ?? "0");
    const count = Math.min(Number(params.get("resultRecordCount") ?? maxRecordCount), maxRecordCount);
    const page = features.slice(offset, offset + count);
    const body: Record<string, unknown> = {
      objectIdFieldName: "ObjectId",
      geometryType: "esriGeometryPolygon",
      fields: Object.keys(features[0] ?? {}).map((name) => ({ name, alias: name })),
      features: page.map((attributes) => ({ attributes })),
    };
    if (offset + page.length < features.length) body["exceededTransferLimit"] = true;
    return { headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
  };
}

function toBytes(body: string | Uint8Array): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
}

async function answerFromHandlers(
  handlers: readonly RequestHandler[],
  recorded: RecordedRequest,
): Promise<RouteReply | undefined> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(recorded.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const response = await getResponse(
    [...handlers],
    new Request(recorded.url, { method: recorded.method, headers }),
  );
  if (response === undefined) return undefined;
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

function sendPartial(
  response: ServerResponse,
  reply: RouteReply,
  afterBytes: number | undefined,
  end: "reset" | "close",
) {
  const bytes = toBytes(reply.body);
  const cut = Math.min(afterBytes ?? Math.floor(bytes.length / 2), bytes.length - 1);
  response.writeHead(reply.status ?? 200, { ...reply.headers, "content-length": String(bytes.length) });
  response.write(bytes.subarray(0, cut), () => {
    // Give the client time to read headers and the first bytes before the connection breaks.
    setTimeout(() => {
      const socket = response.socket;
      if (socket === null) return;
      if (end === "reset") socket.resetAndDestroy();
      else socket.end();
    }, 30);
  });
}

/** Writes 64 kB chunks of `0;` lines for as long as the client reads them. */
function sendEndless(response: ServerResponse) {
  const chunk = Buffer.from("0;".repeat(32 * 1024));
  response.writeHead(200, { "content-type": "text/csv" });
  const pump = () => {
    let flowing = true;
    while (flowing && !response.destroyed) flowing = response.write(chunk);
    if (!response.destroyed) response.once("drain", pump);
  };
  response.on("error", () => undefined);
  pump();
}

function sendReply(response: ServerResponse, reply: RouteReply) {
  const bytes = toBytes(reply.body);
  if (reply.chunked === true) {
    response.writeHead(reply.status ?? 200, { ...reply.headers });
    const step = Math.max(1, Math.ceil(bytes.length / 4));
    for (let at = 0; at < bytes.length; at += step) response.write(bytes.subarray(at, at + step));
    response.end();
    return;
  }
  response.writeHead(reply.status ?? 200, { ...reply.headers, "content-length": String(bytes.length) });
  response.end(bytes);
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startFaultServer(
  initialRoutes: Readonly<Record<string, Route>> = {},
): Promise<FaultServer> {
  const routes = new Map<string, Route>(Object.entries(initialRoutes));
  const requests: RecordedRequest[] = [];
  const unhandled: RecordedRequest[] = [];
  const waiting: { path: string; count: number; resolve: (request: RecordedRequest) => void }[] = [];
  let origin = "";

  function notifyArrival(recorded: RecordedRequest) {
    for (const waiter of [...waiting]) {
      if (waiter.path === recorded.url.pathname && recorded.attempt >= waiter.count) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
    }
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse) {
    const url = new URL(incoming.url ?? "/", origin);
    const attempt = requests.filter((r) => r.url.pathname === url.pathname).length + 1;
    const recorded: RecordedRequest = {
      method: incoming.method ?? "GET",
      url,
      headers: incoming.headers,
      attempt,
    };
    requests.push(recorded);
    notifyArrival(recorded);
    const route = routes.get(url.pathname);
    if (route === undefined) {
      unhandled.push(recorded);
      response.writeHead(599, { "content-type": "text/plain" }).end(`no route for ${url.pathname}`);
      return;
    }
    const fault = route.faults?.[attempt - 1] ?? null;
    if (fault?.kind === "hang") return;
    if (fault?.kind === "status") {
      response.writeHead(fault.status, { "content-type": "text/plain", ...fault.headers });
      response.end(fault.body ?? `injected ${fault.status}`);
      return;
    }
    if (fault?.kind === "endless") {
      sendEndless(response);
      return;
    }
    if (fault?.kind === "arcgis-error") {
      sendReply(response, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ error: { code: fault.code, message: fault.message, details: [] } }),
      });
      return;
    }
    const reply =
      typeof route.respond === "function"
        ? await route.respond(recorded)
        : await answerFromHandlers(route.respond, recorded);
    if (reply === undefined) {
      unhandled.push(recorded);
      response.writeHead(599, { "content-type": "text/plain" }).end(`no handler for ${url.pathname}`);
      return;
    }
    if (fault?.kind === "reset-mid-body") sendPartial(response, reply, fault.afterBytes, "reset");
    else if (fault?.kind === "truncate") sendPartial(response, reply, fault.afterBytes, "close");
    else sendReply(response, reply);
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      response.writeHead(598).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    urlOf: (path) => `${origin}${path}`,
    setRoute: (path, route) => {
      routes.set(path, route);
    },
    requestsTo: (path) => requests.filter((r) => r.url.pathname === path),
    requestArrived: (path, count = 1) => {
      const arrived = requests.filter((r) => r.url.pathname === path)[count - 1];
      if (arrived !== undefined) return Promise.resolve(arrived);
      return new Promise((resolve) => waiting.push({ path, count, resolve }));
    },
    requests,
    unhandled,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
