import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { KeyRing } from "./keys.ts";
import { createSealer, decodeBase64url } from "./seal.ts";

const secretA = randomBytes(32).toString("base64url");
const secretB = randomBytes(32).toString("base64url");

test("seals and opens, bound to the context", () => {
  const sealer = createSealer(new KeyRing(secretA), "session");
  const token = sealer.seal('{"visits":1}', "__Host-session");
  assert.equal(sealer.open(token, "__Host-session")?.plaintext.toString(), '{"visits":1}');
  assert.equal(sealer.open(token, "__Host-other"), null);
  assert.equal(sealer.open(token, "__host-session"), null);
});

test("two seals of the same plaintext differ (fresh nonce)", () => {
  const sealer = createSealer(new KeyRing(secretA), "session");
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) seen.add(sealer.seal("same", "c"));
  assert.equal(seen.size, 5000);
});

test("changing any character of a token makes it fail to open", () => {
  const sealer = createSealer(new KeyRing(secretA), "session");
  const token = sealer.seal(JSON.stringify({ user: "alice", visits: 7 }), "c");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (let i = 0; i < token.length; i++) {
    for (const replacement of [alphabet[(alphabet.indexOf(token[i]!) + 1) % 64]!, "!", "="]) {
      const changed = token.slice(0, i) + replacement + token.slice(i + 1);
      assert.equal(sealer.open(changed, "c"), null, `position ${i} -> ${replacement}`);
    }
  }
  // Truncated, extended, empty and foreign values.
  for (let n = 0; n < token.length; n++) assert.equal(sealer.open(token.slice(0, n), "c"), null);
  assert.equal(sealer.open(`${token}A`, "c"), null);
  assert.equal(sealer.open(`${token}AA`, "c"), null);
  assert.equal(sealer.open("", "c"), null);
  assert.equal(sealer.open(undefined as unknown as string, "c"), null);
});

test("flipping any bit of the decoded token makes it fail to open", () => {
  const sealer = createSealer(new KeyRing(secretA), "session");
  const bytes = decodeBase64url(sealer.seal("payload", "c"))!;
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const copy = Buffer.from(bytes);
      copy[i]! ^= 1 << bit;
      assert.equal(sealer.open(copy.toString("base64url"), "c"), null, `byte ${i} bit ${bit}`);
    }
  }
});

test("key rotation: the newest key seals, older keys open and report stale", () => {
  const old = createSealer(new KeyRing([secretA]), "session");
  const rotated = createSealer(new KeyRing([secretB, secretA]), "session");
  const oldToken = old.seal("data", "c");
  const opened = rotated.open(oldToken, "c");
  assert.equal(opened?.plaintext.toString(), "data");
  assert.equal(opened?.stale, true);
  const newToken = rotated.seal("data", "c");
  assert.equal(rotated.open(newToken, "c")?.stale, false);
  assert.equal(old.open(newToken, "c"), null, "the old ring does not know the new key");
  // Retired key: gone from the list, its tokens no longer open.
  assert.equal(createSealer(new KeyRing([secretB]), "session").open(oldToken, "c"), null);
});

test("keys are per purpose: a token of one purpose does not open as another", () => {
  const ring = new KeyRing(secretA);
  const token = createSealer(ring, "csrf").seal("x", "c");
  assert.equal(createSealer(ring, "session").open(token, "c"), null);
  assert.equal(createSealer(ring, "csrf").open(token, "c")?.plaintext.toString(), "x");
});

test("decodeBase64url accepts only the canonical spelling", () => {
  assert.deepEqual(decodeBase64url("AQID"), Buffer.from([1, 2, 3]));
  assert.deepEqual(decodeBase64url("AQ"), Buffer.from([1]));
  assert.equal(decodeBase64url("AR"), null, "unused bits set");
  assert.deepEqual(decodeBase64url("AQI"), Buffer.from([1, 2]));
  assert.equal(decodeBase64url("AQJ"), null, "unused bits set");
  assert.equal(decodeBase64url("A"), null);
  assert.equal(decodeBase64url("AQ=="), null, "padding");
  assert.equal(decodeBase64url("AQ+/"), null, "standard alphabet");
  assert.equal(decodeBase64url("é"), null);
});

test("both ciphers: v2 (XChaCha20-Poly1305) by default, v1 (AES-256-GCM) on request; each opens the other's and asks for a re-seal", () => {
  const ring = new KeyRing(secretA);
  const x = createSealer(ring, "session");
  const gcm = createSealer(ring, "session", "aes-256-gcm");
  const tx = x.seal("data", "c");
  const tg = gcm.seal("data", "c");
  assert.equal(decodeBase64url(tx)![0], 2);
  assert.equal(decodeBase64url(tg)![0], 1);
  assert.deepEqual(
    [
      x.open(tx, "c")?.stale,
      x.open(tg, "c")?.stale,
      gcm.open(tg, "c")?.stale,
      gcm.open(tx, "c")?.stale,
    ],
    [false, true, false, true],
  );
  for (const sealer of [x, gcm])
    for (const token of [tx, tg])
      assert.equal(sealer.open(token, "c")?.plaintext.toString(), "data");
  assert.throws(() => createSealer(ring, "session", "aes-128-cbc" as never), TypeError);
});

test("the version byte picks the algorithm and the key: a token relabelled as the other version does not open", () => {
  const ring = new KeyRing(secretA);
  const sealer = createSealer(ring, "session");
  for (const cipher of ["xchacha20-poly1305", "aes-256-gcm"] as const) {
    const bytes = decodeBase64url(createSealer(ring, "session", cipher).seal("x".repeat(40), "c"))!;
    bytes[0] = bytes[0] === 1 ? 2 : 1;
    assert.equal(sealer.open(bytes.toString("base64url"), "c"), null, cipher);
  }
});

test("an opened plaintext is the caller's: later seals and opens do not change it", () => {
  const sealer = createSealer(new KeyRing(secretA), "session");
  const first = sealer.open(sealer.seal("first", "c"), "c")!.plaintext;
  sealer.open(sealer.seal("second!", "c"), "c");
  sealer.seal("third", "c");
  assert.equal(first.toString(), "first");
});

test("long plaintexts (beyond the reused buffer) seal and open, in every script", () => {
  const sealer = createSealer(new KeyRing(secretA), "session");
  for (const text of ["é".repeat(3000), "😀".repeat(2000), "a".repeat(10_000)]) {
    assert.equal(sealer.open(sealer.seal(text, "c"), "c")?.plaintext.toString(), text);
  }
});

test("the WebAssembly and TypeScript XChaCha20-Poly1305 open each other's tokens, small and beyond the WebAssembly memory, long contexts too", () => {
  const ring = new KeyRing([secretA, secretB]);
  const wasm = createSealer(ring, "session");
  const ts = createSealer(ring, "session", "xchacha20-poly1305", { wasm: false });
  const longContext = "c".repeat(300); // associated data over the WebAssembly room
  for (const context of ["__Host-session", longContext, ""]) {
    for (const text of ["", "x", '{"visits":1}', "é".repeat(1000), "a".repeat(70_000)]) {
      for (const [from, to] of [
        [wasm, ts],
        [ts, wasm],
      ] as const) {
        const token = from.seal(text, context);
        assert.equal(decodeBase64url(token)![0], 2);
        const opened = to.openText(token, context);
        assert.equal(opened?.text, text, `${context.length}-char context, ${text.length} chars`);
        assert.equal(opened?.stale, false);
        assert.equal(to.open(token, `${context}x`), null);
      }
    }
  }
  // A token sealed under the older key opens in both and asks for a re-seal.
  const old = createSealer(new KeyRing(secretB), "session");
  for (const sealer of [wasm, ts]) assert.equal(sealer.open(old.seal("o", "c"), "c")?.stale, true);
});

test("a failed open leaves nothing of the token's plaintext behind, and the next open is right", () => {
  const sealer = createSealer(new KeyRing(secretA), "session");
  const token = sealer.seal("secret data", "c");
  const bytes = decodeBase64url(token)!;
  bytes[bytes.length - 1]! ^= 1;
  assert.equal(sealer.openText(bytes.toString("base64url"), "c"), null);
  assert.equal(sealer.openText(token, "c")?.text, "secret data");
});
