import type { IncomingMessage, ServerResponse } from "node:http";
import { StoreUnavailableError } from "../errors.ts";
import { storeUnavailableResponse } from "../manager/guard.ts";
import { headerList } from "../manager/headers.ts";
import type { Sessions } from "../manager/sessions.ts";
import type { FlashTypes, Session, SessionData } from "../session/session.ts";
import { commitNow, loadNow } from "./node.ts";
import type { AppSession } from "./session-types.ts";

export type { AppSession } from "./session-types.ts";

// Brings Express's request type (from @types/express) into the program, to augment it.
import type {} from "express-serve-static-core";

declare module "express-serve-static-core" {
  interface Request {
    /** The session, loaded by `sessionMiddleware`. Type it through `TesseraTypes`. */
    session: AppSession;
  }
}

type Next = (error?: unknown) => void;
type Write = (this: ServerResponse, ...args: unknown[]) => unknown;
type Save = (status: number) => void | Promise<void>;

/**
 * Express 4 and 5 middleware: loads `req.session`, and commits it before the
 * response's headers go out. The first `writeHead`, `write` or `end` (so
 * `res.send`, `res.redirect`, a piped stream…) commits the session and goes
 * out with its Set-Cookie; when the store answers with a promise (a server
 * store with I/O), every call waits, in order, until the session is written:
 * a redirect is never followed before the store has the change. A store
 * outage answers 503 with `Retry-After`; any other error goes to
 * `next(error)`.
 *
 * @example
 * import express from "express";
 * import { sessionMiddleware } from "tessera/express";
 * const app = express();
 * app.use(sessionMiddleware(sessions));
 * app.get("/", (req, res) => {
 *   const visits = (req.session.get("visits") ?? 0) + 1;
 *   req.session.set("visits", visits);
 *   res.send(`visit ${visits}`);
 * });
 */
export function sessionMiddleware<Data extends SessionData, Flash extends FlashTypes>(
  sessions: Sessions<Data, Flash>,
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (req, res, next) => {
    const start = (session: Session<Data, Flash>) => {
      (req as { session?: unknown }).session = session;
      holdUntilSaved(res, (status) => commitNow(sessions, session, res, status), next);
      next();
    };
    let loaded: Session<Data, Flash> | Promise<Session<Data, Flash>>;
    try {
      loaded = loadNow(sessions, req);
    } catch (error) {
      fail(res, error, next);
      return;
    }
    // At once when the store answered so (a sealed cookie, the memory store):
    // a promise would cost a turn of the event loop's microtask queue.
    if (loaded instanceof Promise) loaded.then(start, (error: unknown) => fail(res, error, next));
    else start(loaded);
  };
}

// writeHead(status, [reason], headers) sets `headers` over those already set:
// node replaces each name listed, keeping an array's repeats. Done here first,
// so that the session's headers go on top of them (a Set-Cookie given to
// writeHead is kept, and Vary gains Cookie); the rest of the call is returned.
function setGivenHeaders(res: ServerResponse, args: unknown[]): unknown[] {
  const at = typeof args[1] === "string" ? 2 : 1;
  const list = headerList(args[at]);
  if (list === null || list.length % 2 !== 0) return args; // node's writeHead refuses the latter
  for (let i = 0; i < list.length; i += 2) if (list[i]) res.removeHeader(list[i] as string);
  for (let i = 0; i < list.length; i += 2) {
    if (list[i]) res.appendHeader(list[i] as string, list[i + 1] as string | string[]);
  }
  return args.slice(0, at);
}

// Wraps writeHead/write/end (as on-headers does) so the first call starts the
// commit. A commit done at once (a sealed cookie, the memory store) lets the
// call through; otherwise every call waits, in order, until it has resolved.
// (Hooking writeHead alone, which node's write() and end() call when no
// header is out, measured no cheaper, and a commit failing inside it could
// not drop the response that node is halfway through writing.)
function holdUntilSaved(res: ServerResponse, save: Save, next: Next): void {
  const { writeHead, write, end } = res as unknown as Record<string, Write>;
  let held: [Write, unknown[]][] | undefined;
  let saved = false;
  const release = () => {
    saved = true;
    for (const [method, args] of held!) method.apply(res, args);
    // A held write answered false ("wait"): tell the writer to go on.
    const waiting = held!.some(([method]) => method === write) && !res.writableEnded;
    if (waiting && !res.writableNeedDrain) res.emit("drain");
  };
  const hold = (method: Write): Write =>
    function (this: ServerResponse, ...args) {
      if (saved) return method.apply(this, args);
      if (method === writeHead) args = setGivenHeaders(this, args);
      if (held === undefined) {
        let saving: void | Promise<void>;
        try {
          saving = save(method === writeHead ? Number(args[0]) : res.statusCode);
        } catch (error) {
          saved = true;
          fail(res, error, next);
          return method === write ? false : this;
        }
        if (!(saving instanceof Promise)) {
          saved = true;
          return method.apply(this, args);
        }
        held = [];
        // A replayed call that throws (say, writeHead(99)) goes to next(error) too.
        saving.then(release).catch((error: unknown) => {
          saved = true;
          fail(res, error, next);
        });
      }
      held.push([method, args]);
      return method === write ? false : this;
    };
  // Object.assign, not `res.writeHead = …`: plain stores made V8's scavenger
  // keep every request's objects until a full GC (5x the heap, Node 24).
  Object.assign(res, { writeHead: hold(writeHead!), write: hold(write!), end: hold(end!) });
}

function fail(res: ServerResponse, error: unknown, next: Next): void {
  if (!(error instanceof StoreUnavailableError) || res.headersSent) {
    next(error);
    return;
  }
  // Fail closed: whatever the handler had prepared is dropped.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const answer = storeUnavailableResponse(error);
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  answer.text().then((body) => res.end(body));
}
