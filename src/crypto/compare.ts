import { timingSafeEqual } from "node:crypto";

/**
 * The one constant-time comparison that every MAC, tag and token check in
 * tessera goes through. Lengths are public (they follow from the format), so a
 * length mismatch returns early; equal lengths are compared without branching
 * on content.
 *
 * @example
 * if (!safeEqual(expectedMac, givenMac)) return null;
 */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}
