import { ConfigError } from "../errors.ts";
import { type CsrfResult, fail, PASS } from "./result.ts";

/**
 * The parts of a request the CSRF checks read. A Web `Request` fits; only a
 * `Request` (something with `clone()`) has its form body read.
 *
 * @example
 * const like: CsrfRequest = { method: req.method!, url: `https://${req.headers.host}${req.url}`, headers };
 */
export interface CsrfRequest {
  readonly method: string;
  /** The absolute URL, as `Request.url` spells it (lowercase scheme and host, no default port). */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
}

/**
 * Whether a method is safe (RFC 9110 §9.2.1): GET, HEAD, OPTIONS and TRACE
 * change nothing, so they are never checked. Methods are compared exactly,
 * as servers receive them: anything else, "get" included, is checked.
 *
 * @example
 * isSafeMethod("GET"); // true
 * isSafeMethod("POST"); // false
 */
export function isSafeMethod(method: string): boolean {
  switch (method) {
    case "GET":
    case "HEAD":
    case "OPTIONS":
    case "TRACE":
      return true;
    default:
      return false;
  }
}

/**
 * Checks one `trustedOrigins` entry and returns it. An origin is
 * `scheme://host[:port]` exactly as browsers send it in `Origin`: no path
 * (not even "/"), query, fragment or credentials, lowercase, no default port
 * (Go's `AddTrustedOrigin` rules, plus the spelling a browser would use, as
 * an entry spelled otherwise would never match). Throws a `ConfigError` that
 * suggests the right spelling.
 *
 * @example
 * trustedOrigin("https://app.example.com:8443"); // "https://app.example.com:8443"
 * trustedOrigin("https://app.example.com/"); // throws: write it as "https://app.example.com"
 */
export function trustedOrigin(value: unknown): string {
  if (typeof value !== "string") {
    throw new ConfigError(`csrf trustedOrigins entries must be strings, got ${typeof value}`);
  }
  const url = URL.parse(value);
  if (url === null || url.host === "") {
    throw new ConfigError(
      `csrf trustedOrigins entry ${JSON.stringify(value)} is not an origin: write it as scheme://host[:port], e.g. "https://app.example.com"`,
    );
  }
  // URL.origin is "null" for schemes other than http(s)/ws(s)/ftp/blob, so
  // build the serialisation ourselves (browser-extension origins have a host).
  const origin = `${url.protocol}//${url.host}`;
  if (origin !== value) {
    throw new ConfigError(
      `csrf trustedOrigins entry ${JSON.stringify(value)} is not an origin as browsers send it (no path, query, fragment or credentials; lowercase; no default port): write it as ${JSON.stringify(origin)}`,
    );
  }
  return origin;
}

// The origin (scheme://host[:port]) of an absolute URL, without a regex and
// usually without a URL parse: Request.url is already normalised, so the
// origin is everything before the first "/", "?" or "#" after "://".
// Credentials (an "@") or a relative URL take the slow path.
function originOf(url: string): string {
  const start = url.indexOf("://");
  if (start !== -1) {
    let end = start + 3;
    for (; end < url.length; end++) {
      const c = url.charCodeAt(end);
      if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
      if (c === 64 /* @ */) return slowOriginOf(url);
    }
    if (end > start + 3) return url.slice(0, end);
  }
  return slowOriginOf(url);
}

function slowOriginOf(url: string): string {
  const parsed = URL.parse(url);
  return parsed === null || parsed.host === "" ? "" : `${parsed.protocol}//${parsed.host}`;
}

// Header values in log details: quoted (no control characters reach the
// log) and clipped, since the client chose them.
function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/**
 * The origin check, in the style of Go's `http.CrossOriginProtection`. It
 * uses only what browsers send, needs no token, and runs before the token
 * check. A request without `Sec-Fetch-Site` or `Origin` passes here (it is
 * not from a browser, or from a very old one) and is left to the token.
 *
 * @example
 * const result = checkOrigin(request, new Set(["https://admin.example.com"]));
 * if (!result.ok) return forbidden(result);
 */
export function checkOrigin(request: CsrfRequest, trusted: ReadonlySet<string>): CsrfResult {
  // Rule 1: safe methods always pass (GET, HEAD, OPTIONS, TRACE). They must
  // not change state; a cross-site GET is how links work.
  if (isSafeMethod(request.method)) return PASS;

  const headers = request.headers;
  const origin = headers.get("origin");
  const site = headers.get("sec-fetch-site");

  // Rule 2: Sec-Fetch-Site (sent by every browser since 2023) decides when
  // present: "same-origin" (a page of this origin) and "none" (the user typed
  // the URL, a bookmark) pass. Anything else ("same-site", "cross-site", an
  // unknown value) fails unless the Origin is trusted: a sibling subdomain is
  // another origin. An empty value counts as absent, as in Go.
  if (site !== null && site !== "") {
    if (site === "same-origin" || site === "none") return PASS;
    if (origin !== null && trusted.has(origin)) return PASS;
    return fail(
      "cross-origin request",
      `Sec-Fetch-Site is ${quote(site)} and Origin ${origin === null ? "is absent" : `${quote(origin)} is not trusted`}`,
    );
  }

  // Rule 3: neither Sec-Fetch-Site nor Origin: a non-browser client, or a
  // browser too old to send them. Nothing to judge here; the token decides.
  if (origin === null || origin === "") return PASS;

  // Rule 4: no Sec-Fetch-Site but an Origin (an older browser): it must be
  // the request's own origin, scheme included (Go compares the host only;
  // the scheme also stops an http:// page posting to https://), or a trusted
  // one. "null" (sandboxed frames, file:, some redirects) matches neither.
  const own = originOf(request.url);
  if (origin === own || trusted.has(origin)) return PASS;
  return fail(
    "cross-origin request",
    `Origin ${quote(origin)} is neither ${own === "" ? "the request's origin" : own} nor trusted`,
  );
}
