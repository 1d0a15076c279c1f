import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { ConfigError } from "../errors.ts";
import type { SessionRecord } from "../session/record.ts";
import { testStore } from "../testing/conformance.ts";
import { sqliteStore } from "./sqlite.ts";

const dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = sqliteStore({ path: join(dir, "conformance.db") });
testStore("sqlite (file)", () => file, { teardown: () => file.close() });

const memory = sqliteStore({ path: ":memory:" });
testStore("sqlite (:memory:)", () => memory, { teardown: () => memory.close() });

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
const pragma = (db: DatabaseSync, name: string) =>
  Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0];
const count = (db: DatabaseSync, table = "tessera_sessions") =>
  (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;

test("sqlite: sweep deletes the expired rows in batches, and only those", async () => {
  const db = new DatabaseSync(":memory:");
  const store = sqliteStore({ database: db, sweepEvery: false });
  const now = 1_000_000;
  // 2500 rows that end at now + 100, 10 that end an hour later.
  for (let i = 0; i < 2500; i++) store.set(`old${i}`, record(now), context(now, 100));
  for (let i = 0; i < 10; i++) store.set(`new${i}`, record(now), context(now, 3_600_000));
  assert.equal(count(db), 2510);
  assert.equal(await store.sweep(now + 99), 0, "nothing has ended yet");
  assert.equal(await store.sweep(now + 100), 2500, "a row ends at expiresAt");
  assert.equal(count(db), 10);
  assert.notEqual(store.get("new3", context(now + 100)), null);
  store.close();
  db.close();
});

test("sqlite: writes start a background sweep at most once per sweepEvery", async () => {
  const db = new DatabaseSync(":memory:");
  const store = sqliteStore({ database: db, sweepEvery: "1m" });
  const t0 = 5_000_000;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  store.set("a", record(t0), context(t0, 10)); // the first write sweeps (nothing yet)
  await settle();
  store.set("b", record(t0), context(t0 + 30_000, 10)); // a has ended, but within the minute
  await settle();
  assert.equal(count(db), 2);
  store.set("c", record(t0), context(t0 + 60_000, 10)); // a minute on: a and b go
  assert.equal(count(db), 3, "the sweep waits for the write to return");
  await settle();
  assert.equal(count(db), 1);
  store.close();
  db.close();
});

test("sqlite: a file database is in WAL mode with synchronous=NORMAL, and memory-mapped", () => {
  const path = join(dir, "wal.db");
  const store = sqliteStore({ path, busyTimeout: "250ms" });
  store.set("k", record(Date.now()), context(Date.now()));
  assert.equal(pragma(store.database, "journal_mode"), "wal");
  assert.equal(pragma(store.database, "synchronous"), 1, "NORMAL");
  assert.equal(pragma(store.database, "busy_timeout"), 250);
  assert.equal(pragma(store.database, "mmap_size"), 2 ** 30);
  // WAL is a property of the file: another connection sees it too.
  const other = new DatabaseSync(path);
  assert.equal(pragma(other, "journal_mode"), "wal");
  other.close();
  store.close();
});

test("sqlite: the schema is made once; a second store on the same file shares it", () => {
  const path = join(dir, "shared.db");
  const now = Date.now();
  const one = sqliteStore({ path, table: "app_sessions" });
  const two = sqliteStore({ path, table: "app_sessions" });
  one.set("k1", record(now, { userId: "u" }), context(now));
  two.set("k2", record(now, { userId: "u" }), context(now));
  assert.deepEqual(two.get("k1", context(now))?.data, { n: 1 });
  two.patch("k1", { set: { n: 2 }, delete: [], lastActiveAt: now }, context(now));
  assert.deepEqual(one.get("k1", context(now))?.data, { n: 2 });
  assert.deepEqual(
    one
      .listByUser("u", context(now))
      .map(([k]) => k)
      .sort(),
    ["k1", "k2"],
  );
  const db = new DatabaseSync(path);
  const objects = db
    .prepare("SELECT type, name FROM sqlite_master WHERE tbl_name = 'app_sessions' ORDER BY name")
    .all()
    .map((row) => `${row.type} ${row.name}`);
  // WITHOUT ROWID: the rows are in the key's B-tree, no separate index for the key.
  const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'app_sessions'").get() as {
    sql: string;
  };
  assert.match(sql, /\) WITHOUT ROWID$/);
  assert.deepEqual(objects, [
    "table app_sessions",
    "index app_sessions_expires_at",
    "index app_sessions_user_id",
  ]);
  db.close();
  one.close();
  two.close();
});

test("sqlite: a row that does not decode reads as null, and a patch leaves it alone", () => {
  const db = new DatabaseSync(":memory:");
  const store = sqliteStore({ database: db });
  const now = Date.now();
  for (const k of ["bad-json", "proto", "array", "bad-flash"])
    store.set(k, record(now), context(now));
  const corrupt = db.prepare('UPDATE "tessera_sessions" SET data = ? WHERE key = ?');
  corrupt.run("{not json", "bad-json");
  corrupt.run('{"__proto__":{"admin":true}}', "proto");
  corrupt.run("[1,2]", "array");
  db.prepare(`UPDATE "tessera_sessions" SET flash = '{}' WHERE key = 'bad-flash'`).run();
  for (const k of ["bad-json", "proto", "array", "bad-flash"]) {
    assert.equal(store.get(k, context(now)), null, k);
  }
  store.patch("bad-json", { set: { a: 1 }, delete: [], lastActiveAt: now }, context(now));
  assert.equal(
    (
      db.prepare("SELECT data FROM tessera_sessions WHERE key = 'bad-json'").get() as {
        data: string;
      }
    ).data,
    "{not json",
  );
  store.close();
  db.close();
});

test("sqlite: a patch may not smuggle a prototype key in", () => {
  const store = sqliteStore({ path: ":memory:" });
  const now = Date.now();
  store.set("k", record(now), context(now));
  const set = JSON.parse('{"__proto__":{"admin":true}}') as Record<string, unknown>;
  assert.throws(
    () => store.patch("k", { set, delete: [], lastActiveAt: now }, context(now)),
    /may not hold the key "__proto__"/,
  );
  assert.deepEqual(store.get("k", context(now))?.data, { n: 1 }, "the transaction rolled back");
  store.patch("k", { set: { n: 2 }, delete: [], lastActiveAt: now }, context(now));
  assert.deepEqual(store.get("k", context(now))?.data, { n: 2 }, "and the store still works");
  store.close();
});

test("sqlite: errors name their origin; options are checked", () => {
  const store = sqliteStore({ path: join(dir, "missing", "dir", "x.db") });
  assert.throws(
    () => store.get("k", context(0)),
    /^Error: \[tessera\] \[sqlite\] get failed: .*unable to open/,
  );
  assert.throws(() => store.setup?.({} as never), /\[tessera\] \[sqlite\] open failed/);
  const closed = sqliteStore({ path: ":memory:" });
  closed.close();
  assert.throws(() => closed.get("k", context(0)), /\[sqlite\] get failed: the store is closed/);
  assert.throws(() => sqliteStore({} as never), ConfigError);
  assert.throws(
    () => sqliteStore({ path: "a.db", database: new DatabaseSync(":memory:") } as never),
    /exactly one of path/,
  );
  assert.throws(() => sqliteStore({ path: ":memory:", table: "x; DROP TABLE y" }), /identifier/);
  assert.throws(() => sqliteStore({ path: ":memory:", table: "a".repeat(49) }), /identifier/);
  assert.throws(() => sqliteStore({ path: ":memory:", sweepEvery: "0s" }), /sweepEvery/);
  assert.throws(() => sqliteStore({ database: {} as DatabaseSync }), /DatabaseSync/);
});

test("sqlite: a database passed in keeps its settings and stays open after close()", () => {
  const db = new DatabaseSync(join(dir, "passed.db"));
  const store = sqliteStore({ database: db });
  store.set("k", record(0), context(0));
  assert.equal(pragma(db, "journal_mode"), "delete");
  assert.equal(pragma(db, "mmap_size"), 0);
  store.close();
  assert.equal(count(db), 1);
  db.close();
});

// The CREATE TABLE of the versions before WITHOUT ROWID, copied as it was: a
// rowid table with an index for the key.
const OLD_TABLE = `CREATE TABLE IF NOT EXISTS "tessera_sessions" (
      key text PRIMARY KEY NOT NULL,
      data text NOT NULL,
      flash text NOT NULL,
      created_at integer NOT NULL,
      last_active_at integer NOT NULL,
      permanent integer NOT NULL,
      user_id text,
      user_agent text,
      expires_at integer NOT NULL
    )`;

test("sqlite: a table made by an earlier version (a rowid table) keeps its layout and works", async () => {
  const path = join(dir, "old-schema.db");
  // The file as an earlier version left it: 4 KiB pages, WAL, the table and its indexes.
  const before = new DatabaseSync(path);
  before.exec("PRAGMA journal_mode = WAL");
  before.exec(OLD_TABLE);
  before.exec('CREATE INDEX "tessera_sessions_expires_at" ON "tessera_sessions" (expires_at)');
  before.exec(
    'CREATE INDEX "tessera_sessions_user_id" ON "tessera_sessions" (user_id) WHERE user_id IS NOT NULL',
  );
  const now = 2_000_000;
  before
    .prepare(
      `INSERT INTO "tessera_sessions" VALUES ('kept', '{"n":1}', '[]', ?, ?, 0, 'u', 'ua', ?)`,
    )
    .run(now, now, now + 1000);
  before.close();

  const store = sqliteStore({ path, sweepEvery: false });
  assert.deepEqual(store.get("kept", context(now)), {
    ...record(now, { userId: "u", userAgent: "ua" }),
    id: "kept",
  });
  store.set("a", record(now, { userId: "u" }), context(now));
  store.set("b", record(now, { userId: "v" }), context(now, 100));
  store.patch("a", { set: { n: 2 }, delete: [], lastActiveAt: now + 1 }, context(now + 1));
  assert.deepEqual(store.get("a", context(now + 1))?.data, { n: 2 });
  store.touch("kept", now + 2, context(now + 2));
  assert.equal(store.get("kept", context(now + 2))?.lastActiveAt, now + 2);
  assert.deepEqual(
    store
      .listByUser("u", context(now + 2))
      .map(([k]) => k)
      .sort(),
    ["a", "kept"],
  );
  assert.equal(await store.sweep(now + 100), 1, "b has ended");
  assert.equal(store.get("b", context(now)), null);
  store.destroyByUser("u", ["a"], context(now + 2));
  assert.equal(store.get("kept", context(now + 2)), null);
  store.destroy("a", context(now + 2));
  assert.equal(count(store.database), 0);

  // The table is still the rowid one, with its key index, on 4 KiB pages.
  const table = store.database
    .prepare("SELECT sql FROM sqlite_master WHERE name = 'tessera_sessions'")
    .get() as { sql: string };
  assert.doesNotMatch(table.sql, /WITHOUT ROWID/);
  assert.equal(pragma(store.database, "page_size"), 4096);
  assert.ok(
    store.database
      .prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_autoindex_tessera_sessions_1'")
      .get(),
  );
  store.close();
});
