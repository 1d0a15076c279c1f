// The Redis store against a real 3-node Redis Cluster that this file starts
// on free loopback ports (test-support/redis-cluster.ts) and stops by PID:
// the conformance suite through node-redis createCluster and ioredis Cluster,
// and a user whose sessions live on different nodes.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import {
  type RedisCluster,
  redisCommand,
  redisSkip,
  redisToolsMissing,
  startRedisCluster,
} from "../../test-support/redis-cluster.ts";
import type { SessionRecord } from "../session/record.ts";
import { testStore } from "../testing/conformance.ts";
import { type RedisClientLike, redisStore } from "./redis.ts";

const skip = redisSkip(redisToolsMissing());

// One cluster for the whole file, started by the first suite that needs it.
let started: Promise<RedisCluster> | undefined;
const cluster = () => {
  started ??= startRedisCluster(3);
  return started;
};
after(async () => {
  if (started !== undefined) await (await started.catch(() => undefined))?.stop();
});

async function connect(kind: "node-redis" | "ioredis") {
  const { nodes } = await cluster();
  if (kind === "node-redis") {
    const client = createCluster({
      rootNodes: nodes.map((node) => ({ socket: node })),
      defaults: { socket: { reconnectStrategy: () => 100 }, disableOfflineQueue: true },
    });
    client.on("error", () => {});
    await client.connect();
    const typed: RedisClientLike = client;
    return { client: typed, close: async () => client.destroy() };
  }
  const client = new Cluster(nodes, { lazyConnect: true, clusterRetryStrategy: () => 100 });
  client.on("error", () => {});
  await client.connect();
  const typed: RedisClientLike = client;
  return { client: typed, close: async () => client.disconnect() };
}

for (const kind of ["node-redis", "ioredis"] as const) {
  let close: (() => Promise<void>) | undefined;
  testStore(
    `redis cluster (${kind})`,
    async () => {
      const connected = await connect(kind);
      close = connected.close;
      return redisStore({
        client: connected.client,
        prefix: `t${randomBytes(4).toString("hex")}:`,
      });
    },
    { skip, teardown: () => close?.() },
  );
}

describe("redis cluster: a user's sessions across nodes", { skip }, () => {
  for (const kind of ["node-redis", "ioredis"] as const) {
    test(`${kind}: listByUser and destroyByUser reach every node`, async (t) => {
      const connected = await connect(kind);
      t.after(connected.close);
      const { nodes } = await cluster();
      const store = redisStore({ client: connected.client });
      const context = { cookieName: "s", now: Date.now(), expiresAt: Date.now() + 60_000 };
      const user = `u-${randomBytes(4).toString("hex")}`;
      const now = Date.now();
      const record: SessionRecord = {
        id: "",
        data: { n: 1 },
        flash: [],
        createdAt: now,
        lastActiveAt: now,
        permanent: false,
        userId: user,
      };
      const keys = Array.from({ length: 12 }, () => randomBytes(32).toString("base64url"));
      await Promise.all(keys.map((key) => store.set(key, record, context)));

      // The hash tag puts a session's hash in its key's slot; the keys spread over the nodes.
      const slot = async (name: string) =>
        Number((await redisCommand(nodes[0]!.port, ["CLUSTER", "KEYSLOT", name])).slice(1));
      const slots = await Promise.all(keys.map((key) => slot(`tessera:{${key}}`)));
      assert.deepEqual(slots, await Promise.all(keys.map(slot)));
      const owners = new Set<number>();
      for (const node of nodes) {
        for (const key of keys) {
          const reply = await redisCommand(node.port, ["EXISTS", `tessera:{${key}}`]);
          if (reply.startsWith(":1")) owners.add(node.port);
        }
      }
      assert.ok(owners.size >= 2, `sessions on ${owners.size} node(s)`);

      const listed = await store.listByUser!(user, context);
      assert.deepEqual(listed.map(([key]) => key).sort(), [...keys].sort());
      await store.destroyByUser!(user, [keys[0]!], context);
      for (const key of keys.slice(1)) assert.equal(await store.get(key, context), null);
      assert.deepEqual(
        (await store.listByUser!(user, context)).map(([key]) => key),
        [keys[0]],
      );
    });
  }
});
