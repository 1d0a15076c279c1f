import assert from "node:assert/strict";
import { createHmac, createSecretKey } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import { hmacSha256, prepareHmacKey } from "./hmac.ts";

const hex = (text: string) => Buffer.from(text, "hex");

// RFC 4231 §4.2, §4.3 and §4.7: HMAC-SHA256 test cases 1, 2 and 6 (a key
// longer than the 64-byte block is hashed first).
test("RFC 4231 test cases", () => {
  const cases: Array<[Buffer, Buffer, string]> = [
    [
      Buffer.alloc(20, 0x0b),
      Buffer.from("Hi There"),
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ],
    [
      Buffer.from("Jefe"),
      Buffer.from("what do ya want for nothing?"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ],
    [
      Buffer.alloc(131, 0xaa),
      Buffer.from("Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ],
  ];
  for (const [key, message, expected] of cases) {
    assert.deepEqual(hmacSha256(prepareHmacKey(key), message), hex(expected));
  }
});

test("the same bytes as node:crypto's createHmac, for any key and message", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 100 }),
      fc.uint8Array({ minLength: 0, maxLength: 2000 }),
      (key, message) => {
        const ours = hmacSha256(prepareHmacKey(key), message);
        assert.deepEqual(ours, createHmac("sha256", key).update(message).digest());
      },
    ),
    { numRuns: fuzzRuns(2000) },
  );
});

test("a KeyObject key, and one prepared key used many times, give the same MACs", () => {
  const bytes = Buffer.alloc(32, 7);
  const key = prepareHmacKey(createSecretKey(bytes));
  const long = Buffer.alloc(1500, 1);
  for (const message of [Buffer.from("a"), long, Buffer.from("b"), Buffer.alloc(0)]) {
    assert.deepEqual(
      hmacSha256(key, message),
      createHmac("sha256", bytes).update(message).digest(),
    );
  }
});
