// zlib streams for Flask payloads, in TypeScript.
//
// Why not node:zlib: Node bundles Chromium's zlib, whose deflate finds other
// matches than the reference zlib that Python links (measured: 10 of 19 test
// payloads came out different, some even longer), so a cookie written with it
// is readable by Flask but not byte-for-byte Flask's, and the "compress only
// when shorter" choice can differ. Its sync calls also cost ~20 µs each in
// setup alone. `deflate` below is a port of reference zlib's deflate at level
// 6 (deflate.c: deflate_slow, longest_match, fill_window; trees.c), so it
// writes what `zlib.compress(data)` writes; tests check it against Python.
// `inflate` is a small RFC 1950/1951 decoder with an output limit.
//
// Written for small inputs (a cookie is a few hundred bytes): all state is
// allocated once and reused, the hot loops keep their state in locals (one
// function each, no per-byte calls), and only what a call touched is reset
// (the hash heads not even that: each small input goes to a fresh offset in
// the window, see deflateView).
//
// zlib (C) 1995-2022 Jean-loup Gailly and Mark Adler, under the zlib license.

// ---------------------------------------------------------------- constants

const MAX_BITS = 15;
const L_CODES = 286; // literals, end of block, 29 length codes
const D_CODES = 30;
const BL_CODES = 19;
const LITERALS = 256;
const END_BLOCK = 256;
const HEAP_SIZE = 2 * L_CODES + 1;
const REP_3_6 = 16;
const REPZ_3_10 = 17;
const REPZ_11_138 = 18;

const MIN_MATCH = 3;
const MAX_MATCH = 258;
const MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
const W_SIZE = 1 << 15; // windowBits 15
const W_MASK = W_SIZE - 1;
const WINDOW_SIZE = 2 * W_SIZE;
const MAX_DIST = W_SIZE - MIN_LOOKAHEAD;
const HASH_SIZE = 1 << 15; // memLevel 8: hash_bits = 8 + 7
const HASH_MASK = HASH_SIZE - 1;
const HASH_SHIFT = 5; // (hash_bits + MIN_MATCH - 1) / MIN_MATCH
const LIT_BUFSIZE = 1 << 14; // 1 << (memLevel + 6)
// Level 6 (Z_DEFAULT_COMPRESSION): good, lazy, nice, chain.
const GOOD_MATCH = 8;
const MAX_LAZY = 16;
const NICE_MATCH = 128;
const MAX_CHAIN = 128;
const TOO_FAR = 4096;
// Inputs up to this size are placed at an offset in the window (deflateView).
const SMALL_INPUT = 8192;

const EXTRA_LBITS = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
const EXTRA_DBITS = Uint8Array.from([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
const EXTRA_BLBITS = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7]);
const BL_ORDER = Uint8Array.from([
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
]);

// tr_static_init
const LENGTH_CODE = new Uint8Array(256);
const BASE_LENGTH = new Int32Array(29);
const DIST_CODE = new Uint8Array(512);
const BASE_DIST = new Int32Array(D_CODES);
const STATIC_LTREE_LEN = new Uint16Array(L_CODES + 2);
const STATIC_LTREE_CODE = new Uint16Array(L_CODES + 2);
const STATIC_DTREE_LEN = new Uint16Array(D_CODES);
const STATIC_DTREE_CODE = new Uint16Array(D_CODES);

// Each byte with its bits in reverse order.
const REV8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) r |= ((i >>> b) & 1) << (7 - b);
  REV8[i] = r;
}

// The low `length` bits of `code` (length 1 to 15), reversed.
function reverseBits(code: number, length: number): number {
  return ((REV8[code & 0xff]! << 8) | REV8[code >>> 8]!) >>> (16 - length);
}

const nextCodes = new Uint16Array(MAX_BITS + 1);

function genCodes(codes: Uint16Array, lens: Uint16Array, maxCode: number, blCount: Uint16Array) {
  const next = nextCodes;
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + blCount[bits - 1]!) << 1;
    next[bits] = code;
  }
  for (let n = 0; n <= maxCode; n++) {
    const len = lens[n]!;
    if (len !== 0) codes[n] = reverseBits(next[len]!++, len);
  }
}

{
  let length = 0;
  let code = 0;
  for (; code < 28; code++) {
    BASE_LENGTH[code] = length;
    for (let n = 0; n < 1 << EXTRA_LBITS[code]!; n++) LENGTH_CODE[length++] = code;
  }
  // Length 258 can be code 284 + 5 bits or code 285: use the shorter.
  LENGTH_CODE[length - 1] = code;
  let dist = 0;
  for (code = 0; code < 16; code++) {
    BASE_DIST[code] = dist;
    for (let n = 0; n < 1 << EXTRA_DBITS[code]!; n++) DIST_CODE[dist++] = code;
  }
  dist >>= 7;
  for (; code < D_CODES; code++) {
    BASE_DIST[code] = dist << 7;
    for (let n = 0; n < 1 << (EXTRA_DBITS[code]! - 7); n++) DIST_CODE[256 + dist++] = code;
  }
  const blCount = new Uint16Array(MAX_BITS + 1);
  let n = 0;
  for (; n <= 287; n++) {
    const len = n <= 143 ? 8 : n <= 255 ? 9 : n <= 279 ? 7 : 8;
    STATIC_LTREE_LEN[n] = len;
    blCount[len]!++;
  }
  genCodes(STATIC_LTREE_CODE, STATIC_LTREE_LEN, L_CODES + 1, blCount);
  for (n = 0; n < D_CODES; n++) {
    STATIC_DTREE_LEN[n] = 5;
    STATIC_DTREE_CODE[n] = reverseBits(n, 5);
  }
}

class Tree {
  readonly freq: Int32Array;
  readonly len: Uint16Array;
  readonly code: Uint16Array;
  readonly dad: Uint16Array;
  maxCode = 0;
  readonly staticLen: Uint16Array | null;
  readonly extra: Uint8Array;
  readonly extraBase: number;
  readonly elems: number;
  readonly maxLength: number;
  // The symbols in use (nonzero frequency), as a bitmap filled while
  // tallying, and as a sorted list once the tree is built (with the nodes
  // that build_tree forces in). Only these have a nonzero length: the
  // loops over a tree visit them, not all of its 286 or 30 symbols.
  readonly used: Int32Array;
  readonly leaves: Uint16Array;
  leafCount = 0;
  constructor(
    size: number,
    staticLen: Uint16Array | null,
    extra: Uint8Array,
    extraBase: number,
    elems: number,
    maxLength: number,
  ) {
    this.freq = new Int32Array(size);
    this.len = new Uint16Array(size);
    this.code = new Uint16Array(size);
    this.dad = new Uint16Array(size);
    this.staticLen = staticLen;
    this.extra = extra;
    this.extraBase = extraBase;
    this.elems = elems;
    this.maxLength = maxLength;
    this.used = new Int32Array((elems + 31) >>> 5);
    this.leaves = new Uint16Array(elems);
  }
}

// ---------------------------------------------------------------- deflate state
// One state, reused: the code is synchronous, so calls never interleave.

const window = new Uint8Array(WINDOW_SIZE);
const prev = new Uint16Array(W_SIZE);
const head = new Uint16Array(HASH_SIZE);
const symDist = new Uint16Array(LIT_BUFSIZE);
const symLc = new Uint8Array(LIT_BUFSIZE);
const ltree = new Tree(HEAP_SIZE, STATIC_LTREE_LEN, EXTRA_LBITS, LITERALS + 1, L_CODES, MAX_BITS);
const dtree = new Tree(2 * D_CODES + 1, STATIC_DTREE_LEN, EXTRA_DBITS, 0, D_CODES, MAX_BITS);
const bltree = new Tree(2 * BL_CODES + 1, null, EXTRA_BLBITS, 0, BL_CODES, 7);
const heap = new Int32Array(HEAP_SIZE);
const blCount = new Uint16Array(MAX_BITS + 1);
const EMPTY: Uint8Array = new Uint8Array(0);

// What outlives one function: fill_window's and flush_block's share of the
// state, and the output with its bit buffer (bits not yet written, least
// significant first; fewer than 16 between calls).
const z = {
  input: EMPTY,
  inputEnd: 0, // the input is input[0, inputEnd)
  nextIn: 0,
  // Where a call's input starts in the window: zlib's position 0. Positions
  // up to it are NIL in head[] and prev[] (see deflateView).
  base: 0,
  // zlib's high_water: the window is zero up to here past the data.
  highWater: 0,
  strstart: 0,
  blockStart: 0,
  lookahead: 0,
  matchStart: 0,
  insH: 0,
  optLen: 0,
  staticLen: 0,
  out: new Uint8Array(4096) as Uint8Array, // grown as needed, kept between calls
  pending: 0,
  bitBuf: 0,
  bitCount: 0,
};
resetBlock();

// ---------------------------------------------------------------- bit output

function sendBits(value: number, length: number): void {
  let buf = z.bitBuf | (value << z.bitCount);
  let count = z.bitCount + length;
  if (count >= 16) {
    const out = z.out;
    out[z.pending++] = buf;
    out[z.pending++] = buf >>> 8;
    buf >>>= 16;
    count -= 16;
  }
  z.bitBuf = buf;
  z.bitCount = count;
}

// bi_windup: pad to a byte boundary.
function biWindup(): void {
  const out = z.out;
  if (z.bitCount > 8) {
    out[z.pending++] = z.bitBuf;
    out[z.pending++] = z.bitBuf >>> 8;
  } else if (z.bitCount > 0) out[z.pending++] = z.bitBuf;
  z.bitBuf = 0;
  z.bitCount = 0;
}

// ---------------------------------------------------------------- trees.c

// init_block, after a block: only the symbols the trees were built from
// have a frequency to clear (every symbol tallied is a leaf).
function initBlock(): void {
  clearLeaves(ltree);
  clearLeaves(dtree);
  // Loops: on arrays this small, a fill() call costs more than the stores.
  const blFreq = bltree.freq;
  for (let n = 0; n < BL_CODES; n++) blFreq[n] = 0;
  ltree.freq[END_BLOCK] = 1;
  const lused = ltree.used;
  for (let w = 0; w < lused.length; w++) lused[w] = 0;
  lused[END_BLOCK >>> 5] = 1 << (END_BLOCK & 31);
  dtree.used[0] = 0;
  bltree.used[0] = 0;
}

function clearLeaves(t: Tree): void {
  const { freq, leaves } = t;
  for (let i = 0; i < t.leafCount; i++) freq[leaves[i]!] = 0;
}

// init_block from any state: after an exception, and before the first call.
function resetBlock(): void {
  ltree.freq.fill(0);
  dtree.freq.fill(0);
  initBlock();
}

// The heap holds nodes as freq << 15 | depth << 10 | node, so that one
// comparison of (entry >>> 10) is zlib's smaller(): frequency, then depth,
// breaks ties. Depth (a subtree's height) stays below 32: a Huffman tree of
// height h needs a total frequency of at least Fibonacci(h + 2), and a block
// has fewer than 2^15 symbols. Frequencies stay below 2^16.
// (For entries a and b, a >>> 10 <= b >>> 10 is a <= (b | 1023).)
function pqdownheap(h: Int32Array, heapLen: number, k: number): void {
  const v = h[k]!;
  let j = k << 1;
  while (j <= heapLen) {
    let hj = h[j]!;
    if (j < heapLen) {
      const right = h[j + 1]!;
      if (right <= (hj | 1023)) {
        j++;
        hj = right;
      }
    }
    if (v <= (hj | 1023)) break;
    h[k] = hj;
    k = j;
    j <<= 1;
  }
  h[k] = v;
}

function genBitlen(t: Tree, heapMax: number): void {
  const { freq, len, dad, maxCode, extra, extraBase, maxLength } = t;
  const stree = t.staticLen;
  const bl = blCount;
  let overflow = 0;
  let optLen = 0;
  let staticLen = 0;
  for (let bits = 0; bits <= MAX_BITS; bits++) bl[bits] = 0;
  len[heap[heapMax]!] = 0;
  let h = heapMax + 1;
  for (; h < HEAP_SIZE; h++) {
    const n = heap[h]!;
    let bits = len[dad[n]!]! + 1;
    if (bits > maxLength) {
      bits = maxLength;
      overflow++;
    }
    len[n] = bits;
    if (n > maxCode) continue; // not a leaf
    bl[bits]!++;
    const xbits = n >= extraBase ? extra[n - extraBase]! : 0;
    const f = freq[n]!;
    optLen += f * (bits + xbits);
    if (stree !== null) staticLen += f * (stree[n]! + xbits);
  }
  if (overflow !== 0) {
    do {
      let bits = maxLength - 1;
      while (bl[bits] === 0) bits--;
      bl[bits]!--;
      bl[bits + 1]! += 2;
      bl[maxLength]!--;
      overflow -= 2;
    } while (overflow > 0);
    for (let bits = maxLength; bits !== 0; bits--) {
      let n = bl[bits]!;
      while (n !== 0) {
        const m = heap[--h]!;
        if (m > maxCode) continue;
        if (len[m] !== bits) {
          optLen += (bits - len[m]!) * freq[m]!;
          len[m] = bits;
        }
        n--;
      }
    }
  }
  z.optLen += optLen;
  z.staticLen += staticLen;
}

function buildTree(t: Tree): void {
  const { freq, len, dad, elems, used, leaves } = t;
  const stree = t.staticLen;
  const h = heap;
  // The last block's lengths back to zero: every symbol not in use has none.
  for (let i = 0; i < t.leafCount; i++) len[leaves[i]!] = 0;
  // The symbols in use, in increasing order, onto the heap.
  let heapLen = 0;
  for (let w = 0; w < used.length; w++) {
    let bits = used[w]!;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const n = (w << 5) + 31 - Math.clz32(low);
      leaves[heapLen++] = n;
      h[heapLen] = (freq[n]! << 15) | n; // depth 0
    }
  }
  let maxCode = heapLen > 0 ? leaves[heapLen - 1]! : -1;
  // At least two codes of non-zero frequency.
  while (heapLen < 2) {
    const node = maxCode < 2 ? ++maxCode : 0;
    if (node === 0 && heapLen === 1) {
      leaves[1] = leaves[0]!;
      leaves[0] = 0;
    } else leaves[heapLen] = node;
    h[++heapLen] = (1 << 15) | node;
    freq[node] = 1;
    z.optLen--;
    if (stree !== null) z.staticLen -= stree[node]!;
  }
  t.leafCount = heapLen;
  t.maxCode = maxCode;
  for (let n = heapLen >> 1; n >= 1; n--) pqdownheap(h, heapLen, n);
  let heapMax = HEAP_SIZE;
  let node = elems;
  do {
    const a = h[1]!;
    h[1] = h[heapLen--]!;
    pqdownheap(h, heapLen, 1);
    const b = h[1]!;
    const n = a & 1023;
    const m = b & 1023;
    h[--heapMax] = n;
    h[--heapMax] = m;
    const da = (a >>> 10) & 31;
    const db = (b >>> 10) & 31;
    dad[n] = node;
    dad[m] = node;
    h[1] = (((a >>> 15) + (b >>> 15)) << 15) | ((Math.max(da, db) + 1) << 10) | node++;
    pqdownheap(h, heapLen, 1);
  } while (heapLen >= 2);
  h[--heapMax] = h[1]! & 1023;
  genBitlen(t, heapMax);
  // gen_codes, for the leaves only.
  const next = nextCodes;
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + blCount[bits - 1]!) << 1;
    next[bits] = code;
  }
  const codes = t.code;
  for (let i = 0; i < t.leafCount; i++) {
    const n = leaves[i]!;
    const l = len[n]!;
    codes[n] = reverseBits(next[l]!++, l);
  }
}

// scan_tree and send_tree walk a tree's code lengths 0..maxCode one by
// one and cut them into runs: a run of one length ends at the next other
// length or after max_count of them, max_count being 138 for zeros, 7 for
// another length after a change and 6 after a cut. Here the walk goes from
// run to run of equal lengths (zeros between the leaves, equal lengths of
// adjacent leaves) and cuts each as the per-symbol loop would, into
// pieces: a length, its count, the min_count in force and the length
// before it (prevlen). sendTree then reads the pieces.
const runs = new Int32Array(4 * (L_CODES + D_CODES));

// Writes the pieces of t's code lengths to runs[] from `start`, each as
// (length, count, minCount, prevlen), and counts them in the bit length
// code's frequencies as scan_tree does; returns where they end.
function cutRuns(t: Tree, start: number): number {
  const { len, leaves } = t;
  const leafCount = t.leafCount;
  const end = t.maxCode + 1;
  const r = runs;
  const blFreq = bltree.freq;
  let out = start;
  let prevlen = -1;
  let i = 0;
  let pos = 0;
  while (pos < end) {
    let v = 0;
    let left = 0;
    if (i < leafCount && leaves[i] === pos) {
      v = len[pos]!;
      left = 1;
      i++;
      while (i < leafCount && leaves[i] === pos + left && len[pos + left] === v) {
        left++;
        i++;
      }
    } else {
      left = (i < leafCount ? leaves[i]! : end) - pos;
    }
    pos += left;
    let max = v === 0 ? 138 : 7;
    let min = v === 0 ? 3 : 4;
    while (left > 0) {
      const count = Math.min(left, max);
      r[out++] = v;
      r[out++] = count;
      r[out++] = min;
      r[out++] = prevlen;
      // scan_tree
      if (count < min) blFreq[v]! += count;
      else if (v !== 0) {
        if (v !== prevlen) blFreq[v]!++;
        blFreq[REP_3_6]!++;
      } else if (count <= 10) blFreq[REPZ_3_10]!++;
      else blFreq[REPZ_11_138]!++;
      prevlen = v;
      left -= count;
      if (v !== 0) {
        max = 6;
        min = 3;
      }
    }
  }
  return out;
}

// send_tree: the pieces, in the bit length code. Each code is at most 7
// bits and each repeat count at most 7: two of them fit once fewer than 16
// bits are held.
function sendTree(from: number, to: number): void {
  const blCode = bltree.code;
  const blLen = bltree.len;
  const r = runs;
  const out = z.out;
  let p = z.pending;
  let buf = z.bitBuf;
  let bits = z.bitCount;
  for (let k = from; k < to; k += 4) {
    const curlen = r[k]!;
    let count = r[k + 1]!;
    if (count < r[k + 2]!) {
      const c = blCode[curlen]!;
      const l = blLen[curlen]!;
      do {
        buf |= c << bits;
        bits += l;
        if (bits >= 16) {
          out[p++] = buf;
          out[p++] = buf >>> 8;
          buf >>>= 16;
          bits -= 16;
        }
      } while (--count !== 0);
      continue;
    }
    if (curlen !== 0) {
      if (curlen !== r[k + 3]) {
        buf |= blCode[curlen]! << bits;
        bits += blLen[curlen]!;
        if (bits >= 16) {
          out[p++] = buf;
          out[p++] = buf >>> 8;
          buf >>>= 16;
          bits -= 16;
        }
        count--;
      }
      buf |= blCode[REP_3_6]! << bits;
      bits += blLen[REP_3_6]!;
      buf |= (count - 3) << bits;
      bits += 2;
    } else if (count <= 10) {
      buf |= blCode[REPZ_3_10]! << bits;
      bits += blLen[REPZ_3_10]!;
      buf |= (count - 3) << bits;
      bits += 3;
    } else {
      buf |= blCode[REPZ_11_138]! << bits;
      bits += blLen[REPZ_11_138]!;
      buf |= (count - 11) << bits;
      bits += 7;
    }
    if (bits >= 16) {
      out[p++] = buf;
      out[p++] = buf >>> 8;
      buf >>>= 16;
      bits -= 16;
    }
  }
  z.pending = p;
  z.bitBuf = buf;
  z.bitCount = bits;
}

// The pieces of the literal/length and the distance tree, in runs[]: those
// of ltree end at ltreePieces, dtree's at dtreePieces.
let ltreePieces = 0;
let dtreePieces = 0;

function buildBlTree(): number {
  ltreePieces = cutRuns(ltree, 0);
  dtreePieces = cutRuns(dtree, ltreePieces);
  let used = 0;
  for (let n = 0; n < BL_CODES; n++) if (bltree.freq[n] !== 0) used |= 1 << n;
  bltree.used[0] = used;
  buildTree(bltree);
  let maxBlindex = BL_CODES - 1;
  for (; maxBlindex >= 3; maxBlindex--) if (bltree.len[BL_ORDER[maxBlindex]!] !== 0) break;
  z.optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4;
  return maxBlindex;
}

function sendAllTrees(lcodes: number, dcodes: number, blcodes: number): void {
  sendBits(lcodes - 257, 5);
  sendBits(dcodes - 1, 5);
  sendBits(blcodes - 4, 4);
  for (let rank = 0; rank < blcodes; rank++) sendBits(bltree.len[BL_ORDER[rank]!]!, 3);
  sendTree(0, ltreePieces);
  sendTree(ltreePieces, dtreePieces);
}

// compress_block: the symbols of the block, then END_BLOCK.
function compressBlock(
  symbols: number,
  lc: Uint16Array,
  ll: Uint16Array,
  dc: Uint16Array,
  dl: Uint16Array,
): void {
  const out = z.out;
  const sd = symDist;
  const sl = symLc;
  let p = z.pending;
  let buf = z.bitBuf;
  let bits = z.bitCount;
  for (let i = 0; i < symbols; i++) {
    let dist = sd[i]!;
    const lcode = sl[i]!;
    if (dist === 0) {
      buf |= lc[lcode]! << bits;
      bits += ll[lcode]!;
    } else {
      // Length code (up to 15 bits) and its extra bits (up to 5).
      let code = LENGTH_CODE[lcode]!;
      buf |= lc[code + LITERALS + 1]! << bits;
      bits += ll[code + LITERALS + 1]!;
      if (bits >= 16) {
        out[p++] = buf;
        out[p++] = buf >>> 8;
        buf >>>= 16;
        bits -= 16;
      }
      let extra = EXTRA_LBITS[code]!;
      if (extra !== 0) {
        buf |= (lcode - BASE_LENGTH[code]!) << bits;
        bits += extra;
      }
      // Distance code (up to 15 bits) and its extra bits (up to 13).
      dist--;
      code = dist < 256 ? DIST_CODE[dist]! : DIST_CODE[256 + (dist >>> 7)]!;
      if (bits >= 16) {
        out[p++] = buf;
        out[p++] = buf >>> 8;
        buf >>>= 16;
        bits -= 16;
      }
      buf |= dc[code]! << bits;
      bits += dl[code]!;
      if (bits >= 16) {
        out[p++] = buf;
        out[p++] = buf >>> 8;
        buf >>>= 16;
        bits -= 16;
      }
      extra = EXTRA_DBITS[code]!;
      if (extra !== 0) {
        buf |= (dist - BASE_DIST[code]!) << bits;
        bits += extra;
      }
    }
    if (bits >= 16) {
      out[p++] = buf;
      out[p++] = buf >>> 8;
      buf >>>= 16;
      bits -= 16;
    }
  }
  z.pending = p;
  z.bitBuf = buf;
  z.bitCount = bits;
  sendBits(lc[END_BLOCK]!, ll[END_BLOCK]!);
}

function storedBlock(buf: number, storedLen: number, last: number): void {
  sendBits(last, 3); // STORED_BLOCK << 1
  biWindup();
  const out = z.out;
  let p = z.pending;
  out[p++] = storedLen;
  out[p++] = storedLen >>> 8;
  out[p++] = ~storedLen;
  out[p++] = ~storedLen >>> 8;
  out.set(window.subarray(buf, buf + storedLen), p);
  z.pending = p + storedLen;
}

// _tr_flush_block for the symbols tallied since the block started, which
// ends at strstart.
function flushBlock(last: number, strstart: number, symbols: number): void {
  const blockStart = z.blockStart;
  const buf = blockStart >= 0 ? blockStart : -1;
  const storedLen = strstart - blockStart;
  z.optLen = 0;
  z.staticLen = 0;
  buildTree(ltree);
  buildTree(dtree);
  const maxBlindex = buildBlTree();
  let optLenb = (z.optLen + 3 + 7) >>> 3;
  const staticLenb = (z.staticLen + 3 + 7) >>> 3;
  if (staticLenb <= optLenb) optLenb = staticLenb;
  if (storedLen + 4 <= optLenb && buf !== -1) {
    storedBlock(buf, storedLen, last);
  } else if (staticLenb === optLenb) {
    sendBits((1 << 1) + last, 3);
    compressBlock(
      symbols,
      STATIC_LTREE_CODE,
      STATIC_LTREE_LEN,
      STATIC_DTREE_CODE,
      STATIC_DTREE_LEN,
    );
  } else {
    sendBits((2 << 1) + last, 3);
    sendAllTrees(ltree.maxCode + 1, dtree.maxCode + 1, maxBlindex + 1);
    compressBlock(symbols, ltree.code, ltree.len, dtree.code, dtree.len);
  }
  initBlock();
  if (last) biWindup();
  z.blockStart = strstart;
}

// ---------------------------------------------------------------- deflate.c

// fill_window, with all input at hand: slides the window when strstart
// nears its end, then reads more input.
function fillWindow(): void {
  const input = z.input;
  do {
    let more = WINDOW_SIZE - z.lookahead - z.strstart;
    if (z.strstart >= W_SIZE + MAX_DIST) {
      // Only an input too large for an offset slides (base is 0).
      window.copyWithin(0, W_SIZE, W_SIZE + W_SIZE);
      z.matchStart -= W_SIZE;
      z.strstart -= W_SIZE;
      z.blockStart -= W_SIZE;
      for (let n = 0; n < HASH_SIZE; n++) {
        const m = head[n]!;
        head[n] = m >= W_SIZE ? m - W_SIZE : 0;
      }
      for (let n = 0; n < W_SIZE; n++) {
        const m = prev[n]!;
        prev[n] = m >= W_SIZE ? m - W_SIZE : 0;
      }
      more += W_SIZE;
    }
    const avail = z.inputEnd - z.nextIn;
    if (avail === 0) break;
    const n = Math.min(avail, more);
    // A plain view: a Buffer's subarray would build a Buffer.
    window.set(
      new Uint8Array(input.buffer, input.byteOffset + z.nextIn, n),
      z.strstart + z.lookahead,
    );
    z.nextIn += n;
    z.lookahead += n;
    // s->insert is always 0 here: all input comes in one call.
    if (z.lookahead >= MIN_MATCH) {
      const str = z.strstart;
      z.insH = ((window[str]! << HASH_SHIFT) ^ window[str + 1]!) & HASH_MASK;
    }
  } while (z.lookahead < MIN_LOOKAHEAD && z.nextIn < z.inputEnd);
  // zlib zeroes up to WIN_INIT (MAX_MATCH) bytes past the data, which
  // longest_match may read, and tracks how far it did (high_water). The
  // window here is reused: it is zeroed the same way, so that those reads
  // see what zlib's would, not another call's bytes.
  const curr = z.strstart + z.lookahead;
  const high = z.highWater;
  if (high < WINDOW_SIZE) {
    if (high < curr) {
      const end = Math.min(curr + MAX_MATCH, WINDOW_SIZE);
      window.fill(0, curr, end);
      z.highWater = end;
    } else if (high < curr + MAX_MATCH) {
      const end = Math.min(curr + MAX_MATCH, WINDOW_SIZE);
      window.fill(0, high, end);
      z.highWater = end;
    }
  }
}

// deflate_slow with Z_FINISH and all input at hand (what zlib.compress
// does), longest_match, INSERT_STRING and _tr_tally inlined.
function deflateSlow(): void {
  const w = window;
  const hd = head;
  const pv = prev;
  const sd = symDist;
  const sl = symLc;
  const lfreq = ltree.freq;
  const dfreq = dtree.freq;
  const lused = ltree.used;
  const dused = dtree.used;
  const n = z.inputEnd;
  // Window positions are zlib's plus base; a hash head or chain link at
  // base or below is zlib's NIL (0).
  const base = z.base;
  let strstart = base;
  let lookahead = 0;
  let insH = 0;
  let matchStart = base;
  let matchLength = MIN_MATCH - 1;
  let prevLength = MIN_MATCH - 1;
  let prevMatch = base;
  let matchAvailable = false;
  let symNext = 0;
  let moreInput = z.nextIn < n;
  for (;;) {
    if (lookahead < MIN_LOOKAHEAD) {
      // fill_window does nothing without more input or a slide to make.
      if (moreInput || strstart >= W_SIZE + MAX_DIST) {
        z.strstart = strstart;
        z.lookahead = lookahead;
        z.matchStart = matchStart;
        z.insH = insH;
        fillWindow();
        strstart = z.strstart;
        lookahead = z.lookahead;
        matchStart = z.matchStart;
        insH = z.insH;
        moreInput = z.nextIn < n;
      }
      if (lookahead === 0) break;
    }
    let hashHead = 0;
    if (lookahead >= MIN_MATCH) {
      insH = ((insH << HASH_SHIFT) ^ w[strstart + 2]!) & HASH_MASK;
      hashHead = hd[insH]!;
      pv[strstart & W_MASK] = hashHead;
      hd[insH] = strstart;
    }
    prevLength = matchLength;
    prevMatch = matchStart;
    matchLength = MIN_MATCH - 1;
    if (hashHead > base && prevLength < MAX_LAZY && strstart - hashHead <= MAX_DIST) {
      // longest_match
      let curMatch = hashHead;
      let chainLength = prevLength >= GOOD_MATCH ? MAX_CHAIN >>> 2 : MAX_CHAIN;
      const scan = strstart;
      let bestLen = prevLength;
      const nice = Math.min(lookahead, NICE_MATCH);
      const limit = strstart - base > MAX_DIST ? strstart - MAX_DIST : base;
      const strend = strstart + MAX_MATCH;
      const scan0 = w[scan]!;
      const scan1 = w[scan + 1]!;
      let scanEnd1 = w[scan + bestLen - 1]!;
      let scanEnd = w[scan + bestLen]!;
      for (;;) {
        const match = curMatch;
        if (
          w[match + bestLen] === scanEnd &&
          w[match + bestLen - 1] === scanEnd1 &&
          w[match] === scan0 &&
          w[match + 1] === scan1
        ) {
          // scan[2] and match[2] are equal when the hashes are.
          let s = scan + 2;
          let m = match + 2;
          while (
            w[++s] === w[++m] &&
            w[++s] === w[++m] &&
            w[++s] === w[++m] &&
            w[++s] === w[++m] &&
            w[++s] === w[++m] &&
            w[++s] === w[++m] &&
            w[++s] === w[++m] &&
            w[++s] === w[++m] &&
            s < strend
          ) {
            // compare 8 at a time
          }
          const len = MAX_MATCH - (strend - s);
          if (len > bestLen) {
            matchStart = curMatch;
            bestLen = len;
            if (len >= nice) break;
            scanEnd1 = w[scan + bestLen - 1]!;
            scanEnd = w[scan + bestLen]!;
          }
        }
        curMatch = pv[curMatch & W_MASK]!;
        if (curMatch <= limit || --chainLength === 0) break;
      }
      matchLength = Math.min(bestLen, lookahead);
      if (matchLength === MIN_MATCH && strstart - matchStart > TOO_FAR) {
        matchLength = MIN_MATCH - 1;
      }
    }
    if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
      const maxInsert = strstart + lookahead - MIN_MATCH;
      // _tr_tally_dist
      const dist = strstart - 1 - prevMatch;
      const lc = prevLength - MIN_MATCH;
      sd[symNext] = dist;
      sl[symNext++] = lc;
      // A symbol's bit in the used map is set by its first tally only: a
      // read-modify-write of the same few words per symbol would make each
      // tally wait for the last.
      const lsym = LENGTH_CODE[lc]! + LITERALS + 1;
      if (lfreq[lsym]!++ === 0) lused[lsym >>> 5]! |= 1 << (lsym & 31);
      const d = dist - 1;
      const dsym = d < 256 ? DIST_CODE[d]! : DIST_CODE[256 + (d >>> 7)]!;
      if (dfreq[dsym]!++ === 0) dused[0]! |= 1 << dsym;
      lookahead -= prevLength - 1;
      prevLength -= 2;
      do {
        if (++strstart <= maxInsert) {
          insH = ((insH << HASH_SHIFT) ^ w[strstart + 2]!) & HASH_MASK;
          pv[strstart & W_MASK] = hd[insH]!;
          hd[insH] = strstart;
        }
      } while (--prevLength !== 0);
      matchAvailable = false;
      matchLength = MIN_MATCH - 1;
      strstart++;
      if (symNext === LIT_BUFSIZE - 1) {
        flushBlock(0, strstart, symNext);
        symNext = 0;
      }
    } else if (matchAvailable) {
      // _tr_tally_lit
      const c = w[strstart - 1]!;
      sd[symNext] = 0;
      sl[symNext++] = c;
      if (lfreq[c]!++ === 0) lused[c >>> 5]! |= 1 << (c & 31);
      if (symNext === LIT_BUFSIZE - 1) {
        flushBlock(0, strstart, symNext);
        symNext = 0;
      }
      strstart++;
      lookahead--;
    } else {
      matchAvailable = true;
      strstart++;
      lookahead--;
    }
  }
  if (matchAvailable) {
    const c = w[strstart - 1]!;
    sd[symNext] = 0;
    sl[symNext++] = c;
    if (lfreq[c]!++ === 0) lused[c >>> 5]! |= 1 << (c & 31);
  }
  flushBlock(1, strstart, symNext);
}

// 65520 * (n + 1) + 255 * n * (n + 1) / 2 < 2^31 for n up to 3854.
const ADLER_RUN = 3852;

/**
 * Adler-32 (RFC 1950 §8.2).
 *
 * @example
 * adler32(new TextEncoder().encode("Wikipedia")); // 0x11e60398
 */
export function adler32(data: Uint8Array): number {
  return adler32Of(data, data.length);
}

function adler32Of(data: Uint8Array, n: number): number {
  let a = 1;
  let b = 0;
  let i = 0;
  while (i < n) {
    // The sums are reduced every ADLER_RUN bytes, before b can pass 2^31
    // (zlib's NMAX, 5552, is the bound for 2^32): V8 keeps them int32.
    const end = Math.min(i + ADLER_RUN, n);
    // Eight bytes a step: b gains 8a + 8d0 + 7d1 + ... + d7, which is what
    // eight single steps add, without their chain of dependent additions.
    const end8 = end - ((end - i) & 7);
    for (; i < end8; i += 8) {
      const d0 = data[i]!;
      const d1 = data[i + 1]!;
      const d2 = data[i + 2]!;
      const d3 = data[i + 3]!;
      const d4 = data[i + 4]!;
      const d5 = data[i + 5]!;
      const d6 = data[i + 6]!;
      const d7 = data[i + 7]!;
      const s01 = d0 + d1;
      const s23 = d2 + d3;
      const s45 = d4 + d5;
      const s67 = d6 + d7;
      // 8d0 + 7d1 + ... + d7, from the pair sums.
      const weighted = 8 * s01 + 6 * s23 + 4 * s45 + 2 * s67 - d1 - d3 - d5 - d7;
      b += 8 * a + weighted;
      a += s01 + s23 + s45 + s67;
    }
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Compresses as Python's `zlib.compress(data)` does with reference zlib
 * (level 6, 32 KiB window, memLevel 8, default strategy), byte for byte.
 *
 * @example
 * deflate(new TextEncoder().encode("")); // Uint8Array [0x78, 0x9c, 3, 0, 0, 0, 0, 1]
 */
export function deflate(data: Uint8Array): Uint8Array {
  return deflateView(data).slice();
}

/**
 * {@link deflate} of the first `length` bytes of `data`, into a buffer that
 * the next call overwrites: for a caller that encodes the result at once.
 * (A new typed array of more than 64 bytes costs about a microsecond, a
 * fifth of compressing a cookie.)
 *
 * @example
 * const b64 = Buffer.from(deflateView(json)).toString("base64url");
 */
export function deflateView(data: Uint8Array, length = data.length): Uint8Array {
  const n = length;
  const bound = n + 5 * (Math.ceil(n / (LIT_BUFSIZE - 1)) + 2) + 16;
  if (z.out.length < bound || z.out.length > 1 << 16) z.out = new Uint8Array(Math.max(bound, 4096));
  // A small input goes into the window after the last call's, at `base`:
  // the hash heads and chain links left from earlier calls all point at or
  // below it, where zlib's NIL is, so nothing is cleared between calls.
  // (Positions in prev[] wrap at W_SIZE from base as zlib's do from 0, and
  // such an input never reaches the point where zlib slides the window.)
  // A large input starts at 0 with empty heads, as zlib's does.
  let base = z.base;
  const small = n <= SMALL_INPUT;
  if (!small || base + n + MIN_LOOKAHEAD >= WINDOW_SIZE) {
    if (base !== 0) head.fill(0);
    base = 0;
  }
  z.base = base;
  z.highWater = base;
  z.input = data;
  z.inputEnd = n;
  z.nextIn = 0;
  z.strstart = base;
  z.blockStart = base;
  z.lookahead = 0;
  z.matchStart = base;
  z.insH = 0;
  z.out[0] = 0x78; // CMF: deflate, 32 KiB window
  z.out[1] = 0x9c; // FLG: default level, check bits
  z.pending = 2;
  z.bitBuf = 0;
  z.bitCount = 0;
  // The last call's flush_block left the block state initialized.
  let done = false;
  try {
    deflateSlow();
    done = true;
  } finally {
    if (!done) resetBlock();
    if (done && small) z.base = base + n;
    else {
      head.fill(0);
      z.base = 0;
    }
    z.input = EMPTY;
  }
  const out = z.out;
  let p = z.pending;
  const sum = adler32Of(data, n);
  out[p++] = sum >>> 24;
  out[p++] = sum >>> 16;
  out[p++] = sum >>> 8;
  out[p++] = sum;
  return out.subarray(0, p);
}

// ---------------------------------------------------------------- inflate

/**
 * A zlib stream that does not decode, or decodes to more than the limit.
 *
 * @example
 * try { inflate(bytes, 1 << 20); } catch (error) { if (error instanceof InflateError) return null; }
 */
export class InflateError extends Error {}

const LEN_BASE = Uint16Array.from([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
]);
const DIST_BASE = Uint16Array.from([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);

// Codes of up to FAST_BITS bits decode with one lookup; longer ones (rare in
// a cookie) bit by bit from the counts, as zlib's puff.c does.
const FAST_BITS = 9;

// A Huffman code: `fast` maps each `bits`-bit window of input (least
// significant bit first) to symbol << 4 | length, 0 when the code there is
// longer (or missing); `count` and `symbol` are the canonical form.
class Huffman {
  readonly fast = new Uint16Array(1 << FAST_BITS);
  bits = 1;
  readonly count = new Uint16Array(MAX_BITS + 1);
  readonly symbol: Uint16Array;
  constructor(symbols: number) {
    this.symbol = new Uint16Array(symbols);
  }
}

const offsets = new Uint16Array(MAX_BITS + 2);

// Builds `h` from the k symbols that have a code, syms[i] with length
// lens[i], in increasing order of symbol. Returns false for an
// over-subscribed set, and for an incomplete one unless it is a single
// one-bit code and `single` allows it (zlib's rule; the missing code then
// decodes as an error).
function buildHuffman(
  h: Huffman,
  syms: Uint16Array,
  lens: Uint8Array,
  k: number,
  single = true,
): boolean {
  const count = h.count;
  for (let len = 0; len <= MAX_BITS; len++) count[len] = 0;
  for (let i = 0; i < k; i++) count[lens[i]!]!++;
  let maxLen = 0;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    const c = count[len]!;
    if (c !== 0) maxLen = len;
    left = (left << 1) - c;
    if (left < 0) return false;
  }
  if (k > 0 && left > 0 && !(single && maxLen === 1)) return false;
  const bits = maxLen === 0 ? 1 : Math.min(maxLen, FAST_BITS);
  h.bits = bits;
  // The canonical list: the symbols by length, then by value.
  const symbol = h.symbol;
  offsets[1] = 0;
  for (let len = 1; len <= MAX_BITS; len++) offsets[len + 1] = offsets[len]! + count[len]!;
  for (let i = 0; i < k; i++) symbol[offsets[lens[i]!]!++] = syms[i]!;
  // The fast table, from the shortest codes up. The entries of a code of
  // length len repeat every 2^len, so once the codes up to len fill the
  // first 2^len entries, a copy of them doubles the table for the codes of
  // len + 1, which take one entry each. (Filling each code's entries one by
  // one was a third of the time of inflating a cookie.) What no code of
  // `bits` bits or fewer reaches stays 0.
  const fast = h.fast;
  fast[0] = 0;
  fast[1] = 0;
  let first = 0; // the first code of length len (RFC 1951 §3.2.2)
  let at = 0;
  for (let len = 1; len <= bits; len++) {
    if (len > 1) {
      const half = 1 << (len - 1);
      if (half >= 64) fast.copyWithin(half, 0, half);
      else for (let j = 0; j < half; j++) fast[half + j] = fast[j]!;
    }
    first = (first + count[len - 1]!) << 1;
    const n = count[len]!;
    for (let i = 0; i < n; i++) fast[reverseBits(first + i, len)] = (symbol[at + i]! << 4) | len;
    at += n;
  }
  return true;
}

// The symbols of dense code lengths (lens[start + s] for symbol s < n)
// that have one, into syms and symLens; returns how many.
function sparse(
  lens: Uint8Array,
  start: number,
  n: number,
  syms: Uint16Array,
  symLens: Uint8Array,
): number {
  let k = 0;
  for (let s = 0; s < n; s++) {
    const len = lens[start + s]!;
    if (len === 0) continue;
    syms[k] = s;
    symLens[k++] = len;
  }
  return k;
}

// The code at the start of `hold` (15 bits or more held) when it is longer
// than the fast table's: symbol << 4 | length, or 0 for no code (puff.c's
// decode, one bit at a time).
function slowDecode(h: Huffman, hold: number): number {
  const count = h.count;
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    code |= hold & 1;
    hold >>>= 1;
    const c = count[len]!;
    if (code - c < first) return (h.symbol[index + (code - first)]! << 4) | len;
    index += c;
    first = (first + c) << 1;
    code <<= 1;
  }
  return 0;
}

const FIXED_LIT = new Huffman(288);
const FIXED_DIST = new Huffman(32);
const DYN_LIT = new Huffman(288);
const DYN_DIST = new Huffman(32);
const CODE_LENGTHS = new Huffman(19);
// Code lengths as read: the code length code's (dense, by BL_ORDER), and
// the symbols that have a literal/length or a distance code.
const lengths = new Uint8Array(19);
const litSyms = new Uint16Array(288);
const litLens = new Uint8Array(288);
const distSyms = new Uint16Array(32);
const distLens = new Uint8Array(32);
{
  const fixed = new Uint8Array(288);
  fixed.fill(8, 0, 144);
  fixed.fill(9, 144, 256);
  fixed.fill(7, 256, 280);
  fixed.fill(8, 280, 288);
  const lit = buildHuffman(FIXED_LIT, litSyms, litLens, sparse(fixed, 0, 288, litSyms, litLens));
  // 32 five-bit codes make the set complete; 30 and 31 decode as errors.
  fixed.fill(5, 0, 32);
  const dist = buildHuffman(
    FIXED_DIST,
    distSyms,
    distLens,
    sparse(fixed, 0, 32, distSyms, distLens),
  );
  if (!lit || !dist) throw new Error("[tessera] fixed tables");
}

const TRUNCATED = "incomplete or truncated stream";

// The decoder's state between its functions. Input past the end reads as
// zero bytes, at most SLACK of them: a table lookup may look past the last
// code, and a complete stream still has its 4-byte checksum to come.
const SLACK = 4;
const inf = {
  data: EMPTY,
  end: 0, // the input is data[0, end)
  pos: 2,
  // Bit buffer, least significant bit first: up to 30 bits, so that it
  // stays a small integer (shifts are >> for that reason: a >>> by a
  // variable count makes V8 compute in doubles, measured 1.5x slower).
  hold: 0,
  bits: 0,
  out: new Uint8Array(8192) as Uint8Array, // output, kept between calls (up to 64 KiB)
  size: 0,
  limit: 0,
};

function need(n: number): void {
  const d = inf.data;
  while (inf.bits < n) {
    const pos = inf.pos++;
    if (pos < inf.end) inf.hold |= d[pos]! << inf.bits;
    else if (pos >= inf.end + SLACK) throw new InflateError(TRUNCATED);
    inf.bits += 8;
  }
}

function take(n: number): number {
  if (inf.bits < n) need(n);
  const value = inf.hold & ((1 << n) - 1);
  inf.hold >>= n;
  inf.bits -= n;
  return value;
}

// The next unread byte, once the bits held are dropped to a byte boundary.
function align(): number {
  const at = inf.pos - (inf.bits >>> 3);
  if (at > inf.end) throw new InflateError(TRUNCATED);
  inf.hold = 0;
  inf.bits = 0;
  inf.pos = at;
  return at;
}

// Room for n more output bytes, within the limit.
function room(n: number): Uint8Array {
  const need = inf.size + n;
  if (need > inf.limit) throw new InflateError(`inflates to more than ${inf.limit} bytes`);
  if (need > inf.out.length) {
    const grown = new Uint8Array(Math.min(inf.limit, Math.max(need, inf.out.length * 2)));
    grown.set(inf.out.subarray(0, inf.size));
    inf.out = grown;
  }
  return inf.out;
}

function stored(): void {
  const d = inf.data;
  const at = align();
  if (at + 4 > inf.end) throw new InflateError(TRUNCATED);
  const len = d[at]! | (d[at + 1]! << 8);
  const nlen = d[at + 2]! | (d[at + 3]! << 8);
  if (len !== (~nlen & 0xffff)) throw new InflateError("invalid stored block lengths");
  if (at + 4 + len > inf.end) throw new InflateError(TRUNCATED);
  room(len).set(d.subarray(at + 4, at + 4 + len), inf.size);
  inf.size += len;
  inf.pos = at + 4 + len;
}

// The symbols of one block, until END_BLOCK.
function codes(lit: Huffman, dist: Huffman): void {
  const d = inf.data;
  const end = inf.end;
  const litFast = lit.fast;
  const litMask = (1 << lit.bits) - 1;
  const distFast = dist.fast;
  const distMask = (1 << dist.bits) - 1;
  let pos = inf.pos;
  let hold = inf.hold;
  let bits = inf.bits;
  let o = inf.out;
  let size = inf.size;
  let cap = Math.min(o.length, inf.limit);
  for (;;) {
    // 15 bits for a code; then 5 extra bits and 15 for a distance code,
    // then 13 extra bits. Two bytes at a time: up to 30 bits held.
    if (bits < MAX_BITS) {
      if (pos + 1 < end) {
        hold |= (d[pos]! | (d[pos + 1]! << 8)) << bits;
        pos += 2;
        bits += 16;
      } else {
        do {
          if (pos < end) hold |= d[pos]! << bits;
          else if (pos >= end + SLACK) throw new InflateError(TRUNCATED);
          pos++;
          bits += 8;
        } while (bits < MAX_BITS);
      }
    }
    let entry = litFast[hold & litMask]!;
    if (entry === 0) {
      entry = slowDecode(lit, hold);
      if (entry === 0) throw new InflateError("invalid code");
    }
    let len = entry & 15;
    hold >>= len;
    bits -= len;
    let sym = entry >> 4;
    if (sym < 256) {
      if (size >= cap) {
        inf.size = size;
        o = room(1);
        cap = Math.min(o.length, inf.limit);
      }
      o[size++] = sym;
      continue;
    }
    if (sym === 256) break;
    sym -= 257;
    if (sym >= 29) throw new InflateError("invalid literal/length code");
    let extra = EXTRA_LBITS[sym]!;
    len = LEN_BASE[sym]!;
    if (extra !== 0) {
      // 15 - 15 bits may be left: refill
      while (bits < extra) {
        if (pos < end) hold |= d[pos]! << bits;
        else if (pos >= end + SLACK) throw new InflateError(TRUNCATED);
        pos++;
        bits += 8;
      }
      len += hold & ((1 << extra) - 1);
      hold >>= extra;
      bits -= extra;
    }
    if (bits < MAX_BITS) {
      if (pos + 1 < end) {
        hold |= (d[pos]! | (d[pos + 1]! << 8)) << bits;
        pos += 2;
        bits += 16;
      } else {
        do {
          if (pos < end) hold |= d[pos]! << bits;
          else if (pos >= end + SLACK) throw new InflateError(TRUNCATED);
          pos++;
          bits += 8;
        } while (bits < MAX_BITS);
      }
    }
    entry = distFast[hold & distMask]!;
    if (entry === 0) {
      entry = slowDecode(dist, hold);
      if (entry === 0) throw new InflateError("invalid code");
    }
    const dl = entry & 15;
    hold >>= dl;
    bits -= dl;
    sym = entry >> 4;
    if (sym >= 30) throw new InflateError("invalid distance code");
    extra = EXTRA_DBITS[sym]!;
    let distance = DIST_BASE[sym]!;
    if (extra !== 0) {
      while (bits < extra) {
        if (pos < end) hold |= d[pos]! << bits;
        else if (pos >= end + SLACK) throw new InflateError(TRUNCATED);
        pos++;
        bits += 8;
      }
      distance += hold & ((1 << extra) - 1);
      hold >>= extra;
      bits -= extra;
    }
    if (distance > size) throw new InflateError("invalid distance too far back");
    if (size + len > cap) {
      inf.size = size;
      o = room(len);
      cap = Math.min(o.length, inf.limit);
    }
    let from = size - distance;
    const stop = size + len;
    while (size < stop) o[size++] = o[from++]!;
  }
  inf.pos = pos;
  inf.hold = hold;
  inf.bits = bits;
  inf.size = size;
}

function dynamic(): void {
  const d = inf.data;
  const end = inf.end;
  let pos = inf.pos;
  let hold = inf.hold;
  let bits = inf.bits;
  // 14 header bits, then 3 for each code length code length: at most 71.
  // Refill a byte at a time as needed.
  if (bits < 14) {
    do {
      if (pos < end) hold |= d[pos]! << bits;
      else if (pos >= end + SLACK) throw new InflateError(TRUNCATED);
      pos++;
      bits += 8;
    } while (bits < 14);
  }
  const nlen = (hold & 31) + 257;
  const ndist = ((hold >>> 5) & 31) + 1;
  const ncode = ((hold >>> 10) & 15) + 4;
  hold >>= 14;
  bits -= 14;
  if (nlen > 286 || ndist > 30) throw new InflateError("too many length or distance symbols");
  lengths.fill(0);
  for (let i = 0; i < ncode; i++) {
    if (bits < 3) {
      if (pos < end) hold |= d[pos]! << bits;
      else if (pos >= end + SLACK) throw new InflateError(TRUNCATED);
      pos++;
      bits += 8;
    }
    lengths[BL_ORDER[i]!] = hold & 7;
    hold >>= 3;
    bits -= 3;
  }
  const k = sparse(lengths, 0, 19, distSyms, distLens);
  if (!buildHuffman(CODE_LENGTHS, distSyms, distLens, k, false))
    throw new InflateError("invalid code lengths set");
  // The code lengths, in the code length code: each one that is not zero
  // goes to the literal/length list or (from nlen on) the distance list.
  const fast = CODE_LENGTHS.fast;
  const mask = (1 << CODE_LENGTHS.bits) - 1;
  let nlit = 0;
  let ndis = 0;
  let index = 0;
  let last = 0; // the length before index
  let endOfBlock = false;
  const total = nlen + ndist;
  while (index < total) {
    // 7 bits for a code, then 7 extra bits.
    if (bits < 14) {
      if (pos + 1 < end) {
        hold |= (d[pos]! | (d[pos + 1]! << 8)) << bits;
        pos += 2;
        bits += 16;
      } else {
        do {
          if (pos < end) hold |= d[pos]! << bits;
          else if (pos >= end + SLACK) throw new InflateError(TRUNCATED);
          pos++;
          bits += 8;
        } while (bits < 14);
      }
    }
    const entry = fast[hold & mask]!;
    if (entry === 0) throw new InflateError("invalid code");
    const len = entry & 15;
    hold >>= len;
    bits -= len;
    const sym = entry >> 4;
    let repeat = 1;
    if (sym < 16) last = sym;
    else if (sym === 16) {
      if (index === 0) throw new InflateError("invalid bit length repeat");
      repeat = 3 + (hold & 3);
      hold >>= 2;
      bits -= 2;
    } else {
      last = 0;
      if (sym === 17) {
        repeat = 3 + (hold & 7);
        hold >>= 3;
        bits -= 3;
      } else {
        repeat = 11 + (hold & 127);
        hold >>= 7;
        bits -= 7;
      }
    }
    if (index + repeat > total) throw new InflateError("invalid bit length repeat");
    if (last === 0) index += repeat;
    else {
      do {
        if (index < nlen) {
          if (index === END_BLOCK) endOfBlock = true;
          litSyms[nlit] = index;
          litLens[nlit++] = last;
        } else {
          distSyms[ndis] = index - nlen;
          distLens[ndis++] = last;
        }
        index++;
      } while (--repeat !== 0);
    }
  }
  inf.pos = pos;
  inf.hold = hold;
  inf.bits = bits;
  if (!endOfBlock) throw new InflateError("invalid code -- missing end-of-block");
  if (!buildHuffman(DYN_LIT, litSyms, litLens, nlit))
    throw new InflateError("invalid literal/lengths set");
  if (!buildHuffman(DYN_DIST, distSyms, distLens, ndis))
    throw new InflateError("invalid distances set");
  codes(DYN_LIT, DYN_DIST);
}

/**
 * Decompresses a zlib stream (what Python's `zlib.decompress` reads): checks
 * the header and the Adler-32 of the output, ignores bytes after the end as
 * Python does, and throws {@link InflateError} past `limit` output bytes.
 *
 * @example
 * inflate(deflate(new TextEncoder().encode("hi")), 1024); // Uint8Array [104, 105]
 */
export function inflate(data: Uint8Array, limit: number): Uint8Array {
  return inflateView(data, limit).slice();
}

/**
 * {@link inflate} of the first `length` bytes of `data`, into a buffer that
 * the next call overwrites: for a caller that decodes the result at once.
 *
 * @example
 * const text = new TextDecoder().decode(inflateView(bytes, 1 << 20));
 */
export function inflateView(data: Uint8Array, limit: number, length = data.length): Uint8Array {
  if (length < 2) throw new InflateError(TRUNCATED);
  const cmf = data[0]!;
  const flg = data[1]!;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0)
    throw new InflateError("incorrect header check");
  if (flg & 0x20) throw new InflateError("a preset dictionary is needed");
  // Do not keep a large buffer from the last call.
  if (inf.out.length > 1 << 16) inf.out = new Uint8Array(8192);
  inf.data = data;
  inf.end = length;
  inf.pos = 2;
  inf.hold = 0;
  inf.bits = 0;
  inf.size = 0;
  inf.limit = limit;
  try {
    let last = 0;
    do {
      last = take(1);
      const type = take(2);
      if (type === 0) stored();
      else if (type === 1) codes(FIXED_LIT, FIXED_DIST);
      else if (type === 2) dynamic();
      else throw new InflateError("invalid block type");
    } while (!last);
    const p = align();
    if (p + 4 > length) throw new InflateError(TRUNCATED);
    const expected =
      ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
    const result = inf.out.subarray(0, inf.size);
    if (adler32(result) !== expected) throw new InflateError("incorrect data check");
    return result;
  } finally {
    inf.data = EMPTY;
  }
}
