// A visit counter against the Redis store: each cycle reads the session
// (store.get) and writes one key back (store.patch), which is what a request
// that changes its session costs the store. The memory store is the floor
// (no network); node-redis and ioredis talk to Redis on 127.0.0.1:6379, one
// cycle at a time, so the numbers are latency, not throughput. Also printed:
// the commands and round trips of one cycle, counted on the client.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createClient } from "redis";
import type { SessionStore } from "../src/session/store.ts";
import { memoryStore } from "../src/stores/memory.ts";
import { redisStore } from "../src/stores/redis.ts";
import { countRoundTrips } from "../test-support/redis-cluster.ts";
import { compareAsync } from "./harness.ts";

const smoke = process.env.BENCH_SMOKE === "1";
const prefix = `tessera-bench:${randomBytes(6).toString("hex")}:`;
const context = () => ({ cookieName: "s", now: Date.now(), expiresAt: Date.now() + 60_000 });

const nodeRedis = createClient({
  socket: { host: "127.0.0.1", port: 6379, reconnectStrategy: false, connectTimeout: 1000 },
});
nodeRedis.on("error", () => {});
try {
  await nodeRedis.connect();
} catch (error) {
  console.log(`no Redis on 127.0.0.1:6379 (${(error as Error).message}): skipped`);
  // CI starts Redis, so there a missing one is a failure.
  process.exit(process.env.CI === "true" ? 1 : 0);
}
const ioredis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });
await ioredis.connect();

// A session with a few keys, as an app would keep, and one cycle on it.
async function prepare(store: SessionStore) {
  const key = randomBytes(32).toString("base64url");
  const now = Date.now();
  const data = { userId: "u_42", name: "Alice", roles: ["admin"], visits: 0 };
  await store.set(
    key,
    { id: "", data, flash: [], createdAt: now, lastActiveAt: now, permanent: false },
    context(),
  );
  return async () => {
    const record = await store.get(key, context());
    const visits = (record!.data.visits as number) + 1;
    await store.patch!(key, { set: { visits }, delete: [], lastActiveAt: Date.now() }, context());
    return visits;
  };
}

const memory = await prepare(memoryStore());
const viaNodeRedis = await prepare(redisStore({ client: nodeRedis, prefix }));
const viaIoredis = await prepare(redisStore({ client: ioredis, prefix }));

// Every case counts the same way before it is timed.
for (const cycle of [memory, viaNodeRedis, viaIoredis]) {
  for (let i = 1; i <= 3; i++) assert.equal(await cycle(), i);
}

for (const [name, client] of [
  ["node-redis", nodeRedis],
  ["ioredis", ioredis],
] as const) {
  const counter = countRoundTrips(client);
  const cycle = await prepare(redisStore({ client: counter.client, prefix }));
  await cycle(); // the scripts are cached by now; this is the steady state
  counter.reset();
  await cycle();
  const { commands, trips } = counter.reset();
  console.log(`one cycle via ${name}: ${commands.join(" + ")} = ${trips} round trip(s)`);
}

await compareAsync(
  "visit counter: store.get + store.patch of one key",
  [
    { name: "memoryStore (floor, no network)", fn: memory },
    { name: "redisStore via node-redis", fn: viaNodeRedis },
    { name: "redisStore via ioredis", fn: viaIoredis },
  ],
  smoke ? { rounds: 1, batchMs: 2 } : {},
);

let cursor = "0";
do {
  const [next, keys] = (await nodeRedis.sendCommand([
    "SCAN",
    cursor,
    "MATCH",
    `${prefix}*`,
    "COUNT",
    "1000",
  ])) as [string, string[]];
  cursor = next;
  if (keys.length > 0) await nodeRedis.sendCommand(["DEL", ...keys]);
} while (cursor !== "0");
nodeRedis.destroy();
ioredis.disconnect();
