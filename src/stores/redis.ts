import { createHash } from "node:crypto";
import { decodeJson, encodeJson } from "../codec/json.ts";
import { CodecError, ConfigError } from "../errors.ts";
import type { Expiry } from "../session/expiry.ts";
import type { FlashEntry, RecordPatch, SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";

/** A node-redis client, from `createClient()`: commands go through `sendCommand(args)`. */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A node-redis cluster, from `createCluster()`: `sendCommand(firstKey,
 * isReadonly, args)` routes each command by its first key. Told apart from a
 * plain client by its `masters` list.
 */
export interface NodeRedisClusterLike {
  sendCommand(firstKey: string, isReadonly: boolean, args: string[]): Promise<unknown>;
  readonly masters: unknown;
}

/** An ioredis `Redis` or `Cluster`: commands go through `call(command, ...args)`. */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * The Redis clients {@link redisStore} accepts, typed by shape so that
 * neither `redis` nor `ioredis` is a dependency of tessera. Tested with
 * node-redis 5 (`createClient`, `createCluster`) and ioredis 5 (`Redis`,
 * `Cluster`), against Redis 7. Every command the store sends names its key,
 * so cluster clients route it to the node that holds it.
 *
 * @example
 * import { createCluster } from "redis";
 * const client: RedisClientLike = createCluster({ rootNodes: [{ url: "redis://10.0.0.1:7000" }] });
 */
export type RedisClientLike = NodeRedisClientLike | NodeRedisClusterLike | IoRedisLike;

/**
 * Options of {@link redisStore}.
 *
 * @example
 * const options: RedisStoreOptions = { client, prefix: "myapp:sess:" };
 */
export interface RedisStoreOptions {
  /**
   * A connected client, created and closed by the application. Give it a
   * reconnect strategy and turn its offline queue off, so that calls fail
   * fast while Redis is down (the manager answers 503) and succeed again once
   * it is back; and listen to its `"error"` event (an unlistened node-redis
   * client throws it and ends the process).
   */
  client: RedisClientLike;
  /** Put in front of every key; may not hold `{` or `}`. Default `"tessera:"`. */
  prefix?: string;
}

// One command to the server that holds `key` (the slot of its hash tag, in a cluster).
type Run = (key: string, args: string[]) => Promise<unknown>;

function runner(client: RedisClientLike): Run {
  if (client !== null && typeof client === "object") {
    if (typeof (client as IoRedisLike).call === "function") {
      const io = client as IoRedisLike;
      return (_key, [command, ...args]) => io.call(command!, ...args);
    }
    if (typeof (client as NodeRedisClientLike).sendCommand === "function") {
      if ("masters" in client) {
        const cluster = client as NodeRedisClusterLike;
        // isReadonly false: a replica could answer a read with data older than our own write.
        return (key, args) => cluster.sendCommand(key, false, args);
      }
      const single = client as NodeRedisClientLike;
      return (_key, args) => single.sendCommand(args);
    }
  }
  throw new ConfigError(
    "[redis] client must be a node-redis client or cluster (createClient, createCluster) or an ioredis Redis or Cluster: something with sendCommand() or call()",
  );
}

// A script runs as EVALSHA (its text is sent only once per server); when the
// server does not know it yet (NOSCRIPT: first use, restart, SCRIPT FLUSH),
// EVAL sends the text and caches it. One key, so it is cluster-safe.
function script(source: string): (run: Run, key: string, args: string[]) => Promise<unknown> {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (run, key, args) => {
    try {
      return await run(key, ["EVALSHA", sha, "1", key, ...args]);
    } catch (error) {
      if (!String((error as Error | null)?.message).startsWith("NOSCRIPT")) throw error;
      return run(key, ["EVAL", source, "1", key, ...args]);
    }
  };
}

// Writes one session hash, atomically.
// ARGV: mode ("set" replaces the hash; "patch" changes an existing one and
// never creates it), TTL in ms ("" for none; <= 0 means already over), the
// count n of HSET arguments, n field/value arguments, then fields to HDEL.
// unpack() is chunked because Lua's C stack holds about 8000 values.
const write = script(`
local key = KEYS[1]
if ARGV[1] == 'set' then
  redis.call('DEL', key)
elseif redis.call('EXISTS', key) == 0 then
  return 0
end
local ttl = ARGV[2]
if ttl ~= '' and tonumber(ttl) <= 0 then
  redis.call('DEL', key)
  return 0
end
local last = 3 + tonumber(ARGV[3])
for i = 4, last, 1000 do
  redis.call('HSET', key, unpack(ARGV, i, math.min(i + 999, last)))
end
for i = last + 1, #ARGV, 1000 do
  redis.call('HDEL', key, unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
if ttl == '' then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, ttl) end
return 1
`);

// Adds a session key to a user's set and makes the set live at least as long
// as the TTL given ("" for ever). ARGV: member, TTL in ms.
const index = script(`
local key = KEYS[1]
local fresh = redis.call('EXISTS', key) == 0
redis.call('SADD', key, ARGV[1])
if ARGV[2] == '' then
  redis.call('PERSIST', key)
  return 1
end
local left = redis.call('PTTL', key)
if fresh or (left >= 0 and left < tonumber(ARGV[2])) then redis.call('PEXPIRE', key, ARGV[2]) end
return 1
`);

// Deletes a session hash if it still belongs to the user. ARGV: userId.
const dropIfOwned = script(`
if redis.call('HGET', KEYS[1], '_u') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

// The hash fields: data values under "d:<key>", the rest under short names.
const DATA = "d:";
const CREATED = "_c";
const ACTIVE = "_a";
const PERMANENT = "_p";
const FLASH = "_f";
const USER = "_u";
const AGENT = "_ua";

// JSON of a data value, or undefined for a value JSON drops (undefined, a
// function), which is then deleted, as the cookie store would drop it.
function encodeValue(value: unknown): string | undefined {
  const text = encodeJson(value) as string | undefined;
  return typeof text === "string" ? text : undefined;
}

// [field, value] pairs of an HGETALL reply: a flat array (RESP2), a Map or a
// plain object (RESP3, and ioredis, which turns it into an object).
function pairs(reply: unknown): Array<[string, unknown]> {
  if (Array.isArray(reply)) {
    const out: Array<[string, unknown]> = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), reply[i + 1]]);
    return out;
  }
  if (reply instanceof Map) return [...reply].map(([field, value]) => [String(field), value]);
  if (reply !== null && typeof reply === "object") return Object.entries(reply);
  return [];
}

// The members of an SMEMBERS reply: an array (RESP2) or a Set (RESP3).
function members(reply: unknown): string[] {
  if (Array.isArray(reply) || reply instanceof Set) return Array.from(reply, String);
  throw new Error(`[tessera] [redis] SMEMBERS answered ${typeof reply}, not a list`);
}

// A record from its hash; null for a missing hash (HGETALL gives an empty
// one) or an unreadable one.
function toRecord(key: string, reply: unknown): SessionRecord | null {
  const fields = pairs(reply);
  if (fields.length === 0) return null;
  const record: SessionRecord = {
    id: key,
    data: {},
    flash: [],
    createdAt: Number.NaN,
    lastActiveAt: Number.NaN,
    permanent: false,
  };
  try {
    for (const [field, raw] of fields) {
      const value = String(raw);
      if (field.startsWith(DATA)) {
        const name = field.slice(DATA.length);
        // Session.set() refuses these names; a hash holding one was not written by us.
        if (name === "__proto__" || name === "constructor" || name === "prototype") return null;
        record.data[name] = decodeJson(value);
      } else if (field === CREATED) record.createdAt = Number(value);
      else if (field === ACTIVE) record.lastActiveAt = Number(value);
      else if (field === PERMANENT) record.permanent = value === "1";
      else if (field === FLASH) record.flash = decodeJson(value) as FlashEntry[];
      else if (field === USER) record.userId = value;
      else if (field === AGENT) record.userAgent = value;
    }
  } catch (error) {
    if (error instanceof CodecError) return null;
    throw error;
  }
  if (!Number.isFinite(record.createdAt) || !Number.isFinite(record.lastActiveAt)) return null;
  if (!Array.isArray(record.flash)) return null;
  return record;
}

// The TTL of a write, relative, since the manager's clock may not be ours;
// "" when the record has no end.
function ttlOf(context: StoreContext): string {
  if (context.expiresAt === undefined) return "";
  return String(Math.ceil(context.expiresAt - context.now));
}

/**
 * Sessions in Redis or a Redis Cluster, through a client the application
 * creates: node-redis (`createClient`, `createCluster`) or ioredis (`Redis`,
 * `Cluster`). See {@link RedisClientLike}.
 *
 * Each session is one hash at `{prefix}{<key>}` (the key is a SHA-256 hash
 * of the session id; the braces are a hash tag, so a session never spans
 * cluster slots): each data value is its own field (`d:<name>`, JSON), next
 * to `_c` createdAt, `_a` lastActiveAt, `_p` permanent, `_f` flash, `_u` user
 * and `_ua` user agent. The hash expires natively (PEXPIRE). A load is one
 * HGETALL; a write is one script (set, patch, touch: atomic, and a patch or
 * touch of a missing session is a no-op), so concurrent requests that change
 * different keys both survive. A user's sessions are indexed in a set at
 * `{prefix}user:{<userId>}`, written in the same pipeline (another slot in a
 * cluster) and pruned of ended sessions when listed.
 *
 * Connection errors propagate: the manager turns them into
 * `StoreUnavailableError` (503 under the default fail-closed policy).
 *
 * @example
 * import { createClient } from "redis";
 * import { createSessions } from "tessera";
 * import { redisStore } from "tessera/stores/redis";
 *
 * const client = createClient({
 *   url: process.env.REDIS_URL,
 *   disableOfflineQueue: true, // fail fast while Redis is down
 *   socket: { reconnectStrategy: (retries) => Math.min(retries * 100, 2000) },
 * });
 * client.on("error", (error) => console.error("redis:", error.message));
 * await client.connect();
 * const sessions = createSessions({ secrets, store: redisStore({ client }) });
 *
 * @example
 * import { Redis } from "ioredis";
 * const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false });
 * const store = redisStore({ client, prefix: "myapp:sess:" });
 */
export function redisStore(options: RedisStoreOptions): SessionStore {
  if (options === null || typeof options !== "object") {
    throw new ConfigError("[redis] redisStore() needs an options object: { client, prefix? }");
  }
  const run = runner(options.client);
  const prefix = options.prefix ?? "tessera:";
  if (typeof prefix !== "string" || /[{}]/.test(prefix)) {
    throw new ConfigError(
      `[redis] prefix must be a string without "{" or "}" (they would change the cluster hash tag), got ${JSON.stringify(prefix)}`,
    );
  }
  const sessionKey = (key: string) => `${prefix}{${key}}`;
  const userKey = (userId: string) => `${prefix}user:{${userId}}`;
  let expiry: Expiry | undefined;

  // The user's set must outlive every session in it, and a session's TTL
  // moves on touches that do not know the user. No session outlives its
  // creation by more than the longest lifetime the manager allows, so the
  // set keeps at least that much TTL from each write that indexes.
  function indexUser(userId: string, key: string, context: StoreContext): Promise<unknown> {
    let ttl = ttlOf(context);
    if (ttl !== "" && expiry !== undefined) {
      ttl = String(Math.max(Number(ttl), expiry.absolute, expiry.remember));
    }
    return index(run, userKey(userId), [key, ttl]);
  }

  // The write script and, when the user is set, the index: sent together, one round trip.
  async function save(
    mode: "set" | "patch",
    key: string,
    hset: string[],
    hdel: string[],
    userId: string | undefined,
    context: StoreContext,
  ): Promise<void> {
    const ttl = ttlOf(context);
    const saved = write(run, sessionKey(key), [mode, ttl, String(hset.length), ...hset, ...hdel]);
    if (userId === undefined || (ttl !== "" && Number(ttl) <= 0)) await saved;
    else await Promise.all([saved, indexUser(userId, key, context)]);
  }

  return {
    kind: "server",
    setup(setup) {
      expiry = setup.expiry;
    },
    async get(key) {
      return toRecord(key, await run(sessionKey(key), ["HGETALL", sessionKey(key)]));
    },
    async set(key, record, context) {
      const hset = [
        CREATED,
        String(record.createdAt),
        ACTIVE,
        String(record.lastActiveAt),
        PERMANENT,
        record.permanent ? "1" : "0",
      ];
      if (record.flash.length > 0) hset.push(FLASH, encodeJson(record.flash));
      if (record.userId !== undefined) hset.push(USER, record.userId);
      if (record.userAgent !== undefined) hset.push(AGENT, record.userAgent);
      for (const name of Object.keys(record.data)) {
        const text = encodeValue(record.data[name]);
        if (text !== undefined) hset.push(DATA + name, text);
      }
      await save("set", key, hset, [], record.userId, context);
      return undefined;
    },
    async patch(key, patch: RecordPatch, context) {
      const hset = [ACTIVE, String(patch.lastActiveAt)];
      const hdel: string[] = [];
      for (const name of Object.keys(patch.set)) {
        const text = encodeValue(patch.set[name]);
        if (text === undefined) hdel.push(DATA + name);
        else hset.push(DATA + name, text);
      }
      for (const name of patch.delete) hdel.push(DATA + name);
      if (patch.flash !== undefined) {
        if (patch.flash.length > 0) hset.push(FLASH, encodeJson(patch.flash));
        else hdel.push(FLASH);
      }
      if (patch.permanent !== undefined) hset.push(PERMANENT, patch.permanent ? "1" : "0");
      if (patch.userId !== undefined) hset.push(USER, patch.userId);
      if (patch.userAgent !== undefined) hset.push(AGENT, patch.userAgent);
      await save("patch", key, hset, hdel, patch.userId, context);
    },
    async touch(key, lastActiveAt, context) {
      await save("patch", key, [ACTIVE, String(lastActiveAt)], [], undefined, context);
    },
    async destroy(key) {
      // The user's set keeps the key until listByUser prunes it.
      await run(sessionKey(key), ["DEL", sessionKey(key)]);
    },
    async listByUser(userId) {
      const set = userKey(userId);
      const keys = members(await run(set, ["SMEMBERS", set]));
      const replies = await Promise.all(
        keys.map((key) => run(sessionKey(key), ["HGETALL", sessionKey(key)])),
      );
      const out: Array<[string, SessionRecord]> = [];
      const stale: string[] = [];
      keys.forEach((key, i) => {
        const record = toRecord(key, replies[i]);
        // Ended, destroyed, or moved to another user by a patch: pruned now.
        if (record?.userId === userId) out.push([key, record]);
        else stale.push(key);
      });
      if (stale.length > 0) await run(set, ["SREM", set, ...stale]);
      return out;
    },
    async destroyByUser(userId, except) {
      const set = userKey(userId);
      const keys = members(await run(set, ["SMEMBERS", set])).filter(
        (key) => !except.includes(key),
      );
      if (keys.length === 0) return;
      // One command per session: in a cluster they live in different slots.
      // A session that went to another user meanwhile is left alone.
      await Promise.all([
        ...keys.map((key) => dropIfOwned(run, sessionKey(key), [userId])),
        run(set, ["SREM", set, ...keys]),
      ]);
    },
  };
}
