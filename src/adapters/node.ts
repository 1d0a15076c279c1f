import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { StoreUnavailableError } from "../errors.ts";
import { storeUnavailableResponse } from "../manager/guard.ts";
import { applySessionHeaders, type HeadersLike, type SessionHeaders } from "../manager/headers.ts";
import { type Sessions, syncPath } from "../manager/sessions.ts";
import type { FlashTypes, Session, SessionData } from "../session/session.ts";

function requestHeaders(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function responseHeaders(res: ServerResponse): HeadersLike {
  return {
    get(name) {
      const value = res.getHeader(name);
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : String(value);
    },
    set(name, value) {
      res.setHeader(name, value);
    },
    append(name, value) {
      res.appendHeader(name, value);
    },
  };
}

/**
 * Loads the session of a node:http request.
 *
 * @example
 * import { load, commit } from "tessera/node";
 * http.createServer(async (req, res) => {
 *   const session = await load(sessions, req);
 *   session.set("visits", (session.get("visits") ?? 0) + 1);
 *   await commit(sessions, session, res); // before writeHead/end
 *   res.end(`visit ${session.get("visits")}`);
 * });
 */
export function load<Data extends SessionData, Flash extends FlashTypes>(
  sessions: Sessions<Data, Flash>,
  req: IncomingMessage,
): Promise<Session<Data, Flash>> {
  return sessions.load({ headers: requestHeaders(req) });
}

/**
 * Commits a session onto a node:http response. Call it before the headers are
 * sent (before `writeHead`, `write` or `end`); `status` defaults to
 * `res.statusCode`, and a 5xx writes nothing. Throws when the headers are
 * already out, because a lost session write must not pass silently.
 *
 * @example
 * res.statusCode = 303;
 * res.setHeader("location", "/");
 * await commit(sessions, session, res);
 * res.end();
 */
export async function commit<Data extends SessionData, Flash extends FlashTypes>(
  sessions: Sessions<Data, Flash>,
  session: Session<Data, Flash>,
  res: ServerResponse,
  status: number = res.statusCode,
): Promise<void> {
  const done = commitNow(sessions, session, res, status);
  if (done instanceof Promise) await done;
}

/**
 * @internal For tessera's adapters (tessera/express): `load`, with the
 * session itself rather than a promise when no store call needed one (a
 * sealed cookie, the memory store); a store error may then be thrown.
 *
 * @example
 * const loaded = loadNow(sessions, req);
 * const session = loaded instanceof Promise ? await loaded : loaded;
 */
export function loadNow<Data extends SessionData, Flash extends FlashTypes>(
  sessions: Sessions<Data, Flash>,
  req: IncomingMessage,
): Session<Data, Flash> | Promise<Session<Data, Flash>> {
  const request = { headers: requestHeaders(req) };
  return (syncPath(sessions) ?? sessions).load(request);
}

/**
 * @internal For tessera's adapters (tessera/express): `commit`, done when it
 * returns if no store call needed a promise (then it may throw), or a promise.
 *
 * @example
 * const done = commitNow(sessions, session, res, 200);
 * if (done instanceof Promise) await done;
 */
export function commitNow<Data extends SessionData, Flash extends FlashTypes>(
  sessions: Sessions<Data, Flash>,
  session: Session<Data, Flash>,
  res: ServerResponse,
  status: number = res.statusCode,
): void | Promise<void> {
  const headers = (syncPath(sessions) ?? sessions).headers(session, status);
  if (headers instanceof Promise) return headers.then((answer) => apply(res, answer));
  apply(res, headers);
}

function apply(res: ServerResponse, headers: SessionHeaders): void {
  if (headers.setCookie.length === 0 && !headers.vary) return;
  if (res.headersSent) {
    throw new Error("[tessera] [node] commit() was called after the response headers were sent");
  }
  applySessionHeaders(responseHeaders(res), headers);
}

/**
 * Serves a fetch-style handler (`Request` → `Response`) on node:http, so the
 * same code runs on Node, Bun, Deno and Workers. A handler that throws
 * `StoreUnavailableError` (the session store is down, under the default
 * fail-closed policy) gets 503 with `Retry-After`; any other throw gets a
 * plain 500 and is logged. The process keeps running either way.
 *
 * @example
 * import { createServer } from "node:http";
 * import { serve } from "tessera/node";
 * createServer(serve(async (request) => {
 *   const session = await sessions.load(request);
 *   return sessions.commit(session, new Response("hello"));
 * })).listen(3000);
 */
export function serve(
  handler: (request: Request) => Response | Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    respond(handler, req, res).catch(async (error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof StoreUnavailableError) {
        const answer = storeUnavailableResponse(error);
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(await answer.text());
        return;
      }
      console.error("[tessera] [node] handler failed:", error);
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal Server Error");
    });
  };
}

async function respond(
  handler: (request: Request) => Response | Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const host = req.headers.host ?? "localhost";
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  // request-target (RFC 9112 §3.2): origin-form "/path?query" is resolved
  // against the Host; absolute-form "http://host/path" is taken as is. A Host
  // that is not just a host (and port) is a bad request, not a crash.
  const target = req.url ?? "/";
  const base = URL.parse(`${scheme}://${host}/`);
  const hostOnly =
    base !== null &&
    base.pathname === "/" &&
    base.search === "" &&
    base.hash === "" &&
    !host.includes("@");
  // Concatenated, not resolved: "//other/x" is a path here, not another host.
  const url = target.startsWith("/")
    ? hostOnly
      ? URL.parse(`${base.origin}${target}`)
      : null
    : URL.parse(target);
  if (url === null) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
    res.end("Bad Request: invalid Host header or request target\n");
    return;
  }
  const hasBody = method !== "GET" && method !== "HEAD";
  const controller = new AbortController();
  res.once("close", () => controller.abort());
  const request = new Request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
  const response = await handler(request);
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText || undefined, out);
  if (response.body === null || method === "HEAD") {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (res.destroyed) break;
    if (!res.write(chunk)) {
      await new Promise((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
    }
  }
  res.end();
}
