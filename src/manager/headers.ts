/** What a commit asks of the response. Adapters apply it with {@link applySessionHeaders}. */
export interface SessionHeaders {
  /** Set-Cookie values to append, each one header. */
  setCookie: string[];
  /** The response depends on the Cookie header: add `Cookie` to Vary. */
  vary: boolean;
  /** A cookie is being set: keep shared caches from storing the response. */
  noStore: boolean;
}

/** The part of `Headers` (or a node `ServerResponse` shim) that applying needs. */
export interface HeadersLike {
  get(name: string): string | null;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

// Vary = #( "*" / field-name ) (RFC 9110 §12.5.5); field names compare case-insensitively.
function varies(vary: string, field: string): boolean {
  for (const part of vary.split(",")) {
    const name = part.trim().toLowerCase();
    if (name === "*" || name === field) return true;
  }
  return false;
}

/**
 * Merges a commit's headers into a response's: appends each Set-Cookie, adds
 * `Cookie` to `Vary` unless already there (or `*`), and sets
 * `Cache-Control: no-store` unless the response already says `no-store` or
 * `private`.
 *
 * @example
 * applySessionHeaders(response.headers, await sessions.headers(session, response.status));
 */
export function applySessionHeaders(target: HeadersLike, headers: SessionHeaders): void {
  for (const value of headers.setCookie) target.append("set-cookie", value);
  if (headers.vary) {
    const vary = target.get("vary");
    if (vary === null || vary === "") target.set("vary", "Cookie");
    else if (!varies(vary, "cookie")) target.set("vary", `${vary}, Cookie`);
  }
  if (headers.noStore) {
    const cache = target.get("cache-control")?.toLowerCase() ?? "";
    if (!cache.includes("no-store") && !cache.includes("private"))
      target.set("cache-control", "no-store");
  }
}

/**
 * The headers given to node's `writeHead(status, [reason], headers)` as one
 * flat list, name then value: node takes an object, a flat array or an array
 * of pairs. Null when none were given. For the adapters that add the
 * session's headers inside `writeHead` (Express, Hono on @hono/node-server).
 *
 * @example
 * headerList({ "content-type": "text/plain" }); // ["content-type", "text/plain"]
 * headerList([["set-cookie", "a=1"], ["set-cookie", "b=2"]]); // ["set-cookie", "a=1", "set-cookie", "b=2"]
 */
export function headerList(given: unknown): unknown[] | null {
  if (given === undefined || given === null) return null;
  if (Array.isArray(given)) return Array.isArray(given[0]) ? given.flat() : given;
  return Object.entries(given).flat();
}
