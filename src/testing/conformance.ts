import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";

/** Options of {@link testStore}. */
export interface TestStoreOptions {
  /** Runs after the suite: close clients, stop servers. */
  teardown?: () => void | Promise<void>;
  /** Skip the suite, with this reason (a service that is not running, say). */
  skip?: string | false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const key = () => randomBytes(32).toString("base64url");

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id: "",
    data: {
      visits: 3,
      name: "Zoë ✓ 𝄞",
      nested: { list: [1, 2.5, -3, null, true, "x"], deep: { a: { b: "c" } } },
      empty: {},
    },
    flash: [
      ["success", "Saved"],
      ["error", { field: "title" }],
    ],
    createdAt: now - 1000,
    lastActiveAt: now,
    permanent: false,
    ...overrides,
  };
}

function context(ttlMs = 60_000, now = Date.now()): StoreContext {
  return { cookieName: "__Host-session", now, expiresAt: now + ttlMs };
}

function comparable(r: SessionRecord | null) {
  if (r === null) return null;
  const { id: _id, resave: _resave, ...rest } = r;
  return rest;
}

/**
 * The conformance suite every session store passes: ours and third
 * parties'. It registers node:test suites; call it from a test file with a
 * function that makes a fresh store (connected to a real server, not a mock).
 *
 * It checks: whole-record round trips (unicode, nesting, flash, flags);
 * unknown keys; per-key patches that keep other keys and never create a
 * destroyed record; 1000 concurrent patches of distinct keys all surviving;
 * touch; destroy; expiry at `expiresAt` (in real time, so native TTLs are
 * checked too); the per-user index when the store has one; and that returned
 * records are copies.
 *
 * @example
 * import { testStore } from "tessera/testing";
 * import { memoryStore } from "tessera/stores/memory";
 * testStore("memory", () => memoryStore());
 */
export function testStore(
  name: string,
  makeStore: () => SessionStore | Promise<SessionStore>,
  options: TestStoreOptions = {},
): void {
  describe(`store conformance: ${name}`, { skip: options.skip || false }, () => {
    let store: SessionStore;
    before(async () => {
      store = await makeStore();
    });
    if (options.teardown) after(options.teardown);

    test("is a server store", () => {
      assert.equal(store.kind, "server");
    });

    test("set then get returns the same record", async () => {
      const k = key();
      const r = record({ permanent: true, userId: "user-1", userAgent: "Mozilla/5.0 (test)" });
      assert.equal(await store.set(k, { ...r, id: k }, context()), undefined);
      assert.deepEqual(comparable(await store.get(k, context())), comparable(r));
    });

    test("get of an unknown key is null", async () => {
      assert.equal(await store.get(key(), context()), null);
    });

    test("records are kept apart by key", async () => {
      const [a, b] = [key(), key()];
      await store.set(a, record({ data: { who: "a" } }), context());
      await store.set(b, record({ data: { who: "b" } }), context());
      assert.deepEqual((await store.get(a, context()))?.data, { who: "a" });
      assert.deepEqual((await store.get(b, context()))?.data, { who: "b" });
    });

    test("set replaces the whole record", async () => {
      const k = key();
      await store.set(k, record({ data: { a: 1, b: 2 } }), context());
      await store.set(k, record({ data: { c: 3 }, flash: [] }), context());
      const got = await store.get(k, context());
      assert.deepEqual(got?.data, { c: 3 });
      assert.deepEqual(got?.flash, []);
    });

    test("a returned record is a copy", async () => {
      const k = key();
      await store.set(k, record({ data: { list: [1] } }), context());
      const got = await store.get(k, context());
      (got!.data.list as number[]).push(2);
      got!.data.extra = true;
      assert.deepEqual((await store.get(k, context()))?.data, { list: [1] });
    });

    test("destroy removes a record; destroying an unknown key is fine", async () => {
      const k = key();
      await store.set(k, record(), context());
      await store.destroy(k, context());
      assert.equal(await store.get(k, context()), null);
      await store.destroy(key(), context());
    });

    test("records end at expiresAt", async () => {
      const k = key();
      await store.set(k, record(), context(150));
      assert.notEqual(await store.get(k, context()), null);
      await sleep(300);
      assert.equal(await store.get(k, context()), null);
    });

    describe("patch", { skip: false }, () => {
      test("sets and deletes keys and keeps the rest", async (t) => {
        if (store.patch === undefined) return t.skip("no patch");
        const k = key();
        await store.set(k, record({ data: { keep: 1, change: 1, drop: 1 } }), context());
        const later = Date.now() + 5;
        await store.patch(
          k,
          {
            set: { change: { to: [2] }, add: "ü" },
            delete: ["drop", "absent"],
            lastActiveAt: later,
          },
          context(),
        );
        const got = await store.get(k, context());
        assert.deepEqual(got?.data, { keep: 1, change: { to: [2] }, add: "ü" });
        assert.equal(got?.lastActiveAt, later);
        assert.deepEqual(got?.flash, record().flash, "flash untouched");
      });

      test("updates flash, permanent, user and user agent when given", async (t) => {
        if (store.patch === undefined) return t.skip("no patch");
        const k = key();
        await store.set(k, record(), context());
        await store.patch(
          k,
          {
            set: {},
            delete: [],
            flash: [["info", "hi"]],
            permanent: true,
            userId: "user-2",
            userAgent: "UA",
            lastActiveAt: Date.now(),
          },
          context(),
        );
        const got = await store.get(k, context());
        assert.deepEqual(got?.flash, [["info", "hi"]]);
        assert.equal(got?.permanent, true);
        assert.equal(got?.userId, "user-2");
        assert.equal(got?.userAgent, "UA");
      });

      test("never creates a record that does not exist", async (t) => {
        if (store.patch === undefined) return t.skip("no patch");
        const k = key();
        await store.patch(k, { set: { a: 1 }, delete: [], lastActiveAt: Date.now() }, context());
        assert.equal(await store.get(k, context()), null);
        await store.set(k, record(), context());
        await store.destroy(k, context());
        await store.patch(k, { set: { a: 1 }, delete: [], lastActiveAt: Date.now() }, context());
        assert.equal(await store.get(k, context()), null, "a destroyed session stays destroyed");
      });

      test("1000 concurrent patches of distinct keys all survive", async (t) => {
        if (store.patch === undefined) return t.skip("no patch");
        const k = key();
        await store.set(k, record({ data: { base: true } }), context());
        await Promise.all(
          Array.from({ length: 1000 }, (_, i) =>
            store.patch!(
              k,
              { set: { [`k${i}`]: i }, delete: [], lastActiveAt: Date.now() },
              context(),
            ),
          ),
        );
        const data = (await store.get(k, context()))?.data ?? {};
        assert.equal(Object.keys(data).length, 1001);
        for (let i = 0; i < 1000; i++) assert.equal(data[`k${i}`], i);
      });

      test("moves the expiry", async (t) => {
        if (store.patch === undefined) return t.skip("no patch");
        const k = key();
        await store.set(k, record(), context(150));
        await store.patch(
          k,
          { set: { a: 1 }, delete: [], lastActiveAt: Date.now() },
          context(60_000),
        );
        await sleep(300);
        assert.deepEqual((await store.get(k, context()))?.data.a, 1);
      });
    });

    describe("touch", () => {
      test("moves lastActiveAt and the expiry, and ignores unknown keys", async (t) => {
        if (store.touch === undefined) return t.skip("no touch");
        const k = key();
        await store.set(k, record(), context(150));
        const later = Date.now() + 7;
        await store.touch(k, later, context(60_000));
        await sleep(300);
        assert.equal((await store.get(k, context()))?.lastActiveAt, later);
        const unknown = key();
        await store.touch(unknown, later, context());
        assert.equal(await store.get(unknown, context()), null);
      });
    });

    describe("per-user index", () => {
      test("lists a user's live sessions and destroys them, except the ones kept", async (t) => {
        if (store.listByUser === undefined || store.destroyByUser === undefined) {
          return t.skip("no per-user index");
        }
        const user = `user-${key().slice(0, 8)}`;
        const [a, b, c, other] = [key(), key(), key(), key()];
        await store.set(a, record({ userId: user, userAgent: "A" }), context());
        await store.set(b, record({ userId: user, userAgent: "B" }), context());
        await store.set(c, record({ userId: user }), context(100));
        await store.set(other, record({ userId: `${user}-other` }), context());
        await sleep(250);
        const listed = await store.listByUser(user, context());
        assert.deepEqual(listed.map(([k]) => k).sort(), [a, b].sort(), "expired c is not listed");
        assert.deepEqual(listed.map(([, r]) => r.userAgent).sort(), ["A", "B"]);
        await store.destroyByUser(user, [b], context());
        assert.equal(await store.get(a, context()), null);
        assert.notEqual(await store.get(b, context()), null);
        assert.notEqual(await store.get(other, context()), null, "other users untouched");
        assert.deepEqual(
          (await store.listByUser(user, context())).map(([k]) => k),
          [b],
        );
      });

      test("a patch that sets the user indexes the session", async (t) => {
        if (store.listByUser === undefined || store.patch === undefined)
          return t.skip("no per-user index");
        const user = `user-${key().slice(0, 8)}`;
        const k = key();
        await store.set(k, record(), context());
        await store.patch(
          k,
          { set: {}, delete: [], userId: user, lastActiveAt: Date.now() },
          context(),
        );
        assert.deepEqual(
          (await store.listByUser(user, context())).map(([x]) => x),
          [k],
        );
      });
    });
  });
}
