import { decodeJson, encodeJson } from "../codec/json.ts";
import { ConfigError } from "../errors.ts";
import type { FlashEntry, RecordPatch, SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";

// A stored session: the data and the flash queue as JSON text, as the other
// stores keep them. Text is the copy: nothing a request holds can reach the
// stored session, a read gives what the other stores would give (JSON's
// values), and it is smaller and faster than structuredClone.
interface Entry {
  /** The Map key, so an expiry-queue item can find its entry's slot. */
  key: string;
  id: string;
  createdAt: number;
  lastActiveAt: number;
  permanent: boolean;
  userId: string | undefined;
  userAgent: string | undefined;
  data: string;
  flash: string;
  expiresAt: number;
  /**
   * When the expiry queue next looks at this entry: the time of its one
   * current queue item, never after `expiresAt`. NaN once removed, so any
   * item still queued for it is recognised as stale.
   */
  queuedAt: number;
}

const NO_FLASH = "[]";

function entryOf(key: string, record: SessionRecord, expiresAt: number): Entry {
  return {
    key,
    id: record.id,
    createdAt: record.createdAt,
    lastActiveAt: record.lastActiveAt,
    permanent: record.permanent,
    userId: record.userId,
    userAgent: record.userAgent,
    data: encodeJson(record.data),
    flash: record.flash.length === 0 ? NO_FLASH : encodeJson(record.flash),
    expiresAt,
    queuedAt: expiresAt,
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
  /**
   * The most sessions kept. Expired sessions are dropped first; at the cap
   * with every held session valid, the least recently used goes. Default 10 000.
   */
  maxEntries?: number;
}

// Above this many queue items per entry (plus a few), the queue is rebuilt.
const QUEUE_RATIO = 2;
const QUEUE_SLACK = 32;

/**
 * Sessions in this process's memory: a Map kept in least-recently-used
 * order (for the size cap) and an expiry queue (for expiry, whatever the
 * sessions' lifetimes), so memory follows the sessions still valid. For
 * development, tests and single processes whose sessions may vanish on
 * restart. The data is kept as JSON text, as the other stores keep it: a
 * request never holds the stored object, and what comes back is what JSON
 * can carry (a Date comes back as its ISO string, as from SQLite, Postgres
 * or Redis).
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
  // The sessions, in least-recently-used order: the first is the one to evict.
  const entries = new Map<string, Entry>();
  const users = new Map<string, Set<string>>();

  // Expiry is kept apart from the LRU order, in a binary min-heap of
  // (time, entry) items in two parallel arrays, with lazy deletion:
  // - a new entry is queued at its expiresAt (O(log n));
  // - patch and touch, on every request, mostly move expiresAt later: that is
  //   an assignment, not a push. The entry's item stays at the earlier time
  //   and, when it comes due, is re-queued at the entry's current expiresAt
  //   (a session used on every request is re-queued about once per idle
  //   timeout, not once per request).
  //   Only an expiresAt moved earlier than the queued time pushes a new item;
  // - an item is stale when its time is not its entry's `queuedAt` (removed
  //   entries have NaN): it is skipped when it comes due, and the heap is
  //   rebuilt from the Map (O(n), amortised O(1) per write) when it holds more
  //   than twice the entries, so stale items stay a constant factor.
  // Each write pops every due item, so no expired entry outlives a write:
  // amortised O(log n) per write, no timer, no scan. A Map ordered by expiry
  // would need one lifetime for all; a timing wheel needs a slot width and a
  // horizon, and lifetimes here range from seconds to months.
  const times: number[] = [];
  const queued: Entry[] = [];

  function siftUp(i: number, at: number, entry: Entry): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = times[parent]!;
      if (above <= at) break;
      times[i] = above;
      queued[i] = queued[parent]!;
      i = parent;
    }
    times[i] = at;
    queued[i] = entry;
  }

  function siftDown(i: number, at: number, entry: Entry): void {
    const n = times.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1]! < times[child]!) child++;
      const below = times[child]!;
      if (below >= at) break;
      times[i] = below;
      queued[i] = queued[child]!;
      i = child;
    }
    times[i] = at;
    queued[i] = entry;
  }

  // The queue again, one item per entry at its expiresAt.
  function rebuild(): void {
    times.length = 0;
    queued.length = 0;
    for (const entry of entries.values()) {
      entry.queuedAt = entry.expiresAt;
      times.push(entry.expiresAt);
      queued.push(entry);
    }
    for (let i = (times.length >> 1) - 1; i >= 0; i--) siftDown(i, times[i]!, queued[i]!);
  }

  const crowded = () => times.length > QUEUE_RATIO * entries.size + QUEUE_SLACK;

  function enqueue(entry: Entry, at: number): void {
    entry.queuedAt = at;
    siftUp(times.length, at, entry);
    if (crowded()) rebuild();
  }

  function dequeue(): void {
    const at = times.pop()!;
    const entry = queued.pop()!;
    if (times.length > 0) siftDown(0, at, entry);
  }

  // Sets when an entry ends: a later end waits for its queue item to come due.
  function ends(entry: Entry, at: number): void {
    entry.expiresAt = at;
    if (at < entry.queuedAt) enqueue(entry, at);
  }

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

  function drop(entry: Entry): void {
    entries.delete(entry.key);
    unindex(entry.key, entry.userId);
    entry.queuedAt = Number.NaN; // its queue items are stale now
    if (crowded()) rebuild();
  }

  function remove(key: string): void {
    const entry = entries.get(key);
    if (entry !== undefined) drop(entry);
  }

  // A live entry, moved to the most-recently-used end; an expired one is dropped.
  function live(key: string, now: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      drop(entry);
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    return entry;
  }

  // Every due queue item: expired entries go, stale items are skipped, and
  // entries whose end moved later are queued again at it.
  function sweep(now: number): void {
    while (times.length > 0 && times[0]! <= now) {
      const entry = queued[0]!;
      if (entry.queuedAt !== times[0]) {
        dequeue();
      } else if (entry.expiresAt <= now) {
        dequeue();
        drop(entry);
      } else {
        entry.queuedAt = entry.expiresAt;
        siftDown(0, entry.expiresAt, entry);
      }
    }
  }

  const endOf = (context: StoreContext): number => context.expiresAt ?? Number.POSITIVE_INFINITY;

  return {
    kind: "server",
    /** Entries held: after a write, only valid ones; expired ones go at the next write. */
    get size() {
      return entries.size;
    },
    get(key, context) {
      const entry = live(key, context.now);
      return entry === undefined ? null : recordOf(entry);
    },
    set(key, record, context) {
      const entry = entryOf(key, record, endOf(context));
      remove(key);
      entries.set(key, entry);
      index(key, entry.userId);
      enqueue(entry, entry.expiresAt);
      // Expired entries first; then, every held entry being valid, the least recently used.
      sweep(context.now);
      while (entries.size > max) drop(entries.values().next().value!);
      return undefined;
    },
    patch(key, patch: RecordPatch, context) {
      const entry = live(key, context.now);
      if (entry !== undefined) {
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
        ends(entry, endOf(context));
      }
      sweep(context.now);
    },
    touch(key, lastActiveAt, context) {
      const entry = live(key, context.now);
      if (entry !== undefined) {
        entry.lastActiveAt = lastActiveAt;
        ends(entry, endOf(context));
      }
      sweep(context.now);
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
