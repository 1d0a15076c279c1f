import { createCipheriv, createDecipheriv } from "node:crypto";
import type { DerivedKey, KeyRing, Purpose } from "./keys.ts";
import { fillRandom } from "./random.ts";
import { prepareKey, xchachaOpen, xchachaSeal } from "./xchacha.ts";
import { SIMD_FREE, simdCipher } from "./xchacha-simd.ts";

/** The result of opening a token: the plaintext, and whether it must be sealed again. */
export interface Opened {
  plaintext: Buffer;
  /** True when the token was sealed with an older key or the other cipher: re-seal it. */
  stale: boolean;
}

/** Seals and opens tokens for one purpose. See {@link createSealer}. */
export interface Sealer {
  seal(plaintext: string | Uint8Array, context: string): string;
  open(token: string, context: string): Opened | null;
  /** {@link Sealer.open} for a UTF-8 plaintext, decoded straight from the token's buffer. */
  openText(token: string, context: string): { text: string; stale: boolean } | null;
}

/**
 * The AEAD a sealer seals with. Tokens of both open, whichever seals.
 * - `"xchacha20-poly1305"` (the default): token v2, XChaCha20-Poly1305 in
 *   tessera's own WebAssembly (src/crypto/xchacha.wat, with SIMD), or its
 *   TypeScript twin (src/crypto/xchacha.ts) where WebAssembly cannot run;
 *   192-bit random nonces (no practical limit on seals per key), several
 *   times faster than a node:crypto cipher for a cookie.
 * - `"aes-256-gcm"`: token v1, node:crypto (OpenSSL), for deployments that
 *   must use a validated module; random 96-bit nonces keep one key safe for
 *   2^32 seals (NIST SP 800-38D §8.3): rotate the secret well before.
 */
export type Cipher = "xchacha20-poly1305" | "aes-256-gcm";

// Tokens, base64url without padding:
//   v1: 0x01 | key id (4) | nonce (12) | AES-256-GCM ciphertext        | tag (16)
//   v2: 0x02 | key id (4) | nonce (24) | XChaCha20-Poly1305 ciphertext | tag (16)
// Associated data: version, key id, then the context (the cookie name), so a
// token sealed for one cookie never opens as another and the header cannot be
// swapped. Each version has its own HKDF key (the purpose, with ":v2" for
// v2), so no key is ever used by two algorithms.
const V1 = 1;
const V2 = 2;
const HEADER = 5;
const NONCE1 = 12;
const NONCE2 = 24;
const TAG = 16;
const OVERHEAD1 = HEADER + NONCE1 + TAG;
const OVERHEAD2 = HEADER + NONCE2 + TAG;
// The shortest token of either version: ceil(overhead * 4 / 3) characters.
const MIN_CHARS = Math.ceil((OVERHEAD1 * 4) / 3);

interface SealKey {
  id: Buffer;
  idNumber: number;
  age: number;
  /** The v1 key (node:crypto). */
  aes: DerivedKey["key"];
  /** The v2 key, as the TypeScript XChaCha20 takes it. */
  words: Uint32Array;
  /** The v2 key's 32 bytes, for the WebAssembly one. */
  bytes: Uint8Array;
  /** Associated data per context, for v1 and v2: version | key id | context. */
  aad: Map<string, [Buffer, Buffer]>;
}

// Associated data per context is built once per key (at most this many contexts).
const MAX_CONTEXTS = 1024;

function associatedData(key: SealKey, context: string, version: number): Buffer {
  let pair = key.aad.get(context);
  if (pair === undefined) {
    const bytes = Buffer.from(context, "utf8");
    const make = (v: number) => {
      const aad = Buffer.allocUnsafe(HEADER + bytes.length);
      aad[0] = v;
      key.id.copy(aad, 1);
      bytes.copy(aad, HEADER);
      return aad;
    };
    pair = [make(V1), make(V2)];
    if (key.aad.size < MAX_CONTEXTS) key.aad.set(context, pair);
  }
  return pair[version - 1]!;
}

// One buffer for the token being sealed or opened, grown when needed: the
// plaintext is encrypted in place and the token encoded from it, so a seal
// allocates nothing but its string. Everything here is synchronous, so no
// two calls share it at once; the plaintext is wiped after each open.
let scratch = Buffer.allocUnsafeSlow(4096);

function room(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(size);
  return scratch;
}

// With the WebAssembly cipher, a v2 token is built and opened right in its
// memory, laid out after the module's own scratch as: key (32), associated
// data (up to AAD_ROOM), then the token. Anything larger (a context name over
// 219 bytes, a token over 64 KiB) goes through the TypeScript cipher.
const KEY_AT = SIMD_FREE;
const AAD_AT = KEY_AT + 32;
const AAD_ROOM = 224;
const TOKEN_AT = AAD_AT + AAD_ROOM;

// base64url has one canonical spelling for each byte string; Buffer.from
// silently skips foreign characters and ignores the unused low bits of the
// last character. Refuse both, so that changing any character of a token is
// refused rather than decoding to the same bytes.
// The last character's unused low bits must be zero (RFC 4648 §3.5: a
// canonical encoding sets pad bits to zero).
function canonicalTail(text: string, length: number): boolean {
  if (length % 4 === 0) return true;
  const last = text.charCodeAt(length - 1);
  const value =
    last >= 97 ? last - 71 : last >= 65 ? last - 65 : last >= 48 ? last + 4 : last === 45 ? 62 : 63;
  const unused = length % 4 === 2 ? 0b1111 : 0b11;
  return (value & unused) === 0;
}

/**
 * Decodes canonical base64url (no padding), or returns null.
 *
 * @example
 * decodeBase64url("AQID"); // <Buffer 01 02 03>
 */
export function decodeBase64url(text: string): Buffer | null {
  const length = text.length;
  if (length % 4 === 1) return null;
  const bytes = Buffer.from(text, "base64url");
  // Buffer.from skips characters outside the alphabet (the result is then
  // short) and also takes "+" and "/" from standard base64 (refused here).
  if (bytes.length !== (length * 3) >> 2 || text.includes("+") || text.includes("/")) return null;
  return canonicalTail(text, length) ? bytes : null;
}

// decodeBase64url into `target` from 0: the byte count, or -1.
function decodeInto(text: string, target: Buffer): number {
  const length = text.length;
  if (length % 4 === 1) return -1;
  const size = (length * 3) >> 2;
  const written = target.write(text, 0, size, "base64url");
  if (written !== size || text.includes("+") || text.includes("/")) return -1;
  return canonicalTail(text, length) ? size : -1;
}

function findKey(keys: readonly SealKey[], idNumber: number): SealKey | undefined {
  for (const key of keys) if (key.idNumber === idNumber) return key;
  return undefined;
}

/** Options of {@link createSealer}. */
export interface SealerOptions {
  /**
   * `false` runs XChaCha20-Poly1305 in TypeScript even where the WebAssembly
   * build can run (both make the same tokens; the tests compare them).
   * Default `true`.
   */
  wasm?: boolean;
}

/**
 * Authenticated encryption with the ring's keys for `purpose`: XChaCha20-Poly1305
 * (token v2) by default, or AES-256-GCM through node:crypto (token v1); see
 * {@link Cipher}. The newest key seals; every key in the ring opens tokens of
 * either version, and `stale` asks for a re-seal when an older key or the
 * other cipher sealed it. `context` is bound as associated data: pass the
 * cookie name.
 *
 * `open` returns null for anything that is not a token this ring sealed for
 * this purpose and context: a changed byte, another key, another cookie name,
 * a truncated or foreign value. It never throws on input.
 *
 * @example
 * const sealer = createSealer(new KeyRing(secret), "session");
 * const token = sealer.seal('{"visits":1}', "__Host-session");
 * sealer.open(token, "__Host-session")?.plaintext.toString(); // '{"visits":1}'
 * sealer.open(token, "other"); // null
 */
export function createSealer(
  ring: KeyRing,
  purpose: Purpose,
  cipher: Cipher = "xchacha20-poly1305",
  options: SealerOptions = {},
): Sealer {
  if (cipher !== "xchacha20-poly1305" && cipher !== "aes-256-gcm") {
    throw new TypeError(
      `cipher must be "xchacha20-poly1305" or "aes-256-gcm", got ${JSON.stringify(cipher)}`,
    );
  }
  const v2Keys = ring.keys(`${purpose}:v2`);
  const keys: SealKey[] = ring.keys(purpose).map((key, i) => ({
    id: key.id,
    idNumber: key.idNumber,
    age: key.age,
    aes: key.key,
    words: prepareKey(v2Keys[i]!.key.export()),
    bytes: new Uint8Array(v2Keys[i]!.key.export()),
    aad: new Map(),
  }));
  const newest = keys[0]!;
  const version = cipher === "aes-256-gcm" ? V1 : V2;
  const nonce = Buffer.allocUnsafeSlow(NONCE1);
  const simd = options.wasm === false ? null : simdCipher();
  // The token's place in the WebAssembly memory.
  const region = simd?.bytes.subarray(TOKEN_AT) ?? null;

  function sealV1(plaintext: string | Uint8Array, context: string): string {
    // The nonce goes in a scratch buffer first (createCipheriv copies it),
    // so the output is allocated once the ciphertext's length is known.
    fillRandom(nonce, 0, NONCE1);
    const aes = createCipheriv("aes-256-gcm", newest.aes, nonce);
    aes.setAAD(associatedData(newest, context, V1));
    const body =
      typeof plaintext === "string" ? aes.update(plaintext, "utf8") : aes.update(plaintext);
    aes.final();
    const out = room(OVERHEAD1 + body.length);
    out[0] = V1;
    newest.id.copy(out, 1);
    nonce.copy(out, HEADER);
    body.copy(out, HEADER + NONCE1);
    aes.getAuthTag().copy(out, HEADER + NONCE1 + body.length);
    return out.toString("base64url", 0, OVERHEAD1 + body.length);
  }

  function sealV2(plaintext: string | Uint8Array, context: string): string {
    const at = HEADER + NONCE2;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const size =
      OVERHEAD2 + (typeof plaintext === "string" ? 3 * plaintext.length : plaintext.length);
    const aad = associatedData(newest, context, V2);
    const inWasm = region !== null && size <= region.length && aad.length <= AAD_ROOM;
    const out = inWasm ? region : room(size);
    out[0] = V2;
    newest.id.copy(out, 1);
    fillRandom(out, HEADER, NONCE2);
    let length: number;
    if (typeof plaintext === "string") length = out.write(plaintext, at, "utf8");
    else {
      out.set(plaintext, at);
      length = plaintext.length;
    }
    if (inWasm) {
      simd!.bytes.set(newest.bytes, KEY_AT);
      simd!.bytes.set(aad, AAD_AT);
      simd!.seal(KEY_AT, TOKEN_AT + HEADER, AAD_AT, aad.length, TOKEN_AT + at, length);
    } else xchachaSeal(newest.words, out, HEADER, aad, out, at, length, out, at);
    return out.toString("base64url", 0, OVERHEAD2 + length);
  }

  // v1 through node:crypto: the plaintext is written over the ciphertext.
  function openV1(bytes: Buffer, size: number, key: SealKey, context: string): boolean {
    try {
      const aes = createDecipheriv(
        "aes-256-gcm",
        key.aes,
        bytes.subarray(HEADER, HEADER + NONCE1),
        {
          authTagLength: TAG,
        },
      );
      aes.setAAD(associatedData(key, context, V1));
      aes.setAuthTag(bytes.subarray(size - TAG, size));
      const plaintext = aes.update(bytes.subarray(HEADER + NONCE1, size - TAG));
      aes.final(); // throws when the tag does not match
      plaintext.copy(bytes, HEADER + NONCE1);
      return true;
    } catch {
      return false;
    }
  }

  // Where the last authentic token was opened: its buffer, the plaintext's
  // start, and whether to re-seal (set by authentic, read right after it).
  let opened: Buffer = scratch;
  let openedStart = 0;
  let openedStale = false;

  // Decodes and authenticates a token (in the WebAssembly memory, or in the
  // scratch buffer), decrypting it in place: the plaintext's end, or -1.
  function authentic(token: string, context: string): number {
    if (typeof token !== "string" || token.length < MIN_CHARS) return -1;
    const decoded = (token.length * 3) >> 2;
    const bytes = region !== null && decoded <= region.length ? region : room(decoded);
    const size = decodeInto(token, bytes);
    if (size < 0) return -1;
    const tokenVersion = bytes[0];
    if (tokenVersion === V2 ? size < OVERHEAD2 : tokenVersion !== V1 || size < OVERHEAD1) return -1;
    const key = findKey(keys, bytes.readUInt32BE(1));
    if (key === undefined) return -1;
    const start = HEADER + (tokenVersion === V2 ? NONCE2 : NONCE1);
    let ok: boolean;
    if (tokenVersion === V1) ok = openV1(bytes, size, key, context);
    else {
      const aad = associatedData(key, context, V2);
      if (bytes === region && aad.length <= AAD_ROOM) {
        simd!.bytes.set(key.bytes, KEY_AT);
        simd!.bytes.set(aad, AAD_AT);
        ok =
          simd!.open(
            KEY_AT,
            TOKEN_AT + HEADER,
            AAD_AT,
            aad.length,
            TOKEN_AT + start,
            size - start,
          ) === 1;
      } else
        ok = xchachaOpen(key.words, bytes, HEADER, aad, bytes, start, size - start, bytes, start);
    }
    if (!ok) return -1;
    opened = bytes;
    openedStart = start;
    openedStale = key.age !== 0 || tokenVersion !== version;
    return size - TAG;
  }

  return {
    seal(plaintext, context) {
      return version === V2 ? sealV2(plaintext, context) : sealV1(plaintext, context);
    },
    open(token, context) {
      const end = authentic(token, context);
      if (end < 0) return null;
      const plaintext = Buffer.from(opened.subarray(openedStart, end));
      opened.fill(0, openedStart, end);
      return { plaintext, stale: openedStale };
    },
    openText(token, context) {
      const end = authentic(token, context);
      if (end < 0) return null;
      const text = opened.toString("utf8", openedStart, end);
      opened.fill(0, openedStart, end);
      return { text, stale: openedStale };
    },
  };
}
