import type { KeyRing } from "../crypto/keys.ts";
import type { Expiry } from "./expiry.ts";
import type { RecordPatch, SessionRecord } from "./record.ts";

/** What the manager tells a store about the call. */
export interface StoreContext {
  /** The session cookie's name. */
  cookieName: string;
  /** The manager's clock, in ms. */
  now: number;
  /**
   * When the record ends (ms, on the manager's clock), on `set`, `patch` and
   * `touch`. Stores with native expiry use `expiresAt - now` as the TTL.
   */
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
 * - A `"server"` store keeps records under a key that is a SHA-256 hash of
 *   the session id (the manager hashes; the store never sees an id). The
 *   cookie carries the signed id, and `set` returns nothing.
 *
 * `get` returns null for a missing, expired or unreadable record; every
 * method throws only when the store itself fails (the manager turns that into
 * a `StoreUnavailableError`). Optional methods are capabilities: without
 * `patch` the manager writes whole records (concurrent requests may then lose
 * each other's keys), without `touch` it patches only `lastActiveAt`.
 * Every store should pass `testStore()` from `tessera/testing`.
 *
 * @example
 * const store: SessionStore = {
 *   kind: "server",
 *   get: (key) => map.get(key) ?? null,
 *   set: (key, record) => { map.set(key, record); return undefined; },
 *   destroy: (key) => { map.delete(key); },
 * };
 */
export interface SessionStore {
  readonly kind: "cookie" | "server";
  /** Called once by `createSessions`, before the first request. */
  setup?(setup: StoreSetup): void;
  get(key: string, context: StoreContext): Promise<SessionRecord | null> | SessionRecord | null;
  /** Writes a whole record (a new or regenerated session). */
  set(
    key: string,
    record: SessionRecord,
    context: StoreContext,
  ): Promise<string | undefined> | string | undefined;
  /**
   * Applies one request's changes atomically. A patch for a key that does not
   * exist (destroyed or expired meanwhile) must not create it.
   */
  patch?(key: string, patch: RecordPatch, context: StoreContext): Promise<void> | void;
  /** Moves `lastActiveAt` and the expiry of an unchanged record; a no-op for a missing key. */
  touch?(key: string, lastActiveAt: number, context: StoreContext): Promise<void> | void;
  destroy(key: string, context: StoreContext): Promise<void> | void;
  /** The records of one user: their keys and records (the per-user index). */
  listByUser?(
    userId: string,
    context: StoreContext,
  ):
    | Promise<Array<[key: string, record: SessionRecord]>>
    | Array<[key: string, record: SessionRecord]>;
  /** Deletes every session of one user except the keys listed. */
  destroyByUser?(
    userId: string,
    except: readonly string[],
    context: StoreContext,
  ): Promise<void> | void;
}
