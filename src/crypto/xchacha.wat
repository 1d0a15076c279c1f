;; XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) over ChaCha20 and Poly1305
;; (RFC 8439) in WebAssembly with 128-bit SIMD: the source of the module in
;; xchacha-simd.ts (`npm run wasm` compiles it there). xchacha.ts is the same
;; algorithm in TypeScript: the reference, and the fallback where WebAssembly
;; is missing or may not be compiled.
;;
;; One page of memory, fixed (it never grows, so views over it stay valid).
;; The first 256 bytes are this module's scratch:
;;   0   subkey (32)          32  a padded Poly1305 block (16)
;;   96  computed tag (16)    112 the ChaCha20 nonce's last 8 bytes
;;   128 two keystream blocks (128)
;; the caller places key, nonce, associated data and message anywhere above.
;; Everything is constant time: no branch or address depends on a secret.
(module
  (memory (export "memory") 1 1)

  ;; Poly1305 state: h (accumulator), r (clamped key), 5r, s (pad), as
  ;; 26-bit limbs in i64 (poly1305-donna's 32-bit layout).
  (global $h0 (mut i64) (i64.const 0)) (global $h1 (mut i64) (i64.const 0))
  (global $h2 (mut i64) (i64.const 0)) (global $h3 (mut i64) (i64.const 0))
  (global $h4 (mut i64) (i64.const 0))
  (global $r0 (mut i64) (i64.const 0)) (global $r1 (mut i64) (i64.const 0))
  (global $r2 (mut i64) (i64.const 0)) (global $r3 (mut i64) (i64.const 0))
  (global $r4 (mut i64) (i64.const 0))
  (global $s0 (mut i64) (i64.const 0)) (global $s1 (mut i64) (i64.const 0))
  (global $s2 (mut i64) (i64.const 0)) (global $s3 (mut i64) (i64.const 0))

  ;; RFC 8439 §2.3: 20 rounds (10 column + diagonal pairs) on the state rows
  ;; a = constants, b and c = key, d = counter | nonce. A quarter round runs on
  ;; the four columns at once; rotating rows b, c, d by 1, 2, 3 lanes lines
  ;; the diagonals up as columns (and back).
  (func $rounds (param $a v128) (param $b v128) (param $c v128) (param $d v128)
    (result v128 v128 v128 v128)
    (local $t v128) (local $i i32)
    (local.set $i (i32.const 10))
    (loop $double
      ;; columns (RFC 8439 §2.1 quarter round)
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $d (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $t) (local.get $t)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $d (i8x16.shuffle 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14 (local.get $t) (local.get $t)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
      ;; diagonals: b, c, d rotated left by 1, 2, 3 lanes
      (local.set $b (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $b) (local.get $b)))
      (local.set $c (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c)))
      (local.set $d (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $d) (local.get $d)))
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $d (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $t) (local.get $t)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $d (i8x16.shuffle 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14 (local.get $t) (local.get $t)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
      ;; back to columns
      (local.set $b (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $b) (local.get $b)))
      (local.set $c (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c)))
      (local.set $d (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $d) (local.get $d)))
      (br_if $double (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
    (local.get $a) (local.get $b) (local.get $c) (local.get $d))

  ;; Two blocks' rounds at once, interleaved: one block's rounds are a chain of
  ;; dependent steps, so the processor idles between them; two independent
  ;; chains fill those gaps (the second state is e, f, g, h).
  (func $rounds2 (param $a v128) (param $b v128) (param $c v128) (param $d v128)
    (param $e v128) (param $f v128) (param $g v128) (param $h v128)
    (result v128 v128 v128 v128 v128 v128 v128 v128)
    (local $t v128) (local $u v128) (local $i i32)
    (local.set $i (i32.const 10))
    (loop $double
      ;; columns (RFC 8439 §2.1 quarter round)
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $e (i32x4.add (local.get $e) (local.get $f)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $u (v128.xor (local.get $h) (local.get $e)))
      (local.set $d (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $t) (local.get $t)))
      (local.set $h (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $u) (local.get $u)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $g (i32x4.add (local.get $g) (local.get $h)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $u (v128.xor (local.get $f) (local.get $g)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
      (local.set $f (v128.or (i32x4.shl (local.get $u) (i32.const 12)) (i32x4.shr_u (local.get $u) (i32.const 20))))
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $e (i32x4.add (local.get $e) (local.get $f)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $u (v128.xor (local.get $h) (local.get $e)))
      (local.set $d (i8x16.shuffle 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14 (local.get $t) (local.get $t)))
      (local.set $h (i8x16.shuffle 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14 (local.get $u) (local.get $u)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $g (i32x4.add (local.get $g) (local.get $h)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $u (v128.xor (local.get $f) (local.get $g)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
      (local.set $f (v128.or (i32x4.shl (local.get $u) (i32.const 7)) (i32x4.shr_u (local.get $u) (i32.const 25))))
      ;; diagonals: b, c, d rotated left by 1, 2, 3 lanes
      (local.set $b (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $b) (local.get $b)))
      (local.set $f (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $f) (local.get $f)))
      (local.set $c (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c)))
      (local.set $g (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))
      (local.set $d (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $d) (local.get $d)))
      (local.set $h (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $h) (local.get $h)))
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $e (i32x4.add (local.get $e) (local.get $f)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $u (v128.xor (local.get $h) (local.get $e)))
      (local.set $d (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $t) (local.get $t)))
      (local.set $h (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $u) (local.get $u)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $g (i32x4.add (local.get $g) (local.get $h)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $u (v128.xor (local.get $f) (local.get $g)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
      (local.set $f (v128.or (i32x4.shl (local.get $u) (i32.const 12)) (i32x4.shr_u (local.get $u) (i32.const 20))))
      (local.set $a (i32x4.add (local.get $a) (local.get $b)))
      (local.set $e (i32x4.add (local.get $e) (local.get $f)))
      (local.set $t (v128.xor (local.get $d) (local.get $a)))
      (local.set $u (v128.xor (local.get $h) (local.get $e)))
      (local.set $d (i8x16.shuffle 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14 (local.get $t) (local.get $t)))
      (local.set $h (i8x16.shuffle 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14 (local.get $u) (local.get $u)))
      (local.set $c (i32x4.add (local.get $c) (local.get $d)))
      (local.set $g (i32x4.add (local.get $g) (local.get $h)))
      (local.set $t (v128.xor (local.get $b) (local.get $c)))
      (local.set $u (v128.xor (local.get $f) (local.get $g)))
      (local.set $b (v128.or (i32x4.shl (local.get $t) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
      (local.set $f (v128.or (i32x4.shl (local.get $u) (i32.const 7)) (i32x4.shr_u (local.get $u) (i32.const 25))))
      ;; back to columns
      (local.set $b (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $b) (local.get $b)))
      (local.set $f (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $f) (local.get $f)))
      (local.set $c (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c)))
      (local.set $g (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))
      (local.set $d (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $d) (local.get $d)))
      (local.set $h (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $h) (local.get $h)))
      (br_if $double (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
    (local.get $a) (local.get $b) (local.get $c) (local.get $d)
    (local.get $e) (local.get $f) (local.get $g) (local.get $h))

  ;; "expand 32-byte k"
  (func $sigma (result v128) (v128.const i32x4 0x61707865 0x3320646e 0x79622d32 0x6b206574))

  ;; draft-irtf-cfrg-xchacha-03 §2.2: HChaCha20 of the key and the nonce's
  ;; first 16 bytes, without the final addition; the subkey is rows a and d.
  (func $hchacha (param $key i32) (param $nonce i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (call $rounds (call $sigma) (v128.load (local.get $key)) (v128.load offset=16 (local.get $key))
      (v128.load (local.get $nonce)))
    (local.set $d) (local.set $c) (local.set $b) (local.set $a)
    (v128.store (i32.const 0) (local.get $a))
    (v128.store (i32.const 16) (local.get $d))
    (i64.store (i32.const 112) (i64.load offset=16 (local.get $nonce))))

;; RFC 8439 §2.4 with the subkey and the nonce 0 | nonce[16..24]
  ;; (draft-irtf-cfrg-xchacha-03 §2.3): keystream blocks counter and
  ;; counter + 1, to 128..255.
  (func $stream2 (param $counter i32)
    (local $kb v128) (local $kc v128) (local $kd v128) (local $kd2 v128)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $e v128) (local $f v128) (local $g v128) (local $h v128)
    (local.set $kb (v128.load (i32.const 0)))
    (local.set $kc (v128.load (i32.const 16)))
    (local.set $kd (i32x4.replace_lane 0 (i64x2.replace_lane 1 (v128.const i64x2 0 0) (i64.load (i32.const 112))) (local.get $counter)))
    (local.set $kd2 (i32x4.add (local.get $kd) (v128.const i32x4 1 0 0 0)))
    (call $rounds2 (call $sigma) (local.get $kb) (local.get $kc) (local.get $kd)
                   (call $sigma) (local.get $kb) (local.get $kc) (local.get $kd2))
    (local.set $h) (local.set $g) (local.set $f) (local.set $e)
    (local.set $d) (local.set $c) (local.set $b) (local.set $a)
    (v128.store (i32.const 128) (i32x4.add (local.get $a) (call $sigma)))
    (v128.store (i32.const 144) (i32x4.add (local.get $b) (local.get $kb)))
    (v128.store (i32.const 160) (i32x4.add (local.get $c) (local.get $kc)))
    (v128.store (i32.const 176) (i32x4.add (local.get $d) (local.get $kd)))
    (v128.store (i32.const 192) (i32x4.add (local.get $e) (call $sigma)))
    (v128.store (i32.const 208) (i32x4.add (local.get $f) (local.get $kb)))
    (v128.store (i32.const 224) (i32x4.add (local.get $g) (local.get $kc)))
    (v128.store (i32.const 240) (i32x4.add (local.get $h) (local.get $kd2))))

  ;; XORs n bytes of keystream at ks into p: 16 at a time, then byte by byte.
  (func $xorWith (param $p i32) (param $ks i32) (param $n i32)
    (local $i i32)
    (block $tail
      (loop $vectors
        (br_if $tail (i32.lt_u (i32.sub (local.get $n) (local.get $i)) (i32.const 16)))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (v128.xor (v128.load (i32.add (local.get $p) (local.get $i)))
                    (v128.load (i32.add (local.get $ks) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vectors)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $p) (local.get $i))
          (i32.xor (i32.load8_u (i32.add (local.get $p) (local.get $i)))
                   (i32.load8_u (i32.add (local.get $ks) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes))))

  ;; RFC 8439 §2.4: the keystream from block `counter` on, XORed over
  ;; [p, p + len), two blocks at a time.
  (func $xor (param $counter i32) (param $p i32) (param $len i32)
    (local $n i32)
    (block $done
      (loop $pairs
        (br_if $done (i32.eqz (local.get $len)))
        (call $stream2 (local.get $counter))
        (local.set $n (select (local.get $len) (i32.const 128) (i32.lt_u (local.get $len) (i32.const 128))))
        (call $xorWith (local.get $p) (i32.const 128) (local.get $n))
        (local.set $p (i32.add (local.get $p) (local.get $n)))
        (local.set $len (i32.sub (local.get $len) (local.get $n)))
        (local.set $counter (i32.add (local.get $counter) (i32.const 2)))
        (br $pairs))))

  ;; RFC 8439 §2.6 and §2.8: blocks 0 and 1 together; block 0's first 32 bytes
  ;; are the Poly1305 key, block 1 (left at 192) encrypts the first 64 bytes.
  (func $begin
    (call $stream2 (i32.const 0))
    (call $polyKey (i32.const 128)))

  ;; The message, from the keystream block 1 that $begin left at 192 on.
  (func $crypt (param $p i32) (param $len i32)
    (local $n i32)
    (local.set $n (select (local.get $len) (i32.const 64) (i32.lt_u (local.get $len) (i32.const 64))))
    (call $xorWith (local.get $p) (i32.const 192) (local.get $n))
    (call $xor (i32.const 2) (i32.add (local.get $p) (local.get $n)) (i32.sub (local.get $len) (local.get $n))))

  ;; RFC 8439 §2.5: the one-time key at k starts a MAC: r is clamped with
  ;; 0x0ffffffc0ffffffc0ffffffc0fffffff, s is kept for the end.
  (func $polyKey (param $k i32)
    (global.set $r0 (i64.extend_i32_u (i32.and (i32.load (local.get $k)) (i32.const 0x3ffffff))))
    (global.set $r1 (i64.extend_i32_u (i32.and (i32.shr_u (i32.load offset=3 (local.get $k)) (i32.const 2)) (i32.const 0x3ffff03))))
    (global.set $r2 (i64.extend_i32_u (i32.and (i32.shr_u (i32.load offset=6 (local.get $k)) (i32.const 4)) (i32.const 0x3ffc0ff))))
    (global.set $r3 (i64.extend_i32_u (i32.and (i32.shr_u (i32.load offset=9 (local.get $k)) (i32.const 6)) (i32.const 0x3f03fff))))
    (global.set $r4 (i64.extend_i32_u (i32.and (i32.shr_u (i32.load offset=12 (local.get $k)) (i32.const 8)) (i32.const 0x00fffff))))
    (global.set $s0 (i64.load32_u offset=16 (local.get $k)))
    (global.set $s1 (i64.load32_u offset=20 (local.get $k)))
    (global.set $s2 (i64.load32_u offset=24 (local.get $k)))
    (global.set $s3 (i64.load32_u offset=28 (local.get $k)))
    (global.set $h0 (i64.const 0)) (global.set $h1 (i64.const 0)) (global.set $h2 (i64.const 0))
    (global.set $h3 (i64.const 0)) (global.set $h4 (i64.const 0)))

  ;; RFC 8439 §2.5: for each 16-byte block at p,
  ;; h = (h + block + 2^128) * r mod 2^130 - 5, partly reduced: limbs stay
  ;; below 2^26 plus a small carry, so every product and sum fits in 64 bits.
  ;; hibit is 2^128 at limb 4's weight (0x1000000), or 0 for a short last
  ;; block, which carries its own 1 byte.
  (func $polyBlocks (param $p i32) (param $n i32) (param $hibit i32)
    (local $h0 i64) (local $h1 i64) (local $h2 i64) (local $h3 i64) (local $h4 i64)
    (local $r0 i64) (local $r1 i64) (local $r2 i64) (local $r3 i64) (local $r4 i64)
    (local $w1 i64) (local $w2 i64) (local $w3 i64) (local $w4 i64)
    (local $d0 i64) (local $d1 i64) (local $d2 i64) (local $d3 i64) (local $d4 i64) (local $c i64)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $h0 (global.get $h0)) (local.set $h1 (global.get $h1)) (local.set $h2 (global.get $h2))
    (local.set $h3 (global.get $h3)) (local.set $h4 (global.get $h4))
    (local.set $r0 (global.get $r0)) (local.set $r1 (global.get $r1)) (local.set $r2 (global.get $r2))
    (local.set $r3 (global.get $r3)) (local.set $r4 (global.get $r4))
    ;; 2^130 = 5 mod 2^130 - 5: limbs past the top wrap around times 5.
    (local.set $w1 (i64.mul (local.get $r1) (i64.const 5)))
    (local.set $w2 (i64.mul (local.get $r2) (i64.const 5)))
    (local.set $w3 (i64.mul (local.get $r3) (i64.const 5)))
    (local.set $w4 (i64.mul (local.get $r4) (i64.const 5)))
    (loop $block
      (local.set $h0 (i64.add (local.get $h0) (i64.extend_i32_u (i32.and (i32.load offset=0 (local.get $p)) (i32.const 0x3ffffff)))))
      (local.set $h1 (i64.add (local.get $h1) (i64.extend_i32_u (i32.and (i32.shr_u (i32.load offset=3 (local.get $p)) (i32.const 2)) (i32.const 0x3ffffff)))))
      (local.set $h2 (i64.add (local.get $h2) (i64.extend_i32_u (i32.and (i32.shr_u (i32.load offset=6 (local.get $p)) (i32.const 4)) (i32.const 0x3ffffff)))))
      (local.set $h3 (i64.add (local.get $h3) (i64.extend_i32_u (i32.and (i32.shr_u (i32.load offset=9 (local.get $p)) (i32.const 6)) (i32.const 0x3ffffff)))))
      (local.set $h4 (i64.add (local.get $h4) (i64.extend_i32_u (i32.or (i32.shr_u (i32.load offset=12 (local.get $p)) (i32.const 8)) (local.get $hibit)))))
      (local.set $d0 (i64.add (i64.add (i64.add (i64.add
        (i64.mul (local.get $h0) (local.get $r0)) (i64.mul (local.get $h1) (local.get $w4)))
        (i64.mul (local.get $h2) (local.get $w3))) (i64.mul (local.get $h3) (local.get $w2)))
        (i64.mul (local.get $h4) (local.get $w1))))
      (local.set $d1 (i64.add (i64.add (i64.add (i64.add
        (i64.mul (local.get $h0) (local.get $r1)) (i64.mul (local.get $h1) (local.get $r0)))
        (i64.mul (local.get $h2) (local.get $w4))) (i64.mul (local.get $h3) (local.get $w3)))
        (i64.mul (local.get $h4) (local.get $w2))))
      (local.set $d2 (i64.add (i64.add (i64.add (i64.add
        (i64.mul (local.get $h0) (local.get $r2)) (i64.mul (local.get $h1) (local.get $r1)))
        (i64.mul (local.get $h2) (local.get $r0))) (i64.mul (local.get $h3) (local.get $w4)))
        (i64.mul (local.get $h4) (local.get $w3))))
      (local.set $d3 (i64.add (i64.add (i64.add (i64.add
        (i64.mul (local.get $h0) (local.get $r3)) (i64.mul (local.get $h1) (local.get $r2)))
        (i64.mul (local.get $h2) (local.get $r1))) (i64.mul (local.get $h3) (local.get $r0)))
        (i64.mul (local.get $h4) (local.get $w4))))
      (local.set $d4 (i64.add (i64.add (i64.add (i64.add
        (i64.mul (local.get $h0) (local.get $r4)) (i64.mul (local.get $h1) (local.get $r3)))
        (i64.mul (local.get $h2) (local.get $r2))) (i64.mul (local.get $h3) (local.get $r1)))
        (i64.mul (local.get $h4) (local.get $r0))))
      ;; carries
      (local.set $c (i64.shr_u (local.get $d0) (i64.const 26)))
      (local.set $h0 (i64.and (local.get $d0) (i64.const 0x3ffffff)))
      (local.set $d1 (i64.add (local.get $d1) (local.get $c)))
      (local.set $c (i64.shr_u (local.get $d1) (i64.const 26)))
      (local.set $h1 (i64.and (local.get $d1) (i64.const 0x3ffffff)))
      (local.set $d2 (i64.add (local.get $d2) (local.get $c)))
      (local.set $c (i64.shr_u (local.get $d2) (i64.const 26)))
      (local.set $h2 (i64.and (local.get $d2) (i64.const 0x3ffffff)))
      (local.set $d3 (i64.add (local.get $d3) (local.get $c)))
      (local.set $c (i64.shr_u (local.get $d3) (i64.const 26)))
      (local.set $h3 (i64.and (local.get $d3) (i64.const 0x3ffffff)))
      (local.set $d4 (i64.add (local.get $d4) (local.get $c)))
      (local.set $c (i64.shr_u (local.get $d4) (i64.const 26)))
      (local.set $h4 (i64.and (local.get $d4) (i64.const 0x3ffffff)))
      (local.set $h0 (i64.add (local.get $h0) (i64.mul (local.get $c) (i64.const 5))))
      (local.set $c (i64.shr_u (local.get $h0) (i64.const 26)))
      (local.set $h0 (i64.and (local.get $h0) (i64.const 0x3ffffff)))
      (local.set $h1 (i64.add (local.get $h1) (local.get $c)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $block (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (global.set $h0 (local.get $h0)) (global.set $h1 (local.get $h1)) (global.set $h2 (local.get $h2))
    (global.set $h3 (local.get $h3)) (global.set $h4 (local.get $h4)))

  ;; RFC 8439 §2.8: a piece of the MAC input, then zeros up to a multiple of 16.
  (func $polyPadded (param $p i32) (param $len i32)
    (local $rest i32)
    (call $polyBlocks (local.get $p) (i32.shr_u (local.get $len) (i32.const 4)) (i32.const 0x1000000))
    (local.set $rest (i32.and (local.get $len) (i32.const 15)))
    (if (local.get $rest)
      (then
        (v128.store (i32.const 32) (v128.const i64x2 0 0))
        (memory.copy (i32.const 32) (i32.add (local.get $p) (i32.and (local.get $len) (i32.const -16))) (local.get $rest))
        (call $polyBlocks (i32.const 32) (i32.const 1) (i32.const 0x1000000)))))

  ;; RFC 8439 §2.8: mac_data = aad | pad16 | ciphertext | pad16 | le64(aad
  ;; length) | le64(ciphertext length); the tag goes to `out`.
  (func $mac (param $aad i32) (param $aadLen i32) (param $p i32) (param $len i32) (param $out i32)
    (call $polyPadded (local.get $aad) (local.get $aadLen))
    (call $polyPadded (local.get $p) (local.get $len))
    (i64.store (i32.const 32) (i64.extend_i32_u (local.get $aadLen)))
    (i64.store (i32.const 40) (i64.extend_i32_u (local.get $len)))
    (call $polyBlocks (i32.const 32) (i32.const 1) (i32.const 0x1000000))
    (call $polyFinish (local.get $out)))

  ;; RFC 8439 §2.5: the tag, h mod 2^130 - 5 plus s mod 2^128, to `out`.
  (func $polyFinish (param $out i32)
    (local $h0 i64) (local $h1 i64) (local $h2 i64) (local $h3 i64) (local $h4 i64)
    (local $g0 i64) (local $g1 i64) (local $g2 i64) (local $g3 i64) (local $g4 i64)
    (local $c i64) (local $mask i64) (local $f i64)
    ;; full carry
    (local.set $h0 (global.get $h0)) (local.set $h1 (global.get $h1)) (local.set $h2 (global.get $h2))
    (local.set $h3 (global.get $h3)) (local.set $h4 (global.get $h4))
    (local.set $c (i64.shr_u (local.get $h1) (i64.const 26))) (local.set $h1 (i64.and (local.get $h1) (i64.const 0x3ffffff)))
    (local.set $h2 (i64.add (local.get $h2) (local.get $c)))
    (local.set $c (i64.shr_u (local.get $h2) (i64.const 26))) (local.set $h2 (i64.and (local.get $h2) (i64.const 0x3ffffff)))
    (local.set $h3 (i64.add (local.get $h3) (local.get $c)))
    (local.set $c (i64.shr_u (local.get $h3) (i64.const 26))) (local.set $h3 (i64.and (local.get $h3) (i64.const 0x3ffffff)))
    (local.set $h4 (i64.add (local.get $h4) (local.get $c)))
    (local.set $c (i64.shr_u (local.get $h4) (i64.const 26))) (local.set $h4 (i64.and (local.get $h4) (i64.const 0x3ffffff)))
    (local.set $h0 (i64.add (local.get $h0) (i64.mul (local.get $c) (i64.const 5))))
    (local.set $c (i64.shr_u (local.get $h0) (i64.const 26))) (local.set $h0 (i64.and (local.get $h0) (i64.const 0x3ffffff)))
    (local.set $h1 (i64.add (local.get $h1) (local.get $c)))
    ;; g = h + 5 - 2^130: h >= 2^130 - 5 exactly when g does not borrow;
    ;; then h mod p is g (chosen by a mask, not a branch).
    (local.set $g0 (i64.add (local.get $h0) (i64.const 5)))
    (local.set $c (i64.shr_u (local.get $g0) (i64.const 26))) (local.set $g0 (i64.and (local.get $g0) (i64.const 0x3ffffff)))
    (local.set $g1 (i64.add (local.get $h1) (local.get $c)))
    (local.set $c (i64.shr_u (local.get $g1) (i64.const 26))) (local.set $g1 (i64.and (local.get $g1) (i64.const 0x3ffffff)))
    (local.set $g2 (i64.add (local.get $h2) (local.get $c)))
    (local.set $c (i64.shr_u (local.get $g2) (i64.const 26))) (local.set $g2 (i64.and (local.get $g2) (i64.const 0x3ffffff)))
    (local.set $g3 (i64.add (local.get $h3) (local.get $c)))
    (local.set $c (i64.shr_u (local.get $g3) (i64.const 26))) (local.set $g3 (i64.and (local.get $g3) (i64.const 0x3ffffff)))
    (local.set $g4 (i64.sub (i64.add (local.get $h4) (local.get $c)) (i64.const 0x4000000)))
    ;; all ones when g4 did not go below zero
    (local.set $mask (i64.sub (i64.shr_u (local.get $g4) (i64.const 63)) (i64.const 1)))
    (local.set $h0 (i64.or (i64.and (local.get $g0) (local.get $mask)) (i64.and (local.get $h0) (i64.xor (local.get $mask) (i64.const -1)))))
    (local.set $h1 (i64.or (i64.and (local.get $g1) (local.get $mask)) (i64.and (local.get $h1) (i64.xor (local.get $mask) (i64.const -1)))))
    (local.set $h2 (i64.or (i64.and (local.get $g2) (local.get $mask)) (i64.and (local.get $h2) (i64.xor (local.get $mask) (i64.const -1)))))
    (local.set $h3 (i64.or (i64.and (local.get $g3) (local.get $mask)) (i64.and (local.get $h3) (i64.xor (local.get $mask) (i64.const -1)))))
    (local.set $h4 (i64.or (i64.and (local.get $g4) (local.get $mask)) (i64.and (local.get $h4) (i64.xor (local.get $mask) (i64.const -1)))))
    ;; the low 128 bits as four words, plus s, carried
    (local.set $f (i64.add (i64.and (i64.or (local.get $h0) (i64.shl (local.get $h1) (i64.const 26))) (i64.const 0xffffffff)) (global.get $s0)))
    (i32.store offset=0 (local.get $out) (i32.wrap_i64 (local.get $f)))
    (local.set $f (i64.add (i64.add (i64.and (i64.or (i64.shr_u (local.get $h1) (i64.const 6)) (i64.shl (local.get $h2) (i64.const 20))) (i64.const 0xffffffff)) (global.get $s1)) (i64.shr_u (local.get $f) (i64.const 32))))
    (i32.store offset=4 (local.get $out) (i32.wrap_i64 (local.get $f)))
    (local.set $f (i64.add (i64.add (i64.and (i64.or (i64.shr_u (local.get $h2) (i64.const 12)) (i64.shl (local.get $h3) (i64.const 14))) (i64.const 0xffffffff)) (global.get $s2)) (i64.shr_u (local.get $f) (i64.const 32))))
    (i32.store offset=8 (local.get $out) (i32.wrap_i64 (local.get $f)))
    (local.set $f (i64.add (i64.add (i64.and (i64.or (i64.shr_u (local.get $h3) (i64.const 18)) (i64.shl (local.get $h4) (i64.const 8))) (i64.const 0xffffffff)) (global.get $s3)) (i64.shr_u (local.get $f) (i64.const 32))))
    (i32.store offset=12 (local.get $out) (i32.wrap_i64 (local.get $f))))

  ;; Seals len bytes at msg in place under the key (32 bytes) and nonce (24)
  ;; at the given addresses, with aadLen bytes of associated data at aad; the
  ;; tag follows the ciphertext.
  (func (export "seal") (param $key i32) (param $nonce i32) (param $aad i32) (param $aadLen i32)
    (param $msg i32) (param $len i32)
    (call $hchacha (local.get $key) (local.get $nonce))
    (call $begin)
    (call $crypt (local.get $msg) (local.get $len))
    (call $mac (local.get $aad) (local.get $aadLen) (local.get $msg) (local.get $len)
      (i32.add (local.get $msg) (local.get $len))))

  ;; Opens ciphertext || tag (len bytes at msg, len >= 16): the tag is
  ;; compared in constant time (RFC 8439 §4) before anything is decrypted.
  ;; Returns 1 with the plaintext in place, or 0 with the input untouched.
  (func (export "open") (param $key i32) (param $nonce i32) (param $aad i32) (param $aadLen i32)
    (param $msg i32) (param $len i32) (result i32)
    (local $clen i32)
    (local.set $clen (i32.sub (local.get $len) (i32.const 16)))
    (call $hchacha (local.get $key) (local.get $nonce))
    (call $begin)
    (call $mac (local.get $aad) (local.get $aadLen) (local.get $msg) (local.get $clen) (i32.const 96))
    (if (v128.any_true (v128.xor (v128.load (i32.const 96))
                                 (v128.load (i32.add (local.get $msg) (local.get $clen)))))
      (then (return (i32.const 0))))
    (call $crypt (local.get $msg) (local.get $clen))
    (i32.const 1))

  ;; RFC 8439 §2.5: Poly1305 of len bytes at msg under the 32-byte one-time
  ;; key at key, the tag to out. Only the tests call it (the AEAD pads every
  ;; piece, so it never has a short block): it checks the MAC on its own.
  (func (export "poly1305") (param $key i32) (param $msg i32) (param $len i32) (param $out i32)
    (local $rest i32)
    (call $polyKey (local.get $key))
    (call $polyBlocks (local.get $msg) (i32.shr_u (local.get $len) (i32.const 4)) (i32.const 0x1000000))
    (local.set $rest (i32.and (local.get $len) (i32.const 15)))
    (if (local.get $rest)
      (then
        ;; the short last block: its bytes, a 1 byte, zeros; no 2^128
        (v128.store (i32.const 32) (v128.const i64x2 0 0))
        (memory.copy (i32.const 32) (i32.add (local.get $msg) (i32.and (local.get $len) (i32.const -16))) (local.get $rest))
        (i32.store8 offset=32 (local.get $rest) (i32.const 1))
        (call $polyBlocks (i32.const 32) (i32.const 1) (i32.const 0))))
    (call $polyFinish (local.get $out)))
)
