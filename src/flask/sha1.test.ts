// HMAC-SHA1 against node:crypto: every message length across the block
// boundaries, keys shorter than, equal to and longer than a block, and text
// that is not ASCII (UTF-8, as createHmac encodes a string).
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { test } from "node:test";
import { hmacSha1, hmacSha1Key } from "./sha1.ts";

const mac = (key: Uint8Array, message: string): Buffer => {
  const out = Buffer.alloc(24, 0xee);
  hmacSha1(hmacSha1Key(key), message, out, 2);
  assert.equal(out.readUInt16BE(0), 0xeeee, "writes only its 20 bytes");
  assert.equal(out.readUInt16BE(22), 0xeeee, "writes only its 20 bytes");
  return out.subarray(2, 22);
};

test("RFC 2202 test cases 1 and 2", () => {
  assert.equal(
    mac(Buffer.alloc(20, 0x0b), "Hi There").toString("hex"),
    "b617318655057264e28bc0b6fb378c8ef146be00",
  );
  assert.equal(
    mac(Buffer.from("Jefe"), "what do ya want for nothing?").toString("hex"),
    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
  );
});

test("agrees with node:crypto for messages of 0 to 300 bytes and keys of 0 to 200", () => {
  for (const keyLength of [0, 1, 20, 63, 64, 65, 200]) {
    const key = randomBytes(keyLength);
    const prepared = hmacSha1Key(key);
    const out = new Uint8Array(20);
    for (let length = 0; length <= 300; length++) {
      const message = randomBytes(length).toString("base64url").slice(0, length);
      hmacSha1(prepared, message, out, 0);
      assert.deepEqual(
        Buffer.from(out),
        createHmac("sha1", key).update(message).digest(),
        `key ${keyLength} bytes, message ${length} characters`,
      );
    }
  }
});

test("text that is not ASCII is hashed as UTF-8", () => {
  const key = randomBytes(20);
  for (const message of ["é", "漢字.😀", "\ud800", `${"a".repeat(60)}é`, `${"x".repeat(1000)}é`]) {
    assert.deepEqual(mac(key, message), createHmac("sha1", key).update(message).digest());
  }
});
