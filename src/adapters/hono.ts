import type { MiddlewareHandler } from "hono";
import { StoreUnavailableError } from "../errors.ts";
import { storeUnavailableResponse } from "../manager/guard.ts";
import {
  applySessionHeaders,
  type HeadersLike,
  headerList,
  type SessionHeaders,
} from "../manager/headers.ts";
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
type NodeResponse = {
  headersSent: boolean;
  writeHead(status: number, ...rest: unknown[]): unknown;
};

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

// c.env.outgoing, node's own response, while its headers are not out.
function outgoingOf(env: unknown): NodeResponse | undefined {
  const outgoing = (env as { outgoing?: Partial<NodeResponse> } | undefined)?.outgoing;
  if (typeof outgoing?.writeHead !== "function" || outgoing.headersSent !== false) return;
  return outgoing as NodeResponse;
}

// @hono/node-server writes the app's response with writeHead(status, headers
// object): the session's headers are merged into that object then. Added to
// c.res instead, they would turn the server's lightweight response into a
// fetch Headers object, to be copied back out (undici's checks on every name).
function addOnWriteHead(outgoing: NodeResponse, headers: SessionHeaders): void {
  const writeHead = outgoing.writeHead;
  const added: NodeResponse["writeHead"] = function (this: NodeResponse, status, ...rest) {
    Object.assign(outgoing, { writeHead });
    const at = typeof rest[0] === "string" ? 1 : 0;
    const list = headerList(rest[at]) ?? [];
    const record: Record<string, unknown> = {};
    for (let i = 0; i + 1 < list.length; i += 2) add(record, String(list[i]), list[i + 1]);
    applySessionHeaders(recordHeaders(record), headers);
    rest[at] = record;
    return writeHead.call(this, status, ...rest);
  };
  // Object.assign: a plain `outgoing.writeHead = …` made V8 keep every
  // request's objects until a full GC (see express.ts).
  Object.assign(outgoing, { writeHead: added });
}

// A node headers object (any case, a list for repeats) seen as HeadersLike.
function recordHeaders(record: Record<string, unknown>): HeadersLike {
  const keyOf = (name: string) => Object.keys(record).find((key) => key.toLowerCase() === name);
  return {
    get(name) {
      const key = keyOf(name);
      const value = key === undefined ? undefined : record[key];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : String(value);
    },
    set(name, value) {
      const key = keyOf(name);
      if (key !== undefined) delete record[key];
      record[name] = value;
    },
    append: (name, value) => add(record, keyOf(name) ?? name, value),
  };
}

function add(record: Record<string, unknown>, key: string, value: unknown): void {
  const had = record[key];
  record[key] = had === undefined ? value : [had, value].flat();
}

/**
 * Hono 4 middleware: loads the session into `c.get("session")` and commits
 * it onto `c.res` after the handler (nothing is written on a 5xx). Only Web
 * APIs, so it runs wherever Hono runs. On @hono/node-server it uses node's
 * own request and response (`c.env.incoming`, `c.env.outgoing`): it reads
 * the Cookie header there, and adds its headers when node writes the
 * response, not to `c.res`. A store outage answers 503 with `Retry-After`;
 * other errors go to `app.onError`.
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
    const outgoing = outgoingOf(c.env);
    let response: Response;
    try {
      if (outgoing !== undefined) {
        const headers = await sessions.headers(session, c.res.status);
        if (headers.setCookie.length > 0 || headers.vary) addOnWriteHead(outgoing, headers);
        return;
      }
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
