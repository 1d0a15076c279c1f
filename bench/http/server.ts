// One benchmark server: `node bench/http/server.ts <case id>` (see cases.ts).
// It serves two routes on the same session:
//   GET /count  the visit counter: read the count, add one, store it, answer it;
//   GET /read   read-only: answer the stored count, change nothing.
// Every answer is the count as text. It prints "listening <port>".
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import cookie from "@fastify/cookie";
import secureSession from "@fastify/secure-session";
import fastifySession from "@fastify/session";
import { getRequestListener } from "@hono/node-server";
import { RedisStore } from "connect-redis";
// @ts-expect-error: cookie-session has no types of its own.
import cookieSession from "cookie-session";
import express from "express";
// @ts-expect-error: express-session has no types of its own (and @types/express-session would retype req.session).
import expressSession from "express-session";
import Fastify from "fastify";
import { Hono, type MiddlewareHandler } from "hono";
import { CookieStore, sessionMiddleware as honoSessions } from "hono-sessions";
import { getIronSession } from "iron-session";
import { createClient } from "redis";
import { sessionMiddleware as expressTessera } from "../../src/adapters/express.ts";
import { sessionPlugin } from "../../src/adapters/fastify.ts";
import { sessionMiddleware as honoTessera } from "../../src/adapters/hono.ts";
import { commit, load } from "../../src/adapters/node.ts";
import { createSessions } from "../../src/manager/sessions.ts";
import type { SessionStore } from "../../src/session/store.ts";
import { memoryStore } from "../../src/stores/memory.ts";
import { redisStore } from "../../src/stores/redis.ts";
import { sqliteStore } from "../../src/stores/sqlite.ts";

type Visits = { visits?: number };
const secret = randomBytes(32).toString("base64url");
const prefix = `tessera-bench:${process.pid}:`;

// A Redis client per server, on its own key prefix; the keys expire with the sessions.
async function redis() {
  const client = createClient({ url: "redis://127.0.0.1:6379" });
  client.on("error", (error) => console.error("redis:", error.message));
  await client.connect();
  return client;
}

async function store(kind?: "memory" | "sqlite" | "redis"): Promise<SessionStore | undefined> {
  if (kind === "memory") return memoryStore();
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return sqliteStore({ path: join(dir, "sessions.db") });
  }
  if (kind === "redis") return redisStore({ client: await redis(), prefix });
  return undefined;
}

// The default configuration (no cache of opened cookies); the cookie is the
// __Host- one a production app sends, over plain HTTP to loopback here.
const tessera = async (kind?: "memory" | "sqlite" | "redis") => {
  const chosen = await store(kind);
  return createSessions<Visits>({ secrets: [secret], ...(chosen ? { store: chosen } : {}) });
};

// The bytes floor: the headers tessera's sealed cookie sends on a visit (a
// cookie of the same length, Path, HttpOnly, Secure, SameSite), or on a read
// (Vary only), from a server that does no session work.
const SESSION_COOKIE = `__Host-session=${"A".repeat(132)}; Path=/; HttpOnly; Secure; SameSite=Lax`;
const sessionBytes = (path: string | undefined): [string, string][] =>
  path === "/count"
    ? [
        ["set-cookie", SESSION_COOKIE],
        ["vary", "Cookie"],
        ["cache-control", "no-store"],
      ]
    : [["vary", "Cookie"]];

// Peer sessions as each plugin types them, reduced to what the counter needs.
type Bag = { visits?: number };
type GetSet = { get(key: string): unknown; set(key: string, value: unknown): void };
const TEXT = { "content-type": "text/plain; charset=utf-8" };

function nodeBare(withBytes = false): RequestListener {
  return (req, res) => {
    if (withBytes) for (const [name, value] of sessionBytes(req.url)) res.setHeader(name, value);
    res.writeHead(200, TEXT);
    res.end("1");
  };
}

async function nodeTessera(kind?: "memory" | "sqlite" | "redis"): Promise<RequestListener> {
  const sessions = await tessera(kind);
  return async (req, res) => {
    const session = await load(sessions, req);
    let visits = session.get("visits") ?? 0;
    if (req.url === "/count") session.set("visits", ++visits);
    await commit(sessions, session, res, 200);
    res.writeHead(200, TEXT);
    res.end(String(visits));
  };
}

function nodeIron(): RequestListener {
  const options = { password: secret, cookieName: "session", cookieOptions: { secure: false } };
  return async (req, res) => {
    const session = await getIronSession<Bag>(req, res, options);
    let visits = session.visits ?? 0;
    if (req.url === "/count") {
      session.visits = ++visits;
      await session.save();
    }
    res.writeHead(200, TEXT);
    res.end(String(visits));
  };
}

function expressApp(
  kind: "none" | "bytes" | "tessera" | "peer",
  ...middleware: express.RequestHandler[]
) {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  for (const m of middleware) app.use(m);
  if (kind === "none" || kind === "bytes") {
    app.get(["/count", "/read"], (req, res) => {
      if (kind === "bytes")
        for (const [name, value] of sessionBytes(req.path)) res.set(name, value);
      res.send("1");
    });
  } else if (kind === "tessera") {
    app.get(["/count", "/read"], (req, res) => {
      const session = req.session as unknown as GetSet;
      let visits = (session.get("visits") as number | undefined) ?? 0;
      if (req.path === "/count") session.set("visits", ++visits);
      res.send(String(visits));
    });
  } else {
    app.get(["/count", "/read"], (req, res) => {
      const session = (req as unknown as { session: Bag }).session;
      let visits = session.visits ?? 0;
      if (req.path === "/count") session.visits = ++visits;
      res.send(String(visits));
    });
  }
  return app as unknown as RequestListener;
}

async function fastifyApp(
  register?: (app: ReturnType<typeof Fastify>) => Promise<void>,
  withBytes = false,
): Promise<RequestListener> {
  const app = Fastify();
  if (register === undefined) {
    app.get("/*", async (request, reply) => {
      if (withBytes)
        for (const [name, value] of sessionBytes(request.url)) reply.header(name, value);
      return "1";
    });
  } else {
    await register(app);
    app.get("/*", async (request) => {
      const session = (request as unknown as { session: GetSet }).session;
      let visits = (session.get("visits") as number | undefined) ?? 0;
      if (request.url === "/count") session.set("visits", ++visits);
      return String(visits);
    });
  }
  await app.ready();
  return (req, res) => app.routing(req, res);
}

function honoApp(middleware?: MiddlewareHandler, withBytes = false): RequestListener {
  const app = new Hono();
  if (middleware === undefined) {
    app.get("/*", (c) => {
      if (withBytes) for (const [name, value] of sessionBytes(c.req.path)) c.header(name, value);
      return c.text("1");
    });
  } else {
    app.use(middleware);
    app.get("/*", (c) => {
      const session = c.get("session" as never) as GetSet;
      let visits = (session.get("visits") as number | undefined) ?? 0;
      if (c.req.path === "/count") session.set("visits", ++visits);
      return c.text(String(visits));
    });
  }
  return getRequestListener(app.fetch);
}

const servers: Record<string, () => RequestListener | Promise<RequestListener>> = {
  node: () => nodeBare(),
  "node-bytes": () => nodeBare(true),
  "node-tessera": () => nodeTessera(),
  "node-tessera-memory": () => nodeTessera("memory"),
  "node-tessera-sqlite": () => nodeTessera("sqlite"),
  "node-tessera-redis": () => nodeTessera("redis"),
  "node-iron-session": () => nodeIron(),
  express: () => expressApp("none"),
  "express-bytes": () => expressApp("bytes"),
  "express-tessera": async () => expressApp("tessera", expressTessera(await tessera())),
  "express-tessera-memory": async () =>
    expressApp("tessera", expressTessera(await tessera("memory"))),
  "express-tessera-redis": async () =>
    expressApp("tessera", expressTessera(await tessera("redis"))),
  "express-session": () =>
    expressApp("peer", expressSession({ secret, resave: false, saveUninitialized: false })),
  "express-session-redis": async () =>
    expressApp(
      "peer",
      expressSession({
        secret,
        resave: false,
        saveUninitialized: false,
        store: new RedisStore({ client: await redis(), prefix }),
      }),
    ),
  "express-cookie-session": () =>
    expressApp("peer", cookieSession({ name: "session", keys: [secret] })),
  fastify: () => fastifyApp(),
  "fastify-bytes": () => fastifyApp(undefined, true),
  "fastify-tessera": async () => {
    const sessions = await tessera();
    return fastifyApp(async (app) => {
      await app.register(sessionPlugin, { sessions });
    });
  },
  "fastify-tessera-memory": async () => {
    const sessions = await tessera("memory");
    return fastifyApp(async (app) => {
      await app.register(sessionPlugin, { sessions });
    });
  },
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
  "hono-bytes": () => honoApp(undefined, true),
  "hono-tessera": async () => honoApp(honoTessera(await tessera())),
  "hono-tessera-memory": async () => honoApp(honoTessera(await tessera("memory"))),
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
// Longer than a whole run: an idle keep-alive socket of the checks is never
// closed under the client that is about to reuse it.
server.keepAliveTimeout = 30 * 60_000;
// Exit normally on a signal, so that --cpu-prof can write its profile.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
