import { hash } from "node:crypto";
import { getCookie } from "../cookie/parse-cookie.ts";
import { deleteCookie, type SetCookieOptions, stringifySetCookie } from "../cookie/set-cookie.ts";
import { KeyRing } from "../crypto/keys.ts";
import { randomId } from "../crypto/random.ts";
import type { Secret } from "../crypto/secrets.ts";
import { createSigner } from "../crypto/sign.ts";
import { ConfigError } from "../errors.ts";
import {
  type Expiry,
  type ExpiryOptions,
  expiresAt,
  refreshDue,
  resolveExpiry,
} from "../session/expiry.ts";
import type { SessionRecord } from "../session/record.ts";
import { sealedCookieStore } from "../session/sealed-cookie.ts";
import { type FlashTypes, Session, type SessionData, sessionState } from "../session/session.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";
import { applySessionHeaders, type SessionHeaders } from "./headers.ts";

/**
 * The session cookie's name and attributes. Defaults: `__Host-session`,
 * `Secure`, `HttpOnly`, `SameSite=Lax`, `Path=/`. Max-Age and Expires are
 * managed by the expiry settings.
 */
export interface SessionCookieOptions
  extends Omit<SetCookieOptions, "maxAge" | "expires" | "encode"> {
  name?: string;
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
  /** Reads the session cookie; a missing, expired, tampered or foreign one gives a fresh anonymous session. */
  load(request: RequestLike): Promise<Session<Data, Flash>>;
  /** Writes what changed and returns the response with Set-Cookie, Vary and Cache-Control added. */
  commit(session: Session<Data, Flash>, response: Response): Promise<Response>;
  /** The commit as header values, for adapters that own their response object. */
  headers(session: Session<Data, Flash>, status?: number): Promise<SessionHeaders>;
  /** The session cookie's name. */
  readonly cookieName: string;
  /** The resolved expiry, in ms. */
  readonly expiry: Expiry;
  /** The key ring, for features that derive keys of their own purpose. */
  readonly keys: KeyRing;
}

const NO_HEADERS: SessionHeaders = Object.freeze({
  setCookie: [],
  vary: false,
  noStore: false,
}) as SessionHeaders;

// A server store sees only a hash of the id, so a leaked store holds no live cookie.
function storeKey(id: string): string {
  return hash("sha256", id, "base64url");
}

/**
 * Creates the session manager: one object per application, shared by all
 * requests.
 *
 * Writing rules: nothing is written for a session that was only read, nor on
 * a 5xx response. A modified session is written whole (cookie store) or by
 * key (server store); an unmodified one is written again only when a refresh
 * is due (see `expiry.refresh`) or when it was read with an older secret. An
 * emptied session that existed before has its cookie cleared.
 *
 * @example
 * import { createSessions } from "tessera";
 *
 * type Data = { userId?: string; visits?: number };
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
  if (options === null || typeof options !== "object")
    throw new ConfigError("createSessions() needs an options object");
  const keys = new KeyRing(options.secrets);
  const expiry = resolveExpiry(options.expiry);
  const clock = options.now ?? Date.now;
  const store = options.store ?? sealedCookieStore();
  store.setup?.({ keys, expiry });
  const server = store.kind === "server";
  const signer = createSigner(keys, "id");

  const { name = "__Host-session", ...cookieOptions } = options.cookie ?? {};
  const attributes: SetCookieOptions = {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "lax",
    ...cookieOptions,
  };
  // Fails now, not on the first request, for a bad name or an unsafe mix
  // (a __Host- name with a Domain, SameSite=None without Secure, …).
  stringifySetCookie(name, "x", attributes);
  const deletion = deleteCookie(name, attributes);

  function fresh(hadBadCookie: boolean, now: number): Session<Data, Flash> {
    const record: SessionRecord = {
      id: "",
      data: {},
      flash: [],
      createdAt: now,
      lastActiveAt: now,
      permanent: false,
    };
    return new Session<Data, Flash>(expiry, record, true, null, hadBadCookie);
  }

  async function read(value: string, context: StoreContext): Promise<SessionRecord | null> {
    if (!server) return store.get(value, context);
    const verified = signer.verify(value, name);
    if (verified === null) return null;
    const record = await store.get(storeKey(verified.value), context);
    if (record === null) return null;
    record.id = verified.value;
    if (verified.stale) record.resave = true;
    return record;
  }

  async function load(request: RequestLike): Promise<Session<Data, Flash>> {
    const now = clock();
    const value = getCookie(request.headers.get("cookie"), name);
    if (value === undefined || value === "") return fresh(false, now);
    const record = await read(value, { cookieName: name, now });
    if (record === null || now >= expiresAt(expiry, record)) return fresh(true, now);
    return new Session<Data, Flash>(expiry, record, false, server ? record.id : null);
  }

  async function headers(session: Session<Data, Flash>, status = 200): Promise<SessionHeaders> {
    const state = sessionState(session);
    // An untouched visitor without a session costs nothing.
    if (state.isNew && !state.accessed) return NO_HEADERS;
    const result: SessionHeaders = { setCookie: [], vary: state.accessed, noStore: false };
    if (status >= 500) return result;

    const now = clock();
    const record = state.record;
    const context: StoreContext = { cookieName: name, now };
    const stored = !state.isNew;
    const empty = Object.keys(record.data).length === 0 && record.flash.length === 0;

    // Destroyed, or emptied by the handler: remove what exists.
    if (state.destroyed || (session.isModified && empty)) {
      if (server && state.loadedId !== null) await store.destroy(storeKey(state.loadedId), context);
      if (stored || state.hadBadCookie) {
        result.setCookie.push(deletion);
        result.noStore = true;
      }
      return result;
    }

    const modified = session.isModified;
    const refresh = stored && !modified && refreshDue(expiry, record, now);
    if (!modified && !refresh && record.resave !== true) return result;

    if (modified || refresh) record.lastActiveAt = now;
    // Only a server session needs an id; a cookie session is its cookie.
    if (server && record.id === "") record.id = randomId();
    delete record.resave;
    const end = expiresAt(expiry, record);
    context.expiresAt = end;

    let value: string;
    if (server) {
      if (state.loadedId !== null && state.loadedId !== record.id) {
        await store.destroy(storeKey(state.loadedId), context);
      }
      await store.set(storeKey(record.id), { ...record, id: storeKey(record.id) }, context);
      // An unchanged id in a browser-session cookie needs no new Set-Cookie.
      if (!record.permanent && state.loadedId === record.id && !state.metaChanged) return result;
      value = signer.sign(record.id, name);
    } else {
      value = (await store.set(record.id, record, context)) as string;
    }
    const maxAge = record.permanent ? Math.max(0, Math.floor((end - now) / 1000)) : undefined;
    result.setCookie.push(
      stringifySetCookie(
        name,
        value,
        maxAge === undefined ? attributes : { ...attributes, maxAge },
      ),
    );
    result.noStore = true;
    return result;
  }

  async function commit(session: Session<Data, Flash>, response: Response): Promise<Response> {
    const result = await headers(session, response.status);
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

  return { load, commit, headers, cookieName: name, expiry, keys };
}
