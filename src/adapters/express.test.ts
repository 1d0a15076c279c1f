// Express specifics; the shared behaviour is in conformance.test.ts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import express from "express";
// @ts-expect-error: express4 is an npm alias of express@4, without types of its own.
import express4 from "express4";
import { createSessions } from "../manager/sessions.ts";
import { sealedCookieStore } from "../session/sealed-cookie.ts";
import type { SessionStore } from "../session/store.ts";
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
const sessionCookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((value) => value.startsWith("__Host-session="))
    ?.split(";")[0];

type Middleware = ReturnType<typeof sessionMiddleware>;

// Runs the session middleware and records, in res.locals.nextWasSync,
// whether it called next() before returning.
function recordingNext(middleware: Middleware): express.RequestHandler {
  return (req, res, next) => {
    let returned = false;
    middleware(req, res, (error?: unknown) => {
      res.locals.nextWasSync = !returned;
      next(error);
    });
    returned = true;
  };
}

// A sealed-cookie store that seals and opens through promises (as one built
// on Web Crypto would): responses wait for its commit.
function asyncCookieStore(): SessionStore {
  const sealed = sealedCookieStore();
  return {
    kind: "cookie",
    setup: (options) => sealed.setup!(options),
    get: async (value, context) => sealed.get(value, context),
    set: async (key, record, context) => sealed.set(key, record, context),
    destroy: () => undefined,
  };
}

// A memory store whose calls throw at once while `down`.
function throwingStore() {
  const inner = memoryStore();
  const state = { down: false };
  const store = { ...inner } as Record<string, unknown>;
  for (const method of ["get", "set", "patch", "touch", "destroy"] as const) {
    const original = inner[method] as (...args: unknown[]) => unknown;
    store[method] = (...args: unknown[]) => {
      if (state.down) throw new Error(`injected fault in ${method}`);
      return original.apply(inner, args);
    };
  }
  return { store: store as unknown as SessionStore, state };
}

const folder = mkdtempSync(join(tmpdir(), "tessera-express-"));
const file = join(folder, "page.txt");
writeFileSync(file, "from a file");
after(() => rmSync(folder, { recursive: true, force: true }));

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

    test("sealed cookie: next() and the commit at once, on every way a response goes out", async () => {
      const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32) });
      const app = make();
      app.use(recordingNext(sessionMiddleware(sessions)));
      const count = (req: express.Request) => {
        const visits = (req.session.get("visits") ?? 0) + 1;
        req.session.set("visits", visits);
        return visits;
      };
      app.get("/next", (req, res) => {
        req.session.get("visits");
        res.send(String(res.locals.nextWasSync));
      });
      app.all("/redirect", (req, res) => {
        count(req);
        res.redirect(303, "/read");
      });
      app.get("/read", (req, res) => {
        res.send(String(req.session.get("visits") ?? 0));
      });
      app.get("/stream", (req, res) => {
        count(req);
        res.write("a");
        setTimeout(() => {
          res.write("b");
          res.end("c");
        }, 5);
      });
      app.get("/object", (req, res) => {
        count(req);
        res.writeHead(201, { "set-cookie": "theme=dark; Path=/", vary: "Accept", "x-given": "1" });
        res.end("created");
      });
      app.get("/array", (req, res) => {
        count(req);
        res.setHeader("x-replaced", "old");
        res.writeHead(200, "Fine", ["set-cookie", "a=1", "set-cookie", "b=2", "x-replaced", "new"]);
        res.end("listed");
      });
      app.get("/preset", (req, res) => {
        count(req);
        res.cookie("pre", "1");
        res.send("preset");
      });
      app.get("/file", (req, res) => {
        count(req);
        res.sendFile(file);
      });
      app.get("/failed", (req, res) => {
        count(req);
        res.status(503).send("down");
      });
      const url = await listen(app);

      assert.equal(await (await fetch(`${url}/next`)).text(), "true", "next() ran at once");
      for (const method of ["GET", "HEAD"]) {
        const redirect = await fetch(`${url}/redirect`, { method, redirect: "manual" });
        assert.equal(redirect.status, 303);
        const cookie = sessionCookieOf(redirect);
        assert.ok(cookie, `${method}: the redirect carries the cookie`);
        const read = await fetch(`${url}/read`, { headers: { cookie } });
        assert.equal(await read.text(), "1");
      }
      const stream = await fetch(`${url}/stream`);
      assert.equal(await stream.text(), "abc");
      assert.ok(sessionCookieOf(stream), "a streamed response carries the cookie");

      const object = await fetch(`${url}/object`);
      assert.equal(object.status, 201);
      assert.equal(object.headers.get("x-given"), "1");
      assert.equal(object.headers.get("vary"), "Accept, Cookie");
      assert.equal(object.headers.get("cache-control"), "no-store");
      assert.ok(object.headers.getSetCookie().includes("theme=dark; Path=/"), "theirs is kept");
      assert.ok(sessionCookieOf(object), "ours is added");

      const array = await fetch(`${url}/array`);
      assert.equal(array.statusText, "Fine");
      assert.equal(array.headers.get("x-replaced"), "new");
      const listed = array.headers.getSetCookie().map((value) => value.split(";")[0]);
      assert.deepEqual(listed.slice(0, 2), ["a=1", "b=2"]);
      assert.ok(sessionCookieOf(array));

      const preset = await fetch(`${url}/preset`);
      assert.ok(preset.headers.getSetCookie().some((value) => value.startsWith("pre=1")));
      assert.ok(sessionCookieOf(preset));

      const sent = await fetch(`${url}/file`);
      assert.equal(await sent.text(), "from a file");
      assert.ok(sessionCookieOf(sent), "res.sendFile carries the cookie");

      const failed = await fetch(`${url}/failed`);
      assert.equal(failed.status, 503);
      assert.equal(sessionCookieOf(failed), undefined, "nothing is written on a 5xx");
      assert.match(failed.headers.get("vary") ?? "", /Cookie/);
    });

    test("a commit error in a later callback or a stream reaches next(error) before anything is sent", async () => {
      const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32) });
      const errors: string[] = [];
      const app = make();
      app.use(sessionMiddleware(sessions));
      const poison = (req: express.Request) => req.session.set("visits", 1n as unknown as number); // JSON cannot carry a BigInt
      app.get("/later", (req, res) => {
        poison(req);
        setTimeout(() => res.send("never"), 1);
      });
      app.get("/stream", (req, res) => {
        poison(req);
        Readable.from(["never"]).pipe(res);
      });
      app.get("/ok", (_req, res) => {
        res.send("alive");
      });
      app.use(
        (
          error: Error,
          _req: express.Request,
          res: express.Response,
          _next: express.NextFunction,
        ) => {
          errors.push(error.name);
          res.status(500).send(error.name);
        },
      );
      const url = await listen(app);
      for (const path of ["/later", "/stream"]) {
        const failed = await fetch(`${url}${path}`);
        assert.equal(failed.status, 500);
        assert.equal(await failed.text(), "CodecError");
        assert.equal(sessionCookieOf(failed), undefined);
      }
      assert.deepEqual(errors, ["CodecError", "CodecError"]);
      assert.equal(await (await fetch(`${url}/ok`)).text(), "alive", "the process goes on");
    });

    test("a store that answers at once (memory) is not held; one that throws at once answers 503", async () => {
      const { store, state } = throwingStore();
      const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32), store });
      const app = make();
      app.use(recordingNext(sessionMiddleware(sessions)));
      app.get("/redirect", (req, res) => {
        req.session.set("visits", (req.session.get("visits") ?? 0) + 1);
        res.setHeader("x-sync", String(res.locals.nextWasSync));
        res.redirect(303, "/read");
      });
      app.get("/read", (req, res) => {
        res.send(String(req.session.get("visits") ?? 0));
      });
      const url = await listen(app);
      const redirect = await fetch(`${url}/redirect`, { redirect: "manual" });
      assert.equal(redirect.headers.get("x-sync"), "true", "the load needed no promise");
      const cookie = sessionCookieOf(redirect);
      assert.ok(cookie);
      assert.equal(await (await fetch(`${url}/read`, { headers: { cookie } })).text(), "1");
      state.down = true;
      const down = await fetch(`${url}/redirect`, { redirect: "manual" });
      assert.equal(down.status, 503, "a new session cannot be written");
      assert.equal(down.headers.get("retry-after"), "5");
      assert.equal(down.headers.get("location"), null, "the handler's answer is dropped");
      assert.equal(sessionCookieOf(down), undefined);
    });

    test("stores that answer with promises keep the hold-and-replay path", async () => {
      for (const store of [asyncCookieStore(), faultyStore(memoryStore()).store]) {
        const sessions = createSessions<{ visits?: number }>({ secrets: randomBytes(32), store });
        const app = make();
        app.use(recordingNext(sessionMiddleware(sessions)));
        app.get("/redirect", (req, res) => {
          req.session.set("visits", (req.session.get("visits") ?? 0) + 1);
          res.setHeader("x-sync", String(res.locals.nextWasSync));
          res.writeHead(303, { location: "/read", "set-cookie": "theme=dark" });
          res.end();
        });
        app.get("/read", (req, res) => {
          res.send(String(req.session.get("visits") ?? 0));
        });
        const url = await listen(app);
        const first = await fetch(`${url}/redirect`, { redirect: "manual" });
        const cookie = sessionCookieOf(first);
        assert.ok(cookie, `${store.kind}: the cookie is on the redirect`);
        assert.ok(first.headers.getSetCookie().includes("theme=dark"), "theirs is kept");
        const second = await fetch(`${url}/redirect`, { redirect: "manual", headers: { cookie } });
        assert.equal(second.headers.get("x-sync"), "false", `${store.kind}: the load awaited`);
        const latest = sessionCookieOf(second) ?? cookie; // a server session keeps its id
        const read = await fetch(`${url}/read`, { headers: { cookie: latest } });
        assert.equal(await read.text(), "2");
      }
    });
  });
}
