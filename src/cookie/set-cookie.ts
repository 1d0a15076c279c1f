// Writing and reading the `Set-Cookie` response header (RFC 6265 §4.1,
// RFC 6265bis §4.1 and §5.6). Writing is strict: anything a browser would drop
// or misread throws here, naming the field, instead of failing silently there.
// Reading is lenient and never throws.

import { CookieTooLargeError } from "../errors.ts";
import { decodeValue, sliceTrimmed } from "./parse-cookie.ts";

/** The `SameSite` values, as {@link parseSetCookie} reports them. */
export type SameSite = "lax" | "strict" | "none";

/** The `Priority` values (a Chromium extension), as {@link parseSetCookie} reports them. */
export type Priority = "low" | "medium" | "high";

/** The attributes {@link stringifySetCookie} and {@link deleteCookie} write. */
export interface SetCookieOptions {
  /** `Domain`: also send the cookie to subdomains. Leave it out for a host-only cookie. */
  domain?: string | undefined;
  /** `Path`: the URL path prefix the cookie is sent for. `__Host-` cookies need `"/"`. */
  path?: string | undefined;
  /** `Expires`: an absolute end. Prefer `maxAge`, which does not depend on the client's clock. */
  expires?: Date | undefined;
  /**
   * `Max-Age` in whole seconds. `0` or less deletes the cookie now (written as
   * `Max-Age=0`); more than 400 days is written as 400 days, the cap browsers
   * apply anyway (RFC 6265bis §5.6.2).
   */
  maxAge?: number | undefined;
  /** `HttpOnly`: hide the cookie from page scripts. */
  httpOnly?: boolean | undefined;
  /** `Secure`: send over HTTPS only. Required by `SameSite=None`, `Partitioned` and the prefixes. */
  secure?: boolean | undefined;
  /** `SameSite`, case-insensitive. `true` means `"strict"`, `false` leaves the attribute out. */
  sameSite?: SameSite | Capitalize<SameSite> | boolean | undefined;
  /** `Partitioned` (CHIPS): keep the cookie per top-level site. Requires `secure`. */
  partitioned?: boolean | undefined;
  /** `Priority`, case-insensitive. */
  priority?: Priority | Capitalize<Priority> | undefined;
  /**
   * Turns the value into cookie-octets. The default percent-encodes a value
   * only when it holds a character outside cookie-octet, or a `%` (so that
   * decoding on read gives the same string back). Its output is checked.
   */
  encode?: ((value: string) => string) | undefined;
}

/** A parsed `Set-Cookie` header: the pair and the attributes that were understood. */
export interface SetCookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: Date;
  maxAge?: number;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: SameSite;
  partitioned?: boolean;
  priority?: Priority;
}

// RFC 6265bis §5.6: user agents ignore a cookie whose name and value together
// exceed 4096 octets, and an attribute whose value exceeds 1024 octets.
const MAX_NAME_VALUE_BYTES = 4096;
const MAX_ATTRIBUTE_BYTES = 1024;

// RFC 6265bis §5.6.2 (and §5.5): user agents cap a cookie's lifetime at 400 days.
const MAX_AGE_CAP = 400 * 24 * 60 * 60; // 34560000 seconds

// cookie-name = token (RFC 6265bis §4.1.1, token from RFC 9110 §5.6.2):
//   token = 1*tchar
//   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
// Stricter than jshttp/cookie@2, which also writes "/", ":", "@", "[", "{" and the
// like in names; readers disagree on those, so we refuse them on write.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
// cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
//   (visible US-ASCII except DQUOTE, comma, semicolon and backslash)
const COOKIE_VALUE = /^(?:[!#-+\--:<-[\]-~]*|"[!#-+\--:<-[\]-~]*")$/;

// What the default encoder escapes: anything outside cookie-octet, and "%" so
// that a value read back through the percent-decoder comes out unchanged.
const NEEDS_ENCODING = /[^!#$&-+\--:<-[\]-~]/;

// domain-value = <subdomain> (RFC 1034 §3.5 as enhanced by RFC 1123 §2.1):
//   labels of letters, digits and inner hyphens, 1 to 63 characters, joined by ".".
// A leading "." is tolerated: user agents ignore it (RFC 6265 §4.1.2.3).
const DOMAIN =
  /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

// path-value = <any CHAR except CTLs or ";"> (RFC 6265 §4.1.1). Like
// jshttp/cookie we also refuse "<", so a path cannot carry markup into a page
// that echoes headers.
const PATH = /^[\x20-\x3a\x3d-\x7e]*$/;

/**
 * Serializes a cookie into a `Set-Cookie` header value. Strict: it throws a
 * `TypeError` naming the bad field for a name that is not an RFC 9110 token,
 * a value that is not cookie-octets after encoding, a bad domain, path, date
 * or Max-Age, `SameSite=None` or `Partitioned` without `Secure`, and a
 * `__Secure-` or `__Host-` name whose rules do not hold (RFC 6265bis §4.1.3).
 * It throws {@link CookieTooLargeError} when name and value exceed 4096 bytes.
 *
 * Attributes come in this order: Max-Age, Domain, Path, Expires, HttpOnly,
 * Secure, SameSite, Priority, Partitioned.
 *
 * @example
 * stringifySetCookie("__Host-sid", token, { path: "/", secure: true, httpOnly: true, sameSite: "lax" });
 * // "__Host-sid=…; Path=/; HttpOnly; Secure; SameSite=Lax"
 */
export function stringifySetCookie(
  name: string,
  value: string,
  options: SetCookieOptions = {},
): string {
  // cookie-name = token (see TOKEN above).
  if (typeof name !== "string" || !TOKEN.test(name)) throw invalid("argument", "name", name);
  if (typeof value !== "string") throw invalid("argument", "value", value);

  const encode = options.encode;
  let encoded: string;
  if (encode == null) {
    encoded = encodeValue(value);
  } else {
    if (typeof encode !== "function") throw invalid("option", "encode", encode);
    encoded = encode(value);
    // cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
    if (typeof encoded !== "string" || !COOKIE_VALUE.test(encoded)) {
      throw invalid("argument", "value", encoded, "after encoding");
    }
  }

  // RFC 6265bis §5.6: name + value over 4096 octets and the browser drops the
  // cookie. Both are ASCII by now, so length is the byte count.
  const size = name.length + encoded.length;
  if (size > MAX_NAME_VALUE_BYTES) throw new CookieTooLargeError(name, size, MAX_NAME_VALUE_BYTES);

  let header = `${name}=${encoded}`;

  const maxAge = options.maxAge;
  if (maxAge != null) {
    // max-age-av = "Max-Age=" non-zero-digit *DIGIT (RFC 6265 §4.1.1), plus the
    // universal "Max-Age=0" for deletion: whole seconds only, 0 for anything
    // not positive (user agents expire delta-seconds <= 0 at once, §5.6.2),
    // and capped at 400 days.
    if (!Number.isSafeInteger(maxAge)) throw invalid("option", "maxAge", maxAge);
    header += `; Max-Age=${maxAge <= 0 ? 0 : Math.min(maxAge, MAX_AGE_CAP)}`;
  }

  const domain = options.domain;
  if (domain) {
    // domain-av = "Domain=" domain-value (see DOMAIN above).
    if (typeof domain !== "string" || domain.length > MAX_ATTRIBUTE_BYTES || !DOMAIN.test(domain)) {
      throw invalid("option", "domain", domain);
    }
    header += `; Domain=${domain}`;
  }

  const path = options.path;
  if (path) {
    // path-av = "Path=" path-value (see PATH above), at most 1024 octets (§5.6).
    if (typeof path !== "string" || path.length > MAX_ATTRIBUTE_BYTES || !PATH.test(path)) {
      throw invalid("option", "path", path);
    }
    header += `; Path=${path}`;
  }

  const expires = options.expires;
  if (expires != null) {
    // expires-av = "Expires=" sane-cookie-date, an IMF-fixdate (RFC 9110 §5.6.7)
    // with a four-digit year; user agents refuse years before 1601 (§5.1.1).
    const year = expires instanceof Date ? expires.getUTCFullYear() : Number.NaN;
    if (!(year >= 1601 && year <= 9999)) throw invalid("option", "expires", expires);
    header += `; Expires=${expires.toUTCString()}`;
  }

  if (options.httpOnly) header += "; HttpOnly";
  const secure = Boolean(options.secure);
  if (secure) header += "; Secure";

  const sameSite = options.sameSite;
  if (sameSite != null && sameSite !== false) {
    // samesite-av = "SameSite=" samesite-value; samesite-value = "Strict" / "Lax" / "None"
    switch (
      sameSite === true ? "strict" : typeof sameSite === "string" ? sameSite.toLowerCase() : ""
    ) {
      case "strict":
        header += "; SameSite=Strict";
        break;
      case "lax":
        header += "; SameSite=Lax";
        break;
      case "none":
        // RFC 6265bis §5.7: a SameSite=None cookie without Secure is ignored.
        if (!secure) throw requires("sameSite", sameSite, "secure: true");
        header += "; SameSite=None";
        break;
      default:
        throw invalid("option", "sameSite", sameSite);
    }
  }

  const priority = options.priority;
  if (priority != null) {
    // priority-av = "Priority=" ( "Low" / "Medium" / "High" ) (Chromium's extension)
    switch (typeof priority === "string" ? priority.toLowerCase() : "") {
      case "low":
        header += "; Priority=Low";
        break;
      case "medium":
        header += "; Priority=Medium";
        break;
      case "high":
        header += "; Priority=High";
        break;
      default:
        throw invalid("option", "priority", priority);
    }
  }

  if (options.partitioned) {
    // CHIPS (draft-cutler-httpbis-partitioned-cookies §2.1): browsers refuse a
    // Partitioned cookie without Secure.
    if (!secure) throw requires("partitioned", true, "secure: true");
    header += "; Partitioned";
  }

  checkPrefix(name, secure, path, domain);
  return header;
}

// cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (RFC 6265 §4.1.1):
// US-ASCII except controls, whitespace, DQUOTE, comma, semicolon and
// backslash; and not "%", which stringifySetCookie encodes so that parsing
// (which decodes %XX) gives the value back.
function needsNoEncoding(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x25 || c === 0x2c || c === 0x3b || c === 0x5c)
      return false;
  }
  return true;
}

/**
 * Checks a cookie's name and attributes once and returns a function that
 * serializes its `Set-Cookie` for a value (and, optionally, a Max-Age), with
 * the same output and the same errors as {@link stringifySetCookie}, for
 * values that need no encoding: a value outside cookie-octets, or with a
 * `%`, throws a `TypeError` rather than being percent-encoded. For a header written on
 * every response (a session cookie), where the attributes never change.
 *
 * @example
 * const sessionCookie = compileSetCookie("__Host-sid", { path: "/", secure: true, httpOnly: true, sameSite: "lax" });
 * sessionCookie(token); // "__Host-sid=…; Path=/; HttpOnly; Secure; SameSite=Lax"
 * sessionCookie(token, 3600); // "__Host-sid=…; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax"
 */
export function compileSetCookie(
  name: string,
  options: Omit<SetCookieOptions, "maxAge" | "encode"> = {},
): (value: string, maxAge?: number) => string {
  const { maxAge: _, encode: __, ...fixed } = options as SetCookieOptions;
  // Checked now: the name, every attribute and the prefix rules.
  const sample = stringifySetCookie(name, "", fixed);
  const head = `${name}=`;
  const tail = sample.slice(head.length);
  return (value, maxAge) => {
    if (typeof value !== "string") throw invalid("argument", "value", value);
    if (!needsNoEncoding(value)) throw invalid("argument", "value", value, "needs encoding");
    const size = name.length + value.length;
    if (size > MAX_NAME_VALUE_BYTES)
      throw new CookieTooLargeError(name, size, MAX_NAME_VALUE_BYTES);
    if (maxAge == null) return head + value + tail;
    if (!Number.isSafeInteger(maxAge)) throw invalid("option", "maxAge", maxAge);
    // The Max-Age rule of stringifySetCookie: 0 for anything not positive, capped at 400 days.
    return `${head}${value}; Max-Age=${maxAge <= 0 ? 0 : Math.min(maxAge, MAX_AGE_CAP)}${tail}`;
  };
}

/**
 * Serializes the `Set-Cookie` header value that deletes a cookie: an empty
 * value, `Max-Age=0` and an `Expires` in 1970. A browser only deletes the
 * cookie whose name, domain and path match, so pass the same `path`, `domain`,
 * `secure`, `httpOnly`, `sameSite` and `partitioned` it was set with; the
 * prefix rules still apply.
 *
 * @example
 * deleteCookie("__Host-sid", { path: "/", secure: true, httpOnly: true, sameSite: "lax" });
 * // "__Host-sid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax"
 */
export function deleteCookie(name: string, options: SetCookieOptions = {}): string {
  return stringifySetCookie(name, "", {
    domain: options.domain,
    path: options.path,
    secure: options.secure,
    httpOnly: options.httpOnly,
    sameSite: options.sameSite,
    partitioned: options.partitioned,
    maxAge: 0,
    expires: new Date(0),
  });
}

/**
 * Parses one `Set-Cookie` header value into its name, value and the
 * attributes it understands. Lenient, like a browser: it never throws; a
 * piece without `=` is a nameless cookie (RFC 6265bis §5.6); attribute names
 * are case-insensitive; unknown attributes, a Max-Age that is not an integer,
 * an unparseable Expires and unknown SameSite or Priority values are left
 * out; flags such as `Secure=false` still count as set. The value is
 * percent-decoded like {@link parseCookie} does. Max-Age is reported as sent
 * (not capped).
 *
 * @example
 * parseSetCookie("sid=abc; Path=/; HttpOnly; SameSite=Lax");
 * // { name: "sid", value: "abc", path: "/", httpOnly: true, sameSite: "lax" }
 */
export function parseSetCookie(header: string): SetCookie {
  if (typeof header !== "string") return { name: "", value: "" };
  const len = header.length;
  let end = header.indexOf(";");
  if (end === -1) end = len;
  const eq = header.indexOf("=");
  // set-cookie-string: the cookie-pair runs to the first ";". Without "=" it is
  // a nameless cookie whose value is the whole piece.
  const cookie: SetCookie =
    eq !== -1 && eq < end
      ? { name: sliceTrimmed(header, 0, eq), value: decodeValue(sliceTrimmed(header, eq + 1, end)) }
      : { name: "", value: decodeValue(sliceTrimmed(header, 0, end)) };

  for (let start = end + 1; start < len; start = end + 1) {
    end = header.indexOf(";", start);
    if (end === -1) end = len;
    let attrEnd = header.indexOf("=", start);
    if (attrEnd === -1 || attrEnd > end) attrEnd = end;
    const attribute = sliceTrimmed(header, start, attrEnd).toLowerCase();
    const value = attrEnd < end ? sliceTrimmed(header, attrEnd + 1, end) : "";
    switch (attribute) {
      case "httponly":
        cookie.httpOnly = true;
        break;
      case "secure":
        cookie.secure = true;
        break;
      case "partitioned":
        cookie.partitioned = true;
        break;
      case "domain":
        if (value) cookie.domain = value;
        break;
      case "path":
        if (value) cookie.path = value;
        break;
      case "max-age":
        if (isInteger(value)) cookie.maxAge = Number(value);
        break;
      case "expires": {
        if (!value) break;
        const date = new Date(value);
        if (Number.isFinite(date.getTime())) cookie.expires = date;
        break;
      }
      case "samesite": {
        const sameSite = value.toLowerCase();
        if (sameSite === "lax" || sameSite === "strict" || sameSite === "none") {
          cookie.sameSite = sameSite;
        }
        break;
      }
      case "priority": {
        const priority = value.toLowerCase();
        if (priority === "low" || priority === "medium" || priority === "high") {
          cookie.priority = priority;
        }
        break;
      }
    }
  }
  return cookie;
}

/** The default `encode`: percent-encoding, only when a value needs it. */
function encodeValue(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate has no UTF-8 form.
    throw invalid("argument", "value", value, "not well-formed Unicode");
  }
}

// RFC 6265bis §4.1.3, matched case-insensitively as user agents do (§5.7):
//   "__Secure-" requires Secure;
//   "__Host-" requires Secure, Path=/ and no Domain.
function checkPrefix(name: string, secure: boolean, path: unknown, domain: unknown): void {
  if (startsWithIgnoringCase(name, "__host-")) {
    if (!secure) throw prefixRule(name, "__Host-", "secure: true");
    if (path !== "/") throw prefixRule(name, "__Host-", 'path: "/"');
    if (domain) throw prefixRule(name, "__Host-", "no domain");
  } else if (startsWithIgnoringCase(name, "__secure-")) {
    if (!secure) throw prefixRule(name, "__Secure-", "secure: true");
  }
}

// ASCII case-insensitive startsWith against a lower-case prefix, without allocating.
function startsWithIgnoringCase(text: string, lowerPrefix: string): boolean {
  const n = lowerPrefix.length;
  if (text.length < n) return false;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a ? code + 0x20 : code) !== lowerPrefix.charCodeAt(i))
      return false;
  }
  return true;
}

function isInteger(text: string): boolean {
  // max-age-value = [ "-" ] 1*DIGIT, as user agents read it (RFC 6265bis §5.6.2)
  let i = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i === text.length) return false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "function") return "a function";
  return String(value);
}

function invalid(
  kind: "argument" | "option",
  field: string,
  value: unknown,
  why?: string,
): TypeError {
  return new TypeError(`${kind} ${field} is invalid${why ? ` (${why})` : ""}: ${show(value)}`);
}

function requires(field: string, value: unknown, needed: string): TypeError {
  return new TypeError(`option ${field} is invalid: ${show(value)} requires ${needed}`);
}

function prefixRule(name: string, prefix: string, needed: string): TypeError {
  return new TypeError(
    `argument name is invalid: ${show(name)} starts with "${prefix}", which requires ${needed} (RFC 6265bis §4.1.3)`,
  );
}
