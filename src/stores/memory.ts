import { decodeJson, encodeJson } from "../codec/json.ts";
import { ConfigError } from "../errors.ts";
import type { FlashEntry, RecordPatch, SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";

// A stored session: the data and the flash queue as JSON text, as the other
// stores keep them. Text is the copy: nothing a request holds can reach the
// stored session, a read gives what the other stores would give (JSON's
// values), and it is smaller and faster than structuredClone.
interface Entry {
  id: string;
  createdAt: number;
  lastActiveAt: number;
  permanent: boolean;
  userId: string | undefined;
  userAgent: string | undefined;
  data: string;
  flash: string;
  expiresAt: number;
}

const NO_FLASH = "[]";

function entryOf(record: SessionRecord, expiresAt: number): Entry {
  return {
    id: record.id,
    createdAt: record.createdAt,
    lastActiveAt: record.lastActiveAt,
    permanent: record.permanent,
    userId: record.userId,
    userAgent: record.userAgent,
    data: encodeJson(record.data),
    flash: record.flash.length === 0 ? NO_FLASH : encodeJson(record.flash),
    expiresAt,
  };
}

function recordOf(entry: Entry): SessionRecord {
  const record: SessionRecord = {
    id: entry.id,
    data: decodeJson(entry.data) as Record<string, unknown>,
    flash: entry.flash === NO_FLASH ? [] : (decodeJson(entry.flash) as FlashEntry[]),
    createdAt: entry.createdAt,
    lastActiveAt: entry.lastActiveAt,
    permanent: entry.permanent,
  };
  if (entry.userId !== undefined) record.userId = entry.userId;
  if (entry.userAgent !== undefined) record.userAgent = entry.userAgent;
  return record;
}

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** The most sessions kept; the least recently used goes first. Default 10 000. */
  maxEntries?: number;
}

/**
 * Sessions in this process's memory: a Map kept in least-recently-used
 * order, so eviction and expiry are O(1). For development, tests and single
 * processes whose sessions may vanish on restart. The data is kept as JSON
 * text, as the other stores keep it: a request never holds the stored
 * object, and what comes back is what JSON can carry (a Date comes back as
 * its ISO string, as from SQLite, Postgres or Redis).
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
    unindex(key, entry.userId);
  }

  // A live entry, moved to the most-recently-used end; expired ones are dropped.
  function live(key: string, now: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    entries.delete(key);
    if (entry.expiresAt <= now) {
      unindex(key, entry.userId);
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
      return entry === undefined ? null : recordOf(entry);
    },
    set(key, record, context) {
      const entry = entryOf(record, ends(context));
      remove(key);
      entries.set(key, entry);
      index(key, entry.userId);
      sweep(context.now);
      return undefined;
    },
    patch(key, patch: RecordPatch, context) {
      const entry = live(key, context.now);
      if (entry === undefined) return;
      if (patch.delete.length > 0 || Object.keys(patch.set).length > 0) {
        const data = decodeJson(entry.data) as Record<string, unknown>;
        for (const name of Object.keys(patch.set)) data[name] = patch.set[name];
        for (const name of patch.delete) delete data[name];
        entry.data = encodeJson(data);
      }
      if (patch.flash !== undefined)
        entry.flash = patch.flash.length === 0 ? NO_FLASH : encodeJson(patch.flash);
      if (patch.permanent !== undefined) entry.permanent = patch.permanent;
      if (patch.userAgent !== undefined) entry.userAgent = patch.userAgent;
      if (patch.userId !== undefined && patch.userId !== entry.userId) {
        unindex(key, entry.userId);
        entry.userId = patch.userId;
        index(key, entry.userId);
      }
      entry.lastActiveAt = patch.lastActiveAt;
      entry.expiresAt = ends(context);
    },
    touch(key, lastActiveAt, context) {
      const entry = live(key, context.now);
      if (entry === undefined) return;
      entry.lastActiveAt = lastActiveAt;
      entry.expiresAt = ends(context);
    },
    destroy(key) {
      remove(key);
    },
    listByUser(userId, context) {
      const out: Array<[string, SessionRecord]> = [];
      for (const key of [...(users.get(userId) ?? [])]) {
        const entry = live(key, context.now);
        if (entry !== undefined) out.push([key, recordOf(entry)]);
      }
      return out;
    },
    destroyByUser(userId, except) {
      for (const key of [...(users.get(userId) ?? [])]) if (!except.includes(key)) remove(key);
    },
  };
}
