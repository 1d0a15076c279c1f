import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { WeakSecretError } from "../errors.ts";
import { checkSecret } from "./secrets.ts";

test("refuses secrets under 32 bytes, with advice on making one", () => {
  assert.throws(
    () => checkSecret("x7#Kp2!qZ9"),
    (error: unknown) =>
      error instanceof WeakSecretError &&
      error.code === "ERR_WEAK_SECRET" &&
      /10 bytes long; at least 32/.test(error.message) &&
      /tessera secret/.test(error.message),
  );
  assert.throws(() => checkSecret(randomBytes(31)), /31 bytes long/);
});

test("refuses known demo and placeholder values, whatever their length", () => {
  for (const value of [
    "keyboard cat",
    "secret",
    "changeme",
    "dev",
    "dev-secret-key-change-in-production",
    "Keyboard-Cat",
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
    "please-CHANGE-ME-before-deploying-this-app-123",
    "replace_me_with_a_long_random_value_0123456789",
  ]) {
    assert.throws(() => checkSecret(value), /well-known example or placeholder/, value);
  }
});

test("refuses low-entropy values: one character, a repeated pattern, little variety", () => {
  assert.throws(() => checkSecret("a".repeat(64)), /repeats a 1-byte pattern/);
  assert.throws(() => checkSecret("abc".repeat(20)), /repeats a 3-byte pattern/);
  assert.throws(() => checkSecret(Buffer.alloc(48)), /repeats a 1-byte pattern/);
  assert.throws(() => checkSecret("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"), /too little variety/);
  assert.throws(() => checkSecret(42 as unknown as string), /string or a Uint8Array/);
});

test("accepts random secrets in the usual encodings", () => {
  for (let i = 0; i < 2000; i++) {
    checkSecret(randomBytes(16).toString("hex")); // 32 hex chars, the shortest allowed
    checkSecret(randomBytes(32).toString("base64url"));
    checkSecret(randomBytes(32));
  }
  checkSecret("correct horse battery staple, purple monkey dishwasher");
});
