import assert from "node:assert/strict";
import { test } from "node:test";
import { fillRandom, randomId } from "./random.ts";

test("ids carry 256 bits by default and never repeat", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    const id = randomId();
    assert.equal(Buffer.from(id, "base64url").length, 32);
    seen.add(id);
  }
  assert.equal(seen.size, 20000);
  assert.equal(Buffer.from(randomId(16), "base64url").length, 16);
});

test("the pool hands out distinct bytes across refills, and large requests bypass it", () => {
  const chunks = new Set<string>();
  const buffer = Buffer.alloc(12);
  for (let i = 0; i < 2000; i++) {
    fillRandom(buffer, 0, 12);
    chunks.add(buffer.toString("hex"));
  }
  assert.equal(chunks.size, 2000);
  const big = Buffer.alloc(10000);
  fillRandom(big, 0, big.length);
  assert.ok(big.some((b) => b !== 0));
});
