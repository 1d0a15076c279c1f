// The demo's core flow on every session store it knows, over HTTP: register,
// log in, count visits, flash once, log out; then what only revocation or a
// server store gives: a cookie copied before logout is dead after it, and
// "log out everywhere" ends the user's other sessions.
//
// The stores are opened through config.ts, as `SESSION_STORE=… npm start`
// would. Redis (127.0.0.1:6379) and Postgres (127.0.0.1:5432, database
// "test", user "postgres") must be running: when they are not, CI=true fails
// and a local run skips them with a loud warning.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type OpenedStore, openStore } from "./config.ts";
import { type RunningServer, startServer } from "./server.ts";
import { Client, flashes, login, visits } from "./test-client.ts";

const SECRET = randomBytes(32).toString("base64url");
const PASSWORD = "correct horse battery";
const RUN = randomBytes(6).toString("hex");
const REDIS_URL = "redis://127.0.0.1:6379";
const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
const onCi = process.env.CI === "true";
const dir = mkdtempSync(join(tmpdir(), "tessera-demo-stores-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface StoreCase {
  name: string;
  env: NodeJS.ProcessEnv;
  /** Removes what the run left in a shared server (keys, a table). */
  cleanup?: () => Promise<void>;
}

const CASES: StoreCase[] = [
  { name: "cookie", env: {} },
  { name: "memory", env: {} },
  { name: "sqlite", env: { SESSION_DB: join(dir, "sessions.db") } },
  {
    name: "redis",
    env: { REDIS_URL, REDIS_PREFIX: `tessera-demo-test:${RUN}:` },
    async cleanup() {
      const { createClient } = await import("redis");
      const client = createClient({ url: REDIS_URL });
      await client.connect();
      try {
        const keys = await client.keys(`tessera-demo-test:${RUN}:*`);
        if (keys.length > 0) await client.del(keys);
      } finally {
        client.destroy();
      }
    },
  },
  {
    name: "postgres",
    env: { DATABASE_URL, PG_TABLE: `tessera_demo_test_${RUN}` },
    async cleanup() {
      const { default: pg } = await import("pg");
      const pool = new pg.Pool({ connectionString: DATABASE_URL });
      try {
        await pool.query(`DROP TABLE IF EXISTS "tessera_demo_test_${RUN}"`);
      } finally {
        await pool.end();
      }
    },
  },
];

// Opened now, so that a store whose server is down can be skipped (or, on
// CI, fail) before its tests are declared.
const opened = new Map<string, OpenedStore | Error>();
for (const { name, env } of CASES) {
  opened.set(name, await openStore(name, env).catch((error: unknown) => error as Error));
}

for (const { name, cleanup } of CASES) {
  const store = opened.get(name);
  const unreachable = store instanceof Error ? store.message : undefined;
  if (unreachable !== undefined) {
    if (onCi) {
      test(`the ${name} store is reachable (required on CI)`, () => assert.fail(unreachable));
    } else {
      console.warn(
        `\n!!! ${unreachable}: SKIPPING the demo's ${name} store tests. Start the server to run them. !!!\n`,
      );
    }
  }

  describe(`on the ${name} store`, { skip: unreachable ?? false }, () => {
    let server: RunningServer;
    let users = 0;
    const newUser = () => `${name}_${++users}`;
    const client = () => new Client(server.url);

    before(async () => {
      const { store: sessionStore, where } = store as OpenedStore;
      server = await startServer({
        secret: SECRET,
        store: sessionStore,
        storeName: name,
        storeWhere: where,
        dbPath: ":memory:",
        port: 0,
        host: "127.0.0.1",
      });
    });

    after(async () => {
      await server?.close();
      await (store as OpenedStore).close();
      await cleanup?.();
    });

    test("register, log in, count visits, flash once, log out", async () => {
      const c = client();
      const user = newUser();
      const registered = await c.submit("/register", "/register", {
        username: user,
        password: PASSWORD,
      });
      assert.equal(registered.headers.get("location"), "/login");
      assert.deepEqual(flashes((await c.get("/login")).text), [
        `success: Account &quot;${user}&quot; created. You can log in now.`,
      ]);

      const loggedIn = await c.submit("/login", "/login", { username: user, password: PASSWORD });
      assert.equal(loggedIn.status, 303);
      assert.equal(loggedIn.headers.get("location"), "/");
      const home = await c.get("/");
      assert.match(home.text, new RegExp(`<h1>Hello, ${user}!</h1>`));
      assert.deepEqual(flashes(home.text), [`success: Welcome, ${user}! You are logged in.`]);
      assert.equal(visits(home.text), 1);
      assert.equal(visits((await c.get("/")).text), 2);
      const third = await c.get("/");
      assert.equal(visits(third.text), 3);
      assert.deepEqual(flashes(third.text), [], "the welcome was shown once");

      await c.submit("/post", "/post", { title: "Hello" });
      assert.deepEqual(flashes((await c.get("/post")).text), [
        "success: Article &quot;Hello&quot; published successfully!",
      ]);
      assert.deepEqual(flashes((await c.get("/post")).text), [], "a flash is shown once");

      const panel = await c.get("/session");
      assert.match(panel.text, new RegExp(`Store: <code>${name}</code>`));

      const out = await c.submit("/", "/logout", {});
      assert.equal(out.headers.get("location"), "/login");
      const page = await c.get("/login");
      assert.deepEqual(flashes(page.text), ["info: Successfully logged out."]);
      assert.deepEqual(flashes((await c.get("/login")).text), []);
      assert.equal((await c.get("/")).status, 303, "logged out");
    });

    test("a session cookie copied before logout is refused after it", async () => {
      const c = client();
      await login(c, newUser(), PASSWORD, { register: true });
      await c.get("/");
      const copied = c.cookie("__Host-session")?.raw;
      assert.ok(copied);
      const replay = () => c.request("/", { headers: { cookie: `__Host-session=${copied}` } });
      assert.equal((await replay()).status, 200, "the copy works while logged in");

      await c.submit("/", "/logout", {});
      const replayed = await replay();
      assert.equal(replayed.status, 303, "the copy is dead after logout");
      assert.equal(replayed.headers.get("location"), "/login");
    });

    test("log out everywhere ends the user's other sessions and keeps this one", async () => {
      const user = newUser();
      const here = client();
      const elsewhere = client();
      await login(here, user, PASSWORD, { register: true });
      await login(elsewhere, user, PASSWORD);
      const bystander = client();
      await login(bystander, newUser(), PASSWORD, { register: true });
      assert.equal((await here.get("/")).status, 200);
      assert.equal((await elsewhere.get("/")).status, 200);

      const panel = await here.get("/session");
      if (name !== "cookie") {
        // Server stores list the user's sessions: these two.
        const listed = /<table id="user-sessions">[\s\S]*?<\/table>/.exec(panel.text)?.[0] ?? "";
        assert.equal(listed.match(/<tr>/g)?.length, 3, "a header row and two sessions");
      }
      const done = await here.submit("/session", "/logout-all", {});
      assert.equal(done.status, 303);
      assert.equal(done.headers.get("location"), "/session");
      assert.deepEqual(flashes((await here.get("/session")).text), [
        "success: Logged out everywhere else: your other sessions have ended. This one goes on.",
      ]);

      assert.equal((await elsewhere.get("/")).status, 303, "the other browser is logged out");
      assert.equal((await here.get("/")).status, 200, "this browser stays logged in");
      assert.equal((await here.get("/")).status, 200);
      assert.equal((await bystander.get("/")).status, 200, "another user is not touched");
    });

    test("log out everywhere needs the CSRF token", async () => {
      const c = client();
      await login(c, newUser(), PASSWORD, { register: true });
      const refused = await c.post("/logout-all", {});
      assert.equal(refused.status, 403);
      assert.match(refused.text, /CSRF protection: missing token/);
    });
  });
}

describe("the cookie store without revocation", () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer({
      secret: SECRET,
      revocation: false,
      dbPath: ":memory:",
      port: 0,
      host: "127.0.0.1",
    });
  });

  after(async () => {
    await server?.close();
  });

  test("a copied cookie still works after logout: why revocation exists", async () => {
    const c = new Client(server.url);
    await login(c, "no_revocation", PASSWORD, { register: true });
    const copied = c.cookie("__Host-session")?.raw;
    assert.ok(copied);
    await c.submit("/", "/logout", {});
    assert.equal((await c.get("/")).status, 303, "this browser is logged out");
    const replayed = await c.request("/", { headers: { cookie: `__Host-session=${copied}` } });
    assert.equal(replayed.status, 200, "but the copy opens the old session");
    assert.match((await c.get("/session")).text, /Revocation is off\./);
  });

  test("log out everywhere is not offered, and refused with a message", async () => {
    const c = new Client(server.url);
    await login(c, "no_revocation_2", PASSWORD, { register: true });
    const panel = await c.get("/session");
    assert.doesNotMatch(panel.text, /action="\/logout-all"/);
    const result = await c.submit("/post", "/logout-all", {});
    assert.equal(result.status, 303);
    assert.deepEqual(flashes((await c.get("/session")).text), [
      "error: Log out everywhere needs revocation records with the cookie store; they are off.",
    ]);
    assert.equal((await c.get("/")).status, 200, "still logged in");
  });
});
