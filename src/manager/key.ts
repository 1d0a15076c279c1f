import { hash } from "node:crypto";

/**
 * The key a server store sees: a SHA-256 hash of the session id, so a leaked
 * store holds no live cookie.
 *
 * @example
 * storeKey("qGk3…"); // "n4bQ…" (43 chars)
 */
export function storeKey(id: string): string {
  return hash("sha256", id, "base64url");
}
