/** The portal's public address without a trailing slash: `portal.baseUrl`, else http://localhost:<port>. */
export function publicBaseUrl(portal: {
  readonly baseUrl?: string | undefined;
  readonly port: number;
}): string {
  const base = portal.baseUrl ?? `http://localhost:${portal.port}`;
  return base.replace(/\/+$/, "");
}
