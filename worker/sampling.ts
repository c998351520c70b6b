// Next-token choice from a row of logits: OpenAI's penalties, then greedy or
// temperature + nucleus sampling. A `seed` makes sampling repeatable.
import { NucleusSampler } from './logits-nucleus.js';

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
  private readonly nucleus = new NucleusSampler();

  constructor(private readonly params: SamplingParams) {
    this.random = params.seed === undefined ? Math.random : seededRandom(params.seed);
  }

  /** Picks the next token and records it for the penalties. `logits` is not modified. */
  sample(logits: Float32Array): number {
    const { temperature, top_p } = this.params;
    let token: number;
    if (temperature === 0) token = argmax(this.penalize(logits));
    else if (top_p < 1) {
      // The nucleus sampler's own buffer (the SIMD kernel's memory): one copy of the row, penalized there.
      const row = this.nucleus.row(logits.length);
      token = this.nucleus.draw(this.penalize(logits, row), temperature, top_p, this.random);
    } else token = this.drawWhole(logits);
    this.counts.set(token, (this.counts.get(token) ?? 0) + 1);
    return token;
  }

  /** The logits less the penalties: `logits` itself when none applies, else a copy in `into` (or a scratch buffer). */
  private penalize(logits: Float32Array, into?: Float32Array): Float32Array {
    const { presence_penalty: presence, frequency_penalty: frequency } = this.params;
    if (this.counts.size === 0 || (presence === 0 && frequency === 0)) return logits;
    if (!into) {
      if (this.scratch.length !== logits.length) this.scratch = new Float32Array(logits.length);
      into = this.scratch;
    }
    into.set(logits);
    // https://platform.openai.com/docs/advanced-usage#frequency-and-presence-penalties
    for (const [token, count] of this.counts) into[token]! -= count * frequency + presence;
    return into;
  }

  /** top_p 1: in proportion to exp(score / temperature) over the whole vocabulary, in its order. */
  private drawWhole(logits: Float32Array): number {
    const u = this.random();
    const scores = this.penalize(logits, this.nucleus.row(logits.length));
    return this.nucleus.drawWhole(scores, this.params.temperature, u) ?? this.walk(scores, u);
  }

  /** Every exponential summed, then the vocabulary walked in order until u of the sum is reached. */
  private walk(scores: Float32Array, u: number): number {
    const { temperature } = this.params;
    const max = scores[argmax(scores)]!;
    // One buffer per request: a hub model's vocabulary is ~150k entries, 1.2 MB a token otherwise.
    if (this.probs.length !== scores.length) this.probs = new Float64Array(scores.length);
    const probs = this.probs;
    let sum = 0;
    for (let i = 0; i < scores.length; i++) sum += probs[i] = Math.exp((scores[i]! - max) / temperature);
    let r = u * sum;
    for (let i = 0; i < probs.length; i++) if ((r -= probs[i]!) <= 0) return i;
    return probs.length - 1;
  }
}

/** The index of the first largest value. */
export function argmax(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 8) {
    let best = 0;
    for (let i = 1; i < n; i++) if (values[i]! > values[best]!) best = i;
    return best;
  }
  // Four running maxima, one per index mod 4, so the comparisons of a step need not wait for each
  // other: about twice as fast on 49,152 logits, a cost every token pays, greedy or sampled.
  // (Plain assignments: V8 does not optimize destructuring in a loop this hot.)
  let b0 = 0;
  let b1 = 1;
  let b2 = 2;
  let b3 = 3;
  let m0 = values[0]!;
  let m1 = values[1]!;
  let m2 = values[2]!;
  let m3 = values[3]!;
  let i = 4;
  for (; i + 3 < n; i += 4) {
    const x0 = values[i]!;
    const x1 = values[i + 1]!;
    const x2 = values[i + 2]!;
    const x3 = values[i + 3]!;
    if (x0 > m0) {
      m0 = x0;
      b0 = i;
    }
    if (x1 > m1) {
      m1 = x1;
      b1 = i + 1;
    }
    if (x2 > m2) {
      m2 = x2;
      b2 = i + 2;
    }
    if (x3 > m3) {
      m3 = x3;
      b3 = i + 3;
    }
  }
  // Each lane holds its first maximum; among equal lanes the smallest index wins.
  let best = b0;
  if (m1 > values[best]! || (m1 === values[best]! && b1 < best)) best = b1;
  if (m2 > values[best]! || (m2 === values[best]! && b2 < best)) best = b2;
  if (m3 > values[best]! || (m3 === values[best]! && b3 < best)) best = b3;
  for (; i < n; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
