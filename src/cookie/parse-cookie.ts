// Reading the `Cookie` request header (RFC 6265 §4.2, RFC 6265bis §4.2 and §5.8).
//
//   cookie-string = cookie-pair *( ";" SP cookie-pair )
//   cookie-pair   = cookie-name "=" cookie-value
//
// Browsers and proxies send more than that grammar allows, so reading is lenient
// and never throws: every ";" ends a pair, a pair without "=" is skipped, only
// SP and HTAB are trimmed (RFC 9110 OWS), names are kept byte for byte, and a
// value is percent-decoded only when it holds a "%" and decodes cleanly.
// No regex on this path: indexOf finds ";" and "=", charCodeAt loops trim.

// The result's class: instances inherit from one frozen, empty object whose own
// prototype is null, so nothing is inherited, "__proto__" is an ordinary key and
// the shared prototype cannot be polluted. V8 keeps these objects in fast mode,
// where `{ __proto__: null }` and Object.create(null) start in dictionary mode;
// that alone made parsing 15-20% faster (bench/cookie-parse.bench.ts), the
// difference between trailing jshttp/cookie@2 and beating it.
const Cookies = function Cookies() {} as unknown as new () => Record<string, string>;
Cookies.prototype = Object.freeze(Object.create(null));

const SP = 0x20;
const HTAB = 0x09;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;

/**
 * Parses a `Cookie` header into a map of name to value.
 *
 * - Lenient: it never throws, and a missing or empty header gives `{}`.
 * - The result inherits nothing (no `Object.prototype` in its chain), so names
 *   such as `__proto__` or `constructor` are ordinary keys and
 *   `Object.prototype` is never touched.
 * - **Duplicate names: the first one wins.** Browsers list the cookie with the
 *   longest (most specific) path first (RFC 6265 §5.4 step 2), so the first
 *   value is the one meant for this path. Use {@link countCookie} to notice a
 *   name sent twice, which is how cookie tossing from a sibling subdomain shows.
 * - Values are percent-decoded only when they contain `%` and the escape is
 *   valid; an invalid escape keeps the raw value. Names are never decoded.
 * - DQUOTEs around a value are kept, as RFC 6265bis makes them part of the value.
 *
 * @example
 * const cookies = parseCookie(request.headers.get("cookie"));
 * cookies.theme; // "dark" for "theme=dark; sid=abc"
 */
export function parseCookie(header: string | null | undefined): Record<string, string> {
  const cookies = new Cookies();
  if (typeof header !== "string") return cookies;
  const len = header.length;
  // Where the next "%" is, so that values without one skip the decoder without
  // each being searched again.
  let percent = -1;
  let start = 0;
  while (start < len) {
    const eq = header.indexOf("=", start);
    if (eq === -1) break; // no "=" left, so no pair left
    let end = header.indexOf(";", start);
    if (end !== -1 && end < eq) {
      // This piece has no "=": skip to the piece that holds the "=" we found.
      start = header.lastIndexOf(";", eq) + 1;
      end = header.indexOf(";", eq);
    }
    if (end === -1) end = len;

    const name = sliceTrimmed(header, start, eq);
    if (cookies[name] === undefined) {
      let valueStart = eq + 1;
      let valueEnd = end;
      while (valueStart < valueEnd && isOws(header.charCodeAt(valueStart))) valueStart++;
      while (valueEnd > valueStart && isOws(header.charCodeAt(valueEnd - 1))) valueEnd--;
      const value = header.slice(valueStart, valueEnd);
      if (percent < valueStart && percent !== len) {
        percent = header.indexOf("%", valueStart);
        if (percent === -1) percent = len;
      }
      cookies[name] = percent < valueEnd ? decodePercent(value) : value;
    }
    start = end + 1;
  }
  return cookies;
}

/**
 * Returns the value of the first cookie called `name` in a `Cookie` header,
 * without building the whole map: the per-request lookup of one cookie.
 * It reads exactly as {@link parseCookie} does (first wins, same trimming and
 * decoding), so `getCookie(h, n) === parseCookie(h)[n]` for every name.
 *
 * @example
 * const sid = getCookie(request.headers.get("cookie"), "__Host-sid");
 * if (sid === undefined) return anonymous();
 */
export function getCookie(header: string | null | undefined, name: string): string | undefined {
  if (typeof header !== "string" || !canBeParsedName(name)) return undefined;
  const eq = findPair(header, name, 0);
  if (eq === -1) return undefined;
  let end = header.indexOf(";", eq + 1);
  if (end === -1) end = header.length;
  return decodeValue(sliceTrimmed(header, eq + 1, end));
}

/**
 * Counts the pairs in a `Cookie` header whose name is exactly `name`. More
 * than one means the browser holds several cookies of that name (other paths,
 * or a parent domain), which is also what cookie tossing from a sibling
 * subdomain looks like; a session layer can then refuse to guess which one is
 * genuine.
 *
 * @example
 * if (countCookie(request.headers.get("cookie"), "sid") > 1) log.warn("duplicate session cookie");
 */
export function countCookie(header: string | null | undefined, name: string): number {
  if (typeof header !== "string" || !canBeParsedName(name)) return 0;
  let count = 0;
  for (let eq = findPair(header, name, 0); eq !== -1; eq = findPair(header, name, eq + 1)) count++;
  return count;
}

/**
 * Every value of the cookies called `name` in a `Cookie` header, in header
 * order (the most specific path first), read as {@link getCookie} reads the
 * first. For deciding what to do when a name comes more than once.
 *
 * @example
 * getAllCookies("sid=a; theme=dark; sid=b", "sid"); // ["a", "b"]
 */
export function getAllCookies(header: string | null | undefined, name: string): string[] {
  const values: string[] = [];
  if (typeof header !== "string" || !canBeParsedName(name)) return values;
  for (let eq = findPair(header, name, 0); eq !== -1; eq = findPair(header, name, eq + 1)) {
    let end = header.indexOf(";", eq + 1);
    if (end === -1) end = header.length;
    values.push(decodeValue(sliceTrimmed(header, eq + 1, end)));
  }
  return values;
}

/**
 * Percent-decodes a cookie value when it contains "%" and the escapes are
 * valid; otherwise returns it unchanged. Never throws. (Internal: shared with
 * parseSetCookie, not exported from the package.)
 *
 * @example
 * decodeValue("a%20b"); // "a b"
 * decodeValue("100%");  // "100%"
 */
export function decodeValue(value: string): string {
  return value.indexOf("%") === -1 ? value : decodePercent(value);
}

function decodePercent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * `text.slice(start, end)` without leading and trailing OWS (SP / HTAB only).
 * (Internal: shared with parseSetCookie, not exported from the package.)
 *
 * @example
 * sliceTrimmed("a= \tb ;c", 2, 6); // "b"
 */
export function sliceTrimmed(text: string, start: number, end: number): string {
  while (start < end && isOws(text.charCodeAt(start))) start++;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

// OWS = *( SP / HTAB ) (RFC 9110 §5.6.3). Nothing else is trimmed: a name that
// starts with U+00A0 or U+2000 stays distinct ("Cookie Chaos", PortSwigger 2025).
function isOws(code: number): boolean {
  return code === SP || code === HTAB;
}

// parseCookie only ever yields names cut before the first "=" of a piece, with
// no ";" and no OWS at either end; any other name cannot be in the header.
function canBeParsedName(name: string): boolean {
  if (typeof name !== "string") return false;
  const n = name.length;
  if (n === 0) return true;
  return (
    !isOws(name.charCodeAt(0)) &&
    !isOws(name.charCodeAt(n - 1)) &&
    name.indexOf("=") === -1 &&
    name.indexOf(";") === -1
  );
}

// The index of the "=" of the next pair called `name` at or after `from`, or -1.
// A match must start its piece (only OWS since the last ";" or the start) and be
// followed by OWS and "=": exactly the pieces parseCookie gives that name.
function findPair(header: string, name: string, from: number): number {
  const len = header.length;
  const n = name.length;
  // The nameless pair ("=value"): its "=" is the first non-OWS of its piece.
  if (n === 0) {
    for (let eq = header.indexOf("=", from); eq !== -1; eq = header.indexOf("=", eq + 1)) {
      if (startsPiece(header, eq)) return eq;
    }
    return -1;
  }
  for (let at = header.indexOf(name, from); at !== -1; at = header.indexOf(name, at + 1)) {
    if (!startsPiece(header, at)) continue;
    let eq = at + n;
    while (eq < len && isOws(header.charCodeAt(eq))) eq++;
    if (header.charCodeAt(eq) === EQUALS) return eq;
  }
  return -1;
}

function startsPiece(header: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && isOws(header.charCodeAt(i))) i--;
  return i < 0 || header.charCodeAt(i) === SEMICOLON;
}
