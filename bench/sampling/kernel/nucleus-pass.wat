;; The passes of worker/logits-nucleus.ts over a row of scores, four at a time (WebAssembly SIMD).
;; Assembled into worker/logits-nucleus-kernel.ts by bench/sampling/kernel/assemble.mjs.
;;
;; For a row of n scores (n a multiple of 4) at $scores (after the shuffle table, at 256):
;; - `largest`: the largest score (NaN ignored, as in JavaScript's s > max ? s : max);
;; - `pass`, with x = (origin − s) · scale the token's depth in octaves below the origin (scale =
;;   log2(e) / temperature): lists the tokens scoring at least $threshold at $list (their count in
;;   the global $listed, four lanes stored at a time), and sums 2^(−x) over the others (the global
;;   $rest), 2^(−x) from a degree-4 polynomial on x's fraction and the exponent bits from its
;;   integer part, x clamped at 40 (the caller's origin is the largest score: beyond 40 octaves a
;;   token's share is below 2^-40, and x's rounding stays small). The sum goes in f32 per lane over 16 steps,
;;   then into f64: its rounding stays within 16 ulps. A NaN score makes the sum NaN. Each block of
;;   64 scores' sum is also stored, at $blocks + 8 · block (top_p 1 finds its draw's block there).
(module
  (memory (export "memory") 1)
  ;; For each mask of listed lanes (bit j: lane j), the bytes of those lanes first (0x80: zero).
  (data (i32.const 0)
    "\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\80\80\80\80\80\80\80\80\80\80\80\80"
    "\04\05\06\07\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\80\80\80\80\80\80\80\80"
    "\08\09\0a\0b\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\08\09\0a\0b\80\80\80\80\80\80\80\80"
    "\04\05\06\07\08\09\0a\0b\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\08\09\0a\0b\80\80\80\80"
    "\0c\0d\0e\0f\80\80\80\80\80\80\80\80\80\80\80\80"
    "\00\01\02\03\0c\0d\0e\0f\80\80\80\80\80\80\80\80"
    "\04\05\06\07\0c\0d\0e\0f\80\80\80\80\80\80\80\80"
    "\00\01\02\03\04\05\06\07\0c\0d\0e\0f\80\80\80\80"
    "\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80\80\80\80\80"
    "\00\01\02\03\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80"
    "\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80"
    "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f")
  (global $listed (export "listed") (mut i32) (i32.const 0))
  (global $rest (export "rest") (mut f64) (f64.const 0))
  (func (export "pass") (param $scores i32) (param $n i32) (param $list i32)
        (param $origin f32) (param $scale f32) (param $threshold f32) (param $blocks i32)
    (local $i i32) (local $end i32) (local $k i32) (local $m i32)
    (local $v v128) (local $in v128) (local $x v128) (local $e v128) (local $f v128) (local $p v128)
    (local $acc v128) (local $block v128) (local $sum v128) (local $index v128) (local $origins v128) (local $scales v128) (local $thresholds v128)
    (local $fours v128) (local $clamp v128) (local $c4 v128) (local $c3 v128) (local $c2 v128) (local $c1 v128) (local $c0 v128) (local $bias v128)
    (local.set $sum (v128.const f64x2 0 0))
    (local.set $index (i32x4.add (i32x4.splat (local.get $i)) (v128.const i32x4 0 1 2 3)))
    (local.set $origins (f32x4.splat (local.get $origin)))
    (local.set $scales (f32x4.splat (local.get $scale)))
    (local.set $thresholds (f32x4.splat (local.get $threshold)))
    ;; Constants in locals: built inside the loop, each costs Chromium's V8 instructions per step.
    (local.set $fours (v128.const i32x4 4 4 4 4))
    (local.set $clamp (v128.const f32x4 40 40 40 40))
    (local.set $c4 (v128.const f32x4 0x1.bb0b0ap-8 0x1.bb0b0ap-8 0x1.bb0b0ap-8 0x1.bb0b0ap-8))
    (local.set $c3 (v128.const f32x4 -0x1.b2aab8p-5 -0x1.b2aab8p-5 -0x1.b2aab8p-5 -0x1.b2aab8p-5))
    (local.set $c2 (v128.const f32x4 0x1.ea26bcp-3 0x1.ea26bcp-3 0x1.ea26bcp-3 0x1.ea26bcp-3))
    (local.set $c1 (v128.const f32x4 -0x1.62d496p-1 -0x1.62d496p-1 -0x1.62d496p-1 -0x1.62d496p-1))
    (local.set $c0 (v128.const f32x4 0x1.ffffa6p-1 0x1.ffffa6p-1 0x1.ffffa6p-1 0x1.ffffa6p-1))
    (local.set $bias (v128.const f32x4 0x1.0000fep+23 0x1.0000fep+23 0x1.0000fep+23 0x1.0000fep+23))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; 16 steps of 4 scores (or what is left), summed in f32
        (local.set $end (select (i32.add (local.get $i) (i32.const 64)) (local.get $n)
                                (i32.lt_u (i32.add (local.get $i) (i32.const 64)) (local.get $n))))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (loop $steps
          (local.set $v (v128.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $in (f32x4.ge (local.get $v) (local.get $thresholds)))
          ;; the listed lanes' indices, packed to the front (the table of shuffles by the mask of
          ;; listed lanes at address 0), stored at the end of the list; the list moves on past them.
          ;; No branch: which groups hold a listed token is random, a branch on it mispredicted.
          (local.set $m (i32x4.bitmask (local.get $in)))
          (v128.store (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2)))
            (i8x16.swizzle (local.get $index) (v128.load (i32.shl (local.get $m) (i32.const 4)))))
          (local.set $k (i32.add (local.get $k) (i32.popcnt (local.get $m))))
          (local.set $index (i32x4.add (local.get $index) (local.get $fours)))
          ;; x = min((origin − s) · scale, 40); NaN stays NaN (and makes the sum NaN)
          (local.set $x (f32x4.pmin (f32x4.mul (f32x4.sub (local.get $origins) (local.get $v)) (local.get $scales))
                                   (local.get $clamp)))
          (local.set $e (f32x4.floor (local.get $x)))
          (local.set $f (f32x4.sub (local.get $x) (local.get $e)))
          ;; 2^(−f) on [0, 1), Horner: c4…c0 (bench/sampling/kernel/check-polynomial.mjs reads them here)
          (local.set $p (f32x4.add (f32x4.mul (local.get $f) (local.get $c4))
                                   (local.get $c3)))
          (local.set $p (f32x4.add (f32x4.mul (local.get $f) (local.get $p)) (local.get $c2)))
          (local.set $p (f32x4.add (f32x4.mul (local.get $f) (local.get $p)) (local.get $c1)))
          (local.set $p (f32x4.add (f32x4.mul (local.get $f) (local.get $p)) (local.get $c0)))
          ;; times 2^(−e): 2^23 + 127 − e holds 127 − e in its low mantissa bits; shifted up, they
          ;; are the exponent field of 2^(−e)
          (local.set $p (f32x4.mul (local.get $p)
            (i32x4.shl (f32x4.sub (local.get $bias) (local.get $e)) (i32.const 23))))
          (local.set $acc (f32x4.add (local.get $acc) (v128.andnot (local.get $p) (local.get $in))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $steps (i32.lt_u (local.get $i) (local.get $end))))
        (local.set $block (f64x2.add (f64x2.promote_low_f32x4 (local.get $acc))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $acc) (local.get $acc)))))
        (local.set $sum (f64x2.add (local.get $sum) (local.get $block)))
        ;; each block of 64 scores' sum, at $blocks (8 bytes a block)
        (f64.store (i32.add (local.get $blocks) (i32.shl (i32.shr_u (i32.sub (local.get $end) (i32.const 1)) (i32.const 6)) (i32.const 3)))
          (f64.add (f64x2.extract_lane 0 (local.get $block)) (f64x2.extract_lane 1 (local.get $block))))
        (br $blocks)))
    (global.set $listed (local.get $k))
    (global.set $rest (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
)
  ;; Four maxima of four lanes: pmax waits on the previous one, so four run side by side.
  (func (export "largest") (param $scores i32) (param $n i32) (result f32)
    (local $i i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $at i32)
    (local.set $a (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $b (local.get $a)) (local.set $c (local.get $a)) (local.set $d (local.get $a))
    (block $done
      (loop $steps
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $at (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $a (f32x4.pmax (local.get $a) (v128.load (local.get $at))))
        (local.set $b (f32x4.pmax (local.get $b) (v128.load offset=16 (local.get $at))))
        (local.set $c (f32x4.pmax (local.get $c) (v128.load offset=32 (local.get $at))))
        (local.set $d (f32x4.pmax (local.get $d) (v128.load offset=48 (local.get $at))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $steps)))
    (block $rest
      (loop $steps
        (br_if $rest (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (f32x4.pmax (local.get $a) (v128.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $steps)))
    (local.set $a (f32x4.pmax (f32x4.pmax (local.get $a) (local.get $b)) (f32x4.pmax (local.get $c) (local.get $d))))
    (f32.max (f32.max (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
             (f32.max (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a))))))
