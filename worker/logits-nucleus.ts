// top_p (nucleus) sampling over a row of scores with an exponential only for the tokens that can
// be in the nucleus, not for all 49,152 (or 151,936): Math.exp costs ~12 ns in V8, and a WASM decode
// step of the benchmark model takes ~1.5 ms, so 5 % is 75 µs for everything (docs/sampling.md).
//
// Tokens go in buckets by probability (a 64th of an octave each, from the score itself), keeping per
// bucket its count and the sum of its tokens' offsets inside it. That bounds each bucket's mass
// within 1.5e-5 (a convex function lies between its chord and Jensen's bound): enough to find the
// last bucket the nucleus can reach; then the exact probabilities of the tokens up to it decide.
// Only when the rest's uncertainty could move the nucleus's edge are the other tokens' exponentials
// summed too. The draw is what sorting the whole vocabulary draws (the tests compare).
//
// With WebAssembly SIMD (logits-nucleus-kernel.ts) only the tokens near the top are bucketed: the
// kernel lists them and bounds the others' mass within 1e-5 in one pass of four lanes. Without it,
// or for a row the kernel cannot take, one pass in JavaScript buckets every token.

import { BLOCK, KERNEL_ERROR, KERNEL_FLOOR, NucleusKernel } from './logits-nucleus-kernel.js';

const BUCKETS_PER_OCTAVE = 64;
const BUCKET_SCALE = Math.LOG2E * BUCKETS_PER_OCTAVE;
/** One bucket's width in natural-log units: ln 2 / 64. */
const NAT_PER_BUCKET = Math.LN2 / BUCKETS_PER_OCTAVE;
/**
 * Buckets count from an origin above the largest score, guessed before the pass from the previous
 * row's largest (consecutive rows' maxima differ by a few logits): the top token lands about
 * HEADROOM buckets in. A row whose largest score is above the origin, or more than HEADROOM buckets
 * below where it was expected, is bucketed again.
 */
const HEADROOM = 16 * BUCKETS_PER_OCTAVE;
/** The tail bucket: everything from about 40 octaves below the top token. */
const TAIL = HEADROOM + 40 * BUCKETS_PER_OCTAVE;
/** Bucket indices are masked into the arrays (a power of 2 above TAIL): a score above the origin writes nowhere harmful. */
const MASK = 4095;
/** 2^(-b/64): the probability, relative to the origin's, where bucket b starts. */
const EDGE = Float64Array.from({ length: TAIL + 2 }, (_, b) => 2 ** (-b / BUCKETS_PER_OCTAVE));
/**
 * Widens the bounds for rounding: a token's bucket comes from (origin − score) · scale while its
 * probability is exp((score − max) / T), each a few ulps off the true value (~1e-13 relative at
 * the tail), far inside this and far below the bounds' own 1.5e-5.
 */
const SLACK = 1e-9;
/** The pass lists the tokens down to the previous token's nucleus's depth below the top plus this many buckets. */
const DEPTH_MARGIN = 2 * BUCKETS_PER_OCTAVE;

export class NucleusSampler {
  /** The previous row's largest score, and how many buckets below its top token its nucleus ended. */
  private previousMax = Number.NaN;
  private depth = 10 * BUCKETS_PER_OCTAVE;
  /** Buffers of this thread's samplers (a draw runs to its end before another begins). */
  private readonly s = scratch();

  /**
   * A buffer for a row of n scores: a caller that writes its (penalized) row here saves draw() a
   * copy into the kernel's memory.
   */
  row(n: number): Float32Array {
    if (this.s.kernel) {
      this.s.kernel.reserve(n);
      return this.s.kernel.scores;
    }
    if (this.s.plainRow.length !== n) this.s.plainRow = new Float32Array(n);
    return this.s.plainRow;
  }

  /**
   * Draws among the most likely tokens until their mass reaches `topP` of the whole (always at
   * least the top token), in proportion to exp((score − max) / temperature).
   */
  draw(scores: Float32Array, temperature: number, topP: number, random: () => number): number {
    const n = scores.length;
    this.s.reserve(n);
    const { kernel } = this.s;
    if (kernel) {
      kernel.reserve(n);
      if (scores !== kernel.scores) kernel.scores.set(scores);
      const token = this.drawWithKernel(kernel, temperature, topP, random);
      if (token !== undefined) return token;
      scores = kernel.scores;
    }
    return this.drawInJavaScript(scores, temperature, topP, random);
  }

  /**
   * top_p 1: the token where u · Σ p falls walking the vocabulary in order (p = exp((score − max) /
   * temperature)), as summing every exponential and walking finds it, with exponentials for one
   * block of 64 tokens: the kernel's sums by block, within KERNEL_ERROR, place the draw in it.
   * Undefined where they cannot (about one draw in a few hundred, or without the kernel): then the
   * caller walks. The walk's own rounding (~1e-11 of the total) is far inside the margins here.
   */
  drawWhole(scores: Float32Array, temperature: number, u: number): number | undefined {
    const { kernel } = this.s;
    if (!kernel) return undefined;
    const n = scores.length;
    kernel.reserve(n);
    if (scores !== kernel.scores) kernel.scores.set(scores);
    const row = kernel.scores;
    let max = kernel.largest();
    const whole = n - (n % 4);
    for (let i = whole; i < n; i++) max = row[i]! > max ? row[i]! : max;
    if (!(max > -Infinity && max < Infinity)) return undefined;
    kernel.pass(max, Math.fround(Math.LOG2E / temperature), Infinity);
    if (!Number.isFinite(kernel.rest)) return undefined;
    let last = 0;
    for (let i = whole; i < n; i++) last += Math.exp((row[i]! - max) / temperature);
    // The total, and where the draw falls, within the kernel's error (less 2^-40 a clamped token).
    const sum = kernel.rest;
    const lower = (approximate: number, tokens: number) => Math.max(0, approximate * (1 - KERNEL_ERROR) - tokens * KERNEL_FLOOR);
    const targetLower = u * (lower(sum, whole) + last) * (1 - 1e-9);
    const targetUpper = u * (sum * (1 + KERNEL_ERROR) + last) * (1 + 1e-9);
    // The first block whose end may reach the draw.
    const { blocks } = kernel;
    const count = Math.ceil(whole / BLOCK);
    let before = 0;
    let block = 0;
    while (block < count && (before + blocks[block]!) * (1 + KERNEL_ERROR) < targetLower) before += blocks[block++]!;
    if (block === count) return undefined; // in the last few tokens
    const beforeLower = lower(before, block * BLOCK);
    const beforeUpper = before * (1 + KERNEL_ERROR);
    // Token i is the draw when the mass before it surely stays below the target and its own end surely reaches it.
    let mass = 0;
    for (let i = block * BLOCK; i < Math.min(whole, (block + 1) * BLOCK); i++) {
      const p = Math.exp((row[i]! - max) / temperature);
      if (beforeLower + mass + p >= targetUpper) return beforeUpper + mass < targetLower ? i : undefined;
      mass += p;
    }
    return undefined;
  }

  /**
   * The draw from the kernel's pass: the listed tokens are bucketed here, the others' mass is the
   * kernel's sum within KERNEL_ERROR. Undefined where it cannot decide alone (an infinite or NaN
   * score, a nucleus reaching below the listed tokens, rounding at the edge): then the JavaScript
   * pass decides, exactly as without the kernel.
   */
  private drawWithKernel(kernel: NucleusKernel, temperature: number, topP: number, random: () => number): number | undefined {
    const { scores } = kernel;
    const n = scores.length;
    const scale = BUCKET_SCALE / temperature;
    let max = kernel.largest();
    for (let i = n - (n % 4); i < n; i++) max = scores[i]! > max ? scores[i]! : max;
    if (!(max > -Infinity && max < Infinity)) return undefined;
    this.previousMax = max;
    const origin = max + HEADROOM / scale;
    // Where the top token lies, and the factor from the origin's probability to the top token's.
    const top = Math.floor((origin - max) * scale);
    const toTop = 2 ** (((origin - max) * scale) / BUCKETS_PER_OCTAVE);
    const { list } = kernel;
    const { sums, unit, buckets, lower, upper } = this.s;
    // A second try lists deeper when the nucleus reached below the listed tokens.
    for (let attempt = 0; ; attempt++) {
      const threshold = Math.fround(max - (this.depth + DEPTH_MARGIN) / scale);
      // The kernel's x from the largest score: 0 for the top token, its rounding small where the mass is.
      kernel.pass(max, Math.fround(Math.LOG2E / temperature), threshold);
      // The last few tokens, listed whatever their score.
      for (let i = n - (n % 4); i < n; i++) list[kernel.listed++] = i;
      if (!Number.isFinite(kernel.rest)) return undefined; // a NaN score
      const { listed } = kernel;
      // The kernel's listed tokens score at least the threshold: their buckets run from the top's to
      // its (bound() reads no further); the last few, listed whatever their score, to TAIL.
      const deepest = n % 4 ? TAIL : Math.min(TAIL, Math.floor((origin - threshold) * scale) + 2);
      sums.fill(0, top, deepest + 1);
      for (let k = 0; k < listed; k++) {
        const t = (origin - scores[list[k]!]!) * scale;
        const b = t < TAIL ? t | 0 : TAIL;
        buckets[k] = b;
        sums[b & MASK]! += unit + t;
      }
      const bounds = this.bound(top, listed);
      const { end } = bounds;
      // The tokens not listed: the kernel's sum (relative to the top token's probability) within its
      // error, less a floor per token for the clamped ones; in the buckets' units, the origin's.
      const unlistedLower = Math.max(0, kernel.rest * (1 - KERNEL_ERROR) - n * KERNEL_FLOOR);
      const unlistedUpper = kernel.rest * (1 + KERNEL_ERROR);
      const totalLower = bounds.totalLower + (unlistedLower / toTop) * (1 - SLACK);
      const totalUpper = bounds.totalUpper + (unlistedUpper / toTop) * (1 + SLACK);
      const goal = topP * totalUpper;
      let last = top;
      let sureLower = lower[top]!;
      let sureUpper = upper[top]!;
      while (sureLower < goal && last < end) {
        sureLower += lower[++last]!;
        sureUpper += upper[last]!;
      }
      // A token not listed scored below the threshold: its bucket is below `shallowest` (less a
      // bucket for the rounding of t), itself below every bucket the nucleus may reach.
      const shallowest = Math.floor((origin - threshold) * scale) - 2;
      if (sureLower < goal || last > shallowest) {
        if (attempt === 1) return undefined; // the JavaScript pass decides
        this.depth = Math.max(this.depth, end - top) + 2 * DEPTH_MARGIN;
        continue;
      }
      this.depth = Math.min(last, end) - top;
      const margin = 1e-12 * totalUpper;
      const restLower = Math.max(0, totalLower - sureLower - margin) * toTop * (1 - SLACK);
      const restUpper = (totalUpper - sureUpper + margin) * toTop * (1 + SLACK);
      const row = { top, end, last, list, listed, scores, origin, max, scale, temperature, topP, unlistedLower, unlistedUpper };
      return this.drawUpTo(row, restLower, restUpper, random);
    }
  }

  private drawInJavaScript(scores: Float32Array, temperature: number, topP: number, random: () => number): number {
    const n = scores.length;
    const scale = BUCKET_SCALE / temperature;
    let guess = this.previousMax;
    if (!Number.isFinite(guess)) guess = largest(scores);
    let origin: number;
    let max: number;
    let listed: number;
    let listedUpTo: number;
    for (;;) {
      origin = guess + HEADROOM / scale;
      listedUpTo = Math.min(TAIL - 1, HEADROOM + this.depth + DEPTH_MARGIN);
      ({ max, listed } = this.bucketize(scores, origin, scale, listedUpTo));
      if (!(max > -Infinity && max < Infinity)) return largestIndex(scores); // every token masked, or an infinite score
      // Again from the real largest score when the top token was above the origin, or so far below
      // it (the largest score dropped) that the tail would begin less than 24 octaves under it.
      if (max <= origin && (origin - max) * scale <= 2 * HEADROOM) break;
      guess = max;
    }
    this.previousMax = max;
    // Where the top token lies, and the factor from the origin's probability to the top token's.
    const top = Math.floor((origin - max) * scale);
    const toTop = 2 ** (((origin - max) * scale) / BUCKETS_PER_OCTAVE);
    const { end, totalLower, totalUpper } = this.bound(top, n);
    const { lower, upper } = this.s;
    // The first bucket whose lower-bound mass, with all before it, surely reaches the nucleus.
    const goal = topP * totalUpper;
    let last = top;
    let sureLower = lower[top]!;
    let sureUpper = upper[top]!;
    while (sureLower < goal && last < end) {
      sureLower += lower[++last]!;
      sureUpper += upper[last]!;
    }
    if (sureLower < goal) last = TAIL; // only with the tail: every token is a candidate
    this.depth = Math.min(last, end) - top;
    // The rest's bounds, relative to the top token's probability; the differences widened by the
    // rounding of ~2,500 additions, which cannot add up to 1e-12 of the total.
    const margin = 1e-12 * totalUpper;
    let restLower = last === TAIL ? 0 : Math.max(0, totalLower - sureLower - margin) * toTop * (1 - SLACK);
    let restUpper = last === TAIL ? 0 : (totalUpper - sureUpper + margin) * toTop * (1 + SLACK);
    for (;;) {
      if (last > listedUpTo) listed = this.list(scores, origin, scale, (listedUpTo = last));
      const { buckets } = this.s;
      for (let k = 0; k < listed; k++) {
        const t = (origin - scores[this.s.listed[k]!]!) * scale;
        buckets[k] = t < TAIL ? t | 0 : TAIL;
      }
      const row = { top, end, last, list: this.s.listed, listed, scores, origin, max, scale, temperature, topP };
      const token = this.drawUpTo(row, restLower, restUpper, random);
      if (token !== undefined) return token;
      // Rounding left the candidates a hair short: every token is one.
      [last, restLower, restUpper] = [TAIL, 0, 0];
    }
  }

  /**
   * One pass: the largest score; per bucket the count and offsets (one sum holds both: each token
   * adds unit + t, so the count is the sum's integer part in units of unit + b); and the list of
   * tokens in buckets up to `listedUpTo`. Four tokens a step: the additions do not wait on each other.
   */
  private bucketize(scores: Float32Array, origin: number, scale: number, listedUpTo: number): { max: number; listed: number } {
    const { sums, listed, unit } = this.s;
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

  /** Lists the tokens in buckets up to `last` (computed as bucketize does). */
  private list(scores: Float32Array, origin: number, scale: number, last: number): number {
    const { listed } = this.s;
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
  private bound(top: number, n: number): { end: number; totalLower: number; totalUpper: number } {
    const { sums, unit, count, offset, lower, upper, slack } = this.s;
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

  /** The draw among the candidates in buckets top‥last, or undefined when their mass fell short of the nucleus. */
  private drawUpTo(row: Row, restLower: number, restUpper: number, random: () => number): number | undefined {
    const { top, end, last, list, listed, scores, origin, max, scale, temperature, topP } = row;
    const { probs, order, count, starts, fill, buckets } = this.s;
    let candidates = 0;
    for (let b = top; b <= last; b++) {
      starts[b] = candidates;
      // Buckets between the last that holds any and the tail were not counted this time: empty.
      if (b <= end || b === TAIL) candidates += count[b]!;
    }
    starts[last + 1] = candidates;
    fill.set(starts.subarray(top, last + 1), top);
    // Counting sort by bucket (vocabulary order within one), and the candidates' exact probabilities.
    let exact = 0;
    for (let k = 0; k < listed; k++) {
      const b = buckets[k]!;
      if (b <= last) {
        const i = list[k]!;
        order[fill[b]!++] = i;
        exact += probs[i] = Math.exp((scores[i]! - max) / temperature);
      }
    }
    let target = topP * (exact + restLower);
    const targetUpper = topP * (exact + restUpper);
    let kept = 0;
    let taken = 0;
    let bucket = top;
    let sorted = 0;
    const take = (until: number) => {
      // Always at least the top token: top_p 0 (a target of 0) keeps it.
      while (kept < candidates && (kept === 0 || taken < until)) {
        while (kept === sorted) {
          // Every token of a bucket is at least as likely as every token of the next: sort one at a time.
          const end = starts[++bucket]!;
          sortByProbability(order, sorted, end, probs);
          sorted = end;
        }
        taken += probs[order[kept++]!]!;
      }
    };
    take(target);
    let undecided = taken < targetUpper && restUpper > 0;
    if (undecided && row.unlistedLower !== undefined && row.unlistedUpper !== undefined) {
      // First the listed tokens' exact mass, the others' within the kernel's bounds (1e-5 apart).
      let beyond = 0;
      for (let k = 0; k < listed; k++) if (buckets[k]! > last) beyond += Math.exp((scores[list[k]!]! - max) / temperature);
      target = topP * (exact + beyond + row.unlistedLower);
      take(target);
      undecided = taken < topP * (exact + beyond + row.unlistedUpper);
    }
    if (undecided) {
      // The edge depends on the rest's exact mass: sum it (rare: its bounds are 1.5e-5 apart).
      let rest = 0;
      for (let i = 0; i < scores.length; i++) {
        const t = (origin - scores[i]!) * scale;
        if ((t < TAIL ? t | 0 : TAIL) > last) rest += Math.exp((scores[i]! - max) / temperature);
      }
      target = topP * (exact + rest);
      take(target);
    }
    if (taken < target && last < TAIL) return undefined;
    let r = random() * taken;
    for (let i = 0; i < kept; i++) if ((r -= probs[order[i]!]!) <= 0) return order[i]!;
    return order[kept - 1]!;
  }
}

/** The arrays a draw works in, one set per thread: a new set per request would cost more than the draws. */
class Scratch {
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
function scratch(): Scratch {
  shared ??= new Scratch();
  return shared;
}

interface Row {
  /** The top token's bucket (none above it holds anything), the last bucket before the tail that holds any, and the last the nucleus can reach. */
  top: number;
  end: number;
  last: number;
  /** The tokens of buckets top‥last (and maybe others), `listed` of them. */
  list: Int32Array;
  listed: number;
  scores: Float32Array;
  origin: number;
  max: number;
  scale: number;
  temperature: number;
  topP: number;
  /** With the kernel: bounds on the mass of the tokens it did not list, relative to the top token's probability. */
  unlistedLower?: number;
  unlistedUpper?: number;
}

/** The largest score (the first row has no previous one to guess from). */
function largest(scores: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!;
  return max;
}

/** The first largest score's index (first +Infinity included); 0 when there is none (all masked). */
function largestIndex(scores: Float32Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}

/**
 * Orders order[from‥to) by probability, most likely first, vocabulary order among equals (the
 * range is in vocabulary order already). Buckets hold a few tokens each: insertion sort, no
 * allocation; a large one (ties, a flat distribution) goes to the built-in sort.
 */
function sortByProbability(order: Int32Array, from: number, to: number, probs: Float64Array): void {
  if (to - from > 32) {
    order.subarray(from, to).sort((a, b) => probs[b]! - probs[a]! || a - b);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const token = order[i]!;
    const p = probs[token]!;
    let j = i - 1;
    while (j >= from && probs[order[j]!]! < p) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = token;
  }
}
