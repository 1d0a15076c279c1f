// Property-based tests of the token open path: any input is refused without
// an exception, and changing a valid token anywhere is refused.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import { KeyRing } from "./keys.ts";
import { createSealer } from "./seal.ts";
import { createSigner } from "./sign.ts";

const ring = new KeyRing(randomBytes(32).toString("base64url"));
const sealer = createSealer(ring, "session");
const signer = createSigner(ring, "id");
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const junk = fc.oneof(
  fc.string({ unit: fc.constantFrom(...B64), maxLength: 120 }),
  fc.string({ unit: fc.constantFrom(...B64, ".", "=", "+", "/", " "), maxLength: 120 }),
  fc.string({ unit: "binary", maxLength: 120 }),
);

test("open and verify refuse arbitrary input with null, never an exception", () => {
  fc.assert(
    fc.property(junk, (value) => {
      assert.equal(sealer.open(value, "c"), null);
      assert.equal(signer.verify(value, "c"), null);
    }),
    { numRuns: fuzzRuns() },
  );
});

test("a sealed token changed at any position, in any way, is refused", () => {
  const token = sealer.seal('{"c":1,"a":1,"d":{"user":"alice"}}', "c");
  fc.assert(
    fc.property(
      fc.nat({ max: token.length - 1 }),
      fc.string({ unit: fc.constantFrom(...B64, "!", "."), minLength: 0, maxLength: 3 }),
      fc.nat({ max: 3 }),
      (at, insert, remove) => {
        const changed = token.slice(0, at) + insert + token.slice(at + remove);
        fc.pre(changed !== token);
        assert.equal(sealer.open(changed, "c"), null);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test("seal then open gives back any plaintext, bound to its context", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc.string({ minLength: 1, maxLength: 20 }),
      (text, context) => {
        const token = sealer.seal(text, context);
        assert.equal(sealer.open(token, context)?.plaintext.toString("utf8"), text);
        assert.equal(sealer.open(token, `${context}x`), null);
      },
    ),
    { numRuns: fuzzRuns(20_000) },
  );
});
