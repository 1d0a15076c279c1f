// Everything the demo reads from the environment, checked once at startup.
// A problem is a StartupError: server.ts prints its one-line message and
// exits with code 1, without a stack trace.

import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkSecret, type SessionStore, sealedCookieStore, TesseraError } from "tessera";

/** A configuration problem that stops the demo from starting. */
export class StartupError extends Error {
  override name = "StartupError";
}

// The session stores the demo can use, by SESSION_STORE value. Adding a store
// is one line here, e.g. `memory: () => memoryStore(),`.
const STORES: Record<string, () => SessionStore> = {
  cookie: () => sealedCookieStore(),
};

/** The demo's settings. */
export interface DemoConfig {
  /** The session secret (TESSERA_SECRET, or a generated one in development). */
  secret: string;
  /** The SESSION_STORE value. */
  storeName: string;
  store: SessionStore;
  /** The SQLite file for accounts (DEMO_DB). */
  dbPath: string;
  port: number;
  production: boolean;
}

/** Where a generated development secret is kept (git-ignored). */
export const SECRET_FILE = join(import.meta.dirname, ".tessera-secret");

/**
 * Reads and checks the environment. `warn` receives one-line warnings, such
 * as "generated a development secret".
 *
 * @example
 * const config = loadConfig(process.env, console.warn);
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = console.warn,
  secretFile: string = SECRET_FILE,
): DemoConfig {
  const production = env.NODE_ENV === "production";
  const storeName = env.SESSION_STORE || "cookie";
  return {
    secret: loadSecret(env.TESSERA_SECRET, production, warn, secretFile),
    storeName,
    store: createStore(storeName),
    dbPath: env.DEMO_DB || join(import.meta.dirname, "demo.db"),
    port: parsePort(env.PORT),
    production,
  };
}

/**
 * The store named by SESSION_STORE, or a StartupError naming those that work.
 *
 * @example
 * createStore("cookie");
 */
export function createStore(name: string): SessionStore {
  const make = Object.hasOwn(STORES, name) ? STORES[name] : undefined;
  if (make === undefined) {
    throw new StartupError(
      `SESSION_STORE=${name} is not available in this demo yet; use one of: ${Object.keys(STORES).join(", ")}`,
    );
  }
  return make();
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
