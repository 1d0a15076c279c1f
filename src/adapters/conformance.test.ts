// One scenario suite (./scenarios.ts), every adapter. A new adapter is one
// more entry in `targets`: a function that serves `routes` with the sessions
// it is given.
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { getRequestListener } from "@hono/node-server";
import express from "express";
// @ts-expect-error: express4 is an npm alias of express@4, without types of its own.
import express4 from "express4";
import Fastify from "fastify";
import { Hono } from "hono";
import { parseSetCookie } from "../cookie/set-cookie.ts";
import { StoreUnavailableError } from "../errors.ts";
import { storeUnavailableResponse } from "../manager/guard.ts";
import { createSessions } from "../manager/sessions.ts";
import type { Session } from "../session/session.ts";
import { memoryStore } from "../stores/memory.ts";
import { faultyStore } from "../testing/faulty.ts";
import { sessionMiddleware as expressSessions } from "./express.ts";
import { sessionPlugin } from "./fastify.ts";
import { sessionMiddleware as honoSessions } from "./hono.ts";
import { commit, load, serve } from "./node.ts";
import {
  cases,
  type Data,
  type Flash,
  fetchHandler,
  honoApp,
  httpClient,
  type Kit,
  type Reply,
  routeOf,
  routes,
  type Target,
  type TestSessions,
} from "./scenarios.ts";

// req.session & co. carry the type an app registers in TesseraTypes (here,
// the examples'); these tests pass the src/ session on to the routes.
const own = (session: unknown) => session as Session<Data, Flash>;

const kit: Kit = {
  createSessions: (options) => createSessions(options),
  memoryStore,
  faultyStore,
  parseSetCookie,
};

async function listen(listener: RequestListener) {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
}

const unavailable = (error: unknown) =>
  error instanceof StoreUnavailableError ? storeUnavailableResponse(error) : undefined;

// The node:http helpers, by hand: load, then commit before the headers go out.
function nodeListener(sessions: TestSessions): RequestListener {
  return async (req, res) => {
    const route = routeOf(req.method ?? "GET", req.url ?? "/");
    let reply: Reply;
    try {
      const session = await load(sessions, req);
      reply = route ? await route.run(session, sessions) : { status: 404, body: "Not Found" };
      res.statusCode = reply.status;
      if (reply.location !== undefined) res.setHeader("location", reply.location);
      await commit(sessions, session, res);
    } catch (error) {
      const answer = unavailable(error);
      if (answer === undefined) throw error;
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(await answer.text());
      return;
    }
    res.end(reply.body);
  };
}

function expressApp(make: typeof express, sessions: TestSessions) {
  const app = make();
  app.use(expressSessions(sessions));
  for (const route of routes) {
    app[route.method === "GET" ? "get" : "post"](route.path, async (req, res, next) => {
      try {
        const reply = await route.run(own(req.session), sessions);
        if (reply.location !== undefined) res.redirect(reply.status, reply.location);
        else res.status(reply.status).send(reply.body);
      } catch (error) {
        next(error);
      }
    });
  }
  return app;
}

async function fastifyApp(sessions: TestSessions) {
  const app = Fastify();
  await app.register(sessionPlugin, { sessions });
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      async handler(request, reply) {
        const answer = await route.run(own(request.session), sessions);
        if (answer.location !== undefined) return reply.redirect(answer.location, answer.status);
        return reply.code(answer.status).type("text/plain").send(answer.body);
      },
    });
  }
  await app.ready();
  return app;
}

const targets: Target[] = [
  { name: "node:http load/commit", start: (sessions) => listen(nodeListener(sessions)) },
  { name: "fetch handler via serve()", start: (s) => listen(serve(fetchHandler(s))) },
  { name: "Express 4", start: (s) => listen(expressApp(express4 as typeof express, s)) },
  { name: "Express 5", start: (s) => listen(expressApp(express, s)) },
  {
    name: "Fastify 5",
    start: async (s) => {
      const app = await fastifyApp(s);
      return listen((req, res) => app.routing(req, res));
    },
  },
  {
    name: "Hono 4 on @hono/node-server",
    start: (s) => listen(getRequestListener(honoApp(Hono, honoSessions, s).fetch)),
  },
];

for (const target of targets) {
  describe(`adapter conformance: ${target.name}`, () => {
    for (const scenario of cases(kit)) test(scenario.name, () => scenario.run(target));
  });
}
