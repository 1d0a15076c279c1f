// The server stores at scale: does a load stay as fast with 10⁶ sessions
// stored as with 10³? For SQLite (a file in a temp dir), Redis and PostgreSQL,
// two data sets of each store are filled in bulk, in the store's own format,
// and checked through store.get (a fill in the wrong format fails loudly).
// Then store.get of a random stored session (random over the whole set, so a
// cache cannot fake it) and a visit-counter store.patch are timed one at a
// time, the two sizes interleaved round by round, so a busy moment of the
// machine hits both. Target: p99 load at 10⁶ ≤ 1.5× p99 load at 10³.
//
// Then the memory store: its bytes per session, and whether its heap stays
// flat under churn (a fake clock, a short idle timeout, a million creations).
//
// BENCH_SMOKE=1: 10³ and 10⁴ sessions, a few hundred loads, same checks.
// A store whose server does not answer is skipped, with a message.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createClient } from "redis";
import { newRecord, type SessionRecord } from "../src/session/record.ts";
import type { SessionStore, StoreContext } from "../src/session/store.ts";
import { memoryStore } from "../src/stores/memory.ts";
import { postgresStore } from "../src/stores/postgres.ts";
import { redisStore } from "../src/stores/redis.ts";
import { sqliteStore } from "../src/stores/sqlite.ts";
import { fakeClock } from "../src/testing/clock.ts";

// The memory section needs global.gc(): run again with --expose-gc.
if (typeof globalThis.gc !== "function") {
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", ...process.execArgv, fileURLToPath(import.meta.url)],
    { stdio: "inherit" },
  );
  process.exit(child.status ?? 1);
}
const gc = globalThis.gc as () => void;

const smoke = process.env.BENCH_SMOKE === "1";
const SIZES = smoke ? ([1_000, 10_000] as const) : ([1_000, 1_000_000] as const);
const LOADS = Number(process.env.BENCH_LOADS ?? (smoke ? 300 : 20_000));
const ROUNDS = smoke ? 3 : 10;
const TARGET = 1.5;
const MINUTE = 60_000;
const REDIS_DB = 12; // a database of its own, so SCAN and cleanup see only bench keys

const fmt = (n: number) => n.toLocaleString("en-US");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const log = (line: string) => console.log(`  ${line}`);

console.log(
  `# store-scale${smoke ? " (smoke)" : ""}: node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

// ---------------------------------------------------------------- the sessions

// Session i: the key the manager would give it (base64url SHA-256, 43
// characters), and a record a visit-counter app keeps. Every second session
// is logged in (user u<i/8>: 4 sessions per user, in the per-user index),
// every 10th permanent, every 50th has a flash message. Every store is
// filled with exactly these, and must give them back.
const T0 = Date.now();
const EXPIRES = T0 + 2 * 60 * MINUTE; // valid for the run, gone on their own after it
const keyOf = (i: number) => createHash("sha256").update(`bench-${i}`).digest("base64url");

function expected(i: number): SessionRecord {
  const createdAt = T0 - (i % 86_400) * 1000;
  const record: SessionRecord = {
    id: keyOf(i),
    data: { visits: i % 100, lang: "en-GB", cart: [i % 7, `sku-${i % 13}`] },
    flash: i % 50 === 0 ? [["info", "welcome"]] : [],
    createdAt,
    lastActiveAt: createdAt + (i % 600) * 1000,
    permanent: i % 10 === 0,
  };
  if (i % 2 === 0) {
    record.userId = `u${i >> 3}`;
    record.userAgent = `Mozilla/5.0 (bench ${i % 5})`;
  }
  return record;
}

const context = (): StoreContext => {
  const now = Date.now();
  return { cookieName: "__Host-session", now, expiresAt: now + 30 * MINUTE };
};
const fillContext: StoreContext = { cookieName: "__Host-session", now: T0, expiresAt: EXPIRES };
const randomIndex = (n: number) => Math.floor(Math.random() * n);

interface DataSet {
  store: SessionStore;
  n: number;
}

// Random sessions load as written; a key never written loads as null; the
// per-user index lists a user's sessions; a visit-counter patch counts.
async function verify(name: string, { store, n }: DataSet): Promise<void> {
  const picks = [0, n - 1, ...Array.from({ length: smoke ? 10 : 25 }, () => randomIndex(n))];
  for (const i of picks) {
    assert.deepStrictEqual(
      await store.get(keyOf(i), context()),
      expected(i),
      `${name}: session ${i}`,
    );
  }
  assert.equal(await store.get(keyOf(n), context()), null, `${name}: a key never written`);
  const user = randomIndex(Math.floor(n / 8));
  const listed = await store.listByUser!(`u${user}`, context());
  const mine = [0, 2, 4, 6].map((d) => user * 8 + d);
  assert.deepStrictEqual(
    listed.map(([key]) => key).sort(),
    mine.map(keyOf).sort(),
    `${name}: listByUser(u${user})`,
  );
  for (const [key, record] of listed) {
    assert.deepStrictEqual(record, expected(mine.find((i) => keyOf(i) === key)!));
  }
  const i = randomIndex(n);
  await visit(store, keyOf(i));
  assert.equal(
    (await store.get(keyOf(i), context()))!.data.visits,
    (i % 100) + 1,
    `${name}: patch`,
  );
}

// One visit-counter request: load, then patch visits to one more. Returns
// the two latencies in µs.
async function visit(store: SessionStore, key: string): Promise<[number, number]> {
  const c = context();
  const t0 = process.hrtime.bigint();
  const record = await store.get(key, c);
  const t1 = process.hrtime.bigint();
  if (record === null) throw new Error(`session ${key} is gone`);
  const visits = (record.data.visits as number) + 1;
  await store.patch!(key, { set: { visits }, delete: [], lastActiveAt: c.now }, c);
  const t2 = process.hrtime.bigint();
  return [Number(t1 - t0) / 1000, Number(t2 - t1) / 1000];
}

// ------------------------------------------------------------------ measuring

interface Latencies {
  get: number[];
  patch: number[];
}

// Loads alone, then visits (load untimed, patch timed), of random sessions,
// one at a time; the data sets take turns in each of ROUNDS rounds.
async function measure(sets: DataSet[]): Promise<Latencies[]> {
  const out = sets.map(() => ({ get: [] as number[], patch: [] as number[] }));
  const perRound = Math.ceil(LOADS / ROUNDS);
  // Keys hashed beforehand, outside the timing.
  const keys = (n: number) => Array.from({ length: perRound }, () => keyOf(randomIndex(n)));
  for (const { store, n } of sets) {
    for (const key of keys(n).slice(0, 200)) await visit(store, key); // warm-up
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [s, { store, n }] of sets.entries()) {
      for (const key of keys(n)) {
        const c = context();
        const t0 = process.hrtime.bigint();
        const record = await store.get(key, c);
        out[s]!.get.push(Number(process.hrtime.bigint() - t0) / 1000);
        if (record === null) throw new Error(`session ${key} is gone`);
      }
    }
    for (const [s, { store, n }] of sets.entries()) {
      for (const key of keys(n)) out[s]!.patch.push((await visit(store, key))[1]);
    }
  }
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

interface Row {
  store: string;
  n: number;
  get: number[];
  patch: number[];
}
const rows: Row[] = [];
const skipped: string[] = [];

async function bench(
  name: string,
  fill: (n: number) => Promise<DataSet>,
  drop: (set: DataSet) => Promise<void>,
): Promise<void> {
  console.log(`\n${name}`);
  const sets: DataSet[] = [];
  try {
    for (const n of SIZES) {
      const started = performance.now();
      const set = await fill(n);
      sets.push(set);
      log(`filled ${fmt(n)} sessions in ${secs(performance.now() - started)}`);
      await verify(`${name} ${fmt(n)}`, set);
      log(`verified: random sessions load as written, listByUser and patch work`);
    }
    const started = performance.now();
    const results = await measure(sets);
    log(
      `timed ${fmt(LOADS)} loads and ${fmt(LOADS)} patches per size in ${secs(performance.now() - started)}`,
    );
    for (const [s, { n }] of sets.entries()) {
      rows.push({
        store: name,
        n,
        get: results[s]!.get.sort((a, b) => a - b),
        patch: results[s]!.patch.sort((a, b) => a - b),
      });
    }
  } finally {
    for (const set of sets) await drop(set);
  }
}

// -------------------------------------------------------------- memory store

// Computed first, on a clean heap; printed after the table.
const memoryLines: string[] = [];
const say = (line = "") => memoryLines.push(line);

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

{
  const N = smoke ? 10_000 : 100_000;
  const before = heapAfterGc();
  const store = memoryStore({ maxEntries: N });
  const c = context();
  for (let i = 0; i < N; i++) {
    const key = keyOf(i);
    store.set(key, newRecord(c.now, key, { visits: i % 100 }), c);
  }
  const after = heapAfterGc();
  assert.equal(store.size, N);
  assert.deepStrictEqual((store.get(keyOf(7), c) as SessionRecord).data, { visits: 7 });
  say(
    `memory store: ${fmt(Math.round((after - before) / N))} bytes per session (heap after gc, ${fmt(N)} visit-counter sessions: 43-character key, { visits }, record copied in)`,
  );
}

// Sessions created one per `step` ms of a fake clock, each ending `idle` ms
// later; every `rememberEvery`-th one is a 30-day remember-me session. The
// store is only swept by its writes.
function churn(title: string, options: { cap: number; rememberEvery?: number }): void {
  const total = smoke ? 50_000 : 1_000_000;
  const step = 1;
  const idle = smoke ? 1_000 : 10_000;
  const window = idle / step;
  const every = options.rememberEvery ?? 0;
  const clock = fakeClock();
  const base = heapAfterGc();
  const store = memoryStore({ maxEntries: options.cap });
  const remembered: string[] = [];
  say();
  say(
    `${title}: ${fmt(total)} creations, one per ${step} ms of a fake clock, idle timeout ${fmt(idle)} ms (${fmt(window)} live at a time)${every ? `, every ${every}th a 30-day remember-me session` : ""}, maxEntries ${fmt(options.cap)}`,
  );
  say(
    `${"created".padStart(12)}${"clock s".padStart(9)}${"held".padStart(10)}${"valid".padStart(10)}${"store heap".padStart(12)}`,
  );
  const checkpoints: Array<{ held: number; heap: number; valid: number }> = [];
  let lastValid = 0;
  for (let i = 0; i < total; i++) {
    clock.advance(step);
    const now = clock.now();
    const key = keyOf(i);
    const remember = every > 0 && i % every === 0;
    if (remember) remembered.push(key);
    const record = newRecord(now, key, { visits: 1 });
    record.permanent = remember;
    store.set(key, record, {
      cookieName: "s",
      now,
      expiresAt: now + (remember ? 30 * 24 * 60 * MINUTE : idle),
    });
    if ((i + 1) % (total / 10) === 0) {
      const heap = heapAfterGc() - base;
      // Not yet ended: the short sessions of the last idle window, and every remember-me one.
      const recent = Math.min(i + 1, window);
      const valid = every ? recent - Math.ceil(recent / every) + remembered.length : recent;
      checkpoints.push({ held: store.size, heap, valid });
      lastValid = valid;
      say(
        `${fmt(i + 1).padStart(12)}${fmt(((i + 1) * step) / 1000).padStart(9)}${fmt(store.size).padStart(10)}${fmt(valid).padStart(10)}${mb(heap).padStart(12)}`,
      );
    }
  }
  // After the first tenth (well past one idle window): the last checkpoint against the first.
  const first = checkpoints[0]!;
  const last = checkpoints.at(-1)!;
  const slack = smoke ? 1.5 : 1.2;
  // Flat: the memory per valid session does not grow with the sessions
  // created (with one lifetime, the valid count itself is constant).
  const perValid = (c: { heap: number; valid: number }) => c.heap / c.valid;
  const flat =
    last.held <= (first.held / first.valid) * last.valid * slack &&
    perValid(last) <= perValid(first) * slack + (smoke ? 2 ** 20 / last.valid : 0);
  // What bounds it: the sessions still valid, or the maxEntries cap (then the excess is expired entries not yet swept).
  const bound =
    last.held <= lastValid * slack
      ? "bounded by what is valid"
      : `bounded by maxEntries, not by what is valid: ${fmt(last.held - lastValid)} held entries are expired`;
  say(
    `  held ${fmt(first.held)} → ${fmt(last.held)}, heap ${mb(first.heap)} → ${mb(last.heap)}, ${fmt(Math.round(perValid(first)))} → ${fmt(Math.round(perValid(last)))} bytes per valid session (within ${slack}x): ${flat ? "flat" : "grows"}; ${bound}`,
  );
  if (every) {
    const kept = remembered.filter(
      (key) => store.get(key, { cookieName: "s", now: clock.now() }) !== null,
    );
    say(
      `  remember-me sessions still loadable: ${fmt(kept.length)} of ${fmt(remembered.length)} (all are valid for 30 days)`,
    );
  }
}

churn("churn", { cap: smoke ? 5_000 : 50_000 });
churn("churn with remember-me sessions", { cap: smoke ? 5_000 : 50_000, rememberEvery: 100 });

// -------------------------------------------------------------------- sqlite

{
  const dir = mkdtempSync(join(tmpdir(), "tessera-scale-"));
  try {
    const files = new Map<DataSet, string>();
    await bench(
      "sqlite (file, WAL)",
      async (n) => {
        // One transaction around store.set: the store's own rows, one commit.
        const path = join(dir, `scale-${n}.db`);
        const store = sqliteStore({ path });
        store.database.exec("BEGIN");
        for (let i = 0; i < n; i++) store.set(keyOf(i), expected(i), fillContext);
        store.database.exec("COMMIT");
        store.database.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        log(`${fmt(n)} rows: ${mb(statSync(path).size)} file`);
        const set = { store, n };
        files.set(set, path);
        return set;
      },
      async (set) => {
        (set.store as ReturnType<typeof sqliteStore>).close();
        rmSync(files.get(set)!, { force: true });
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------- redis

{
  const client = createClient({
    database: REDIS_DB,
    socket: { host: "127.0.0.1", port: 6379, reconnectStrategy: false, connectTimeout: 1000 },
  });
  client.on("error", () => {});
  let connected = false;
  try {
    await client.connect();
    connected = true;
  } catch (error) {
    console.log(`\nredis: not reachable at 127.0.0.1:6379 (${(error as Error).message}): skipped`);
    skipped.push("redis");
  }
  if (connected) {
    const run = randomBytes(4).toString("hex");
    const prefixes = new Map<DataSet, string>();
    const usedMemory = async () =>
      Number(/used_memory:(\d+)/.exec(String(await client.sendCommand(["INFO", "memory"])))![1]);
    try {
      await bench(
        `redis (db ${REDIS_DB})`,
        async (n) => {
          // The store's layout: a hash at <prefix>{<key>} with _c, _a, _p,
          // _f (only when there is flash), _u, _ua and d:<name> (JSON), a TTL
          // on it; a user's keys in a set at <prefix>user:{<userId>}. Sent
          // pipelined, 1000 sessions per batch.
          const prefix = `tessera-scale:${run}:${n}:`;
          const ttl = String(EXPIRES - Date.now());
          const before = await usedMemory();
          for (let from = 0; from < n; from += 1000) {
            const commands: string[][] = [];
            for (let i = from; i < Math.min(n, from + 1000); i++) {
              const r = expected(i);
              const hash = `${prefix}{${r.id}}`;
              const fields = ["_c", String(r.createdAt), "_a", String(r.lastActiveAt)];
              fields.push("_p", r.permanent ? "1" : "0");
              if (r.flash.length > 0) fields.push("_f", JSON.stringify(r.flash));
              if (r.userId !== undefined) fields.push("_u", r.userId, "_ua", r.userAgent!);
              for (const [name, value] of Object.entries(r.data))
                fields.push(`d:${name}`, JSON.stringify(value));
              commands.push(["HSET", hash, ...fields], ["PEXPIRE", hash, ttl]);
              if (r.userId !== undefined) {
                const user = `${prefix}user:{${r.userId}}`;
                commands.push(["SADD", user, r.id], ["PEXPIRE", user, ttl]);
              }
            }
            await Promise.all(commands.map((command) => client.sendCommand(command)));
          }
          log(`${fmt(n)} sessions: ${mb((await usedMemory()) - before)} more used_memory`);
          const set = { store: redisStore({ client, prefix }), n };
          prefixes.set(set, prefix);
          return set;
        },
        async (set) => {
          // SCAN + UNLINK of this data set's keys, 1000 at a time.
          let cursor = "0";
          do {
            const [next, keys] = (await client.sendCommand([
              "SCAN",
              cursor,
              "MATCH",
              `${prefixes.get(set)}*`,
              "COUNT",
              "1000",
            ])) as [string, string[]];
            cursor = next;
            if (keys.length > 0) await client.sendCommand(["UNLINK", ...keys]);
          } while (cursor !== "0");
        },
      );
    } finally {
      client.destroy();
    }
  }
}

// ------------------------------------------------------------------ postgres

{
  const pool = new pg.Pool({
    host: "127.0.0.1",
    port: 5432,
    user: "postgres",
    database: "test",
    connectionTimeoutMillis: 2000,
  });
  pool.on("error", () => {});
  let reachable = false;
  try {
    await pool.query("SELECT 1");
    reachable = true;
  } catch (error) {
    console.log(
      `\npostgres: not reachable at 127.0.0.1:5432 (${(error as Error).message}): skipped`,
    );
    skipped.push("postgres");
  }
  if (reachable) {
    const tables = new Map<DataSet, string>();
    try {
      await bench(
        "postgres (pg Pool, local TCP)",
        async (n) => {
          // The store creates its table and indexes; the rows then come from
          // one INSERT … SELECT over generate_series, computing the same
          // keys (base64url SHA-256) and records as expected(i).
          const table = `tessera_scale_${process.pid}_${n}`;
          const set = { store: postgresStore({ pool, table }), n };
          tables.set(set, table);
          const { store } = set;
          assert.equal(await store.get(keyOf(0), context()), null); // creates the table
          await pool.query(
            `INSERT INTO "${table}"
               (key, data, flash, created_at, last_active_at, permanent, user_id, user_agent, expires_at)
             SELECT translate(rtrim(encode(sha256(convert_to('bench-' || i, 'UTF8')), 'base64'), '='), '+/', '-_'),
               jsonb_build_object('visits', i % 100, 'lang', 'en-GB', 'cart', jsonb_build_array(i % 7, 'sku-' || (i % 13))),
               CASE WHEN i % 50 = 0 THEN '[["info","welcome"]]'::jsonb ELSE '[]'::jsonb END,
               $1::bigint - (i % 86400) * 1000,
               $1::bigint - (i % 86400) * 1000 + (i % 600) * 1000,
               i % 10 = 0,
               CASE WHEN i % 2 = 0 THEN 'u' || (i >> 3) END,
               CASE WHEN i % 2 = 0 THEN 'Mozilla/5.0 (bench ' || (i % 5) || ')' END,
               $2::bigint
             FROM generate_series(0::bigint, $3::bigint - 1) AS i`,
            [T0, EXPIRES, n],
          );
          await pool.query(`VACUUM ANALYZE "${table}"`);
          const { rows } = await pool.query<{ size: string }>(
            "SELECT pg_total_relation_size($1) AS size",
            [table],
          );
          log(`${fmt(n)} rows: ${mb(Number(rows[0]!.size))} with indexes`);
          return set;
        },
        async (set) => {
          await pool.query(`DROP TABLE IF EXISTS "${tables.get(set)}"`);
        },
      );
    } finally {
      // Also a table whose fill failed before the bench got its data set.
      for (const table of tables.values()) await pool.query(`DROP TABLE IF EXISTS "${table}"`);
      await pool.end();
    }
  }
}

// ------------------------------------------------------------------- report

const col = (text: string, width: number) => text.padStart(width);
const us = (v: number) => (v < 100 ? v.toFixed(1) : fmt(Math.round(v)));
console.log(
  `\nlatency of one call at a time, µs (${fmt(LOADS)} loads and ${fmt(LOADS)} patches of random sessions per size, ${ROUNDS} interleaved rounds)`,
);
console.log(
  `${"store".padEnd(32)}${col("stored", 11)}${col("get p50", 10)}${col("get p99", 10)}${col("get p99.9", 11)}${col("patch p50", 11)}${col("patch p99", 11)}`,
);
const stores = [...new Set(rows.map((r) => r.store))];
let missed = 0;
for (const store of stores) {
  const [small, large] = rows.filter((r) => r.store === store) as [Row, Row];
  for (const r of [small, large]) {
    console.log(
      `${r.store.padEnd(32)}${col(fmt(r.n), 11)}${col(us(percentile(r.get, 0.5)), 10)}${col(us(percentile(r.get, 0.99)), 10)}${col(us(percentile(r.get, 0.999)), 11)}${col(us(percentile(r.patch, 0.5)), 11)}${col(us(percentile(r.patch, 0.99)), 11)}`,
    );
  }
  const ratio = percentile(large.get, 0.99) / percentile(small.get, 0.99);
  const patchRatio = percentile(large.patch, 0.99) / percentile(small.patch, 0.99);
  const met = ratio <= TARGET;
  if (!met) missed++;
  const sizes = `p99(${fmt(large.n)})/p99(${fmt(small.n)})`;
  console.log(
    `  get ${sizes} = ${ratio.toFixed(2)}x  (target ≤ ${TARGET}x): ${met ? "met" : "not met"};  patch: ${patchRatio.toFixed(2)}x`,
  );
}
for (const name of skipped) console.log(`${name.padEnd(32)} skipped: server not reachable`);

console.log();
for (const line of memoryLines) console.log(line);
if (missed > 0 && !smoke) console.log(`\n${missed} store(s) missed the scale target`);
