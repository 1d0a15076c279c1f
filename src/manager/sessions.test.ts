import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { parseSetCookie } from "../cookie/set-cookie.ts";
import { CodecError, ConfigError, WeakSecretError } from "../errors.ts";
import type { SessionRecord } from "../session/record.ts";
import { sealedCookieStore } from "../session/sealed-cookie.ts";
import type { SessionStore } from "../session/store.ts";
import { createSessions, type SessionsOptions } from "./sessions.ts";

const SECRET = randomBytes(32).toString("base64url");
const OLD_SECRET = randomBytes(32).toString("base64url");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Data = { visits?: number; userId?: string; note?: string };
type Flash = { success: string; error: string };

function clock(start = Date.UTC(2026, 0, 1)) {
  const c = {
    t: start,
    now: () => c.t,
    advance: (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

function setup(options: Partial<SessionsOptions> = {}) {
  const time = clock();
  const sessions = createSessions<Data, Flash>({ secrets: [SECRET], now: time.now, ...options });
  return { sessions, time };
}

function request(cookie?: string): Request {
  return new Request("https://example.test/", cookie === undefined ? {} : { headers: { cookie } });
}

function cookiesOf(response: Response) {
  return response.headers.getSetCookie().map(parseSetCookie);
}

/** Runs a handler for one request and returns the response and the session cookie to send next. */
async function visit(
  sessions: ReturnType<typeof setup>["sessions"],
  cookie: string | undefined,
  handler: (session: Awaited<ReturnType<typeof sessions.load>>) => void | Promise<void>,
  response: () => Response = () => new Response("ok"),
) {
  const session = await sessions.load(
    request(cookie === undefined ? undefined : `${sessions.cookieName}=${cookie}`),
  );
  await handler(session);
  const res = await sessions.commit(session, response());
  const set = cookiesOf(res).find((c) => c.name === sessions.cookieName);
  return {
    res,
    session,
    set,
    next: set === undefined ? cookie : set.value === "" ? undefined : set.value,
  };
}

describe("writing", () => {
  test("a modified session is sealed into a cookie with safe defaults", async () => {
    const { sessions } = setup();
    const { res, set } = await visit(sessions, undefined, (s) => s.set("visits", 1));
    assert.ok(set);
    assert.equal(set.name, "__Host-session");
    assert.equal(set.path, "/");
    assert.equal(set.secure, true);
    assert.equal(set.httpOnly, true);
    assert.equal(set.sameSite, "lax");
    assert.equal(set.maxAge, undefined, "a browser-session cookie");
    assert.equal(set.expires, undefined);
    assert.equal(set.domain, undefined);
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(res.headers.get("vary"), "Cookie");
    assert.ok(!set.value.includes("visits"), "the value is encrypted");
  });

  test("the visit counter counts", async () => {
    const { sessions } = setup();
    let cookie: string | undefined;
    for (let i = 1; i <= 5; i++) {
      const r = await visit(sessions, cookie, (s) => s.set("visits", (s.get("visits") ?? 0) + 1));
      assert.equal(r.session.get("visits"), i);
      cookie = r.next;
    }
  });

  test("a session that was only read sends no Set-Cookie, but Vary: Cookie", async () => {
    const { sessions } = setup();
    const { next } = await visit(sessions, undefined, (s) => s.set("visits", 1));
    const { res, session } = await visit(sessions, next, (s) => void s.get("visits"));
    assert.equal(session.get("visits"), 1);
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.equal(res.headers.get("vary"), "Cookie");
    assert.equal(res.headers.get("cache-control"), null);
  });

  test("an untouched anonymous visitor gets no headers at all", async () => {
    const { sessions } = setup();
    const { res } = await visit(sessions, undefined, () => {});
    assert.deepEqual([...res.headers.keys()], ["content-type"]);
  });

  test("an anonymous visitor whose session is only read gets no cookie", async () => {
    const { sessions } = setup();
    const { res } = await visit(sessions, undefined, (s) => void s.get("userId"));
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.equal(res.headers.get("vary"), "Cookie");
  });

  test("nothing is written on a 5xx", async () => {
    const { sessions } = setup();
    const { res } = await visit(
      sessions,
      undefined,
      (s) => s.set("visits", 1),
      () => new Response("boom", { status: 503 }),
    );
    assert.deepEqual(res.headers.getSetCookie(), []);
    const headers = await sessions.headers(await sessions.load(request()), 500);
    assert.deepEqual(headers.setCookie, []);
  });

  test("Vary and Cache-Control merge with what the response has", async () => {
    const { sessions } = setup();
    const r1 = await visit(
      sessions,
      undefined,
      (s) => s.set("visits", 1),
      () =>
        new Response("ok", {
          headers: { vary: "Accept-Encoding", "cache-control": "private, max-age=60" },
        }),
    );
    assert.equal(r1.res.headers.get("vary"), "Accept-Encoding, Cookie");
    assert.equal(r1.res.headers.get("cache-control"), "private, max-age=60");
    const r2 = await visit(
      sessions,
      undefined,
      (s) => s.set("visits", 1),
      () =>
        new Response("ok", { headers: { vary: "cookie", "cache-control": "public, max-age=60" } }),
    );
    assert.equal(r2.res.headers.get("vary"), "cookie");
    assert.equal(r2.res.headers.get("cache-control"), "no-store");
  });

  test("a redirect with immutable headers still carries the cookie", async () => {
    const { sessions } = setup();
    const { res, set } = await visit(
      sessions,
      undefined,
      (s) => s.set("userId", "u1"),
      () => Response.redirect("https://example.test/home", 303),
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "https://example.test/home");
    assert.ok(set?.value);
  });
});

describe("reading bad cookies gives a fresh anonymous session", () => {
  test("tampering with any character of the sealed cookie", async () => {
    const { sessions } = setup();
    const { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    assert.ok(next);
    for (let i = 0; i < next.length; i++) {
      const c = next[i] === "A" ? "B" : "A";
      const session = await sessions.load(
        request(`__Host-session=${next.slice(0, i)}${c}${next.slice(i + 1)}`),
      );
      assert.equal(session.isNew, true, `position ${i}`);
      assert.equal(session.get("userId"), undefined);
    }
    for (const junk of ["", "x", "%zz", "%00", "a.b.c", next.slice(0, -1), `${next}A`]) {
      assert.equal((await sessions.load(request(`__Host-session=${junk}`))).isNew, true, junk);
    }
  });

  test("a cookie sealed for name A does not open as name B", async () => {
    const a = setup({ cookie: { name: "__Host-a" } }).sessions;
    const b = setup({ cookie: { name: "__Host-b" } }).sessions;
    const { next } = await visit(a, undefined, (s) => s.set("userId", "alice"));
    assert.equal((await a.load(request(`__Host-a=${next}`))).get("userId"), "alice");
    assert.equal((await b.load(request(`__Host-b=${next}`))).isNew, true);
  });

  test("a cookie from another secret does not open", async () => {
    const a = setup().sessions;
    const b = setup({ secrets: [OLD_SECRET] }).sessions;
    const { next } = await visit(a, undefined, (s) => s.set("userId", "alice"));
    assert.equal((await b.load(request(`__Host-session=${next}`))).isNew, true);
  });

  test("__proto__ payloads do not pollute", async () => {
    const { sessions } = setup();
    const { KeyRing } = await import("../crypto/keys.ts");
    const { createSealer } = await import("../crypto/seal.ts");
    const sealer = createSealer(new KeyRing(SECRET), "session");
    const now = Date.UTC(2026, 0, 1);
    for (const data of [
      '{"__proto__":{"isAdmin":true}}',
      '{"a":{"constructor":{"prototype":{"isAdmin":true}}}}',
    ]) {
      const token = sealer.seal(`{"c":${now},"a":${now},"d":${data}}`, "__Host-session");
      const session = await sessions.load(request(`__Host-session=${token}`));
      assert.equal(session.isNew, true, data);
    }
    // The same payload with harmless keys opens, so the refusal above is the key check.
    const ok = sealer.seal(`{"c":${now},"a":${now},"d":{"isAdmin":true}}`, "__Host-session");
    assert.equal((await sessions.load(request(`__Host-session=${ok}`))).isNew, false);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    const session = await sessions.load(request());
    assert.throws(() => session.set("__proto__" as "note", "x"), CodecError);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  });
});

describe("secrets", () => {
  test("weak secrets are refused when the sessions are created", () => {
    for (const secrets of [
      "keyboard cat",
      "short",
      "x".repeat(40),
      ["good".repeat(0) + SECRET, "changeme"],
    ]) {
      assert.throws(() => createSessions({ secrets }), WeakSecretError);
    }
    assert.throws(() => createSessions({ secrets: [] }), ConfigError);
  });

  test("key rotation: a cookie sealed with the old secret opens and is re-sealed with the new one", async () => {
    const before = setup({ secrets: [OLD_SECRET] }).sessions;
    const after = setup({ secrets: [SECRET, OLD_SECRET] }).sessions;
    const onlyNew = setup({ secrets: [SECRET] }).sessions;
    const { next: oldCookie } = await visit(before, undefined, (s) => s.set("userId", "alice"));
    assert.equal((await onlyNew.load(request(`__Host-session=${oldCookie}`))).isNew, true);
    // Only read, yet re-sealed because the key was old.
    const { set, session } = await visit(after, oldCookie, (s) => void s.get("userId"));
    assert.equal(session.get("userId"), "alice");
    assert.ok(set, "re-sealed");
    assert.notEqual(set.value, oldCookie);
    assert.equal(
      (await onlyNew.load(request(`__Host-session=${set.value}`))).get("userId"),
      "alice",
    );
    // A cookie already on the newest key is not rewritten.
    const again = await visit(after, set.value, (s) => void s.get("userId"));
    assert.equal(again.set, undefined);
  });

  test("switching the cipher: a cookie of the other one opens and is re-sealed with the configured one", async () => {
    const gcm = setup({ store: sealedCookieStore({ cipher: "aes-256-gcm" }) }).sessions;
    const xchacha = setup().sessions;
    const version = (value: string) => Buffer.from(value, "base64url")[0];
    const { next: old } = await visit(gcm, undefined, (s) => s.set("userId", "alice"));
    assert.equal(version(old!), 1);
    // Only read, yet re-sealed: the token is v1 and the store seals v2.
    const { set, session } = await visit(xchacha, old, (s) => void s.get("userId"));
    assert.equal(session.get("userId"), "alice");
    assert.equal(version(set!.value), 2);
    const back = await visit(gcm, set!.value, (s) => void s.get("userId"));
    assert.equal(back.session.get("userId"), "alice");
    assert.equal(version(back.set!.value), 1);
    assert.throws(
      () => sealedCookieStore({ cipher: "aes-128-cbc" as never }),
      (error) => error instanceof ConfigError && /aes-128-cbc/.test(error.message),
    );
  });
});

describe("expiry (fake clock)", () => {
  const expiry = { idle: "30m", absolute: "12h", remember: "7d", refresh: 0.25 } as const;

  test("the idle timeout ends an unused session", async () => {
    const { sessions, time } = setup({ expiry });
    const { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    time.advance(30 * MIN - 1);
    assert.equal((await sessions.load(request(`__Host-session=${next}`))).get("userId"), "alice");
    time.advance(1);
    assert.equal((await sessions.load(request(`__Host-session=${next}`))).isNew, true);
  });

  test("activity slides the idle window, but the absolute timeout still ends the session", async () => {
    const { sessions, time } = setup({ expiry });
    let { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    // One write every 20 minutes for 12 hours.
    for (let elapsed = 20 * MIN; elapsed < 12 * HOUR; elapsed += 20 * MIN) {
      time.advance(20 * MIN);
      const r = await visit(sessions, next, (s) => s.set("visits", (s.get("visits") ?? 0) + 1));
      assert.equal(r.session.isNew, false, `alive at ${elapsed / MIN} min`);
      next = r.next;
    }
    time.advance(20 * MIN); // 12h00
    assert.equal(
      (await sessions.load(request(`__Host-session=${next}`))).isNew,
      true,
      "absolute limit",
    );
  });

  test("an unmodified session is refreshed only after a quarter of the idle window", async () => {
    const { sessions, time } = setup({ expiry });
    let { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    time.advance(7 * MIN);
    const early = await visit(sessions, next, (s) => void s.get("userId"));
    assert.equal(early.set, undefined, "not due yet: no Set-Cookie");
    time.advance(30 * 1000 + 1); // 7.5 min
    const due = await visit(sessions, next, (s) => void s.get("userId"));
    assert.ok(due.set, "refresh due: Set-Cookie");
    assert.equal(due.session.lastActiveAt.getTime(), time.t);
    next = due.next;
    // The refresh moved the idle window: 29 minutes later it is still alive.
    time.advance(29 * MIN);
    assert.equal((await sessions.load(request(`__Host-session=${next}`))).get("userId"), "alice");
  });

  test("a refresh is not written when the absolute limit caps it anyway", async () => {
    const { sessions, time } = setup({ expiry });
    let { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    for (let i = 0; i < 35; i++) {
      time.advance(20 * MIN);
      next = (await visit(sessions, next, (s) => s.set("visits", i))).next;
    }
    // Last write at 11h40: the session ends at 12h (absolute), not 12h10 (idle).
    // At 11h50 a refresh is due by time, but would not move the end.
    time.advance(10 * MIN);
    const r = await visit(sessions, next, (s) => void s.get("userId"));
    assert.equal(r.session.isNew, false);
    assert.equal(r.set, undefined);
  });

  test("remember me: a permanent cookie with Max-Age = the remember lifetime, enforced server-side", async () => {
    const { sessions, time } = setup({ expiry });
    const { set, next } = await visit(sessions, undefined, (s) => {
      s.set("userId", "alice");
      s.permanent = true;
    });
    assert.equal(set?.maxAge, 7 * 24 * 3600);
    // Idle for 3 days is fine for a remembered session, and since it lives
    // 7 days from login at most, a refresh would not extend it: no write.
    time.advance(3 * DAY);
    const read = await visit(sessions, next, (s) => void s.get("userId"));
    assert.equal(read.session.get("userId"), "alice");
    assert.equal(read.set, undefined);
    // A change is written, with the Max-Age of what is left.
    const r = await visit(sessions, next, (s) => s.set("visits", 1));
    assert.equal(r.set?.maxAge, 4 * 24 * 3600, "capped at 7 days from creation");
    // Past 7 days from creation it is over, even with a Max-Age-less replay of the cookie.
    time.advance(4 * DAY);
    assert.equal((await sessions.load(request(`__Host-session=${r.next}`))).isNew, true);
  });

  test("a permanent session ends after the remember lifetime of inactivity", async () => {
    const { sessions, time } = setup({ expiry: { ...expiry, remember: "2d", absolute: "30d" } });
    const { next } = await visit(sessions, undefined, (s) => {
      s.set("userId", "alice");
      s.permanent = true;
    });
    time.advance(2 * DAY);
    assert.equal((await sessions.load(request(`__Host-session=${next}`))).isNew, true);
  });

  test("expiry options are checked", () => {
    assert.throws(
      () => createSessions({ secrets: SECRET, expiry: { idle: "-1m" as "1m" } }),
      ConfigError,
    );
    assert.throws(
      () => createSessions({ secrets: SECRET, expiry: { idle: "10x" as "1m" } }),
      ConfigError,
    );
    assert.throws(() => createSessions({ secrets: SECRET, expiry: { refresh: 1 } }), ConfigError);
  });
});

describe("flash", () => {
  test("messages are consumed once, by category, oldest first", async () => {
    const { sessions } = setup();
    let { next } = await visit(sessions, undefined, (s) => {
      s.flash("success", "Saved");
      s.flash("error", "Title is required");
      s.flash("success", "Again");
    });
    const r1 = await visit(sessions, next, (s) => {
      assert.deepEqual(s.flashes("success"), ["Saved", "Again"]);
      assert.deepEqual(s.flashes("success"), []);
    });
    next = r1.next;
    const r2 = await visit(sessions, next, (s) => {
      assert.deepEqual(s.flashes(), [{ category: "error", message: "Title is required" }]);
    });
    // Emptied by consuming: the cookie is cleared.
    assert.equal(r2.set?.value, "");
    const r3 = await visit(sessions, r2.next, (s) => assert.deepEqual(s.flashes(), []));
    assert.equal(r3.set, undefined);
  });

  test("flashes stay until read, next to data", async () => {
    const { sessions } = setup();
    let { next } = await visit(sessions, undefined, (s) => {
      s.set("userId", "alice");
      s.flash("success", "Welcome");
    });
    next = (await visit(sessions, next, (s) => void s.get("userId"))).next;
    const r = await visit(sessions, next, (s) =>
      assert.deepEqual(s.flashes("success"), ["Welcome"]),
    );
    assert.ok(r.set, "consuming is a change");
    assert.deepEqual((await sessions.load(request(`__Host-session=${r.next}`))).flashes(), []);
  });
});

describe("regenerate and destroy", () => {
  test("destroy clears the cookie with the same attributes", async () => {
    const { sessions } = setup({
      cookie: { name: "__Secure-s", path: "/app", domain: "example.test", sameSite: "strict" },
    });
    const { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    const { set, res } = await visit(sessions, next, (s) => s.destroy());
    assert.ok(set);
    assert.equal(set.value, "");
    assert.equal(set.maxAge, 0);
    assert.equal(set.expires?.getTime(), 0);
    assert.equal(set.path, "/app");
    assert.equal(set.domain, "example.test");
    assert.equal(set.secure, true);
    assert.equal(set.httpOnly, true);
    assert.equal(set.sameSite, "strict");
    assert.equal(res.headers.get("cache-control"), "no-store");
  });

  test("regenerate keeps the data under a new id", async () => {
    const { sessions } = setup();
    const first = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    const second = await visit(sessions, first.next, (s) => s.regenerate());
    assert.ok(second.set);
    assert.equal(second.session.get("userId"), "alice");
  });

  test("clear() on a stored session deletes its cookie; on a new one sends nothing", async () => {
    const { sessions } = setup();
    const { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    assert.equal((await visit(sessions, next, (s) => s.clear())).set?.value, "");
    assert.equal((await visit(sessions, undefined, (s) => s.clear())).set, undefined);
  });
});

describe("server store path", () => {
  function mapStore() {
    const map = new Map<string, SessionRecord>();
    const store: SessionStore = {
      kind: "server",
      get: (key) => (map.has(key) ? structuredClone(map.get(key)!) : null),
      set: (key, record) => void map.set(key, structuredClone(record)),
      destroy: (key) => void map.delete(key),
    };
    return { map, store };
  }

  test("the cookie carries a signed id; the store is keyed by its hash", async () => {
    const { map, store } = mapStore();
    const { sessions } = setup({ store });
    const { next } = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    assert.ok(next);
    assert.equal(map.size, 1);
    const [key, record] = [...map.entries()][0]!;
    const id = next.slice(0, next.lastIndexOf("."));
    assert.equal(Buffer.from(id, "base64url").length, 32, "256-bit id");
    assert.notEqual(key, id);
    assert.ok(!JSON.stringify(record).includes(id), "the raw id is not stored");
    assert.equal((await sessions.load(request(`__Host-session=${next}`))).get("userId"), "alice");
  });

  test("an unknown id is not adopted; regenerate deletes the old record; destroy deletes", async () => {
    const { map, store } = mapStore();
    const { sessions } = setup({ store });
    const first = await visit(sessions, undefined, (s) => s.set("userId", "alice"));
    const oldCookie = first.next!;
    const regenerated = await visit(sessions, oldCookie, (s) => s.regenerate());
    assert.notEqual(regenerated.next, oldCookie);
    assert.equal(map.size, 1);
    assert.equal(
      (await sessions.load(request(`__Host-session=${oldCookie}`))).isNew,
      true,
      "old id dead",
    );
    const planted = await visit(sessions, oldCookie, (s) => s.set("visits", 1));
    assert.notEqual(planted.next, oldCookie, "the planted id was not adopted");
    assert.equal(map.size, 2);
    await visit(sessions, regenerated.next, (s) => s.destroy());
    assert.equal(map.size, 1);
  });
});
