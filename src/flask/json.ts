// Flask's tagged JSON (flask/json/tag.py), written exactly as Python writes it
// inside a request: json.dumps(tagged, separators=(",", ":"), sort_keys=True,
// ensure_ascii=True). Parsing follows Python's json.loads, then Flask's
// _untag_scan (children first, then the dict itself).
import { FlaskPayloadError } from "./errors.ts";
import { FlaskFloat, FlaskTuple, Markup, UUID } from "./values.ts";

// Flask's registered tag keys. A dict whose only key is one of them is
// escaped with " di" so that user data is never revived as another type.
const TAGS = new Set([" di", " t", " b", " m", " u", " d"]);
// Keys that reach an object's prototype when the data is later merged
// (the same rule as src/codec/json.ts).
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const MAX_DEPTH = 64;
// Python 3.11 refuses to convert an int of more digits (sys.int_info.default_max_str_digits).
const MAX_INT_DIGITS = 4300;

function fail(message: string): never {
  throw new FlaskPayloadError(message);
}

// FORBIDDEN.has(key), cheaper for the keys that are not.
function isForbidden(key: string): boolean {
  const n = key.length;
  return (n === 9 || n === 11) && FORBIDDEN.has(key);
}

function refuseKey(key: string): void {
  if (isForbidden(key)) fail(`session data may not hold the key ${JSON.stringify(key)}`);
}

// A value the writer refuses. Each enclosing dict or list adds its key on the
// way out, so the happy path builds no path strings.
class Refused extends Error {
  readonly path: (string | number)[] = [];
  readonly reason: string;
  readonly named: boolean;
  constructor(reason: string, named = true) {
    super(reason);
    this.reason = reason;
    this.named = named;
  }
}

function refuse(reason: string, named = true): never {
  throw new Refused(reason, named);
}

function within(error: unknown, key: string | number): never {
  if (error instanceof Refused) error.path.unshift(key);
  throw error;
}

// ---------------------------------------------------------------- writing

// json.dumps' string escapes with ensure_ascii (json.encoder's ESCAPE_DCT
// and py_encode_basestring_ascii): \" \\ \b \f \n \r \t, \u00XX (lowercase
// hex) for the other controls, and \uXXXX for DEL and every unit above it,
// each UTF-16 unit on its own (an astral character is a surrogate pair of
// escapes, a lone surrogate one escape). SHORT_ESCAPE[c] is the letter after
// the backslash, or 0 for the \u form.
const SHORT_ESCAPE = new Uint8Array(128);
SHORT_ESCAPE[34] = 34; // "
SHORT_ESCAPE[92] = 92; // \
SHORT_ESCAPE[8] = 98; // b
SHORT_ESCAPE[12] = 102; // f
SHORT_ESCAPE[10] = 110; // n
SHORT_ESCAPE[13] = 114; // r
SHORT_ESCAPE[9] = 116; // t
const HEX = "0123456789abcdef";

/**
 * Python's `repr(float)`: the shortest digits that round-trip (as in
 * JavaScript), in fixed notation when the decimal exponent is from -4 to 15,
 * otherwise as `1.5e+16` / `1e-05`; a whole number keeps `.0`.
 *
 * @example
 * pyFloat(0.1); // "0.1"
 * pyFloat(3); // "3.0"
 * pyFloat(1e16); // "1e+16"
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const text = Math.abs(x).toExponential(); // shortest round-trip digits
  const e = text.indexOf("e");
  const digits = text[0]! + text.slice(2, e); // "1.25e+3" → "125"
  const exp = Number(text.slice(e + 1));
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const power = String(Math.abs(exp)).padStart(2, "0");
    return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${power}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits.padEnd(exp + 1, "0")}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

// A JavaScript number: a whole number is a Python int (exact, however large);
// -0 and fractions are floats.
function pyNumber(x: number): string {
  if (Number.isInteger(x) && !Object.is(x, -0)) {
    return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
  }
  return pyFloat(x);
}

// Python's str ordering (sort_keys) is by code point; JavaScript's `<` is by
// UTF-16 unit. They differ only when a surrogate meets a unit at or above
// U+E000, so only then compare code point by code point.
function byCodePoint(a: string, b: string): number {
  const pa = Array.from(a);
  const pb = Array.from(b);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const d = pa[i]!.codePointAt(0)! - pb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

// The entries of the dicts being written, innermost last: a stack of keys
// and values that the nested calls share, so that writing a dict allocates
// nothing. entries[base, top) are one dict's.
const entryKeys: string[] = [];
const entryValues: unknown[] = [];
let entryTop = 0;
// Whether dicts are listed with Object.keys (Object.prototype has gained
// enumerable properties, which for-in would list) or with for-in, which V8
// reads from the object's map without making an array.
let ownKeysOnly = false;

// Sorts entries[base, top) by key, as sort_keys does: by code point. `<`
// compares UTF-16 units, which is the same order unless a key holds a unit
// at or above U+D800 (`wide`).
function sortEntries(base: number, top: number, wide: boolean): void {
  const keys = entryKeys;
  const values = entryValues;
  if (!wide && top - base <= 16) {
    // Insertion sort: for the few keys of a session dict, much cheaper
    // than Array.prototype.sort.
    for (let i = base + 1; i < top; i++) {
      const key = keys[i]!;
      const item = values[i];
      let j = i - 1;
      while (j >= base && keys[j]! > key) {
        keys[j + 1] = keys[j]!;
        values[j + 1] = values[j];
        j--;
      }
      keys[j + 1] = key;
      values[j + 1] = item;
    }
    return;
  }
  const order = keys.slice(base, top).map((key, i) => ({ key, item: values[base + i] }));
  order.sort(wide ? (a, b) => byCodePoint(a.key, b.key) : (a, b) => (a.key < b.key ? -1 : 1));
  for (let i = 0; i < order.length; i++) {
    keys[base + i] = order[i]!.key;
    values[base + i] = order[i]!.item;
  }
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number): string => String(n).padStart(2, "0");

/**
 * werkzeug's `http_date`: RFC 1123 in GMT, whole seconds, a 4-digit year
 * (Python's datetime holds years 1 to 9999).
 *
 * @example
 * httpDate(new Date(Date.UTC(2015, 9, 21, 7, 28))); // "Wed, 21 Oct 2015 07:28:00 GMT"
 */
export function httpDate(date: Date): string {
  try {
    return formatDate(date);
  } catch (error) {
    if (error instanceof Refused) throw new FlaskPayloadError(`the date ${error.reason}`);
    throw error;
  }
}

function formatDate(date: Date): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year)) refuse("is an invalid Date");
  if (year < 1 || year > 9999)
    refuse(`is a Date in ${year}; Python's datetime holds years 1 to 9999`);
  return `${DAYS[date.getUTCDay()]}, ${pad2(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${String(year).padStart(4, "0")} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} GMT`;
}

// Whether `key` holds a UTF-16 unit at or above U+D800 (see sortEntries).
function hasWideUnit(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) >= 0xd800) return true;
  return false;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// The writer's output: ASCII bytes (ensure_ascii), in a buffer that is
// kept and grown. Writing bytes, not concatenating strings, saves the many
// small strings that a session's keys and values would make.
const out = { buf: new Uint8Array(1024), pos: 0 };

function room(n: number): Uint8Array {
  const need = out.pos + n;
  if (need > out.buf.length) {
    const grown = new Uint8Array(Math.max(need, out.buf.length * 2));
    grown.set(out.buf.subarray(0, out.pos));
    out.buf = grown;
  }
  return out.buf;
}

// Text that is ASCII already.
function putAscii(text: string): void {
  const n = text.length;
  const b = room(n);
  let p = out.pos;
  for (let i = 0; i < n; i++) b[p++] = text.charCodeAt(i);
  out.pos = p;
}

function putByte(c: number): void {
  room(1)[out.pos++] = c;
}

// A JSON string, as json.dumps writes it (see SHORT_ESCAPE): plain text is
// copied as it is checked; the first character to escape sends the rest to
// putEscaped.
function putString(text: string): void {
  const n = text.length;
  const b = room(n + 2);
  let p = out.pos;
  b[p++] = 34;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 34 || c === 92) {
      out.pos = p;
      putEscaped(text, i);
      return;
    }
    b[p++] = c;
  }
  b[p++] = 34;
  out.pos = p;
}

// text[from...] and the closing quote, escaping what needs it.
function putEscaped(text: string, from: number): void {
  const n = text.length;
  // At most six bytes a character (\uXXXX), and the quote.
  const b = room((n - from) * 6 + 1);
  let p = out.pos;
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 34 && c !== 92) {
      b[p++] = c;
      continue;
    }
    b[p++] = 92; // \
    const short = c < 128 ? SHORT_ESCAPE[c]! : 0;
    if (short !== 0) {
      b[p++] = short;
      continue;
    }
    b[p++] = 117; // u
    b[p++] = HEX.charCodeAt(c >>> 12);
    b[p++] = HEX.charCodeAt((c >>> 8) & 15);
    b[p++] = HEX.charCodeAt((c >>> 4) & 15);
    b[p++] = HEX.charCodeAt(c & 15);
  }
  b[p++] = 34;
  out.pos = p;
}

// Tags and writes one value, in Flask's tag order: escaped dict, dict,
// tuple, list, bytes, Markup, UUID, datetime.
function write(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
      putString(value);
      return;
    case "number":
      putAscii(pyNumber(value));
      return;
    case "boolean":
      putAscii(value ? "true" : "false");
      return;
    case "bigint": {
      const text = value.toString();
      if (text.length - (value < 0n ? 1 : 0) > MAX_INT_DIGITS)
        refuse(`is an int of more than ${MAX_INT_DIGITS} digits`);
      putAscii(text);
      return;
    }
    case "object":
      if (value === null) {
        putAscii("null");
        return;
      }
      break;
    default:
      refuse(`is a ${typeof value}, which a Flask session cannot hold`);
  }
  if (depth >= MAX_DEPTH) refuse(`session data is nested deeper than ${MAX_DEPTH} levels`, false);
  const next = depth + 1;
  if (isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    const keys = entryKeys;
    const values = entryValues;
    const base = entryTop;
    let top = base;
    let wide = false;
    if (ownKeysOnly) {
      for (const key of Object.keys(record)) {
        if (isForbidden(key))
          refuse(`session data may not hold the key ${JSON.stringify(key)}`, false);
        const item = record[key];
        if (item === undefined) continue;
        keys[top] = key;
        values[top++] = item;
        entryTop = top;
        wide ||= hasWideUnit(key);
      }
    } else {
      for (const key in record) {
        if (isForbidden(key))
          refuse(`session data may not hold the key ${JSON.stringify(key)}`, false);
        const item = record[key];
        if (item === undefined) continue;
        keys[top] = key;
        values[top++] = item;
        entryTop = top;
        wide ||= hasWideUnit(key);
      }
    }
    if (top - base === 1 && TAGS.has(keys[base]!)) {
      const key = keys[base]!;
      try {
        putAscii('{" di":{');
        putString(`${key}__`);
        putByte(58); // :
        write(values[base], next);
        putAscii("}}");
      } catch (error) {
        within(error, key);
      }
    } else {
      sortEntries(base, top, wide);
      putByte(123); // {
      for (let k = base; k < top; k++) {
        const key = keys[k]!;
        if (k > base) putByte(44); // ,
        try {
          putString(key);
          putByte(58); // :
          write(values[k], next);
        } catch (error) {
          within(error, key);
        }
      }
      putByte(125); // }
    }
    // Do not keep the session's values alive.
    for (let k = base; k < top; k++) values[k] = undefined;
    entryTop = base;
    return;
  }
  if (Array.isArray(value)) {
    const tuple = value instanceof FlaskTuple;
    putAscii(tuple ? '{" t":[' : "[");
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      try {
        if (item === undefined) refuse("is undefined, which a Flask session cannot hold");
        if (i > 0) putByte(44); // ,
        write(item, next);
      } catch (error) {
        within(error, i);
      }
    }
    putAscii(tuple ? "]}" : "]");
    return;
  }
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    putAscii(`{" b":"${bytes.toString("base64")}"}`);
    return;
  }
  const html = (value as { __html__?: unknown }).__html__;
  if (typeof html === "function") {
    const markup = String(html.call(value));
    putAscii('{" m":');
    putString(markup);
    putByte(125); // }
    return;
  }
  if (value instanceof UUID) putAscii(`{" u":"${value.hex}"}`);
  else if (value instanceof Date) putAscii(`{" d":"${formatDate(value)}"}`);
  else if (value instanceof FlaskFloat) putAscii(pyFloat(value.value));
  else {
    if (value instanceof Map || value instanceof Set)
      refuse(`is a ${value.constructor.name}; use a plain object or an array`);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== "function")
      refuse(
        `is a ${(value as object).constructor?.name ?? "object"}, which a Flask session cannot hold`,
      );
    write(toJSON.call(value), depth);
  }
}

function pathText(path: (string | number)[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? part : `.${part}`;
  }
  return text === "" ? "the session" : text;
}

/**
 * Serialises session data as Flask does: tagged, compact, keys sorted by
 * code point, non-ASCII escaped. Throws {@link FlaskPayloadError} for values
 * Flask cannot hold and for the keys `__proto__`, `constructor`, `prototype`.
 *
 * @example
 * dumpFlaskJson({ b: 1, a: new FlaskTuple("x", 2) }); // '{"a":{" t":["x",2]},"b":1}'
 */
export function dumpFlaskJson(value: unknown): string {
  const bytes = dumpFlaskJsonView(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
}

/**
 * {@link dumpFlaskJson} as ASCII bytes, in a buffer that the next call
 * overwrites: for a caller that compresses or encodes them at once.
 *
 * @example
 * const json = dumpFlaskJsonView({ user: "alice" }); // the bytes of '{"user":"alice"}'
 */
export function dumpFlaskJsonView(value: unknown): Uint8Array {
  // User code (a getter, toJSON, __html__) may dump JSON while this call
  // runs: that one writes to a buffer of its own, and its dicts' entries
  // above the outer call's.
  const top = entryTop;
  if (writing) {
    const outer = { buf: out.buf, pos: out.pos };
    out.buf = new Uint8Array(1024);
    try {
      return dumpInto(value);
    } finally {
      out.buf = outer.buf;
      out.pos = outer.pos;
      releaseEntries(top);
    }
  }
  if (out.buf.length > 1 << 16) out.buf = new Uint8Array(1024); // do not keep a large buffer
  writing = true;
  try {
    return dumpInto(value);
  } finally {
    writing = false;
    releaseEntries(top);
  }
}

// Back to `top` after a call: a refusal leaves entries above it.
function releaseEntries(top: number): void {
  if (entryTop === top) return;
  entryValues.fill(undefined, top, entryTop);
  entryTop = top;
}

let writing = false;

function dumpInto(value: unknown): Uint8Array {
  out.pos = 0;
  ownKeysOnly = inheritedKeys();
  try {
    write(value, 0);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    throw new FlaskPayloadError(
      error.named ? `${pathText(error.path)} ${error.reason}` : error.reason,
    );
  }
  return out.buf.subarray(0, out.pos);
}

// ---------------------------------------------------------------- reading

// binascii.a2b_base64 without strict mode (Python's b64decode): characters
// outside the alphabet are skipped, padding ends the data once a quad has
// two characters, and a dangling quad is an error.
const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  B64["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;
}

function pyB64decode(text: string): Uint8Array {
  if (text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, "base64");
    // Canonical input (what Flask writes) decodes natively.
    if (bytes.length === (text.length / 4) * 3 - (text.length - text.replace(/=+$/, "").length)) {
      return new Uint8Array(bytes);
    }
  }
  const out: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) fail('bytes (tag " b") must be ASCII base64');
    if (code === 61 /* = */) {
      if (quad >= 2 && quad + ++pads >= 4) {
        quad = 0;
        break;
      }
      continue;
    }
    const v = B64[code]!;
    if (v < 0) continue;
    pads = 0;
    if (quad === 0) left = v;
    else if (quad === 1) {
      out.push(((left << 2) | (v >> 4)) & 0xff);
      left = v & 0x0f;
    } else if (quad === 2) {
      out.push(((left << 4) | (v >> 2)) & 0xff);
      left = v & 0x03;
    } else out.push(((left << 6) | v) & 0xff);
    quad = (quad + 1) & 3;
  }
  if (quad !== 0) fail('bytes (tag " b") are not valid base64 (incorrect padding)');
  return Uint8Array.from(out);
}

// email.utils.parsedate_to_datetime as werkzeug's parse_date uses it, for the
// forms a server writes: "[Day, ]DD Mon YYYY HH:MM[:SS] zone". Two-digit
// years (and, like Python, years below 100) map to 1969-2068. Anything else,
// or an impossible date, is None in Flask: null here.
const DATE =
  /^\s*(?:[A-Za-z]+,?\s+)?(\d{1,2})\s+([A-Za-z]+)\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+([A-Za-z]+|[+-]\d{4}))?\s*$/;
const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const MONTH_INDEX = new Map<string, number>();
MONTH_NAMES.forEach((name, i) => {
  MONTH_INDEX.set(name, i);
  MONTH_INDEX.set(name.slice(0, 3), i);
});
// email.utils' named zones, in minutes east of UTC.
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  AST: -240,
  ADT: -180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseHttpDate(text: string): Date | null {
  const m = DATE.exec(text);
  if (m === null) return null;
  const month = MONTH_INDEX.get(m[2]!.toLowerCase());
  if (month === undefined) return null;
  let year = Number(m[3]);
  if (year < 100) year += year > 68 ? 1900 : 2000;
  const day = Number(m[1]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const inMonth = month === 1 && leap ? 29 : MONTH_DAYS[month]!;
  if (day < 1 || day > inMonth || hour > 23 || minute > 59 || second > 59) return null;
  const zone = m[7]?.toUpperCase();
  let offset = 0;
  if (zone !== undefined) {
    if (zone[0] === "+" || zone[0] === "-") {
      const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3));
      offset = zone[0] === "-" ? -minutes : minutes;
    } else {
      // An unknown zone name counts as UTC in email.utils.
      offset = ZONES[zone] ?? 0;
    }
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month, day);
  utc.setUTCHours(hour, minute - offset, second, 0);
  return utc;
}

// Removes the last two code points, as Python's key[:-2] does.
function dropTwoCodePoints(key: string): string {
  const points = Array.from(key);
  return points.slice(0, Math.max(0, points.length - 2)).join("");
}

// Flask's JSONTag.to_python for each tag; errors become BadPayload there.
function untag(tag: string, value: unknown): unknown {
  switch (tag) {
    case " t": // tuple(value)
      if (Array.isArray(value)) {
        const tuple = new FlaskTuple();
        // By index: push() on an Array subclass is ten times slower.
        for (let i = 0; i < value.length; i++) tuple[i] = value[i];
        return tuple;
      }
      if (value instanceof Uint8Array) return FlaskTuple.from(value);
      if (typeof value === "string" || value instanceof Markup)
        return FlaskTuple.from(String(value));
      if (value !== null && typeof value === "object" && isPlainObject(value))
        return FlaskTuple.from(Object.keys(value));
      return fail('a tuple (tag " t") must hold a list');
    case " b":
      if (typeof value === "string" || value instanceof Markup) return pyB64decode(String(value));
      return fail('bytes (tag " b") must be a base64 string');
    case " m":
      if (value instanceof Markup) return value;
      if (typeof value === "string") return new Markup(value);
      return fail('Markup (tag " m") must be a string');
    case " u":
      if (typeof value === "string" || value instanceof Markup) {
        try {
          return new UUID(String(value));
        } catch {
          return fail(`a UUID (tag " u") must be 32 hex digits, got ${JSON.stringify(value)}`);
        }
      }
      return fail('a UUID (tag " u") must be a string');
    case " d":
      if (value === null) return null;
      if (typeof value === "string" || value instanceof Markup) return parseHttpDate(String(value));
      return fail('a datetime (tag " d") must be a string');
    default: {
      // " di": {key + "__": value} → {key: value}
      if (value === null || typeof value !== "object" || !isPlainObject(value))
        return fail('an escaped dict (tag " di") must hold a dict');
      const [first] = Object.keys(value);
      if (first === undefined) return fail('an escaped dict (tag " di") is empty');
      const key = dropTwoCodePoints(first);
      refuseKey(key);
      return { [key]: (value as Record<string, unknown>)[first] };
    }
  }
}

const WS = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

// json.loads grammar (strict strings, NaN/Infinity allowed), with untagging
// done as each dict closes. Recursion depth is bounded by MAX_DEPTH.
class Parser {
  readonly text: string;
  i = 0;
  constructor(text: string) {
    this.text = text;
  }

  error(what: string): never {
    return fail(`the payload is not valid JSON: ${what} at position ${this.i}`);
  }

  skip(): void {
    const t = this.text;
    while (this.i < t.length && WS(t.charCodeAt(this.i))) this.i++;
  }

  value(depth: number): unknown {
    this.skip();
    const t = this.text;
    const c = t.charCodeAt(this.i);
    if (c === 34 /* " */) return this.string();
    if (c === 123 /* { */) return this.object(depth);
    if (c === 91 /* [ */) return this.array(depth);
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) return this.number();
    if (t.startsWith("true", this.i)) return this.literal(4, true);
    if (t.startsWith("false", this.i)) return this.literal(5, false);
    if (t.startsWith("null", this.i)) return this.literal(4, null);
    if (t.startsWith("NaN", this.i)) return this.literal(3, Number.NaN);
    if (t.startsWith("Infinity", this.i)) return this.literal(8, Number.POSITIVE_INFINITY);
    return this.error(Number.isNaN(c) ? "unexpected end" : "unexpected character");
  }

  literal(length: number, value: unknown): unknown {
    this.i += length;
    return value;
  }

  number(): unknown {
    const t = this.text;
    const start = this.i;
    if (t.startsWith("-Infinity", start)) {
      this.i += 9;
      return Number.NEGATIVE_INFINITY;
    }
    let i = start;
    if (t.charCodeAt(i) === 45) i++;
    const intStart = i;
    if (t.charCodeAt(i) === 48) i++;
    else while (isDigit(t.charCodeAt(i))) i++;
    if (i === intStart) return this.error("bad number");
    const intEnd = i;
    let float = false;
    if (t.charCodeAt(i) === 46 /* . */ && isDigit(t.charCodeAt(i + 1))) {
      float = true;
      i += 2;
      while (isDigit(t.charCodeAt(i))) i++;
    }
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      const s = t.charCodeAt(j);
      if (s === 43 || s === 45) j++;
      if (isDigit(t.charCodeAt(j))) {
        float = true;
        i = j + 1;
        while (isDigit(t.charCodeAt(i))) i++;
      }
    }
    this.i = i;
    const token = t.slice(start, i);
    if (float) {
      const x = Number(token);
      // A whole-valued float keeps its type; -0.0 is the number -0.
      return Number.isInteger(x) && !Object.is(x, -0) ? new FlaskFloat(x) : x;
    }
    if (intEnd - intStart <= 15) return Number(token) + 0; // "-0" is the int 0
    if (intEnd - intStart > MAX_INT_DIGITS)
      return fail(`an int of more than ${MAX_INT_DIGITS} digits`);
    const big = BigInt(token);
    return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
  }

  string(): string {
    const t = this.text;
    let i = this.i + 1;
    let out = "";
    let from = i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        out += t.slice(from, i);
        this.i = i + 1;
        return out;
      }
      if (c === 92 /* \ */) {
        out += t.slice(from, i);
        const e = t[i + 1];
        if (e === "u") {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.i = i;
            return this.error("bad \\u escape");
          }
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          const map = ESCAPES[e ?? ""];
          if (map === undefined) {
            this.i = i;
            return this.error("bad escape");
          }
          out += map;
          i += 2;
        }
        from = i;
        continue;
      }
      if (Number.isNaN(c) || c < 0x20) {
        this.i = i;
        return this.error(Number.isNaN(c) ? "unterminated string" : "control character in string");
      }
      i++;
    }
  }

  array(depth: number): unknown[] {
    if (depth >= MAX_DEPTH) return fail(`session data is nested deeper than ${MAX_DEPTH} levels`);
    this.i++;
    const out: unknown[] = [];
    this.skip();
    if (this.text.charCodeAt(this.i) === 93 /* ] */) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skip();
      const c = this.text.charCodeAt(this.i++);
      if (c === 93) return out;
      if (c !== 44 /* , */) {
        this.i--;
        return this.error("expected , or ]");
      }
    }
  }

  object(depth: number): unknown {
    if (depth >= MAX_DEPTH) return fail(`session data is nested deeper than ${MAX_DEPTH} levels`);
    this.i++;
    const out: Record<string, unknown> = {};
    let size = 0;
    let only = "";
    this.skip();
    if (this.text.charCodeAt(this.i) === 125 /* } */) {
      this.i++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.text.charCodeAt(this.i) !== 34) return this.error("expected a key");
      const key = this.string();
      refuseKey(key);
      this.skip();
      if (this.text.charCodeAt(this.i++) !== 58 /* : */) {
        this.i--;
        return this.error("expected :");
      }
      const value = this.value(depth + 1);
      if (!Object.hasOwn(out, key)) {
        size++;
        only = key;
      }
      out[key] = value;
      this.skip();
      const c = this.text.charCodeAt(this.i++);
      if (c === 125) break;
      if (c !== 44) {
        this.i--;
        return this.error("expected , or }");
      }
    }
    return size === 1 && TAGS.has(only) ? untag(only, out[only]) : out;
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Parses Flask's tagged JSON into the values of `values.ts`, as
 * `TaggedJSONSerializer.loads` does. Throws {@link FlaskPayloadError} for
 * invalid JSON, a bad tag value, nesting deeper than 64 levels and the keys
 * `__proto__`, `constructor`, `prototype` (also when unescaped from " di").
 *
 * @example
 * parseFlaskJson('{"_flashes":[{" t":["message","Hi"]}]}'); // { _flashes: [FlaskTuple ["message", "Hi"]] }
 */
export function parseFlaskJson(text: string): unknown {
  const scan = scanJson(text);
  // revive() walks objects with for-in, which would also list enumerable
  // properties that someone added to Object.prototype.
  if (scan !== SLOW && !(scan === WALK && inheritedKeys())) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = NOT_PARSED; // Python's extensions or an error: the exact parser says which
    }
    if (value !== NOT_PARSED) return scan === WALK ? revive(value) : value;
  }
  const parser = new Parser(text);
  const value = parser.value(0);
  parser.skip();
  if (parser.i !== text.length) parser.error("extra data");
  return value;
}

const NOT_PARSED = Symbol("not parsed");
// What scanJson finds: JSON.parse's values are json.loads' (EXACT), and
// may hold a tag or a forbidden key (WALK); or only the exact parser gives
// json.loads' values (SLOW).
const EXACT = 0;
const WALK = 1;
const SLOW = 2;

// JSON.parse gives the same values as json.loads unless the text holds an
// int of 16+ digits (maybe beyond 2^53), the int -0, a float with a whole
// value (1.0 must stay a float), NaN or Infinity, or nesting past the limit.
// One pass outside strings finds those; the exact parser handles them.
// The same pass looks at the strings: a tag key starts with a space, and a
// forbidden key is spelled out or hidden behind a \u escape. Without a
// backslash in the text, each string ends at the next quote.
function scanJson(text: string): number {
  const n = text.length;
  const escapes = text.indexOf("\\") !== -1;
  let walk = escapes && text.includes("\\u");
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const start = i + 1;
      if (escapes) {
        for (i++; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d === 34) break;
          if (d === 92) i++;
        }
      } else {
        i = text.indexOf('"', start);
        if (i < 0) return EXACT; // unterminated: JSON.parse fails, the exact parser says where
      }
      if (!walk) {
        const length = i - start;
        walk =
          text.charCodeAt(start) === 32 ||
          ((length === 9 || length === 11) && FORBIDDEN.has(text.slice(start, i)));
      }
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) return SLOW;
    } else if (c === 125 || c === 93) {
      depth--;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i;
      let float = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 46 || d === 101 || d === 69) float = true;
        else if (!((d >= 48 && d <= 57) || d === 45 || d === 43)) break;
      }
      if (float) {
        if (Number.isInteger(Number(text.slice(i, j)))) return SLOW;
      } else if (j - i > 15 || (j - i === 2 && c === 45 && text.charCodeAt(i + 1) === 48)) {
        return SLOW;
      }
      i = j - 1;
    } else if (c === 78 || c === 73) {
      return SLOW; // NaN, Infinity
    }
  }
  return walk ? WALK : EXACT;
}

// Whether Object.prototype has gained enumerable properties.
function inheritedKeys(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

// Flask's _untag_scan over JSON.parse's result: children first, then the
// dict. Only a value that a tag changed is written back. Keys are listed
// with for-in (V8 reads them from the object's map, where Object.keys
// makes an array): parseFlaskJson checks that nothing is inherited.
function revive(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== null && typeof item === "object") {
        const revived = revive(item);
        if (revived !== item) value[i] = revived;
      }
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  let count = 0;
  let only = "";
  for (const key in record) {
    count++;
    only = key;
    refuseKey(key);
    const item = record[key];
    if (item !== null && typeof item === "object") {
      const revived = revive(item);
      if (revived !== item) record[key] = revived;
    }
  }
  return count === 1 && TAGS.has(only) ? untag(only, record[only]) : record;
}
