// Hono specifics; the shared behaviour is in conformance.test.ts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { getRequestListener } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { createSessions } from "../manager/sessions.ts";
import { memoryStore } from "../stores/memory.ts";
import { faultyStore } from "../testing/faulty.ts";
import { sessionMiddleware } from "./hono.ts";

const cookieOf = (response: Response) =>
  response.headers.getSetCookie().find((value) => value.startsWith("__Host-session="));

function app() {
  const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32) });
  const hono = new Hono();
  hono.use(sessionMiddleware(sessions));
  return hono;
}

test("c.get('session') is typed and counts, in-process through app.fetch", async () => {
  const hono = app();
  hono.get("/", (c) => {
    const visits: number = (c.get("session").get("visits") ?? 0) + 1;
    c.get("session").set("visits", visits);
    return c.text(String(visits));
  });
  const first = await hono.fetch(new Request("http://x/"));
  assert.equal(await first.text(), "1");
  const cookie = cookieOf(first)!.split(";")[0]!;
  const second = await hono.fetch(new Request("http://x/", { headers: { cookie } }));
  assert.equal(await second.text(), "2");
  assert.equal(second.headers.get("vary"), "Cookie");
});

test("immutable responses (Response.redirect) are copied, own cookies kept", async () => {
  const hono = app();
  hono.get("/redirect", (c) => {
    c.get("session").set("visits", 1);
    return Response.redirect("http://x/home", 303);
  });
  hono.get("/own", (c) => {
    c.get("session").set("visits", 1);
    return new Response("ok", { headers: { "set-cookie": "theme=dark; Path=/" } });
  });
  const redirect = await hono.fetch(new Request("http://x/redirect"));
  assert.equal(redirect.status, 303);
  assert.equal(redirect.headers.get("location"), "http://x/home");
  assert.ok(cookieOf(redirect));
  const own = await hono.fetch(new Request("http://x/own"));
  assert.deepEqual(own.headers.getSetCookie().length, 2);
  assert.equal(own.headers.getSetCookie()[0], "theme=dark; Path=/");
});

test("a thrown error reaches onError and writes nothing; an outage answers 503", async () => {
  const { store, faults } = faultyStore(memoryStore());
  const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32), store });
  const hono = new Hono();
  hono.use(sessionMiddleware(sessions));
  hono.onError((error, c) => c.text(`caught: ${error.message}`, 500));
  hono.get("/throws", (c) => {
    c.get("session").set("visits", 1);
    throw new Error("handler bug");
  });
  hono.get("/", (c) => {
    c.get("session").set("visits", 1);
    return c.text("ok");
  });
  const thrown = await hono.fetch(new Request("http://x/throws"));
  assert.equal(thrown.status, 500);
  assert.equal(await thrown.text(), "caught: handler bug");
  assert.equal(cookieOf(thrown), undefined);
  const cookie = cookieOf(await hono.fetch(new Request("http://x/")))!.split(";")[0]!;
  faults.down = true;
  for (const headers of [{ cookie }, {}] as HeadersInit[]) {
    const response = await hono.fetch(new Request("http://x/", { headers }));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "5");
    assert.equal(cookieOf(response), undefined);
  }
});

test("on @hono/node-server the headers go into node's writeHead: theirs kept, Vary and Cache-Control merged", async () => {
  const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32) });
  const hono = new Hono();
  hono.use(sessionMiddleware(sessions));
  const count = (c: Context) => {
    const visits = (c.get("session").get("visits") ?? 0) + 1;
    c.get("session").set("visits", visits);
    return String(visits);
  };
  hono.get("/text", (c) => c.text(count(c)));
  hono.get("/own", (c) => {
    c.header("set-cookie", "theme=dark; Path=/");
    c.header("vary", "Accept");
    c.header("cache-control", "private, max-age=60");
    return c.text(count(c));
  });
  hono.get("/headers", (c) => {
    const headers = [
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["Vary", "Accept-Encoding"],
    ] as [string, string][];
    return new Response(count(c), { headers });
  });
  hono.get("/redirect", (c) => {
    count(c);
    return Response.redirect("http://x/text", 303);
  });
  hono.get("/stream", (c) => {
    const body = new TextEncoder().encode(count(c));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(body);
        controller.close();
      },
    });
    return c.body(stream);
  });
  hono.get("/boom", (c) => c.text(count(c), 500));
  const server = createServer(getRequestListener(hono.fetch));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const text = await fetch(`${url}/text`);
    assert.equal(await text.text(), "1");
    assert.equal(text.headers.get("content-type"), "text/plain; charset=UTF-8");
    assert.equal(text.headers.get("vary"), "Cookie");
    assert.equal(text.headers.get("cache-control"), "no-store");
    const cookie = cookieOf(text)!.split(";")[0]!;
    const again = await fetch(`${url}/text`, { headers: { cookie } });
    assert.equal(await again.text(), "2", "the cookie carries the count");

    const own = await fetch(`${url}/own`);
    assert.deepEqual(own.headers.getSetCookie().length, 2);
    assert.equal(own.headers.getSetCookie()[0], "theme=dark; Path=/");
    assert.equal(own.headers.get("vary"), "Accept, Cookie");
    assert.equal(own.headers.get("cache-control"), "private, max-age=60");

    const listed = await fetch(`${url}/headers`);
    const cookies = listed.headers.getSetCookie().map((value) => value.split(";")[0]);
    assert.deepEqual(cookies.slice(0, 2), ["a=1", "b=2"]);
    assert.ok(cookieOf(listed));
    assert.equal(listed.headers.get("vary"), "Accept-Encoding, Cookie");

    const redirect = await fetch(`${url}/redirect`, { redirect: "manual" });
    assert.equal(redirect.status, 303);
    assert.ok(cookieOf(redirect), "an immutable response needs no copy");
    const stream = await fetch(`${url}/stream`);
    assert.equal(await stream.text(), "1");
    assert.ok(cookieOf(stream));
    const boom = await fetch(`${url}/boom`);
    assert.equal(boom.status, 500);
    assert.equal(cookieOf(boom), undefined);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
