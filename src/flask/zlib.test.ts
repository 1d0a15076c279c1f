// Byte-for-byte agreement with Python's zlib is checked in interop.test.ts;
// these are the properties that need no Python.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { constants, deflateSync, inflateSync, type ZlibOptions } from "node:zlib";
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

  test("the same bytes whatever was compressed before (state left by earlier calls)", () => {
    // Small inputs go at a moving offset in a reused window, after the
    // hash chains of earlier calls; none of that may change the output.
    const probes = [
      text('{"user":"alice","cart":[{"sku":"A-1001","qty":2},{"sku":"A-1001","qty":3}]}'),
      text(`{"x":"${"ab".repeat(700)}"}`),
      new Uint8Array(300).map((_, i) => (i % 7 === 0 ? 0 : 97 + (i % 5))), // zeros, as past the end
      new Uint8Array(40),
    ];
    const expected = probes.map((p) => deflate(p));
    for (let round = 0; round < 300; round++) {
      // Inputs that share strings with the probes, of sizes that wrap the offset.
      const filler = text(
        `{"user":"alice","sku":"A-1001","qty":${round}}`.repeat(1 + (round % 40)),
      );
      deflateView(filler);
      if (round % 60 === 0) deflateView(randomBytes(9000)); // large: starts over at 0
      const probe = round % probes.length;
      assert.deepEqual(deflate(probes[probe]!), expected[probe], `round ${round}`);
    }
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

describe("inflate against node:zlib", () => {
  // Skewed bytes make long codes (up to 15 bits, past the 9-bit lookup
  // table) and incomplete distance sets; the levels, strategies and window
  // sizes make stored, fixed and dynamic blocks of every shape.
  const seed = randomBytes(4).readUInt32BE(0);
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const skewed = (size: number, spread: number) =>
    new Uint8Array(size).map(() => Math.min(255, Math.floor(-Math.log(1 - random()) * spread)));
  const inputs = [
    new Uint8Array(0),
    skewed(1, 3),
    skewed(50, 1),
    skewed(300, 2),
    skewed(3000, 4),
    skewed(20_000, 0.7),
    skewed(20_000, 12),
    randomBytes(2000),
    text(`{"a":[${"1,".repeat(500)}2],"b":"${"xyz".repeat(300)}"}`),
  ];
  const variants: ZlibOptions[] = [];
  for (const level of [0, 1, 6, 9])
    for (const strategy of [
      constants.Z_DEFAULT_STRATEGY,
      constants.Z_FILTERED,
      constants.Z_HUFFMAN_ONLY,
      constants.Z_RLE,
      constants.Z_FIXED,
    ])
      variants.push({ level, strategy });
  variants.push({ windowBits: 9, memLevel: 1 }, { windowBits: 12, memLevel: 9, level: 9 });

  test(`reads every stream node:zlib writes (seed ${seed})`, () => {
    for (const input of inputs) {
      for (const options of variants) {
        const stream = deflateSync(input, options);
        assert.deepEqual(
          inflate(stream, input.length),
          new Uint8Array(input),
          `${input.length} bytes, ${JSON.stringify(options)}, seed ${seed}`,
        );
      }
    }
  });

  test(`a damaged stream: the same bytes as node:zlib, or an InflateError (seed ${seed})`, () => {
    for (const input of inputs) {
      const stream = deflateSync(input, { level: 6 });
      for (let k = 0; k < 40; k++) {
        const damaged = new Uint8Array(stream);
        const at = 2 + Math.floor(random() * (damaged.length - 2));
        damaged[at]! ^= 1 << Math.floor(random() * 8);
        let expected: Uint8Array | null = null;
        try {
          expected = new Uint8Array(inflateSync(damaged));
        } catch {}
        let actual: Uint8Array | null = null;
        try {
          actual = inflate(damaged, 1 << 20);
        } catch (error) {
          assert.ok(error instanceof InflateError, String(error));
        }
        assert.deepEqual(actual, expected, `byte ${at} of ${input.length}, seed ${seed}`);
      }
    }
  });
});
