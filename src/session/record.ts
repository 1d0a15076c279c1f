/** One flash message with its category, in the order it was added. */
export type FlashEntry = [category: string, message: unknown];

/**
 * Whether a decoded value is a flash queue: a list of [category, message].
 * Stores check what they read back with it.
 *
 * @example
 * if (!isFlash(JSON.parse(row.flash))) return null;
 */
export function isFlash(value: unknown): value is FlashEntry[] {
  if (!Array.isArray(value)) return false;
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") return false;
  }
  return true;
}

/**
 * What a store keeps for one session. Times are milliseconds since the epoch.
 *
 * @example
 * const record: SessionRecord = {
 *   id: "…", data: { visits: 1 }, flash: [], createdAt: Date.now(),
 *   lastActiveAt: Date.now(), permanent: false,
 * };
 */
export interface SessionRecord {
  /**
   * The session's id. A server store receives its key here (a hash of the
   * id), never the id itself; a cookie session has none ("").
   */
  id: string;
  data: Record<string, unknown>;
  flash: FlashEntry[];
  createdAt: number;
  lastActiveAt: number;
  permanent: boolean;
  /** The user this session belongs to, set by `sessions.login()`: the per-user index. */
  userId?: string;
  /** The User-Agent at login, for listing a user's sessions. */
  userAgent?: string;
  /** Set by a store that read the record with an older key: write it again. */
  resave?: boolean;
}

/**
 * A new, empty record that starts at `now`.
 *
 * @example
 * const record = newRecord(Date.now()); // { id: "", data: {}, flash: [], … }
 */
export function newRecord(now: number, id = "", data: Record<string, unknown> = {}): SessionRecord {
  return { id, data, flash: [], createdAt: now, lastActiveAt: now, permanent: false };
}

/**
 * The changes one request made to a stored session, for stores that write
 * by key. Keys in `set` and `delete` are data keys; the other fields are
 * present only when they changed. Concurrent patches that touch different
 * keys must all survive (per-key last writer wins).
 *
 * @example
 * const patch: RecordPatch = { set: { visits: 2 }, delete: ["cart"], lastActiveAt: Date.now() };
 */
export interface RecordPatch {
  set: Record<string, unknown>;
  delete: string[];
  /** The whole flash queue, when it changed (flash is one value: last writer wins). */
  flash?: FlashEntry[];
  permanent?: boolean;
  userId?: string;
  userAgent?: string;
  lastActiveAt: number;
}

/**
 * What `sessions.listByUser()` tells about one session: never its id.
 *
 * @example
 * for (const s of await sessions.listByUser("u1")) console.log(s.handle, s.userAgent);
 */
export interface SessionInfo {
  /** An opaque handle for `sessions.revoke(handle)`. */
  handle: string;
  createdAt: Date;
  lastActiveAt: Date;
  userAgent?: string;
  permanent: boolean;
  /** True for the session passed as `current`. */
  current: boolean;
}
