import { createCipheriv, createDecipheriv } from "node:crypto";
import type { DerivedKey, KeyRing, Purpose } from "./keys.ts";
import { fillRandom } from "./random.ts";

/** The result of opening a token: the plaintext, and whether an older key sealed it. */
export interface Opened {
  plaintext: Buffer;
  /** True when the token was sealed with a key other than the newest: re-seal it. */
  stale: boolean;
}

/** Seals and opens tokens for one purpose. See {@link createSealer}. */
export interface Sealer {
  seal(plaintext: string | Uint8Array, context: string): string;
  open(token: string, context: string): Opened | null;
}

// Token v1, base64url without padding:
//   version (1 byte, 0x01) | key id (4) | nonce (12) | AES-256-GCM ciphertext | tag (16)
// Associated data: version, key id, then the context (the cookie name), so a
// token sealed for one cookie never opens as another and the header cannot be
// swapped. Random 96-bit nonces keep one key safe for 2^32 seals (NIST SP
// 800-38D §8.3); rotating the secret resets the count.
const VERSION = 1;
const HEADER = 5;
const NONCE = 12;
const TAG = 16;
const OVERHEAD = HEADER + NONCE + TAG;

// Associated data per context, one buffer per key (header then context),
// built once: a single setAAD call per token.
const MAX_CONTEXTS = 1024;

function associatedData(
  keys: readonly DerivedKey[],
  cache: Map<string, Buffer[]>,
  context: string,
  age: number,
): Buffer {
  let perKey = cache.get(context);
  if (perKey === undefined) {
    const bytes = Buffer.from(context, "utf8");
    perKey = keys.map((key) => {
      const aad = Buffer.allocUnsafe(HEADER + bytes.length);
      aad[0] = VERSION;
      key.id.copy(aad, 1);
      bytes.copy(aad, HEADER);
      return aad;
    });
    if (cache.size < MAX_CONTEXTS) cache.set(context, perKey);
  }
  return perKey[age]!;
}

// base64url has one canonical spelling for each byte string; Buffer.from
// silently skips foreign characters and ignores the unused low bits of the
// last character. Refuse both, so that changing any character of a token is
// refused rather than decoding to the same bytes.
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
  if (length % 4 !== 0) {
    // The last character's unused low bits must be zero.
    const last = text.charCodeAt(length - 1);
    const value =
      last >= 97
        ? last - 71
        : last >= 65
          ? last - 65
          : last >= 48
            ? last + 4
            : last === 45
              ? 62
              : 63;
    const unused = length % 4 === 2 ? 0b1111 : 0b11;
    if ((value & unused) !== 0) return null;
  }
  return bytes;
}

function findKey(keys: readonly DerivedKey[], idNumber: number): DerivedKey | undefined {
  for (const key of keys) if (key.idNumber === idNumber) return key;
  return undefined;
}

/**
 * Authenticated encryption (AES-256-GCM) with the ring's key for `purpose`.
 * The newest key seals; every key in the ring opens. `context` is bound as
 * associated data: pass the cookie name.
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
export function createSealer(ring: KeyRing, purpose: Purpose): Sealer {
  const keys = ring.keys(purpose);
  const newest = keys[0]!;
  const contexts = new Map<string, Buffer[]>();
  const nonce = Buffer.allocUnsafeSlow(NONCE);
  return {
    seal(plaintext, context) {
      // The nonce goes in a scratch buffer first (createCipheriv copies it),
      // so the output can be allocated once the ciphertext's length is known
      // and the plaintext string is encoded only inside the cipher.
      fillRandom(nonce, 0, NONCE);
      const cipher = createCipheriv("aes-256-gcm", newest.key, nonce);
      cipher.setAAD(associatedData(keys, contexts, context, 0));
      const body =
        typeof plaintext === "string" ? cipher.update(plaintext, "utf8") : cipher.update(plaintext);
      cipher.final();
      const out = Buffer.allocUnsafe(OVERHEAD + body.length);
      out[0] = VERSION;
      newest.id.copy(out, 1);
      nonce.copy(out, HEADER);
      body.copy(out, HEADER + NONCE);
      cipher.getAuthTag().copy(out, HEADER + NONCE + body.length);
      return out.toString("base64url");
    },
    open(token, context) {
      if (typeof token !== "string" || token.length < 44) return null;
      const bytes = decodeBase64url(token);
      if (bytes === null || bytes.length < OVERHEAD || bytes[0] !== VERSION) return null;
      const key = findKey(keys, bytes.readUInt32BE(1));
      if (key === undefined) return null;
      try {
        const decipher = createDecipheriv(
          "aes-256-gcm",
          key.key,
          bytes.subarray(HEADER, HEADER + NONCE),
          {
            authTagLength: TAG,
          },
        );
        decipher.setAAD(associatedData(keys, contexts, context, key.age));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
        const plaintext = decipher.update(bytes.subarray(HEADER + NONCE, bytes.length - TAG));
        decipher.final(); // throws when the tag does not match
        return { plaintext, stale: key.age !== 0 };
      } catch {
        return null;
      }
    },
  };
}
