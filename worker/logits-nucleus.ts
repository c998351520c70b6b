// top_p (nucleus) sampling over a row of scores with an exponential only for the tokens that can
// be in the nucleus, not for all 49,152 (or 151,936) of them: Math.exp costs ~12 ns in V8, which on
// the benchmark model's vocabulary was 20 % of a WASM decode step.
//
// One pass puts every token in a bucket by probability (a 64th of an octave each, from the score
// itself) and keeps per bucket its count and the sum of its tokens' offsets inside it. That bounds
// the bucket's mass within 1.5e-5 (a convex function lies between its chord and Jensen's bound):
// enough to find the last bucket the nucleus can reach; then the exact probabilities of the tokens
// up to it decide. Only when the rest's uncertainty could move the nucleus's edge (the bounds of
// the total keep different tokens) are the other tokens' exponentials summed too. The draw is what
// sorting the whole vocabulary draws (sampling.test.ts compares them).

/** Buckets per halving of probability, and the tail bucket: everything below 2^-OCTAVES of the top token. */
const BUCKETS_PER_OCTAVE = 64;
const OCTAVES = 40;
const TAIL = OCTAVES * BUCKETS_PER_OCTAVE;
const BUCKET_SCALE = Math.LOG2E * BUCKETS_PER_OCTAVE;
/** One bucket's width in natural-log units: ln 2 / 64. */
const NAT_PER_BUCKET = Math.LN2 / BUCKETS_PER_OCTAVE;
/** 2^(-b/64): the probability, relative to the top token's, where bucket b starts. */
const EDGE = Float64Array.from({ length: TAIL + 2 }, (_, b) => 2 ** (-b / BUCKETS_PER_OCTAVE));
/**
 * Widens the bounds for rounding: a token's bucket comes from (max − score) · scale while its
 * probability is exp((score − max) / T), each a few ulps off the true value (~1e-13 relative at
 * the tail's 2^-40), far inside this and far below the bounds' own 1.5e-5.
 */
const SLACK = 1e-9;
/**
 * Tokens in buckets up to the previous token's edge plus this many are listed as candidates in the
 * first pass (consecutive tokens' nuclei reach about as far), so no second pass looks for them.
 */
const EDGE_MARGIN = 2 * BUCKETS_PER_OCTAVE;

export class NucleusSampler {
  /** Candidates: tokens in buckets up to `listedUpTo`, in vocabulary order, then ordered by bucket. */
  private listed = new Int32Array(0);
  private order = new Int32Array(0);
  /** Exact probabilities (relative to the top token's), written for the candidates only. */
  private probs = new Float64Array(0);
  /** Per bucket: count · unit + Σ (t − b) over its tokens, t being −log2(p)·64 (how far into the bucket each lies). */
  private readonly sums = new Float64Array(TAIL + 1);
  /** A power of 2 above the vocabulary's size: the offsets of a bucket never add up to one unit. */
  private unit = 1;
  /** Per bucket: how many tokens, and Σ (t − b), from `sums`. */
  private readonly count = new Uint32Array(TAIL + 1);
  private readonly offset = new Float64Array(TAIL + 1);
  /** The bounds' allowance for rounding (see SLACK), grown by the rounding of `sums`. */
  private slack = SLACK;
  /** Per bucket: bounds on its mass, relative to the top token's probability. */
  private readonly lower = new Float64Array(TAIL + 1);
  private readonly upper = new Float64Array(TAIL + 1);
  private readonly starts = new Uint32Array(TAIL + 2);
  private readonly fill = new Uint32Array(TAIL + 1);
  /** The first pass lists the tokens of buckets up to this one. */
  private listedUpTo = TAIL / 4;

  /**
   * Draws among the most likely tokens until their mass reaches `topP` of the whole (always at
   * least the top token), in proportion to exp((score − max) / temperature). `max` is the largest score.
   */
  draw(scores: Float32Array, max: number, temperature: number, topP: number, random: () => number): number {
    const n = scores.length;
    if (this.probs.length !== n) {
      this.listed = new Int32Array(n);
      this.order = new Int32Array(n);
      this.probs = new Float64Array(n);
      this.unit = 2 ** Math.ceil(Math.log2(n + 1));
      // Each of a bucket's ≤ n additions rounds by at most half an ulp of a sum below unit · (n + 1):
      // an error in its mean offset of unit · (n + 1) · 2^-53, times ln 2 / 64 in its mass.
      this.slack = SLACK + NAT_PER_BUCKET * this.unit * (n + 1) * 2 ** -52;
    }
    const scale = BUCKET_SCALE / temperature;
    let listedUpTo = this.listedUpTo;
    let listed = this.bucketize(scores, max, scale);
    this.bound();
    const { lower, upper } = this;
    // The first bucket whose lower-bound mass, with all before it, surely reaches the nucleus.
    let totalUpper = 0;
    for (let b = 0; b <= TAIL; b++) totalUpper += upper[b]!;
    let last = 0;
    for (let sure = lower[0]!; sure < topP * totalUpper && last < TAIL; ) sure += lower[++last]!;
    this.listedUpTo = Math.min(TAIL, last + EDGE_MARGIN);
    for (;;) {
      if (last > listedUpTo) listed = this.list(scores, max, scale, (listedUpTo = last));
      const token = this.drawUpTo(last, listed, scores, max, temperature, topP, random);
      if (token !== undefined) return token;
      last = TAIL; // rounding left the candidates a hair short: every token is one
    }
  }

  /**
   * Counts and offsets per bucket of every token, no exponential; lists the tokens up to
   * `listedUpTo`. One sum per bucket holds both: each token adds `unit` (more than the vocabulary's
   * size) plus its offset, so the count is the sum's integer part in units, the offsets' sum the rest.
   */
  private bucketize(scores: Float32Array, max: number, scale: number): number {
    const { sums, listed, listedUpTo, unit } = this;
    sums.fill(0);
    let k = 0;
    for (let i = 0; i < scores.length; i++) {
      // −log2(p)·64 ≥ 0; -Infinity (masked) and anything below 2^-40 go to the tail bucket.
      const t = (max - scores[i]!) * scale;
      let b = TAIL;
      let offset = 0;
      if (t < TAIL) {
        b = t | 0;
        offset = t - b;
      }
      sums[b]! += unit + offset;
      if (b <= listedUpTo) listed[k++] = i;
    }
    return k;
  }

  /** Lists the tokens in buckets up to `last` (computed as bucketize does). */
  private list(scores: Float32Array, max: number, scale: number, last: number): number {
    const { listed } = this;
    let k = 0;
    for (let i = 0; i < scores.length; i++) {
      const t = (max - scores[i]!) * scale;
      if ((t < TAIL ? t | 0 : TAIL) <= last) listed[k++] = i;
    }
    return k;
  }

  /**
   * Bounds on each bucket's mass. Inside bucket b a token's probability is 2^(−(b+f)/64) with f in
   * [0, 1), a convex function of f: below the chord across the bucket, above Jensen's bound at the
   * mean offset (e^−y ≥ 1 − y + y²/2 − y³/6 for y ≥ 0: the series alternates and shrinks).
   */
  private bound(): void {
    const { sums, unit, count, offset, lower, upper, slack } = this;
    for (let b = 0; b <= TAIL; b++) {
      // Exact: a power of 2 divides exactly, and the sum is at least count · unit (whole units never round).
      const c = Math.floor(sums[b]! / unit);
      count[b] = c;
      offset[b] = sums[b]! - c * unit;
    }
    for (let b = 0; b < TAIL; b++) {
      const c = count[b]!;
      if (c === 0) {
        lower[b] = upper[b] = 0;
        continue;
      }
      const y = (offset[b]! / c) * NAT_PER_BUCKET;
      lower[b] = c * EDGE[b]! * (1 - y * (1 - y * (1 / 2 - y / 6))) * (1 - slack);
      upper[b] = (c * EDGE[b]! + (EDGE[b + 1]! - EDGE[b]!) * offset[b]!) * (1 + slack);
    }
    lower[TAIL] = 0;
    upper[TAIL] = count[TAIL]! * EDGE[TAIL]! * (1 + slack);
  }

  /** The draw among the candidates in buckets 0‥last, or undefined when their mass fell short of the nucleus. */
  private drawUpTo(
    last: number, listed: number, scores: Float32Array, max: number, temperature: number, topP: number, random: () => number,
  ): number | undefined {
    const { probs, order, count, starts, fill, lower, upper } = this;
    const scale = BUCKET_SCALE / temperature;
    let candidates = 0;
    for (let b = 0; b <= last; b++) {
      starts[b] = candidates;
      candidates += count[b]!;
    }
    starts[last + 1] = candidates;
    fill.set(starts.subarray(0, last + 1));
    // Counting sort by bucket (vocabulary order within one), and the candidates' exact probabilities.
    let exact = 0;
    for (let k = 0; k < listed; k++) {
      const i = this.listed[k]!;
      const t = (max - scores[i]!) * scale;
      const b = t < TAIL ? t | 0 : TAIL;
      if (b <= last) {
        order[fill[b]!++] = i;
        exact += probs[i] = Math.exp((scores[i]! - max) / temperature);
      }
    }
    let restLower = 0;
    let restUpper = 0;
    for (let b = last + 1; b <= TAIL; b++) {
      restLower += lower[b]!;
      restUpper += upper[b]!;
    }
    let target = topP * (exact + restLower);
    const targetUpper = topP * (exact + restUpper);
    let kept = 0;
    let taken = 0;
    let bucket = 0;
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
    if (taken < targetUpper && restUpper > 0) {
      // The edge depends on the rest's exact mass: sum it (rare: its bounds are 1.5e-5 apart).
      let rest = 0;
      for (let i = 0; i < scores.length; i++) {
        const t = (max - scores[i]!) * scale;
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
