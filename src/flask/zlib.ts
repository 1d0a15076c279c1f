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

const EXTRA_LBITS = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const EXTRA_DBITS = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
const EXTRA_BLBITS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
const BL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// tr_static_init
const LENGTH_CODE = new Uint8Array(256);
const BASE_LENGTH = new Int32Array(29);
const DIST_CODE = new Uint8Array(512);
const BASE_DIST = new Int32Array(D_CODES);
const STATIC_LTREE_LEN = new Uint16Array(L_CODES + 2);
const STATIC_LTREE_CODE = new Uint16Array(L_CODES + 2);
const STATIC_DTREE_LEN = new Uint16Array(D_CODES);
const STATIC_DTREE_CODE = new Uint16Array(D_CODES);

function reverseBits(code: number, length: number): number {
  let result = 0;
  do {
    result |= code & 1;
    code >>>= 1;
    result <<= 1;
  } while (--length > 0);
  return result >>> 1;
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

const dCode = (dist: number): number =>
  dist < 256 ? DIST_CODE[dist]! : DIST_CODE[256 + (dist >>> 7)]!;

interface Tree {
  freq: Uint32Array;
  len: Uint16Array;
  code: Uint16Array;
  dad: Uint16Array;
  maxCode: number;
  staticLen: Uint16Array | null;
  extra: readonly number[];
  extraBase: number;
  elems: number;
  maxLength: number;
}

function tree(
  size: number,
  staticLen: Uint16Array | null,
  extra: readonly number[],
  extraBase: number,
  elems: number,
  maxLength: number,
): Tree {
  return {
    freq: new Uint32Array(size),
    len: new Uint16Array(size),
    code: new Uint16Array(size),
    dad: new Uint16Array(size),
    maxCode: 0,
    staticLen,
    extra,
    extraBase,
    elems,
    maxLength,
  };
}

// ---------------------------------------------------------------- deflate state
// One state, reused: the code is synchronous, so calls never interleave.

const window = new Uint8Array(WINDOW_SIZE);
const prev = new Uint16Array(W_SIZE);
const head = new Uint16Array(HASH_SIZE);
const symDist = new Uint16Array(LIT_BUFSIZE);
const symLc = new Uint8Array(LIT_BUFSIZE);
const ltree = tree(HEAP_SIZE, STATIC_LTREE_LEN, EXTRA_LBITS, LITERALS + 1, L_CODES, MAX_BITS);
const dtree = tree(2 * D_CODES + 1, STATIC_DTREE_LEN, EXTRA_DBITS, 0, D_CODES, MAX_BITS);
const bltree = tree(2 * BL_CODES + 1, null, EXTRA_BLBITS, 0, BL_CODES, 7);
const heap = new Int32Array(HEAP_SIZE);
const depth = new Uint8Array(HEAP_SIZE);
const blCount = new Uint16Array(MAX_BITS + 1);
let heapLen = 0;
let heapMax = 0;
let optLen = 0;
let staticLen = 0;
let symNext = 0;

const EMPTY = new Uint8Array(0);
let input: Uint8Array = EMPTY;
let nextIn = 0;
let out: Uint8Array = new Uint8Array(4096); // grown as needed, kept between calls
let pending = 0;
let biBuf = 0;
let biValid = 0;

let strstart = 0;
let blockStart = 0;
let lookahead = 0;
let insert = 0;
let insH = 0;
let matchLength = 0;
let matchStart = 0;
let prevLength = 0;
let prevMatch = 0;
let matchAvailable = false;
let slid = false;

// ---------------------------------------------------------------- bit output

function putByte(b: number): void {
  out[pending++] = b;
}

function putShort(w: number): void {
  out[pending++] = w & 0xff;
  out[pending++] = (w >>> 8) & 0xff;
}

function sendBits(value: number, length: number): void {
  if (biValid > 16 - length) {
    biBuf |= (value << biValid) & 0xffff;
    putShort(biBuf);
    biBuf = (value & 0xffff) >>> (16 - biValid);
    biValid += length - 16;
  } else {
    biBuf |= (value << biValid) & 0xffff;
    biValid += length;
  }
}

function biWindup(): void {
  if (biValid > 8) putShort(biBuf);
  else if (biValid > 0) putByte(biBuf & 0xff);
  biBuf = 0;
  biValid = 0;
}

// ---------------------------------------------------------------- trees.c

function initBlock(): void {
  ltree.freq.fill(0, 0, L_CODES);
  dtree.freq.fill(0, 0, D_CODES);
  bltree.freq.fill(0, 0, BL_CODES);
  ltree.freq[END_BLOCK] = 1;
  optLen = 0;
  staticLen = 0;
  symNext = 0;
}

// Frequency, then depth, breaks ties: this is what makes the trees zlib's.
function smaller(freq: Uint32Array, n: number, m: number): boolean {
  const fn = freq[n]!;
  const fm = freq[m]!;
  return fn < fm || (fn === fm && depth[n]! <= depth[m]!);
}

function pqdownheap(t: Tree, k: number): void {
  const freq = t.freq;
  const v = heap[k]!;
  let j = k << 1;
  while (j <= heapLen) {
    if (j < heapLen && smaller(freq, heap[j + 1]!, heap[j]!)) j++;
    if (smaller(freq, v, heap[j]!)) break;
    heap[k] = heap[j]!;
    k = j;
    j <<= 1;
  }
  heap[k] = v;
}

function genBitlen(t: Tree): void {
  const { freq, len, dad, maxCode, extra, extraBase, maxLength } = t;
  const stree = t.staticLen;
  let overflow = 0;
  blCount.fill(0);
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
    blCount[bits]!++;
    const xbits = n >= extraBase ? extra[n - extraBase]! : 0;
    const f = freq[n]!;
    optLen += f * (bits + xbits);
    if (stree !== null) staticLen += f * (stree[n]! + xbits);
  }
  if (overflow === 0) return;
  do {
    let bits = maxLength - 1;
    while (blCount[bits] === 0) bits--;
    blCount[bits]!--;
    blCount[bits + 1]! += 2;
    blCount[maxLength]!--;
    overflow -= 2;
  } while (overflow > 0);
  for (let bits = maxLength; bits !== 0; bits--) {
    let n = blCount[bits]!;
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

function buildTree(t: Tree): void {
  const { freq, len, dad, elems } = t;
  const stree = t.staticLen;
  let maxCode = -1;
  heapLen = 0;
  heapMax = HEAP_SIZE;
  for (let n = 0; n < elems; n++) {
    if (freq[n] !== 0) {
      maxCode = n;
      heap[++heapLen] = n;
      depth[n] = 0;
    } else {
      len[n] = 0;
    }
  }
  // At least two codes of non-zero frequency.
  while (heapLen < 2) {
    const node = maxCode < 2 ? ++maxCode : 0;
    heap[++heapLen] = node;
    freq[node] = 1;
    depth[node] = 0;
    optLen--;
    if (stree !== null) staticLen -= stree[node]!;
  }
  t.maxCode = maxCode;
  for (let n = heapLen >> 1; n >= 1; n--) pqdownheap(t, n);
  let node = elems;
  do {
    const n = heap[1]!;
    heap[1] = heap[heapLen--]!;
    pqdownheap(t, 1);
    const m = heap[1]!;
    heap[--heapMax] = n;
    heap[--heapMax] = m;
    freq[node] = freq[n]! + freq[m]!;
    depth[node] = Math.max(depth[n]!, depth[m]!) + 1;
    dad[n] = node;
    dad[m] = node;
    heap[1] = node++;
    pqdownheap(t, 1);
  } while (heapLen >= 2);
  heap[--heapMax] = heap[1]!;
  genBitlen(t);
  genCodes(t.code, len, maxCode, blCount);
}

function scanTree(len: Uint16Array, maxCode: number): void {
  const blFreq = bltree.freq;
  let prevlen = -1;
  let nextlen = len[0]!;
  let count = 0;
  let maxCount = 7;
  let minCount = 4;
  if (nextlen === 0) {
    maxCount = 138;
    minCount = 3;
  }
  len[maxCode + 1] = 0xffff; // guard
  for (let n = 0; n <= maxCode; n++) {
    const curlen = nextlen;
    nextlen = len[n + 1]!;
    if (++count < maxCount && curlen === nextlen) continue;
    if (count < minCount) blFreq[curlen]! += count;
    else if (curlen !== 0) {
      if (curlen !== prevlen) blFreq[curlen]!++;
      blFreq[REP_3_6]!++;
    } else if (count <= 10) blFreq[REPZ_3_10]!++;
    else blFreq[REPZ_11_138]!++;
    count = 0;
    prevlen = curlen;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    } else if (curlen === nextlen) {
      maxCount = 6;
      minCount = 3;
    } else {
      maxCount = 7;
      minCount = 4;
    }
  }
}

function sendCode(c: number, codes: Uint16Array, lens: Uint16Array): void {
  sendBits(codes[c]!, lens[c]!);
}

function sendTree(len: Uint16Array, maxCode: number): void {
  const { code: blCode, len: blLen } = bltree;
  let prevlen = -1;
  let nextlen = len[0]!;
  let count = 0;
  let maxCount = 7;
  let minCount = 4;
  if (nextlen === 0) {
    maxCount = 138;
    minCount = 3;
  }
  for (let n = 0; n <= maxCode; n++) {
    const curlen = nextlen;
    nextlen = len[n + 1]!;
    if (++count < maxCount && curlen === nextlen) continue;
    if (count < minCount) {
      do sendCode(curlen, blCode, blLen);
      while (--count !== 0);
    } else if (curlen !== 0) {
      if (curlen !== prevlen) {
        sendCode(curlen, blCode, blLen);
        count--;
      }
      sendCode(REP_3_6, blCode, blLen);
      sendBits(count - 3, 2);
    } else if (count <= 10) {
      sendCode(REPZ_3_10, blCode, blLen);
      sendBits(count - 3, 3);
    } else {
      sendCode(REPZ_11_138, blCode, blLen);
      sendBits(count - 11, 7);
    }
    count = 0;
    prevlen = curlen;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    } else if (curlen === nextlen) {
      maxCount = 6;
      minCount = 3;
    } else {
      maxCount = 7;
      minCount = 4;
    }
  }
}

function buildBlTree(): number {
  scanTree(ltree.len, ltree.maxCode);
  scanTree(dtree.len, dtree.maxCode);
  buildTree(bltree);
  let maxBlindex = BL_CODES - 1;
  for (; maxBlindex >= 3; maxBlindex--) if (bltree.len[BL_ORDER[maxBlindex]!] !== 0) break;
  optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4;
  return maxBlindex;
}

function sendAllTrees(lcodes: number, dcodes: number, blcodes: number): void {
  sendBits(lcodes - 257, 5);
  sendBits(dcodes - 1, 5);
  sendBits(blcodes - 4, 4);
  for (let rank = 0; rank < blcodes; rank++) sendBits(bltree.len[BL_ORDER[rank]!]!, 3);
  sendTree(ltree.len, lcodes - 1);
  sendTree(dtree.len, dcodes - 1);
}

function compressBlock(lc: Uint16Array, ll: Uint16Array, dc: Uint16Array, dl: Uint16Array) {
  for (let i = 0; i < symNext; i++) {
    let dist = symDist[i]!;
    let lcode = symLc[i]!;
    if (dist === 0) {
      sendCode(lcode, lc, ll);
    } else {
      let code = LENGTH_CODE[lcode]!;
      sendCode(code + LITERALS + 1, lc, ll);
      let extra = EXTRA_LBITS[code]!;
      if (extra !== 0) {
        lcode -= BASE_LENGTH[code]!;
        sendBits(lcode, extra);
      }
      dist--;
      code = dCode(dist);
      sendCode(code, dc, dl);
      extra = EXTRA_DBITS[code]!;
      if (extra !== 0) {
        dist -= BASE_DIST[code]!;
        sendBits(dist, extra);
      }
    }
  }
  sendCode(END_BLOCK, lc, ll);
}

function storedBlock(buf: number, storedLen: number, last: number): void {
  sendBits(last, 3); // STORED_BLOCK << 1
  biWindup();
  putShort(storedLen);
  putShort(~storedLen & 0xffff);
  out.set(window.subarray(buf, buf + storedLen), pending);
  pending += storedLen;
}

function flushBlock(last: number): void {
  const buf = blockStart >= 0 ? blockStart : -1;
  const storedLen = strstart - blockStart;
  buildTree(ltree);
  buildTree(dtree);
  const maxBlindex = buildBlTree();
  let optLenb = (optLen + 3 + 7) >>> 3;
  const staticLenb = (staticLen + 3 + 7) >>> 3;
  if (staticLenb <= optLenb) optLenb = staticLenb;
  if (storedLen + 4 <= optLenb && buf !== -1) {
    storedBlock(buf, storedLen, last);
  } else if (staticLenb === optLenb) {
    sendBits((1 << 1) + last, 3);
    compressBlock(STATIC_LTREE_CODE, STATIC_LTREE_LEN, STATIC_DTREE_CODE, STATIC_DTREE_LEN);
  } else {
    sendBits((2 << 1) + last, 3);
    sendAllTrees(ltree.maxCode + 1, dtree.maxCode + 1, maxBlindex + 1);
    compressBlock(ltree.code, ltree.len, dtree.code, dtree.len);
  }
  initBlock();
  if (last) biWindup();
  blockStart = strstart;
}

function tallyLit(c: number): boolean {
  symDist[symNext] = 0;
  symLc[symNext++] = c;
  ltree.freq[c]!++;
  return symNext === LIT_BUFSIZE - 1;
}

function tallyDist(dist: number, lc: number): boolean {
  symDist[symNext] = dist;
  symLc[symNext++] = lc;
  dist--;
  ltree.freq[LENGTH_CODE[lc]! + LITERALS + 1]!++;
  dtree.freq[dCode(dist)]!++;
  return symNext === LIT_BUFSIZE - 1;
}

// ---------------------------------------------------------------- deflate.c

function fillWindow(): void {
  do {
    let more = WINDOW_SIZE - lookahead - strstart;
    if (strstart >= W_SIZE + MAX_DIST) {
      window.copyWithin(0, W_SIZE, W_SIZE + W_SIZE);
      matchStart -= W_SIZE;
      strstart -= W_SIZE;
      blockStart -= W_SIZE;
      for (let n = 0; n < HASH_SIZE; n++) {
        const m = head[n]!;
        head[n] = m >= W_SIZE ? m - W_SIZE : 0;
      }
      for (let n = 0; n < W_SIZE; n++) {
        const m = prev[n]!;
        prev[n] = m >= W_SIZE ? m - W_SIZE : 0;
      }
      more += W_SIZE;
      slid = true;
    }
    const avail = input.length - nextIn;
    if (avail === 0) break;
    const n = Math.min(avail, more);
    window.set(input.subarray(nextIn, nextIn + n), strstart + lookahead);
    nextIn += n;
    lookahead += n;
    if (lookahead + insert >= MIN_MATCH) {
      let str = strstart - insert;
      insH = window[str]!;
      insH = ((insH << HASH_SHIFT) ^ window[str + 1]!) & HASH_MASK;
      while (insert) {
        insH = ((insH << HASH_SHIFT) ^ window[str + MIN_MATCH - 1]!) & HASH_MASK;
        prev[str & W_MASK] = head[insH]!;
        head[insH] = str;
        str++;
        insert--;
        if (lookahead + insert < MIN_MATCH) break;
      }
    }
  } while (lookahead < MIN_LOOKAHEAD && nextIn < input.length);
}

function longestMatch(curMatch: number): number {
  let chainLength = MAX_CHAIN;
  const scan = strstart;
  let bestLen = prevLength;
  let nice = NICE_MATCH;
  const limit = strstart > MAX_DIST ? strstart - MAX_DIST : 0;
  const strend = strstart + MAX_MATCH;
  let scanEnd1 = window[scan + bestLen - 1]!;
  let scanEnd = window[scan + bestLen]!;
  if (prevLength >= GOOD_MATCH) chainLength >>>= 2;
  if (nice > lookahead) nice = lookahead;
  const w = window;
  for (;;) {
    const match = curMatch;
    if (
      w[match + bestLen] === scanEnd &&
      w[match + bestLen - 1] === scanEnd1 &&
      w[match] === w[scan] &&
      w[match + 1] === w[scan + 1]
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
    curMatch = prev[curMatch & W_MASK]!;
    if (curMatch <= limit || --chainLength === 0) break;
  }
  return Math.min(bestLen, lookahead);
}

function insertString(str: number): number {
  insH = ((insH << HASH_SHIFT) ^ window[str + MIN_MATCH - 1]!) & HASH_MASK;
  const headOf = head[insH]!;
  prev[str & W_MASK] = headOf;
  head[insH] = str;
  return headOf;
}

// deflate_slow with Z_FINISH and all input at hand (what zlib.compress does).
function deflateSlow(): void {
  for (;;) {
    if (lookahead < MIN_LOOKAHEAD) {
      fillWindow();
      if (lookahead === 0) break;
    }
    let hashHead = 0;
    if (lookahead >= MIN_MATCH) hashHead = insertString(strstart);
    prevLength = matchLength;
    prevMatch = matchStart;
    matchLength = MIN_MATCH - 1;
    if (hashHead !== 0 && prevLength < MAX_LAZY && strstart - hashHead <= MAX_DIST) {
      matchLength = longestMatch(hashHead);
      if (matchLength === MIN_MATCH && strstart - matchStart > TOO_FAR) {
        matchLength = MIN_MATCH - 1;
      }
    }
    if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
      const maxInsert = strstart + lookahead - MIN_MATCH;
      const bflush = tallyDist(strstart - 1 - prevMatch, prevLength - MIN_MATCH);
      lookahead -= prevLength - 1;
      prevLength -= 2;
      do {
        if (++strstart <= maxInsert) insertString(strstart);
      } while (--prevLength !== 0);
      matchAvailable = false;
      matchLength = MIN_MATCH - 1;
      strstart++;
      if (bflush) flushBlock(0);
    } else if (matchAvailable) {
      if (tallyLit(window[strstart - 1]!)) flushBlock(0);
      strstart++;
      lookahead--;
    } else {
      matchAvailable = true;
      strstart++;
      lookahead--;
    }
  }
  if (matchAvailable) {
    tallyLit(window[strstart - 1]!);
    matchAvailable = false;
  }
  insert = Math.min(strstart, MIN_MATCH - 1);
  flushBlock(1);
}

/**
 * Adler-32 (RFC 1950 §8.2).
 *
 * @example
 * adler32(new TextEncoder().encode("Wikipedia")); // 0x11e60398
 */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  let i = 0;
  while (i < data.length) {
    // NMAX: the most bytes before b can pass 2^32 (zlib's bound, kept here).
    const end = Math.min(i + 5552, data.length);
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
  input = data;
  nextIn = 0;
  const n = data.length;
  const bound = n + 5 * (Math.ceil(n / (LIT_BUFSIZE - 1)) + 2) + 16;
  if (out.length < bound) out = new Uint8Array(bound);
  pending = 0;
  biBuf = 0;
  biValid = 0;
  strstart = 0;
  blockStart = 0;
  lookahead = 0;
  insert = 0;
  insH = 0;
  matchLength = prevLength = MIN_MATCH - 1;
  matchStart = prevMatch = 0;
  matchAvailable = false;
  slid = false;
  initBlock();
  putByte(0x78); // CMF: deflate, 32 KiB window
  putByte(0x9c); // FLG: default level, check bits
  try {
    deflateSlow();
  } finally {
    // Leave the hash heads empty for the next call. Without a slide the
    // heads in use are those of the 3-byte strings of the input.
    if (slid || n > 8192) head.fill(0);
    else {
      for (let p = 0; p + 2 < n; p++) {
        head[((data[p]! << 10) ^ (data[p + 1]! << 5) ^ data[p + 2]!) & HASH_MASK] = 0;
      }
    }
    input = EMPTY;
  }
  const sum = adler32(data);
  putByte(sum >>> 24);
  putByte((sum >>> 16) & 0xff);
  putByte((sum >>> 8) & 0xff);
  putByte(sum & 0xff);
  const result = out.slice(0, pending);
  if (out.length > 1 << 16) out = new Uint8Array(4096); // do not keep a large buffer
  return result;
}

// ---------------------------------------------------------------- inflate

/**
 * A zlib stream that does not decode, or decodes to more than the limit.
 *
 * @example
 * try { inflate(bytes, 1 << 20); } catch (error) { if (error instanceof InflateError) return null; }
 */
export class InflateError extends Error {}

const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
];

// A decoding table: for each `bits`-bit window of input (least significant
// bit first), the symbol and its code length, packed as symbol << 4 | length.
// A zero entry is no code.
interface Table {
  entries: Int32Array;
  bits: number;
}

const count = new Uint16Array(MAX_BITS + 1);
const nextCode = new Uint16Array(MAX_BITS + 1);

// Builds `table` from code lengths. Returns false for an over-subscribed
// set, and for an incomplete one unless it is a single one-bit code and
// `single` allows it (zlib's rule; the missing code then decodes as an error).
function buildTable(
  table: Table,
  lens: Uint8Array,
  start: number,
  n: number,
  single = true,
): boolean {
  count.fill(0);
  for (let s = 0; s < n; s++) count[lens[start + s]!]!++;
  count[0] = 0;
  let maxLen = 0;
  let used = 0;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    if (count[len] !== 0) maxLen = len;
    used += count[len]!;
    left = (left << 1) - count[len]!;
    if (left < 0) return false;
  }
  if (used > 0 && left > 0 && !(single && maxLen === 1)) return false;
  const bits = Math.max(maxLen, 1);
  const size = 1 << bits;
  const entries = table.entries;
  entries.fill(0, 0, size);
  table.bits = bits;
  let code = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    code = (code + count[len - 1]!) << 1;
    nextCode[len] = code;
  }
  for (let s = 0; s < n; s++) {
    const len = lens[start + s]!;
    if (len === 0) continue;
    const entry = (s << 4) | len;
    for (let k = reverseBits(nextCode[len]!++, len); k < size; k += 1 << len) entries[k] = entry;
  }
  return true;
}

const FIXED_LIT: Table = { entries: new Int32Array(1 << 9), bits: 0 };
const FIXED_DIST: Table = { entries: new Int32Array(1 << 5), bits: 0 };
const DYN_LIT: Table = { entries: new Int32Array(1 << MAX_BITS), bits: 0 };
const DYN_DIST: Table = { entries: new Int32Array(1 << MAX_BITS), bits: 0 };
const CODE_LENGTHS: Table = { entries: new Int32Array(1 << 7), bits: 0 };
const lengths = new Uint8Array(320);
{
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  const lit = buildTable(FIXED_LIT, lengths, 0, 288);
  // 32 five-bit codes make the set complete; 30 and 31 decode as errors.
  lengths.fill(5, 0, 32);
  if (!lit || !buildTable(FIXED_DIST, lengths, 0, 32)) throw new Error("[tessera] fixed tables");
}

// Output is built in a buffer kept between calls; the result is a copy.
let scratch = new Uint8Array(8192);

class Inflater {
  readonly data: Uint8Array;
  readonly limit: number;
  pos = 2;
  hold = 0; // bit buffer, least significant bit first
  bits = 0;
  out: Uint8Array;
  cap: number; // bytes that fit before room() must grow or refuse
  size = 0;

  constructor(data: Uint8Array, limit: number) {
    this.data = data;
    this.limit = limit;
    this.out = scratch;
    this.cap = Math.min(scratch.length, limit);
  }

  // Near the end a table lookup may look at up to two bytes past the last
  // code, which are zeros here; a stream that needs more is truncated (a
  // complete one still has its 4-byte checksum to come).
  need(n: number): void {
    while (this.bits < n) {
      let byte = 0;
      if (this.pos < this.data.length) byte = this.data[this.pos]!;
      else if (this.pos >= this.data.length + 2)
        throw new InflateError("incomplete or truncated stream");
      this.pos++;
      this.hold |= byte << this.bits;
      this.bits += 8;
    }
  }

  take(n: number): number {
    this.need(n);
    const value = this.hold & ((1 << n) - 1);
    this.hold >>>= n;
    this.bits -= n;
    return value;
  }

  symbol(table: Table): number {
    this.need(table.bits);
    const entry = table.entries[this.hold & ((1 << table.bits) - 1)]!;
    const len = entry & 15;
    if (len === 0) throw new InflateError("invalid code");
    this.hold >>>= len;
    this.bits -= len;
    return entry >>> 4;
  }

  // The next unread byte, once the bits held are dropped to a byte boundary.
  align(): number {
    const at = this.pos - (this.bits >>> 3);
    if (at > this.data.length) throw new InflateError("incomplete or truncated stream");
    this.hold = 0;
    this.bits = 0;
    this.pos = at;
    return at;
  }

  room(n: number): void {
    const need = this.size + n;
    if (need > this.limit) throw new InflateError(`inflates to more than ${this.limit} bytes`);
    if (need > this.out.length) {
      const grown = new Uint8Array(Math.min(this.limit, Math.max(need, this.out.length * 2)));
      grown.set(this.out.subarray(0, this.size));
      this.out = grown;
      if (grown.length <= 1 << 16) scratch = grown;
    }
    this.cap = Math.min(this.out.length, this.limit);
  }

  stored(): void {
    const d = this.data;
    const at = this.align();
    if (at + 4 > d.length) throw new InflateError("incomplete or truncated stream");
    const len = d[at]! | (d[at + 1]! << 8);
    const nlen = d[at + 2]! | (d[at + 3]! << 8);
    if (len !== (~nlen & 0xffff)) throw new InflateError("invalid stored block lengths");
    if (at + 4 + len > d.length) throw new InflateError("incomplete or truncated stream");
    this.room(len);
    this.out.set(d.subarray(at + 4, at + 4 + len), this.size);
    this.size += len;
    this.pos = at + 4 + len;
  }

  codes(lit: Table, dist: Table): void {
    for (;;) {
      let symbol = this.symbol(lit);
      if (symbol < 256) {
        if (this.size >= this.cap) this.room(1);
        this.out[this.size++] = symbol;
        continue;
      }
      if (symbol === 256) return;
      symbol -= 257;
      if (symbol >= 29) throw new InflateError("invalid literal/length code");
      const len = LEN_BASE[symbol]! + this.take(EXTRA_LBITS[symbol]!);
      const ds = this.symbol(dist);
      if (ds >= 30) throw new InflateError("invalid distance code");
      const distance = DIST_BASE[ds]! + this.take(EXTRA_DBITS[ds]!);
      if (distance > this.size) throw new InflateError("invalid distance too far back");
      this.room(len);
      const o = this.out;
      let from = this.size - distance;
      let to = this.size;
      const end = to + len;
      while (to < end) o[to++] = o[from++]!;
      this.size = end;
    }
  }

  dynamic(): void {
    const nlen = this.take(5) + 257;
    const ndist = this.take(5) + 1;
    const ncode = this.take(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError("too many length or distance symbols");
    lengths.fill(0, 0, 19);
    for (let i = 0; i < ncode; i++) lengths[BL_ORDER[i]!] = this.take(3);
    if (!buildTable(CODE_LENGTHS, lengths, 0, 19, false))
      throw new InflateError("invalid code lengths set");
    let index = 0;
    const total = nlen + ndist;
    while (index < total) {
      let symbol = this.symbol(CODE_LENGTHS);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      let len = 0;
      if (symbol === 16) {
        if (index === 0) throw new InflateError("invalid bit length repeat");
        len = lengths[index - 1]!;
        symbol = 3 + this.take(2);
      } else if (symbol === 17) symbol = 3 + this.take(3);
      else symbol = 11 + this.take(7);
      if (index + symbol > total) throw new InflateError("invalid bit length repeat");
      lengths.fill(len, index, index + symbol);
      index += symbol;
    }
    if (lengths[256] === 0) throw new InflateError("invalid code -- missing end-of-block");
    if (!buildTable(DYN_LIT, lengths, 0, nlen))
      throw new InflateError("invalid literal/lengths set");
    if (!buildTable(DYN_DIST, lengths, nlen, ndist))
      throw new InflateError("invalid distances set");
    this.codes(DYN_LIT, DYN_DIST);
  }
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
  if (data.length < 2) throw new InflateError("incomplete or truncated stream");
  const cmf = data[0]!;
  const flg = data[1]!;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0)
    throw new InflateError("incorrect header check");
  if (flg & 0x20) throw new InflateError("a preset dictionary is needed");
  const inf = new Inflater(data, limit);
  let last = 0;
  do {
    last = inf.take(1);
    const type = inf.take(2);
    if (type === 0) inf.stored();
    else if (type === 1) inf.codes(FIXED_LIT, FIXED_DIST);
    else if (type === 2) inf.dynamic();
    else throw new InflateError("invalid block type");
  } while (!last);
  const p = inf.align();
  if (p + 4 > data.length) throw new InflateError("incomplete or truncated stream");
  const expected =
    ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
  const result = inf.out.slice(0, inf.size);
  if (adler32(result) !== expected) throw new InflateError("incorrect data check");
  return result;
}
