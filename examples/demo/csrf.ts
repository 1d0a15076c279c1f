// A minimal session-bound CSRF token (the "synchronizer token" pattern):
// a random token lives in the session, every form carries it in a hidden
// field, and every POST must send it back. A cross-site form cannot read the
// page, so it cannot know the token.
//
// Kept in its own file so that the library's CSRF feature can replace it.

import { randomBytes } from "node:crypto";
import { type Session, safeEqual } from "tessera";

/** The hidden field's name. */
export const CSRF_FIELD = "_csrf";

type WithCsrf = Session<{ csrf?: string }, Record<string, unknown>>;

/**
 * The session's token, made and stored on first use. Before login this
 * creates the (anonymous) session, so the login and register forms are
 * protected the same way.
 *
 * @example
 * html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken(session)}">`;
 */
export function csrfToken(session: WithCsrf): string {
  let token = session.get("csrf");
  if (token === undefined) {
    token = randomBytes(32).toString("base64url");
    session.set("csrf", token);
  }
  return token;
}

/**
 * Whether a submitted form carries the session's token. Compared in constant
 * time; a session without a token never matches.
 *
 * @example
 * if (!checkCsrf(session, form)) return forbidden();
 */
export function checkCsrf(session: WithCsrf, form: URLSearchParams): boolean {
  const expected = session.get("csrf");
  const given = form.get(CSRF_FIELD);
  if (expected === undefined || given === null) return false;
  return safeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * Replaces the token, e.g. at login, so a token seen before login is useless after it.
 *
 * @example
 * renewCsrf(session);
 */
export function renewCsrf(session: WithCsrf): void {
  session.set("csrf", randomBytes(32).toString("base64url"));
}
