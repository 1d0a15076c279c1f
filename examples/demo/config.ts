// Everything the demo reads from the environment, checked once at startup.
// A problem is a StartupError: server.ts prints its one-line message and
// exits with code 1, without a stack trace.

import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkSecret, type SessionStore, sealedCookieStore, TesseraError } from "tessera";
import { memoryStore } from "tessera/stores/memory";
import { postgresStore } from "tessera/stores/postgres";
import { redisStore } from "tessera/stores/redis";
import { sqliteStore } from "tessera/stores/sqlite";

/** A configuration problem that stops the demo from starting. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** A session store, ready to use, and how to let go of it. */
export interface OpenedStore {
  store: SessionStore;
  /** Where the sessions live, for the session page (no credentials). */
  where: string;
  /** Closes the store's client or file; the app must be closed first. */
  close(): Promise<void>;
}

type StoreFactory = (env: NodeJS.ProcessEnv) => Promise<OpenedStore>;

// The session stores the demo can use, by SESSION_STORE value. Adding a store
// is one line here. Each factory connects (and fails) at startup.
const STORES: Record<string, StoreFactory> = {
  cookie: async () => held(sealedCookieStore(), "in the cookie itself, sealed"),
  memory: async () => held(memoryStore(), "in this process's memory (gone on restart)"),
  sqlite: async (env) => openSqlite(env.SESSION_DB || join(import.meta.dirname, "sessions.db")),
  redis: (env) =>
    openRedis(env.REDIS_URL || "redis://127.0.0.1:6379", env.REDIS_PREFIX || "tessera-demo:"),
  postgres: (env) =>
    openPostgres(
      env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test",
      env.PG_TABLE || "tessera_demo_sessions",
    ),
};

/** The SESSION_STORE values the demo knows. */
export const STORE_NAMES: readonly string[] = Object.keys(STORES);

/** The demo's settings. */
export interface DemoConfig {
  /** The session secret (TESSERA_SECRET, or a generated one in development). */
  secret: string;
  /** The SESSION_STORE value. */
  storeName: string;
  /** Connects the store named by SESSION_STORE; a failure is a StartupError. */
  openStore(): Promise<OpenedStore>;
  /** The SQLite file for accounts (DEMO_DB). */
  dbPath: string;
  port: number;
  production: boolean;
}

/** Where a generated development secret is kept (git-ignored). */
export const SECRET_FILE = join(import.meta.dirname, ".tessera-secret");

/**
 * Reads and checks the environment. `warn` receives one-line warnings, such
 * as "generated a development secret". The store is only named here; it
 * connects when `openStore()` is called.
 *
 * @example
 * const config = loadConfig(process.env, console.warn);
 * const opened = await config.openStore();
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = console.warn,
  secretFile: string = SECRET_FILE,
): DemoConfig {
  const production = env.NODE_ENV === "production";
  const storeName = env.SESSION_STORE || "cookie";
  const factory = storeFactory(storeName);
  return {
    secret: loadSecret(env.TESSERA_SECRET, production, warn, secretFile),
    storeName,
    openStore: () => opening(storeName, factory(env)),
    dbPath: env.DEMO_DB || join(import.meta.dirname, "demo.db"),
    port: parsePort(env.PORT),
    production,
  };
}

/**
 * Opens the store named `name` with the settings in `env`, or fails with a
 * StartupError: an unknown name lists the known ones, a server that does not
 * answer says where it was looked for.
 *
 * @example
 * const { store, close } = await openStore("sqlite", { SESSION_DB: "/tmp/s.db" });
 */
export function openStore(name: string, env: NodeJS.ProcessEnv = {}): Promise<OpenedStore> {
  return opening(name, storeFactory(name)(env));
}

function storeFactory(name: string): StoreFactory {
  const make = Object.hasOwn(STORES, name) ? STORES[name] : undefined;
  if (make === undefined) {
    throw new StartupError(
      `SESSION_STORE=${name} is not a store this demo knows; use one of: ${STORE_NAMES.join(", ")}`,
    );
  }
  return make;
}

async function opening(name: string, opened: Promise<OpenedStore>): Promise<OpenedStore> {
  try {
    return await opened;
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(`SESSION_STORE=${name}: ${(error as Error).message}`);
  }
}

function held(store: SessionStore, where: string): OpenedStore {
  return { store, where, close: async () => {} };
}

async function openSqlite(path: string): Promise<OpenedStore> {
  const store = sqliteStore({ path });
  try {
    void store.database; // opens the file and creates the table now, not on the first request
  } catch (error) {
    throw new StartupError(
      `SESSION_STORE=sqlite: cannot open ${path}: ${(error as Error).message}`,
    );
  }
  return { store, where: `the SQLite file ${path}`, close: async () => store.close() };
}

// node-redis as its docs and the store ask: no offline queue (calls fail at
// once while Redis is down, and the app answers 503), reconnects every 100 ms
// up to 2 s, and an "error" listener (without one, node-redis ends the
// process), which logs one line per outage. The first connection is not
// retried: a wrong REDIS_URL stops the demo at startup.
async function openRedis(url: string, prefix: string): Promise<OpenedStore> {
  const { createClient } = await import("redis");
  const shown = withoutPassword(url);
  let connected = false;
  let down = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries, cause) =>
        connected ? Math.min(100 * (retries + 1), 2000) : cause,
    },
  });
  client.on("error", (error: Error) => {
    if (!connected || down) return;
    down = true;
    console.error(`[demo] redis at ${shown} is unreachable (${error.message}); reconnecting`);
  });
  client.on("ready", () => {
    if (down) console.error(`[demo] redis at ${shown} is back`);
    down = false;
  });
  try {
    await client.connect();
  } catch (error) {
    throw new StartupError(
      `SESSION_STORE=redis: cannot connect to ${shown}: ${(error as Error).message} (set REDIS_URL)`,
    );
  }
  connected = true;
  return {
    store: redisStore({ client, prefix }),
    where: `Redis at ${shown}, keys ${prefix}…`,
    async close() {
      connected = false;
      if (client.isOpen) await client.close();
    },
  };
}

// A pg Pool; the store creates its table on first use. One query now, so a
// wrong DATABASE_URL stops the demo at startup.
async function openPostgres(url: string, table: string): Promise<OpenedStore> {
  const { default: pg } = await import("pg");
  const shown = withoutPassword(url);
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection emits "error" on the pool;
  // unlistened, that would end the process.
  pool.on("error", (error) => console.error(`[demo] postgres: ${error.message}`));
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StartupError(
      `SESSION_STORE=postgres: cannot connect to ${shown}: ${(error as Error).message} (set DATABASE_URL)`,
    );
  }
  return {
    store: postgresStore({ pool, table }),
    where: `PostgreSQL at ${shown}, table ${table}`,
    close: () => pool.end(),
  };
}

// A URL as it may be shown: without its password.
function withoutPassword(url: string): string {
  const parsed = URL.parse(url);
  if (parsed === null) return "(an invalid URL)";
  if (parsed.password !== "") parsed.password = "***";
  return parsed.href;
}

function loadSecret(
  given: string | undefined,
  production: boolean,
  warn: (line: string) => void,
  file: string,
): string {
  if (given) return checked(given, "TESSERA_SECRET");
  if (production) {
    throw new StartupError(
      'TESSERA_SECRET is not set; in production the demo refuses to start without it. Make one with: node -e \'console.log(require("node:crypto").randomBytes(32).toString("base64url"))\'',
    );
  }
  let secret: string;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch {
    secret = randomBytes(32).toString("base64url");
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  warn(
    `[demo] TESSERA_SECRET is not set: using a development secret from ${file} (never do this in production)`,
  );
  return checked(secret, file);
}

// Refuses a weak secret now, with the library's reason, rather than on the first request.
function checked(secret: string, origin: string): string {
  try {
    checkSecret(secret);
  } catch (error) {
    if (error instanceof TesseraError) throw new StartupError(`${origin}: ${error.message}`);
    throw error;
  }
  return secret;
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === "") return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StartupError(`PORT must be a number from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}
