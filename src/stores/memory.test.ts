import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionRecord } from "../session/record.ts";
import { fakeClock } from "../testing/clock.ts";
import { testStore } from "../testing/conformance.ts";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
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

const DAY = 24 * 60 * 60_000;
const at = (now: number, expiresAt: number) => ({ cookieName: "s", now, expiresAt });

test("memory: a long-lived session used first does not hold back the sweep of short ones", () => {
  const clock = fakeClock();
  const store = memoryStore({ maxEntries: 1_000_000 });
  store.set("remember", record(clock.now()), context(clock.now(), 30 * DAY));
  let peak = 0;
  for (let i = 0; i < 5_000; i++) {
    clock.advance(1);
    store.set(`k${i}`, record(clock.now()), context(clock.now(), 100));
    peak = Math.max(peak, store.size);
  }
  // The remember-me session and one idle window of 100 short ones, never 5 001.
  assert.ok(peak <= 101, `peak ${peak}`);
  assert.equal(store.size, 101);
  assert.notEqual(store.get("remember", context(clock.now())), null);
});

test("memory: with mixed lifetimes the store holds what is valid, and the cap keeps valid sessions", () => {
  const clock = fakeClock();
  const store = memoryStore({ maxEntries: 400 });
  const ends = new Map<string, number>();
  const remembered: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    clock.advance(1);
    const now = clock.now();
    const key = `k${i}`;
    // Every 100th a 30-day remember-me session, the others a 100 ms idle timeout.
    const end = now + (i % 100 === 0 ? 30 * DAY : 100);
    if (i % 100 === 0) remembered.push(key);
    ends.set(key, end);
    store.set(key, record(now), at(now, end));
    if (i % 1000 === 999) {
      let valid = 0;
      for (const e of ends.values()) if (e > now) valid++;
      assert.equal(store.size, valid, `after ${i + 1} creations`);
    }
  }
  // 200 remember-me sessions and about 99 short ones: all under the cap, all kept.
  assert.ok(store.size < 400, `size ${store.size}`);
  for (const key of remembered) assert.notEqual(store.get(key, context(clock.now())), null, key);
});

test("memory: at maxEntries, expired sessions are evicted before the least recently used valid one", () => {
  const store = memoryStore({ maxEntries: 3 });
  store.set("long", record(0), at(0, 30 * DAY)); // least recently used, but valid
  store.set("b", record(0), at(0, 10));
  store.set("c", record(0), at(0, 10));
  store.set("d", record(20), at(20, 1000)); // b and c have ended
  assert.equal(store.size, 2);
  assert.notEqual(store.get("long", context(20)), null);
  // Every held session valid: the least recently used goes.
  store.set("e", record(20), at(20, 1000));
  store.set("f", record(20), at(20, 1000));
  assert.equal(store.size, 3);
  assert.equal(store.get("d", context(20)), null);
  for (const key of ["long", "e", "f"]) assert.notEqual(store.get(key, context(20)), null, key);
});

test("memory: the sweep follows a patch or touch that moves a session's end later or earlier", () => {
  const store = memoryStore({ maxEntries: 100 });
  store.set("a", record(0), at(0, 100));
  store.touch!("a", 50, at(50, 1000)); // later: a lives past its first end
  store.set("b", record(200), at(200, 5000));
  assert.equal(store.size, 2);
  assert.notEqual(store.get("a", context(200)), null);
  const patch = { set: { visits: 2 }, delete: [], lastActiveAt: 300 };
  store.patch!("b", patch, at(300, 400)); // earlier: b (was 5000) now ends at 400
  store.set("c", record(500), at(500, 5000)); // a (1000) is valid, b has ended
  assert.equal(store.size, 2);
  assert.equal(store.get("b", context(500)), null);
  store.touch!("c", 1100, at(1100, 1200)); // a writes: a has ended too
  assert.equal(store.size, 1);
});

// A model of the store: a Map in least-recently-used order, and a full scan
// for expiry after each write. The store must hold exactly what it holds.
test("memory: random writes, reads and expiry match a least-recently-used model", () => {
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const max = 15;
  const store = memoryStore({ maxEntries: max });
  type Held = { end: number; visits: number; userId: string | undefined };
  const model = new Map<string, Held>();
  const byUser = new Map<string, Set<string>>();
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
  const named = ["u0", "u1", "u2"];
  const users = [undefined, ...named];
  const lifetimes = [1, 10, 50, 200, 5_000, 30 * DAY, undefined];
  const unindex = (key: string) => {
    const held = model.get(key);
    if (held?.userId !== undefined) byUser.get(held.userId)!.delete(key);
  };
  const forget = (key: string) => {
    unindex(key);
    model.delete(key);
  };
  const live = (key: string, now: number) => {
    const held = model.get(key);
    if (held === undefined) return undefined;
    if (held.end <= now) {
      forget(key);
      return undefined;
    }
    model.delete(key);
    model.set(key, held);
    return held;
  };
  const sweep = (now: number) => {
    for (const [key, held] of [...model]) if (held.end <= now) forget(key);
  };
  let now = 0;
  for (let step = 0; step < fuzzRuns(20_000); step++) {
    now += Math.floor(random() * 5);
    const key = pick(keys);
    const lifetime = pick(lifetimes);
    const end = lifetime === undefined ? Number.POSITIVE_INFINITY : now + lifetime;
    const c = lifetime === undefined ? { cookieName: "s", now } : at(now, end);
    const visits = step;
    const op = random();
    if (op < 0.3) {
      const userId = pick(users);
      const r: SessionRecord = { ...record(now), data: { visits } };
      if (userId !== undefined) r.userId = userId;
      store.set(key, r, c);
      forget(key);
      model.set(key, { end, visits, userId });
      if (userId !== undefined) {
        if (!byUser.has(userId)) byUser.set(userId, new Set());
        byUser.get(userId)!.add(key);
      }
      sweep(now);
      while (model.size > max) forget(model.keys().next().value!);
    } else if (op < 0.5) {
      store.patch!(key, { set: { visits }, delete: [], lastActiveAt: now }, c);
      const held = live(key, now);
      if (held !== undefined) Object.assign(held, { end, visits });
      sweep(now);
    } else if (op < 0.6) {
      store.touch!(key, now, c);
      const held = live(key, now);
      if (held !== undefined) held.end = end;
      sweep(now);
    } else if (op < 0.85) {
      const got = store.get(key, { cookieName: "s", now }) as SessionRecord | null;
      assert.equal(got?.data.visits, live(key, now)?.visits, `step ${step}: get ${key}`);
    } else if (op < 0.93) {
      store.destroy(key, { cookieName: "s", now });
      forget(key);
    } else if (op < 0.98) {
      const userId = pick(named);
      const listed = store.listByUser!(userId, { cookieName: "s", now }) as Array<
        [string, unknown]
      >;
      const expected = [...(byUser.get(userId) ?? [])].filter((k) => live(k, now) !== undefined);
      assert.deepEqual(
        listed.map(([k]) => k),
        expected,
        `step ${step}: listByUser ${userId}`,
      );
    } else {
      const userId = pick(named);
      store.destroyByUser!(userId, [key], { cookieName: "s", now });
      for (const k of [...(byUser.get(userId) ?? [])]) if (k !== key) forget(k);
    }
    assert.equal(store.size, model.size, `step ${step}: size`);
  }
});

test("memory: maxEntries is checked", () => {
  assert.throws(() => memoryStore({ maxEntries: 0 }), /maxEntries/);
});
