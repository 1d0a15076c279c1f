/** One flash message with its category, in the order it was added. */
export type FlashEntry = [category: string, message: unknown];

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
  /** A random id that names the session (never the cookie value for a server store). */
  id: string;
  data: Record<string, unknown>;
  flash: FlashEntry[];
  createdAt: number;
  lastActiveAt: number;
  permanent: boolean;
  /** Set by a store that read the record with an older key: write it again. */
  resave?: boolean;
}
