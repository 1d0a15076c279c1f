// The Redis store against real servers: the conformance suite through
// node-redis and ioredis on 127.0.0.1:6379 (started by .ci/run, never here),
// round trips counted on the wire, the data model, and an outage of a
// redis-server this file starts and kills itself.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import {
  countRoundTrips,
  freePort,
  redisReachable,
  redisSkip,
  redisToolsMissing,
  startRedisServer,
  tempDir,
} from "../../test-support/redis-cluster.ts";
import { serve } from "../adapters/node.ts";
import { KeyRing } from "../crypto/keys.ts";
import { ConfigError, StoreUnavailableError } from "../errors.ts";
import { createSessions } from "../manager/sessions.ts";
import { resolveExpiry } from "../session/expiry.ts";
import type { SessionRecord } from "../session/record.ts";
import { fakeClock } from "../testing/clock.ts";
import { testStore } from "../testing/conformance.ts";
import { type RedisClientLike, redisStore } from "./redis.ts";

const PORT = 6379;
const SECRET = randomBytes(32).toString("base64url");
const KINDS = ["node-redis", "ioredis"] as const;
type Kind = (typeof KINDS)[number];

const skip = redisSkip(
  (await redisReachable(PORT))
    ? undefined
    : `no Redis answers on 127.0.0.1:${PORT} (start one: redis-server --daemonize yes --bind 127.0.0.1 --port ${PORT} --save "" --appendonly no)`,
);

const newPrefix = () => `tessera-test:${randomBytes(6).toString("hex")}:`;

interface Connected {
  client: RedisClientLike;
  /** A raw command, for checks and cleanup. */
  send(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

// Both clients as an application should configure them: reconnect forever
// every 100 ms, and no offline queue, so calls fail fast while Redis is down.
async function connect(kind: Kind, port = PORT): Promise<Connected> {
  if (kind === "node-redis") {
    const client = createClient({
      socket: { host: "127.0.0.1", port, reconnectStrategy: () => 100, connectTimeout: 1000 },
      disableOfflineQueue: true,
    });
    client.on("error", () => {}); // unlistened, node-redis would throw it
    await client.connect();
    return {
      client,
      send: (args) => client.sendCommand(args),
      close: async () => client.destroy(),
    };
  }
  const client = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 100,
  });
  client.on("error", () => {});
  await client.connect();
  return {
    client,
    send: ([command, ...args]) => client.call(command!, ...args),
    close: async () => client.disconnect(),
  };
}

// SCAN + DEL of every key under the prefix; the number deleted.
async function deleteByPrefix(send: Connected["send"], prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = (await send(["SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", "1000"])) as [
      string,
      string[],
    ];
    cursor = String(next);
    if (keys.length > 0) deleted += Number(await send(["DEL", ...keys]));
  } while (cursor !== "0");
  return deleted;
}

for (const kind of KINDS) {
  const prefix = newPrefix();
  let connected: Connected | undefined;
  testStore(
    `redis (${kind})`,
    async () => {
      connected = await connect(kind);
      return redisStore({ client: connected.client, prefix });
    },
    {
      skip,
      teardown: async () => {
        if (connected === undefined) return;
        await deleteByPrefix(connected.send, prefix);
        await connected.close();
      },
    },
  );
}

const record = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: "",
  data: { visits: 1 },
  flash: [],
  createdAt: Date.now(),
  lastActiveAt: Date.now(),
  permanent: false,
  ...overrides,
});

describe("redis: round trips", { skip }, () => {
  for (const kind of KINDS) {
    test(`${kind}: a load is 1 round trip; a commit (set, patch, touch) is 1`, async (t) => {
      const prefix = newPrefix();
      const connected = await connect(kind);
      t.after(async () => {
        await deleteByPrefix(connected.send, prefix);
        await connected.close();
      });
      const counter = countRoundTrips(connected.client);
      const clock = fakeClock();
      const sessions = createSessions<{ visits?: number }>({
        secrets: [SECRET],
        store: redisStore({ client: counter.client, prefix }),
        now: clock.now,
      });
      let cookie = "";
      const visit = async (change: boolean) => {
        const session = await sessions.load(
          new Request("https://example.test/", { headers: { cookie } }),
        );
        const loaded = counter.reset();
        if (change) session.set("visits", (session.get("visits") ?? 0) + 1);
        const response = await sessions.commit(session, new Response("ok"));
        const set = response.headers.getSetCookie()[0];
        if (set !== undefined) cookie = set.split(";")[0]!;
        return { loaded, committed: counter.reset() };
      };
      // Warm the script cache: a server's first EVALSHA of a script is NOSCRIPT, then EVAL.
      await visit(true);
      await visit(true);
      clock.advance(10 * 60_000);
      await visit(false);
      cookie = "";

      const created = await visit(true);
      assert.deepEqual(created.committed, { commands: ["EVALSHA"], trips: 1 }, "set");
      const patched = await visit(true);
      assert.deepEqual(patched.loaded, { commands: ["HGETALL"], trips: 1 }, "load");
      assert.deepEqual(patched.committed, { commands: ["EVALSHA"], trips: 1 }, "patch");
      clock.advance(10 * 60_000); // past the refresh point (a quarter of the 30-minute idle window)
      const touched = await visit(false);
      assert.deepEqual(touched.loaded, { commands: ["HGETALL"], trips: 1 }, "load");
      assert.deepEqual(touched.committed, { commands: ["EVALSHA"], trips: 1 }, "touch");
      const unchanged = await visit(false);
      assert.deepEqual(unchanged.committed, { commands: [], trips: 0 }, "nothing to write");
      t.diagnostic(
        `load ${patched.loaded.trips}, set ${created.committed.trips}, patch ${patched.committed.trips}, touch ${touched.committed.trips} round trip(s)`,
      );
    });

    test(`${kind}: indexing a user rides in the same round trip; NOSCRIPT falls back to EVAL`, async (t) => {
      const prefix = newPrefix();
      const connected = await connect(kind);
      t.after(async () => {
        await deleteByPrefix(connected.send, prefix);
        await connected.close();
      });
      const counter = countRoundTrips(connected.client);
      const store = redisStore({ client: counter.client, prefix });
      const context = () => ({ cookieName: "s", now: Date.now(), expiresAt: Date.now() + 60_000 });
      await store.set("warm", record({ userId: "warm" }), context());
      await store.destroyByUser!("warm", [], context());
      counter.reset();

      await store.set("k1", record({ userId: "u1" }), context());
      assert.deepEqual(counter.reset(), { commands: ["EVALSHA", "EVALSHA"], trips: 1 }, "set");
      const patch = { set: { a: 1 }, delete: [], userId: "u1", lastActiveAt: Date.now() };
      await store.patch!("k1", patch, context());
      assert.deepEqual(counter.reset(), { commands: ["EVALSHA", "EVALSHA"], trips: 1 }, "patch");

      await store.listByUser!("u1", context());
      assert.deepEqual(counter.reset(), { commands: ["SMEMBERS", "HGETALL"], trips: 2 });
      await store.destroyByUser!("u1", ["k1"], context());
      assert.deepEqual(counter.reset(), { commands: ["SMEMBERS"], trips: 1 }, "nothing to drop");
      await store.set("k2", record({ userId: "u1" }), context());
      counter.reset();
      await store.destroyByUser!("u1", ["k1"], context());
      assert.deepEqual(counter.reset(), { commands: ["SMEMBERS", "EVALSHA", "SREM"], trips: 2 });
      assert.equal(await store.get("k2", context()), null);

      await connected.send(["SCRIPT", "FLUSH"]);
      counter.reset();
      await store.patch!("k1", { set: { b: 2 }, delete: [], lastActiveAt: Date.now() }, context());
      assert.deepEqual(counter.reset(), { commands: ["EVALSHA", "EVAL"], trips: 2 });
      assert.deepEqual((await store.get("k1", context()))?.data, { visits: 1, a: 1, b: 2 });
      counter.reset();
      await store.touch!("k1", Date.now(), context());
      assert.deepEqual(counter.reset(), { commands: ["EVALSHA"], trips: 1 }, "cached again");
    });
  }
});

describe("redis: data model", { skip }, () => {
  test("one hash per session under a hash tag, per-key fields, a TTL from the manager's clock", async (t) => {
    const prefix = newPrefix();
    const connected = await connect("node-redis");
    t.after(async () => {
      await deleteByPrefix(connected.send, prefix);
      await connected.close();
    });
    const store = redisStore({ client: connected.client, prefix });
    store.setup!({
      keys: new KeyRing(SECRET),
      expiry: resolveExpiry({ absolute: "2h", remember: "1d" }),
    });
    // A fake clock far in the past: only the difference may matter.
    const context = { cookieName: "s", now: 1_000, expiresAt: 61_000 };
    await store.set(
      "abc",
      record({
        data: { visits: 2, cart: [{ sku: "A" }] },
        flash: [["info", "hi"]],
        createdAt: 5,
        lastActiveAt: 7,
        permanent: true,
        userId: "u1",
        userAgent: "UA",
      }),
      context,
    );
    const fields = (await connected.send(["HGETALL", `${prefix}{abc}`])) as string[];
    const hash = Object.fromEntries(
      fields.flatMap((_, i) => (i % 2 ? [] : [[fields[i], fields[i + 1]]])),
    );
    assert.deepEqual(hash, {
      _c: "5",
      _a: "7",
      _p: "1",
      _f: '[["info","hi"]]',
      _u: "u1",
      _ua: "UA",
      "d:visits": "2",
      "d:cart": '[{"sku":"A"}]',
    });
    const ttl = Number(await connected.send(["PTTL", `${prefix}{abc}`]));
    assert.ok(ttl > 59_000 && ttl <= 60_000, `session TTL ${ttl}`);
    assert.deepEqual(await connected.send(["SMEMBERS", `${prefix}user:{u1}`]), ["abc"]);
    const userTtl = Number(await connected.send(["PTTL", `${prefix}user:{u1}`]));
    assert.ok(userTtl > 86_399_000, `the user set outlives any session of the user: ${userTtl}`);

    // An expiresAt already past on the manager's clock ends the session now.
    await store.touch!("abc", 9, { cookieName: "s", now: 70_000, expiresAt: 61_000 });
    assert.equal(await store.get("abc", context), null);
  });

  test("an unreadable hash reads as null; a session moved to another user survives the first user's revocation", async (t) => {
    const prefix = newPrefix();
    const connected = await connect("ioredis");
    t.after(async () => {
      await deleteByPrefix(connected.send, prefix);
      await connected.close();
    });
    const store = redisStore({ client: connected.client, prefix });
    const context = { cookieName: "s", now: Date.now(), expiresAt: Date.now() + 60_000 };
    await connected.send(["HSET", `${prefix}{bad}`, "_c", "1", "_a", "1", "d:x", "{nope"]);
    assert.equal(await store.get("bad", context), null);
    await connected.send(["HSET", `${prefix}{evil}`, "_c", "1", "_a", "1", "d:__proto__", "{}"]);
    assert.equal(await store.get("evil", context), null);

    await store.set("moved", record({ userId: "a" }), context);
    await store.patch!("moved", { set: {}, delete: [], userId: "b", lastActiveAt: 1 }, context);
    assert.deepEqual(await store.listByUser!("a", context), []);
    await store.destroyByUser!("a", [], context);
    assert.notEqual(await store.get("moved", context), null);
    assert.deepEqual(
      (await store.listByUser!("b", context)).map(([k]) => k),
      ["moved"],
    );
    assert.deepEqual(await connected.send(["SMEMBERS", `${prefix}user:{a}`]), [], "pruned");
  });
});

test("redis: bad options are a ConfigError that names its origin", () => {
  assert.throws(
    () => redisStore({ client: {} as RedisClientLike }),
    (error: unknown) =>
      error instanceof ConfigError && error.message.startsWith("[tessera] [redis] client must be"),
  );
  const client = { call: async () => null };
  assert.throws(() => redisStore({ client, prefix: "app{1}:" }), ConfigError);
  assert.throws(() => redisStore(null as never), /\[tessera\] \[redis\]/);
  assert.equal(redisStore({ client }).kind, "server");
});

describe("redis: outage", { skip: redisSkip(redisToolsMissing()) }, () => {
  for (const kind of KINDS) {
    test(`${kind}: a dead Redis answers 503 + Retry-After without crashing, and service resumes when it is back`, async (t) => {
      const [dir, removeDir] = tempDir();
      const port = await freePort(6390, 500);
      let server = await startRedisServer(port, dir);
      const connected = await connect(kind, port);
      const store = redisStore({ client: connected.client });
      const sessions = createSessions<{ visits?: number }>({
        secrets: [SECRET],
        store,
        storeTimeout: "200ms",
      });
      const http = createServer(
        serve(async (request) => {
          const session = await sessions.load(request);
          session.set("visits", (session.get("visits") ?? 0) + 1);
          return sessions.commit(session, new Response(String(session.get("visits"))));
        }),
      );
      http.listen(0, "127.0.0.1");
      await once(http, "listening");
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
      t.after(async () => {
        http.close();
        await connected.close();
        await server.stop("SIGKILL");
        removeDir();
      });

      let cookie = "";
      const hit = async () => {
        const started = performance.now();
        const response = await fetch(url, { headers: { cookie } });
        const set = response.headers.getSetCookie()[0];
        if (set !== undefined) cookie = set.split(";")[0]!;
        return {
          status: response.status,
          retryAfter: response.headers.get("retry-after"),
          body: await response.text(),
          ms: performance.now() - started,
        };
      };
      // A steady loop of other visitors through all phases: only 200 or 503, never a 500.
      const statuses = new Set<number>();
      let looping = true;
      const loop = (async () => {
        while (looping) {
          statuses.add((await fetch(url)).status);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();

      for (let i = 1; i <= 3; i++) assert.equal((await hit()).body, String(i));

      await server.stop("SIGKILL");
      for (let i = 0; i < 5; i++) {
        const down = await hit();
        assert.equal(down.status, 503);
        assert.equal(down.retryAfter, "5");
        assert.ok(down.ms < 1000, `fails fast: ${down.ms} ms`);
      }
      const request = new Request(url, { headers: { cookie } });
      await assert.rejects(sessions.load(request), StoreUnavailableError);
      const fresh = await sessions.load(new Request(url));
      fresh.set("visits", 1);
      await assert.rejects(sessions.commit(fresh, new Response("x")), StoreUnavailableError);

      server = await startRedisServer(port, dir);
      let back = await hit();
      for (let i = 0; back.status !== 200 && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        back = await hit();
      }
      assert.equal(back.status, 200, "the same store serves again once Redis is back");
      // The restarted server is empty: the old session is gone, a new one starts.
      assert.equal(back.body, "1");
      assert.equal((await hit()).body, "2");
      looping = false;
      await loop;
      for (const status of statuses)
        assert.ok(status === 200 || status === 503, `status ${status}`);
    });
  }
});
