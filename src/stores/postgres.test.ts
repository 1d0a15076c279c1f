// Against a real PostgreSQL on 127.0.0.1:5432 (database "test", trust auth).
// Not reachable: in CI (CI=true) that is a failure; elsewhere the tests are
// skipped with a loud warning.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import pg from "pg";
import { ConfigError } from "../errors.ts";
import type { SessionRecord } from "../session/record.ts";
import { testStore } from "../testing/conformance.ts";
import { type PgQueryable, postgresStore } from "./postgres.ts";

// PGPORT moves it (to check the unreachable path: PGPORT=1).
const port = Number(process.env.PGPORT ?? 5432);
const where = `127.0.0.1:${port}`;

// The pool as the brief gives it; a short connect timeout only for the probe,
// since pg-pool applies connectionTimeoutMillis to queued queries too.
async function connect(): Promise<pg.Pool | Error> {
  let failure = new Error("no user to try");
  for (const user of [process.env.PGUSER, "postgres", "root"]) {
    if (!user) continue;
    const config = { host: "127.0.0.1", port, user, database: "test" };
    const probe = new pg.Client({ ...config, connectionTimeoutMillis: 2000 });
    try {
      await probe.connect();
      await probe.query("SELECT 1");
      return new pg.Pool(config);
    } catch (error) {
      failure = error as Error;
    } finally {
      await probe.end().catch(() => {});
    }
  }
  return failure;
}

const connected = await connect();
const pool = connected instanceof pg.Pool ? connected : undefined;
let skip: string | false = false;
if (pool === undefined) {
  const reason = `postgres not reachable at ${where}: ${(connected as Error).message}`;
  if (process.env.CI === "true") {
    test("postgres is reachable (CI)", () => {
      assert.fail(`${reason}. CI must provide the service.`);
    });
  } else {
    console.warn(`postgres not reachable at ${where}: SKIPPING postgres store tests`);
  }
  skip = reason;
}

// A unique table per run and per test, all dropped at the end.
const run = `${process.pid}_${randomBytes(3).toString("hex")}`;
const tables: string[] = [];
const fresh = (name: string) => {
  const table = `tessera_test_${name}_${run}`;
  tables.push(table);
  return table;
};
after(async () => {
  if (pool === undefined) return;
  for (const table of tables) await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.end();
});

// The real pool, counting the statements that match.
function counting(pattern: RegExp): PgQueryable & { count: number } {
  const counter = {
    count: 0,
    query(text: string, values?: unknown[]) {
      if (pattern.test(text)) counter.count++;
      return pool!.query(text, values);
    },
  };
  return counter;
}

testStore("postgres", () => postgresStore({ pool: pool!, table: fresh("conformance") }), {
  skip,
});

const context = (now: number, ttl = 1000) => ({ cookieName: "s", now, expiresAt: now + ttl });
const record = (now: number, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: "",
  data: { n: 1 },
  flash: [],
  createdAt: now,
  lastActiveAt: now,
  permanent: false,
  ...overrides,
});
const count = async (table: string) =>
  Number((await pool!.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);

test("postgres: sweep deletes the expired rows in batches of 1000, and only those", {
  skip,
}, async () => {
  const table = fresh("sweep");
  const deletes = counting(/^DELETE/);
  const store = postgresStore({ pool: deletes, table, sweepEvery: false });
  const now = 1_000_000;
  await store.set("new", record(now), context(now, 3_600_000)); // creates the table
  await pool!.query(
    `INSERT INTO "${table}" SELECT 'old' || i, '{}', '[]', 0, 0, false, NULL, NULL, $1
     FROM generate_series(1, 2500) AS i`,
    [now + 100],
  );
  assert.equal(await count(table), 2501);
  assert.equal(await store.sweep(now + 99), 0, "nothing has ended yet");
  deletes.count = 0;
  assert.equal(await store.sweep(now + 100), 2500, "a row ends at expiresAt");
  assert.equal(deletes.count, 3, "1000 + 1000 + 500");
  assert.equal(await count(table), 1);
  assert.notEqual(await store.get("new", context(now + 100)), null);
});

test("postgres: writes start a background sweep at most once per sweepEvery", {
  skip,
}, async () => {
  const table = fresh("schedule");
  const store = postgresStore({ pool: pool!, table, sweepEvery: "1m" });
  const t0 = 5_000_000;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  await store.set("a", record(t0), context(t0, 10)); // the first write sweeps (nothing yet)
  await settle();
  await store.set("b", record(t0), context(t0 + 30_000, 10)); // a has ended, within the minute
  await settle();
  assert.equal(await count(table), 2);
  await store.set("c", record(t0), context(t0 + 60_000, 10)); // a minute on: a and b go
  await settle();
  assert.equal(await count(table), 1);
});

test("postgres: 50 concurrent first calls create the schema once, without a race", {
  skip,
}, async () => {
  const table = fresh("first_use");
  const ddl = counting(/pg_advisory_xact_lock/);
  // Two stores on one fresh table stand for two processes starting together:
  // each has its own once-guard, and the advisory lock orders them.
  const one = postgresStore({ pool: ddl, table });
  const two = postgresStore({ pool: ddl, table });
  const now = Date.now();
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => (i % 2 ? one : two).get(`k${i}`, context(now))),
  );
  assert.deepEqual(results, Array(50).fill(null));
  assert.equal(ddl.count, 2, "one schema attempt per store, however many calls");
  await one.set("k", record(now), context(now));
  assert.deepEqual((await two.get("k", context(now)))?.data, { n: 1 });
  assert.equal(ddl.count, 2);
  const indexes = await pool!.query("SELECT indexname FROM pg_indexes WHERE tablename = $1", [
    table,
  ]);
  assert.deepEqual(indexes.rows.map((r) => r.indexname).sort(), [
    `${table}_expires_at`,
    `${table}_pkey`,
    `${table}_user_id`,
  ]);
});

test("postgres: a failed schema creation is tried again by the next call", { skip }, async () => {
  const table = fresh("retry");
  let fail = true;
  const flaky: PgQueryable = {
    query(text, values) {
      if (fail) {
        fail = false;
        return Promise.reject(new Error("connection reset"));
      }
      return pool!.query(text, values);
    },
  };
  const store = postgresStore({ pool: flaky, table });
  await assert.rejects(
    store.get("k", context(Date.now())),
    /^Error: \[tessera\] \[postgres\] get failed: connection reset$/,
  );
  assert.equal(await store.get("k", context(Date.now())), null);
});

test("postgres: rows that do not decode read as null; a patch may not add a prototype key", {
  skip,
}, async () => {
  const table = fresh("corrupt");
  const store = postgresStore({ pool: pool!, table });
  const now = Date.now();
  for (const k of ["proto", "array", "flash", "good"]) {
    await store.set(k, record(now, { userId: "u" }), context(now));
  }
  const corrupt = `UPDATE "${table}" SET data = $2::jsonb WHERE key = $1`;
  await pool!.query(corrupt, ["proto", '{"a":{"__proto__":{"admin":true}}}']);
  await pool!.query(corrupt, ["array", "[1,2]"]);
  await pool!.query(`UPDATE "${table}" SET flash = '{}' WHERE key = 'flash'`);
  for (const k of ["proto", "array", "flash"]) assert.equal(await store.get(k, context(now)), null);
  assert.deepEqual(
    (await store.listByUser("u", context(now))).map(([k]) => k),
    ["good"],
  );
  const set = JSON.parse('{"__proto__":{"admin":true}}') as Record<string, unknown>;
  await assert.rejects(
    store.patch("good", { set, delete: [], lastActiveAt: now }, context(now)),
    /may not hold the key "__proto__"/,
  );
  assert.deepEqual((await store.get("good", context(now)))?.data, { n: 1 });
});

test("postgres: errors name their origin; options are checked", { skip }, async () => {
  const store = postgresStore({ pool: pool!, table: fresh("errors") });
  const now = Date.now();
  // jsonb refuses U+0000: the write fails as a store error, and says where.
  await assert.rejects(
    store.set("k", record(now, { data: { s: "a\u0000b" } }), context(now)),
    /^Error: \[tessera\] \[postgres\] set failed: .*unicode/i,
  );
  assert.throws(() => postgresStore({} as never), ConfigError);
  assert.throws(() => postgresStore({ pool: {} as PgQueryable }), /\[postgres\] pool must be/);
  assert.throws(() => postgresStore({ pool: pool!, table: 'x"; DROP' }), /identifier/);
  assert.throws(() => postgresStore({ pool: pool!, sweepEvery: "soon" as never }), /sweepEvery/);
});
