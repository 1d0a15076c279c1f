// One benchmark server: `node bench/http/server.ts <case id>` (see cases.ts).
// It serves GET /count, the visit counter: read the count from the session,
// add one, store it, answer it as text. It prints "listening <port>".
import { randomBytes } from "node:crypto";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import cookie from "@fastify/cookie";
import secureSession from "@fastify/secure-session";
import fastifySession from "@fastify/session";
import { getRequestListener } from "@hono/node-server";
// @ts-expect-error: cookie-session has no types of its own.
import cookieSession from "cookie-session";
import express from "express";
// @ts-expect-error: express-session has no types of its own (and @types/express-session would retype req.session).
import expressSession from "express-session";
import Fastify from "fastify";
import { Hono, type MiddlewareHandler } from "hono";
import { CookieStore, sessionMiddleware as honoSessions } from "hono-sessions";
import { sessionMiddleware as expressTessera } from "../../src/adapters/express.ts";
import { sessionPlugin } from "../../src/adapters/fastify.ts";
import { sessionMiddleware as honoTessera } from "../../src/adapters/hono.ts";
import { createSessions } from "../../src/manager/sessions.ts";
import { memoryStore } from "../../src/stores/memory.ts";

type Visits = { visits?: number };
const secret = randomBytes(32).toString("base64url");
const tessera = (store?: "memory") =>
  createSessions<Visits>({ secrets: [secret], ...(store ? { store: memoryStore() } : {}) });

// Peer sessions as each plugin types them, reduced to what the counter needs.
type Bag = { visits?: number };
type GetSet = { get(key: string): unknown; set(key: string, value: unknown): void };

function expressApp(...middleware: express.RequestHandler[]): RequestListener {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  for (const m of middleware) app.use(m);
  if (middleware.length === 0) {
    app.get("/count", (_req, res) => {
      res.send("1");
    });
  } else if (middleware[0]!.name === "tessera") {
    app.get("/count", (req, res) => {
      const session = req.session as unknown as GetSet;
      const visits = ((session.get("visits") as number | undefined) ?? 0) + 1;
      session.set("visits", visits);
      res.send(String(visits));
    });
  } else {
    app.get("/count", (req, res) => {
      const session = (req as unknown as { session: Bag }).session;
      session.visits = (session.visits ?? 0) + 1;
      res.send(String(session.visits));
    });
  }
  return app;
}

const named = <T extends object>(fn: T, name: string) =>
  Object.defineProperty(fn, "name", { value: name });

async function fastifyApp(
  register?: (app: ReturnType<typeof Fastify>) => Promise<void>,
): Promise<RequestListener> {
  const app = Fastify();
  if (register === undefined) app.get("/count", async () => "1");
  else {
    await register(app);
    app.get("/count", async (request) => {
      const session = (request as unknown as { session: GetSet }).session;
      const visits = ((session.get("visits") as number | undefined) ?? 0) + 1;
      session.set("visits", visits);
      return String(visits);
    });
  }
  await app.ready();
  return (req, res) => app.routing(req, res);
}

function honoApp(middleware?: MiddlewareHandler): RequestListener {
  const app = new Hono();
  if (middleware === undefined) app.get("/count", (c) => c.text("1"));
  else {
    app.use(middleware);
    app.get("/count", (c) => {
      const session = c.get("session" as never) as GetSet;
      const visits = ((session.get("visits") as number | undefined) ?? 0) + 1;
      session.set("visits", visits);
      return c.text(String(visits));
    });
  }
  return getRequestListener(app.fetch);
}

const servers: Record<string, () => RequestListener | Promise<RequestListener>> = {
  express: () => expressApp(),
  "express-tessera": () => expressApp(named(expressTessera(tessera()), "tessera")),
  "express-tessera-memory": () => expressApp(named(expressTessera(tessera("memory")), "tessera")),
  "express-session": () =>
    expressApp(expressSession({ secret, resave: false, saveUninitialized: false })),
  "express-cookie-session": () => expressApp(cookieSession({ name: "session", keys: [secret] })),
  fastify: () => fastifyApp(),
  "fastify-tessera": () =>
    fastifyApp(async (app) => {
      await app.register(sessionPlugin, { sessions: tessera() });
    }),
  "fastify-tessera-memory": () =>
    fastifyApp(async (app) => {
      await app.register(sessionPlugin, { sessions: tessera("memory") });
    }),
  "fastify-secure-session": () =>
    fastifyApp(async (app) => {
      await app.register(secureSession, { key: randomBytes(32), cookie: { path: "/" } });
    }),
  "fastify-session": () =>
    fastifyApp(async (app) => {
      await app.register(cookie);
      await app.register(fastifySession, {
        secret,
        saveUninitialized: false,
        cookie: { secure: false },
      });
    }),
  hono: () => honoApp(),
  "hono-tessera": () => honoApp(honoTessera(tessera())),
  "hono-tessera-memory": () => honoApp(honoTessera(tessera("memory"))),
  "hono-sessions": () =>
    honoApp(
      honoSessions({
        store: new CookieStore(),
        encryptionKey: secret,
        expireAfterSeconds: 1800,
        cookieOptions: { sameSite: "Lax", path: "/", httpOnly: true },
      }),
    ),
};

const id = process.argv[2] ?? "";
const make = servers[id];
if (make === undefined) {
  console.error(`unknown case ${JSON.stringify(id)}; one of: ${Object.keys(servers).join(", ")}`);
  process.exit(2);
}
const server = createServer(await make());
server.keepAliveTimeout = 60_000;
// Exit normally on a signal, so that --cpu-prof can write its profile.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
