import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { KeyRing } from "./keys.ts";
import { randomId } from "./random.ts";
import { createSigner } from "./sign.ts";

const secretA = randomBytes(32).toString("base64url");
const secretB = randomBytes(32).toString("base64url");

test("signs and verifies, bound to the context and purpose", () => {
  const ring = new KeyRing(secretA);
  const signer = createSigner(ring, "id");
  const id = randomId();
  const signed = signer.sign(id, "sid");
  assert.deepEqual(signer.verify(signed, "sid"), { value: id, stale: false });
  assert.equal(signer.verify(signed, "sid2"), null);
  assert.equal(createSigner(ring, "csrf").verify(signed, "sid"), null);
});

test("changing any character of a signed value is refused", () => {
  const signer = createSigner(new KeyRing(secretA), "id");
  const signed = signer.sign(randomId(), "sid");
  for (let i = 0; i < signed.length; i++) {
    const c = signed[i] === "A" ? "B" : "A";
    assert.equal(
      signer.verify(signed.slice(0, i) + c + signed.slice(i + 1), "sid"),
      null,
      `position ${i}`,
    );
  }
  assert.equal(signer.verify(signed.slice(1), "sid"), null);
  assert.equal(signer.verify(`x${signed}`, "sid"), null);
});

test("rotation: an old key verifies and reports stale", () => {
  const signed = createSigner(new KeyRing(secretA), "id").sign("abc", "sid");
  const rotated = createSigner(new KeyRing([secretB, secretA]), "id");
  assert.deepEqual(rotated.verify(signed, "sid"), { value: "abc", stale: true });
  assert.equal(createSigner(new KeyRing(secretB), "id").verify(signed, "sid"), null);
});
