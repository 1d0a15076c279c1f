import { randomFillSync } from "node:crypto";

// One randomFillSync call costs about as much as a whole seal, so fill a pool
// and hand out slices. The pool is refilled in place; callers copy what they
// take (nonces are written straight into the token buffer).
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * Copies `length` bytes from the CSPRNG pool into `target` at `at`.
 *
 * @example
 * const nonce = Buffer.alloc(12);
 * fillRandom(nonce, 0, 12);
 */
export function fillRandom(target: Uint8Array, at: number, length: number): void {
  if (length > POOL_SIZE) {
    randomFillSync(target, at, length);
    return;
  }
  if (offset + length > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  pool.copy(target, at, offset, offset + length);
  // Wipe what was handed out so a later slice never repeats it.
  pool.fill(0, offset, offset + length);
  offset += length;
}

/**
 * A new random session id: 32 bytes (256 bits) from the CSPRNG, base64url
 * without padding (43 characters).
 *
 * @example
 * const id = randomId(); // "qGk3…" (43 chars)
 */
export function randomId(bytes = 32): string {
  const buffer = Buffer.allocUnsafe(bytes);
  fillRandom(buffer, 0, bytes);
  return buffer.toString("base64url");
}
