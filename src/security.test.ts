// Tests that back rows of SECURITY.md (OWASP ASVS 5.0) that no other test
// covered on its own: uniform failure, re-authentication, termination on
// server stores, where tokens may travel, what tessera logs, and the
// cryptographic inventory. Each test name starts with the ASVS ids it backs.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { serve } from "./adapters/node.ts";
import { KeyRing } from "./crypto/keys.ts";
import { createSealer, decodeBase64url } from "./crypto/seal.ts";
import { createSigner } from "./crypto/sign.ts";
import { CSRF_SESSION_KEY, createCsrf } from "./csrf/csrf.ts";
import { ConfigError, StoreUnavailableError } from "./errors.ts";
import { createSessions, type SessionsOptions } from "./manager/sessions.ts";
import { memoryStore } from "./stores/memory.ts";
import { fakeClock } from "./testing/clock.ts";
import { faultyStore } from "./testing/faulty.ts";

const SECRET = randomBytes(32).toString("base64url");
const OTHER_SECRET = randomBytes(32).toString("base64url");
const NAME = "__Host-session";
const MIN = 60_000;
type Data = { note?: string; big?: string };

function setup(options: Partial<SessionsOptions> = {}) {
  const clock = fakeClock();
  const sessions = createSessions<Data>({ secrets: SECRET, now: clock.now, ...options });
  return { sessions, clock };
}
type Sessions = ReturnType<typeof setup>["sessions"];
type Loaded = Awaited<ReturnType<Sessions["load"]>>;

const request = (cookie?: string, url = "https://example.test/") =>
  new Request(url, cookie === undefined ? {} : { headers: { cookie } });

function cookieValue(response: Response): string | undefined {
  const header = response.headers.getSetCookie()[0];
  if (header === undefined) return undefined;
  return header.slice(header.indexOf("=") + 1, header.indexOf(";"));
}

/** One request: load with `value`, run `act`, commit; returns the cookie value to send next. */
async function step(sessions: Sessions, value: string | undefined, act: (s: Loaded) => unknown) {
  const session = await sessions.load(
    request(value === undefined ? undefined : `${NAME}=${value}`),
  );
  await act(session);
  const response = await sessions.commit(session, new Response("ok"));
  return { response, value: cookieValue(response) ?? value };
}

const loadValue = (sessions: Sessions, value: string) => sessions.load(request(`${NAME}=${value}`));

describe("uniform failure", () => {
  test("V9.1.1 V11.2.5: bad MAC, bad base64, bad JSON, wrong key, purpose or name, expiry: the same anonymous session", async () => {
    const { sessions, clock } = setup({ expiry: { idle: "30m" } });
    const ring = new KeyRing(SECRET);
    const now = clock.now();
    const payload = (a: number) => `{"c":${a},"a":${a},"d":{"note":"secret"}}`;
    const good = createSealer(ring, "session").seal(payload(now), NAME);
    // The good token opens, so every refusal below is about the one thing changed.
    assert.equal((await loadValue(sessions, good)).get("note"), "secret");
    // One bit of the tag, re-encoded canonically: a MAC failure, not a decoding one.
    const bytes = decodeBase64url(good)!;
    bytes[bytes.length - 1]! ^= 1;
    const flipped = bytes.toString("base64url");
    const cases: Record<string, string | undefined> = {
      "no cookie": undefined,
      "bad MAC": flipped,
      "bad base64": `${good.slice(0, 20)}!${good.slice(21)}`,
      truncated: good.slice(0, -4),
      "bad JSON": createSealer(ring, "session").seal("{not json", NAME),
      "wrong shape": createSealer(ring, "session").seal('{"c":"x","d":[]}', NAME),
      "prototype key": createSealer(ring, "session").seal(
        `{"c":${now},"a":${now},"d":{"__proto__":{}}}`,
        NAME,
      ),
      "wrong key": createSealer(new KeyRing(OTHER_SECRET), "session").seal(payload(now), NAME),
      "wrong purpose": createSealer(ring, "csrf").seal(payload(now), NAME),
      "wrong cookie name": createSealer(ring, "session").seal(payload(now), "__Host-other"),
      expired: createSealer(ring, "session").seal(payload(now - 30 * MIN), NAME),
      "signed id instead": createSigner(ring, "id").sign("x".repeat(43), NAME),
    };
    const seen = new Set<string>();
    for (const [label, value] of Object.entries(cases)) {
      const session = await sessions.load(
        request(value === undefined ? undefined : `${NAME}=${value}`),
      );
      assert.equal(session.isNew, true, label);
      assert.deepEqual(session.toJSON(), {}, label);
      assert.equal(sessions.userOf(session), undefined, label);
      // What the application and the client can observe is the same in every case.
      const observed = {
        headers: await sessions.headers(session),
        createdAt: session.createdAt.getTime(),
      };
      seen.add(JSON.stringify(observed));
    }
    assert.equal(seen.size, 1, [...seen].join("\n"));
  });
});

describe("re-authentication and termination", () => {
  test("V7.2.4: cookie store: login sends a new cookie, and the pre-login cookie carries no login", async () => {
    const { sessions } = setup();
    const before = (await step(sessions, undefined, (s) => s.set("note", "anonymous"))).value!;
    const after = (await step(sessions, before, (s) => sessions.login(s, "alice"))).value!;
    assert.notEqual(after, before);
    assert.equal(sessions.userOf(await loadValue(sessions, after)), "alice");
    assert.equal(sessions.userOf(await loadValue(sessions, before)), undefined);
  });

  test("V7.2.4 V7.4.1: cookie store with revocation: logging in again refuses the previous logged-in cookie", async () => {
    const { sessions } = setup({ revocation: { store: memoryStore() } });
    const logIn = async (s: Loaded) => {
      await sessions.login(s, "alice");
      s.set("note", "logged in");
    };
    const first = (await step(sessions, undefined, logIn)).value!;
    assert.equal(sessions.userOf(await loadValue(sessions, first)), "alice");
    const second = (await step(sessions, first, logIn)).value!;
    assert.notEqual(second, first);
    assert.equal((await loadValue(sessions, first)).isNew, true, "previous token terminated");
    assert.equal(sessions.userOf(await loadValue(sessions, second)), "alice");
  });

  test("V7.2.4: server store: logging in again kills the previous id", async () => {
    const { sessions } = setup({ store: memoryStore() });
    const first = (await step(sessions, undefined, (s) => sessions.login(s, "alice"))).value!;
    const second = (await step(sessions, first, (s) => sessions.login(s, "alice"))).value!;
    assert.notEqual(second, first);
    assert.equal((await loadValue(sessions, first)).isNew, true);
    assert.equal(sessions.userOf(await loadValue(sessions, second)), "alice");
  });

  test("V7.4.1: server store: a destroyed session's cookie, replayed, is an anonymous session", async () => {
    const store = memoryStore();
    const { sessions } = setup({ store });
    const cookie = (await step(sessions, undefined, (s) => sessions.login(s, "alice"))).value!;
    assert.equal(store.size, 1);
    await step(sessions, cookie, (s) => s.destroy());
    assert.equal(store.size, 0, "the record is deleted");
    const replay = await loadValue(sessions, cookie);
    assert.equal(replay.isNew, true);
    assert.equal(sessions.userOf(replay), undefined);
  });

  test("V7.4.2: revokeUser() on sealed cookies without revocation throws instead of doing nothing", async () => {
    const { sessions } = setup();
    await assert.rejects(sessions.revokeUser("alice"), ConfigError);
  });

  test("V7.1.1 V7.3.1 V7.3.2: the documented defaults are idle 30m, absolute 12h, remember 30d, refresh 0.25", () => {
    const { expiry } = createSessions({ secrets: SECRET });
    assert.deepEqual(
      { ...expiry },
      { idle: 30 * MIN, absolute: 12 * 60 * MIN, remember: 30 * 24 * 60 * MIN, refresh: 0.25 },
    );
  });
});

describe("where session tokens travel", () => {
  test("V14.2.1: the session is read from the Cookie header only, never from the URL", async () => {
    const { sessions } = setup();
    const cookie = (await step(sessions, undefined, (s) => s.set("note", "mine"))).value!;
    const url = `https://example.test/?${NAME}=${cookie}&session=${cookie}&sid=${cookie}`;
    assert.equal((await sessions.load(request(undefined, url))).isNew, true);
  });

  test("V14.2.1: a CSRF token in the query string is not accepted", async () => {
    const sessions = createSessions({ secrets: SECRET });
    const csrf = createCsrf(sessions);
    const session = await sessions.load(request());
    const token = csrf.token(session);
    const post = new Request(`https://example.test/form?_csrf=${token}&x-csrf-token=${token}`, {
      method: "POST",
      headers: { "sec-fetch-site": "same-origin", origin: "https://example.test" },
    });
    const result = await csrf.check(post, session);
    assert.equal(result.ok ? "ok" : result.reason, "missing token");
  });

  test("V3.3.4: the session value leaves only in Set-Cookie, never in another header or the body", async () => {
    for (const store of [undefined, memoryStore()]) {
      const { sessions } = setup(store === undefined ? {} : { store });
      const session = await sessions.load(request());
      session.set("note", "x");
      const response = await sessions.commit(session, new Response("body"));
      const value = cookieValue(response)!;
      assert.ok(value.length > 40);
      response.headers.forEach((text, name) => {
        if (name !== "set-cookie") assert.ok(!text.includes(value), name);
      });
      assert.ok(!(await response.text()).includes(value));
      assert.ok(!JSON.stringify(session.toJSON()).includes(value));
    }
  });
});

describe("logging", () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  async function listen(server: Server): Promise<string> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  test("V16.2.5: nothing tessera logs or throws holds a session id or a cookie value", async () => {
    const logged: string[] = [];
    const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
    const saved = methods.map((m) => console[m]);
    const show = (value: unknown): string =>
      value instanceof Error
        ? `${value.stack} ${value.cause instanceof Error ? value.cause.stack : String(value.cause)}`
        : typeof value === "string"
          ? value
          : JSON.stringify(value);
    for (const m of methods)
      console[m] = (...args: unknown[]) => logged.push(args.map(show).join(" "));
    const secrets: string[] = [];
    const thrown: string[] = [];
    try {
      // Sealed cookies, in development mode (the one warning tessera prints).
      const dev = createSessions<Data>({ secrets: SECRET, development: true });
      const first = await dev.load(request());
      first.set("note", "x");
      const sealed = cookieValue(await dev.commit(first, new Response("ok")))!;
      secrets.push(sealed);
      const quiet = logged.length;
      const loadAs = (cookie: string) => dev.load(request(cookie));
      await loadAs(`session=${sealed}`);
      await loadAs(
        `session=${sealed.slice(0, -2)}${sealed.at(-2) === "A" ? "B" : "A"}${sealed.at(-1)}`,
      );
      await loadAs(`session=${sealed}; session=${sealed}`);
      await loadAs(`session=junk; session=${sealed}`);
      assert.equal(logged.length, quiet, "loading good, bad and duplicate cookies logs nothing");

      // A cookie too large to send: the error names the cookie and the size only.
      const big = await loadAs(`session=${sealed}`);
      big.set("big", randomBytes(4000).toString("hex"));
      await assert.rejects(dev.commit(big, new Response("ok")), (error: Error) => {
        thrown.push(show(error));
        return true;
      });

      // Server sessions: a store outage on load and on commit.
      const { store, faults } = faultyStore(memoryStore());
      const server = createSessions<Data>({ secrets: SECRET, store });
      const s = await server.load(request());
      s.set("note", "x");
      const signed = cookieValue(await server.commit(s, new Response("ok")))!;
      secrets.push(signed, signed.slice(0, signed.lastIndexOf(".")));
      faults.down = true;
      await assert.rejects(server.load(request(`${NAME}=${signed}`)), (error: Error) => {
        assert.ok(error instanceof StoreUnavailableError);
        thrown.push(show(error));
        return true;
      });
      faults.down = false;
      const t = await server.load(request(`${NAME}=${signed}`));
      t.set("note", "y");
      faults.down = true;
      await assert.rejects(server.commit(t, new Response("ok")), (error: Error) => {
        thrown.push(show(error));
        return true;
      });
      faults.down = false;

      // serve(): a store outage (503, not logged) and a handler that fails (500, logged).
      const url = await listen(
        createServer(
          serve(async (req) => {
            const which = new URL(req.url).pathname;
            if (which === "/outage") {
              faults.down = true;
              try {
                await server.load(req);
              } finally {
                faults.down = false;
              }
            }
            const session = await dev.load(req);
            session.set("big", randomBytes(4000).toString("hex"));
            return dev.commit(session, new Response("ok"));
          }),
        ),
      );
      const outage = await fetch(`${url}/outage`, { headers: { cookie: `${NAME}=${signed}` } });
      assert.equal(outage.status, 503);
      const before = logged.length;
      const failed = await fetch(`${url}/fail`, { headers: { cookie: `session=${sealed}` } });
      assert.equal(failed.status, 500);
      assert.equal(await failed.text(), "Internal Server Error");
      assert.equal(logged.length, before + 1, "serve() logs the handler's failure once");
    } finally {
      methods.forEach((m, i) => {
        console[m] = saved[i] as (typeof console)[typeof m];
      });
    }
    assert.ok(logged.some((line) => line.includes("development mode")));
    assert.equal(thrown.length, 3);
    for (const text of [...logged, ...thrown]) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${text.slice(0, 200)}…`);
        assert.ok(!text.includes(secret.slice(0, 16)), `${text.slice(0, 200)}…`);
      }
    }
  });
});

describe("cryptographic inventory", () => {
  const root = new URL(".", import.meta.url).pathname;
  function sources(dir: string): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "fixtures") out.push(...sources(path));
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
    }
    return out;
  }
  const files = sources(root).map((path) => ({
    path: relative(root, path),
    text: readFileSync(path, "utf8"),
  }));

  // SECURITY.md, "Cryptographic inventory": every algorithm named in the sources.
  const INVENTORY: Record<string, string[]> = {
    // AES-256-GCM is the sealed-cookie option on node:crypto; the default,
    // XChaCha20-Poly1305, is crypto/xchacha.ts (no node:crypto call to find).
    "crypto/seal.ts": ["createCipheriv aes-256-gcm", "createDecipheriv aes-256-gcm"],
    // HMAC-SHA256 (RFC 2104) from two one-shot SHA-256 hashes (sign.ts, csrf/token.ts).
    "crypto/hmac.ts": ["hash sha256"],
    "crypto/keys.ts": ["createHash sha256", "hkdfSync sha256"],
    "manager/key.ts": ["hash sha256"],
    // Not security uses: a Postgres advisory-lock number, and the script id
    // Redis's EVALSHA requires (SHA-1 by Redis's definition).
    "stores/postgres.ts": ["createHash sha256"],
    "stores/redis.ts": ["createHash sha1"],
  };
  // Flask interoperability reads and writes Flask's format, which is HMAC-SHA1.
  const FLASK_ALLOWED = new Set(["createHmac sha1"]);

  test("V11.1.2 V11.3.1 V11.3.2 V11.4.1: the algorithms in the sources are exactly the documented ones", () => {
    const found: Record<string, string[]> = {};
    const flask = new Set<string>();
    const call =
      /\b(createCipheriv|createDecipheriv|createHmac|createHash|hkdfSync|hkdf|hash|pbkdf2Sync|pbkdf2|scryptSync|scrypt|createSign|createVerify|sign|verify|generateKeyPairSync|generateKeySync)\(\s*"([^"]+)"/g;
    for (const { path, text } of files) {
      const code = text.replace(/^\s*(\/\/|\*).*$/gm, "");
      const uses = [
        ...new Set([...code.matchAll(call)].map((m) => `${m[1]} ${m[2]!.toLowerCase()}`)),
      ].sort();
      if (uses.length === 0) continue;
      if (path.startsWith("flask/")) for (const use of uses) flask.add(use);
      else found[path] = uses;
    }
    assert.deepEqual(found, INVENTORY);
    for (const use of flask) assert.ok(FLASK_ALLOWED.has(use), `src/flask uses ${use}`);
  });

  test("V11.2.1 V11.5.1: cryptography and randomness come from node:crypto (or Web Crypto) only", () => {
    for (const { path, text } of files) {
      const code = text.replace(/^\s*(\/\/|\*).*$/gm, "");
      assert.doesNotMatch(code, /Math\.random\s*\(/, `${path} uses Math.random`);
      for (const m of code.matchAll(/from\s+"([^"]+)"/g)) {
        const source = m[1]!;
        if (source.startsWith(".") || source.startsWith("node:")) continue;
        assert.doesNotMatch(source, /crypt|hash|hmac|random|uuid|jose|jwt|sodium|nacl/i, path);
      }
    }
  });

  test("V11.2.3 V11.4.3: 256-bit keys, full 256-bit HMACs, 128-bit AEAD tags, 256-bit ids and CSRF secrets", async () => {
    const ring = new KeyRing(SECRET);
    for (const purpose of ["session", "id", "handle", "csrf"]) {
      assert.equal(ring.keys(purpose)[0]!.key.symmetricKeySize, 32, purpose);
    }
    // Signed value: version (1) + key id (4) + HMAC-SHA256 (32).
    const signed = createSigner(ring, "id").sign("v", NAME);
    assert.equal(decodeBase64url(signed.slice(signed.lastIndexOf(".") + 1))!.length, 37);
    // Sealed token v2: version (1) + key id (4) + nonce (24) + ciphertext + tag (16);
    // v1 (AES-256-GCM): a 12-byte nonce. The v2 key is its own 32-byte HKDF key.
    const sealed = createSealer(ring, "session").seal("12345", NAME);
    assert.equal(decodeBase64url(sealed)!.length, 1 + 4 + 24 + 5 + 16);
    const gcm = createSealer(ring, "session", "aes-256-gcm").seal("12345", NAME);
    assert.equal(decodeBase64url(gcm)!.length, 1 + 4 + 12 + 5 + 16);
    assert.equal(ring.keys("session:v2")[0]!.key.symmetricKeySize, 32);
    // Server session ids: 32 random bytes.
    const { sessions } = setup({ store: memoryStore() });
    const cookie = (await step(sessions, undefined, (s) => s.set("note", "x"))).value!;
    assert.equal(decodeBase64url(cookie.slice(0, cookie.lastIndexOf(".")))!.length, 32);
    // CSRF: a 32-byte secret in the session, a 69-byte token.
    const csrf = createCsrf(sessions);
    const session = await sessions.load(request());
    const token = csrf.token(session);
    assert.equal(decodeBase64url(token)!.length, 1 + 4 + 32 + 32);
    assert.equal(
      decodeBase64url(String((session.toJSON() as Record<string, unknown>)[CSRF_SESSION_KEY]))!
        .length,
      32,
    );
  });
});
