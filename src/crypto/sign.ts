import { createHmac } from "node:crypto";
import { safeEqual } from "./compare.ts";
import type { DerivedKey, KeyRing, Purpose } from "./keys.ts";
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

function mac(key: DerivedKey, context: string, value: string): Buffer {
  const head = Buffer.allocUnsafe(9);
  head[0] = VERSION;
  key.id.copy(head, 1);
  head.writeUInt32BE(Buffer.byteLength(context), 5);
  return createHmac("sha256", key.key)
    .update(head)
    .update(context)
    .update("\0")
    .update(value)
    .digest();
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
  const keys = ring.keys(purpose);
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
