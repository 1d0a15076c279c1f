// HMAC-SHA1 in TypeScript, for the Flask codec's signatures (itsdangerous
// signs with HMAC-SHA1). node:crypto's createHmac costs about 2.5 µs per
// call even with a KeyObject, nearly all of it setup (OpenSSL fetches the
// digest and builds a context each time), which is more than the hashing: a
// cookie is five or six 64-byte blocks. Here the key's inner and outer pad
// blocks are hashed once per key, and a call hashes the message and one
// outer block. The compression function is unrolled (80 rounds, message
// schedule in 16 locals); it is straight-line integer arithmetic with no
// branch or memory access that depends on the key or the data, so its time
// depends only on the message length. sha1.test.ts checks it against
// node:crypto.

const IV = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);

// SHA-1's compression function on the 64-byte block at m[off], into h.
function compress(h: Int32Array, m: DataView, off: number): void {
  let w0 = m.getInt32(off + 0);
  let w1 = m.getInt32(off + 4);
  let w2 = m.getInt32(off + 8);
  let w3 = m.getInt32(off + 12);
  let w4 = m.getInt32(off + 16);
  let w5 = m.getInt32(off + 20);
  let w6 = m.getInt32(off + 24);
  let w7 = m.getInt32(off + 28);
  let w8 = m.getInt32(off + 32);
  let w9 = m.getInt32(off + 36);
  let w10 = m.getInt32(off + 40);
  let w11 = m.getInt32(off + 44);
  let w12 = m.getInt32(off + 48);
  let w13 = m.getInt32(off + 52);
  let w14 = m.getInt32(off + 56);
  let w15 = m.getInt32(off + 60);
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let t = 0;
  // Each round: e += rotl(a, 5) + f(b, c, d) + w + k; b = rotl(b, 30); then
  // the names rotate (a b c d e → e a b c d) instead of the values.
  // rounds 0-19: Ch
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + w0 + 0x5a827999) | 0;
  b = (b << 30) | (b >>> 2);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + w1 + 0x5a827999) | 0;
  a = (a << 30) | (a >>> 2);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + w2 + 0x5a827999) | 0;
  e = (e << 30) | (e >>> 2);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + w3 + 0x5a827999) | 0;
  d = (d << 30) | (d >>> 2);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + w4 + 0x5a827999) | 0;
  c = (c << 30) | (c >>> 2);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + w5 + 0x5a827999) | 0;
  b = (b << 30) | (b >>> 2);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + w6 + 0x5a827999) | 0;
  a = (a << 30) | (a >>> 2);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + w7 + 0x5a827999) | 0;
  e = (e << 30) | (e >>> 2);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + w8 + 0x5a827999) | 0;
  d = (d << 30) | (d >>> 2);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + w9 + 0x5a827999) | 0;
  c = (c << 30) | (c >>> 2);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + w10 + 0x5a827999) | 0;
  b = (b << 30) | (b >>> 2);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + w11 + 0x5a827999) | 0;
  a = (a << 30) | (a >>> 2);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + w12 + 0x5a827999) | 0;
  e = (e << 30) | (e >>> 2);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + w13 + 0x5a827999) | 0;
  d = (d << 30) | (d >>> 2);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + w14 + 0x5a827999) | 0;
  c = (c << 30) | (c >>> 2);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + w15 + 0x5a827999) | 0;
  b = (b << 30) | (b >>> 2);
  t = w13 ^ w8 ^ w2 ^ w0;
  w0 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + w0 + 0x5a827999) | 0;
  a = (a << 30) | (a >>> 2);
  t = w14 ^ w9 ^ w3 ^ w1;
  w1 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + w1 + 0x5a827999) | 0;
  e = (e << 30) | (e >>> 2);
  t = w15 ^ w10 ^ w4 ^ w2;
  w2 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + w2 + 0x5a827999) | 0;
  d = (d << 30) | (d >>> 2);
  t = w0 ^ w11 ^ w5 ^ w3;
  w3 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + w3 + 0x5a827999) | 0;
  c = (c << 30) | (c >>> 2);
  // rounds 20-39: Parity
  t = w1 ^ w12 ^ w6 ^ w4;
  w4 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w4 + 0x6ed9eba1) | 0;
  b = (b << 30) | (b >>> 2);
  t = w2 ^ w13 ^ w7 ^ w5;
  w5 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w5 + 0x6ed9eba1) | 0;
  a = (a << 30) | (a >>> 2);
  t = w3 ^ w14 ^ w8 ^ w6;
  w6 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w6 + 0x6ed9eba1) | 0;
  e = (e << 30) | (e >>> 2);
  t = w4 ^ w15 ^ w9 ^ w7;
  w7 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w7 + 0x6ed9eba1) | 0;
  d = (d << 30) | (d >>> 2);
  t = w5 ^ w0 ^ w10 ^ w8;
  w8 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w8 + 0x6ed9eba1) | 0;
  c = (c << 30) | (c >>> 2);
  t = w6 ^ w1 ^ w11 ^ w9;
  w9 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w9 + 0x6ed9eba1) | 0;
  b = (b << 30) | (b >>> 2);
  t = w7 ^ w2 ^ w12 ^ w10;
  w10 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w10 + 0x6ed9eba1) | 0;
  a = (a << 30) | (a >>> 2);
  t = w8 ^ w3 ^ w13 ^ w11;
  w11 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w11 + 0x6ed9eba1) | 0;
  e = (e << 30) | (e >>> 2);
  t = w9 ^ w4 ^ w14 ^ w12;
  w12 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w12 + 0x6ed9eba1) | 0;
  d = (d << 30) | (d >>> 2);
  t = w10 ^ w5 ^ w15 ^ w13;
  w13 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w13 + 0x6ed9eba1) | 0;
  c = (c << 30) | (c >>> 2);
  t = w11 ^ w6 ^ w0 ^ w14;
  w14 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w14 + 0x6ed9eba1) | 0;
  b = (b << 30) | (b >>> 2);
  t = w12 ^ w7 ^ w1 ^ w15;
  w15 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w15 + 0x6ed9eba1) | 0;
  a = (a << 30) | (a >>> 2);
  t = w13 ^ w8 ^ w2 ^ w0;
  w0 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w0 + 0x6ed9eba1) | 0;
  e = (e << 30) | (e >>> 2);
  t = w14 ^ w9 ^ w3 ^ w1;
  w1 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w1 + 0x6ed9eba1) | 0;
  d = (d << 30) | (d >>> 2);
  t = w15 ^ w10 ^ w4 ^ w2;
  w2 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w2 + 0x6ed9eba1) | 0;
  c = (c << 30) | (c >>> 2);
  t = w0 ^ w11 ^ w5 ^ w3;
  w3 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w3 + 0x6ed9eba1) | 0;
  b = (b << 30) | (b >>> 2);
  t = w1 ^ w12 ^ w6 ^ w4;
  w4 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w4 + 0x6ed9eba1) | 0;
  a = (a << 30) | (a >>> 2);
  t = w2 ^ w13 ^ w7 ^ w5;
  w5 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w5 + 0x6ed9eba1) | 0;
  e = (e << 30) | (e >>> 2);
  t = w3 ^ w14 ^ w8 ^ w6;
  w6 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w6 + 0x6ed9eba1) | 0;
  d = (d << 30) | (d >>> 2);
  t = w4 ^ w15 ^ w9 ^ w7;
  w7 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w7 + 0x6ed9eba1) | 0;
  c = (c << 30) | (c >>> 2);
  // rounds 40-59: Maj
  t = w5 ^ w0 ^ w10 ^ w8;
  w8 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w8 - 0x70e44324) | 0;
  b = (b << 30) | (b >>> 2);
  t = w6 ^ w1 ^ w11 ^ w9;
  w9 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w9 - 0x70e44324) | 0;
  a = (a << 30) | (a >>> 2);
  t = w7 ^ w2 ^ w12 ^ w10;
  w10 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w10 - 0x70e44324) | 0;
  e = (e << 30) | (e >>> 2);
  t = w8 ^ w3 ^ w13 ^ w11;
  w11 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w11 - 0x70e44324) | 0;
  d = (d << 30) | (d >>> 2);
  t = w9 ^ w4 ^ w14 ^ w12;
  w12 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w12 - 0x70e44324) | 0;
  c = (c << 30) | (c >>> 2);
  t = w10 ^ w5 ^ w15 ^ w13;
  w13 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w13 - 0x70e44324) | 0;
  b = (b << 30) | (b >>> 2);
  t = w11 ^ w6 ^ w0 ^ w14;
  w14 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w14 - 0x70e44324) | 0;
  a = (a << 30) | (a >>> 2);
  t = w12 ^ w7 ^ w1 ^ w15;
  w15 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w15 - 0x70e44324) | 0;
  e = (e << 30) | (e >>> 2);
  t = w13 ^ w8 ^ w2 ^ w0;
  w0 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w0 - 0x70e44324) | 0;
  d = (d << 30) | (d >>> 2);
  t = w14 ^ w9 ^ w3 ^ w1;
  w1 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w1 - 0x70e44324) | 0;
  c = (c << 30) | (c >>> 2);
  t = w15 ^ w10 ^ w4 ^ w2;
  w2 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w2 - 0x70e44324) | 0;
  b = (b << 30) | (b >>> 2);
  t = w0 ^ w11 ^ w5 ^ w3;
  w3 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w3 - 0x70e44324) | 0;
  a = (a << 30) | (a >>> 2);
  t = w1 ^ w12 ^ w6 ^ w4;
  w4 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w4 - 0x70e44324) | 0;
  e = (e << 30) | (e >>> 2);
  t = w2 ^ w13 ^ w7 ^ w5;
  w5 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w5 - 0x70e44324) | 0;
  d = (d << 30) | (d >>> 2);
  t = w3 ^ w14 ^ w8 ^ w6;
  w6 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w6 - 0x70e44324) | 0;
  c = (c << 30) | (c >>> 2);
  t = w4 ^ w15 ^ w9 ^ w7;
  w7 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w7 - 0x70e44324) | 0;
  b = (b << 30) | (b >>> 2);
  t = w5 ^ w0 ^ w10 ^ w8;
  w8 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w8 - 0x70e44324) | 0;
  a = (a << 30) | (a >>> 2);
  t = w6 ^ w1 ^ w11 ^ w9;
  w9 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w9 - 0x70e44324) | 0;
  e = (e << 30) | (e >>> 2);
  t = w7 ^ w2 ^ w12 ^ w10;
  w10 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w10 - 0x70e44324) | 0;
  d = (d << 30) | (d >>> 2);
  t = w8 ^ w3 ^ w13 ^ w11;
  w11 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w11 - 0x70e44324) | 0;
  c = (c << 30) | (c >>> 2);
  // rounds 60-79: Parity
  t = w9 ^ w4 ^ w14 ^ w12;
  w12 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w12 - 0x359d3e2a) | 0;
  b = (b << 30) | (b >>> 2);
  t = w10 ^ w5 ^ w15 ^ w13;
  w13 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w13 - 0x359d3e2a) | 0;
  a = (a << 30) | (a >>> 2);
  t = w11 ^ w6 ^ w0 ^ w14;
  w14 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w14 - 0x359d3e2a) | 0;
  e = (e << 30) | (e >>> 2);
  t = w12 ^ w7 ^ w1 ^ w15;
  w15 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w15 - 0x359d3e2a) | 0;
  d = (d << 30) | (d >>> 2);
  t = w13 ^ w8 ^ w2 ^ w0;
  w0 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w0 - 0x359d3e2a) | 0;
  c = (c << 30) | (c >>> 2);
  t = w14 ^ w9 ^ w3 ^ w1;
  w1 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w1 - 0x359d3e2a) | 0;
  b = (b << 30) | (b >>> 2);
  t = w15 ^ w10 ^ w4 ^ w2;
  w2 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w2 - 0x359d3e2a) | 0;
  a = (a << 30) | (a >>> 2);
  t = w0 ^ w11 ^ w5 ^ w3;
  w3 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w3 - 0x359d3e2a) | 0;
  e = (e << 30) | (e >>> 2);
  t = w1 ^ w12 ^ w6 ^ w4;
  w4 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w4 - 0x359d3e2a) | 0;
  d = (d << 30) | (d >>> 2);
  t = w2 ^ w13 ^ w7 ^ w5;
  w5 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w5 - 0x359d3e2a) | 0;
  c = (c << 30) | (c >>> 2);
  t = w3 ^ w14 ^ w8 ^ w6;
  w6 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w6 - 0x359d3e2a) | 0;
  b = (b << 30) | (b >>> 2);
  t = w4 ^ w15 ^ w9 ^ w7;
  w7 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w7 - 0x359d3e2a) | 0;
  a = (a << 30) | (a >>> 2);
  t = w5 ^ w0 ^ w10 ^ w8;
  w8 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w8 - 0x359d3e2a) | 0;
  e = (e << 30) | (e >>> 2);
  t = w6 ^ w1 ^ w11 ^ w9;
  w9 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w9 - 0x359d3e2a) | 0;
  d = (d << 30) | (d >>> 2);
  t = w7 ^ w2 ^ w12 ^ w10;
  w10 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w10 - 0x359d3e2a) | 0;
  c = (c << 30) | (c >>> 2);
  t = w8 ^ w3 ^ w13 ^ w11;
  w11 = (t << 1) | (t >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w11 - 0x359d3e2a) | 0;
  b = (b << 30) | (b >>> 2);
  t = w9 ^ w4 ^ w14 ^ w12;
  w12 = (t << 1) | (t >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w12 - 0x359d3e2a) | 0;
  a = (a << 30) | (a >>> 2);
  t = w10 ^ w5 ^ w15 ^ w13;
  w13 = (t << 1) | (t >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w13 - 0x359d3e2a) | 0;
  e = (e << 30) | (e >>> 2);
  t = w11 ^ w6 ^ w0 ^ w14;
  w14 = (t << 1) | (t >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w14 - 0x359d3e2a) | 0;
  d = (d << 30) | (d >>> 2);
  t = w12 ^ w7 ^ w1 ^ w15;
  w15 = (t << 1) | (t >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w15 - 0x359d3e2a) | 0;
  c = (c << 30) | (c >>> 2);
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

/**
 * An HMAC-SHA1 key, prepared: the SHA-1 states after its inner and outer
 * pad blocks. Made by {@link hmacSha1Key}.
 */
export type HmacSha1Key = Int32Array & { readonly __hmacSha1Key: true };

/**
 * Prepares an HMAC-SHA1 key (of any length, as RFC 2104 says).
 *
 * @example
 * const key = hmacSha1Key(new TextEncoder().encode("secret"));
 */
export function hmacSha1Key(key: Uint8Array): HmacSha1Key {
  let k = key;
  if (k.length > 64) {
    const long = new Uint8Array(((k.length + 9 + 63) >>> 6) << 6);
    long.set(k);
    const h = IV.slice();
    digestPadded(h, long, new DataView(long.buffer), k.length, k.length);
    k = new Uint8Array(20);
    writeWords(h, k, 0);
  }
  const state = new Int32Array(10);
  const pad = new Uint8Array(64);
  for (const [at, byte] of [
    [0, 0x36],
    [5, 0x5c],
  ] as const) {
    pad.fill(byte);
    for (let i = 0; i < k.length; i++) pad[i] = k[i]! ^ byte;
    const h = IV.slice();
    compress(h, new DataView(pad.buffer, pad.byteOffset, 64), 0);
    state.set(h, at);
  }
  pad.fill(0);
  return state as HmacSha1Key;
}

function writeWords(h: Int32Array, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 5; i++) {
    const v = h[i]!;
    out[offset++] = v >>> 24;
    out[offset++] = v >>> 16;
    out[offset++] = v >>> 8;
    out[offset++] = v;
  }
}

// Pads the n message bytes at the start of buf (which has room up to the
// next 64-byte boundary after n + 9) and hashes them into h; `counted` is
// the message length that the padding records (the pad block hashed
// before it included).
function digestPadded(
  h: Int32Array,
  buf: Uint8Array,
  view: DataView,
  n: number,
  counted: number,
): void {
  const total = ((n + 9 + 63) >>> 6) << 6;
  buf[n] = 0x80;
  for (let i = n + 1; i < total - 8; i++) buf[i] = 0;
  const bits = counted * 8;
  const high = Math.floor(bits / 0x100000000);
  buf[total - 8] = high >>> 24;
  buf[total - 7] = high >>> 16;
  buf[total - 6] = high >>> 8;
  buf[total - 5] = high;
  buf[total - 4] = bits >>> 24;
  buf[total - 3] = bits >>> 16;
  buf[total - 2] = bits >>> 8;
  buf[total - 1] = bits;
  for (let off = 0; off < total; off += 64) compress(h, view, off);
}

let scratch = new Uint8Array(1024);
let scratchView = new DataView(scratch.buffer);
// encodeInto writes UTF-8 as Buffer#write does (a lone surrogate as U+FFFD)
// in about two thirds of its time.
const utf8 = new TextEncoder();
const state = new Int32Array(5);
const outer = new Uint8Array(64);
const outerView = new DataView(outer.buffer);

/**
 * HMAC-SHA1 of `message` (UTF-8, as node:crypto encodes a string) with a
 * prepared key: 20 bytes written to `out` at `offset`.
 *
 * @example
 * const mac = new Uint8Array(20);
 * hmacSha1(hmacSha1Key(key), "payload.timestamp", mac, 0);
 */
export function hmacSha1(key: HmacSha1Key, message: string, out: Uint8Array, offset: number): void {
  if (scratch.length < message.length * 3 + 72) {
    scratch = new Uint8Array(message.length * 3 + 72);
    scratchView = new DataView(scratch.buffer);
  }
  const n = utf8.encodeInto(message, scratch).written;
  const h = state;
  h[0] = key[0]!;
  h[1] = key[1]!;
  h[2] = key[2]!;
  h[3] = key[3]!;
  h[4] = key[4]!;
  digestPadded(h, scratch, scratchView, n, 64 + n);
  const o = outer;
  writeWords(h, o, 0);
  h[0] = key[5]!;
  h[1] = key[6]!;
  h[2] = key[7]!;
  h[3] = key[8]!;
  h[4] = key[9]!;
  digestPadded(h, o, outerView, 20, 64 + 20);
  writeWords(h, out, offset);
}
