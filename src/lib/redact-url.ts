const SECRET_PARAM = /token|key|secret|password|passwd|signature|sig$/i;

/** The URL as it may appear in logs, errors and payload origins: no user:pass, no token/key values. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, "//");
  }
  parsed.username = "";
  parsed.password = "";
  // Only a touched query is re-serialised; an untouched one keeps its original encoding.
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, "REDACTED");
  }
  return parsed.toString();
}
