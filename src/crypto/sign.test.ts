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

test("the MAC is HMAC-SHA256 over version | key id | context length | context | 0 | value", async () => {
  const { createHmac, hkdfSync } = await import("node:crypto");
  const ring = new KeyRing(secretA);
  const [key] = ring.keys("id");
  const signed = createSigner(ring, "id").sign("välue", "__Host-sid");
  const context = Buffer.from("__Host-sid");
  const head = Buffer.from([1, ...key!.id, 0, 0, 0, context.length]);
  // The key as the key ring documents it: HKDF-SHA256 of the secret, salt "tessera/v1".
  const raw = Buffer.from(
    hkdfSync("sha256", Buffer.from(secretA), "tessera/v1", "tessera/v1/id", 32),
  );
  assert.deepEqual(raw, key!.key.export());
  const expected = createHmac("sha256", raw)
    .update(Buffer.concat([head, context, Buffer.from([0]), Buffer.from("välue")]))
    .digest();
  const suffix = Buffer.from(signed.slice(signed.lastIndexOf(".") + 1), "base64url");
  assert.deepEqual(suffix.subarray(5), expected);
  assert.deepEqual(suffix.subarray(0, 5), Buffer.from([1, ...key!.id]));
});
