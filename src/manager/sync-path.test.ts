// The manager's synchronous path (syncPath), which the Express adapter uses:
// answers without a promise when no store call needed one, the same errors
// otherwise, and the public load()/headers() unchanged.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { CodecError, StoreUnavailableError } from "../errors.ts";
import { sealedCookieStore } from "../session/sealed-cookie.ts";
import { Session } from "../session/session.ts";
import type { SessionStore } from "../session/store.ts";
import { memoryStore } from "../stores/memory.ts";
import { faultyStore } from "../testing/faulty.ts";
import type { SessionHeaders } from "./headers.ts";
import { createSessions, type SessionsOptions, syncPath } from "./sessions.ts";

const SECRET = randomBytes(32).toString("base64url");
type Data = { visits?: number; big?: bigint };

function setup(options: Partial<SessionsOptions> = {}) {
  const sessions = createSessions<Data>({ secrets: SECRET, ...options });
  const path = syncPath(sessions);
  assert.ok(path, "sessions made by createSessions have a synchronous path");
  return { sessions, path };
}

const request = (cookie?: string) =>
  new Request("https://example.test/", cookie === undefined ? {} : { headers: { cookie } });

function now<T>(value: T | Promise<T>): T {
  assert.ok(!(value instanceof Promise), "answered without a promise");
  return value;
}

const pairOf = (headers: SessionHeaders) => headers.setCookie[0]!.split(";")[0]!;

// A store whose every call throws at once, while `down`: a synchronous store that fails.
function downStore(inner: SessionStore) {
  const state = { down: false };
  const store = { ...inner } as Record<string, unknown>;
  for (const method of ["get", "set", "patch", "touch", "destroy"] as const) {
    const original = inner[method] as ((...args: unknown[]) => unknown) | undefined;
    if (original === undefined) continue;
    store[method] = (...args: unknown[]) => {
      if (state.down) throw new Error(`injected fault in ${method}`);
      return original.apply(inner, args);
    };
  }
  return { store: store as unknown as SessionStore, state };
}

describe("the synchronous path", () => {
  for (const [name, options] of [
    ["the default sealed cookie", {}],
    ["an AES-GCM sealed cookie", { store: sealedCookieStore({ cipher: "aes-256-gcm" }) }],
    ["the memory store", { store: memoryStore() }],
  ] as const) {
    test(`${name}: load and headers answer without a promise`, () => {
      const { path } = setup(options);
      const first = now(path.load(request()));
      assert.ok(first instanceof Session);
      first.set("visits", 1);
      const headers = now(path.headers(first, 200));
      assert.equal(headers.setCookie.length, 1);
      const second = now(path.load(request(pairOf(headers))));
      assert.equal(second.get("visits"), 1);
      second.set("visits", 2);
      assert.equal(now(path.headers(second, 303)).vary, true);
    });
  }

  test("the public load() and headers() still answer with promises", async () => {
    const { sessions } = setup();
    const loading = sessions.load(request());
    assert.ok(loading instanceof Promise);
    const session = await loading;
    session.set("visits", 1);
    const headers = sessions.headers(session, 200);
    assert.ok(headers instanceof Promise);
    assert.equal((await headers).setCookie.length, 1);
    // An error is a rejection there, never a throw.
    session.set("big", 1n);
    const failing = sessions.headers(session, 200);
    assert.ok(failing instanceof Promise);
    await assert.rejects(failing, CodecError);
  });

  test("a cookie store that seals through promises answers with promises", async () => {
    const sealed = sealedCookieStore();
    const store: SessionStore = {
      kind: "cookie",
      setup: (options) => sealed.setup!(options),
      get: async (value, context) => sealed.get(value, context),
      set: async (key, record, context) => sealed.set(key, record, context),
      destroy: () => undefined,
    };
    const { path } = setup({ store });
    const first = now(path.load(request())); // no cookie: nothing to open
    first.set("visits", 1);
    const pending = path.headers(first, 200);
    assert.ok(pending instanceof Promise);
    const loading = path.load(request(pairOf(await pending)));
    assert.ok(loading instanceof Promise);
    assert.equal((await loading).get("visits"), 1);
  });

  test("an asynchronous store answers with promises, with the same results", async () => {
    const { store } = faultyStore(memoryStore());
    const { path } = setup({ store });
    const first = await path.load(request()); // no cookie: no store call, no promise
    first.set("visits", 1);
    const pending = path.headers(first, 200);
    assert.ok(pending instanceof Promise);
    const cookie = pairOf(await pending);
    const loading = path.load(request(cookie));
    assert.ok(loading instanceof Promise);
    const second = await loading;
    assert.equal(second.get("visits"), 1);
    // Regenerating writes the new record, then deletes the old: two awaited steps.
    await second.regenerate();
    const renamed = await path.headers(second, 200);
    assert.notEqual(pairOf(renamed), cookie);
    assert.equal((await path.load(request(pairOf(renamed)))).get("visits"), 1);
  });

  test("a store that throws at once: StoreUnavailableError is thrown, or rejected by the public API", async () => {
    const { store, state } = downStore(memoryStore());
    const { sessions, path } = setup({ store, retryAfter: 9 });
    const first = now(path.load(request()));
    first.set("visits", 1);
    const cookie = pairOf(now(path.headers(first, 200)));
    state.down = true;
    assert.throws(
      () => path.load(request(cookie)),
      (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.equal(error.retryAfter, 9);
        assert.match(String((error.cause as Error).message), /injected fault in get/);
        return true;
      },
    );
    await assert.rejects(sessions.load(request(cookie)), StoreUnavailableError);
    const fresh = now(path.load(request()));
    fresh.set("visits", 1);
    assert.throws(() => path.headers(fresh, 200), StoreUnavailableError);
    await assert.rejects(sessions.headers(fresh, 200), StoreUnavailableError);
    state.down = false;
    assert.equal(now(path.load(request(cookie))).get("visits"), 1, "recovered");
  });

  test("fail-open with a store that throws at once: an anonymous session, never written", () => {
    const { store, state } = downStore(memoryStore());
    const { path } = setup({ store, onStoreError: "fail-open" });
    const first = now(path.load(request()));
    first.set("visits", 1);
    const cookie = pairOf(now(path.headers(first, 200)));
    state.down = true;
    const during = now(path.load(request(cookie)));
    assert.equal(during.isNew, true);
    during.set("visits", 9);
    assert.deepEqual(now(path.headers(during, 200)).setCookie, []);
    const fresh = now(path.load(request()));
    fresh.set("visits", 5);
    assert.deepEqual(now(path.headers(fresh, 200)), { setCookie: [], vary: true, noStore: false });
  });

  test("a wrapper of the sessions has no synchronous path (its own load and headers are used)", () => {
    const { sessions } = setup();
    assert.equal(syncPath({ ...sessions }), undefined);
  });
});
