// The buckets of nucleus sampling (logits-nucleus.ts): tokens grouped by probability, a 64th of an
// octave each, from the score itself; per bucket its count and the sum of its tokens' offsets inside
// it, which bound the bucket's mass within 1.5e-5 (a convex function lies between its chord and
// Jensen's bound). Also the arrays a draw works in, one set per thread.
import { NucleusKernel } from './logits-nucleus-kernel.js';

export const BUCKETS_PER_OCTAVE = 64;
export const BUCKET_SCALE = Math.LOG2E * BUCKETS_PER_OCTAVE;
/** One bucket's width in natural-log units: ln 2 / 64. */
export const NAT_PER_BUCKET = Math.LN2 / BUCKETS_PER_OCTAVE;
/**
 * Buckets count from an origin above the largest score, guessed before the pass from the previous
 * row's largest (consecutive rows' maxima differ by a few logits): the top token lands about
 * HEADROOM buckets in. A row whose largest score is above the origin, or more than HEADROOM buckets
 * below where it was expected, is bucketed again.
 */
export const HEADROOM = 16 * BUCKETS_PER_OCTAVE;
/** The tail bucket: everything from about 40 octaves below the top token. */
export const TAIL = HEADROOM + 40 * BUCKETS_PER_OCTAVE;
/** Bucket indices are masked into the arrays (a power of 2 above TAIL): a score above the origin writes nowhere harmful. */
export const MASK = 4095;
/** 2^(-b/64): the probability, relative to the origin's, where bucket b starts. */
export const EDGE = Float64Array.from({ length: TAIL + 2 }, (_, b) => 2 ** (-b / BUCKETS_PER_OCTAVE));
/**
 * Widens the bounds for rounding: a token's bucket comes from (origin − score) · scale while its
 * probability is exp((score − max) / T), each a few ulps off the true value (~1e-13 relative at
 * the tail), far inside this and far below the bounds' own 1.5e-5.
 */
export const SLACK = 1e-9;
/** The pass lists the tokens down to the previous token's nucleus's depth below the top plus this many buckets. */
export const DEPTH_MARGIN = 2 * BUCKETS_PER_OCTAVE;

/** A token's bucket from t = −log2(p)·64 from the origin; -Infinity (masked) and NaN scores go to the tail. */
export function bucketOf(t: number): number {
  return t < TAIL ? t | 0 : TAIL;
}

/**
 * The first bucket from `top` whose lower-bound mass, with all before it, surely reaches `goal`
 * (at most `end`), and the bounds on the mass of the buckets top‥last.
 */
export function reachNucleus(lower: Float64Array, upper: Float64Array, top: number, end: number, goal: number): { last: number; sureLower: number; sureUpper: number } {
  let last = top;
  let sureLower = lower[top]!;
  let sureUpper = upper[top]!;
  while (sureLower < goal && last < end) {
    sureLower += lower[++last]!;
    sureUpper += upper[last]!;
  }
  return { last, sureLower, sureUpper };
}

/**
 * One pass: the largest score; per bucket the count and offsets (one sum holds both: each token
 * adds unit + t, so the count is the sum's integer part in units of unit + b); and the list of
 * tokens in buckets up to `listedUpTo`. Four tokens a step: the additions do not wait on each other.
 */
export function bucketize(s: Scratch, scores: Float32Array, origin: number, scale: number, listedUpTo: number): { max: number; listed: number } {
  const { sums, listed, unit } = s;
  sums.fill(0);
  let m0 = -Infinity;
  let m1 = -Infinity;
  let m2 = -Infinity;
  let m3 = -Infinity;
  let k = 0;
  const n = scores.length;
  const whole = n - (n % 4);
  for (let i = 0; i < whole; i += 4) {
    const s0 = scores[i]!;
    const s1 = scores[i + 1]!;
    const s2 = scores[i + 2]!;
    const s3 = scores[i + 3]!;
    m0 = s0 > m0 ? s0 : m0;
    m1 = s1 > m1 ? s1 : m1;
    m2 = s2 > m2 ? s2 : m2;
    m3 = s3 > m3 ? s3 : m3;
    // t = −log2(p)·64 from the origin; -Infinity (masked) and NaN scores go to the tail bucket.
    const t0 = (origin - s0) * scale;
    const t1 = (origin - s1) * scale;
    const t2 = (origin - s2) * scale;
    const t3 = (origin - s3) * scale;
    const b0 = t0 < TAIL ? t0 | 0 : TAIL;
    const b1 = t1 < TAIL ? t1 | 0 : TAIL;
    const b2 = t2 < TAIL ? t2 | 0 : TAIL;
    const b3 = t3 < TAIL ? t3 | 0 : TAIL;
    sums[b0 & MASK]! += unit + t0;
    sums[b1 & MASK]! += unit + t1;
    sums[b2 & MASK]! += unit + t2;
    sums[b3 & MASK]! += unit + t3;
    if (b0 <= listedUpTo) listed[k++] = i;
    if (b1 <= listedUpTo) listed[k++] = i + 1;
    if (b2 <= listedUpTo) listed[k++] = i + 2;
    if (b3 <= listedUpTo) listed[k++] = i + 3;
  }
  for (let i = whole; i < n; i++) {
    const s = scores[i]!;
    m0 = s > m0 ? s : m0;
    const t = (origin - s) * scale;
    const b = t < TAIL ? t | 0 : TAIL;
    sums[b & MASK]! += unit + t;
    if (b <= listedUpTo) listed[k++] = i;
  }
  return { max: Math.max(m0, m1, m2, m3), listed: k };
}

/** Lists the tokens in buckets up to `last` (computed as bucketize does): tokens the nucleus reaches below the listing. */
export function listUpTo(s: Scratch, scores: Float32Array, origin: number, scale: number, last: number): number {
  const { listed } = s;
  let k = 0;
  for (let i = 0; i < scores.length; i++) {
    const t = (origin - scores[i]!) * scale;
    if ((t < TAIL ? t | 0 : TAIL) <= last) listed[k++] = i;
  }
  return k;
}

/**
 * Counts, offsets and bounds on each bucket's mass from the top token's down. Inside bucket b a
 * token's probability is 2^(−(b+f)/64) with f in [0, 1), a convex function of f: below the chord
 * across the bucket, above Jensen's bound at the mean offset (e^−y ≥ 1 − y + y²/2 − y³/6 for
 * y ≥ 0: the series alternates and shrinks). The tail bucket holds the tokens no other holds.
 */
export function bound(s: Scratch, top: number, n: number): { end: number; totalLower: number; totalUpper: number } {
  const { sums, unit, count, offset, lower, upper, slack } = s;
  let counted = 0;
  let end = top;
  let totalLower = 0;
  let totalUpper = 0;
  // Until every token is counted: the buckets after the last one that holds any are never read.
  for (let b = top; b < TAIL && counted < n; b++) {
    const sum = sums[b]!;
    end = b;
    if (sum === 0) {
      count[b] = offset[b] = lower[b] = upper[b] = 0;
      continue;
    }
    // Exact: the offsets add up to less than one unit + b, and whole multiples of it never round.
    const c = Math.floor(sum / (unit + b));
    const f = sum - c * (unit + b);
    count[b] = c;
    offset[b] = f;
    counted += c;
    const y = (f / c) * NAT_PER_BUCKET;
    totalLower += lower[b] = c * EDGE[b]! * (1 - y * (1 - y * (1 / 2 - y / 6))) * (1 - slack);
    totalUpper += upper[b] = (c * EDGE[b]! + (EDGE[b + 1]! - EDGE[b]!) * f) * (1 + slack);
  }
  count[TAIL] = n - counted;
  lower[TAIL] = 0;
  totalUpper += upper[TAIL] = count[TAIL]! * EDGE[TAIL]! * (1 + slack);
  return { end, totalLower, totalUpper };
}

/** The arrays a draw works in, one set per thread: a new set per request would cost more than the draws. */
export class Scratch {
  /** Candidates: tokens above the listing limit, in vocabulary order; then ordered by bucket. */
  listed = new Int32Array(0);
  /** Each candidate's bucket, by its place in the list. */
  buckets = new Int32Array(0);
  order = new Int32Array(0);
  /** Exact probabilities (relative to the top token's), written for the candidates only. */
  probs = new Float64Array(0);
  /** Per bucket: count · (unit + b) + Σ offsets, t = b + offset being −log2(p)·64 from the origin. */
  readonly sums = new Float64Array(MASK + 1);
  /** A power of 2 above the vocabulary's size: a bucket's offsets never add up to one unit. */
  unit = 1;
  /** Per bucket: how many tokens, Σ offsets, and bounds on the mass (relative to the origin's probability). */
  readonly count = new Uint32Array(TAIL + 1);
  readonly offset = new Float64Array(TAIL + 1);
  readonly lower = new Float64Array(TAIL + 1);
  readonly upper = new Float64Array(TAIL + 1);
  readonly starts = new Uint32Array(TAIL + 2);
  readonly fill = new Uint32Array(TAIL + 1);
  /** The bounds' allowance for rounding (SLACK), grown by the rounding of `sums`. */
  slack = SLACK;
  /** The SIMD pass (logits-nucleus-kernel.ts), where WebAssembly has SIMD; its memory holds the row. */
  readonly kernel = NucleusKernel.create();
  plainRow = new Float32Array(0);

  reserve(n: number): void {
    if (this.probs.length !== n) {
      this.listed = new Int32Array(n);
      this.buckets = new Int32Array(n + 4);
      this.order = new Int32Array(n);
      this.probs = new Float64Array(n);
      this.unit = 2 ** Math.ceil(Math.log2(n + 1));
      // Each of a bucket's ≤ n additions rounds by at most half an ulp of a sum below (unit + TAIL)·(n + 1):
      // an error in its mean offset of (unit + TAIL)·(n + 1)·2^-53, times ln 2 / 64 in its mass.
      this.slack = SLACK + NAT_PER_BUCKET * (this.unit + TAIL) * (n + 1) * 2 ** -52;
    }
  }
}

let shared: Scratch | undefined;
export function scratch(): Scratch {
  shared ??= new Scratch();
  return shared;
}

