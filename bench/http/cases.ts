// The servers the HTTP benchmark compares, per framework: no session (the
// floor), tessera through the framework's adapter (sealed cookie, and the
// memory store), and the framework's usual session plugins.

export type Kind = "none" | "tessera" | "peer";

export interface Case {
  id: string;
  framework: "express" | "fastify" | "hono";
  label: string;
  kind: Kind;
  /** Where the session lives: peers are compared with tessera on the same kind of storage. */
  storage?: "cookie" | "memory";
}

export const CASES: Case[] = [
  { id: "express", framework: "express", label: "no session", kind: "none" },
  {
    id: "express-tessera",
    framework: "express",
    label: "tessera (sealed cookie)",
    kind: "tessera",
    storage: "cookie",
  },
  {
    id: "express-tessera-memory",
    framework: "express",
    label: "tessera (memory store)",
    kind: "tessera",
    storage: "memory",
  },
  {
    id: "express-session",
    framework: "express",
    label: "express-session (MemoryStore)",
    kind: "peer",
    storage: "memory",
  },
  {
    id: "express-cookie-session",
    framework: "express",
    label: "cookie-session",
    kind: "peer",
    storage: "cookie",
  },
  { id: "fastify", framework: "fastify", label: "no session", kind: "none" },
  {
    id: "fastify-tessera",
    framework: "fastify",
    label: "tessera (sealed cookie)",
    kind: "tessera",
    storage: "cookie",
  },
  {
    id: "fastify-tessera-memory",
    framework: "fastify",
    label: "tessera (memory store)",
    kind: "tessera",
    storage: "memory",
  },
  {
    id: "fastify-secure-session",
    framework: "fastify",
    label: "@fastify/secure-session",
    kind: "peer",
    storage: "cookie",
  },
  {
    id: "fastify-session",
    framework: "fastify",
    label: "@fastify/session + @fastify/cookie",
    kind: "peer",
    storage: "memory",
  },
  { id: "hono", framework: "hono", label: "no session", kind: "none" },
  {
    id: "hono-tessera",
    framework: "hono",
    label: "tessera (sealed cookie)",
    kind: "tessera",
    storage: "cookie",
  },
  {
    id: "hono-tessera-memory",
    framework: "hono",
    label: "tessera (memory store)",
    kind: "tessera",
    storage: "memory",
  },
  {
    id: "hono-sessions",
    framework: "hono",
    label: "hono-sessions (CookieStore)",
    kind: "peer",
    storage: "cookie",
  },
];
