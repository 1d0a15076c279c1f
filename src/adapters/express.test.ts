// Express specifics; the shared behaviour is in conformance.test.ts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import express from "express";
// @ts-expect-error: express4 is an npm alias of express@4, without types of its own.
import express4 from "express4";
import { createSessions } from "../manager/sessions.ts";
import { memoryStore } from "../stores/memory.ts";
import { faultyStore } from "../testing/faulty.ts";
import { sessionMiddleware } from "./express.ts";

const servers: Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

function slowSessions(delayMs: number) {
  const { store, faults } = faultyStore(memoryStore());
  faults.delayMs = delayMs;
  let written = 0; // when the last write resolved
  const set = store.set.bind(store);
  store.set = async (...args) => {
    await set(...args);
    written = performance.now();
  };
  const sessions = createSessions<{ visits?: number }>({
    secrets: randomBytes(32),
    store,
  });
  return { sessions, writtenAt: () => written };
}

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const cookieOf = (response: Response) => response.headers.getSetCookie()[0]?.split(";")[0];

for (const [name, make] of [
  ["Express 4", express4 as typeof express],
  ["Express 5", express],
] as const) {
  describe(name, () => {
    test("a redirect waits for a slow store write (expressjs/session#360)", async () => {
      const { sessions, writtenAt } = slowSessions(80);
      const app = make();
      app.use(sessionMiddleware(sessions));
      app.get("/login", (req, res) => {
        req.session.set("visits", 1);
        res.redirect(303, "/home"); // synchronous: the write is still running
      });
      app.get("/home", (req, res) => {
        res.send(String(req.session.get("visits") ?? "none"));
      });
      const url = await listen(app);
      const redirect = await fetch(`${url}/login`, { redirect: "manual" });
      const arrived = performance.now();
      assert.equal(redirect.status, 303);
      assert.ok(writtenAt() > 0 && writtenAt() <= arrived, "the store write came first");
      const cookie = cookieOf(redirect);
      assert.ok(cookie, "the redirect carries the cookie");
      const home = await fetch(`${url}/home`, { headers: { cookie } });
      assert.equal(await home.text(), "1", "the follow-up sees the write");
    });

    test("streamed responses: write/end, writeHead and a piped stream keep order and cookie", async () => {
      const { sessions } = slowSessions(30);
      const app = make();
      app.use(sessionMiddleware(sessions));
      app.get("/chunks", (req, res) => {
        req.session.set("visits", 1);
        res.write("a");
        res.write("b");
        res.end("c");
      });
      app.get("/head", (req, res) => {
        req.session.set("visits", 1);
        res.writeHead(201, { "x-head": "1" });
        res.end("created");
      });
      app.get("/failed", (req, res) => {
        req.session.set("visits", 1);
        res.writeHead(502);
        res.end("bad gateway");
      });
      const big = "x".repeat(1 << 20);
      app.get("/pipe", (req, res) => {
        req.session.set("visits", 1);
        res.type("text/plain");
        Readable.from([big.slice(0, 1 << 19), big.slice(1 << 19)], { objectMode: false }).pipe(res);
      });
      const url = await listen(app);
      const chunks = await fetch(`${url}/chunks`);
      assert.equal(await chunks.text(), "abc");
      assert.ok(cookieOf(chunks));
      const head = await fetch(`${url}/head`);
      assert.equal(head.status, 201);
      assert.equal(head.headers.get("x-head"), "1");
      assert.ok(cookieOf(head));
      assert.equal(await head.text(), "created");
      const failed = await fetch(`${url}/failed`);
      assert.equal(failed.status, 502);
      assert.equal(cookieOf(failed), undefined, "the status given to writeHead counts: no write");
      const piped = await fetch(`${url}/pipe`);
      assert.ok(cookieOf(piped));
      assert.equal((await piped.text()).length, big.length);
    });

    test("a commit error goes to next(error); a load outage answers 503", async () => {
      const { store, faults } = faultyStore(memoryStore());
      const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32), store });
      const sealed = createSessions<{ visits?: number }>({ secrets: randomBytes(32) });
      const app = make();
      // Route-level use works too.
      app.get("/bad", sessionMiddleware(sealed), (req, res) => {
        req.session.set("visits", 1n as unknown as number); // JSON cannot carry a BigInt
        res.send("never");
      });
      app.get("/set", sessionMiddleware(sessions), (req, res) => {
        req.session.set("visits", 1);
        res.send("ok");
      });
      app.get("/bad-status", sessionMiddleware(sealed), (_req, res) => {
        res.writeHead(99); // throws only once it is replayed, after the commit
        res.end();
      });
      app.use(
        (
          error: Error,
          _req: express.Request,
          res: express.Response,
          _next: express.NextFunction,
        ) => {
          res.status(418).send(error.name);
        },
      );
      const url = await listen(app);
      const bad = await fetch(`${url}/bad`);
      assert.equal(bad.status, 418);
      assert.equal(await bad.text(), "CodecError");
      assert.equal(cookieOf(bad), undefined);
      const badStatus = await fetch(`${url}/bad-status`);
      assert.equal(badStatus.status, 418, "a throw in a held call reaches the error handler");
      assert.equal(await badStatus.text(), "RangeError");
      const cookie = cookieOf(await fetch(`${url}/set`));
      faults.down = true;
      const down = await fetch(`${url}/set`, { headers: { cookie: cookie! } });
      assert.equal(down.status, 503);
      assert.equal(down.headers.get("retry-after"), "5");
      assert.match(await down.text(), /session store/);
    });
  });
}
