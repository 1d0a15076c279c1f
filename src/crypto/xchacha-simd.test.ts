// The WebAssembly XChaCha20-Poly1305: its bytes are the WAT source's, it
// gives the draft's known answer, and it agrees with node:crypto's
// chacha20-poly1305 (under HChaCha20, checked on its own by xchacha.test.ts)
// on random and extreme inputs, at any place in its memory.
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { compileWat, generated } from "../../scripts/wasm.ts";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import { POLY1305_A3, poly1305Reference, SUNSCREEN } from "./fixtures/rfc8439.ts";
import { hchacha20, prepareKey } from "./xchacha.ts";
import { SIMD_FREE, type SimdCipher, simdCipher } from "./xchacha-simd.ts";

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ""), "hex");
const sequence = (first: number, length: number): Buffer =>
  Buffer.from(Array.from({ length }, (_, i) => first + i));

const simd = simdCipher();

test("WebAssembly with SIMD runs here (Node >= 22 has both)", () => {
  assert.notEqual(simd, null);
});

test("the module is the one xchacha.wat compiles to (npm run wasm)", async () => {
  const source = readFileSync(new URL("./xchacha-simd.ts", import.meta.url), "utf8");
  assert.ok(source.includes(generated(await compileWat())), "run npm run wasm");
});

/** Places key, nonce, aad and message in the module's memory from `at` on. */
function place(
  cipher: SimdCipher,
  at: number,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  message: Uint8Array,
) {
  const k = at;
  const n = k + 32;
  const a = n + 24;
  const m = a + aad.length;
  cipher.bytes.set(key, k);
  cipher.bytes.set(nonce, n);
  cipher.bytes.set(aad, a);
  cipher.bytes.set(message, m);
  return { k, n, a, m };
}

function seal(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  at = SIMD_FREE,
) {
  const { k, n, a, m } = place(simd!, at, key, nonce, aad, plaintext);
  simd!.seal(k, n, a, aad.length, m, plaintext.length);
  return Buffer.from(simd!.bytes.subarray(m, m + plaintext.length + 16));
}

function open(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
  at = SIMD_FREE,
) {
  const { k, n, a, m } = place(simd!, at, key, nonce, aad, sealed);
  const before = Buffer.from(simd!.bytes);
  if (simd!.open(k, n, a, aad.length, m, sealed.length) !== 1) {
    // A refused token leaves everything the caller placed as it was.
    assert.ok(simd!.bytes.subarray(SIMD_FREE).equals(before.subarray(SIMD_FREE)), "open wrote");
    return null;
  }
  return Buffer.from(simd!.bytes.subarray(m, m + sealed.length - 16));
}

/** XChaCha20-Poly1305 by its definition, on node:crypto's ChaCha20-Poly1305. */
function reference(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
  const words = new Uint32Array(8);
  hchacha20(prepareKey(key), nonce, 0, words);
  const subkey = Buffer.alloc(32);
  words.forEach((word, i) => {
    subkey.writeUInt32LE(word, 4 * i);
  });
  const inner = Buffer.concat([Buffer.alloc(4), nonce.subarray(16, 24)]);
  const cipher = createCipheriv("chacha20-poly1305", subkey, inner, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** The module's Poly1305 alone. */
function mac(key: Uint8Array, message: Uint8Array): string {
  const k = SIMD_FREE;
  const m = k + 32;
  simd!.bytes.set(key, k);
  simd!.bytes.set(message, m);
  const out = m + message.length;
  simd!.poly1305(k, m, message.length, out);
  return simd!.bytes.toString("hex", out, out + 16);
}

describe("Poly1305 (RFC 8439)", { skip: simd === null }, () => {
  for (const [name, key, message, tag] of POLY1305_A3) {
    test(`A.3 ${name}`, () => {
      assert.equal(mac(key, message), tag);
    });
  }

  test("agrees with a BigInt reference, extreme keys and messages included", () => {
    const extreme = (length: fc.Arbitrary<number>) =>
      fc.oneof(
        length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        length.map((n) => new Uint8Array(n).fill(0xff)),
        length.map((n) => new Uint8Array(n)),
      );
    fc.assert(
      fc.property(extreme(fc.constant(32)), extreme(fc.nat({ max: 300 })), (key, message) => {
        assert.equal(mac(key, message), poly1305Reference(key, message));
      }),
      { numRuns: fuzzRuns(20_000) },
    );
  });
});

describe("draft-irtf-cfrg-xchacha-03 A.3.1", { skip: simd === null }, () => {
  const key = sequence(0x80, 32);
  const nonce = sequence(0x40, 24);
  const aad = hex("50515253c0c1c2c3c4c5c6c7");
  const plaintext = SUNSCREEN;
  const sealed = hex(
    `bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
     731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
     2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
     21f9664c97637da9768812f615c68b13b52e
     c0875924c1c7987947deafd8780acf49`,
  );

  test("seal", () => {
    assert.equal(seal(key, nonce, aad, plaintext).toString("hex"), sealed.toString("hex"));
  });

  test("open", () => {
    assert.deepEqual(open(key, nonce, aad, sealed), plaintext);
  });
});

// Lengths around the 16-byte Poly1305 and 64-byte ChaCha20 block edges, and
// any; bytes at random, or all 0xff (the largest limbs, the most carries).
const edgeLength = (max: number) =>
  fc.oneof(
    fc.constantFrom(0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255),
    fc.nat({ max }),
  );
const bytesOf = (length: fc.Arbitrary<number>) =>
  fc
    .tuple(length, fc.boolean())
    .chain(([n, ones]) =>
      ones
        ? fc.constant(new Uint8Array(n).fill(0xff))
        : fc.uint8Array({ minLength: n, maxLength: n }),
    );

describe("against node:crypto's chacha20-poly1305", { skip: simd === null }, () => {
  test("seal matches, open round-trips, any flipped bit is refused untouched, anywhere in memory", () => {
    fc.assert(
      fc.property(
        bytesOf(fc.constant(32)),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        bytesOf(edgeLength(220)),
        bytesOf(edgeLength(2000)),
        fc.nat({ max: 40_000 }),
        fc.nat(),
        fc.constantFrom("ciphertext", "tag", "aad", "nonce", "key"),
        (key, nonce, aad, plaintext, offset, bit, where) => {
          const at = SIMD_FREE + offset;
          const sealed = seal(key, nonce, aad, plaintext, at);
          assert.equal(
            sealed.toString("hex"),
            reference(key, nonce, aad, plaintext).toString("hex"),
          );
          assert.deepEqual(open(key, nonce, aad, sealed, at), Buffer.from(plaintext));

          const flip = (bytes: Uint8Array, i: number) => {
            const copy = Uint8Array.from(bytes);
            copy[i % copy.length]! ^= 1 << (bit & 7);
            return copy;
          };
          let [k, n, a, s] = [key, nonce, aad, Uint8Array.from(sealed)];
          if (where === "key") k = flip(key, bit >>> 3);
          else if (where === "nonce") n = flip(nonce, bit >>> 3);
          else if (where === "aad" && aad.length > 0) a = flip(aad, bit >>> 3);
          else if (where === "ciphertext" && plaintext.length > 0)
            s = flip(sealed.subarray(0, plaintext.length), bit >>> 3);
          else s[plaintext.length + ((bit >>> 3) % 16)]! ^= 1 << (bit & 7);
          if (s.length < sealed.length) s = Buffer.concat([s, sealed.subarray(plaintext.length)]);
          assert.equal(open(k, n, a, s, at), null);
        },
      ),
      { numRuns: fuzzRuns(5_000) },
    );
  });

  test("a message that fills the memory to its end", () => {
    const key = sequence(1, 32);
    const nonce = sequence(9, 24);
    const aad = Buffer.from("__Host-session");
    const size = simd!.bytes.length - SIMD_FREE - 32 - 24 - aad.length - 16;
    const plaintext = Buffer.alloc(size, 0x5a);
    simd!.bytes.fill(0xa5, 0, SIMD_FREE); // the module's scratch may change: only the caller's matter
    const sealed = seal(key, nonce, aad, plaintext);
    assert.equal(sealed.toString("hex"), reference(key, nonce, aad, plaintext).toString("hex"));
    assert.deepEqual(open(key, nonce, aad, sealed), plaintext);
  });
});
