import { getAllCookies } from "../cookie/parse-cookie.ts";
import { compileSetCookie, deleteCookie, type SetCookieOptions } from "../cookie/set-cookie.ts";
import { KeyRing } from "../crypto/keys.ts";
import { randomId } from "../crypto/random.ts";
import type { Secret } from "../crypto/secrets.ts";
import { createSigner } from "../crypto/sign.ts";
import { ConfigError, StoreUnavailableError } from "../errors.ts";
import { type Duration, toMillis } from "../session/duration.ts";
import {
  type Expiry,
  type ExpiryOptions,
  expiresAt,
  refreshDue,
  resolveExpiry,
} from "../session/expiry.ts";
import {
  newRecord,
  type RecordPatch,
  type SessionInfo,
  type SessionRecord,
} from "../session/record.ts";
import { sealedCookieStore } from "../session/sealed-cookie.ts";
import {
  type FlashTypes,
  Session,
  type SessionData,
  type SessionState,
  sessionState,
} from "../session/session.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";
import { guard } from "./guard.ts";
import { applySessionHeaders, type SessionHeaders } from "./headers.ts";
import { storeKey } from "./key.ts";
import { createRevocation, type Revocation } from "./revocation.ts";

/**
 * The session cookie's name and attributes. Defaults: `__Host-session`,
 * `Secure`, `HttpOnly`, `SameSite=Lax`, `Path=/`. Max-Age and Expires are
 * managed by the expiry settings.
 */
export interface SessionCookieOptions
  extends Omit<SetCookieOptions, "maxAge" | "expires" | "encode"> {
  name?: string;
  /**
   * Allows a name without the `__Host-`/`__Secure-` prefix in production
   * (to share a cookie with another app). Off by default.
   */
  allowUnprefixed?: boolean;
}

/**
 * Options of {@link createSessions}.
 *
 * @example
 * const options: SessionsOptions = { secrets: [process.env.TESSERA_SECRET!] };
 */
export interface SessionsOptions {
  /** Secrets, newest first. The newest seals and signs; all open and verify. */
  secrets: Secret | readonly Secret[];
  /** Where sessions live. Default: {@link sealedCookieStore}. */
  store?: SessionStore;
  cookie?: SessionCookieOptions;
  expiry?: ExpiryOptions;
  /**
   * What happens when a server store fails or times out.
   * `"fail-closed"` (default): `load`/`commit` throw `StoreUnavailableError`,
   * which adapters answer with 503 and `Retry-After`.
   * `"fail-open"`: the request goes on with an anonymous session that is
   * never written; a failed write is dropped.
   */
  onStoreError?: "fail-closed" | "fail-open";
  /** The deadline of one store call. Default `"2s"`. */
  storeTimeout?: Duration;
  /** Seconds in the `Retry-After` of a 503. Default 5. */
  retryAfter?: number;
  /**
   * Revocation of sealed-cookie sessions: a small per-user record in a server
   * store, checked when a logged-in cookie session loads. With it, `destroy()`,
   * `clear()` and `regenerate()` of a logged-in session refuse the copies of
   * its old cookie, and `revokeUser()` refuses every cookie of the user
   * written before ("log out everywhere"). Without it, a copied sealed cookie
   * stays valid until it expires. Server sessions need none of this: their
   * records are deleted.
   */
  revocation?: { store: SessionStore };
  /**
   * Development on plain-http hosts: drops `Secure` and the `__Host-` /
   * `__Secure-` prefix from the session cookie, and says so once. Refused
   * when NODE_ENV is "production". (Browsers accept Secure cookies from
   * http://localhost, so most local work needs no development mode.)
   */
  development?: boolean;
  /** The clock, in ms since the epoch. For tests. */
  now?: () => number;
}

/** The only part of a request that loading reads. A Web `Request` fits. */
export interface RequestLike {
  headers: { get(name: string): string | null };
}

/** What {@link createSessions} returns. */
export interface Sessions<
  Data extends SessionData = SessionData,
  Flash extends FlashTypes = FlashTypes,
> {
  /**
   * Reads the session cookie; a missing, expired, tampered or foreign one, or
   * an id the store does not know, gives a fresh anonymous session.
   */
  load(request: RequestLike): Promise<Session<Data, Flash>>;
  /** Writes what changed and returns the response with Set-Cookie, Vary and Cache-Control added. */
  commit(session: Session<Data, Flash>, response: Response): Promise<Response>;
  /** The commit as header values, for adapters that own their response object. */
  headers(session: Session<Data, Flash>, status?: number): Promise<SessionHeaders>;
  /**
   * Logs a user in: gives the session a new id (against fixation) and records
   * it under `userId` in the per-user index.
   */
  login(session: Session<Data, Flash>, userId: string): Promise<void>;
  /** The user a session was logged in for, if any. */
  userOf(session: Session<Data, Flash>): string | undefined;
  /**
   * A user's sessions, newest activity first (server stores with a per-user
   * index). Pass the request's own session as `current` to have it marked.
   */
  listByUser(userId: string, options?: { current?: Session<Data, Flash> }): Promise<SessionInfo[]>;
  /** Ends one session by the handle `listByUser` gave. Returns false for an unknown handle. */
  revoke(handle: string): Promise<boolean>;
  /**
   * Ends every session of a user ("log out everywhere"), except
   * `options.except`. Server stores delete the records; sealed cookies need
   * the `revocation` option.
   */
  revokeUser(userId: string, options?: { except?: Session<Data, Flash> }): Promise<void>;
  /** The session cookie's name. */
  readonly cookieName: string;
  /** The session cookie's name and attributes, as they are sent. */
  readonly cookie: Readonly<SetCookieOptions & { name: string }>;
  /** The resolved expiry, in ms. */
  readonly expiry: Expiry;
  /** The key ring, for features that derive keys of their own purpose. */
  readonly keys: KeyRing;
  /** The store in use. */
  readonly store: SessionStore;
}

const NO_HEADERS: SessionHeaders = Object.freeze({
  setCookie: [],
  vary: false,
  noStore: false,
}) as unknown as SessionHeaders;

export { storeKey };

/**
 * The manager's synchronous path, for tessera's adapters (`syncPath()`; the
 * package does not export it). `load` and `headers` are those of
 * {@link Sessions}, but answer without a promise when no store call needed
 * one, and may then throw instead of rejecting, with the same errors.
 */
export interface SyncPath<Data extends SessionData, Flash extends FlashTypes> {
  load(request: RequestLike): Session<Data, Flash> | Promise<Session<Data, Flash>>;
  headers(session: Session<Data, Flash>, status?: number): SessionHeaders | Promise<SessionHeaders>;
}

const syncPaths = new WeakMap<object, SyncPath<SessionData, FlashTypes>>();

/**
 * The synchronous path of sessions made by {@link createSessions}; undefined
 * for any other object (a wrapper of them, say), whose promise-based `load`
 * and `headers` the adapters then use.
 *
 * @example
 * const path = syncPath(sessions);
 * const session = path ? path.load(request) : await sessions.load(request);
 */
export function syncPath<Data extends SessionData, Flash extends FlashTypes>(
  sessions: Sessions<Data, Flash>,
): SyncPath<Data, Flash> | undefined {
  return syncPaths.get(sessions) as SyncPath<Data, Flash> | undefined;
}

// NODE_ENV where there is one: Deno without --allow-env throws on access,
// and Workers without nodejs_compat have no process at all.
function nodeEnv(): string | undefined {
  try {
    return globalThis.process?.env?.NODE_ENV;
  } catch {
    return undefined;
  }
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  console.warn(message);
}

// A store's answer may be a value or a promise of one.
function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

// The steps of a commit, written once for both paths: a generator that
// yields each store answer and gets it back. run() hands a value straight
// back, so a commit whose store answers synchronously (a sealed cookie, the
// memory store) ends without a promise; a promise is awaited by resume(),
// which throws a rejection back into the steps and runs on.
type Steps<T> = Generator<unknown, T, unknown>;

function run<T>(steps: Steps<T>, step = steps.next()): T | Promise<T> {
  while (!step.done) {
    if (isThenable(step.value)) return resume(steps, step.value);
    step = steps.next(step.value);
  }
  return step.value;
}

async function resume<T>(steps: Steps<T>, pending: Promise<unknown>): Promise<T> {
  const step = await pending.then(
    (answer) => steps.next(answer),
    (error: unknown) => steps.throw(error),
  );
  const rest = run(steps, step);
  return isThenable(rest) ? await rest : rest;
}

function patchOf(state: SessionState): RecordPatch {
  const record = state.record;
  const patch: RecordPatch = { set: {}, delete: [], lastActiveAt: record.lastActiveAt };
  for (const key of state.changed) {
    if (Object.hasOwn(record.data, key)) patch.set[key] = record.data[key];
    else patch.delete.push(key);
  }
  if (state.flashChanged) patch.flash = record.flash;
  if (state.metaChanged) {
    patch.permanent = record.permanent;
    if (record.userId !== undefined) patch.userId = record.userId;
    if (record.userAgent !== undefined) patch.userAgent = record.userAgent;
  }
  return patch;
}

/**
 * Creates the session manager: one object per application, shared by all
 * requests.
 *
 * Writing rules: nothing is written for a session that was only read, nor on
 * a 5xx response. A modified session is written whole (cookie store, or a new
 * server session) or as a per-key patch (an existing server session); an
 * unmodified one is written again only when a refresh is due (see
 * `expiry.refresh`) or when it was read with an older secret. An emptied
 * cookie session has its cookie cleared.
 *
 * @example
 * import { createSessions } from "tessera";
 *
 * type Data = { visits?: number };
 * type Flash = { success: string; error: string };
 * const sessions = createSessions<Data, Flash>({
 *   secrets: [process.env.TESSERA_SECRET!],
 *   expiry: { idle: "30m", absolute: "12h", remember: "7d" },
 * });
 *
 * export async function handle(request: Request): Promise<Response> {
 *   const session = await sessions.load(request);
 *   session.set("visits", (session.get("visits") ?? 0) + 1);
 *   return sessions.commit(session, new Response(`visit ${session.get("visits")}`));
 * }
 */
export function createSessions<
  Data extends SessionData = SessionData,
  Flash extends FlashTypes = FlashTypes,
>(options: SessionsOptions): Sessions<Data, Flash> {
  if (options === null || typeof options !== "object") {
    throw new ConfigError("createSessions() needs an options object");
  }
  const keys = new KeyRing(options.secrets);
  const expiry = resolveExpiry(options.expiry);
  const clock = options.now ?? Date.now;
  const store = options.store ?? sealedCookieStore();
  if (store.kind !== "cookie" && store.kind !== "server") {
    throw new ConfigError(
      `store.kind must be "cookie" or "server", got ${JSON.stringify(store.kind)}`,
    );
  }
  store.setup?.({ keys, expiry });
  const server = store.kind === "server";
  const signer = createSigner(keys, "id");
  const handles = createSigner(keys, "handle");
  const failOpen = options.onStoreError === "fail-open";
  if (options.onStoreError !== undefined && !failOpen && options.onStoreError !== "fail-closed") {
    throw new ConfigError(
      `onStoreError must be "fail-closed" or "fail-open", got ${JSON.stringify(options.onStoreError)}`,
    );
  }
  const timeout = toMillis(options.storeTimeout ?? "2s", "storeTimeout");
  const retryAfter = options.retryAfter ?? 5;

  const {
    name: givenName = "__Host-session",
    allowUnprefixed: _,
    ...cookieOptions
  } = options.cookie ?? {};
  const attributes: SetCookieOptions = {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "lax",
    ...cookieOptions,
  };
  const production = nodeEnv() === "production";
  let name = givenName;
  if (options.development === true) {
    if (production)
      throw new ConfigError('development mode is refused when NODE_ENV is "production"');
    name = name.replace(/^__(Host|Secure)-/i, "");
    attributes.secure = false;
    warnOnce(
      `[tessera] development mode: the session cookie "${name}" is sent without Secure and without its __Host- prefix. Never use this in production.`,
    );
  } else if (production) {
    if (attributes.secure === false || attributes.httpOnly === false) {
      throw new ConfigError(
        `in production the session cookie must be Secure and HttpOnly (got secure: ${attributes.secure}, httpOnly: ${attributes.httpOnly})`,
      );
    }
    // ASVS 5.0 V3.3.1: a cookie without the __Host- prefix uses __Secure-.
    if (!/^__(Host|Secure)-/.test(name) && options.cookie?.allowUnprefixed !== true) {
      throw new ConfigError(
        `in production the session cookie's name needs the __Host- (or __Secure-) prefix, got ${JSON.stringify(name)}; set cookie.allowUnprefixed to share a cookie with another app (Flask's "session", say)`,
      );
    }
  }
  // Fails now, not on the first request, for a bad name or an unsafe mix
  // (a __Host- name with a Domain, SameSite=None without Secure, …); each
  // response then only checks the value.
  const setCookie = compileSetCookie(name, attributes);
  const deletion = deleteCookie(name, attributes);
  const cookie = Object.freeze({ name, ...attributes });

  if (options.revocation !== undefined && (server || options.revocation.store?.kind !== "server")) {
    throw new ConfigError(
      "revocation is for sealed-cookie sessions and needs a server store (revocation: { store: sqliteStore(…) }); server sessions are revoked by deleting them",
    );
  }
  const revocation: Revocation | undefined =
    options.revocation === undefined
      ? undefined
      : createRevocation(options.revocation.store, expiry, timeout, retryAfter);
  options.revocation?.store.setup?.({ keys, expiry });

  // One store call. A synchronous answer (the memory and SQLite stores) comes
  // back as is, a synchronous throw as a thrown StoreUnavailableError; only a
  // promise goes through guard() and its deadline.
  function call<T>(operation: string, fn: () => T | Promise<T>): T | Promise<T> {
    if (!server) return fn();
    let answer: T | Promise<T>;
    try {
      answer = fn();
    } catch (error) {
      throw error instanceof StoreUnavailableError
        ? error
        : new StoreUnavailableError(operation, error, retryAfter);
    }
    return isThenable(answer) ? guard(operation, timeout, retryAfter, () => answer) : answer;
  }

  function fresh(
    now: number,
    hadBadCookie: boolean,
    headers: RequestLike["headers"],
    readOnly = false,
  ): Session<Data, Flash> {
    return new Session<Data, Flash>(
      expiry,
      newRecord(now),
      true,
      null,
      hadBadCookie,
      headers,
      readOnly,
    );
  }

  function read(
    value: string,
    context: StoreContext,
  ): SessionRecord | null | Promise<SessionRecord | null> {
    if (!server) return store.get(value, context);
    const verified = signer.verify(value, name);
    if (verified === null) return null;
    const adopt = (record: SessionRecord | null) => {
      if (record === null) return null;
      record.id = verified.value;
      if (verified.stale) record.resave = true;
      return record;
    };
    const record = call("get", () => store.get(storeKey(verified.value), context));
    return isThenable(record) ? record.then(adopt) : adopt(record);
  }

  const usable = (record: SessionRecord | null, context: StoreContext): SessionRecord | null =>
    record === null || context.now >= expiresAt(expiry, record) ? null : record;

  // A record that may be used: present, not expired, not revoked. When the
  // store answers synchronously (a sealed cookie, the memory store), so does
  // this: each promise costs a trip through the microtask queue.
  function valid(
    value: string,
    context: StoreContext,
  ): SessionRecord | null | Promise<SessionRecord | null> {
    const record = read(value, context);
    if (revocation !== undefined) return notRevoked(record, context);
    return isThenable(record)
      ? record.then((found) => usable(found, context))
      : usable(record, context);
  }

  async function notRevoked(
    pending: SessionRecord | null | Promise<SessionRecord | null>,
    context: StoreContext,
  ): Promise<SessionRecord | null> {
    const record = usable(await pending, context);
    if (record !== null && (await revocation!.revoked(record, context))) return null;
    return record;
  }

  // More than one cookie of our name: another path's, a stale one, or one
  // tossed from a sibling subdomain. Use the one that is valid; when several
  // are, refuse to guess and start anonymous.
  async function validOne(values: string[], context: StoreContext): Promise<SessionRecord | null> {
    let record: SessionRecord | null = null;
    for (const candidate of values) {
      const found = await valid(candidate, context);
      if (found === null) continue;
      if (record !== null) return null;
      record = found;
    }
    return record;
  }

  // load(), without a promise when no store call needed one.
  function loadNow(request: RequestLike): Session<Data, Flash> | Promise<Session<Data, Flash>> {
    const now = clock();
    const headers = request.headers;
    // One scan of the header finds every cookie of our name.
    const values = getAllCookies(headers.get("cookie"), name);
    const value = values[0];
    if (value === undefined || value === "") return fresh(now, false, headers);
    const context: StoreContext = { cookieName: name, now };
    const opened = (record: SessionRecord | null) =>
      record === null
        ? fresh(now, true, headers)
        : new Session<Data, Flash>(expiry, record, false, record.id, false, headers);
    const failed = (error: unknown) => {
      if (failOpen && error instanceof StoreUnavailableError)
        return fresh(now, false, headers, true);
      throw error;
    };
    let found: SessionRecord | null | Promise<SessionRecord | null>;
    try {
      found = values.length === 1 ? valid(value, context) : validOne(values, context);
    } catch (error) {
      return failed(error);
    }
    return isThenable(found) ? found.then(opened, failed) : opened(found);
  }

  async function load(request: RequestLike): Promise<Session<Data, Flash>> {
    const session = loadNow(request);
    return isThenable(session) ? await session : session;
  }

  // The store writes of a server session. Returns whether the cookie must be (re)sent.
  function* writeServer(
    state: SessionState,
    modified: boolean,
    context: StoreContext,
  ): Steps<boolean> {
    const record = state.record;
    if (record.id === "") record.id = randomId();
    const key = storeKey(record.id);
    const renamed = state.loadedId !== null && state.loadedId !== record.id;
    if (state.isNew || renamed) {
      yield call("set", () => store.set(key, { ...record, id: key }, context));
      // The old id dies only once the new record exists.
      if (renamed) yield call("destroy", () => store.destroy(storeKey(state.loadedId!), context));
      return true;
    }
    if (modified) {
      if (store.patch !== undefined)
        yield call("patch", () => store.patch!(key, patchOf(state), context));
      else yield call("set", () => store.set(key, { ...record, id: key }, context));
    } else if (record.resave !== true) {
      if (store.touch !== undefined)
        yield call("touch", () => store.touch!(key, record.lastActiveAt, context));
      else if (store.patch !== undefined) {
        yield call("patch", () =>
          store.patch!(key, { set: {}, delete: [], lastActiveAt: record.lastActiveAt }, context),
        );
      } else yield call("set", () => store.set(key, { ...record, id: key }, context));
    }
    // A browser-session cookie holding the same id needs no new Set-Cookie;
    // a permanent one does, to slide its Max-Age.
    return record.permanent || state.metaChanged || record.resave === true;
  }

  function* write(state: SessionState, result: SessionHeaders, now: number): Steps<void> {
    const record = state.record;
    const context: StoreContext = { cookieName: name, now };
    const stored = !state.isNew;
    const modified =
      state.changed.size > 0 ||
      state.cleared ||
      state.flashChanged ||
      state.metaChanged ||
      state.regenerated;

    if (revocation !== undefined) {
      // A logged-in cookie session that ends, changes user or changes id:
      // copies of its old cookie must stop working.
      const user = state.loadedUserId;
      const id = state.loadedId;
      if (user !== undefined && id !== null && id !== "") {
        if (state.destroyed || record.userId !== user || record.id !== id) {
          yield revocation.revokeSession(user, id, context);
          if (record.id === id) record.id = "";
        }
      }
      if (!state.destroyed && record.userId !== undefined && record.id === "")
        record.id = randomId(16);
    }

    if (state.destroyed) {
      if (server && state.loadedId !== null) {
        const loaded = state.loadedId;
        yield call("destroy", () => store.destroy(storeKey(loaded), context));
      }
      if (stored || state.hadBadCookie) {
        result.setCookie.push(deletion);
        result.noStore = true;
      }
      return;
    }
    // An emptied cookie session (no data, no flash, no user) is deleted, as
    // Flask does. A server session keeps its (empty) record: a concurrent
    // request may be adding a key.
    const empty =
      Object.keys(record.data).length === 0 &&
      record.flash.length === 0 &&
      record.userId === undefined;
    if (!server && modified && empty) {
      if (stored || state.hadBadCookie) {
        result.setCookie.push(deletion);
        result.noStore = true;
      }
      return;
    }

    const refresh = stored && !modified && refreshDue(expiry, record, now);
    if (!modified && !refresh && record.resave !== true) return;
    if (modified || refresh) record.lastActiveAt = now;
    const end = expiresAt(expiry, record);
    context.expiresAt = end;

    let value: string;
    if (server) {
      if (!(yield* writeServer(state, modified, context))) return;
      value = signer.sign(record.id, name);
    } else {
      value = (yield store.set("", record, context)) as string;
    }
    delete record.resave;
    const maxAge = record.permanent ? Math.max(0, Math.floor((end - now) / 1000)) : undefined;
    result.setCookie.push(setCookie(value, maxAge));
    result.noStore = true;
  }

  // headers(), without a promise when no store call needed one.
  function headersNow(
    session: Session<Data, Flash>,
    status = 200,
  ): SessionHeaders | Promise<SessionHeaders> {
    const state = sessionState(session);
    // An untouched visitor without a session costs nothing.
    if (state.isNew && !state.accessed) return NO_HEADERS;
    const result: SessionHeaders = { setCookie: [], vary: state.accessed, noStore: false };
    if (status >= 500 || state.readOnly) return result;
    const failed = (error: unknown) => {
      if (failOpen && error instanceof StoreUnavailableError)
        return { setCookie: [], vary: result.vary, noStore: false };
      throw error;
    };
    let written: void | Promise<void>;
    try {
      written = run(write(state, result, clock()));
    } catch (error) {
      return failed(error);
    }
    return isThenable(written) ? written.then(() => result, failed) : result;
  }

  async function headers(session: Session<Data, Flash>, status = 200): Promise<SessionHeaders> {
    const result = headersNow(session, status);
    return isThenable(result) ? await result : result;
  }

  async function commit(session: Session<Data, Flash>, response: Response): Promise<Response> {
    const pending = headersNow(session, response.status);
    const result = isThenable(pending) ? await pending : pending;
    if (result === NO_HEADERS) return response;
    try {
      applySessionHeaders(response.headers, result);
      return response;
    } catch {
      // Response.redirect() and fetch() responses have immutable headers: copy.
      const copy = new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: new Headers(response.headers),
      });
      applySessionHeaders(copy.headers, result);
      return copy;
    }
  }

  async function login(session: Session<Data, Flash>, userId: string): Promise<void> {
    if (typeof userId !== "string" || userId === "") {
      throw new TypeError("argument userId is invalid: a non-empty string is needed");
    }
    await session.regenerate();
    const state = sessionState(session);
    // An authenticated session starts at login: the absolute limit and a
    // remembered session's lifetime count from here.
    state.record.createdAt = clock();
    state.record.userId = userId;
    const agent = state.headers?.get("user-agent");
    if (agent) state.record.userAgent = agent.slice(0, 256);
    state.metaChanged = true;
  }

  function needsIndex(method: string): void {
    if (store.listByUser === undefined || store.destroyByUser === undefined) {
      throw new ConfigError(
        `sessions.${method}() needs a server store with a per-user index (listByUser/destroyByUser)`,
      );
    }
  }

  async function listByUser(
    userId: string,
    options: { current?: Session<Data, Flash> } = {},
  ): Promise<SessionInfo[]> {
    needsIndex("listByUser");
    const now = clock();
    const currentId = options.current === undefined ? "" : sessionState(options.current).record.id;
    const currentKey = currentId === "" ? "" : storeKey(currentId);
    const rows = await call("listByUser", () =>
      store.listByUser!(userId, { cookieName: name, now }),
    );
    const out: SessionInfo[] = [];
    for (const [key, record] of rows) {
      if (now >= expiresAt(expiry, record)) continue;
      const info: SessionInfo = {
        handle: handles.sign(key, name),
        createdAt: new Date(record.createdAt),
        lastActiveAt: new Date(record.lastActiveAt),
        permanent: record.permanent,
        current: key === currentKey,
      };
      if (record.userAgent !== undefined) info.userAgent = record.userAgent;
      out.push(info);
    }
    return out.sort((a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime());
  }

  async function revoke(handle: string): Promise<boolean> {
    needsIndex("revoke");
    const verified = handles.verify(handle, name);
    if (verified === null) return false;
    await call("destroy", () => store.destroy(verified.value, { cookieName: name, now: clock() }));
    return true;
  }

  async function revokeUser(
    userId: string,
    options: { except?: Session<Data, Flash> } = {},
  ): Promise<void> {
    const context: StoreContext = { cookieName: name, now: clock() };
    if (!server) {
      if (revocation === undefined) {
        throw new ConfigError(
          "sessions.revokeUser() on sealed-cookie sessions needs the revocation option",
        );
      }
      await revocation.revokeUser(userId, context);
      // The kept session is written again after the cut-off, so it survives.
      if (options.except !== undefined) sessionState(options.except).metaChanged = true;
      return;
    }
    needsIndex("revokeUser");
    const except: string[] = [];
    if (options.except !== undefined) {
      const id = sessionState(options.except).record.id;
      if (id !== "") except.push(storeKey(id));
    }
    await call("destroyByUser", () => store.destroyByUser!(userId, except, context));
  }

  const sessions: Sessions<Data, Flash> = {
    load,
    commit,
    headers,
    login,
    userOf: (session) => sessionState(session).record.userId,
    listByUser,
    revoke,
    revokeUser,
    cookieName: name,
    cookie,
    expiry,
    keys,
    store,
  };
  syncPaths.set(sessions, { load: loadNow, headers: headersNow });
  return sessions;
}
