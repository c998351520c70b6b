// Next-token choice from a row of logits: OpenAI's penalties, then greedy or
// temperature + nucleus sampling. A `seed` makes sampling repeatable.

export interface SamplingParams {
  /** 0 means greedy. */
  temperature: number;
  top_p: number;
  presence_penalty: number;
  frequency_penalty: number;
  seed?: number | undefined;
}

/** mulberry32: small, fast and good enough to pick tokens. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Sampler {
  /** How often each generated token occurred, for the penalties. */
  private readonly counts = new Map<number, number>();
  private readonly random: () => number;
  private scratch = new Float32Array(0);
  private probs = new Float64Array(0);
  private buckets = new Uint16Array(0);
  private readonly nucleus = new NucleusBuffers();

  constructor(private readonly params: SamplingParams) {
    this.random = params.seed === undefined ? Math.random : seededRandom(params.seed);
  }

  /** Picks the next token and records it for the penalties. `logits` is not modified. */
  sample(logits: Float32Array): number {
    const scores = this.penalize(logits);
    const token = this.params.temperature === 0 ? argmax(scores) : this.draw(scores);
    this.counts.set(token, (this.counts.get(token) ?? 0) + 1);
    return token;
  }

  private penalize(logits: Float32Array): Float32Array {
    const { presence_penalty: presence, frequency_penalty: frequency } = this.params;
    if (this.counts.size === 0 || (presence === 0 && frequency === 0)) return logits;
    if (this.scratch.length !== logits.length) this.scratch = new Float32Array(logits.length);
    this.scratch.set(logits);
    // https://platform.openai.com/docs/advanced-usage#frequency-and-presence-penalties
    for (const [token, count] of this.counts) this.scratch[token]! -= count * frequency + presence;
    return this.scratch;
  }

  private draw(scores: Float32Array): number {
    const { temperature, top_p } = this.params;
    const max = scores[argmax(scores)]!;
    // One buffer per request: a hub model's vocabulary is ~150k entries, 1.2 MB a token otherwise.
    if (this.probs.length !== scores.length) this.probs = new Float64Array(scores.length);
    const probs = this.probs;
    if (top_p < 1) return this.drawNucleus(scores, max, top_p);
    let sum = 0;
    for (let i = 0; i < scores.length; i++) sum += probs[i] = Math.exp((scores[i]! - max) / temperature);
    let r = this.random() * sum;
    for (let i = 0; i < probs.length; i++) if ((r -= probs[i]!) <= 0) return i;
    return probs.length - 1;
  }

  /**
   * The most likely tokens until their mass reaches top_p, most likely first; then one drawn among
   * them. Exactly what sorting the whole vocabulary draws (sampling.test.ts), at the cost of two
   * passes over it: tokens fall into buckets by probability (a 64th of an octave each, from the
   * exponent itself, no logarithm), and only the buckets up to the nucleus's edge are sorted, each on
   * its own, since every token of a bucket is more likely than every token of the next.
   */
  private drawNucleus(scores: Float32Array, max: number, topP: number): number {
    const { probs, nucleus } = this;
    const { temperature } = this.params;
    const n = scores.length;
    if (this.buckets.length !== n) this.buckets = new Uint16Array(n);
    if (nucleus.order.length !== n) nucleus.order = new Int32Array(n);
    const { buckets, order, mass, count } = { buckets: this.buckets, ...nucleus };
    mass.fill(0);
    count.fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = (scores[i]! - max) / temperature;
      const p = Math.exp(z);
      sum += probs[i] = p;
      // -z·log2(e) is -log2(p): never a larger bucket for a larger probability, which is all the
      // argument above needs. Below 2^-OCTAVES everything shares the tail bucket.
      const t = -z * BUCKET_SCALE;
      const b = t < TAIL ? t | 0 : TAIL; // t ≥ 0, so truncation is floor; -Infinity scores (masked) go to the tail
      buckets[i] = b;
      mass[b]! += p;
      count[b]!++;
    }
    const target = topP * sum;
    let last = 0;
    for (let total = mass[0]!; total < target && last < TAIL; ) total += mass[++last]!;
    // Counting sort of the candidates by bucket, vocabulary order within each.
    const starts = nucleus.starts;
    let total = 0;
    for (let b = 0; b <= last; b++) {
      starts[b] = total;
      total += count[b]!;
    }
    starts[last + 1] = total;
    const fill = nucleus.fill;
    fill.set(starts.subarray(0, last + 1));
    for (let i = 0; i < n; i++) {
      const b = buckets[i]!;
      if (b <= last) order[fill[b]!++] = i;
    }
    const byProbability = (a: number, b: number) => probs[b]! - probs[a]! || a - b;
    let kept = 0;
    let taken = 0;
    // Always at least the top token: top_p 0 (a target of 0) keeps it.
    const short = () => kept === 0 || taken < target;
    for (let b = 0; b <= last && short(); b++) {
      const end = starts[b + 1]!;
      if (end - kept > 1) order.subarray(kept, end).sort(byProbability);
      while (kept < end && short()) taken += probs[order[kept++]!]!;
    }
    let chosen: ArrayLike<number> = order;
    if (taken < target) {
      // Rounding left the candidates' mass a hair short: fall back to the whole vocabulary.
      chosen = Array.from(probs.keys()).sort(byProbability);
      ({ kept, mass: taken } = takeUntil(probs, chosen, target));
    }
    let r = this.random() * taken;
    for (let i = 0; i < kept; i++) if ((r -= probs[chosen[i]!]!) <= 0) return chosen[i]!;
    return chosen[kept - 1]!;
  }
}

/** The first tokens of `order` until their mass reaches `target`, and always the first: top_p 0 keeps the top token. */
function takeUntil(probs: Float64Array, order: ArrayLike<number>, target: number): { kept: number; mass: number } {
  let kept = 0;
  let mass = 0;
  while (kept < order.length && (kept === 0 || mass < target)) mass += probs[order[kept++]!]!;
  return { kept, mass };
}

/** Nucleus buckets per halving of probability, and the last one: everything below 2^-OCTAVES. */
const BUCKETS_PER_OCTAVE = 64;
const OCTAVES = 40;
const TAIL = OCTAVES * BUCKETS_PER_OCTAVE;
const BUCKET_SCALE = Math.LOG2E * BUCKETS_PER_OCTAVE;

/** The nucleus's scratch space, kept per request. */
class NucleusBuffers {
  order = new Int32Array(0);
  readonly mass = new Float64Array(TAIL + 1);
  readonly count = new Uint32Array(TAIL + 1);
  readonly starts = new Uint32Array(TAIL + 2);
  readonly fill = new Uint32Array(TAIL + 1);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
