// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) over ChaCha20 and Poly1305
// (RFC 8439), in plain TypeScript. node:crypto builds a cipher object for every
// call, which costs more than the cryptography itself for a cookie-sized
// message; this runs the same algorithms without allocating per call (the
// one exception: a DataView when an ArrayBuffer not seen lately comes in, see
// viewOf).
//
// Scratch state lives at module level. That is safe because every function
// here runs to completion synchronously (JavaScript is single-threaded and
// nothing here awaits or calls back into user code), so no call can observe
// another's scratch. The state is not wiped after use.

const SIGMA0 = 0x61707865; // "expa"
const SIGMA1 = 0x3320646e; // "nd 3"
const SIGMA2 = 0x79622d32; // "2-by"
const SIGMA3 = 0x6b206574; // "te k"

// Poly1305 limb weights 2^22, 2^44, 2^65, 2^87, 2^109 (see polyInit), and
// 5 / 2^130 for products past 2^130 (2^130 = 5 mod 2^130 - 5).
const S1 = 2 ** 22;
const S2 = 2 ** 44;
const S3 = 2 ** 65;
const S4 = 2 ** 87;
const S5 = 2 ** 109;
const W5 = 5 * 2 ** -130;
/** 2^-32: the high word of a length, the carry out of a 32-bit sum. */
const INV32 = 2 ** -32;
// Adding then subtracting 1.5 * 2^(52 + p) rounds a double of magnitude
// below 2^(51 + p) to the nearest multiple of 2^p, exactly: the carry out of a
// limb into the one at weight 2^p, without a branch or a conversion.
const K1 = 1.5 * 2 ** 74;
const K2 = 1.5 * 2 ** 96;
const K3 = 1.5 * 2 ** 117;
const K4 = 1.5 * 2 ** 139;
const K5 = 1.5 * 2 ** 161;
const K6 = 1.5 * 2 ** 182;

/** One ChaCha20 block: the Poly1305 key, HChaCha20's output, a final partial block. */
const block = new Int32Array(16);
/** The XChaCha20 subkey of the current call. */
const subkey = new Uint32Array(8);
/**
 * Poly1305: the accumulator's limbs (0-5), r's limbs (6-11), s as four words
 * (12-15), r's limbs times 5 / 2^130 (17-21; 16 unused). See polyInit.
 */
const poly = new Float64Array(22);
/** A 16-byte Poly1305 block: padded tails and the two lengths. */
const padBuffer = new ArrayBuffer(16);
const pad = new Uint8Array(padBuffer);
const padView = new DataView(padBuffer);
/** The tag computed by open, compared with the received one. */
const expected = new Uint8Array(16);

// 32-bit loads and stores at any byte offset go through DataViews: measured,
// ChaCha20 over 4 blocks takes about 15% less time than with byte-by-byte
// XOR, and a 250-byte seal about 12% less. Creating a view per call would
// allocate (and cost back most of that), so the views over the last few
// ArrayBuffers are kept; Node's Buffers under 4 KiB share an 8 KiB pool, so
// hits are the rule. Only buffers up to 64 KiB are kept: at most 256 KiB
// stays referenced.
const VIEWS = 4;
const viewBuffers: (ArrayBufferLike | undefined)[] = [undefined, undefined, undefined, undefined];
const views: DataView[] = [];
let nextView = 0;

function viewOf(bytes: Uint8Array): DataView {
  const buffer = bytes.buffer;
  for (let i = 0; i < VIEWS; i++) if (viewBuffers[i] === buffer) return views[i]!;
  const view = new DataView(buffer);
  if (buffer.byteLength <= 65536) {
    viewBuffers[nextView] = buffer;
    views[nextView] = view;
    nextView = (nextView + 1) % VIEWS;
  }
  return view;
}

function le32(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

function checkRange(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > bytes.length
  ) {
    throw new RangeError(
      `${what}: ${length} bytes at offset ${offset} do not fit in ${bytes.length}`,
    );
  }
}

function checkKey(key: Uint32Array): void {
  if (key.length !== 8) throw new RangeError("key: expected the 8 words from prepareKey");
}

// RFC 8439 §2.3: state = constants | key | counter | nonce (little-endian
// words), 20 rounds, then the input state added word by word.
// draft-irtf-cfrg-xchacha-03 §2.2: HChaCha20 puts a 128-bit nonce in words
// 12..15 and skips the final addition (feedForward false).
function core(
  key: Uint32Array,
  w12: number,
  w13: number,
  w14: number,
  w15: number,
  feedForward: boolean,
): void {
  let x0 = SIGMA0;
  let x1 = SIGMA1;
  let x2 = SIGMA2;
  let x3 = SIGMA3;
  let x4 = key[0]! | 0;
  let x5 = key[1]! | 0;
  let x6 = key[2]! | 0;
  let x7 = key[3]! | 0;
  let x8 = key[4]! | 0;
  let x9 = key[5]! | 0;
  let x10 = key[6]! | 0;
  let x11 = key[7]! | 0;
  let x12 = w12;
  let x13 = w13;
  let x14 = w14;
  let x15 = w15;
  // biome-ignore format: one quarter round per line (RFC 8439 §2.1), columns then diagonals (§2.3)
  for (let i = 0; i < 10; i++) {
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20); x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20); x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20); x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20); x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20); x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20); x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20); x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20); x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
  }
  if (feedForward) {
    x0 = (x0 + SIGMA0) | 0;
    x1 = (x1 + SIGMA1) | 0;
    x2 = (x2 + SIGMA2) | 0;
    x3 = (x3 + SIGMA3) | 0;
    x4 = (x4 + key[0]!) | 0;
    x5 = (x5 + key[1]!) | 0;
    x6 = (x6 + key[2]!) | 0;
    x7 = (x7 + key[3]!) | 0;
    x8 = (x8 + key[4]!) | 0;
    x9 = (x9 + key[5]!) | 0;
    x10 = (x10 + key[6]!) | 0;
    x11 = (x11 + key[7]!) | 0;
    x12 = (x12 + w12) | 0;
    x13 = (x13 + w13) | 0;
    x14 = (x14 + w14) | 0;
    x15 = (x15 + w15) | 0;
  }
  block[0] = x0;
  block[1] = x1;
  block[2] = x2;
  block[3] = x3;
  block[4] = x4;
  block[5] = x5;
  block[6] = x6;
  block[7] = x7;
  block[8] = x8;
  block[9] = x9;
  block[10] = x10;
  block[11] = x11;
  block[12] = x12;
  block[13] = x13;
  block[14] = x14;
  block[15] = x15;
}

// RFC 8439 §2.4: the keystream is the serialized blocks for counter,
// counter + 1, ...; it is XORed into the input, and the tail of the last
// block is discarded. The rounds of `core` are repeated here, not called:
// the state stays in locals and each keystream word goes straight into the
// XOR, which is most of a seal's time (see bench/xchacha.bench.ts).
function chachaXor(
  key: Uint32Array,
  counter: number,
  n0: number,
  n1: number,
  n2: number,
  inp: Uint8Array,
  ip: number,
  out: Uint8Array,
  op: number,
  len: number,
): void {
  const k0 = key[0]! | 0;
  const k1 = key[1]! | 0;
  const k2 = key[2]! | 0;
  const k3 = key[3]! | 0;
  const k4 = key[4]! | 0;
  const k5 = key[5]! | 0;
  const k6 = key[6]! | 0;
  const k7 = key[7]! | 0;
  // Whole blocks go 32 bits at a time through DataViews, a final partial
  // block byte by byte.
  const iv = len >= 64 ? viewOf(inp) : padView;
  const ov = len >= 64 ? viewOf(out) : padView;
  let io = inp.byteOffset + ip;
  let oo = out.byteOffset + op;
  for (; len > 0; counter = (counter + 1) | 0) {
    let x0 = SIGMA0;
    let x1 = SIGMA1;
    let x2 = SIGMA2;
    let x3 = SIGMA3;
    let x4 = k0;
    let x5 = k1;
    let x6 = k2;
    let x7 = k3;
    let x8 = k4;
    let x9 = k5;
    let x10 = k6;
    let x11 = k7;
    let x12 = counter;
    let x13 = n0;
    let x14 = n1;
    let x15 = n2;
    // biome-ignore format: one quarter round per line (RFC 8439 §2.1), columns then diagonals (§2.3)
    for (let i = 0; i < 10; i++) {
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20); x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20); x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20); x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20); x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20); x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20); x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20); x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20); x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
    }
    x0 = (x0 + SIGMA0) | 0;
    x1 = (x1 + SIGMA1) | 0;
    x2 = (x2 + SIGMA2) | 0;
    x3 = (x3 + SIGMA3) | 0;
    x4 = (x4 + k0) | 0;
    x5 = (x5 + k1) | 0;
    x6 = (x6 + k2) | 0;
    x7 = (x7 + k3) | 0;
    x8 = (x8 + k4) | 0;
    x9 = (x9 + k5) | 0;
    x10 = (x10 + k6) | 0;
    x11 = (x11 + k7) | 0;
    x12 = (x12 + counter) | 0;
    x13 = (x13 + n0) | 0;
    x14 = (x14 + n1) | 0;
    x15 = (x15 + n2) | 0;
    if (len >= 64) {
      ov.setInt32(oo, iv.getInt32(io, true) ^ x0, true);
      ov.setInt32(oo + 4, iv.getInt32(io + 4, true) ^ x1, true);
      ov.setInt32(oo + 8, iv.getInt32(io + 8, true) ^ x2, true);
      ov.setInt32(oo + 12, iv.getInt32(io + 12, true) ^ x3, true);
      ov.setInt32(oo + 16, iv.getInt32(io + 16, true) ^ x4, true);
      ov.setInt32(oo + 20, iv.getInt32(io + 20, true) ^ x5, true);
      ov.setInt32(oo + 24, iv.getInt32(io + 24, true) ^ x6, true);
      ov.setInt32(oo + 28, iv.getInt32(io + 28, true) ^ x7, true);
      ov.setInt32(oo + 32, iv.getInt32(io + 32, true) ^ x8, true);
      ov.setInt32(oo + 36, iv.getInt32(io + 36, true) ^ x9, true);
      ov.setInt32(oo + 40, iv.getInt32(io + 40, true) ^ x10, true);
      ov.setInt32(oo + 44, iv.getInt32(io + 44, true) ^ x11, true);
      ov.setInt32(oo + 48, iv.getInt32(io + 48, true) ^ x12, true);
      ov.setInt32(oo + 52, iv.getInt32(io + 52, true) ^ x13, true);
      ov.setInt32(oo + 56, iv.getInt32(io + 56, true) ^ x14, true);
      ov.setInt32(oo + 60, iv.getInt32(io + 60, true) ^ x15, true);
      ip += 64;
      op += 64;
      io += 64;
      oo += 64;
      len -= 64;
    } else {
      block[0] = x0;
      block[1] = x1;
      block[2] = x2;
      block[3] = x3;
      block[4] = x4;
      block[5] = x5;
      block[6] = x6;
      block[7] = x7;
      block[8] = x8;
      block[9] = x9;
      block[10] = x10;
      block[11] = x11;
      block[12] = x12;
      block[13] = x13;
      block[14] = x14;
      block[15] = x15;
      for (let i = 0; i < len; i++) {
        out[op + i] = inp[ip + i]! ^ (block[i >> 2]! >>> ((i & 3) << 3));
      }
      len = 0;
    }
  }
}

// RFC 8439 §2.5: r (the first 16 key bytes, little-endian) is clamped with
// 0x0ffffffc0ffffffc0ffffffc0fffffff; s (the last 16) is added at the end.
//
// Numbers mod P = 2^130 - 5 are six limbs at weights 2^0, 2^22, 2^44, 2^65,
// 2^87, 2^109 (2^ceil(130k/6): 22, 22, 21, 22, 22, 21 bits), each held as a
// double *with its weight in it* (limb k is an integer times 2^p(k)). So
// limb i times limb j needs no shift: it lands at weight p(i) + p(j), which is
// p(i + j) or one bit above; past 2^130 it wraps around times 5 / 2^130
// (2^130 = 5 mod P), which r's "w" limbs carry precomputed. Every product
// and sum is an integer below 2^53 times the weight of its limb, hence exact.
function polyInit(r0: number, r1: number, r2: number, r3: number, s: Int32Array, so: number): void {
  r0 &= 0x0fffffff;
  r1 &= 0x0ffffffc;
  r2 &= 0x0ffffffc;
  r3 &= 0x0ffffffc;
  poly[0] = 0;
  poly[1] = 0;
  poly[2] = 0;
  poly[3] = 0;
  poly[4] = 0;
  poly[5] = 0;
  const l0 = r0 & 0x3fffff;
  const l1 = (r0 >>> 22) | ((r1 & 0xfff) << 10);
  const l2 = (r1 >>> 12) | ((r2 & 1) << 20);
  const l3 = (r2 >>> 1) & 0x3fffff;
  const l4 = (r2 >>> 23) | ((r3 & 0x1fff) << 9);
  const l5 = r3 >>> 13;
  poly[6] = l0;
  poly[7] = l1 * S1;
  poly[8] = l2 * S2;
  poly[9] = l3 * S3;
  poly[10] = l4 * S4;
  poly[11] = l5 * S5;
  poly[12] = s[so]!;
  poly[13] = s[so + 1]!;
  poly[14] = s[so + 2]!;
  poly[15] = s[so + 3]!;
  // Past 2^130 a product wraps around times 5 (2^130 = 5 mod P).
  poly[17] = l1 * S1 * W5;
  poly[18] = l2 * S2 * W5;
  poly[19] = l3 * S3 * W5;
  poly[20] = l4 * S4 * W5;
  poly[21] = l5 * S5 * W5;
}

// RFC 8439 §2.5: for each 16-byte block, Acc = ((Acc + block + hibit * 2^128) * r) % P,
// only partly reduced here. hibit is 1 for a full block, 0 for the final
// short block of the plain MAC (which carries its own 0x01 byte).
// Bounds, in units of each limb's weight: after the carries a limb is within
// +-(2^21 + 2^12); adding the block's limb (< 2^22) gives |h| < 2^22.6; r's
// limbs are < 2^22, times at most 10 (5 for the wrap, 2 for the extra bit),
// so a product is < 2^48 and a sum of six < 2^50.6, exact. The carries round
// to nearest (K1..K6), so limbs come out balanced: two parallel rounds (one
// chain each, shorter than a serial carry chain) bring the limbs from 2^50.6
// to below 2^32 (2^21 plus a carry, times 5 into limb 0), then 2^21 + 2^12.
function polyBlocks(m: DataView, o: number, blocks: number, hibit: number): void {
  let h0 = poly[0]!;
  let h1 = poly[1]!;
  let h2 = poly[2]!;
  let h3 = poly[3]!;
  let h4 = poly[4]!;
  let h5 = poly[5]!;
  const r0 = poly[6]!;
  const r1 = poly[7]!;
  const r2 = poly[8]!;
  const r3 = poly[9]!;
  const r4 = poly[10]!;
  const r5 = poly[11]!;
  const w1 = poly[17]!;
  const w2 = poly[18]!;
  const w3 = poly[19]!;
  const w4 = poly[20]!;
  const w5 = poly[21]!;
  const hi = hibit << 19;
  for (; blocks > 0; blocks--, o += 16) {
    const m0 = m.getInt32(o, true);
    const m1 = m.getInt32(o + 4, true);
    const m2 = m.getInt32(o + 8, true);
    const m3 = m.getInt32(o + 12, true);
    h0 += m0 & 0x3fffff;
    h1 += ((m0 >>> 22) | ((m1 & 0xfff) << 10)) * S1;
    h2 += ((m1 >>> 12) | ((m2 & 1) << 20)) * S2;
    h3 += ((m2 >>> 1) & 0x3fffff) * S3;
    h4 += ((m2 >>> 23) | ((m3 & 0x1fff) << 9)) * S4;
    h5 += ((m3 >>> 13) | hi) * S5;
    let d0 = h0 * r0 + h1 * w5 + (h2 * w4 + h3 * w3) + (h4 * w2 + h5 * w1);
    let d1 = h0 * r1 + h1 * r0 + (h2 * w5 + h3 * w4) + (h4 * w3 + h5 * w2);
    let d2 = h0 * r2 + h1 * r1 + (h2 * r0 + h3 * w5) + (h4 * w4 + h5 * w3);
    let d3 = h0 * r3 + h1 * r2 + (h2 * r1 + h3 * r0) + (h4 * w5 + h5 * w4);
    let d4 = h0 * r4 + h1 * r3 + (h2 * r2 + h3 * r1) + (h4 * r0 + h5 * w5);
    let d5 = h0 * r5 + h1 * r4 + (h2 * r3 + h3 * r2) + (h4 * r1 + h5 * r0);
    let c0 = d0 + K1 - K1;
    let c1 = d1 + K2 - K2;
    let c2 = d2 + K3 - K3;
    let c3 = d3 + K4 - K4;
    let c4 = d4 + K5 - K5;
    let c5 = d5 + K6 - K6;
    d0 = d0 - c0 + c5 * W5;
    d1 = d1 - c1 + c0;
    d2 = d2 - c2 + c1;
    d3 = d3 - c3 + c2;
    d4 = d4 - c4 + c3;
    d5 = d5 - c5 + c4;
    c0 = d0 + K1 - K1;
    c1 = d1 + K2 - K2;
    c2 = d2 + K3 - K3;
    c3 = d3 + K4 - K4;
    c4 = d4 + K5 - K5;
    c5 = d5 + K6 - K6;
    h0 = d0 - c0 + c5 * W5;
    h1 = d1 - c1 + c0;
    h2 = d2 - c2 + c1;
    h3 = d3 - c3 + c2;
    h4 = d4 - c4 + c3;
    h5 = d5 - c5 + c4;
  }
  poly[0] = h0;
  poly[1] = h1;
  poly[2] = h2;
  poly[3] = h3;
  poly[4] = h4;
  poly[5] = h5;
}

// RFC 8439 §2.5: the accumulator fully reduced mod P, plus s, mod 2^128,
// little-endian. Constant time: carries by shifts, h - P chosen by a mask.
function polyFinish(dst: Uint8Array, o: number): void {
  let h0 = poly[0]! | 0;
  let h1 = (poly[1]! / S1) | 0;
  let h2 = (poly[2]! / S2) | 0;
  let h3 = (poly[3]! / S3) | 0;
  let h4 = (poly[4]! / S4) | 0;
  let h5 = (poly[5]! / S5) | 0;
  let c = 0;
  // The limbs are signed; carrying by arithmetic shifts (floor) and wrapping
  // the top carry around times 5 gives h mod 2^130 - 5 in [0, 2^130) with
  // every limb in range after two passes; the third is a spare.
  for (let i = 0; i < 3; i++) {
    c = h0 >> 22;
    h0 &= 0x3fffff;
    h1 += c;
    c = h1 >> 22;
    h1 &= 0x3fffff;
    h2 += c;
    c = h2 >> 21;
    h2 &= 0x1fffff;
    h3 += c;
    c = h3 >> 22;
    h3 &= 0x3fffff;
    h4 += c;
    c = h4 >> 22;
    h4 &= 0x3fffff;
    h5 += c;
    c = h5 >> 21;
    h5 &= 0x1fffff;
    h0 += c * 5;
  }
  // g = h + 5 - 2^130; h >= P exactly when g does not borrow (bit 130 of h + 5).
  // With the balanced limbs polyBlocks leaves, |h| < 2^129.01 before the
  // passes, so h is already below P here; this keeps the result right
  // without leaning on that bound.
  let g0 = h0 + 5;
  c = g0 >>> 22;
  g0 &= 0x3fffff;
  let g1 = h1 + c;
  c = g1 >>> 22;
  g1 &= 0x3fffff;
  let g2 = h2 + c;
  c = g2 >>> 21;
  g2 &= 0x1fffff;
  let g3 = h3 + c;
  c = g3 >>> 22;
  g3 &= 0x3fffff;
  let g4 = h4 + c;
  c = g4 >>> 22;
  g4 &= 0x3fffff;
  let g5 = h5 + c;
  c = g5 >>> 21;
  g5 &= 0x1fffff;
  const mask = -c;
  h0 = (h0 & ~mask) | (g0 & mask);
  h1 = (h1 & ~mask) | (g1 & mask);
  h2 = (h2 & ~mask) | (g2 & mask);
  h3 = (h3 & ~mask) | (g3 & mask);
  h4 = (h4 & ~mask) | (g4 & mask);
  h5 = (h5 & ~mask) | (g5 & mask);
  // The low 128 bits as words, plus s with carries.
  let t = ((h0 | (h1 << 22)) >>> 0) + (poly[12]! >>> 0);
  dst[o] = t;
  dst[o + 1] = t >>> 8;
  dst[o + 2] = t >>> 16;
  dst[o + 3] = t >>> 24;
  t = (((h1 >>> 10) | (h2 << 12)) >>> 0) + (poly[13]! >>> 0) + ((t * INV32) | 0);
  dst[o + 4] = t;
  dst[o + 5] = t >>> 8;
  dst[o + 6] = t >>> 16;
  dst[o + 7] = t >>> 24;
  t = (((h2 >>> 20) | (h3 << 1) | (h4 << 23)) >>> 0) + (poly[14]! >>> 0) + ((t * INV32) | 0);
  dst[o + 8] = t;
  dst[o + 9] = t >>> 8;
  dst[o + 10] = t >>> 16;
  dst[o + 11] = t >>> 24;
  t = (((h4 >>> 9) | (h5 << 13)) >>> 0) + (poly[15]! >>> 0) + ((t * INV32) | 0);
  dst[o + 12] = t;
  dst[o + 13] = t >>> 8;
  dst[o + 14] = t >>> 16;
  dst[o + 15] = t >>> 24;
}

// RFC 8439 §2.8: the MAC runs over a piece then zeros up to a multiple of 16.
function macPadded(m: Uint8Array, o: number, len: number): void {
  const full = Math.floor(len / 16);
  if (full > 0) polyBlocks(viewOf(m), m.byteOffset + o, full, 1);
  const rest = len - full * 16;
  if (rest !== 0) {
    o += full * 16;
    for (let i = 0; i < 16; i++) pad[i] = i < rest ? m[o + i]! : 0;
    polyBlocks(padView, 0, 1, 1);
  }
}

// RFC 8439 §2.8: mac_data = aad | pad16 | ciphertext | pad16 |
// le64(aad length) | le64(ciphertext length), fed piece by piece.
function macAead(
  aad: Uint8Array,
  ct: Uint8Array,
  co: number,
  clen: number,
  dst: Uint8Array,
  o: number,
): void {
  const alen = aad.length;
  macPadded(aad, 0, alen);
  macPadded(ct, co, clen);
  const ahi = (alen * INV32) >>> 0;
  const chi = (clen * INV32) >>> 0;
  pad[0] = alen;
  pad[1] = alen >>> 8;
  pad[2] = alen >>> 16;
  pad[3] = alen >>> 24;
  pad[4] = ahi;
  pad[5] = ahi >>> 8;
  pad[6] = ahi >>> 16;
  pad[7] = ahi >>> 24;
  pad[8] = clen;
  pad[9] = clen >>> 8;
  pad[10] = clen >>> 16;
  pad[11] = clen >>> 24;
  pad[12] = chi;
  pad[13] = chi >>> 8;
  pad[14] = chi >>> 16;
  pad[15] = chi >>> 24;
  polyBlocks(padView, 0, 1, 1);
  polyFinish(dst, o);
}

// RFC 8439 §2.8 (with §2.6: the Poly1305 key is the first 32 bytes of block 0;
// encryption starts at block 1).
function seal(
  key: Uint32Array,
  n0: number,
  n1: number,
  n2: number,
  aad: Uint8Array,
  input: Uint8Array,
  ip: number,
  len: number,
  out: Uint8Array,
  op: number,
): void {
  core(key, 0, n0, n1, n2, true);
  polyInit(block[0]!, block[1]!, block[2]!, block[3]!, block, 4);
  chachaXor(key, 1, n0, n1, n2, input, ip, out, op, len);
  macAead(aad, out, op, len, out, op + len);
}

// RFC 8439 §2.8, decryption: the tag is computed over the ciphertext and
// compared in constant time (§4) before anything is decrypted.
function open(
  key: Uint32Array,
  n0: number,
  n1: number,
  n2: number,
  aad: Uint8Array,
  input: Uint8Array,
  ip: number,
  len: number,
  out: Uint8Array,
  op: number,
): boolean {
  const clen = len - 16;
  core(key, 0, n0, n1, n2, true);
  polyInit(block[0]!, block[1]!, block[2]!, block[3]!, block, 4);
  macAead(aad, input, ip, clen, expected, 0);
  const t = ip + clen;
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= expected[i]! ^ input[t + i]!;
  if (diff !== 0) return false;
  chachaXor(key, 1, n0, n1, n2, input, ip, out, op, clen);
  return true;
}

/**
 * A 32-byte key prepared once: its eight little-endian 32-bit words.
 * Throws a RangeError unless the key is exactly 32 bytes.
 *
 * @example
 * const key = prepareKey(randomBytes(32));
 * xchachaSeal(key, nonce, 0, aad, plaintext, 0, plaintext.length, out, 0);
 */
export function prepareKey(key: Uint8Array): Uint32Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new RangeError("key: expected 32 bytes");
  }
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) words[i] = le32(key, 4 * i);
  return words;
}

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2): derives a subkey from a key and
 * the 16 nonce bytes at `nonceOffset`, written to `out` as eight
 * little-endian words (`prepareKey` form).
 *
 * @example
 * const sub = new Uint32Array(8);
 * hchacha20(prepareKey(key), nonce24, 0, sub); // the XChaCha20 subkey
 */
export function hchacha20(
  key: Uint32Array,
  nonce16: Uint8Array,
  nonceOffset: number,
  out: Uint32Array,
): void {
  checkKey(key);
  checkRange(nonce16, nonceOffset, 16, "nonce");
  if (out.length < 8) throw new RangeError("out: expected 8 words");
  core(
    key,
    le32(nonce16, nonceOffset),
    le32(nonce16, nonceOffset + 4),
    le32(nonce16, nonceOffset + 8),
    le32(nonce16, nonceOffset + 12),
    false,
  );
  out[0] = block[0]!;
  out[1] = block[1]!;
  out[2] = block[2]!;
  out[3] = block[3]!;
  out[4] = block[12]!;
  out[5] = block[13]!;
  out[6] = block[14]!;
  out[7] = block[15]!;
}

/**
 * The ChaCha20 stream cipher (RFC 8439 §2.4) with a 12-byte nonce: XORs the
 * keystream from block `counter` on into `length` bytes of `input` at
 * `inputOffset`, writing to `out` at `outOffset` (which may be the same place).
 *
 * @example
 * const keystream = new Uint8Array(64);
 * chacha20(prepareKey(key), nonce12, 0, 1, keystream, 0, 64, keystream, 0);
 */
export function chacha20(
  key: Uint32Array,
  nonce: Uint8Array,
  nonceOffset: number,
  counter: number,
  input: Uint8Array,
  inputOffset: number,
  length: number,
  out: Uint8Array,
  outOffset: number,
): void {
  checkKey(key);
  checkRange(nonce, nonceOffset, 12, "nonce");
  checkRange(input, inputOffset, length, "input");
  checkRange(out, outOffset, length, "out");
  chachaXor(
    key,
    counter | 0,
    le32(nonce, nonceOffset),
    le32(nonce, nonceOffset + 4),
    le32(nonce, nonceOffset + 8),
    input,
    inputOffset,
    out,
    outOffset,
    length,
  );
}

/**
 * Poly1305 (RFC 8439 §2.5) of a whole message under a 32-byte one-time key.
 * For tests: it allocates its result.
 *
 * @example
 * poly1305(oneTimeKey, new TextEncoder().encode("Cryptographic Forum Research Group"));
 */
export function poly1305(key32: Uint8Array, msg: Uint8Array): Uint8Array {
  if (key32.length !== 32) throw new RangeError("key: expected 32 bytes");
  const s = new Int32Array(4);
  for (let i = 0; i < 4; i++) s[i] = le32(key32, 16 + 4 * i);
  polyInit(le32(key32, 0), le32(key32, 4), le32(key32, 8), le32(key32, 12), s, 0);
  const full = Math.floor(msg.length / 16);
  if (full > 0) polyBlocks(viewOf(msg), msg.byteOffset, full, 1);
  const rest = msg.length - full * 16;
  if (rest !== 0) {
    // The short last block: its bytes, a 0x01 byte, zeros (no 2^128 bit).
    for (let i = 0; i < 16; i++) pad[i] = i < rest ? msg[full * 16 + i]! : i === rest ? 1 : 0;
    polyBlocks(padView, 0, 1, 0);
  }
  const tag = new Uint8Array(16);
  polyFinish(tag, 0);
  return tag;
}

/**
 * AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8) with a 12-byte nonce: encrypts
 * `length` bytes of `input` at `inputOffset` and writes ciphertext || tag
 * (`length + 16` bytes) to `out` at `outOffset`. `out` may be `input` at the
 * same offset (in place); other overlaps are not supported.
 *
 * @example
 * const out = new Uint8Array(plaintext.length + 16);
 * chacha20Poly1305Seal(prepareKey(key), nonce12, 0, aad, plaintext, 0, plaintext.length, out, 0);
 */
export function chacha20Poly1305Seal(
  key: Uint32Array,
  nonce: Uint8Array,
  nonceOffset: number,
  aad: Uint8Array,
  input: Uint8Array,
  inputOffset: number,
  length: number,
  out: Uint8Array,
  outOffset: number,
): void {
  checkKey(key);
  checkRange(nonce, nonceOffset, 12, "nonce");
  checkRange(input, inputOffset, length, "input");
  checkRange(out, outOffset, length + 16, "out");
  seal(
    key,
    le32(nonce, nonceOffset),
    le32(nonce, nonceOffset + 4),
    le32(nonce, nonceOffset + 8),
    aad,
    input,
    inputOffset,
    length,
    out,
    outOffset,
  );
}

/**
 * Opens AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8) with a 12-byte nonce: `length`
 * bytes at `inputOffset` are ciphertext || tag. The tag is checked in constant
 * time before anything is decrypted; on success the `length - 16` plaintext
 * bytes go to `out` at `outOffset` and it returns true, otherwise it returns
 * false and writes nothing.
 *
 * @example
 * const plain = new Uint8Array(sealed.length - 16);
 * if (!chacha20Poly1305Open(key, nonce12, 0, aad, sealed, 0, sealed.length, plain, 0)) reject();
 */
export function chacha20Poly1305Open(
  key: Uint32Array,
  nonce: Uint8Array,
  nonceOffset: number,
  aad: Uint8Array,
  input: Uint8Array,
  inputOffset: number,
  length: number,
  out: Uint8Array,
  outOffset: number,
): boolean {
  checkKey(key);
  checkRange(nonce, nonceOffset, 12, "nonce");
  checkRange(input, inputOffset, length, "input");
  if (length < 16) return false;
  checkRange(out, outOffset, length - 16, "out");
  return open(
    key,
    le32(nonce, nonceOffset),
    le32(nonce, nonceOffset + 4),
    le32(nonce, nonceOffset + 8),
    aad,
    input,
    inputOffset,
    length,
    out,
    outOffset,
  );
}

/**
 * AEAD_XChaCha20_Poly1305 (draft-irtf-cfrg-xchacha-03 §2): encrypts `length`
 * bytes of `input` at `inputOffset` under a 24-byte nonce (random nonces are
 * safe) and writes ciphertext || tag (`length + 16` bytes) to `out` at
 * `outOffset`. `out` may be `input` at the same offset (in place).
 *
 * @example
 * const key = prepareKey(randomBytes(32));
 * const nonce = randomBytes(24);
 * const out = new Uint8Array(plaintext.length + 16);
 * xchachaSeal(key, nonce, 0, aad, plaintext, 0, plaintext.length, out, 0);
 */
export function xchachaSeal(
  key: Uint32Array,
  nonce: Uint8Array,
  nonceOffset: number,
  aad: Uint8Array,
  input: Uint8Array,
  inputOffset: number,
  length: number,
  out: Uint8Array,
  outOffset: number,
): void {
  checkKey(key);
  checkRange(nonce, nonceOffset, 24, "nonce");
  checkRange(input, inputOffset, length, "input");
  checkRange(out, outOffset, length + 16, "out");
  xSubkey(key, nonce, nonceOffset);
  seal(
    subkey,
    0,
    le32(nonce, nonceOffset + 16),
    le32(nonce, nonceOffset + 20),
    aad,
    input,
    inputOffset,
    length,
    out,
    outOffset,
  );
}

/**
 * Opens AEAD_XChaCha20_Poly1305 (draft-irtf-cfrg-xchacha-03 §2): `length`
 * bytes at `inputOffset` are ciphertext || tag. The tag is checked in constant
 * time before anything is decrypted; on success the `length - 16` plaintext
 * bytes go to `out` at `outOffset` (which may be `inputOffset` of the same
 * buffer) and it returns true, otherwise it returns false and writes nothing.
 *
 * @example
 * const plain = new Uint8Array(sealed.length - 16);
 * if (!xchachaOpen(key, nonce, 0, aad, sealed, 0, sealed.length, plain, 0)) return null;
 */
export function xchachaOpen(
  key: Uint32Array,
  nonce: Uint8Array,
  nonceOffset: number,
  aad: Uint8Array,
  input: Uint8Array,
  inputOffset: number,
  length: number,
  out: Uint8Array,
  outOffset: number,
): boolean {
  checkKey(key);
  checkRange(nonce, nonceOffset, 24, "nonce");
  checkRange(input, inputOffset, length, "input");
  if (length < 16) return false;
  checkRange(out, outOffset, length - 16, "out");
  xSubkey(key, nonce, nonceOffset);
  return open(
    subkey,
    0,
    le32(nonce, nonceOffset + 16),
    le32(nonce, nonceOffset + 20),
    aad,
    input,
    inputOffset,
    length,
    out,
    outOffset,
  );
}

// draft-irtf-cfrg-xchacha-03 §2.3: subkey = HChaCha20(key, nonce[0..16]); the
// ChaCha20 nonce is then 4 zero bytes | nonce[16..24].
function xSubkey(key: Uint32Array, nonce: Uint8Array, o: number): void {
  core(key, le32(nonce, o), le32(nonce, o + 4), le32(nonce, o + 8), le32(nonce, o + 12), false);
  subkey[0] = block[0]!;
  subkey[1] = block[1]!;
  subkey[2] = block[2]!;
  subkey[3] = block[3]!;
  subkey[4] = block[12]!;
  subkey[5] = block[13]!;
  subkey[6] = block[14]!;
  subkey[7] = block[15]!;
}
