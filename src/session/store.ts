import type { KeyRing } from "../crypto/keys.ts";
import type { Expiry } from "./expiry.ts";
import type { SessionRecord } from "./record.ts";

/** What the manager tells a store about the call. */
export interface StoreContext {
  /** The session cookie's name. */
  cookieName: string;
  /** The manager's clock, in ms. */
  now: number;
  /** When the record ends (ms), for stores with native expiry. Absent on `get` and `destroy`. */
  expiresAt?: number;
}

/** What a store gets once, when the manager that uses it is created. */
export interface StoreSetup {
  keys: KeyRing;
  expiry: Expiry;
}

/**
 * Where sessions live.
 *
 * - A `"cookie"` store keeps the whole record in the cookie: `get` receives
 *   the cookie value, and `set` returns the new cookie value.
 * - A `"server"` store keeps records keyed by a hash of the session id; the
 *   cookie carries the signed id, and `set` returns nothing.
 *
 * `get` returns null for a missing, expired or unreadable record; it throws
 * only when the store itself fails.
 *
 * @example
 * const store: SessionStore = {
 *   kind: "server",
 *   get: (key) => map.get(key) ?? null,
 *   set: (key, record) => { map.set(key, record); },
 *   destroy: (key) => { map.delete(key); },
 * };
 */
export interface SessionStore {
  readonly kind: "cookie" | "server";
  /** Called once by `createSessions`, before the first request. */
  setup?(setup: StoreSetup): void;
  get(key: string, context: StoreContext): Promise<SessionRecord | null> | SessionRecord | null;
  set(
    key: string,
    record: SessionRecord,
    context: StoreContext,
  ): Promise<string | undefined> | string | undefined;
  destroy(key: string, context: StoreContext): Promise<void> | void;
}
