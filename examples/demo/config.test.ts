import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig, StartupError } from "./config.ts";

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

test("the defaults: cookie store, port 3000, the demo database", () => {
  const secret = randomBytes(32).toString("base64url");
  const config = loadConfig({ TESSERA_SECRET: secret }, () => assert.fail("no warning"));
  assert.equal(config.secret, secret);
  assert.equal(config.storeName, "cookie");
  assert.equal(config.store.kind, "cookie");
  assert.equal(config.port, 3000);
  assert.match(config.dbPath, /examples[/\\]demo[/\\]demo\.db$/);
  assert.equal(config.production, false);
});

test("production without a secret, unknown stores and bad ports are refused", () => {
  const secret = randomBytes(32).toString("base64url");
  assert.throws(() => loadConfig({ NODE_ENV: "production" }, () => {}), StartupError);
  for (const store of ["memory", "sqlite", "redis", "postgres", "__proto__"]) {
    assert.throws(
      () => loadConfig({ TESSERA_SECRET: secret, SESSION_STORE: store }),
      new RegExp(
        `^StartupError: SESSION_STORE=${store} is not available in this demo yet; use one of: cookie$`,
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
