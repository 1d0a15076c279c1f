// The servers the HTTP benchmark compares, per framework: no session (the
// floor), no session but a session's bytes (the same Cookie in, the same
// Set-Cookie, Vary and Cache-Control out as tessera's sealed cookie, with no
// session work: what any cookie session pays in HTTP alone), tessera
// (through the framework's adapter, or tessera/node on bare node:http) on
// each kind of storage, and the framework's usual session plugins. Flask (gunicorn) runs when Debian's gunicorn and Flask are installed.

export type Kind = "none" | "bytes" | "tessera" | "peer";
export type Framework = "node" | "express" | "fastify" | "hono" | "flask";
export type Storage = "cookie" | "memory" | "sqlite" | "redis";

export interface Case {
  id: string;
  framework: Framework;
  label: string;
  kind: Kind;
  /** Where the session lives: peers are compared with tessera on the same kind of storage. */
  storage?: Storage;
  /** Served by the BENCH_BASELINE checkout: the code before a change. */
  before?: boolean;
}

const tessera = (framework: Framework, storage: Storage, label: string): Case => ({
  id: `${framework}-tessera${storage === "cookie" ? "" : `-${storage}`}`,
  framework,
  label: `tessera (${label})`,
  kind: "tessera",
  storage,
});
const peer = (framework: Framework, id: string, label: string, storage: Storage): Case => ({
  id,
  framework,
  label,
  kind: "peer",
  storage,
});
const none = (framework: Framework): Case => ({
  id: framework,
  framework,
  label: "no session",
  kind: "none",
});

const bytes = (framework: Framework): Case => ({
  id: `${framework}-bytes`,
  framework,
  label: "no session, a session's bytes",
  kind: "bytes",
});

export const CASES: Case[] = [
  none("node"),
  bytes("node"),
  tessera("node", "cookie", "sealed cookie"),
  tessera("node", "memory", "memory store"),
  tessera("node", "sqlite", "SQLite store"),
  tessera("node", "redis", "Redis store"),
  peer("node", "node-iron-session", "iron-session", "cookie"),
  none("express"),
  bytes("express"),
  tessera("express", "cookie", "sealed cookie"),
  tessera("express", "memory", "memory store"),
  tessera("express", "redis", "Redis store"),
  peer("express", "express-session", "express-session (MemoryStore)", "memory"),
  peer("express", "express-session-redis", "express-session + connect-redis", "redis"),
  peer("express", "express-cookie-session", "cookie-session", "cookie"),
  none("fastify"),
  bytes("fastify"),
  tessera("fastify", "cookie", "sealed cookie"),
  tessera("fastify", "memory", "memory store"),
  peer("fastify", "fastify-secure-session", "@fastify/secure-session", "cookie"),
  peer("fastify", "fastify-session", "@fastify/session + @fastify/cookie", "memory"),
  none("hono"),
  bytes("hono"),
  tessera("hono", "cookie", "sealed cookie"),
  tessera("hono", "memory", "memory store"),
  peer("hono", "hono-sessions", "hono-sessions (CookieStore)", "cookie"),
  peer("flask", "flask", "Flask 2 + gunicorn (signed cookie)", "cookie"),
];

/** The scenarios: every request changes the session, or only reads it. */
export const SCENARIOS = [
  { path: "/count", label: "visit counter (every request changes the session)" },
  { path: "/read", label: "read-only (the session is read, not changed)" },
] as const;

/**
 * The targets of the performance issue, as ratios of req/s: to bare node:http
 * for tessera on node:http, to the same framework with no session for the
 * adapters.
 */
export function target(c: Case, path: string): number | undefined {
  if (c.kind !== "tessera") return undefined;
  if (c.framework === "node") {
    if (c.storage === "cookie") return path === "/count" ? 0.55 : 0.7;
    if (c.storage === "memory" && path === "/count") return 0.7;
    if (c.storage === "redis" && path === "/count") return 0.4;
    return undefined;
  }
  if (path !== "/count" || c.storage !== "cookie") return undefined;
  return c.framework === "express" ? 0.85 : 0.6;
}
