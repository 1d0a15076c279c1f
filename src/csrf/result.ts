import { TesseraError } from "../errors.ts";

/**
 * Why a request was refused. Stable strings, safe to show and to log: none
 * of them carries a token or a secret.
 *
 * - `"cross-origin request"`: the browser says (Sec-Fetch-Site or Origin) the
 *   request comes from another origin that is not trusted.
 * - `"missing token"`: neither the header nor the form field holds a token.
 * - `"no session"`: the request carries no session with a CSRF secret (no
 *   cookie, an expired session, or no token was ever issued to it).
 * - `"invalid token"`: a token is there but was not made for this session
 *   with these keys (changed, foreign, rotated away, truncated).
 *
 * @example
 * if (!result.ok && result.reason === "no session") return Response.redirect(new URL("/login", request.url), 303);
 */
export type CsrfReason = "cross-origin request" | "missing token" | "no session" | "invalid token";

/**
 * A refused request: the reason, and a line for the log.
 *
 * @example
 * if (!result.ok) logger.warn({ csrf: result.reason }, result.detail);
 */
export interface CsrfFailure {
  readonly ok: false;
  readonly reason: CsrfReason;
  /**
   * One line for the server log, naming the headers that decided (the
   * Origin and Sec-Fetch-Site values, quoted and clipped). Never the token
   * or the secret. Not for the response: it echoes request headers.
   */
  readonly detail: string;
}

/**
 * The outcome of a CSRF check.
 *
 * @example
 * const result = await csrf.check(request, session);
 * if (!result.ok) {
 *   console.warn(`csrf: ${result.detail}`);
 *   return sessions.commit(session, forbidden(result));
 * }
 */
export type CsrfResult = { readonly ok: true } | CsrfFailure;

/**
 * The shared success value: results are read, never changed.
 *
 * @example
 * if (isSafeMethod(request.method)) return PASS;
 */
export const PASS: CsrfResult = Object.freeze({ ok: true });

/**
 * Builds a failure result.
 *
 * @example
 * return fail("missing token", "no x-csrf-token header and no _csrf form field");
 */
export function fail(reason: CsrfReason, detail: string): CsrfFailure {
  return Object.freeze({ ok: false, reason, detail });
}

/**
 * A refused CSRF check, for code that throws rather than branches. `reason`
 * is the same stable string as in the result; the message holds the log
 * detail and never a token.
 *
 * @example
 * const result = await csrf.check(request, session);
 * if (!result.ok) throw new CsrfError(result);
 * // …in the error handler:
 * if (error instanceof CsrfError) return forbidden(error);
 */
export class CsrfError extends TesseraError {
  readonly reason: CsrfReason;
  /** The HTTP status to answer with. */
  readonly status = 403;
  constructor(failure: { reason: CsrfReason; detail?: string }, options?: ErrorOptions) {
    super(
      "ERR_CSRF",
      `[tessera] [csrf] request refused: ${failure.reason}${failure.detail === undefined ? "" : ` (${failure.detail})`}`,
      options,
    );
    this.reason = failure.reason;
  }
}

/**
 * The 403 for a refused request: `text/plain` with the reason, never
 * cached. Takes a failed result or a {@link CsrfError}. The body holds only
 * the fixed reason string, not the request's headers.
 *
 * @example
 * const result = await csrf.check(request, session);
 * if (!result.ok) return sessions.commit(session, forbidden(result));
 * // HTTP 403, "Forbidden: missing token"
 */
export function forbidden(failure: { readonly reason: CsrfReason }): Response {
  return new Response(`Forbidden: ${failure.reason}\n`, {
    status: 403,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
