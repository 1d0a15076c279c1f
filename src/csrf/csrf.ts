import type { KeyRing } from "../crypto/keys.ts";
import { randomId } from "../crypto/random.ts";
import { ConfigError } from "../errors.ts";
import {
  type FlashTypes,
  type Session,
  type SessionData,
  type SessionState,
  sessionState,
} from "../session/session.ts";
import { type CsrfRequest, checkOrigin, isSafeMethod, trustedOrigin } from "./origin.ts";
import { type CsrfReason, type CsrfResult, fail, forbidden, PASS } from "./result.ts";
import { maskToken, tokenMatches } from "./token.ts";

/**
 * The session data key that holds the CSRF secret (32 random bytes,
 * base64url). Reserved: do not set it yourself, and leave it out when you
 * show session data. Knowing it does not let anyone make a token (that takes
 * the server's key), but it need not leave the server.
 *
 * @example
 * const { [CSRF_SESSION_KEY]: _, ...shown } = session.toJSON();
 */
export const CSRF_SESSION_KEY = "_csrf";

// randomId(32): 32 bytes of base64url are 43 characters.
const SECRET_CHARS = 43;

/**
 * Anything with a `get(name)`: `FormData`, `URLSearchParams`, a framework's
 * parsed body.
 *
 * @example
 * const form: FormLike = await request.formData();
 * await csrf.check(request, session, form);
 */
export interface FormLike {
  get(name: string): unknown;
}

/**
 * Options of {@link createCsrf}.
 *
 * @example
 * const options: CsrfOptions = { trustedOrigins: ["https://admin.example.com"] };
 */
export interface CsrfOptions {
  /** The form field that carries the token. Default `"_csrf"`. */
  fieldName?: string;
  /** The request header that carries the token (fetch, HTMX, …). Default `"x-csrf-token"`. */
  headerName?: string;
  /**
   * Other origins allowed to send unsafe requests, as browsers send them in
   * `Origin`: `"https://admin.example.com"`, `"http://localhost:5173"`. No
   * path, not even "/". Their requests still need a valid token.
   */
  trustedOrigins?: readonly string[];
}

/**
 * What {@link createCsrf} returns: one object per application, shared by
 * all requests.
 *
 * @example
 * const csrf: Csrf = createCsrf(sessions);
 */
export interface Csrf {
  /** The form field name that {@link Csrf.check} reads. */
  readonly fieldName: string;
  /** The header name (lowercase) that {@link Csrf.check} reads first. */
  readonly headerName: string;
  /**
   * A token for this session, for a hidden form field or a header. Each call
   * gives a different string (a fresh mask); all of them stay valid until
   * {@link Csrf.rotate}. On a session without a secret (an anonymous visitor,
   * a login form) it creates one, so the session is saved on commit.
   *
   * @example
   * const html = `<input type="hidden" name="${csrf.fieldName}" value="${csrf.token(session)}">`;
   */
  token<D extends SessionData, F extends FlashTypes>(session: Session<D, F>): string;
  /**
   * Replaces the session's secret, so every token issued before fails. Call
   * it after `sessions.login()` (OWASP: a new token after authentication),
   * then render or redirect to pages that take fresh tokens.
   *
   * @example
   * await sessions.login(session, user.id);
   * csrf.rotate(session);
   */
  rotate<D extends SessionData, F extends FlashTypes>(session: Session<D, F>): void;
  /**
   * The whole check for one request: safe methods pass; then the origin
   * check ({@link Csrf.originCheck}); then the token, from the header, else
   * from `form`, else from a clone of the request's body when it is
   * `application/x-www-form-urlencoded` or `multipart/form-data` (the
   * request's own body stays unread). Pass `form` when you have parsed the
   * body already. Always resolves to a result; throws only when the body was
   * consumed and no `form` was given.
   *
   * @example
   * const result = await csrf.check(request, session);
   * if (!result.ok) return sessions.commit(session, csrf.forbidden(result));
   */
  check<D extends SessionData, F extends FlashTypes>(
    request: CsrfRequest,
    session: Session<D, F>,
    form?: FormLike,
  ): Promise<CsrfResult>;
  /**
   * Only the token part of {@link Csrf.check}, for a token you took from the
   * request yourself (a JSON body, a WebSocket message). It does not look
   * at the method or origin: prefer `check`.
   *
   * @example
   * const result = csrf.verify(session, body.csrf);
   */
  verify<D extends SessionData, F extends FlashTypes>(
    session: Session<D, F>,
    token: unknown,
  ): CsrfResult;
  /**
   * Only the origin part of {@link Csrf.check}: Sec-Fetch-Site and Origin,
   * no token. Useful as a first line for routes with no session.
   *
   * @example
   * const result = csrf.originCheck(request);
   * if (!result.ok) return csrf.forbidden(result);
   */
  originCheck(request: CsrfRequest): CsrfResult;
  /**
   * The 403 response for a failure (see {@link forbidden}).
   *
   * @example
   * if (!result.ok) return csrf.forbidden(result);
   */
  forbidden(failure: { readonly reason: CsrfReason }): Response;
}

// tchar (RFC 9110 §5.6.2), for the header name; checked once, at setup.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function isFormType(contentType: string | null): boolean {
  if (contentType === null) return false;
  // The media type is case-insensitive and parameters follow a ";"
  // (RFC 9110 §8.3.1): "Application/x-www-form-urlencoded; charset=UTF-8".
  const semicolon = contentType.indexOf(";");
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  return type === "application/x-www-form-urlencoded" || type === "multipart/form-data";
}

function secretOf(state: SessionState): string | undefined {
  const value = state.record.data[CSRF_SESSION_KEY];
  // Anything else (a value set by hand, an old format) is no secret.
  return typeof value === "string" && value.length === SECRET_CHARS ? value : undefined;
}

function newSecret(state: SessionState): string {
  const secret = randomId(32);
  // Through the session state, as Session.set does: the key is marked
  // changed, so the session is saved (a per-key patch on server stores).
  state.accessed = true;
  state.record.data[CSRF_SESSION_KEY] = secret;
  state.changed.add(CSRF_SESSION_KEY);
  return secret;
}

/**
 * CSRF protection for the sessions of `sessions`: an origin check in the
 * style of Go's `CrossOriginProtection`, then a synchronizer token bound to
 * the session and masked per response (BREACH-safe).
 *
 * The session keeps a random secret under {@link CSRF_SESSION_KEY}; a token
 * is a fresh random mask and the mask XOR HMAC-SHA256(CSRF key, secret), the
 * key being derived from the session secrets for the purpose `"csrf"`. Every
 * key of the ring verifies, so rotating the secrets keeps tokens valid. A
 * token of another session, key ring or purpose fails.
 *
 * @example
 * import { createSessions } from "tessera";
 * import { createCsrf } from "tessera/csrf";
 *
 * const sessions = createSessions({ secrets: [process.env.TESSERA_SECRET!] });
 * const csrf = createCsrf(sessions);
 *
 * async function handle(request: Request): Promise<Response> {
 *   const session = await sessions.load(request);
 *   const result = await csrf.check(request, session); // safe methods pass
 *   if (!result.ok) {
 *     console.warn(`csrf: ${result.detail}`);
 *     return sessions.commit(session, csrf.forbidden(result));
 *   }
 *   if (request.method === "POST" && new URL(request.url).pathname === "/login") {
 *     // …check the password…
 *     await sessions.login(session, user.id);
 *     csrf.rotate(session);
 *     return sessions.commit(session, Response.redirect(new URL("/", request.url), 303));
 *   }
 *   const form = `<form method="post" action="/login">
 *     <input type="hidden" name="${csrf.fieldName}" value="${csrf.token(session)}">…</form>`;
 *   return sessions.commit(session, new Response(form, { headers: { "content-type": "text/html" } }));
 * }
 */
export function createCsrf(sessions: { readonly keys: KeyRing }, options: CsrfOptions = {}): Csrf {
  if (sessions === null || typeof sessions !== "object" || sessions.keys === undefined) {
    throw new ConfigError("createCsrf() needs the object createSessions() returned");
  }
  const { fieldName = "_csrf", headerName = "x-csrf-token", trustedOrigins = [] } = options;
  if (typeof fieldName !== "string" || fieldName === "") {
    throw new ConfigError(
      `csrf fieldName must be a non-empty string, got ${JSON.stringify(fieldName)}`,
    );
  }
  if (typeof headerName !== "string" || !HEADER_NAME.test(headerName)) {
    throw new ConfigError(
      `csrf headerName must be a header name, got ${JSON.stringify(headerName)}`,
    );
  }
  if (!Array.isArray(trustedOrigins)) {
    throw new ConfigError("csrf trustedOrigins must be an array of origins");
  }
  const trusted: ReadonlySet<string> = new Set(trustedOrigins.map(trustedOrigin));
  const keys = sessions.keys.keys("csrf");
  const newest = keys[0]!;
  const header = headerName.toLowerCase();

  const missing = fail("missing token", `no ${header} header and no ${fieldName} form field`);
  const noSession = fail(
    "no session",
    "the session holds no CSRF secret (no session cookie, an expired session, or no token was issued)",
  );
  const invalid = fail("invalid token", "the token does not belong to this session and key ring");

  function verify<D extends SessionData, F extends FlashTypes>(
    session: Session<D, F>,
    token: unknown,
  ): CsrfResult {
    if (token === null || token === undefined || token === "") return missing;
    const state = sessionState(session);
    state.accessed = true;
    const secret = secretOf(state);
    if (secret === undefined) return noSession;
    return tokenMatches(keys, secret, token) ? PASS : invalid;
  }

  async function tokenOf(request: CsrfRequest, form: FormLike | undefined): Promise<unknown> {
    const value = request.headers.get(header);
    if (value !== null && value !== "") return value;
    if (form !== undefined) return form.get(fieldName);
    if (!isFormType(request.headers.get("content-type"))) return null;
    const body = request as Partial<Pick<Request, "clone" | "bodyUsed">>;
    if (typeof body.clone !== "function") return null;
    if (body.bodyUsed === true) {
      throw new TypeError(
        "[tessera] [csrf] check(): the request body was already read; pass the parsed form as the third argument",
      );
    }
    try {
      return (await body.clone().formData()).get(fieldName);
    } catch {
      // A malformed body carries no token.
      return null;
    }
  }

  return {
    fieldName,
    headerName: header,
    token(session) {
      const state = sessionState(session);
      state.accessed = true;
      return maskToken(newest, secretOf(state) ?? newSecret(state));
    },
    rotate(session) {
      newSecret(sessionState(session));
    },
    async check(request, session, form) {
      if (isSafeMethod(request.method)) return PASS;
      // The origin check runs first: a cross-site request fails even with a
      // valid token (a token can leak; the browser's headers cannot be forged
      // by a page).
      const origin = checkOrigin(request, trusted);
      if (!origin.ok) return origin;
      return verify(session, await tokenOf(request, form));
    },
    verify,
    originCheck: (request) => checkOrigin(request, trusted),
    forbidden,
  };
}
