// Fastify specifics; the shared behaviour is in conformance.test.ts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { test } from "node:test";
import Fastify from "fastify";
import { createSessions } from "../manager/sessions.ts";
import { memoryStore } from "../stores/memory.ts";
import { faultyStore } from "../testing/faulty.ts";
import { sessionPlugin } from "./fastify.ts";

const cookieOf = (setCookie: string | string[] | undefined) =>
  [setCookie ?? []].flat().find((value) => value.startsWith("__Host-session="));

test("the plugin is not encapsulated: routes in other plugins see the session", async () => {
  const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32) });
  const app = Fastify();
  await app.register(sessionPlugin, { sessions });
  await app.register(async (child) => {
    child.get("/count", async (request) => {
      const visits = (request.session.get("visits") ?? 0) + 1;
      request.session.set("visits", visits);
      return String(visits);
    });
  });
  const first = await app.inject("/count");
  assert.equal(first.body, "1");
  const cookie = cookieOf(first.headers["set-cookie"])!.split(";")[0]!;
  const second = await app.inject({ url: "/count", headers: { cookie } });
  assert.equal(second.body, "2");
  assert.equal(second.headers.vary, "Cookie");
  assert.equal(second.headers["cache-control"], "no-store");
  await app.close();
});

test("own cookies, streams, thrown errors and headers of the route are kept", async () => {
  const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32) });
  const app = Fastify();
  await app.register(sessionPlugin, { sessions });
  app.get("/own", async (request, reply) => {
    request.session.set("visits", 1);
    reply.header("set-cookie", "theme=dark; Path=/").header("vary", "Accept-Encoding");
    return "ok";
  });
  app.get("/stream", async (request, reply) => {
    request.session.set("visits", 1);
    return reply.type("text/plain").send(Readable.from(["a", "b", "c"]));
  });
  app.get("/throws", async (request) => {
    request.session.set("visits", 1);
    throw new Error("handler bug");
  });
  const own = await app.inject("/own");
  const cookies = [own.headers["set-cookie"] ?? []].flat();
  assert.equal(cookies.length, 2);
  assert.equal(cookies[0], "theme=dark; Path=/");
  assert.equal(own.headers.vary, "Accept-Encoding, Cookie");
  const stream = await app.inject("/stream");
  assert.equal(stream.body, "abc");
  assert.ok(cookieOf(stream.headers["set-cookie"]));
  const thrown = await app.inject("/throws");
  assert.equal(thrown.statusCode, 500);
  assert.equal(cookieOf(thrown.headers["set-cookie"]), undefined, "no write on a 5xx");
  await app.close();
});

test("a store outage at load and at commit answers 503 with Retry-After", async () => {
  const { store, faults } = faultyStore(memoryStore());
  const sessions = createSessions<{ visits?: number }>({
    secrets: randomBytes(32),
    store,
    retryAfter: 3,
  });
  const app = Fastify();
  await app.register(sessionPlugin, { sessions });
  app.get("/", async (request, reply) => {
    request.session.set("visits", 1);
    return reply.type("application/json").header("location", "/x").send({ ok: true });
  });
  const cookie = cookieOf((await app.inject("/")).headers["set-cookie"])!.split(";")[0]!;
  faults.down = true;
  for (const headers of [{ cookie }, {}]) {
    const response = await app.inject({ url: "/", headers });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers["retry-after"], "3");
    assert.equal(response.headers.location, undefined, "the route's headers are dropped");
    assert.match(response.headers["content-type"] as string, /^text\/plain/);
    assert.match(response.body, /session store/);
  }
  await app.close();
});
