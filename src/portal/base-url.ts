/** The portal's public address without a trailing slash: `portal.baseUrl`, else http://127.0.0.1:<port>. */
export function publicBaseUrl(portal: {
  readonly baseUrl?: string | undefined;
  readonly port: number;
}): string {
  const base = portal.baseUrl ?? `http://127.0.0.1:${portal.port}`;
  return base.replace(/\/+$/, "");
}
