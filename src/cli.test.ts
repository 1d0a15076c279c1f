import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { checkSecret } from "./crypto/secrets.ts";

const cli = new URL("./cli.ts", import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

test("tessera secret prints a secret that passes the strength check, new each time", () => {
  const a = run("secret");
  const b = run("secret");
  assert.equal(a.status, 0);
  const secret = a.stdout.trim();
  assert.equal(Buffer.from(secret, "base64url").length, 32);
  assert.notEqual(secret, b.stdout.trim());
  checkSecret(secret);
  assert.equal(Buffer.from(run("secret", "--bytes", "64").stdout.trim(), "base64url").length, 64);
});

test("help, usage errors (2) and bad input (1)", () => {
  assert.equal(run("--help").status, 0);
  assert.match(run("secret", "--help").stdout, /Usage: tessera secret/);
  const none = run();
  assert.equal(none.status, 2);
  assert.match(none.stderr, /Usage: tessera/);
  assert.equal(run("nope").status, 2);
  assert.equal(run("secret", "--what").status, 2);
  const bad = run("secret", "--bytes", "8");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /from 32 to 1024/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");
});
