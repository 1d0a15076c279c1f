// The manager with a server store: the id lifecycle, concurrency, the
// outage policy and the per-user index, on the memory store (the same
// scenarios run on every store through testStore; these check the manager).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { StoreUnavailableError } from "../errors.ts";
import { memoryStore } from "../stores/memory.ts";
import { fakeClock } from "../testing/clock.ts";
import { faultyStore } from "../testing/faulty.ts";
import { storeUnavailableResponse } from "./guard.ts";
import { createSessions, type SessionsOptions, storeKey } from "./sessions.ts";

const SECRET = randomBytes(32).toString("base64url");
type Data = { visits?: number; [key: `k${number}`]: number };

function setup(options: Partial<SessionsOptions> = {}) {
  const clock = fakeClock();
  const inner = memoryStore();
  const { store, faults } = faultyStore(inner);
  const sessions = createSessions<Data>({ secrets: SECRET, store, now: clock.now, ...options });
  return { sessions, clock, inner, faults };
}

const request = (cookie?: string, agent = "TestBrowser/1.0") =>
  new Request("https://example.test/", {
    headers: cookie === undefined ? { "user-agent": agent } : { cookie, "user-agent": agent },
  });

function cookieOf(response: Response): string | undefined {
  const header = response.headers.getSetCookie()[0];
  return header === undefined ? undefined : header.slice(0, header.indexOf(";"));
}

describe("server sessions", () => {
  test("an anonymous visitor creates no record; a modified session does", async () => {
    const { sessions, inner } = setup();
    const read = await sessions.load(request());
    read.get("visits");
    await sessions.commit(read, new Response("ok"));
    assert.equal(inner.size, 0);
    const write = await sessions.load(request());
    write.set("visits", 1);
    const response = await sessions.commit(write, new Response("ok"));
    assert.equal(inner.size, 1);
    assert.ok(cookieOf(response));
  });

  test("an unchanged browser-session cookie is not sent again; the record is patched", async () => {
    const { sessions, faults } = setup();
    const first = await sessions.load(request());
    first.set("visits", 1);
    const cookie = cookieOf(await sessions.commit(first, new Response("ok")))!;
    const second = await sessions.load(request(cookie));
    second.set("visits", 2);
    const response = await sessions.commit(second, new Response("ok"));
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.equal(faults.calls.patch, 1);
    assert.equal((await sessions.load(request(cookie))).get("visits"), 2);
  });

  test("1000 requests in flight, each setting a distinct key on one session: all 1000 survive", async () => {
    const { sessions } = setup();
    const first = await sessions.load(request());
    first.set("visits", 0);
    const cookie = cookieOf(await sessions.commit(first, new Response("ok")))!;
    await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const session = await sessions.load(request(cookie));
        session.set(`k${i}`, i);
        await sessions.commit(session, new Response("ok"));
      }),
    );
    const after = (await sessions.load(request(cookie))).toJSON();
    for (let i = 0; i < 1000; i++) assert.equal(after[`k${i}`], i, `k${i}`);
  });

  test("an idle session is touched only when the refresh is due, and expires server-side", async () => {
    const { sessions, clock, faults } = setup({ expiry: { idle: "30m" } });
    const first = await sessions.load(request());
    first.set("visits", 1);
    const cookie = cookieOf(await sessions.commit(first, new Response("ok")))!;
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      const s = await sessions.load(request(cookie));
      s.get("visits");
      await sessions.commit(s, new Response("ok"));
    }
    assert.equal(faults.calls.touch ?? 0, 0, "5 minutes < a quarter of 30");
    clock.advance(3 * 60_000);
    const due = await sessions.load(request(cookie));
    due.get("visits");
    await sessions.commit(due, new Response("ok"));
    assert.equal(faults.calls.touch, 1);
    clock.advance(30 * 60_000);
    assert.equal((await sessions.load(request(cookie))).isNew, true);
  });
});

describe("the outage policy", () => {
  test("fail-closed: load and commit throw StoreUnavailableError; 503 with Retry-After; recovery", async () => {
    const { sessions, faults } = setup({ retryAfter: 7 });
    const first = await sessions.load(request());
    first.set("visits", 1);
    const cookie = cookieOf(await sessions.commit(first, new Response("ok")))!;
    faults.down = true;
    await assert.rejects(sessions.load(request(cookie)), (error: unknown) => {
      assert.ok(error instanceof StoreUnavailableError);
      assert.equal(error.code, "ERR_STORE_UNAVAILABLE");
      assert.match(String((error.cause as Error).message), /injected fault/);
      const response = storeUnavailableResponse(error);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("retry-after"), "7");
      return true;
    });
    const fresh = await sessions.load(request());
    fresh.set("visits", 1);
    await assert.rejects(sessions.commit(fresh, new Response("ok")), StoreUnavailableError);
    faults.down = false;
    assert.equal((await sessions.load(request(cookie))).get("visits"), 1, "recovered");
  });

  test("a store that hangs is cut off by storeTimeout", async () => {
    const { sessions, faults } = setup({ storeTimeout: "50ms" });
    const first = await sessions.load(request());
    first.set("visits", 1);
    const cookie = cookieOf(await sessions.commit(first, new Response("ok")))!;
    faults.delayMs = 1000;
    const started = Date.now();
    await assert.rejects(sessions.load(request(cookie)), /no answer within 50 ms/);
    assert.ok(Date.now() - started < 900);
    faults.delayMs = 0;
  });

  test("fail-open: an anonymous session that is never written", async () => {
    const { sessions, faults, inner } = setup({ onStoreError: "fail-open" });
    const first = await sessions.load(request());
    first.set("visits", 1);
    const cookie = cookieOf(await sessions.commit(first, new Response("ok")))!;
    faults.down = true;
    const during = await sessions.load(request(cookie));
    assert.equal(during.isNew, true);
    during.set("visits", 99);
    const response = await sessions.commit(during, new Response("ok"));
    assert.deepEqual(response.headers.getSetCookie(), []);
    const fresh = await sessions.load(request());
    fresh.set("visits", 5);
    assert.deepEqual((await sessions.commit(fresh, new Response("ok"))).headers.getSetCookie(), []);
    faults.down = false;
    assert.equal((await sessions.load(request(cookie))).get("visits"), 1);
    assert.equal(inner.size, 1);
  });
});

describe("login, fixation and the per-user index", () => {
  async function loginAs(
    sessions: ReturnType<typeof setup>["sessions"],
    user: string,
    agent: string,
    planted?: string,
  ) {
    const session = await sessions.load(request(planted, agent));
    await sessions.login(session, user);
    return cookieOf(await sessions.commit(session, new Response("ok")))!;
  }

  test("login regenerates: an id planted before login is dead after it", async () => {
    const { sessions, inner } = setup();
    const anon = await sessions.load(request());
    anon.set("visits", 1);
    const planted = cookieOf(await sessions.commit(anon, new Response("ok")))!;
    const after = await loginAs(sessions, "alice", "A", planted);
    assert.notEqual(after, planted);
    assert.equal((await sessions.load(request(planted))).isNew, true, "planted id dead");
    const session = await sessions.load(request(after));
    assert.equal(session.get("visits"), 1, "data kept");
    assert.equal(sessions.userOf(session), "alice");
    assert.equal(inner.size, 1);
  });

  test("listByUser gives metadata and opaque handles; revoke and revokeUser end sessions", async () => {
    const { sessions, clock } = setup();
    const a = await loginAs(sessions, "alice", "Firefox");
    clock.advance(1000);
    const b = await loginAs(sessions, "alice", "Chrome");
    clock.advance(1000);
    const c = await loginAs(sessions, "alice", "Safari");
    await loginAs(sessions, "bob", "Edge");
    const list = await sessions.listByUser("alice");
    assert.deepEqual(
      list.map((s) => s.userAgent),
      ["Safari", "Chrome", "Firefox"],
      "newest first",
    );
    for (const info of list) {
      for (const cookie of [a, b, c]) {
        const id = cookie.slice(cookie.indexOf("=") + 1, cookie.lastIndexOf("."));
        assert.ok(!info.handle.includes(id), "a handle never holds the id");
        assert.ok(!info.handle.includes(storeKey(id)) || info.handle.startsWith(storeKey(id)));
      }
    }
    const safari = await sessions.load(request(c));
    assert.deepEqual(
      (await sessions.listByUser("alice", { current: safari })).map((s) => s.current),
      [true, false, false],
    );
    assert.equal(await sessions.revoke(list[2]!.handle), true);
    assert.equal((await sessions.load(request(a))).isNew, true, "Firefox revoked");
    assert.equal(
      await sessions.revoke(
        `${list[2]!.handle.slice(0, -2)}${list[2]!.handle.at(-2) === "A" ? "B" : "A"}${list[2]!.handle.at(-1)}`,
      ),
      false,
      "forged handle",
    );
    const current = await sessions.load(request(c));
    await sessions.revokeUser("alice", { except: current });
    assert.equal((await sessions.load(request(b))).isNew, true, "logged out everywhere");
    assert.equal((await sessions.load(request(c))).isNew, false, "except the current one");
    assert.equal((await sessions.listByUser("bob")).length, 1, "other users untouched");
  });

  test("the per-user index needs a server store", async () => {
    const sessions = createSessions({ secrets: SECRET });
    await assert.rejects(sessions.listByUser("alice"), /needs a server store/);
  });
});
