// Known-answer tests from RFC 8439 and draft-irtf-cfrg-xchacha-03 (typed in
// from the documents as hex), then property tests against independent
// implementations: node:crypto's chacha20-poly1305 and a BigInt Poly1305
// written from the RFC's pseudocode.
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import {
  IETF,
  JABBERWOCKY,
  KEY_1C92,
  POLY1305_A3,
  poly1305Reference,
  SUNSCREEN,
  ZERO32,
} from "./fixtures/rfc8439.ts";
import {
  chacha20,
  chacha20Poly1305Open,
  chacha20Poly1305Seal,
  hchacha20,
  poly1305,
  prepareKey,
  xchachaOpen,
  xchachaSeal,
} from "./xchacha.ts";

const hex = (text: string): Buffer => Buffer.from(text.replace(/[\s:]/g, ""), "hex");
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const ascii = (text: string): Buffer => Buffer.from(text, "utf8");
const sequence = (first: number, length: number): Buffer =>
  Buffer.from(Array.from({ length }, (_, i) => first + i));

/** The ChaCha20 keystream from block `counter` on: `length` bytes of zeros, encrypted. */
function keystream(key: Uint8Array, nonce: Uint8Array, counter: number, length: number) {
  const out = new Uint8Array(length);
  chacha20(prepareKey(key), nonce, 0, counter, out, 0, length, out, 0);
  return toHex(out);
}

function seal12(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
  const out = new Uint8Array(plaintext.length + 16);
  chacha20Poly1305Seal(prepareKey(key), nonce, 0, aad, plaintext, 0, plaintext.length, out, 0);
  return out;
}

function open12(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array) {
  const out = new Uint8Array(Math.max(0, sealed.length - 16));
  const ok = chacha20Poly1305Open(prepareKey(key), nonce, 0, aad, sealed, 0, sealed.length, out, 0);
  return ok ? out : null;
}

function sealX(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
  const out = new Uint8Array(plaintext.length + 16);
  xchachaSeal(prepareKey(key), nonce, 0, aad, plaintext, 0, plaintext.length, out, 0);
  return out;
}

function openX(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array) {
  const out = new Uint8Array(Math.max(0, sealed.length - 16));
  const ok = xchachaOpen(prepareKey(key), nonce, 0, aad, sealed, 0, sealed.length, out, 0);
  return ok ? out : null;
}

/** node:crypto's AEAD_CHACHA20_POLY1305: ciphertext || tag. */
function nodeSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Eight little-endian words as 32 bytes. */
function wordsToBytes(words: Uint32Array): Buffer {
  const bytes = Buffer.alloc(32);
  words.forEach((word, i) => {
    bytes.writeUInt32LE(word, 4 * i);
  });
  return bytes;
}

const KEY_ONE = hex(`${"00".repeat(31)}01`);
const NONCE_TWO = hex(`${"00".repeat(11)}02`);

test("the texts typed in have the lengths and bytes the RFC shows", () => {
  assert.equal(SUNSCREEN.length, 114);
  assert.equal(IETF.length, 375);
  assert.equal(JABBERWOCKY.length, 127);
  // RFC 8439 A.2 #2 plaintext, line 208; A.2 #3 plaintext, line 032.
  assert.equal(toHex(IETF.subarray(208, 224)), "7269627574696f6e222e205375636820");
  assert.equal(toHex(JABBERWOCKY.subarray(32, 48)), "7665730a446964206779726520616e64");
});

describe("prepareKey", () => {
  test("reads the key as eight little-endian words", () => {
    assert.deepEqual(
      [...prepareKey(sequence(0, 32))],
      [
        0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c, 0x13121110, 0x17161514, 0x1b1a1918,
        0x1f1e1d1c,
      ],
    );
  });

  test("rejects a key that is not 32 bytes", () => {
    for (const length of [0, 16, 31, 33, 64]) {
      assert.throws(() => prepareKey(new Uint8Array(length)), RangeError);
    }
    assert.throws(() => prepareKey("x".repeat(32) as unknown as Uint8Array), RangeError);
  });
});

describe("ChaCha20 (RFC 8439)", () => {
  test("§2.3.2 block function", () => {
    assert.equal(
      keystream(sequence(0, 32), hex("000000090000004a00000000"), 1, 64),
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
    );
  });

  test("§2.4.2 encryption (two blocks, a partial second one)", () => {
    const out = new Uint8Array(SUNSCREEN.length);
    const key = prepareKey(sequence(0, 32));
    chacha20(key, hex("000000000000004a00000000"), 0, 1, SUNSCREEN, 0, SUNSCREEN.length, out, 0);
    assert.equal(
      toHex(out),
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
        "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
        "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
        "5af90bbf74a35be6b40b8eedf2785e42874d",
    );
  });

  test("A.1 block function vectors #1-#5", () => {
    const nonce0 = Buffer.alloc(12);
    const keyFF = hex(`00ff${"00".repeat(30)}`);
    const vectors: [Buffer, Buffer, number, string][] = [
      [
        ZERO32,
        nonce0,
        0,
        "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7" +
          "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
      ],
      [
        ZERO32,
        nonce0,
        1,
        "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed" +
          "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f",
      ],
      [
        KEY_ONE,
        nonce0,
        1,
        "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a" +
          "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0",
      ],
      [
        keyFF,
        nonce0,
        2,
        "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca" +
          "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096",
      ],
      [
        ZERO32,
        NONCE_TWO,
        0,
        "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7" +
          "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d",
      ],
    ];
    for (const [key, nonce, counter, expected] of vectors) {
      assert.equal(keystream(key, nonce, counter, 64), expected);
    }
  });

  test("A.2 encryption vectors #2 and #3 (counter 1 over six blocks, counter 42)", () => {
    const out = new Uint8Array(IETF.length);
    chacha20(prepareKey(KEY_ONE), NONCE_TWO, 0, 1, IETF, 0, IETF.length, out, 0);
    assert.equal(
      toHex(out),
      "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec" +
        "2a97948bd3722915c8f3d337f7d370050e9e96d647b7c39f56e031ca5eb6250d" +
        "4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950" +
        "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85a" +
        "d00f8449ed8f72d0d662ab052691ca66424bc86d2df80ea41f43abf937d3259d" +
        "c4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b" +
        "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6c" +
        "cc3aaf9f3979c92b3720fc88dc95ed84a1be059c6499b9fda236e7e818b04b0b" +
        "c39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f" +
        "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e6" +
        "98ced759c3ff9b6477338f3da4f9cd8514ea9982ccafb341b2384dd902f3d1ab" +
        "7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221",
    );
    const out3 = new Uint8Array(JABBERWOCKY.length);
    chacha20(prepareKey(KEY_1C92), NONCE_TWO, 0, 42, JABBERWOCKY, 0, 127, out3, 0);
    assert.equal(
      toHex(out3),
      "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf" +
        "166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb" +
        "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77" +
        "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1",
    );
  });

  test("§2.6.2 and A.4 #1-#3: the Poly1305 one-time key is block 0's first 32 bytes", () => {
    assert.equal(
      keystream(sequence(0x80, 32), hex("000000000001020304050607"), 0, 32),
      "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646",
    );
    assert.equal(
      keystream(ZERO32, Buffer.alloc(12), 0, 32),
      "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7",
    );
    assert.equal(
      keystream(KEY_ONE, NONCE_TWO, 0, 32),
      "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739",
    );
    assert.equal(
      keystream(KEY_1C92, NONCE_TWO, 0, 32),
      "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae",
    );
    // A.5's one-time key.
    assert.equal(
      keystream(KEY_1C92, hex("000000000102030405060708"), 0, 32),
      "bdf04aa95ce4de8995b14bb6a18fecaf26478f50c054f563dbc0a21e261572aa",
    );
  });
});

describe("Poly1305 (RFC 8439)", () => {
  test("§2.5.2 example", () => {
    const key = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
    assert.equal(
      toHex(poly1305(key, ascii("Cryptographic Forum Research Group"))),
      "a8061dc1305136c6c22b8baf0c0127a9",
    );
  });

  // A.3: #1-#4 ordinary, #5-#11 the carry and final-reduction edge cases.
  for (const [name, key, message, tag] of POLY1305_A3) {
    test(`A.3 ${name}`, () => {
      assert.equal(key.length, 32);
      assert.equal(toHex(poly1305(key, message)), tag);
    });
  }
});

describe("AEAD_CHACHA20_POLY1305 (RFC 8439)", () => {
  const key = sequence(0x80, 32);
  const nonce = hex("070000004041424344454647");
  const aad = hex("50515253c0c1c2c3c4c5c6c7");
  const ciphertext =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6" +
    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36" +
    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
    "3ff4def08e4b7a9de576d26586cec64b6116";
  const tag = "1ae10b594f09e26a7e902ecbd0600691";

  test("§2.8.2 seal", () => {
    assert.equal(toHex(seal12(key, nonce, aad, SUNSCREEN)), ciphertext + tag);
  });

  test("§2.8.2 open", () => {
    assert.deepEqual(open12(key, nonce, aad, hex(ciphertext + tag)), new Uint8Array(SUNSCREEN));
  });

  test("A.5 decryption", () => {
    const sealed = hex(
      "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2" +
        "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf" +
        "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855" +
        "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4" +
        "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e" +
        "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
        "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10" +
        "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29" +
        "a6ad5cb4022b02709b" +
        "eead9d67890cbb22392336fea1851f38",
    );
    const plaintext = ascii(
      "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, replaced, or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as reference material or to cite them other than as /\u201cwork in progress./\u201d",
    );
    assert.equal(plaintext.length, 265);
    const opened = open12(
      KEY_1C92,
      hex("000000000102030405060708"),
      hex("f33388860000000000004e91"),
      sealed,
    );
    assert.deepEqual(opened, new Uint8Array(plaintext));
  });
});

describe("XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03)", () => {
  test("§2.2.1 HChaCha20", () => {
    const out = new Uint32Array(8);
    hchacha20(prepareKey(sequence(0, 32)), hex("000000090000004a0000000031415927"), 0, out);
    assert.equal(
      toHex(wordsToBytes(out)),
      "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc",
    );
  });

  const key = sequence(0x80, 32);
  const nonce = sequence(0x40, 24);
  const aad = hex("50515253c0c1c2c3c4c5c6c7");
  const ciphertext =
    "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb" +
    "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452" +
    "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9" +
    "21f9664c97637da9768812f615c68b13b52e";
  const tag = "c0875924c1c7987947deafd8780acf49";

  test("A.3.1 seal", () => {
    assert.equal(toHex(sealX(key, nonce, aad, SUNSCREEN)), ciphertext + tag);
  });

  test("A.3.1 open", () => {
    assert.deepEqual(openX(key, nonce, aad, hex(ciphertext + tag)), new Uint8Array(SUNSCREEN));
  });

  test("A.3.1 Poly1305 key: block 0 under the subkey and 00000000 || nonce[16..24]", () => {
    const subkey = new Uint32Array(8);
    hchacha20(prepareKey(key), nonce, 0, subkey);
    const out = new Uint8Array(32);
    chacha20(subkey, hex("000000005051525354555657"), 0, 0, out, 0, 32, out, 0);
    assert.equal(toHex(out), "7b191f80f361f099094f6f4b8fb97df847cc6873a8f2b190dd73807183f907d5");
  });
});

// Lengths around the 16-byte Poly1305 and 64-byte ChaCha20 block edges, and any.
const edgeLength = (max: number) =>
  fc.oneof(
    fc.constantFrom(0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257),
    fc.nat({ max }),
  );
const bytesOf = (length: fc.Arbitrary<number>) =>
  length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const aadBytes = bytesOf(edgeLength(100).filter((n) => n <= 100));
const plaintextBytes = bytesOf(edgeLength(600));

/** Flips one bit of one input; every such change must make open fail. */
function flipped(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[(bit >>> 3) % copy.length]! ^= 1 << (bit & 7);
  return copy;
}

describe("against node:crypto's chacha20-poly1305", () => {
  test("seal matches, open round-trips, and any flipped bit is refused without a write", () => {
    fc.assert(
      fc.property(
        key32,
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        aadBytes,
        plaintextBytes,
        fc.nat(),
        fc.constantFrom("ciphertext", "tag", "aad", "nonce"),
        (key, nonce, aad, plaintext, bit, where) => {
          const sealed = seal12(key, nonce, aad, plaintext);
          assert.equal(toHex(sealed), toHex(nodeSeal(key, nonce, aad, plaintext)));
          assert.deepEqual(open12(key, nonce, aad, sealed), plaintext);

          let n: Uint8Array = nonce;
          let a: Uint8Array = aad;
          let s: Uint8Array = sealed;
          if (where === "nonce") n = flipped(nonce, bit);
          else if (where === "aad") {
            if (aad.length === 0) return; // nothing to flip
            a = flipped(aad, bit);
          } else if (where === "tag" || plaintext.length === 0) {
            s = Uint8Array.from(sealed);
            s[plaintext.length + (bit % 16)]! ^= 1 << (bit & 7);
          } else {
            s = Uint8Array.from(sealed);
            s[bit % plaintext.length]! ^= 1 << ((bit >>> 8) & 7);
          }
          const out = new Uint8Array(plaintext.length).fill(0xa5);
          const ok = chacha20Poly1305Open(prepareKey(key), n, 0, a, s, 0, s.length, out, 0);
          assert.equal(ok, false);
          assert.ok(
            out.every((b) => b === 0xa5),
            "open wrote before the tag was checked",
          );
        },
      ),
      { numRuns: fuzzRuns(10_000) },
    );
  });

  test("XChaCha20-Poly1305 is ChaCha20-Poly1305 under HChaCha20(key, nonce[0..16])", () => {
    fc.assert(
      fc.property(
        key32,
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        aadBytes,
        plaintextBytes,
        fc.nat({ max: 24 * 8 - 1 }),
        (key, nonce, aad, plaintext, bit) => {
          const subkey = new Uint32Array(8);
          hchacha20(prepareKey(key), nonce, 0, subkey);
          const inner = Buffer.concat([Buffer.alloc(4), nonce.subarray(16)]);
          const sealed = sealX(key, nonce, aad, plaintext);
          assert.equal(toHex(sealed), toHex(nodeSeal(wordsToBytes(subkey), inner, aad, plaintext)));
          assert.deepEqual(openX(key, nonce, aad, sealed), plaintext);
          // Every nonce bit matters, the 16 that go to HChaCha20 included.
          assert.equal(openX(key, flipped(nonce, bit), aad, sealed), null);
        },
      ),
      { numRuns: fuzzRuns(10_000) },
    );
  });
});

test("Poly1305 agrees with a BigInt reference, extreme keys and messages included", () => {
  const extremeBytes = (length: fc.Arbitrary<number>) =>
    fc.oneof(
      bytesOf(length),
      length.map((n) => new Uint8Array(n).fill(0xff)),
      length.map((n) => new Uint8Array(n)),
    );
  fc.assert(
    fc.property(extremeBytes(fc.constant(32)), extremeBytes(edgeLength(300)), (key, message) => {
      assert.equal(toHex(poly1305(key, message)), poly1305Reference(key, message));
    }),
    { numRuns: fuzzRuns(20_000) },
  );
});

describe("buffers, offsets and in-place use", () => {
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const aad = randomBytes(19);

  test("seal and open in place, at odd offsets, touching nothing around", () => {
    for (const length of [0, 1, 15, 16, 17, 63, 64, 65, 250]) {
      for (const offset of [0, 1, 3, 7]) {
        const plaintext = randomBytes(length);
        const expected = sealX(key, nonce, aad, plaintext);
        const buffer = new Uint8Array(offset + length + 16 + 5).fill(0x5a);
        buffer.set(plaintext, offset);
        const k = prepareKey(key);
        xchachaSeal(k, nonce, 0, aad, buffer, offset, length, buffer, offset);
        assert.equal(toHex(buffer.subarray(offset, offset + length + 16)), toHex(expected));
        assert.ok(buffer.subarray(0, offset).every((b) => b === 0x5a));
        assert.ok(buffer.subarray(offset + length + 16).every((b) => b === 0x5a));
        assert.equal(
          xchachaOpen(k, nonce, 0, aad, buffer, offset, length + 16, buffer, offset),
          true,
        );
        assert.equal(toHex(buffer.subarray(offset, offset + length)), toHex(plaintext));
        assert.ok(buffer.subarray(0, offset).every((b) => b === 0x5a));
      }
    }
  });

  test("the nonce can sit inside a larger buffer, and input and output at different offsets", () => {
    const plaintext = randomBytes(100);
    const expected = sealX(key, nonce, aad, plaintext);
    const token = new Uint8Array(3 + 24 + 116);
    token.set(nonce, 3);
    const source = new Uint8Array(9 + 100);
    source.set(plaintext, 9);
    const k = prepareKey(key);
    xchachaSeal(k, token, 3, aad, source, 9, 100, token, 27);
    assert.equal(toHex(token.subarray(27)), toHex(expected));
    const back = new Uint8Array(2 + 100);
    assert.equal(xchachaOpen(k, token, 3, aad, token, 27, 116, back, 2), true);
    assert.equal(toHex(back.subarray(2)), toHex(plaintext));
  });

  test("many different buffers in turn, and one over 64 KiB, give the same results", () => {
    const k = prepareKey(key);
    const plaintext = randomBytes(200);
    const expected = toHex(sealX(key, nonce, aad, plaintext));
    for (let round = 0; round < 3; round++) {
      for (const size of [300, 400, 500, 600, 700, 70_000]) {
        const input = new Uint8Array(size);
        input.set(plaintext, 50);
        const output = new Uint8Array(size);
        xchachaSeal(k, nonce, 0, Uint8Array.from(aad), input, 50, 200, output, 20);
        assert.equal(toHex(output.subarray(20, 236)), expected);
      }
    }
  });

  test("open refuses what is shorter than a tag, or under another key or aad", () => {
    const sealed = sealX(key, nonce, aad, randomBytes(40));
    const k = prepareKey(key);
    const out = new Uint8Array(40);
    for (const length of [0, 1, 15]) {
      assert.equal(xchachaOpen(k, nonce, 0, aad, sealed, 0, length, out, 0), false);
    }
    assert.equal(openX(randomBytes(32), nonce, aad, sealed), null);
    assert.equal(openX(key, nonce, aad.subarray(1), sealed), null);
    assert.equal(openX(key, nonce, aad, sealed.subarray(0, sealed.length - 1)), null);
    // A tag alone is a valid sealed empty plaintext.
    const empty = sealX(key, nonce, aad, new Uint8Array(0));
    assert.equal(empty.length, 16);
    assert.deepEqual(openX(key, nonce, aad, empty), new Uint8Array(0));
  });

  test("ranges that do not fit are a RangeError, not a silent short write", () => {
    const k = prepareKey(key);
    const input = new Uint8Array(32);
    assert.throws(
      () => xchachaSeal(k, nonce, 0, aad, input, 0, 32, new Uint8Array(47), 0),
      RangeError,
    );
    assert.throws(
      () => xchachaSeal(k, nonce, 0, aad, input, 1, 32, new Uint8Array(48), 0),
      RangeError,
    );
    assert.throws(
      () => xchachaSeal(k, nonce, 1, aad, input, 0, 32, new Uint8Array(48), 0),
      RangeError,
    );
    assert.throws(
      () => xchachaSeal(k, nonce, 0, aad, input, -1, 8, new Uint8Array(48), 0),
      RangeError,
    );
    assert.throws(
      () => xchachaSeal(k, nonce, 0, aad, input, 0.5, 8, new Uint8Array(48), 0),
      RangeError,
    );
    assert.throws(
      () => xchachaOpen(k, nonce, 0, aad, input, 0, 32, new Uint8Array(15), 0),
      RangeError,
    );
    assert.throws(
      () => xchachaSeal(new Uint32Array(4), nonce, 0, aad, input, 0, 8, input, 0),
      RangeError,
    );
  });
});
