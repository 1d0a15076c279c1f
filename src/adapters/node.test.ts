import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { StoreUnavailableError } from "../errors.ts";
import { createSessions } from "../manager/sessions.ts";
import { commit, load, serve } from "./node.ts";

const sessions = createSessions<{ visits?: number }>({
  secrets: randomBytes(32).toString("base64url"),
});
const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function cookieOf(response: Response): string | undefined {
  return response.headers.getSetCookie()[0]?.split(";")[0];
}

test("load/commit on node:http count visits and merge headers", async () => {
  const url = await listen(
    createServer(async (req, res) => {
      const session = await load(sessions, req);
      const visits = (session.get("visits") ?? 0) + 1;
      session.set("visits", visits);
      res.setHeader("vary", "Accept");
      res.statusCode = req.url === "/redirect" ? 303 : 200;
      if (req.url === "/redirect") res.setHeader("location", "/");
      await commit(sessions, session, res);
      res.end(String(visits));
    }),
  );
  let cookie: string | undefined;
  for (let i = 1; i <= 3; i++) {
    const response = await fetch(url, cookie === undefined ? {} : { headers: { cookie } });
    assert.equal(await response.text(), String(i));
    assert.equal(response.headers.get("vary"), "Accept, Cookie");
    assert.equal(response.headers.get("cache-control"), "no-store");
    cookie = cookieOf(response);
    assert.match(cookie ?? "", /^__Host-session=/);
  }
  const redirect = await fetch(`${url}/redirect`, {
    redirect: "manual",
    headers: { cookie: cookie! },
  });
  assert.equal(redirect.status, 303);
  assert.ok(cookieOf(redirect), "the redirect carries the cookie");
});

test("commit after the headers went out throws instead of losing the write", async () => {
  let failure: unknown;
  const url = await listen(
    createServer(async (req, res) => {
      const session = await load(sessions, req);
      session.set("visits", 1);
      res.writeHead(200);
      try {
        await commit(sessions, session, res);
      } catch (error) {
        failure = error;
      }
      res.end();
    }),
  );
  await (await fetch(url)).text();
  assert.match(String(failure), /after the response headers were sent/);
});

test("serve() bridges a fetch handler: bodies, Set-Cookie, errors become 500 without a crash", async () => {
  const url = await listen(
    createServer(
      serve(async (request) => {
        if (request.url.endsWith("/boom")) throw new Error("handler bug");
        const session = await sessions.load(request);
        session.set("visits", (session.get("visits") ?? 0) + 1);
        const body = request.method === "POST" ? await request.text() : "";
        return sessions.commit(
          session,
          new Response(
            `${request.method} ${new URL(request.url).pathname} ${body} ${session.get("visits")}`,
            {
              headers: [
                ["x-one", "1"],
                ["set-cookie", "a=1; Path=/"],
              ],
            },
          ),
        );
      }),
    ),
  );
  const response = await fetch(`${url}/path?q=1`, { method: "POST", body: "hello" });
  assert.equal(await response.text(), "POST /path hello 1");
  assert.equal(response.headers.get("x-one"), "1");
  const cookies = response.headers.getSetCookie();
  assert.equal(cookies.length, 2, "both Set-Cookie headers survive");
  assert.equal(cookies[0], "a=1; Path=/");
  const head = await fetch(url, { method: "HEAD" });
  assert.equal(head.status, 200);
  const original = console.error;
  console.error = () => {};
  try {
    const boom = await fetch(`${url}/boom`);
    assert.equal(boom.status, 500);
    assert.equal(await boom.text(), "Internal Server Error");
  } finally {
    console.error = original;
  }
  assert.equal((await fetch(url)).status, 200, "the server still answers");
});

test("serve() answers a store outage with 503 and Retry-After", async () => {
  const url = await listen(
    createServer(
      serve(() => {
        throw new StoreUnavailableError("get", new Error("connection refused"), 9);
      }),
    ),
  );
  const response = await fetch(url);
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "9");
  assert.match(await response.text(), /session store/);
});

test("serve() answers a bad Host with 400, and keeps '//x' a path", async () => {
  const { request: send } = await import("node:http");
  const url = await listen(
    createServer(serve((request) => new Response(new URL(request.url).pathname))),
  );
  const { port } = new URL(url);
  const raw = (host: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = send({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
  assert.equal((await raw("a b", "/")).status, 400);
  assert.equal((await raw("x/y", "/")).status, 400);
  assert.equal((await raw("user@x", "/")).status, 400);
  assert.deepEqual(await raw("example.test", "//evil.test/x"), {
    status: 200,
    body: "//evil.test/x",
  });
  assert.deepEqual(await raw("example.test:8080", "/ok?q=1"), { status: 200, body: "/ok" });
});

test("load() and commit() answer with promises, and a failed commit rejects rather than throws", async () => {
  let outcome: unknown;
  const url = await listen(
    createServer(async (req, res) => {
      const loading = load(sessions, req);
      const session = await loading;
      session.set("visits", 1n as unknown as number); // JSON cannot carry a BigInt
      const committing = commit(sessions, session, res);
      outcome = [loading instanceof Promise, committing instanceof Promise];
      try {
        await committing;
      } catch (error) {
        (outcome as unknown[]).push((error as Error).name);
      }
      res.end("ok");
    }),
  );
  await (await fetch(url)).text();
  assert.deepEqual(outcome, [true, true, "CodecError"]);
});
