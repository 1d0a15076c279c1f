import assert from "node:assert/strict";
import { test } from "node:test";
import { testStore } from "../testing/conformance.ts";
import { memoryStore } from "./memory.ts";

testStore("memory", () => memoryStore());

const context = (now: number, ttl = 1000) => ({ cookieName: "s", now, expiresAt: now + ttl });
const record = (now: number) => ({
  id: "",
  data: {},
  flash: [],
  createdAt: now,
  lastActiveAt: now,
  permanent: false,
});

test("memory: the least recently used session is evicted at maxEntries", () => {
  const store = memoryStore({ maxEntries: 3 });
  for (const k of ["a", "b", "c"]) store.set(k, record(0), context(0));
  store.get("a", context(0)); // a is now the most recent
  store.set("d", record(0), context(0));
  assert.equal(store.get("b", context(0)), null, "b was least recently used");
  for (const k of ["a", "c", "d"]) assert.notEqual(store.get(k, context(0)), null, k);
});

test("memory: expired entries are swept by later writes, so memory stays flat under churn", () => {
  const store = memoryStore({ maxEntries: 1_000_000 });
  let now = 0;
  let peak = 0;
  for (let i = 0; i < 50_000; i++) {
    now += 1;
    store.set(`k${i}`, record(now), context(now, 100));
    peak = Math.max(peak, store.size);
  }
  // 100 ms of fake time at one write per ms: about 100 live entries, never 50 000.
  assert.ok(peak <= 101, `peak ${peak}`);
  assert.equal(store.get("k49999", context(now)) !== null, true);
  assert.equal(store.get("k49000", context(now)), null);
});

test("memory: maxEntries is checked", () => {
  assert.throws(() => memoryStore({ maxEntries: 0 }), /maxEntries/);
});
