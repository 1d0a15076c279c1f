import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig, openStore, STORE_NAMES, StartupError } from "./config.ts";

const dir = mkdtempSync(join(tmpdir(), "tessera-demo-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("development without a secret generates one, keeps it in a private file and warns once", () => {
  const file = join(dir, ".tessera-secret");
  const warnings: string[] = [];
  const first = loadConfig({}, (line) => warnings.push(line), file);
  assert.equal(Buffer.from(first.secret, "base64url").length, 32);
  assert.equal(readFileSync(file, "utf8").trim(), first.secret);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? "", /TESSERA_SECRET is not set: using a development secret from/);

  const second = loadConfig({}, () => {}, file);
  assert.equal(second.secret, first.secret, "the same secret on the next start");
});

test("the defaults: cookie store, port 3000, the demo database", async () => {
  const secret = randomBytes(32).toString("base64url");
  const config = loadConfig({ TESSERA_SECRET: secret }, () => assert.fail("no warning"));
  assert.equal(config.secret, secret);
  assert.equal(config.storeName, "cookie");
  const opened = await config.openStore();
  assert.equal(opened.store.kind, "cookie");
  await opened.close();
  assert.equal(config.port, 3000);
  assert.match(config.dbPath, /examples[/\\]demo[/\\]demo\.db$/);
  assert.equal(config.production, false);
});

test("production without a secret, unknown stores and bad ports are refused", () => {
  const secret = randomBytes(32).toString("base64url");
  assert.throws(() => loadConfig({ NODE_ENV: "production" }, () => {}), StartupError);
  for (const store of ["mysql", "Cookie", "__proto__", "toString"]) {
    assert.throws(
      () => loadConfig({ TESSERA_SECRET: secret, SESSION_STORE: store }),
      new RegExp(
        `^StartupError: SESSION_STORE=${store} is not a store this demo knows; use one of: cookie, memory, sqlite, redis, postgres$`,
      ),
    );
  }
  assert.throws(
    () => loadConfig({ TESSERA_SECRET: secret, PORT: "http" }),
    /PORT must be a number/,
  );
  assert.throws(
    () => loadConfig({ TESSERA_SECRET: "changeme" }),
    /TESSERA_SECRET: session secret refused/,
  );
});

test("every store the demo knows is one entry; memory and sqlite open without a server", async () => {
  assert.deepEqual(STORE_NAMES, ["cookie", "memory", "sqlite", "redis", "postgres"]);
  const memory = await openStore("memory");
  assert.equal(memory.store.kind, "server");
  await memory.close();

  const file = join(dir, "sessions.db");
  const sqlite = await openStore("sqlite", { SESSION_DB: file });
  assert.equal(sqlite.store.kind, "server");
  assert.ok(existsSync(file), "the file is opened at startup, not on the first request");
  assert.match(sqlite.where, /sessions\.db/);
  await sqlite.close();
});

test("a Redis or Postgres that does not answer stops the start, without its password", async () => {
  await assert.rejects(
    openStore("redis", { REDIS_URL: "redis://:hunter2@127.0.0.1:1" }),
    (error: Error) => {
      assert.ok(error instanceof StartupError);
      assert.match(
        error.message,
        /^SESSION_STORE=redis: cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
      );
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    },
  );
  await assert.rejects(
    openStore("postgres", { DATABASE_URL: "postgres://postgres:hunter2@127.0.0.1:1/test" }),
    (error: Error) => {
      assert.ok(error instanceof StartupError);
      assert.match(
        error.message,
        /^SESSION_STORE=postgres: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/,
      );
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    },
  );
});
