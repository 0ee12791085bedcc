/*
 * A plain forwarding HTTP proxy on 127.0.0.1 that records what passes through it. undici's
 * ProxyAgent sends plain-http requests to it in absolute form (`GET http://host:port/path`), so
 * pointing HTTP_PROXY here shows whether the production client honours the proxy settings.
 */
import { createServer, request as forward, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type ProxiedRequest = {
  readonly method: string;
  /** The absolute target URL the client asked the proxy for. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
};

export type RecordingProxy = {
  readonly origin: string;
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
};

/** Starts the proxy on an ephemeral port. */
export async function startRecordingProxy(): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const server = createServer((incoming, response) => {
    const target = incoming.url ?? "";
    requests.push({ method: incoming.method ?? "GET", target, headers: incoming.headers });
    if (!/^http:\/\//.test(target)) {
      response.writeHead(400).end("expected an absolute-form request target");
      return;
    }
    const upstream = forward(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on("error", (error) => {
      response.writeHead(502).end(String(error));
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
