import { safeEqual } from "./compare.ts";
import { type HmacKey, hmacSha256, prepareHmacKey } from "./hmac.ts";
import type { KeyRing, Purpose } from "./keys.ts";
import { decodeBase64url } from "./seal.ts";

/** The result of verifying a signed value. */
export interface Verified {
  value: string;
  /** True when an older key signed it: sign it again with the newest. */
  stale: boolean;
}

/** Signs and verifies values for one purpose. See {@link createSigner}. */
export interface Signer {
  sign(value: string, context: string): string;
  verify(signed: string, context: string): Verified | null;
}

// Signed value v1: `value.` + base64url( version 0x01 | key id (4) | HMAC-SHA256 (32) ).
// The MAC covers version, key id, context and value, each length-framed.
const VERSION = 1;
const SUFFIX_BYTES = 1 + 4 + 32;
const SUFFIX_CHARS = 50; // ceil(37 * 4 / 3)

interface SigningKey {
  id: Buffer;
  idNumber: number;
  age: number;
  hmac: HmacKey;
}

// The MAC input, written into one reused buffer: version | key id |
// byte length of context (uint32 BE) | context | 0x00 | value.
let scratch = Buffer.allocUnsafeSlow(256);

function mac(key: SigningKey, context: string, value: string): Buffer {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const size = 10 + 3 * (context.length + value.length);
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(size);
  scratch[0] = VERSION;
  key.id.copy(scratch, 1);
  const contextEnd = 9 + scratch.write(context, 9, "utf8");
  scratch.writeUInt32BE(contextEnd - 9, 5);
  scratch[contextEnd] = 0;
  const end = contextEnd + 1 + scratch.write(value, contextEnd + 1, "utf8");
  return hmacSha256(key.hmac, scratch.subarray(0, end));
}

/**
 * HMAC-SHA256 signatures with the ring's key for `purpose`, for values that
 * may be read but must not be changed (server-side session ids, for example).
 * `verify` compares in constant time and returns null for anything else.
 *
 * @example
 * const signer = createSigner(new KeyRing(secret), "id");
 * const cookie = signer.sign(sessionId, "__Host-sid");
 * signer.verify(cookie, "__Host-sid")?.value === sessionId; // true
 */
export function createSigner(ring: KeyRing, purpose: Purpose): Signer {
  const keys: SigningKey[] = ring.keys(purpose).map(({ id, idNumber, age, key }) => ({
    id,
    idNumber,
    age,
    hmac: prepareHmacKey(key),
  }));
  const newest = keys[0]!;
  return {
    sign(value, context) {
      const suffix = Buffer.allocUnsafe(SUFFIX_BYTES);
      suffix[0] = VERSION;
      newest.id.copy(suffix, 1);
      mac(newest, context, value).copy(suffix, 5);
      return `${value}.${suffix.toString("base64url")}`;
    },
    verify(signed, context) {
      if (typeof signed !== "string" || signed.length < SUFFIX_CHARS + 1) return null;
      const dot = signed.length - SUFFIX_CHARS - 1;
      if (signed.charCodeAt(dot) !== 46 /* . */) return null;
      const suffix = decodeBase64url(signed.slice(dot + 1));
      if (suffix === null || suffix.length !== SUFFIX_BYTES || suffix[0] !== VERSION) return null;
      const idNumber = suffix.readUInt32BE(1);
      const value = signed.slice(0, dot);
      for (const key of keys) {
        if (key.idNumber !== idNumber) continue;
        if (safeEqual(mac(key, context, value), suffix.subarray(5)))
          return { value, stale: key.age !== 0 };
      }
      return null;
    },
  };
}
