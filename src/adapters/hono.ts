import type { MiddlewareHandler } from "hono";
import { StoreUnavailableError } from "../errors.ts";
import { storeUnavailableResponse } from "../manager/guard.ts";
import type { Sessions } from "../manager/sessions.ts";
import type { FlashTypes, Session, SessionData } from "../session/session.ts";
import type { AppSession } from "./session-types.ts";

export type { AppSession } from "./session-types.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The session, loaded by `sessionMiddleware`. Type it through `TesseraTypes`. */
    session: AppSession;
  }
}

type NodeHeaders = Record<string, string | string[] | undefined>;

// On @hono/node-server, c.env.incoming is node's own request: its headers are
// read directly, where c.req.raw.headers would first build a fetch Headers
// object from them (undici's validation of every header, on every request).
// Elsewhere (Bun, Deno, Workers, app.request()) there is no such object and
// the fetch Request is used.
function incomingHeaders(env: unknown): { get(name: string): string | null } | undefined {
  const headers = (env as { incoming?: { headers?: NodeHeaders } } | undefined)?.incoming?.headers;
  if (headers === null || typeof headers !== "object") return undefined;
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/**
 * Hono 4 middleware: loads the session into `c.get("session")` and commits
 * it onto `c.res` after the handler (nothing is written on a 5xx). Only Web
 * APIs, so it runs wherever Hono runs (on @hono/node-server it reads the
 * request headers from node's own request, `c.env.incoming`). A store outage answers 503 with
 * `Retry-After`; other errors go to `app.onError`.
 *
 * @example
 * import { Hono } from "hono";
 * import { sessionMiddleware } from "tessera/hono";
 * const app = new Hono();
 * app.use(sessionMiddleware(sessions));
 * app.get("/", (c) => {
 *   const session = c.get("session");
 *   const visits = (session.get("visits") ?? 0) + 1;
 *   session.set("visits", visits);
 *   return c.text(`visit ${visits}`);
 * });
 */
export function sessionMiddleware<Data extends SessionData, Flash extends FlashTypes>(
  sessions: Sessions<Data, Flash>,
): MiddlewareHandler<{ Variables: { session: Session<Data, Flash> } }> {
  return async (c, next) => {
    let session: Session<Data, Flash>;
    try {
      const headers = incomingHeaders(c.env);
      session = await sessions.load(headers === undefined ? c.req.raw : { headers });
    } catch (error) {
      if (error instanceof StoreUnavailableError) return storeUnavailableResponse(error);
      throw error;
    }
    c.set("session", session);
    await next();
    let response: Response;
    try {
      // commit() copies a response whose headers are immutable (fetch(), Response.redirect()).
      response = await sessions.commit(session, c.res);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      response = storeUnavailableResponse(error);
    }
    if (response !== c.res) {
      // Unset first: assigning over a response merges the old one's headers in.
      c.res = undefined;
      c.res = response;
    }
  };
}
