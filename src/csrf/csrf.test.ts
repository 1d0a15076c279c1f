import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { parseSetCookie } from "../cookie/set-cookie.ts";
import { KeyRing } from "../crypto/keys.ts";
import { ConfigError, TesseraError } from "../errors.ts";
import { createSessions } from "../manager/sessions.ts";
import { sessionState } from "../session/session.ts";
import { CSRF_SESSION_KEY, createCsrf } from "./csrf.ts";
import { CsrfError, type CsrfResult, forbidden } from "./result.ts";

const SECRET = randomBytes(32).toString("base64url");
const ORIGIN = "https://example.com";

async function setup(options: Parameters<typeof createCsrf>[1] = {}) {
  const sessions = createSessions({ secrets: [SECRET] });
  const csrf = createCsrf(sessions, options);
  const session = await sessions.load(new Request(`${ORIGIN}/`));
  return { sessions, csrf, session, token: csrf.token(session) };
}

function post(init: { headers?: Record<string, string>; body?: BodyInit; method?: string } = {}) {
  return new Request(`${ORIGIN}/form`, {
    method: init.method ?? "POST",
    headers: { "sec-fetch-site": "same-origin", origin: ORIGIN, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

const reasonOf = (result: CsrfResult) => (result.ok ? "ok" : result.reason);

describe("check(): where the token comes from", () => {
  test("safe methods pass without a token, even cross-site", async () => {
    const { csrf, session } = await setup();
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const request = new Request(`${ORIGIN}/`, {
        method,
        headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      });
      assert.equal(reasonOf(await csrf.check(request, session)), "ok", method);
    }
  });

  test("every unsafe method needs the token", async () => {
    const { csrf, session, token } = await setup();
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "PROPFIND"]) {
      assert.equal(reasonOf(await csrf.check(post({ method }), session)), "missing token", method);
      const withToken = post({ method, headers: { "x-csrf-token": token } });
      assert.equal(reasonOf(await csrf.check(withToken, session)), "ok", method);
    }
  });

  test("the header works", async () => {
    const { csrf, session, token } = await setup();
    const request = post({
      headers: { "X-CSRF-Token": token, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(reasonOf(await csrf.check(request, session)), "ok");
  });

  test("the form field works: urlencoded and multipart bodies, read from a clone", async () => {
    const { csrf, session, token } = await setup();
    const urlencoded = post({ body: new URLSearchParams({ title: "hi", _csrf: token }) });
    assert.match(urlencoded.headers.get("content-type")!, /^application\/x-www-form-urlencoded/);
    assert.equal(reasonOf(await csrf.check(urlencoded, session)), "ok");
    assert.equal((await urlencoded.formData()).get("title"), "hi", "the body is still unread");

    const form = new FormData();
    form.set("_csrf", token);
    form.set("file", new Blob(["data"]), "a.txt");
    const multipart = post({ body: form });
    assert.match(multipart.headers.get("content-type")!, /^multipart\/form-data; boundary=/);
    assert.equal(reasonOf(await csrf.check(multipart, session)), "ok");
    assert.equal(((await multipart.formData()).get("file") as File).name, "a.txt");
  });

  test("a form the application parsed already can be passed in", async () => {
    const { csrf, session, token } = await setup();
    const request = post({ body: new URLSearchParams({ _csrf: token }) });
    const form = await request.formData();
    assert.equal(reasonOf(await csrf.check(request, session, form)), "ok");
    assert.equal(
      reasonOf(await csrf.check(request, session, new URLSearchParams({ _csrf: token }))),
      "ok",
    );
    assert.equal(
      reasonOf(await csrf.check(request, session, new URLSearchParams())),
      "missing token",
    );
    // Without the form, a consumed body is a programming error, said clearly.
    await assert.rejects(csrf.check(request, session), /pass the parsed form/);
  });

  test("Content-Type is matched case-insensitively, parameters ignored (hono:mixed-case-ct)", async () => {
    const { csrf, session, token } = await setup();
    for (const type of [
      "Application/x-www-form-urlencoded",
      "APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8",
      " application/x-www-form-urlencoded ;charset=utf-8",
    ]) {
      // The hono case sends neither Origin nor Sec-Fetch-Site.
      const request = new Request(`${ORIGIN}/form`, {
        method: "POST",
        headers: { "content-type": type },
        body: `_csrf=${token}`,
      });
      assert.equal(reasonOf(await csrf.check(request, session)), "ok", type);
      const without = new Request(`${ORIGIN}/form`, {
        method: "POST",
        headers: { "content-type": type },
        body: "title=x",
      });
      assert.equal(reasonOf(await csrf.check(without, session)), "missing token", type);
    }
  });

  test("no exemption by Content-Type (hono:no-content-type, hono:json-cross)", async () => {
    const { csrf, session, token } = await setup();
    const bare = new Request(`${ORIGIN}/form`, { method: "POST" });
    assert.equal(reasonOf(await csrf.check(bare, session)), "missing token");
    const json = post({
      headers: { "content-type": "application/json" },
      body: `{"_csrf":"${token}"}`,
    });
    assert.equal(
      reasonOf(await csrf.check(json, session)),
      "missing token",
      "JSON bodies are not read",
    );
    const text = post({ headers: { "content-type": "text/plain" }, body: `_csrf=${token}` });
    assert.equal(
      reasonOf(await csrf.check(text, session)),
      "missing token",
      "nor text/plain forms",
    );
    const crossJson = new Request(`${ORIGIN}/api`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: "https://evil.example",
        "x-csrf-token": token,
      },
      body: "{}",
    });
    assert.equal(reasonOf(await csrf.check(crossJson, session)), "cross-origin request");
  });

  test("a malformed body carries no token", async () => {
    const { csrf, session } = await setup();
    const request = post({
      headers: { "content-type": "multipart/form-data; boundary=zzz" },
      body: "not multipart at all",
    });
    assert.equal(reasonOf(await csrf.check(request, session)), "missing token");
  });

  test("the header wins over the form field", async () => {
    const { csrf, session, token } = await setup();
    const goodHeader = post({
      headers: { "x-csrf-token": token },
      body: new URLSearchParams({ _csrf: "x" }),
    });
    assert.equal(reasonOf(await csrf.check(goodHeader, session)), "ok");
    const badHeader = post({
      headers: { "x-csrf-token": "x" },
      body: new URLSearchParams({ _csrf: token }),
    });
    assert.equal(reasonOf(await csrf.check(badHeader, session)), "invalid token");
    const twoHeaders = new Headers({ origin: ORIGIN });
    twoHeaders.append("x-csrf-token", token);
    twoHeaders.append("x-csrf-token", token);
    const twice = new Request(`${ORIGIN}/`, { method: "POST", headers: twoHeaders });
    assert.equal(
      reasonOf(await csrf.check(twice, session)),
      "invalid token",
      "a joined list is no token",
    );
  });

  test("custom field and header names", async () => {
    const { csrf, session, token } = await setup({
      fieldName: "authenticity_token",
      headerName: "X-XSRF-TOKEN",
    });
    assert.equal(csrf.fieldName, "authenticity_token");
    assert.equal(csrf.headerName, "x-xsrf-token");
    const form = post({ body: new URLSearchParams({ authenticity_token: token }) });
    assert.equal(reasonOf(await csrf.check(form, session)), "ok");
    const header = post({ headers: { "x-xsrf-token": token } });
    assert.equal(reasonOf(await csrf.check(header, session)), "ok");
    const old = post({
      headers: { "x-csrf-token": token },
      body: new URLSearchParams({ _csrf: token }),
    });
    const result = await csrf.check(old, session);
    assert.equal(reasonOf(result), "missing token");
    if (!result.ok)
      assert.match(result.detail, /x-xsrf-token header and no authenticity_token form field/);
  });

  test("trusted origins pass the origin check but still need the token", async () => {
    const { csrf, session, token } = await setup({ trustedOrigins: ["https://admin.example.com"] });
    const headers = { origin: "https://admin.example.com", "sec-fetch-site": "same-site" };
    assert.equal(reasonOf(await csrf.check(post({ headers }), session)), "missing token");
    assert.equal(
      reasonOf(await csrf.check(post({ headers: { ...headers, "x-csrf-token": token } }), session)),
      "ok",
    );
    assert.equal(csrf.originCheck(post({ headers })).ok, true);
  });
});

describe("failures: the 403, the error, and no token in any message", () => {
  test("forbidden(): 403, text/plain, the reason, no-store", async () => {
    const response = forbidden({ reason: "missing token" });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.equal(await response.text(), "Forbidden: missing token\n");
  });

  test("CsrfError: a TesseraError with code ERR_CSRF, the reason and status", () => {
    const error = new CsrfError({ reason: "invalid token", detail: "the token does not belong" });
    assert.ok(error instanceof TesseraError);
    assert.equal(error.code, "ERR_CSRF");
    assert.equal(error.name, "CsrfError");
    assert.equal(error.reason, "invalid token");
    assert.equal(error.status, 403);
    assert.equal(
      error.message,
      "[tessera] [csrf] request refused: invalid token (the token does not belong)",
    );
    assert.equal(forbidden(error).status, 403);
  });

  test("no failure detail, error message or 403 body holds the token or the secret", async () => {
    const { csrf, session, token } = await setup();
    const secret = sessionState(session).record.data[CSRF_SESSION_KEY] as string;
    const other = (await setup()).token;
    const tampered = `${token.slice(0, -2)}${token.at(-2) === "A" ? "B" : "A"}${token.at(-1)}`;
    const requests = [
      post({ headers: { "x-csrf-token": other } }),
      post({ headers: { "x-csrf-token": tampered } }),
      post({ body: new URLSearchParams({ _csrf: other }) }),
      post({
        headers: {
          "x-csrf-token": token,
          "sec-fetch-site": "cross-site",
          origin: "https://evil.example",
        },
      }),
      post(),
    ];
    const anonymous = (await setup()).sessions;
    const empty = await anonymous.load(new Request(`${ORIGIN}/`));
    let failures = 0;
    for (const [i, request] of requests.entries()) {
      for (const s of [session, empty]) {
        const result = await csrf.check(request.clone(), s);
        assert.equal(result.ok, false, `request ${i}`);
        if (result.ok) continue;
        failures++;
        const texts = [
          result.detail,
          new CsrfError(result).message,
          await forbidden(result).text(),
        ];
        for (const text of texts) {
          for (const needle of [token, other, tampered, secret]) {
            assert.ok(!text.includes(needle), `request ${i}: ${text}`);
            assert.ok(!text.includes(needle.slice(0, 16)), `request ${i}: ${text}`);
          }
        }
      }
    }
    assert.equal(failures, 10);
  });
});

describe("createCsrf() options", () => {
  test("bad options fail at setup with ConfigError", () => {
    const sessions = { keys: new KeyRing(SECRET) };
    assert.throws(() => createCsrf(undefined as never), ConfigError);
    assert.throws(() => createCsrf({} as never), ConfigError);
    assert.throws(() => createCsrf(sessions, { fieldName: "" }), ConfigError);
    assert.throws(() => createCsrf(sessions, { headerName: "x csrf" }), ConfigError);
    assert.throws(() => createCsrf(sessions, { headerName: "" }), ConfigError);
    assert.throws(
      () => createCsrf(sessions, { trustedOrigins: "https://a.example" as never }),
      ConfigError,
    );
    assert.throws(
      () => createCsrf(sessions, { trustedOrigins: ["https://a.example/"] }),
      /write it as "https:\/\/a\.example"/,
    );
  });
});

// A tiny app over the real manager (sealed cookie store, the default) and a
// cookie jar that carries the session cookie between real Requests.
describe("integration: forms, login CSRF and rotation over the sealed cookie store", () => {
  type Data = { userId?: string; notes?: string[] };
  const sessions = createSessions<Data>({ secrets: [SECRET] });
  const csrf = createCsrf(sessions);
  const rejected: string[] = [];

  const page = (title: string, token: string) =>
    `<h1>${title}</h1><form method="post"><input type="hidden" name="${csrf.fieldName}" value="${token}"></form>`;

  async function app(request: Request): Promise<Response> {
    const session = await sessions.load(request);
    const path = new URL(request.url).pathname;
    const result = await csrf.check(request, session);
    if (!result.ok) {
      rejected.push(result.detail);
      return sessions.commit(session, csrf.forbidden(result));
    }
    if (request.method === "GET") {
      const html = page(path, csrf.token(session));
      return sessions.commit(
        session,
        new Response(html, { headers: { "content-type": "text/html" } }),
      );
    }
    if (path === "/login") {
      const form = await request.formData();
      if (form.get("password") !== "hunter2")
        return sessions.commit(session, new Response("no", { status: 401 }));
      await sessions.login(session, String(form.get("user")));
      csrf.rotate(session);
      return sessions.commit(
        session,
        new Response(null, { status: 303, headers: { location: "/notes" } }),
      );
    }
    if (path === "/notes") {
      const form = await request.formData();
      session.set("notes", [...(session.get("notes") ?? []), String(form.get("note"))]);
      return sessions.commit(session, new Response("saved"));
    }
    return new Response("not found", { status: 404 });
  }

  function browser() {
    let cookie: string | undefined;
    return {
      get cookie() {
        return cookie;
      },
      async fetch(
        path: string,
        init: { method?: string; headers?: Record<string, string>; body?: BodyInit } = {},
      ) {
        const headers = new Headers(init.headers);
        if (cookie !== undefined) headers.set("cookie", `${sessions.cookieName}=${cookie}`);
        const response = await app(
          new Request(`${ORIGIN}${path}`, {
            method: init.method ?? "GET",
            headers,
            ...(init.body === undefined ? {} : { body: init.body }),
          }),
        );
        for (const set of response.headers.getSetCookie().map(parseSetCookie)) {
          if (set.name === sessions.cookieName) cookie = set.value === "" ? undefined : set.value;
        }
        return response;
      },
    };
  }

  const tokenIn = (html: string) => {
    const marker = 'value="';
    const at = html.indexOf(marker) + marker.length;
    return html.slice(at, html.indexOf('"', at));
  };
  const sameOrigin = { "sec-fetch-site": "same-origin", origin: ORIGIN };

  test("GET a form → token; POST with it → ok; without → 403; cross-site with it → 403", async () => {
    const b = browser();
    const form = await b.fetch("/notes");
    assert.equal(form.status, 200);
    const token = tokenIn(await form.text());
    assert.equal(token.length, 92);
    assert.ok(b.cookie !== undefined, "the token's secret is saved in the session cookie");
    assert.ok(!b.cookie.includes(token) && !b.cookie.includes(CSRF_SESSION_KEY), "sealed");

    const ok = await b.fetch("/notes", {
      method: "POST",
      headers: sameOrigin,
      body: new URLSearchParams({ note: "one", _csrf: token }),
    });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "saved");

    const missing = await b.fetch("/notes", {
      method: "POST",
      headers: sameOrigin,
      body: new URLSearchParams({ note: "two" }),
    });
    assert.equal(missing.status, 403);
    assert.equal(missing.headers.get("cache-control"), "no-store");
    assert.equal(await missing.text(), "Forbidden: missing token\n");

    // The origin check runs first: a valid token does not save a cross-site post.
    const cross = await b.fetch("/notes", {
      method: "POST",
      headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      body: new URLSearchParams({ note: "three", _csrf: token }),
    });
    assert.equal(cross.status, 403);
    assert.equal(await cross.text(), "Forbidden: cross-origin request\n");
    assert.match(rejected.at(-1)!, /Sec-Fetch-Site is "cross-site"/);

    // The header works too, and a fresh token from any page does.
    const again = tokenIn(await (await b.fetch("/notes")).text());
    assert.notEqual(again, token, "masked per response");
    const viaHeader = await b.fetch("/notes", {
      method: "POST",
      headers: { ...sameOrigin, "x-csrf-token": token },
      body: new URLSearchParams({ note: "four" }),
    });
    assert.equal(viaHeader.status, 200);
    const session = await sessions.load(
      new Request(ORIGIN, { headers: { cookie: `${sessions.cookieName}=${b.cookie}` } }),
    );
    assert.deepEqual(session.get("notes"), ["one", "four"]);
  });

  test("login CSRF: the anonymous login form has a token and a cookie; POST /login without it → 403", async () => {
    const victim = browser();
    const login = await victim.fetch("/login");
    assert.equal(login.status, 200);
    const token = tokenIn(await login.text());
    assert.ok(victim.cookie !== undefined, "an anonymous session cookie is set");

    // An attacker's page posting its own credentials into the victim's browser:
    const forged = await victim.fetch("/login", {
      method: "POST",
      headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      body: new URLSearchParams({ user: "attacker", password: "hunter2" }),
    });
    assert.equal(forged.status, 403);
    // Even from a client that sends no Origin or Sec-Fetch-Site, no token → 403.
    const bare = await victim.fetch("/login", {
      method: "POST",
      body: new URLSearchParams({ user: "attacker", password: "hunter2" }),
    });
    assert.equal(bare.status, 403);
    assert.equal(await bare.text(), "Forbidden: missing token\n");
    // The attacker's own valid token does not fit the victim's session.
    const attacker = browser();
    const theirs = tokenIn(await (await attacker.fetch("/login")).text());
    const swapped = await victim.fetch("/login", {
      method: "POST",
      body: new URLSearchParams({ user: "attacker", password: "hunter2", _csrf: theirs }),
    });
    assert.equal(swapped.status, 403);
    assert.equal(await swapped.text(), "Forbidden: invalid token\n");
    // Nor does a token reach a browser without a session.
    const cookieless = browser();
    const none = await cookieless.fetch("/login", {
      method: "POST",
      body: new URLSearchParams({ user: "attacker", password: "hunter2", _csrf: token }),
    });
    assert.equal(await none.text(), "Forbidden: no session\n");

    // The real login, then rotation: the pre-login token is dead, new pages work.
    const before = victim.cookie;
    const done = await victim.fetch("/login", {
      method: "POST",
      headers: sameOrigin,
      body: new URLSearchParams({ user: "u1", password: "hunter2", _csrf: token }),
    });
    assert.equal(done.status, 303);
    assert.notEqual(victim.cookie, before);
    const stale = await victim.fetch("/notes", {
      method: "POST",
      headers: sameOrigin,
      body: new URLSearchParams({ note: "x", _csrf: token }),
    });
    assert.equal(await stale.text(), "Forbidden: invalid token\n");
    const fresh = tokenIn(await (await victim.fetch("/notes")).text());
    const saved = await victim.fetch("/notes", {
      method: "POST",
      headers: sameOrigin,
      body: new URLSearchParams({ note: "after login", _csrf: fresh }),
    });
    assert.equal(saved.status, 200);
  });

  test("the log lines never hold a token", () => {
    assert.ok(rejected.length >= 5);
    for (const line of rejected) assert.ok(!/[A-Za-z0-9_-]{40,}/.test(line), line);
  });
});
