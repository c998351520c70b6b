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
// or for a row the kernel cannot take, one pass in JavaScript buckets every token. The buckets and
// their bounds are in nucleus-buckets.ts, the draw once the edge is placed in nucleus-draw.ts.

import { BLOCK, KERNEL_ERROR, KERNEL_FLOOR, type NucleusKernel } from './logits-nucleus-kernel.js';
import {
  BUCKETS_PER_OCTAVE, BUCKET_SCALE, DEPTH_MARGIN, HEADROOM, MASK, SLACK, TAIL,
  bound, bucketOf, bucketize, listUpTo, reachNucleus, scratch,
} from './nucleus-buckets.js';
import { drawUpTo } from './nucleus-draw.js';

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
    const max = largestInKernel(kernel, n);
    const whole = n - (n % 4);
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
    const max = largestInKernel(kernel, n);
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
        const b = bucketOf(t);
        buckets[k] = b;
        sums[b & MASK]! += unit + t;
      }
      const bounds = bound(this.s, top, listed);
      const { end } = bounds;
      // The tokens not listed: the kernel's sum (relative to the top token's probability) within its
      // error, less a floor per token for the clamped ones; in the buckets' units, the origin's.
      const unlistedLower = Math.max(0, kernel.rest * (1 - KERNEL_ERROR) - n * KERNEL_FLOOR);
      const unlistedUpper = kernel.rest * (1 + KERNEL_ERROR);
      const totalLower = bounds.totalLower + (unlistedLower / toTop) * (1 - SLACK);
      const totalUpper = bounds.totalUpper + (unlistedUpper / toTop) * (1 + SLACK);
      const goal = topP * totalUpper;
      const { last, sureLower, sureUpper } = reachNucleus(lower, upper, top, end, goal);
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
      return drawUpTo(this.s, row, restLower, restUpper, random);
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
      ({ max, listed } = bucketize(this.s, scores, origin, scale, listedUpTo));
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
    const { end, totalLower, totalUpper } = bound(this.s, top, n);
    const { lower, upper } = this.s;
    // The first bucket whose lower-bound mass, with all before it, surely reaches the nucleus.
    const goal = topP * totalUpper;
    const reached = reachNucleus(lower, upper, top, end, goal);
    const { sureLower, sureUpper } = reached;
    let { last } = reached;
    if (sureLower < goal) last = TAIL; // only with the tail: every token is a candidate
    this.depth = Math.min(last, end) - top;
    // The rest's bounds, relative to the top token's probability; the differences widened by the
    // rounding of ~2,500 additions, which cannot add up to 1e-12 of the total.
    const margin = 1e-12 * totalUpper;
    let restLower = last === TAIL ? 0 : Math.max(0, totalLower - sureLower - margin) * toTop * (1 - SLACK);
    let restUpper = last === TAIL ? 0 : (totalUpper - sureUpper + margin) * toTop * (1 + SLACK);
    for (;;) {
      if (last > listedUpTo) listed = listUpTo(this.s, scores, origin, scale, (listedUpTo = last));
      const { buckets } = this.s;
      for (let k = 0; k < listed; k++) {
        buckets[k] = bucketOf((origin - scores[this.s.listed[k]!]!) * scale);
      }
      const row = { top, end, last, list: this.s.listed, listed, scores, origin, max, scale, temperature, topP };
      const token = drawUpTo(this.s, row, restLower, restUpper, random);
      if (token !== undefined) return token;
      // Rounding left the candidates a hair short: every token is one.
      [last, restLower, restUpper] = [TAIL, 0, 0];
    }
  }
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

/** The largest of the kernel's row of n scores: its SIMD pass takes four at a time, the last n % 4 here. */
function largestInKernel(kernel: NucleusKernel, n: number): number {
  const { scores } = kernel;
  let max = kernel.largest();
  for (let i = n - (n % 4); i < n; i++) max = scores[i]! > max ? scores[i]! : max;
  return max;
}
