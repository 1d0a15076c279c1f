// HTTP-level tests of every route: a real server on 127.0.0.1, port 0, and
// fetch with a hand-kept cookie jar.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningServer, startServer } from "./server.ts";
import { Client, flashes, login, sessionData, visits } from "./test-client.ts";

const secret = randomBytes(32).toString("base64url");
const PASSWORD = "correct horse battery";
let server: RunningServer;
let users = 0;

// Each test gets its own user, so tests do not depend on each other's state.
function newUser(): string {
  users += 1;
  return `user_${users}`;
}

function client(): Client {
  return new Client(server.url);
}

before(async () => {
  server = await startServer({ secret, dbPath: ":memory:", port: 0, host: "127.0.0.1" });
});

after(async () => {
  await server.close();
});

describe("login", () => {
  test("/ redirects to /login when logged out", async () => {
    const home = await client().get("/");
    assert.equal(home.status, 303);
    assert.equal(home.headers.get("location"), "/login");
  });

  test("register, log in, then / greets the user", async () => {
    const c = client();
    const name = newUser();
    const registered = await c.submit("/register", "/register", {
      username: name,
      password: PASSWORD,
    });
    assert.equal(registered.status, 303);
    assert.equal(registered.headers.get("location"), "/login");
    assert.deepEqual(flashes((await c.get("/login")).text), [
      `success: Account &quot;${name}&quot; created. You can log in now.`,
    ]);

    const loggedIn = await c.submit("/login", "/login", { username: name, password: PASSWORD });
    assert.equal(loggedIn.status, 303);
    assert.equal(loggedIn.headers.get("location"), "/");
    const home = await c.get("/");
    assert.equal(home.status, 200);
    assert.match(home.text, new RegExp(`<h1>Hello, ${name}!</h1>`));
    assert.match(home.text, new RegExp(`Logged in as <strong>${name}</strong>`));
    assert.deepEqual(flashes(home.text), [`success: Welcome, ${name}! You are logged in.`]);
  });

  test("the visit counter increments on each visit", async () => {
    const c = client();
    await login(c, newUser(), PASSWORD, { register: true });
    assert.equal(visits((await c.get("/")).text), 1);
    assert.equal(visits((await c.get("/")).text), 2);
    assert.equal(visits((await c.get("/")).text), 3);
  });

  test("login regenerates the session cookie, and the password never enters the session", async () => {
    const c = client();
    const name = newUser();
    const password = "a-very-distinctive-password-42";
    await c.submit("/register", "/register", { username: name, password });
    await c.csrf("/login");
    const before = c.cookie("__Host-session")?.raw;
    assert.ok(before, "the login form starts a session for its CSRF token");
    await c.submit("/login", "/login", { username: name, password });
    const after = c.cookie("__Host-session")?.raw;
    assert.ok(after);
    assert.notEqual(after, before);

    const panel = await c.get("/session");
    assert.equal(panel.status, 200);
    const data = sessionData(panel.text);
    assert.equal(data.username, name);
    // The user id is the session's metadata (sessions.login), not its data.
    assert.equal(data.userId, undefined);
    assert.match(panel.text, new RegExp(`id="session-user"><code>\\d+</code> \\(${name}\\)`));
    assert.ok(!panel.text.includes(password));
    assert.ok(!Object.keys(data).some((key) => /pass|pwd/i.test(key)));
  });

  test("an unknown user and a wrong password get the same message", async () => {
    const c = client();
    const name = newUser();
    await c.submit("/register", "/register", { username: name, password: PASSWORD });

    const unknown = await c.submit("/login", "/login", {
      username: "nobody_here",
      password: PASSWORD,
    });
    assert.equal(unknown.headers.get("location"), "/login");
    const unknownFlash = flashes((await c.get("/login")).text);

    const wrong = await c.submit("/login", "/login", {
      username: name,
      password: "wrong password",
    });
    assert.equal(wrong.headers.get("location"), "/login");
    const wrongFlash = flashes((await c.get("/login")).text);

    assert.deepEqual(unknownFlash, ["error: Invalid username or password."]);
    assert.deepEqual(wrongFlash, unknownFlash);
    assert.equal((await c.get("/")).status, 303, "still logged out");
  });

  test("registration validates the username and password and refuses a taken name", async () => {
    const c = client();
    const name = newUser();
    const attempt = async (username: string, password: string) => {
      const result = await c.submit("/register", "/register", { username, password });
      return {
        location: result.headers.get("location"),
        flash: flashes((await c.get("/register")).text),
      };
    };
    assert.match((await attempt("ab", PASSWORD)).flash[0] ?? "", /^error: Usernames are 3 to 32/);
    assert.match((await attempt("bad name!", PASSWORD)).flash[0] ?? "", /^error: Usernames/);
    assert.match((await attempt(name, "short")).flash[0] ?? "", /^error: Passwords are 8 to 128/);

    const first = await c.submit("/register", "/register", { username: name, password: PASSWORD });
    assert.equal(first.headers.get("location"), "/login");
    const taken = await attempt(name.toUpperCase(), PASSWORD);
    assert.equal(taken.location, "/register");
    assert.deepEqual(taken.flash, [
      `error: The username &quot;${name.toUpperCase()}&quot; is already taken.`,
    ]);
  });

  test("logout clears the session, deletes last_visit and says so", async () => {
    const c = client();
    const name = newUser();
    await login(c, name, PASSWORD, { register: true });
    await c.get("/");
    assert.ok(c.cookie("last_visit"));

    const out = await c.submit("/", "/logout", {});
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("location"), "/login");
    const deleted = out.setCookies.find((cookie) => cookie.name === "last_visit");
    assert.equal(deleted?.maxAge, 0);
    assert.equal(c.cookie("last_visit"), undefined);

    const page = await c.get("/login");
    assert.deepEqual(flashes(page.text), ["info: Successfully logged out."]);
    assert.match(page.text, /Not logged in/);
    assert.equal((await c.get("/")).status, 303);
    const panel = await c.get("/session");
    assert.ok(!panel.text.includes(name));
  });

  test("GET /logout is not allowed", async () => {
    const result = await client().get("/logout");
    assert.equal(result.status, 405);
    assert.equal(result.headers.get("allow"), "POST");
  });
});

describe("remember me", () => {
  test("a remembered login's cookie lasts 7 days", async () => {
    const c = client();
    const result = await login(c, newUser(), PASSWORD, { register: true, remember: true });
    const cookie = result.setCookies.find((s) => s.name === "__Host-session");
    assert.ok(cookie?.maxAge !== undefined, "Max-Age is set");
    assert.ok(Math.abs(cookie.maxAge - 604800) <= 5, `Max-Age ${cookie.maxAge} ≈ 604800`);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, "lax");
    assert.equal(cookie.path, "/");
    assert.match((await c.get("/")).text, /survives a browser restart/);
  });

  test("a plain login's cookie ends with the browser", async () => {
    const c = client();
    const result = await login(c, newUser(), PASSWORD, { register: true });
    const cookie = result.setCookies.find((s) => s.name === "__Host-session");
    assert.ok(cookie);
    assert.equal(cookie.maxAge, undefined);
    assert.equal(cookie.expires, undefined);
    assert.match((await c.get("/")).text, /ends when you close the browser/);
  });
});

describe("flash messages", () => {
  test("a success is shown once", async () => {
    const c = client();
    const posted = await c.submit("/post", "/post", { title: "Hello" });
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.get("location"), "/post");
    assert.deepEqual(flashes((await c.get("/post")).text), [
      "success: Article &quot;Hello&quot; published successfully!",
    ]);
    assert.deepEqual(flashes((await c.get("/post")).text), []);
  });

  test("an empty title is an error", async () => {
    const c = client();
    await c.submit("/post", "/post", { title: "   " });
    const page = await c.get("/post");
    assert.deepEqual(flashes(page.text), ["error: Title cannot be empty."]);
    assert.match(page.text, /class="flash flash-error"/);
  });

  test("user input is escaped", async () => {
    const c = client();
    await c.submit("/post", "/post", { title: `<script>alert("x")</script>` });
    const page = await c.get("/post");
    assert.ok(!page.text.includes("<script>"));
    assert.match(page.text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  });
});

describe("plain cookies", () => {
  test("set, read and delete", async () => {
    const c = client();
    assert.match(
      (await c.get("/cookies/read")).text,
      /The cookie <code>tutorial<\/code> is not set/,
    );

    const set = await c.submit("/cookies", "/cookies/set", { value: "Hello World" });
    assert.equal(set.status, 303);
    const cookie = set.setCookies.find((s) => s.name === "tutorial");
    assert.equal(cookie?.value, "Hello World");
    assert.equal(cookie?.httpOnly, undefined, "readable by scripts on purpose");

    const read = await c.get("/cookies/read");
    assert.match(read.text, /The cookie value is: <strong id="cookie-value">Hello World<\/strong>/);
    assert.match((await c.get("/cookies")).text, /set to <strong><code>Hello World<\/code>/);

    const deleted = await c.submit("/cookies", "/cookies/delete", {});
    assert.equal(deleted.status, 303);
    assert.equal(deleted.setCookies.find((s) => s.name === "tutorial")?.maxAge, 0);
    assert.match((await c.get("/cookies/read")).text, /is not set/);
  });

  test("an edited cookie value is shown escaped", async () => {
    const c = client();
    const read = await c.request("/cookies/read", {
      headers: { cookie: "tutorial=%3Cb%3Ehi%3C%2Fb%3E" },
    });
    assert.match(read.text, /&lt;b&gt;hi&lt;\/b&gt;/);
  });

  test("the last-visit cookie records each visit and the home page shows the previous one", async () => {
    const c = client();
    await login(c, newUser(), PASSWORD, { register: true });
    const first = await c.get("/");
    assert.match(first.text, /This is your first visit/);
    const stamp = first.setCookies.find((s) => s.name === "last_visit");
    assert.ok(stamp);
    const date = new Date(stamp.value);
    assert.ok(Math.abs(date.getTime() - Date.now()) < 10_000);
    assert.ok(stamp.maxAge !== undefined && stamp.maxAge > 0);

    const second = await c.get("/");
    const shown = `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
    assert.match(second.text, new RegExp(`Your previous visit was at <strong>${shown}</strong>`));
    // The cookie page shows the visit just made (not the first: they may be a second apart).
    const latest = second.setCookies.find((s) => s.name === "last_visit");
    assert.ok(latest);
    const latestShown = `${latest.value.slice(0, 19).replace("T", " ")} UTC`;
    assert.match((await c.get("/cookies")).text, new RegExp(latestShown));
  });

  test("an edited last_visit cookie is reported, not trusted", async () => {
    const c = client();
    const page = await c.request("/cookies", { headers: { cookie: "last_visit=yesterday" } });
    assert.match(page.text, /holds <code>yesterday<\/code>, which is not a date/);
  });
});

describe("the session panel", () => {
  test("shows the data, the times and the cookies with their attributes", async () => {
    const c = client();
    const name = newUser();
    await login(c, name, PASSWORD, { register: true });
    const panel = await c.get("/session");
    assert.equal(panel.status, 200);
    assert.match(panel.text, new RegExp(`&quot;username&quot;: &quot;${name}&quot;`));
    assert.match(panel.text, /<dt>Created<\/dt>/);
    assert.match(panel.text, /<dt>Last active<\/dt>/);
    assert.match(panel.text, /<dt>Expires<\/dt>/);
    assert.match(panel.text, /<code>__Host-session<\/code>[\s\S]*?HttpOnly/);
    assert.match(panel.text, /<code>tutorial<\/code>[\s\S]*?readable by scripts/);
    assert.match(panel.text, /Sealed cookie session/);
    assert.match(panel.text, /Server session/);
    // The cookie's attributes are read from sessions.cookie: the library's defaults.
    assert.match(
      panel.text,
      /<code>__Host-session<\/code><small class="muted">your session, sealed<\/small><\/td>\s*<td><span class="tag tag-info">HttpOnly<\/span><\/td>\s*<td><span class="tag tag-success">yes<\/span><\/td>\s*<td>Lax<\/td>\s*<td><code>\/<\/code><\/td>/,
    );
    // The store, and what revocation does with it.
    assert.match(panel.text, /Store: <code>cookie<\/code>/);
    assert.match(panel.text, /Revocation is on\./);
    assert.match(panel.text, /action="\/logout-all"[\s\S]*?Log out everywhere/);
  });

  test("the CSRF secret is not shown, but a note says it is there", async () => {
    const c = client();
    await c.csrf("/post"); // an anonymous session that holds only the CSRF secret
    const anonymous = await c.get("/session");
    assert.deepEqual(sessionData(anonymous.text), {});
    assert.match(anonymous.text, /Not shown: <code>_csrf<\/code>, the session's CSRF secret/);
    assert.doesNotMatch(anonymous.text, /&quot;_csrf&quot;/);
    assert.match(anonymous.text, /id="session-user"><span class="muted">not logged in/);
    assert.doesNotMatch(anonymous.text, /action="\/logout-all"/, "no button when logged out");

    await login(c, newUser(), PASSWORD, { register: true });
    const data = sessionData((await c.get("/session")).text);
    assert.deepEqual(Object.keys(data).sort(), ["username", "visits"]);
  });

  test("an anonymous visitor has no session", async () => {
    const panel = await client().get("/session");
    assert.equal(panel.status, 200);
    assert.match(panel.text, /You have no session yet/);
    assert.equal(panel.headers.getSetCookie().length, 0);
  });
});

describe("CSRF", () => {
  test("a POST without a token is refused with 403", async () => {
    const c = client();
    const name = newUser();
    await c.csrf("/login");
    const result = await c.post("/login", { username: name, password: PASSWORD });
    assert.equal(result.status, 403);
    assert.match(
      result.text,
      /security token is missing or wrong \(CSRF protection: missing token\)/,
    );
  });

  test("a POST without a session cookie explains what to check", async () => {
    const result = await client().post("/login", { username: "x", password: "y", _csrf: "z" });
    assert.equal(result.status, 403);
    assert.match(result.text, /Your browser sent no session cookie with this form/);
  });

  test("a wrong token is refused with 403", async () => {
    const c = client();
    const token = await c.csrf("/post");
    const result = await c.post("/post", {
      title: "x",
      _csrf: `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
    });
    assert.equal(result.status, 403);
    assert.match(result.text, /CSRF protection: invalid token/);
  });

  test("another session's token is refused with 403", async () => {
    const attacker = client();
    const token = await attacker.csrf("/post");
    const victim = client();
    await victim.csrf("/post");
    const result = await victim.post("/post", { title: "x", _csrf: token });
    assert.equal(result.status, 403);
    assert.match(result.text, /CSRF protection: invalid token/);
  });

  test("a cross-site POST is refused even with a valid token", async () => {
    const c = client();
    const token = await c.csrf("/post");
    const result = await c.request("/post", {
      method: "POST",
      body: new URLSearchParams({ title: "x", _csrf: token }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "cross-site",
        origin: "https://evil.example",
      },
    });
    assert.equal(result.status, 403);
    assert.match(result.text, /sent from another site[\s\S]*CSRF protection: cross-origin request/);
    const same = await c.request("/post", {
      method: "POST",
      body: new URLSearchParams({ title: "x", _csrf: token }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
        origin: new URL(server.url).origin,
      },
    });
    assert.equal(same.status, 303, "the same form from the same origin passes");
  });

  test("login CSRF: the login form is protected before login, and its token dies at login", async () => {
    const victim = client();
    const name = newUser();
    await victim.submit("/register", "/register", { username: name, password: PASSWORD });
    // GET /login gives the anonymous visitor a session (for its CSRF secret) and a token.
    const form = await victim.get("/login");
    assert.ok(form.setCookies.some((cookie) => cookie.name === "__Host-session"));
    const preLogin = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    assert.ok(preLogin);

    // An attacker's own valid token does not fit the victim's session.
    const attacker = client();
    const theirs = await attacker.csrf("/login");
    const swapped = await victim.post("/login", {
      username: name,
      password: PASSWORD,
      _csrf: theirs,
    });
    assert.equal(swapped.status, 403);
    assert.match(swapped.text, /CSRF protection: invalid token/);
    assert.equal((await victim.get("/")).status, 303, "not logged in");

    // The victim's own token logs in; login rotates the CSRF secret.
    const done = await victim.post("/login", {
      username: name,
      password: PASSWORD,
      _csrf: preLogin,
    });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get("location"), "/");
    const stale = await victim.post("/post", { title: "x", _csrf: preLogin });
    assert.equal(stale.status, 403, "the pre-login token is dead after login");
    assert.match(stale.text, /CSRF protection: invalid token/);
    assert.equal((await victim.submit("/post", "/post", { title: "x" })).status, 303);
  });

  test("a form from before a logout explains that the session changed", async () => {
    const c = client();
    await login(c, newUser(), PASSWORD, { register: true });
    const token = await c.csrf("/post");
    await c.submit("/", "/logout", {});
    const result = await c.post("/post", { title: "x", _csrf: token });
    assert.equal(result.status, 403);
    assert.match(result.text, /Your session ended or changed since this page was loaded/);
  });

  test("a POST without any session is refused with 403", async () => {
    const result = await client().post("/cookies/delete", { _csrf: "anything" });
    assert.equal(result.status, 403);
  });

  test("every logged-in form carries a token, logout included", async () => {
    const c = client();
    await login(c, newUser(), PASSWORD, { register: true });
    const home = await c.get("/");
    assert.match(
      home.text,
      /action="\/logout"[^>]*><input type="hidden" name="_csrf" value="[^"]+">/,
    );
    const refused = await c.post("/logout", {});
    assert.equal(refused.status, 403);
    assert.equal((await c.get("/")).status, 200, "still logged in");
  });
});

describe("bad input", () => {
  test("an unknown route is a 404 page", async () => {
    const result = await client().get("/nope?<x>");
    assert.equal(result.status, 404);
    assert.match(result.text, /There is no page at \/nope\./);
  });

  test("a wrong method is a 405 with Allow", async () => {
    const result = await client().request("/login", { method: "PUT" });
    assert.equal(result.status, 405);
    assert.equal(result.headers.get("allow"), "GET, POST, HEAD");
    const del = await client().request("/session", { method: "DELETE" });
    assert.equal(del.status, 405);
  });

  test("an over-long field is a 400", async () => {
    const c = client();
    const result = await c.submit("/post", "/post", { title: "x".repeat(201) });
    assert.equal(result.status, 400);
    assert.match(result.text, /The field &quot;title&quot; is too long: at most 200 characters/);
    const username = await c.submit("/login", "/login", {
      username: "u".repeat(33),
      password: PASSWORD,
    });
    assert.equal(username.status, 400);
  });

  test("an over-long body is a 400, by Content-Length or by size", async () => {
    const c = client();
    const token = await c.csrf("/post");
    const big = new URLSearchParams({ _csrf: token, title: "x".repeat(17 * 1024) }).toString();
    const declared = await c.request("/post", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(declared.status, 400);
    assert.match(declared.text, /The form is too large: at most 16 KiB/);

    // Chunked: no Content-Length, so only the bytes that arrive can tell.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const response = await fetch(new URL("/post", server.url), {
      method: "POST",
      body,
      duplex: "half",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: c.cookieHeader(),
      },
    } as RequestInit);
    assert.equal(response.headers.get("content-length"), null);
    assert.equal(response.status, 400);
  });

  test("a form with the wrong media type is a 415", async () => {
    const result = await client().request("/post", {
      method: "POST",
      body: JSON.stringify({ title: "x" }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(result.status, 415);
  });

  test("a tampered session cookie gives an anonymous session, not an error", async () => {
    const c = client();
    await login(c, newUser(), PASSWORD, { register: true });
    const cookie = c.cookie("__Host-session");
    assert.ok(cookie);
    const flipped = cookie.raw.at(-2) === "A" ? "B" : "A";
    cookie.raw = `${cookie.raw.slice(0, -2)}${flipped}${cookie.raw.slice(-1)}`;
    const home = await c.get("/");
    assert.equal(home.status, 303);
    assert.equal(home.headers.get("location"), "/login");
    const panel = await c.get("/session");
    assert.equal(panel.status, 200);
    assert.match(panel.text, /You have no session yet/);
    const garbage = await c.request("/", { headers: { cookie: "__Host-session=%%%; x=\u00ff" } });
    assert.equal(garbage.status, 303);
  });

  test("an invalid Host header is a 400", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(server.url);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: "/login",
          headers: { host: "a b" },
          setHost: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 400);
  });

  test("HEAD is served like GET, without a body", async () => {
    const result = await client().request("/login", { method: "HEAD" });
    assert.equal(result.status, 200);
    assert.equal(result.text, "");
  });

  test("pages carry security headers", async () => {
    const result = await client().get("/login");
    assert.match(result.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(result.headers.get("x-content-type-options"), "nosniff");
    assert.equal(result.headers.get("cache-control"), "no-store");
    assert.match(result.headers.get("vary") ?? "", /Cookie/);
  });
});

describe("startup", () => {
  const serverFile = join(import.meta.dirname, "server.ts");

  function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const { TESSERA_SECRET: _, ...inherited } = process.env;
    const child = spawn(process.execPath, [serverFile], {
      env: { ...inherited, DEMO_DB: ":memory:", PORT: "0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill(), 10_000);
    return new Promise((resolve) => {
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }

  test("production refuses to start without TESSERA_SECRET", async () => {
    const { code, stderr } = await run({ NODE_ENV: "production" });
    assert.equal(code, 1);
    assert.match(stderr, /TESSERA_SECRET is not set; in production the demo refuses to start/);
    assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
  });

  test("a weak secret is refused with the library's reason", async () => {
    const { code, stderr } = await run({ NODE_ENV: "production", TESSERA_SECRET: "keyboard cat" });
    assert.equal(code, 1);
    assert.match(stderr, /TESSERA_SECRET: session secret refused/);
  });

  test("an unknown store is refused, naming those the demo knows", async () => {
    const { code, stderr } = await run({ SESSION_STORE: "mysql", TESSERA_SECRET: secret });
    assert.equal(code, 1);
    assert.match(
      stderr,
      /SESSION_STORE=mysql is not a store this demo knows; use one of: cookie, memory, sqlite, redis, postgres\n$/,
    );
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  test("a Redis that does not answer stops the start with one line", async () => {
    const { code, stderr } = await run({
      SESSION_STORE: "redis",
      REDIS_URL: "redis://127.0.0.1:1",
      TESSERA_SECRET: secret,
    });
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^\[demo\] SESSION_STORE=redis: cannot connect to redis:\/\/127\.0\.0\.1:1/m,
    );
    assert.doesNotMatch(stderr, /^\s+at /m);
  });
});
