import type { IncomingMessage, ServerResponse } from "node:http";
import { StoreUnavailableError } from "../errors.ts";
import { storeUnavailableResponse } from "../manager/guard.ts";
import type { Sessions } from "../manager/sessions.ts";
import type { FlashTypes, SessionData } from "../session/session.ts";
import { commit, load } from "./node.ts";
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

/**
 * Express 4 and 5 middleware: loads `req.session`, and commits it before the
 * response's headers go out. The first `writeHead`, `write` or `end` (so
 * `res.send`, `res.redirect`, a piped stream…) waits until the session is
 * written, then goes out with its Set-Cookie: a redirect is never followed
 * before the store has the change. A store outage answers 503 with
 * `Retry-After`; any other error goes to `next(error)`.
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
    load(sessions, req).then(
      (session) => {
        (req as { session?: unknown }).session = session;
        const save = (status: number) => commit(sessions, session, res, status);
        holdUntilSaved(res, save, next);
        next();
      },
      (error: unknown) => fail(res, error, next),
    );
  };
}

// Wraps writeHead/write/end (as on-headers does) so the first call starts the
// commit and every call waits, in order, until it has resolved.
function holdUntilSaved(
  res: ServerResponse,
  save: (status: number) => Promise<void>,
  next: Next,
): void {
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
      if (held === undefined) {
        held = [];
        const status = method === writeHead ? Number(args[0]) : res.statusCode;
        // A replayed call that throws (say, writeHead(99)) goes to next(error) too.
        save(status)
          .then(release)
          .catch((error: unknown) => {
            saved = true;
            fail(res, error, next);
          });
      }
      held.push([method, args]);
      return method === write ? false : this;
    };
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
