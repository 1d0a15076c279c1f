import { CodecError } from "../errors.ts";
import { type Expiry, expiresAt } from "./expiry.ts";
import type { FlashEntry, SessionRecord } from "./record.ts";

/** Session data: any JSON-serialisable object. */
export type SessionData = Record<string, unknown>;
/** Flash categories mapped to their message type, e.g. `{ success: string; error: string }`. */
export type FlashTypes = Record<string, unknown>;

/** One flash message and its category, as returned by `flashes()`. */
export type Flashed<Flash extends FlashTypes> = {
  [K in keyof Flash & string]: { category: K; message: Flash[K] };
}[keyof Flash & string];

/** What the manager reads from a session to decide what to write. */
export interface SessionState {
  record: SessionRecord;
  /** The id the session was loaded with; differs from record.id after regenerate(). */
  loadedId: string | null;
  /** The user the session belonged to when it was loaded. */
  loadedUserId: string | undefined;
  isNew: boolean;
  accessed: boolean;
  /** Data keys that were set or deleted since load. */
  changed: Set<string>;
  cleared: boolean;
  flashChanged: boolean;
  metaChanged: boolean;
  regenerated: boolean;
  destroyed: boolean;
  /** The incoming cookie carried a value that did not open: overwrite or clear it. */
  hadBadCookie: boolean;
  /** The store failed at load under the fail-open policy: never write this session. */
  readOnly: boolean;
  /** The request's headers, read only when needed (the User-Agent at login). */
  headers: { get(name: string): string | null } | null;
}

let stateOf: (session: Session<SessionData, FlashTypes>) => SessionState;

/**
 * The per-request session handle. Get one from `sessions.load(request)`;
 * hand it back to `sessions.commit(session, response)`, which writes only
 * what changed.
 *
 * @example
 * const session = await sessions.load(request);
 * session.set("visits", (session.get("visits") ?? 0) + 1);
 * session.flash("success", "Saved");
 * return sessions.commit(session, new Response("ok"));
 */
export class Session<
  Data extends SessionData = SessionData,
  Flash extends FlashTypes = FlashTypes,
> {
  readonly #state: SessionState;
  readonly #expiry: Expiry;

  static {
    stateOf = (session) => session.#state;
  }

  /** @internal Sessions are made by the manager: see `createSessions`. */
  constructor(
    expiry: Expiry,
    record: SessionRecord,
    isNew: boolean,
    loadedId: string | null,
    hadBadCookie = false,
    headers: SessionState["headers"] = null,
    readOnly = false,
  ) {
    this.#expiry = expiry;
    this.#state = {
      record,
      loadedId,
      loadedUserId: record.userId,
      isNew,
      accessed: false,
      changed: new Set(),
      cleared: false,
      flashChanged: false,
      metaChanged: false,
      regenerated: false,
      destroyed: false,
      hadBadCookie,
      readOnly,
      headers,
    };
  }

  /**
   * The value stored under `key`, or undefined.
   *
   * @example
   * const visits = session.get("visits") ?? 0;
   */
  get<K extends keyof Data & string>(key: K): Data[K] | undefined {
    this.#state.accessed = true;
    const data = this.#state.record.data;
    return Object.hasOwn(data, key) ? (data[key] as Data[K]) : undefined;
  }

  /**
   * Stores a JSON-serialisable value under `key`.
   *
   * @example
   * session.set("userId", "u_42");
   */
  set<K extends keyof Data & string>(key: K, value: Data[K]): void {
    const state = this.#state;
    state.accessed = true;
    if (key === "__proto__" || key === "constructor" || key === "prototype") {
      throw new CodecError(`session data may not hold the key ${JSON.stringify(key)}`);
    }
    if (value === undefined) {
      this.delete(key);
      return;
    }
    state.record.data[key] = value;
    state.changed.add(key);
  }

  /**
   * Whether `key` holds a value.
   *
   * @example
   * if (!session.has("userId")) return Response.redirect("/login", 303);
   */
  has<K extends keyof Data & string>(key: K): boolean {
    this.#state.accessed = true;
    return Object.hasOwn(this.#state.record.data, key);
  }

  /**
   * Removes `key`.
   *
   * @example
   * session.delete("cart");
   */
  delete<K extends keyof Data & string>(key: K): void {
    const state = this.#state;
    state.accessed = true;
    if (!Object.hasOwn(state.record.data, key)) return;
    delete state.record.data[key];
    state.changed.add(key);
  }

  /**
   * Removes every key and flash message, and the user it was logged in for.
   * An emptied cookie session that was stored before is deleted on commit
   * (its cookie is cleared), as Flask does. To log out and still show a
   * flash message, `clear()`, `regenerate()` and then `flash()`: unlike
   * `destroy()`, that sends a new (small) session.
   *
   * @example
   * session.clear();
   */
  clear(): void {
    const state = this.#state;
    state.accessed = true;
    if (state.record.userId !== undefined) {
      delete state.record.userId;
      delete state.record.userAgent;
      state.metaChanged = true;
    }
    for (const key of Object.keys(state.record.data)) state.changed.add(key);
    state.record.data = {};
    if (state.record.flash.length > 0) {
      state.record.flash = [];
      state.flashChanged = true;
    }
    state.cleared = true;
  }

  /**
   * A copy of the data, for display or logging.
   *
   * @example
   * console.log(session.toJSON()); // { visits: 3 }
   */
  toJSON(): Partial<Data> {
    this.#state.accessed = true;
    return structuredClone(this.#state.record.data) as Partial<Data>;
  }

  /**
   * Queues a message for the next request that reads it.
   *
   * @example
   * session.flash("error", "Title is required");
   */
  flash<K extends keyof Flash & string>(category: K, message: Flash[K]): void {
    const state = this.#state;
    state.accessed = true;
    state.record.flash.push([category, message]);
    state.flashChanged = true;
  }

  /**
   * Returns and consumes the queued messages: of one category, or all of them
   * with their categories, oldest first. Messages of other categories stay.
   *
   * @example
   * for (const message of session.flashes("error")) render(message);
   * for (const { category, message } of session.flashes()) render(category, message);
   */
  flashes<K extends keyof Flash & string>(category: K): Flash[K][];
  flashes(): Flashed<Flash>[];
  flashes(category?: string): unknown[] {
    const state = this.#state;
    state.accessed = true;
    const queue = state.record.flash;
    if (queue.length === 0) return [];
    if (category === undefined) {
      state.record.flash = [];
      state.flashChanged = true;
      return queue.map(([c, message]) => ({ category: c, message }));
    }
    const taken: unknown[] = [];
    const kept: FlashEntry[] = [];
    for (const entry of queue) {
      if (entry[0] === category) taken.push(entry[1]);
      else kept.push(entry);
    }
    if (taken.length > 0) {
      state.record.flash = kept;
      state.flashChanged = true;
    }
    return taken;
  }

  /**
   * Whether this is a "remember me" session. A permanent session's cookie has
   * a Max-Age (the remember lifetime); otherwise the cookie ends with the
   * browser. The server enforces the limits either way.
   *
   * @example
   * session.permanent = form.get("remember") === "on";
   */
  get permanent(): boolean {
    return this.#state.record.permanent;
  }
  set permanent(value: boolean) {
    const state = this.#state;
    state.accessed = true;
    if (state.record.permanent === value) return;
    state.record.permanent = value;
    state.metaChanged = true;
  }

  /**
   * Gives the session a new id and keeps its data. The old id stops working
   * when the response is committed. Call it whenever privilege changes
   * (login, logout, sudo) to defeat session fixation.
   *
   * @example
   * await session.regenerate();
   * session.set("userId", user.id);
   */
  async regenerate(): Promise<void> {
    const state = this.#state;
    state.accessed = true;
    // The manager draws the new id at commit; an empty id means "not drawn yet".
    state.record.id = "";
    state.regenerated = true;
  }

  /**
   * Ends the session: its record is deleted and its cookie cleared (with the
   * same attributes) on commit. The handle is empty afterwards, and nothing
   * set on it is written (see `clear()` to log out with a flash message).
   *
   * @example
   * await session.destroy();
   * return sessions.commit(session, Response.redirect(new URL("/", request.url), 303));
   */
  async destroy(): Promise<void> {
    const state = this.#state;
    state.accessed = true;
    state.record.data = {};
    state.record.flash = [];
    state.destroyed = true;
  }

  /** True when no cookie (or no valid one) came with the request. */
  get isNew(): boolean {
    return this.#state.isNew;
  }

  /** True when commit has something to write. */
  get isModified(): boolean {
    const s = this.#state;
    return (
      s.changed.size > 0 ||
      s.cleared ||
      s.flashChanged ||
      s.metaChanged ||
      s.regenerated ||
      s.destroyed
    );
  }

  /** When the session was created, as a Date. */
  get createdAt(): Date {
    return new Date(this.#state.record.createdAt);
  }

  /** When the session was last written (activity is recorded at most once per refresh interval). */
  get lastActiveAt(): Date {
    return new Date(this.#state.record.lastActiveAt);
  }

  /**
   * When the session ends unless it is refreshed: the earlier of its idle
   * (or remember) window and its absolute limit.
   *
   * @example
   * `Session ends at ${session.expiresAt.toISOString()}`;
   */
  get expiresAt(): Date {
    return new Date(expiresAt(this.#expiry, this.#state.record));
  }
}

/**
 * The manager's view of a session. Not part of the public API.
 *
 * @example
 * const state = sessionState(session);
 */
export function sessionState<Data extends SessionData, Flash extends FlashTypes>(
  session: Session<Data, Flash>,
): SessionState {
  return stateOf(session as unknown as Session);
}
