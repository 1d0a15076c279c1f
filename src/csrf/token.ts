import { safeEqual } from "../crypto/compare.ts";
import { type HmacKey, hmacSha256, prepareHmacKey } from "../crypto/hmac.ts";
import type { DerivedKey } from "../crypto/keys.ts";
import { fillRandom } from "../crypto/random.ts";
import { decodeBase64url } from "../crypto/seal.ts";

// CSRF token v1, base64url without padding (69 bytes → exactly 92 characters):
//   version (1 byte, 0x01) | key id (4) | mask (32) | mask XOR HMAC-SHA256(csrfKey, 0x01 | secret) (32)
// The mask is fresh for every token, so no two responses carry the same bytes
// and compression (BREACH) cannot recover the HMAC; the version and key id
// are constant but public. The session secret never leaves the server, and
// knowing it is not enough: a token needs the HMAC under the server's key.
const VERSION = 1;
const MAC = 32;
const MASK_AT = 5;
const MASKED_AT = MASK_AT + MAC;
const BYTES = MASKED_AT + MAC;

/**
 * The length of every token, in characters.
 *
 * @example
 * if (token.length !== TOKEN_CHARS) return false;
 */
export const TOKEN_CHARS = (BYTES * 4) / 3; // 92: 69 is a multiple of 3, so there is no partial group

// Each key's HMAC pads, made once per DerivedKey (the key ring keeps one
// object per key and purpose).
const prepared = new WeakMap<DerivedKey, HmacKey>();

function macOf(key: DerivedKey, secret: string): Buffer {
  let hmac = prepared.get(key);
  if (hmac === undefined) {
    hmac = prepareHmacKey(key.key);
    prepared.set(key, hmac);
  }
  // The MAC input: 0x01 | the secret (UTF-8, at most 3 bytes per code unit).
  const message = Buffer.allocUnsafe(1 + 3 * secret.length);
  message[0] = VERSION;
  const end = 1 + message.write(secret, 1, "utf8");
  return hmacSha256(hmac, message.subarray(0, end));
}

/**
 * A fresh masked token for `secret`, made with `key` (the newest CSRF key).
 *
 * @example
 * const token = maskToken(ring.keys("csrf")[0]!, secret); // 92 base64url characters
 */
export function maskToken(key: DerivedKey, secret: string): string {
  const out = Buffer.allocUnsafe(BYTES);
  out[0] = VERSION;
  key.id.copy(out, 1);
  fillRandom(out, MASK_AT, MAC);
  const mac = macOf(key, secret);
  for (let i = 0; i < MAC; i++) out[MASKED_AT + i] = out[MASK_AT + i]! ^ mac[i]!;
  return out.toString("base64url");
}

/**
 * Whether `token` is a token for `secret` under one of `keys` (newest
 * first). Returns false for anything else: a foreign or changed token,
 * another key ring or purpose, a wrong length. The MAC is compared with
 * `safeEqual`; never throws on input.
 *
 * @example
 * if (!tokenMatches(ring.keys("csrf"), secret, form.get("_csrf"))) return forbidden(...);
 */
export function tokenMatches(keys: readonly DerivedKey[], secret: string, token: unknown): boolean {
  // Fixed length: refuse anything else before decoding it.
  if (typeof token !== "string" || token.length !== TOKEN_CHARS) return false;
  // Canonical base64url only, so changing any character changes the bytes.
  const bytes = decodeBase64url(token);
  if (bytes === null || bytes.length !== BYTES || bytes[0] !== VERSION) return false;
  const idNumber = bytes.readUInt32BE(1);
  const unmasked = Buffer.allocUnsafe(MAC);
  for (let i = 0; i < MAC; i++) unmasked[i] = bytes[MASK_AT + i]! ^ bytes[MASKED_AT + i]!;
  // The key id picks the key; an id collision between two secrets only costs
  // one more HMAC, as in createSigner.
  for (const key of keys) {
    if (key.idNumber !== idNumber) continue;
    if (safeEqual(macOf(key, secret), unmasked)) return true;
  }
  return false;
}
