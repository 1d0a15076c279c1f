// Real Redis servers for tests: one throwaway redis-server, or a 3-node Redis
// Cluster, on free loopback ports, each in its own temp dir, stopped by PID.
// Nothing is mocked; when redis-server or redis-cli is not installed, callers
// fail under CI=true and skip loudly elsewhere (see `redisSkip`).
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RedisClientLike } from "../src/stores/redis.ts";

const HOST = "127.0.0.1";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Every server still running, killed if the test process exits without
// stopping it (a failed `before`, an uncaught error).
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) kill(child, "SIGKILL");
});

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Why Redis tests cannot run here: a missing `redis-server`/`redis-cli`, or
 * undefined when both are installed.
 *
 * @example
 * const missing = redisToolsMissing(); // "redis-cli is not installed" | undefined
 */
export function redisToolsMissing(): string | undefined {
  for (const tool of ["redis-server", "redis-cli"]) {
    const result = spawnSync(tool, ["--version"], { stdio: "ignore" });
    if (result.error !== undefined || result.status !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

/**
 * Turns a reason a Redis suite cannot run into its `skip` option: under
 * `CI=true` it throws instead (CI must run every store), elsewhere it warns
 * loudly and skips.
 *
 * @example
 * testStore("redis", makeStore, { skip: redisSkip(await redisReachable(6379) ? undefined : "no Redis on 6379") });
 */
export function redisSkip(reason: string | undefined): string | false {
  if (reason === undefined) return false;
  if (process.env.CI === "true") throw new Error(`[redis tests] ${reason}, and CI=true: failing`);
  console.warn(`\n!!! [redis tests] SKIPPED: ${reason}. Install/start Redis to run them. !!!\n`);
  return reason;
}

/**
 * Sends one command over a fresh connection and returns the raw reply text
 * (status, error, integer or bulk string), without a client library.
 *
 * @example
 * await redisCommand(6379, ["PING"]); // "+PONG\r\n"
 */
export function redisCommand(port: number, args: string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let text = "";
    const done = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(text);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no reply from ${HOST}:${port}`)));
    socket.on("error", done);
    socket.on("connect", () => {
      socket.write(
        `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`,
      );
    });
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
      const end = text.indexOf("\r\n");
      if (end < 0) return;
      if (text[0] !== "$") return done();
      const length = Number(text.slice(1, end));
      if (length < 0 || Buffer.byteLength(text) >= end + 2 + length + 2) done();
    });
  });
}

/**
 * Whether a Redis answers PING on this loopback port.
 *
 * @example
 * if (await redisReachable(6379)) console.log("redis is up");
 */
export async function redisReachable(port: number): Promise<boolean> {
  try {
    return (await redisCommand(port, ["PING"], 500)).startsWith("+PONG");
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port from `base` to `base + span`, picked at random. With
 * `bus`, port + 10000 (a cluster node's bus port) must be free too.
 *
 * @example
 * const port = await freePort(6390, 500);
 */
export async function freePort(base: number, span: number, bus = false): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = base + Math.floor(Math.random() * span);
    if ((await portFree(port)) && (!bus || (await portFree(port + 10_000)))) return port;
  }
  throw new Error(`[redis tests] no free port between ${base} and ${base + span}`);
}

/** A redis-server started by {@link startRedisServer}. */
export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  /** Stops it by PID (SIGTERM, or the signal given) and waits for its exit. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a redis-server on a loopback port, without persistence, and waits
 * until it answers PING. `dir` holds its log (and cluster config); it is not
 * removed by `stop`.
 *
 * @example
 * const server = await startRedisServer(await freePort(6390, 500), dir);
 * await server.stop("SIGKILL"); // an outage
 */
export async function startRedisServer(
  port: number,
  dir: string,
  extra: string[] = [],
): Promise<RedisServer> {
  const log = join(dir, `redis-${port}.log`);
  const fd = openSync(log, "a");
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      HOST,
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ].concat(extra),
    { stdio: ["ignore", fd, fd] },
  );
  closeSync(fd);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => running.delete(child));
  child.once("error", () => {});
  const server: RedisServer = {
    port,
    pid: child.pid ?? -1,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        kill(child, signal);
        const timer = setTimeout(() => kill(child, "SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null || child.pid === undefined) break;
    if (await redisReachable(port)) return server;
    await sleep(50);
  }
  await server.stop("SIGKILL");
  const tail = readFileSync(log, "utf8").split("\n").slice(-10).join("\n");
  throw new Error(`[redis tests] redis-server on port ${port} did not start:\n${tail}`);
}

/**
 * A temp dir for servers' logs, removed by the returned function.
 *
 * @example
 * const [dir, remove] = tempDir();
 */
export function tempDir(): [string, () => void] {
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-"));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

/** A local Redis Cluster started by {@link startRedisCluster}. */
export interface RedisCluster {
  /** The nodes' addresses, to seed a cluster client. */
  readonly nodes: Array<{ host: string; port: number }>;
  /** Stops every node by PID and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster of `size` masters (no replicas) on free loopback
 * ports from 7100, creates it with `redis-cli --cluster create` and waits for
 * `cluster_state:ok` on every node. On any failure everything started is
 * stopped again before the error is thrown.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = createCluster({ rootNodes: cluster.nodes.map((n) => ({ socket: n })) });
 * // …
 * await cluster.stop();
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const [dir, removeDir] = tempDir();
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    removeDir();
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = await freePort(7100, 900, true);
      const config = join(dir, `nodes-${port}.conf`);
      servers.push(
        await startRedisServer(port, dir, [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          config,
        ]),
      );
    }
    const addresses = servers.map((server) => `${HOST}:${server.port}`);
    await new Promise<void>((resolve, reject) => {
      execFile(
        "redis-cli",
        ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"],
        { timeout: 30_000 },
        (error, stdout, stderr) =>
          error
            ? reject(
                new Error(`[redis tests] redis-cli --cluster create failed:\n${stdout}${stderr}`),
              )
            : resolve(),
      );
    });
    for (const server of servers) {
      for (let i = 0; ; i++) {
        if ((await redisCommand(server.port, ["CLUSTER", "INFO"])).includes("cluster_state:ok"))
          break;
        if (i === 200) throw new Error(`[redis tests] cluster node ${server.port} is not ok`);
        await sleep(50);
      }
    }
    return { nodes: servers.map((server) => ({ host: HOST, port: server.port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What {@link countRoundTrips} has seen since its last `reset`. */
export interface RoundTrips {
  /** Command names, upper case, in the order sent. */
  commands: string[];
  /** Sequential round trips: commands sent together (pipelined) count once. */
  trips: number;
}

/**
 * Wraps a client (node-redis client, ioredis Redis) to count what a store
 * sends: a command sent while none of the others is in flight starts a new
 * round trip; commands sent while one is in flight share it, as they share
 * the wire. `reset()` returns the counts so far and starts again.
 *
 * @example
 * const counter = countRoundTrips(client);
 * await redisStore({ client: counter.client }).get(key, context);
 * counter.reset(); // { commands: ["HGETALL"], trips: 1 }
 */
export function countRoundTrips(client: RedisClientLike): {
  client: RedisClientLike;
  reset(): RoundTrips;
} {
  let seen: RoundTrips = { commands: [], trips: 0 };
  let inFlight = 0;
  const track = (name: string, reply: Promise<unknown>) => {
    if (inFlight === 0) seen.trips++;
    inFlight++;
    seen.commands.push(name.toUpperCase());
    return reply.finally(() => inFlight--);
  };
  const reset = () => {
    const taken = seen;
    seen = { commands: [], trips: 0 };
    return taken;
  };
  if ("call" in client) {
    return {
      reset,
      client: {
        call: (command: string, ...args: string[]) => track(command, client.call(command, ...args)),
      },
    };
  }
  if ("masters" in client) throw new Error("countRoundTrips: a single client, not a cluster");
  return {
    reset,
    client: { sendCommand: (args: string[]) => track(args[0]!, client.sendCommand(args)) },
  };
}
