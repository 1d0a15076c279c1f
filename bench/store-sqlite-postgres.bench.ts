// One visit-counter request against each server store, as the manager drives
// it: get the record, then patch `visits` to one more. The memory store is the
// floor (no I/O, no JSON); sqlite runs in-process through node:sqlite, on a
// WAL file and in memory; postgres goes over a local socket to 127.0.0.1:5432
// (left out, loudly, when no server answers). Every case is checked to count
// before it is timed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { SessionRecord } from "../src/session/record.ts";
import type { SessionStore } from "../src/session/store.ts";
import { memoryStore } from "../src/stores/memory.ts";
import { postgresStore } from "../src/stores/postgres.ts";
import { sqliteStore } from "../src/stores/sqlite.ts";
import { type BenchCase, compareAsync } from "./harness.ts";

const key = randomBytes(32).toString("base64url");
const context = () => {
  const now = Date.now();
  return { cookieName: "__Host-session", now, expiresAt: now + 30 * 60_000 };
};
const record: SessionRecord = {
  id: key,
  data: { visits: 0, name: "Alice Example", prefs: { theme: "dark", lang: "en-GB" } },
  flash: [],
  createdAt: Date.now(),
  lastActiveAt: Date.now(),
  permanent: false,
};

async function visit(store: SessionStore): Promise<number> {
  const ctx = context();
  const got = await store.get(key, ctx);
  const visits = ((got?.data.visits as number | undefined) ?? 0) + 1;
  await store.patch!(key, { set: { visits }, delete: [], lastActiveAt: ctx.now }, ctx);
  return visits;
}

const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
const stores: Array<[string, SessionStore]> = [
  ["memory (floor)", memoryStore()],
  ["sqlite file (WAL, synchronous=NORMAL)", sqliteStore({ path: join(dir, "bench.db") })],
  ["sqlite :memory:", sqliteStore({ path: ":memory:" })],
];

const pool = new pg.Pool({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
const table = `tessera_bench_${process.pid}`;
try {
  await pool.query("SELECT 1");
  stores.push(["postgres (pg Pool, local TCP)", postgresStore({ pool, table })]);
} catch (error) {
  console.warn(
    `postgres not reachable at 127.0.0.1:5432 (${(error as Error).message}): SKIPPING the postgres case`,
  );
}

const cases: BenchCase[] = [];
for (const [name, store] of stores) {
  await store.set(key, record, context());
  assert.equal(await visit(store), 1, name);
  assert.equal(await visit(store), 2, name);
  cases.push({ name, fn: () => visit(store) });
}

try {
  await compareAsync("visit counter: get + patch of one session", cases);
} finally {
  for (const [, store] of stores) (store as { close?: () => void }).close?.();
  await pool.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
}
