import type { FastifyInstance, FastifyReply } from "fastify";
import { StoreUnavailableError } from "../errors.ts";
import { storeUnavailableResponse } from "../manager/guard.ts";
import { applySessionHeaders, type HeadersLike } from "../manager/headers.ts";
import type { Sessions } from "../manager/sessions.ts";
import type { Session } from "../session/session.ts";
import { load } from "./node.ts";
import type { AppSession } from "./session-types.ts";

export type { AppSession } from "./session-types.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The session, loaded by `sessionPlugin`. Type it through `TesseraTypes`. */
    session: AppSession;
  }
}

/** Options of {@link sessionPlugin}. */
export interface SessionPluginOptions {
  /** The manager made by `createSessions`. */
  sessions: Sessions;
}

function replyHeaders(reply: FastifyReply): HeadersLike {
  return {
    get(name) {
      const value = reply.getHeader(name);
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : String(value);
    },
    set: (name, value) => reply.header(name, value),
    // Fastify's header() appends to an existing Set-Cookie.
    append: (name, value) => reply.header(name, value),
  };
}

function unavailable(reply: FastifyReply, error: StoreUnavailableError): Response {
  // Fail closed: whatever the handler had prepared is dropped.
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
  return storeUnavailableResponse(error);
}

/**
 * A Fastify 5 plugin: loads `request.session` in `onRequest` and commits it
 * in `onSend`, with the reply's status code (nothing is written on a 5xx).
 * It is not encapsulated: register it once, and every route sees the session.
 * A store outage answers 503 with `Retry-After`; other errors go to Fastify's
 * error handler.
 *
 * @example
 * import Fastify from "fastify";
 * import { sessionPlugin } from "tessera/fastify";
 * const app = Fastify();
 * await app.register(sessionPlugin, { sessions });
 * app.get("/", async (request) => {
 *   const visits = (request.session.get("visits") ?? 0) + 1;
 *   request.session.set("visits", visits);
 *   return `visit ${visits}`;
 * });
 */
export async function sessionPlugin(
  fastify: FastifyInstance,
  { sessions }: SessionPluginOptions,
): Promise<void> {
  fastify.decorateRequest("session", null as unknown as AppSession);
  fastify.addHook("onRequest", async (request, reply) => {
    try {
      request.session = (await load(sessions, request.raw)) as unknown as AppSession;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      return reply.send(unavailable(reply, error));
    }
  });
  fastify.addHook("onSend", async (request, reply, payload) => {
    const session = request.session as unknown as Session | null;
    if (session === null) return payload; // the outage answer, or a request onRequest never saw
    try {
      applySessionHeaders(replyHeaders(reply), await sessions.headers(session, reply.statusCode));
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      return unavailable(reply, error);
    }
    return payload;
  });
}

// Skip encapsulation (what fastify-plugin does), so the hooks apply app-wide.
Object.assign(sessionPlugin, { [Symbol.for("skip-override")]: true });
