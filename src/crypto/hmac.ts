import { hash, type KeyObject } from "node:crypto";

/** A key ready for {@link hmacSha256}: its two padded blocks, made once. */
export interface HmacKey {
  /** K ⊕ ipad, 64 bytes, then room for the message. */
  readonly inner: Buffer;
  /** K ⊕ opad, 64 bytes, then room for the inner digest (32). */
  readonly outer: Buffer;
}

const BLOCK = 64;
const DIGEST = 32;
const SCRATCH = 1024;

/**
 * Prepares a key (32 bytes, or a secret KeyObject) for {@link hmacSha256}.
 *
 * @example
 * const key = prepareHmacKey(randomBytes(32));
 * hmacSha256(key, Buffer.from("value")).length; // 32
 */
export function prepareHmacKey(key: Uint8Array | KeyObject): HmacKey {
  const bytes = key instanceof Uint8Array ? key : key.export();
  // RFC 2104 §2: keys longer than the block are hashed first; shorter ones are zero-padded.
  const padded = Buffer.alloc(BLOCK);
  if (bytes.length > BLOCK) hash("sha256", bytes, "buffer").copy(padded);
  else padded.set(bytes);
  const inner = Buffer.allocUnsafeSlow(BLOCK + SCRATCH);
  const outer = Buffer.allocUnsafeSlow(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = padded[i]! ^ 0x36;
    outer[i] = padded[i]! ^ 0x5c;
  }
  padded.fill(0);
  return { inner, outer };
}

/**
 * HMAC-SHA256 (RFC 2104) of `message`, from two one-shot hashes:
 * H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). node:crypto's `createHmac` builds an
 * object per call, which costs about three times the hashing of a short
 * value; `crypto.hash` does not. The same bytes as `createHmac("sha256", K)`.
 *
 * @example
 * const key = prepareHmacKey(secretBytes);
 * const mac = hmacSha256(key, Buffer.from("message"));
 */
export function hmacSha256(key: HmacKey, message: Uint8Array): Buffer {
  const { inner, outer } = key;
  let innerDigest: Buffer;
  if (message.length <= SCRATCH) {
    inner.set(message, BLOCK);
    innerDigest = hash("sha256", inner.subarray(0, BLOCK + message.length), "buffer");
  } else {
    const whole = Buffer.allocUnsafe(BLOCK + message.length);
    inner.copy(whole, 0, 0, BLOCK);
    whole.set(message, BLOCK);
    innerDigest = hash("sha256", whole, "buffer");
  }
  innerDigest.copy(outer, BLOCK);
  return hash("sha256", outer, "buffer");
}
