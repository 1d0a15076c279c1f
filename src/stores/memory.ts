import { ConfigError } from "../errors.ts";
import type { RecordPatch, SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";

interface Entry {
  record: SessionRecord;
  expiresAt: number;
}

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** The most sessions kept; the least recently used goes first. Default 10 000. */
  maxEntries?: number;
}

/**
 * Sessions in this process's memory: a Map kept in least-recently-used
 * order, so eviction and expiry are O(1). For development, tests and single
 * processes whose sessions may vanish on restart. Records are copied in and
 * out, so a request never holds the stored object.
 *
 * @example
 * import { createSessions } from "tessera";
 * import { memoryStore } from "tessera/stores/memory";
 * const sessions = createSessions({ secrets, store: memoryStore({ maxEntries: 50_000 }) });
 */
export function memoryStore(
  options: MemoryStoreOptions = {},
): SessionStore & { readonly size: number } {
  const max = options.maxEntries ?? 10_000;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new ConfigError(
      `[memory] maxEntries must be a positive integer, got ${options.maxEntries}`,
    );
  }
  const entries = new Map<string, Entry>();
  const users = new Map<string, Set<string>>();

  function unindex(key: string, userId: string | undefined): void {
    if (userId === undefined) return;
    const keys = users.get(userId);
    keys?.delete(key);
    if (keys?.size === 0) users.delete(userId);
  }

  function index(key: string, userId: string | undefined): void {
    if (userId === undefined) return;
    let keys = users.get(userId);
    if (keys === undefined) {
      keys = new Set();
      users.set(userId, keys);
    }
    keys.add(key);
  }

  function remove(key: string): void {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    unindex(key, entry.record.userId);
  }

  // A live entry, moved to the most-recently-used end; expired ones are dropped.
  function live(key: string, now: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    entries.delete(key);
    if (entry.expiresAt <= now) {
      unindex(key, entry.record.userId);
      return undefined;
    }
    entries.set(key, entry);
    return entry;
  }

  // Each write looks at the two least recently used entries: expired ones go,
  // so memory stays flat under churn without a timer. Then the size cap.
  function sweep(now: number): void {
    for (let i = 0; i < 2; i++) {
      const first = entries.entries().next();
      if (first.done || first.value[1].expiresAt > now) break;
      remove(first.value[0]);
    }
    while (entries.size > max) remove(entries.keys().next().value!);
  }

  const ends = (context: StoreContext): number => context.expiresAt ?? Number.POSITIVE_INFINITY;

  return {
    kind: "server",
    /** Entries held, live or not yet swept. */
    get size() {
      return entries.size;
    },
    get(key, context) {
      const entry = live(key, context.now);
      return entry === undefined ? null : structuredClone(entry.record);
    },
    set(key, record, context) {
      remove(key);
      const copy = structuredClone(record);
      delete copy.resave;
      entries.set(key, { record: copy, expiresAt: ends(context) });
      index(key, copy.userId);
      sweep(context.now);
      return undefined;
    },
    patch(key, patch: RecordPatch, context) {
      const entry = live(key, context.now);
      if (entry === undefined) return;
      const record = entry.record;
      for (const name of Object.keys(patch.set))
        record.data[name] = structuredClone(patch.set[name]);
      for (const name of patch.delete) delete record.data[name];
      if (patch.flash !== undefined) record.flash = structuredClone(patch.flash);
      if (patch.permanent !== undefined) record.permanent = patch.permanent;
      if (patch.userAgent !== undefined) record.userAgent = patch.userAgent;
      if (patch.userId !== undefined && patch.userId !== record.userId) {
        unindex(key, record.userId);
        record.userId = patch.userId;
        index(key, record.userId);
      }
      record.lastActiveAt = patch.lastActiveAt;
      entry.expiresAt = ends(context);
    },
    touch(key, lastActiveAt, context) {
      const entry = live(key, context.now);
      if (entry === undefined) return;
      entry.record.lastActiveAt = lastActiveAt;
      entry.expiresAt = ends(context);
    },
    destroy(key) {
      remove(key);
    },
    listByUser(userId, context) {
      const out: Array<[string, SessionRecord]> = [];
      for (const key of [...(users.get(userId) ?? [])]) {
        const entry = live(key, context.now);
        if (entry !== undefined) out.push([key, structuredClone(entry.record)]);
      }
      return out;
    },
    destroyByUser(userId, except) {
      for (const key of [...(users.get(userId) ?? [])]) if (!except.includes(key)) remove(key);
    },
  };
}
