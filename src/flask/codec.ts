import { isAscii } from "node:buffer";
import { createHmac } from "node:crypto";
import { safeEqual } from "../crypto/compare.ts";
import { checkSecret, type Secret } from "../crypto/secrets.ts";
import { ConfigError, WeakSecretError } from "../errors.ts";
import { type Duration, toMillis } from "../session/duration.ts";
import {
  FlaskExpiredError,
  FlaskFutureError,
  FlaskPayloadError,
  FlaskSignatureError,
} from "./errors.ts";
import { dumpFlaskJsonView, parseFlaskJson } from "./json.ts";
import { type HmacSha1Key, hmacSha1, hmacSha1Key } from "./sha1.ts";
import { deflateView, InflateError, inflateView } from "./zlib.ts";

// Flask's default session cookie (SecureCookieSessionInterface), as
// itsdangerous' URLSafeTimedSerializer writes it:
//
//   cookie    = payload "." timestamp "." signature      (each base64url, no padding)
//   payload   = b64(json) | "." b64(zlib(json))          (compressed only when 2+ bytes shorter)
//   timestamp = b64(seconds, big-endian, leading zero bytes stripped)
//   signature = HMAC-SHA1(key, payload "." timestamp)
//   key       = HMAC-SHA1(secret, "cookie-session")      (key_derivation "hmac")
//
// Reading checks, in order: the signature (against every key, in constant
// time), then the age, and only then decodes, inflates and parses.

/** Flask session data: a dict. See `values.ts` for how Python types map. */
export type FlaskSessionData = Record<string, unknown>;

/**
 * Options of {@link createFlaskCodec} and `flaskCookieStore`.
 *
 * @example
 * const options: FlaskCodecOptions = { secretKey: process.env.FLASK_SECRET_KEY!, maxAge: "31d" };
 */
export interface FlaskCodecOptions {
  /** The Flask app's `SECRET_KEY` (text is UTF-8 encoded, as Python does). It signs. */
  secretKey: Secret;
  /** Flask's `SECRET_KEY_FALLBACKS`: older keys that still verify, never sign. */
  fallbackKeys?: readonly Secret[];
  /**
   * Flask's `PERMANENT_SESSION_LIFETIME`: older cookies are refused, as Flask
   * refuses them. Seconds or `"31d"`-style text; default `"31d"`.
   */
  maxAge?: Duration;
  /**
   * Accept keys that `checkSecret` refuses (short, patterned or well-known),
   * for an existing Flask app whose key cannot change yet. One warning is
   * emitted per process. Anyone who guesses such a key can forge sessions.
   */
  allowWeakSecret?: boolean;
}

/** A decoded cookie and what is known about it. */
export interface FlaskOpened {
  data: FlaskSessionData;
  /** When the cookie was written (ms since the epoch; Flask keeps whole seconds). */
  signedAt: number;
  /** True when a fallback key verified it: write it again with `secretKey`. */
  stale: boolean;
}

/** Reads and writes Flask session cookies. See {@link createFlaskCodec}. */
export interface FlaskCodec {
  /** Writes `data` as Flask would at `timestamp` (ms or Date; default now). */
  encode(data: FlaskSessionData, options?: { timestamp?: number | Date }): string;
  /** Verifies and reads a cookie at `now` (ms or Date; default now). Throws a `FlaskCookieError`. */
  decode(value: string, options?: { now?: number | Date }): FlaskSessionData;
  /** {@link FlaskCodec.decode}, with the signing time and whether a fallback key verified it. */
  open(value: string, options?: { now?: number | Date }): FlaskOpened;
  /** The maximum age in seconds. */
  readonly maxAge: number;
}

const SALT = "cookie-session";
const SIGNATURE_BYTES = 20; // SHA-1
const SIGNATURE_CHARS = 27; // its base64url, unpadded
const MAX_TIMESTAMP = 253402300799; // 9999-12-31T23:59:59Z
// Inflating is bounded: a 4 KiB cookie can expand about a thousandfold.
const MAX_INFLATED = 1 << 20;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

let warnedWeak = false;

function deriveKey(secret: Secret, allowWeak: boolean, option: string): HmacSha1Key {
  if (typeof secret !== "string" && !(secret instanceof Uint8Array))
    throw new ConfigError(`${option} must be a string or a Uint8Array`);
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  // Flask has no session at all without a key.
  if (bytes.length === 0) throw new ConfigError(`${option} is empty`);
  try {
    checkSecret(secret);
  } catch (error) {
    if (!(error instanceof WeakSecretError)) throw error;
    if (!allowWeak) {
      const reason = /refused: (.*?)\. Make a strong/.exec(error.message)?.[1] ?? "it is weak";
      throw new WeakSecretError(
        `the Flask ${option}: ${reason} (for an existing Flask key that cannot change yet, pass allowWeakSecret: true and rotate it)`,
      );
    }
    if (!warnedWeak) {
      warnedWeak = true;
      process.emitWarning(
        "a weak Flask secret key is accepted (allowWeakSecret): anyone who guesses it can forge sessions. Rotate it: set a strong SECRET_KEY and move the old one to SECRET_KEY_FALLBACKS / fallbackKeys.",
        { code: "TESSERA_WEAK_FLASK_SECRET" },
      );
    }
  }
  const key = createHmac("sha1", bytes).update(SALT).digest();
  const prepared = hmacSha1Key(key);
  key.fill(0);
  return prepared;
}

function toMs(value: number | Date | undefined, option: string): number {
  const ms = value === undefined ? Date.now() : value instanceof Date ? value.getTime() : value;
  if (typeof ms !== "number" || !Number.isFinite(ms))
    throw new TypeError(`${option} must be a time in ms since the epoch or a Date`);
  return ms;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// Each base64url character's value, -1 for any other character.
const B64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64URL_VALUE[B64URL.charCodeAt(i)] = i;

// itsdangerous int_to_bytes, in base64url: big-endian, no leading zero
// bytes (0 → empty). The last one is kept: cookies written in the same
// second share it.
let lastSeconds = -1;
let lastTimestamp = "";
function timestampText(seconds: number): string {
  if (seconds === lastSeconds) return lastTimestamp;
  const bytes: number[] = [];
  for (let n = seconds; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  lastTimestamp = Buffer.from(bytes).toString("base64url");
  lastSeconds = seconds;
  return lastTimestamp;
}

// The integer that canonical base64url `text` spells (itsdangerous
// int_from_bytes), or -1 when decodeBase64url would refuse the text. Large
// values lose precision, but anything past MAX_TIMESTAMP is refused anyway.
function timestampValue(text: string): number {
  const length = text.length;
  if (length % 4 === 1) return -1;
  let value = 0;
  let digit = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    digit = c < 128 ? B64URL_VALUE[c]! : -1;
    if (digit < 0) return -1;
    value = value * 64 + digit;
  }
  // The last character's unused low bits must be zero; they are not data.
  const unused = length % 4 === 2 ? 4 : length % 4 === 3 ? 2 : 0;
  if ((digit & ((1 << unused) - 1)) !== 0) return -1;
  return value / (1 << unused);
}

// Reused buffers: a payload to decompress or read, the signature computed
// and the one given.
let payloadBytes: Buffer = Buffer.alloc(4096);
const mac = Buffer.alloc(SIGNATURE_BYTES);
const givenMac = Buffer.alloc(SIGNATURE_BYTES);

// decodeBase64url (canonical base64url, or null) into `into`: the number
// of bytes, or -1 (also when `into` is too short for them). Buffer#write
// decodes as Buffer.from does, skipping foreign characters (the result is
// then short) and taking "+" and "/" too (refused here).
function decodeInto(text: string, into: Buffer): number {
  const length = text.length;
  if (length % 4 === 1) return -1;
  const n = into.write(text, 0, "base64url");
  if (n !== (length * 3) >> 2 || text.includes("+") || text.includes("/")) return -1;
  if (length % 4 !== 0) {
    // The last character's unused low bits must be zero.
    const last = text.charCodeAt(length - 1);
    const value = last < 128 ? B64URL_VALUE[last]! : -1;
    if ((value & (length % 4 === 2 ? 0b1111 : 0b11)) !== 0) return -1;
  }
  return n;
}

// The value of base64url character c, or -1.
function sextet(c: number): number {
  return c < 128 ? B64URL_VALUE[c]! : -1;
}

// The signature at text[at...] into `into` (20 bytes): false unless it is
// 27 base64url characters that decodeBase64url would take, the unused low
// two bits of the last one zero. Decoded here, not by Buffer#write: for
// 27 characters the call costs more than the work.
function decodeSignature(text: string, at: number, into: Uint8Array): boolean {
  if (text.length - at !== SIGNATURE_CHARS) return false;
  let bad = 0; // negative once any character is not base64url
  let o = 0;
  let i = at;
  for (; o < 18; i += 4) {
    const a = sextet(text.charCodeAt(i));
    const b = sextet(text.charCodeAt(i + 1));
    const c = sextet(text.charCodeAt(i + 2));
    const d = sextet(text.charCodeAt(i + 3));
    bad |= a | b | c | d;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    into[o++] = n >>> 16;
    into[o++] = n >>> 8;
    into[o++] = n;
  }
  const a = sextet(text.charCodeAt(i));
  const b = sextet(text.charCodeAt(i + 1));
  const c = sextet(text.charCodeAt(i + 2));
  bad |= a | b | c;
  const n = (a << 12) | (b << 6) | c; // 16 bits of data, then 2 unused
  into[18] = n >>> 10;
  into[19] = n >>> 2;
  return bad >= 0 && (c & 3) === 0;
}

// base64url and latin1 text of a view, through a Buffer over its whole
// ArrayBuffer, kept for the few ArrayBuffers that are reused (those of the
// JSON writer, deflateView and inflateView).
const views: Buffer[] = [];
let nextView = 0;
function bufferOf(view: Uint8Array): Buffer {
  const arrayBuffer = view.buffer;
  for (let i = 0; i < views.length; i++) if (views[i]!.buffer === arrayBuffer) return views[i]!;
  const buffer = Buffer.from(arrayBuffer);
  views[nextView] = buffer;
  nextView = (nextView + 1) % 4;
  return buffer;
}
function base64url(view: Uint8Array): string {
  return bufferOf(view).toString("base64url", view.byteOffset, view.byteOffset + view.length);
}
function latin1(view: Uint8Array): string {
  return bufferOf(view).toString("latin1", view.byteOffset, view.byteOffset + view.length);
}

function isPlainObject(value: unknown): value is FlaskSessionData {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A codec for the cookie that Flask's default session interface writes,
 * byte for byte: same JSON, same compression choice, same signature. Python
 * values map to `FlaskTuple`, `Uint8Array`, `Markup`, `UUID`, `Date`,
 * `FlaskFloat` and `bigint` (see `tessera/flask`), so a decoded session is
 * encoded back unchanged.
 *
 * `decode` throws `FlaskSignatureError` (wrong key, changed or truncated
 * value), `FlaskExpiredError` (older than `maxAge`), `FlaskFutureError`
 * (signed in the future) or `FlaskPayloadError` (signed, but not session
 * data; or a `__proto__`/`constructor`/`prototype` key). Nothing is parsed
 * before the signature verifies.
 *
 * @example
 * import { createFlaskCodec } from "tessera/flask";
 * const flask = createFlaskCodec({ secretKey: process.env.FLASK_SECRET_KEY! });
 * const cookie = flask.encode({ user: "alice" });
 * flask.decode(cookie); // { user: "alice" }
 */
export function createFlaskCodec(options: FlaskCodecOptions): FlaskCodec {
  if (options === null || typeof options !== "object")
    throw new ConfigError("createFlaskCodec() needs an options object with secretKey");
  const allowWeak = options.allowWeakSecret === true;
  const keys = [
    deriveKey(options.secretKey, allowWeak, "secretKey"),
    ...(options.fallbackKeys ?? []).map((k, i) => deriveKey(k, allowWeak, `fallbackKeys[${i}]`)),
  ];
  const maxAge = Math.floor(toMillis(options.maxAge ?? "31d", "maxAge") / 1000);
  const newest = keys[0]!;

  function open(value: string, opts?: { now?: number | Date }): FlaskOpened {
    const now = Math.floor(toMs(opts?.now, "now") / 1000);
    if (typeof value !== "string") throw new FlaskSignatureError("the cookie is not a string");
    // Signer.unsign: the signature is what follows the last ".".
    const sigDot = value.lastIndexOf(".");
    if (sigDot < 0) throw new FlaskSignatureError('no "." found in the cookie');
    const signed = value.slice(0, sigDot);
    let keyIndex = -1;
    if (decodeSignature(value, sigDot + 1, givenMac)) {
      for (let i = 0; i < keys.length; i++) {
        hmacSha1(keys[i]!, signed, mac, 0);
        if (safeEqual(mac, givenMac)) {
          keyIndex = i;
          break;
        }
      }
    }
    if (keyIndex < 0) throw new FlaskSignatureError("the signature does not match");

    // TimestampSigner.unsign: the timestamp is the last part of the signed value.
    const tsDot = signed.lastIndexOf(".");
    if (tsDot < 0) throw new FlaskSignatureError("the timestamp is missing");
    const signedSeconds = timestampValue(signed.slice(tsDot + 1));
    // Past Python's datetime (year 9999) itsdangerous calls it malformed.
    if (signedSeconds < 0 || signedSeconds > MAX_TIMESTAMP)
      throw new FlaskSignatureError("the timestamp is malformed");
    const signedAt = signedSeconds * 1000;
    const age = now - signedSeconds;
    if (age > maxAge) throw new FlaskExpiredError(new Date(signedAt), age, maxAge);
    if (age < 0) throw new FlaskFutureError(new Date(signedAt), -age);

    // URLSafeSerializerMixin.load_payload, then TaggedJSONSerializer.loads.
    let payload = signed.slice(0, tsDot);
    const compressed = payload.charCodeAt(0) === 46; /* . */
    if (compressed) payload = payload.slice(1);
    if (payloadBytes.length < payload.length) payloadBytes = Buffer.alloc(payload.length);
    const length = decodeInto(payload, payloadBytes);
    if (length < 0) throw new FlaskPayloadError("the payload is not base64url");
    let bytes: Uint8Array;
    if (compressed) {
      try {
        bytes = inflateView(payloadBytes, MAX_INFLATED, length);
      } catch (error) {
        if (error instanceof InflateError)
          throw new FlaskPayloadError(`the payload does not decompress: ${error.message}`);
        throw error;
      }
    } else bytes = payloadBytes.subarray(0, length);
    let text: string;
    if (isAscii(bytes)) text = latin1(bytes);
    else {
      try {
        text = utf8.decode(bytes);
      } catch {
        throw new FlaskPayloadError("the payload is not UTF-8");
      }
    }
    if (payloadBytes.length > 1 << 16) payloadBytes = Buffer.alloc(4096); // do not keep a large buffer
    const data = parseFlaskJson(text);
    if (!isPlainObject(data)) throw new FlaskPayloadError("a Flask session must be a dict");
    return { data, signedAt, stale: keyIndex !== 0 };
  }

  return {
    maxAge,
    open,
    decode(value, opts) {
      return open(value, opts).data;
    },
    encode(data, opts) {
      if (!isPlainObject(data))
        throw new FlaskPayloadError("a Flask session must be a plain object");
      const seconds = Math.floor(toMs(opts?.timestamp, "timestamp") / 1000);
      if (seconds < 0) throw new RangeError("timestamp must not be before 1970");
      const json = dumpFlaskJsonView(data); // ASCII: ensure_ascii
      const length = json.length;
      // zlib's smallest stream is 8 bytes, so short JSON never compresses shorter.
      let payload: string | undefined;
      if (length > 9) {
        const packed = deflateView(json);
        if (packed.length < length - 1) payload = `.${base64url(packed)}`;
      }
      payload ??= base64url(json);
      const signed = `${payload}.${timestampText(seconds)}`;
      hmacSha1(newest, signed, mac, 0);
      return `${signed}.${mac.toString("base64url")}`;
    },
  };
}
