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
    let sum = 0;
    for (let i = 0; i < scores.length; i++) sum += probs[i] = Math.exp((scores[i]! - max) / temperature);
    if (top_p < 1) return this.drawNucleus(probs, sum, top_p);
    let r = this.random() * sum;
    for (let i = 0; i < probs.length; i++) if ((r -= probs[i]!) <= 0) return i;
    return probs.length - 1;
  }

  /** The most likely tokens until their mass reaches top_p, most likely first; then one drawn among them. */
  private drawNucleus(probs: Float64Array, sum: number, topP: number): number {
    const target = topP * sum;
    const byProbability = (a: number, b: number) => probs[b]! - probs[a]! || a - b;
    if (this.buckets.length !== probs.length) this.buckets = new Uint16Array(probs.length);
    let order = nucleusCandidates(probs, target, this.buckets).sort(byProbability);
    let { kept, mass } = takeUntil(probs, order, target);
    if (mass < target && order.length < probs.length) {
      // Rounding left the candidates' mass a hair short: fall back to the whole vocabulary.
      order = Array.from(probs.keys()).sort(byProbability);
      ({ kept, mass } = takeUntil(probs, order, target));
    }
    let r = this.random() * mass;
    for (let i = 0; i < kept; i++) if ((r -= probs[order[i]!]!) <= 0) return order[i]!;
    return order[kept - 1]!;
  }
}

/** The first tokens of `order` until their mass reaches `target`, and always the first: top_p 0 keeps the top token. */
function takeUntil(probs: Float64Array, order: number[], target: number): { kept: number; mass: number } {
  let kept = 0;
  let mass = 0;
  while (kept < order.length && (kept === 0 || mass < target)) mass += probs[order[kept++]!]!;
  return { kept, mass };
}

/** Nucleus buckets per halving of probability, and the last one: everything below 2^-32. */
const BUCKETS_PER_OCTAVE = 8;
const TAIL = 32 * BUCKETS_PER_OCTAVE;

/**
 * Tokens that can be in the nucleus, in vocabulary order, found in two passes instead of sorting
 * the vocabulary (about 50 ms a token for 150k entries). Probabilities (≤ 1 here) fall into
 * buckets of an eighth of an octave, more likely buckets first; the buckets up to the one where
 * the mass reaches `target` hold every token more likely than all the others, so sorting only
 * them gives the same nucleus in the same order as sorting everything.
 */
function nucleusCandidates(probs: Float64Array, target: number, buckets: Uint16Array): number[] {
  const mass = new Float64Array(TAIL + 1);
  for (let i = 0; i < probs.length; i++) {
    // Never a larger bucket for a larger probability, which is all the argument above needs.
    const b = Math.min(TAIL, Math.floor(-Math.log2(probs[i]!) * BUCKETS_PER_OCTAVE));
    buckets[i] = b;
    mass[b]! += probs[i]!;
  }
  let last = 0;
  for (let total = mass[0]!; total < target && last < TAIL; ) total += mass[++last]!;
  const candidates: number[] = [];
  for (let i = 0; i < probs.length; i++) if (buckets[i]! <= last) candidates.push(i);
  return candidates;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
