// Hono specifics; the shared behaviour is in conformance.test.ts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { Hono } from "hono";
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
