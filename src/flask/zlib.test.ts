// Byte-for-byte agreement with Python's zlib is checked in interop.test.ts;
// these are the properties that need no Python.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { inflateSync } from "node:zlib";
import { adler32, deflate, deflateView, InflateError, inflate, inflateView } from "./zlib.ts";

const text = (s: string) => new TextEncoder().encode(s);

describe("deflate", () => {
  test("known outputs of reference zlib (Python zlib.compress)", () => {
    assert.equal(Buffer.from(deflate(new Uint8Array(0))).toString("hex"), "789c030000000001");
    assert.equal(
      Buffer.from(deflate(text(`{"x":"${"a".repeat(1000)}"}`))).toString("base64url"),
      "eJyrVqpQslJKHAWjYBQMe6BUCwAgzX0q",
    );
  });

  test("node:zlib reads what it writes, across sizes and kinds of input", () => {
    const inputs = [
      new Uint8Array(0),
      text("a"),
      text("ab"),
      text("abc"),
      randomBytes(1000),
      text("hello world ".repeat(10_000)),
      randomBytes(70_000),
      new Uint8Array(200_000).map((_, i) => "abc".charCodeAt(i % 3) + (i % 977 === 0 ? 1 : 0)),
    ];
    for (const input of inputs) {
      const packed = deflate(input);
      assert.deepEqual(new Uint8Array(inflateSync(packed)), new Uint8Array(input));
      assert.deepEqual(inflate(packed, input.length), new Uint8Array(input));
    }
  });

  test("deflateView and inflateView: the same bytes, from a prefix of a larger buffer", () => {
    const input = text(`{"user":"alice","cart":[${'{"sku":"A-1001","qty":2},'.repeat(20)}{}]}`);
    const larger = new Uint8Array(input.length + 100).fill(0x7b);
    larger.set(input);
    const packed = deflate(input);
    assert.deepEqual(new Uint8Array(deflateView(larger, input.length)), packed);
    const stream = new Uint8Array(packed.length + 50).fill(0xff);
    stream.set(packed);
    assert.deepEqual(new Uint8Array(inflateView(stream, 1 << 20, packed.length)), input);
    assert.throws(() => inflateView(stream, 1 << 20, packed.length - 1), InflateError);
  });

  test("adler32", () => {
    assert.equal(adler32(text("Wikipedia")), 0x11e60398);
    assert.equal(adler32(new Uint8Array(0)), 1);
  });
});

describe("inflate", () => {
  const good = deflate(text("hello hello hello hello"));

  test("ignores bytes after the stream, as Python does", () => {
    const padded = new Uint8Array([...good, 1, 2, 3]);
    assert.equal(new TextDecoder().decode(inflate(padded, 100)), "hello hello hello hello");
  });

  test("refuses broken streams", () => {
    const flip = (i: number) => good.map((b, j) => (j === i ? b ^ 0xff : b));
    for (const bad of [
      new Uint8Array(0),
      good.subarray(0, 1),
      good.subarray(0, good.length - 1), // truncated checksum
      good.subarray(0, 5),
      flip(0), // header
      flip(good.length - 1), // checksum
      new Uint8Array([0x78, 0xbb, 0, 0]), // preset dictionary
      new Uint8Array([0x78, 0x9c, 0xff, 0xff]), // block type 3
    ]) {
      assert.throws(() => inflate(bad, 1000), InflateError);
    }
  });

  test("stops at the output limit", () => {
    const bomb = deflate(new Uint8Array(100_000));
    assert.ok(bomb.length < 200);
    assert.throws(() => inflate(bomb, 99_999), /more than 99999 bytes/);
    assert.equal(inflate(bomb, 100_000).length, 100_000);
  });
});

test("the output limit holds for literals too", () => {
  const random = randomBytes(300);
  const packed = deflate(random);
  assert.throws(() => inflate(packed, 299), /more than 299 bytes/);
  assert.deepEqual(inflate(packed, 300), new Uint8Array(random));
});
