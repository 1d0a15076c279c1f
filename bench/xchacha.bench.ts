// Sealing and opening a 250-byte cookie payload with a 19-byte aad:
// node:crypto (AES-256-GCM and ChaCha20-Poly1305, a cipher object per call)
// against tessera's XChaCha20-Poly1305: the TypeScript one of
// src/crypto/xchacha.ts, which writes into a preallocated buffer, and the
// WebAssembly SIMD one of src/crypto/xchacha.wat, which works in its own
// memory (the plaintext, key and aad are copied in, as the sealer writes them). Every case writes ciphertext || tag
// (or the plaintext) into one output buffer, as a cookie sealer would. The
// nonce is fixed: drawing a random one costs every case the same.
import assert from "node:assert/strict";
import {
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
} from "node:crypto";
import { cpus, loadavg } from "node:os";
import {
  chacha20Poly1305Open,
  chacha20Poly1305Seal,
  prepareKey,
  xchachaOpen,
  xchachaSeal,
} from "../src/crypto/xchacha.ts";
import { SIMD_FREE, simdCipher } from "../src/crypto/xchacha-simd.ts";
import { compare } from "./harness.ts";

const smoke = process.env.BENCH_SMOKE === "1";
const options = smoke ? { rounds: 1, batchMs: 2 } : {};
console.log(
  `# load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} (1, 5, 15 min) on ${cpus().length} CPUs`,
);

const LENGTH = 250;
const rawKey = randomBytes(32);
const keyObject = createSecretKey(rawKey);
const key = prepareKey(rawKey);
const nonce12 = randomBytes(12);
const nonce24 = randomBytes(24);
const aad = randomBytes(19);
const plaintext = randomBytes(LENGTH);

// node:crypto, one output buffer per direction (ciphertext || tag, plaintext).
type Algorithm = CipherGCMTypes | "chacha20-poly1305";
function nodeCases(algorithm: Algorithm) {
  const sealed = Buffer.alloc(LENGTH + 16);
  const opened = Buffer.alloc(LENGTH);
  const seal = () => {
    const cipher = createCipheriv(algorithm as CipherGCMTypes, keyObject, nonce12, {
      authTagLength: 16,
    });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const tail = cipher.final();
    body.copy(sealed, 0);
    tail.copy(sealed, body.length);
    cipher.getAuthTag().copy(sealed, LENGTH);
    return sealed;
  };
  const open = () => {
    const decipher = createDecipheriv(algorithm as CipherGCMTypes, keyObject, nonce12, {
      authTagLength: 16,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(LENGTH));
    const body = decipher.update(sealed.subarray(0, LENGTH));
    const tail = decipher.final(); // throws when the tag does not match
    body.copy(opened, 0);
    tail.copy(opened, body.length);
    return opened;
  };
  seal();
  assert.deepEqual(open(), plaintext);
  return { seal, open };
}

const aes = nodeCases("aes-256-gcm");
const nodeChacha = nodeCases("chacha20-poly1305");

// Ours, into preallocated buffers.
const xSealed = new Uint8Array(LENGTH + 16);
const xOpened = new Uint8Array(LENGTH);
const xSeal = () => {
  xchachaSeal(key, nonce24, 0, aad, plaintext, 0, LENGTH, xSealed, 0);
  return xSealed;
};
const xOpen = () => {
  if (!xchachaOpen(key, nonce24, 0, aad, xSealed, 0, LENGTH + 16, xOpened, 0)) throw new Error();
  return xOpened;
};
xSeal();
assert.deepEqual(Buffer.from(xOpen()), plaintext);

const cSealed = new Uint8Array(LENGTH + 16);
const cOpened = new Uint8Array(LENGTH);
const cSeal = () => {
  chacha20Poly1305Seal(key, nonce12, 0, aad, plaintext, 0, LENGTH, cSealed, 0);
  return cSealed;
};
const cOpen = () => {
  if (!chacha20Poly1305Open(key, nonce12, 0, aad, cSealed, 0, LENGTH + 16, cOpened, 0)) {
    throw new Error();
  }
  return cOpened;
};
cSeal();
// Same key and nonce: our ChaCha20-Poly1305 must agree with node's byte for byte.
assert.deepEqual(Buffer.from(cSealed), nodeChacha.seal());
assert.deepEqual(Buffer.from(cOpen()), plaintext);

// WebAssembly: key, aad, nonce, then the message, in the module's memory.
const simd = simdCipher();
if (simd === null) throw new Error("WebAssembly SIMD is not available here");
const K = SIMD_FREE;
const A = K + 32;
const N = A + 64;
const M = N + 24;
const wSeal = () => {
  simd.bytes.set(rawKey, K);
  simd.bytes.set(aad, A);
  simd.bytes.set(nonce24, N);
  simd.bytes.set(plaintext, M);
  simd.seal(K, N, A, aad.length, M, LENGTH);
  return simd.bytes;
};
const wSealed = Buffer.alloc(LENGTH + 16);
const wOpen = () => {
  simd.bytes.set(rawKey, K);
  simd.bytes.set(aad, A);
  simd.bytes.set(nonce24, N);
  simd.bytes.set(wSealed, M);
  if (simd.open(K, N, A, aad.length, M, LENGTH + 16) !== 1) throw new Error();
  return simd.bytes;
};
wSeal();
simd.bytes.copy(wSealed, 0, M, M + LENGTH + 16);
// Same key and nonce: the WebAssembly and TypeScript ciphers agree byte for byte.
assert.deepEqual(wSealed, Buffer.from(xSealed));
wOpen();
assert.deepEqual(simd.bytes.subarray(M, M + LENGTH), plaintext);

const title = `${LENGTH}-byte plaintext, ${aad.length}-byte aad`;
compare(
  `seal, ${title}`,
  [
    { name: "node aes-256-gcm (KeyObject)", fn: aes.seal },
    { name: "node chacha20-poly1305 (KeyObject)", fn: nodeChacha.seal },
    { name: "xchachaSeal (ours)", fn: xSeal },
    { name: "chacha20Poly1305Seal (ours, 12-byte nonce)", fn: cSeal },
    { name: "xchacha seal (ours, WebAssembly SIMD)", fn: wSeal },
  ],
  options,
);
compare(
  `open, ${title}`,
  [
    { name: "node aes-256-gcm (KeyObject)", fn: aes.open },
    { name: "node chacha20-poly1305 (KeyObject)", fn: nodeChacha.open },
    { name: "xchachaOpen (ours)", fn: xOpen },
    { name: "chacha20Poly1305Open (ours, 12-byte nonce)", fn: cOpen },
    { name: "xchacha open (ours, WebAssembly SIMD)", fn: wOpen },
  ],
  options,
);
const both = (seal: () => unknown, open: () => unknown) => () => {
  seal();
  return open();
};
compare(
  `seal + open, ${title}`,
  [
    { name: "node aes-256-gcm (KeyObject)", fn: both(aes.seal, aes.open) },
    { name: "node chacha20-poly1305 (KeyObject)", fn: both(nodeChacha.seal, nodeChacha.open) },
    { name: "xchachaSeal + xchachaOpen (ours)", fn: both(xSeal, xOpen) },
    { name: "xchacha seal + open (ours, WebAssembly SIMD)", fn: both(wSeal, wOpen) },
  ],
  options,
);
